"""The fields we extract, and the code that finds candidate sentences for each.

Code finds, the model judges: every field has patterns that propose candidate units with a
normalised value where the form allows one (ISO date, jurisdiction, amount, notice period);
the model then chooses among the candidates. A field with no candidate anywhere in the
document is reported as "not found", never as an empty value.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from docpipe.domain import DocumentKind, Span, Unit

from docpipe.analysis.normalize import (
    find_amount, find_date, find_duration, find_jurisdiction, find_parties, find_due,
)

Extractor = Callable[[str, Span], dict | None]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    question: str  # the short instruction the model sees
    pattern: re.Pattern
    max_picks: int = 1  # how many sentences the model may choose per chunk
    extract: Extractor | None = None  # normalised value and extras from the sentence
    early_pages: int | None = None  # only look in the first N pages (preamble fields)


def _rx(*words: str) -> re.Pattern:
    return re.compile("|".join(words), re.IGNORECASE)


def _date(text, span):
    found = find_date(text)
    return {"value": found[0], "normalized": found[1]} if found else None


def _law(text, span):
    found = find_jurisdiction(text)
    return {"value": found, "normalized": found} if found else None


def _duration(text, span):
    found = find_duration(text)
    return {"value": found[0], "normalized": found[1]} if found else None


def _amount(text, span):
    found = find_amount(text)
    return {"value": found[0], "normalized": found[1]} if found else None


def _parties(text, span):
    names = find_parties(text)
    return {"value": "; ".join(names), "normalized": "; ".join(names)} if names else None


def _action(text, span):
    owner = None
    match = re.match(r"\s*(?:So,?\s+|And\s+|Okay,?\s+)?([A-Z][a-z]+(?: [A-Z][a-z]+)?) (?:will|is going to|'ll|needs to|to)\b", text)
    if match and match.group(1) not in {"We", "You", "They", "It", "That", "This", "There"}:
        owner = match.group(1)
    elif re.search(r"\bI(?:'ll| will| am going to|'m going to)\b", text):
        owner = span.speaker
    due = find_due(text)
    return {"value": None, "extra": {"owner": owner or span.speaker, "due": due}}


CONTRACT_FIELDS = (
    FieldSpec("parties", "Which sentence names the parties to the agreement?",
              _rx(r"\bby and between\b", r"\bbetween\b.{3,200}\band\b", r"\bthe parties\b"),
              extract=_parties, early_pages=3),
    FieldSpec("effective_date", "Which sentence states the effective date or the date of the agreement?",
              _rx(r"effective (as of|date|on)", r"dated as of", r"entered into (as of|on)", r"made (as of|on)"),
              extract=_date),
    FieldSpec("term_and_renewal", "Which sentences state how long the agreement lasts and how it renews?",
              _rx(r"\b(initial )?term of\b", r"\brenew", r"shall (continue|remain) in (full )?(force|effect)",
                  r"\bexpir"),
              max_picks=2, extract=_duration),
    FieldSpec("termination", "Which sentences say how the agreement can be terminated?",
              _rx(r"\bterminat"), max_picks=2, extract=_duration),
    FieldSpec("governing_law", "Which sentence states the governing law?",
              _rx(r"governed by", r"governing law", r"construed in accordance with", r"laws of the state of"),
              extract=_law),
    FieldSpec("payment", "Which sentences state fees, prices or payment terms?",
              _rx(r"\$\s?\d", r"\bfees?\b", r"\bpayment", r"\binvoice", r"\bnet \d+", r"\bprice"),
              max_picks=2, extract=_amount),
    FieldSpec("liability", "Which sentences limit liability or set indemnities?",
              _rx(r"\bliabilit", r"\bindemnif", r"consequential damages", r"in no event"),
              max_picks=2, extract=_amount),
    FieldSpec("key_obligations", "Which sentences state the most important obligations of a party?",
              _rx(r"\bshall\b", r"\bmust\b", r"\bagrees? to\b", r"\bis responsible for\b"), max_picks=3),
    FieldSpec("risks", "Which sentences describe the main risks: exclusivity, penalties, breach, non-compete?",
              _rx(r"\bexclusiv", r"\bpenalt", r"liquidated damages", r"non-?compet", r"\bmaterial breach",
                  r"\bdefault\b", r"most favou?red", r"change (of|in) control", r"\bwaive"),
              max_picks=2),
)

TRANSCRIPT_FIELDS = (
    FieldSpec("topics", "Which sentences introduce a new topic of discussion?",
              _rx(r"\bagenda\b", r"\bnext (item|topic|point|question)\b", r"\bmove on\b", r"\blet'?s (talk|discuss|turn)",
                  r"\bturn(ing)? to\b", r"\bdiscuss", r"\btopic\b"), max_picks=2),
    FieldSpec("decisions", "Which sentences state a decision that was made?",
              _rx(r"\bdecided\b", r"\bdecision\b", r"\bwe (all )?agree", r"\bagreed\b", r"\bgo with\b",
                  r"\bsettled on\b", r"\bapproved?\b", r"\bwe'?ll (use|have|go)\b"), max_picks=2),
    FieldSpec("action_items", "Which sentences assign a task to someone?",
              _rx(r"\bwill (send|prepare|draft|review|circulate|follow|get|look|check|email|call|schedule|update|work)",
                  r"\b(I|you|he|she|we)'ll\b", r"\baction item", r"\bneeds? to\b", r"\bby (monday|tuesday|wednesday|thursday|friday|tomorrow|next week|the end of)"),
              max_picks=2, extract=_action),
    FieldSpec("key_statements", "Which sentences are the most important statements or concerns?",
              _rx(r"\bimportant\b", r"\bconcern", r"\bproblem\b", r"\brisk", r"\bcritical\b", r"\bmust\b",
                  r"\bquestion\b", r"\bkey\b"), max_picks=2),
)

FIELDS = {DocumentKind.CONTRACT: CONTRACT_FIELDS, DocumentKind.TRANSCRIPT: TRANSCRIPT_FIELDS}
MAX_CANDIDATES = 8


@dataclass(frozen=True)
class Candidate:
    field: str
    unit_id: int
    value: str
    normalized: str | None
    extra: dict


def find_candidates(spec: FieldSpec, units: list[Unit], spans: list[Span]) -> list[Candidate]:
    """Units that match the field's patterns, best first, at most MAX_CANDIDATES."""
    scored = []
    for unit in units:
        span = spans[unit.span_index]
        if spec.early_pages and span.page is not None and span.page > spec.early_pages:
            continue
        hits = len(spec.pattern.findall(unit.text))
        if not hits:
            continue
        got = spec.extract(unit.text, span) if spec.extract else None
        # a sentence with an extractable value is a better candidate than a keyword hit
        score = hits + (3 if got and got.get("value") else 0)
        scored.append((-score, unit.id, unit, got or {}))
    scored.sort(key=lambda item: (item[0], item[1]))
    out = []
    for _, _, unit, got in scored[:MAX_CANDIDATES]:
        out.append(Candidate(field=spec.name, unit_id=unit.id,
                             value=got.get("value") or clip(unit.text),
                             normalized=got.get("normalized"), extra=got.get("extra", {})))
    return sorted(out, key=lambda c: c.unit_id)


def clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
