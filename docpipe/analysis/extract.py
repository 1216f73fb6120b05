"""Map (per chunk: the model chooses among code's candidates) and reduce (merge, verify,
brief). Every model answer is constrained by a JSON schema and validated again by pydantic;
an answer that fails either, or was cut by max_tokens, is never taken as complete."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from pydantic import Field, ValidationError, create_model

from docpipe.analysis import checks, injection, prompts
from docpipe.analysis.fields import FIELDS, SPECS, Candidate, clip, find_candidates, groups
from docpipe.analysis.verify import verify_citation
from docpipe.domain import Citation, DocumentKind, Finding, Span, Unit
from docpipe.errors import ModelError
from docpipe.llm.engine import Engine, Generation

class OutputCut(ModelError):
    code = "output_truncated"


def _validated(gen: Generation, model, what: str):
    if gen.finish_reason == "length":
        raise OutputCut(f"{what}: the answer was cut at max_tokens ({gen.generated_tokens} tokens)")
    if gen.data is None:
        raise ModelError(f"{what}: the model returned no JSON object", code="schema_invalid")
    try:
        return model.model_validate(gen.data)
    except ValidationError as exc:
        raise ModelError(f"{what}: answer failed validation: {exc.errors()[0]['msg']}",
                         code="schema_invalid") from exc


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
    answer = _validated(gen, request.model, f"{request.group} pass")
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


def classify_with_model(engine: Engine, opening: Sequence[Unit], spans: Sequence[Span]) -> tuple[DocumentKind, Generation]:
    model = create_model("Kind", kind=(Literal["contract", "transcript"], ...))
    schema = {"type": "object", "properties": {"kind": {"enum": ["contract", "transcript"]}},
              "required": ["kind"], "additionalProperties": False}
    user = prompts.document_block("document", opening, spans) + prompts.classify_question()
    gen = engine.complete_json(engine.format_chat(prompts.SYSTEM, user), schema, max_tokens=16)
    return DocumentKind(_validated(gen, model, "document kind").kind), gen


def citation_for(unit: Unit, span: Span) -> Citation:
    return Citation(quote=unit.text, page=span.page, page_label=span.page_label, line=span.line,
                    turn=span.turn, speaker=span.speaker, timestamp=span.timestamp, unit_id=unit.id)


def build_findings(kind: DocumentKind, chosen: Sequence[dict], candidates: Sequence[dict],
                   units: dict[int, Unit], spans: Sequence[Span],
                   failed: Sequence[dict] | None = None) -> list[Finding]:
    """Merge per-chunk choices into findings, each verified against its cited place.

    ``chosen[i]`` is chunk i's {field: [unit ids]}; ``candidates[i]`` its {field: [Candidate]};
    ``failed[i]`` its {field: {unit id: check error}}: those findings are kept, marked with
    the error and unverified. Duplicates (same field, same normalised value or sentence) are
    folded.
    """
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    if kind is DocumentKind.TRANSCRIPT:
        findings.extend(participants(units, spans))
    for picks, cands, bad in zip(chosen, candidates, failed or [{}] * len(chosen)):
        for field, ids in picks.items():
            by_id = {c.unit_id: c for c in cands.get(field, [])}
            errors = {int(k): v for k, v in (bad.get(field) or {}).items()}
            for uid in ids:
                cand = by_id[uid]
                key = (field, (cand.normalized or cand.value).lower())
                if key in seen:
                    continue
                seen.add(key)
                unit = units[uid]
                cite = citation_for(unit, spans[unit.span_index])
                extra = dict(cand.extra)
                if uid in errors:
                    extra["check"] = f"S{uid} {errors[uid]}"
                findings.append(Finding(field=field, value=cand.value, normalized=cand.normalized,
                                        citation=cite, verified=uid not in errors and verify_citation(spans, cite),
                                        extra=extra))
    if kind is DocumentKind.TRANSCRIPT:
        findings = topic_segments(findings, spans)
    return findings


def topic_segments(findings: list[Finding], spans: Sequence[Span]) -> list[Finding]:
    """Each topic runs from its turn to the turn before the next topic (or the end)."""
    topics = sorted((f for f in findings if f.field == "topics" and f.citation.turn is not None),
                    key=lambda f: f.citation.turn)
    last = max((s.turn for s in spans if s.turn is not None), default=None)
    ends = {id(t): (nxt.citation.turn - 1) for t, nxt in zip(topics, topics[1:])}
    out = []
    for f in findings:
        if f.field == "topics" and f.citation.turn is not None:
            end = max(ends.get(id(f), last), f.citation.turn)
            segment = {"from_turn": f.citation.turn, "to_turn": end}
            closing = [s for s in spans if s.turn == end]
            if f.citation.timestamp and closing and closing[-1].timestamp:
                segment.update(from_time=f.citation.timestamp, to_time=closing[-1].timestamp)
            if f.citation.page is not None and closing and closing[-1].page is not None:
                segment.update(from_page=f.citation.page, to_page=closing[-1].page)
            f = replace(f, extra={**f.extra, "segment": segment})
        out.append(f)
    return out


_ROLE_WORDS = re.compile(
    r"\b(manager|designer|marketing|interface|chair(man|woman|person)?|grad|phd|postdoc|professor|undergrad|"
    r"witness|counsel|attorney|court|judge|justice|reporter|interpreter|clerk|moderator|secretary|minister|"
    r"president|director|officer|examiner|member)\b", re.I)
_BEHALF = re.compile(r"on behalf of (the )?(petitioners?|respondents?|appellants?|appellees?|plaintiffs?|"
                     r"defendants?|United States|government|department|ministry)", re.I)
_TITLES = ((re.compile(r"^Hon\.?\s"), "member (Hon.)"), (re.compile(r"\sAM$"), "Assembly Member"),
           (re.compile(r"\sMP$"), "Member of Parliament"), (re.compile(r"^(Q|A)$"), None))


def speaker_role(speaker: str, turns: Sequence[tuple[Unit, Span]]) -> tuple[str | None, Unit | None]:
    """A role from the speaker's label ('Project Manager', 'The Chair', 'Hon. X') or, failing
    that, from their own words ('on behalf of the petitioners'); with the unit that says it."""
    if _ROLE_WORDS.search(speaker):
        return re.sub(r"^the\s+", "", speaker, flags=re.I), None
    for pattern, role in _TITLES:
        if pattern.search(speaker) and role:
            return role, None
    for unit, _ in turns[:6]:
        match = _BEHALF.search(unit.text)
        if match:
            return f"counsel for the {match.group(2).lower()}", unit
    return None, None


def participants(units: dict[int, Unit], spans: Sequence[Span]) -> list[Finding]:
    """Each speaker with a role where one can be read, cited at their first turn or where
    the role is stated (code finds these; no model needed)."""
    said: dict[str, list[tuple[Unit, Span]]] = {}
    for unit in units.values():
        span = spans[unit.span_index]
        if span.speaker:
            said.setdefault(span.speaker, []).append((unit, span))
    out = []
    for speaker, turns in said.items():
        role, where = speaker_role(speaker, turns)
        unit = where or turns[0][0]
        cite = citation_for(unit, spans[unit.span_index])
        extra = {"role": role, "turns": len({s.turn for _, s in turns})} if role else {"turns": len({s.turn for _, s in turns})}
        out.append(Finding(field="participants", value=speaker, normalized=speaker, citation=cite,
                           verified=verify_citation(spans, cite), extra=extra))
    return out


def not_found(kind: DocumentKind, findings: Sequence[Finding]) -> list[str]:
    present = {f.field for f in findings}
    names = [s.name for s in FIELDS[kind]] + (["participants"] if kind is DocumentKind.TRANSCRIPT else [])
    return [name for name in names if name not in present]


def category_status(kind: DocumentKind, findings: Sequence[Finding], complete: bool) -> dict[str, dict]:
    """Per field (for contracts, every CUAD category among them): present (a verified
    finding), absent (nothing found in a document read in full), or not determinable
    (only unverified findings, or part of the document was not read)."""
    out = {}
    for spec in FIELDS[kind]:
        mine = [f for f in findings if f.field == spec.name]
        verified = sum(f.verified for f in mine)
        if verified:
            status = "present"
        elif mine or not complete:
            status = "not_determinable"
        else:
            status = "absent"
        out[spec.name] = {"status": status, "findings": len(mine), "verified": verified,
                          **({"cuad": spec.cuad} if spec.cuad else {})}
    return out


SINGLE_VALUED = ("governing_law", "effective_date", "agreement_date", "expiration_date", "renewal_term",
                 "notice_period_to_terminate_renewal", "cap_on_liability")


def conflicts(findings: Sequence[Finding], single: Sequence[str] = SINGLE_VALUED) -> list[dict]:
    """Single-valued fields that came back with more than one distinct value (say, two
    governing laws from two chunks): surfaced for a lawyer to resolve, never silently
    resolved by taking the first."""
    out = []
    for field in single:
        values = sorted({f.normalized for f in findings if f.field == field and f.normalized})
        if len(values) > 1:
            out.append({"field": field, "values": values, "reason": "different values in different places"})
    return out


# What a contract brief covers, in order, and how many points each: who, what each party
# owes, the main risks, then the terms a lawyer asks about first.
CONTRACT_BRIEF = (("parties", 1), ("key_obligations", 3), ("risks", 2), ("governing_law", 1),
                  ("expiration_date", 1), ("term_and_renewal", 1), ("termination", 1), ("payment", 1),
                  ("cap_on_liability", 1), ("liability", 1))
TRANSCRIPT_BRIEF = (("topics", 2), ("decisions", 2), ("action_items", 2), ("open_questions", 1),
                    ("key_statements", 1))


def brief_sources(findings: Sequence[Finding], opening: Sequence[tuple[Unit, Span]],
                  limit: int = 8, kind: DocumentKind = DocumentKind.CONTRACT,
                  disputed: Sequence[str] = ()) -> list[Finding]:
    """What the brief restates: verified findings only (fail closed), by the kind's plan; the
    obligations one per party; never one side of a conflict (``disputed`` fields: the brief
    states the conflict instead). Falls back to the document's opening lines when nothing
    verified was found."""
    plan = CONTRACT_BRIEF if kind is DocumentKind.CONTRACT else TRANSCRIPT_BRIEF
    picked: list[Finding] = []
    for field, count in plan:
        if field in disputed:
            continue
        owners: set[str] = set()
        for f in (f for f in findings if f.field == field and f.verified):
            if count <= 0:
                break
            owner = (f.extra or {}).get("party")
            if owner and owner in owners:
                continue  # one obligation per party first
            owners.add(owner or f"#{id(f)}")
            picked.append(f)
            count -= 1
    if not picked:
        for unit, span in opening:
            cite = citation_for(unit, span)
            picked.append(Finding(field="opening", value=clip(unit.text), citation=cite,
                                  verified=verify_citation([span], cite)))
    return picked[:limit]


def conflict_points(conflicts: Sequence[dict], findings: Sequence[Finding], spans: Sequence[Span]) -> list[dict]:
    """One brief point per conflict, said plainly, cited at the first value's place."""
    out = []
    for c in conflicts:
        fields = c["field"].split("/")
        involved = [f for f in findings if f.field in fields and f.normalized in c["values"]]
        if not involved:
            continue
        where = "; ".join(f"{f.normalized} ({f.citation.locator()})" for f in involved[:4])
        label = " / ".join(x.replace("_", " ") for x in fields)
        out.append({"text": f"Conflict in {label}: {where}. {c.get('reason', '').capitalize()}. Check both places.",
                    "by": "code", "field": c["field"], "citation": involved[0].citation,
                    "verified": verify_citation(spans, involved[0].citation)})
    return out


