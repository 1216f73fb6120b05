"""The reduce step: per-chunk choices merged into findings, each verified against its
cited place; transcript participants and topic segments; what was not found; conflicts
between single-valued fields; and the cited prompt-injection alerts."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from docpipe.analysis import injection
from docpipe.analysis.fields import FIELDS, clip
from docpipe.analysis.verify import verify_citation
from docpipe.domain import Citation, DocumentKind, Finding, Span, Unit


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
