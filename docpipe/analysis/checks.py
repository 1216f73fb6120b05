"""Fail-closed checks on what the model chose, after constrained decoding has made it
schema-valid: is the value really there, in the form we claim?

- a date parses, and is written in the cited sentence;
- party names appear verbatim in the cited sentence;
- an amount appears in its quote and re-reads to the same normalised number;
- a duration appears in its quote and re-reads to the same ISO 8601 period;
- a field that must yield a value (a date, the parties, the governing law) has one;
- across the document: the effective date is not after the expiration date.

Each check returns the error as a short sentence the model can be shown ("states no date"),
or None when the value holds.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from docpipe.analysis.normalize import find_amount, find_duration
from docpipe.analysis.verify import normalize_text as normalise

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_PERIOD = re.compile(r"^P\d+[DMY]$")
_WHAT = {"parties": "party names", "governing_law": "governing law", "document_name": "title"}


def _in(needle: str, haystack: str) -> bool:
    return normalise(needle) in normalise(haystack)


def check_value(field: str, value: str | None, normalized: str | None, quote: str) -> str | None:
    """The value (as written) and its normalised form against the sentence it came from."""
    if not normalized:
        return None
    if _ISO_DATE.match(normalized):
        try:
            date.fromisoformat(normalized)
        except ValueError:
            return f"has a date that does not parse ({value})"
        if not value or not _in(value, quote):
            return f"does not contain the date {value!r}"
        return None
    if field == "parties":
        missing = [name for name in normalized.split("; ") if name and not _in(name, quote)]
        return f"does not name {missing[0]!r} verbatim" if missing else None
    if normalized.endswith(" USD"):
        again = find_amount(value or "")
        if not value or not _in(value, quote) or again is None or again[1] != normalized:
            return f"does not state the amount {normalized}"
        return None
    if _ISO_PERIOD.match(normalized):
        again = find_duration(value or "")
        if not value or not _in(value, quote) or again is None or again[1] != normalized:
            return f"does not state the period {normalized}"
        return None
    if value and not _in(value, quote):
        return f"does not contain {value!r}"
    return None


def check_pick(spec, candidate, quote: str) -> str | None:
    """One chosen sentence for one field (``spec``: a FieldSpec; ``candidate``: a Candidate)."""
    if spec.required and spec.extract is not None and not candidate.normalized:
        what = _WHAT.get(spec.name, "date" if "date" in spec.name else "value")
        return f"states no {what}"
    return check_value(spec.name, candidate.value, candidate.normalized, quote)


def check_document(findings: Sequence) -> tuple[list, list[dict]]:
    """Checks across fields. Returns the findings, those involved in a failed check marked
    (and so unverified), and the conflicts found ({field, values, reason})."""
    out, marked = [], {}
    effective = [f for f in findings if f.field == "effective_date" and f.normalized
                 and _ISO_DATE.match(f.normalized)]
    expiry = [f for f in findings if f.field == "expiration_date" and f.normalized
              and _ISO_DATE.match(f.normalized)]
    if effective and expiry:
        start, end = min(f.normalized for f in effective), max(f.normalized for f in expiry)
        if start > end:
            reason = f"the effective date {start} is after the expiration date {end}"
            for f in effective + expiry:
                marked[id(f)] = replace(f, verified=False, extra={**(f.extra or {}), "check": reason})
            out.append({"field": "effective_date/expiration_date", "values": [start, end], "reason": reason})
    return [marked.get(id(f), f) for f in findings], out