def injection_alerts(units: Sequence[Unit], spans: Sequence[Span]) -> list[dict]:
    """Each unit carrying text written to an AI model, cited (see docpipe.analysis.injection)."""
    out = []
    for unit in units:
        for start, end in injection.suspect_spans(unit.text):
            cite = citation_for(unit, spans[unit.span_index])
            out.append({"kind": "prompt_injection", "where": cite.locator(), "page": cite.page,
                        "turn": cite.turn, "quote": clip(unit.text[start:end], 240),
                        "message": "text that reads as instructions to an AI model; withheld from the model"})
    return out


_NUMBER = re.compile(r"\d[\d,.]*")
_WORD = re.compile(r"[a-z]{4,}")
_ECHO = re.compile(r"\bTASK\b|DOCUMENT|<<<|>>>|\bsentence for\b", re.I)


def supported(sentence: str, finding: Finding) -> bool:
    """Code checks the model's prose: every number in it appears in the source, most of its
    words come from the quote or value, and it does not echo the instructions."""
    source = f"{finding.field.replace('_', ' ')} {finding.value} {finding.citation.quote}".lower()
    tokens = sentence.lower().split()
    trigrams = [tuple(tokens[i:i + 3]) for i in range(len(tokens) - 2)]
    if _ECHO.search(sentence) or len(tokens) < 4 or len(set(trigrams)) < len(trigrams):
        return False  # instruction echo, too short, or the model looping
    if any(n.strip(".,") not in source for n in _NUMBER.findall(sentence)):
        return False
    words = _WORD.findall(sentence.lower())
    return bool(words) and sum(w in source for w in words) / len(words) >= 0.6


