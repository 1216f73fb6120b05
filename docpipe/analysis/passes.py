"""The map step: per chunk, focused passes in which the model chooses among code's
candidates. Every model answer is constrained by a JSON schema and validated again by
pydantic; an answer that fails either, or was cut by max_tokens, is never taken as complete."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, ValidationError, create_model

from docpipe.analysis import checks, prompts
from docpipe.analysis.fields import SPECS, Candidate, find_candidates, groups
from docpipe.domain import DocumentKind, Span, Unit
from docpipe.errors import OUTPUT_TRUNCATED, SCHEMA_INVALID, ModelError
from docpipe.llm.engine import Engine, Generation


class OutputCut(ModelError):
    code = OUTPUT_TRUNCATED


def validated(gen: Generation, model, what: str):
    """The answer as ``model``; ModelError when it was cut (OutputCut), is no JSON or fails validation."""
    if gen.finish_reason == "length":
        raise OutputCut(f"{what}: the answer was cut at max_tokens ({gen.generated_tokens} tokens)")
    if gen.data is None:
        raise ModelError(f"{what}: the model returned no JSON object", code=SCHEMA_INVALID)
    try:
        return model.model_validate(gen.data)
    except ValidationError as exc:
        raise ModelError(f"{what}: answer failed validation: {exc.errors()[0]['msg']}",
                         code=SCHEMA_INVALID) from exc


@dataclass(frozen=True)
class MapRequest:
    """One focused pass over one chunk: the chunk (shared by every pass) then the question."""
    group: str
    user: str
    schema: dict
    model: type
    candidates: dict[str, list[Candidate]]
    quotes: dict[int, str]  # candidate unit id -> its text, for the checks
    max_tokens: int


def _request(group: str, prefix: str, options: dict, candidates: dict,
             quotes: dict[int, str]) -> MapRequest:
    """prefix: everything before the question (the document block; for a retry, the first
    ask and the errors). options: field -> (question, allowed ids, min picks, max picks)."""
    props = {name: (list[Literal[tuple(ids)]], Field(min_length=lo, max_length=hi))
             for name, (_, ids, lo, hi) in options.items()}
    model = create_model(f"Map{group.title()}", **props)
    schema = {
        "type": "object",
        "properties": {name: {"type": "array", "items": {"type": "integer", "enum": ids},
                              "minItems": lo, "maxItems": hi}
                       for name, (_, ids, lo, hi) in options.items()},
        "required": list(options), "additionalProperties": False,
    }
    user = prefix + prompts.choose_question(options)
    max_tokens = 24 + sum(12 + 8 * hi + len(name) for name, (_, _, _, hi) in options.items())
    return MapRequest(group=group, user=user, schema=schema, model=model, candidates=candidates,
                      quotes=quotes, max_tokens=max_tokens)


def map_requests(kind: DocumentKind, units: Sequence[Unit], spans: Sequence[Span]) -> list[MapRequest]:
    """The focused passes for one chunk, one per field group that has candidates here. Every
    prompt starts with the same document block, so llama.cpp evaluates the chunk once and
    each further pass costs only its question and answer."""
    block = prompts.document_block(kind.value, units, spans)
    quotes_all = {u.id: u.text for u in units}
    requests = []
    for group, specs in groups(kind).items():
        options, candidates = {}, {}
        for spec in specs:
            found = find_candidates(spec, list(units), list(spans))
            if spec.value_only:
                found = [c for c in found if c.normalized]
            if not found:
                continue
            ids = [c.unit_id for c in found]
            candidates[spec.name] = found
            # a required field must pick, but only where some candidate holds a value: forcing a
            # choice among sentences that state no date would only manufacture failed checks
            least = spec.min_picks if spec.extract is None or any(c.normalized for c in found) else 0
            options[spec.name] = (spec.question, ids, least, min(spec.max_picks, len(ids)))
        if options:
            quotes = {uid: quotes_all[uid] for cs in candidates.values() for uid in (c.unit_id for c in cs)}
            requests.append(_request(group, block, options, candidates, quotes))
    return requests


@dataclass
class PassOutcome:
    picks: dict[str, list[int]]
    failed: dict[str, dict[int, str]]  # field -> {unit id: the check it failed after the retry}
    retried: list[str]
    gens: list[Generation]


def _ask(engine: Engine, request: MapRequest) -> tuple[dict[str, list[int]], Generation]:
    gen = engine.complete_json(engine.format_chat(prompts.SYSTEM, request.user), request.schema,
                               max_tokens=request.max_tokens)
    answer = validated(gen, request.model, f"{request.group} pass")
    return {name: sorted(set(getattr(answer, name))) for name in request.candidates}, gen


def _failures(request: MapRequest, picks: dict[str, list[int]]) -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = {}
    for field, ids in picks.items():
        by_id = {c.unit_id: c for c in request.candidates[field]}
        for uid in ids:
            error = checks.check_pick(SPECS[field], by_id[uid], request.quotes[uid])
            if error:
                out.setdefault(field, {})[uid] = error
    return out


def run_pass(engine: Engine, request: MapRequest) -> PassOutcome:
    """Ask one focused pass; fail closed on what comes back.

    An answer that is cut, not JSON or not schema-valid is asked once more, then raises.
    Each chosen sentence is then checked by code (a date that parses and is in the quote,
    party names verbatim, an amount that matches its quote...). Fields with a failed check
    are asked once more, the errors shown to the model and the failed sentences no longer
    offered; what still fails is kept, recorded as failed (and so unverified).
    """
    gens: list[Generation] = []
    try:
        picks, gen = _ask(engine, request)
    except ModelError as exc:
        if exc.code != "schema_invalid":
            raise
        picks, gen = _ask(engine, request)
    gens.append(gen)
    failed = _failures(request, picks)
    if not failed:
        return PassOutcome(picks, {}, [], gens)
    options, notes, failed_fields = {}, [], set(failed)
    for field, errors in failed.items():
        spec = SPECS[field]
        left = [c.unit_id for c in request.candidates[field] if c.unit_id not in errors]
        notes += [f"{field}: S{uid} {error}" for uid, error in errors.items()]
        if left:
            options[field] = (spec.question, left, 0, min(spec.max_picks, len(left)))
    if options:
        note = ("\n\nYOUR ANSWER FAILED THESE CHECKS:\n" + "\n".join(f"- {n}" for n in notes)
                + "\nAnswer again for these fields only; an empty list means no sentence fits.\n")
        retry = _request(request.group, request.user + note, options,
                         {f: request.candidates[f] for f in options}, request.quotes)
        try:
            again, gen = _ask(engine, retry)
            gens.append(gen)
        except ModelError:
            again = {}
        first_failed = failed
        for field in options:
            kept = [uid for uid in picks[field] if uid not in failed[field]]
            picks[field] = sorted(set(kept + again.get(field, [])))
        failed = _failures(request, picks)
        for field, errors in first_failed.items():  # nothing valid in its place: keep, marked
            if not picks[field]:
                picks[field] = sorted(errors)
                failed[field] = errors
    return PassOutcome(picks, failed, sorted(failed_fields), gens)
