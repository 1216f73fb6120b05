"""Map (per chunk: the model chooses among code's candidates) and reduce (merge, verify,
brief). Every model answer is constrained by a JSON schema and validated again by pydantic;
an answer that fails either, or was cut by max_tokens, is never taken as complete."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import Field, ValidationError, create_model

from docpipe.analysis import prompts
from docpipe.analysis.fields import FIELDS, Candidate, FieldSpec, clip, find_candidates
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
    user: str
    schema: dict
    model: type
    candidates: dict[str, list[Candidate]]
    max_tokens: int


def map_request(kind: DocumentKind, units: Sequence[Unit], spans: Sequence[Span]) -> MapRequest | None:
    """The question for one chunk, or None when code found no candidate for any field."""
    options, candidates, props = {}, {}, {}
    for spec in FIELDS[kind]:
        found = find_candidates(spec, list(units), list(spans))
        if not found:
            continue
        ids = [c.unit_id for c in found]
        picks = min(spec.max_picks, len(ids))
        candidates[spec.name] = found
        options[spec.name] = (spec.question, ids, picks)
        props[spec.name] = (list[Literal[tuple(ids)]], Field(min_length=1, max_length=picks))
    if not options:
        return None
    model = create_model(f"Map{kind.value.title()}", **props)
    schema = {
        "type": "object",
        "properties": {name: {"type": "array", "items": {"type": "integer", "enum": ids},
                              "minItems": 1, "maxItems": picks}
                       for name, (_, ids, picks) in options.items()},
        "required": list(options), "additionalProperties": False,
    }
    user = prompts.document_block(kind.value, units, spans) + prompts.choose_question(options)
    max_tokens = 24 + sum(12 + 8 * picks + len(name) for name, (_, _, picks) in options.items())
    return MapRequest(user=user, schema=schema, model=model, candidates=candidates,
                      max_tokens=max_tokens)


def run_map(engine: Engine, request: MapRequest) -> tuple[dict, Generation]:
    """Ask the model; return {field: [chosen unit ids]} and the generation record."""
    gen = engine.complete_json(engine.format_chat(prompts.SYSTEM, request.user), request.schema,
                               max_tokens=request.max_tokens)
    answer = _validated(gen, request.model, "chunk analysis")
    return {name: sorted(set(getattr(answer, name))) for name in request.candidates}, gen


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
                   units: dict[int, Unit], spans: Sequence[Span]) -> list[Finding]:
    """Merge per-chunk choices into findings, each verified against its cited place.

    ``chosen[i]`` is chunk i's {field: [unit ids]}; ``candidates[i]`` its {field: [Candidate]}.
    Duplicates (same field, same normalised value or sentence) are folded.
    """
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    if kind is DocumentKind.TRANSCRIPT:
        findings.extend(participants(units, spans))
    for picks, cands in zip(chosen, candidates):
        for field, ids in picks.items():
            by_id = {c.unit_id: c for c in cands.get(field, [])}
            for uid in ids:
                cand = by_id[uid]
                key = (field, (cand.normalized or cand.value).lower())
                if key in seen:
                    continue
                seen.add(key)
                unit = units[uid]
                cite = citation_for(unit, spans[unit.span_index])
                findings.append(Finding(field=field, value=cand.value, normalized=cand.normalized,
                                        citation=cite, verified=verify_citation(spans, cite),
                                        extra=dict(cand.extra)))
    return findings


def participants(units: dict[int, Unit], spans: Sequence[Span]) -> list[Finding]:
    """Each speaker, cited at their first turn (code finds these; no model needed)."""
    first: dict[str, Unit] = {}
    for unit in units.values():
        speaker = spans[unit.span_index].speaker
        if speaker and speaker not in first:
            first[speaker] = unit
    out = []
    for speaker, unit in first.items():
        cite = citation_for(unit, spans[unit.span_index])
        out.append(Finding(field="participants", value=speaker, normalized=speaker, citation=cite,
                           verified=verify_citation(spans, cite)))
    return out


def not_found(kind: DocumentKind, findings: Sequence[Finding]) -> list[str]:
    present = {f.field for f in findings}
    names = [s.name for s in FIELDS[kind]] + (["participants"] if kind is DocumentKind.TRANSCRIPT else [])
    return [name for name in names if name not in present]


def conflicts(findings: Sequence[Finding], single: Sequence[str] = ("governing_law", "effective_date")) -> list[dict]:
    """Single-valued fields that came back with more than one distinct value."""
    out = []
    for field in single:
        values = sorted({f.normalized for f in findings if f.field == field and f.normalized})
        if len(values) > 1:
            out.append({"field": field, "values": values})
    return out


def brief_sources(findings: Sequence[Finding], opening: Sequence[tuple[Unit, Span]],
                  limit: int = 6) -> list[Finding]:
    """What the brief restates: the first finding of each field (in field order), else the
    document's opening lines when nothing was found."""
    picked, fields = [], set()
    for f in findings:
        if f.field not in fields and f.field != "participants":
            picked.append(f)
            fields.add(f.field)
    if not picked:
        for unit, span in opening:
            cite = citation_for(unit, span)
            picked.append(Finding(field="opening", value=clip(unit.text), citation=cite,
                                  verified=verify_citation([span], cite)))
    return picked[:limit]


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
    if extra.get("owner") or extra.get("due"):
        who = f" (owner: {extra['owner']}" + (f", due {extra['due']})" if extra.get("due") else ")")
        return f"{label}: {clip(finding.citation.quote, 200)}{who}"
    return f"{label}: {clip(finding.value, 200)}."


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