def template_point(finding: Finding) -> str:
    label = finding.field.replace("_", " ").capitalize()
    extra = finding.extra or {}
    if extra.get("party") and finding.field == "key_obligations":
        return f"Obligation of {extra['party']}: {clip(finding.citation.quote, 200)}"
    if extra.get("owner") or extra.get("due"):
        who = f" (owner: {extra['owner']}" + (f", due {extra['due']})" if extra.get("due") else ")")
        return f"{label}: {clip(finding.citation.quote, 200)}{who}"
    return f"{label}: {clip(finding.value, 200).rstrip('.')}."


def run_brief(engine: Engine, kind: DocumentKind, sources: Sequence[Finding],
              spans: Sequence[Span]) -> tuple[list[dict], list[Generation]]:
    """One plain sentence per source fact, each from its own short prompt (a small model
    follows one short instruction far better than a list). A sentence code cannot match to
    its fact is replaced by a plain template of the fact, and the point says which it is."""
    model = create_model("Point", sentence=(str, Field(min_length=8, max_length=200)))
    schema = {"type": "object", "properties": {"sentence": {"type": "string", "minLength": 8,
                                                            "maxLength": 200}},
              "required": ["sentence"], "additionalProperties": False}
    points, gens = [], []
    for finding in sources:
        user = prompts.brief_prompt(kind.value, finding.field.replace("_", " "),
                                    f"{finding.value} \"{clip(finding.citation.quote, 300)}\"")
        gen = engine.complete_json(engine.format_chat(prompts.SYSTEM, user), schema, max_tokens=72)
        gens.append(gen)
        try:
            sentence = " ".join(_validated(gen, model, "brief point").sentence.split())
        except ModelError:
            sentence = ""
        by = "model" if sentence and supported(sentence, finding) else "code"
        points.append({"text": sentence if by == "model" else template_point(finding), "by": by,
                       "field": finding.field, "citation": finding.citation,
                       "verified": finding.verified and verify_citation(spans, finding.citation)})
    return points, gens
