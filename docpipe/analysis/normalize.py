"""Recognisers for values with a known form. Each returns the text as it appears in the
source (so it can be verified verbatim) and, where there is one, a normalised value."""
from __future__ import annotations

import re
from datetime import date

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"], start=1)}
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
DATE_PATTERNS = (
    (re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", re.I), ("m", "d", "y")),
    (re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?" + _MONTH + r",?\s+(\d{4})", re.I), ("d", "m", "y")),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), ("y", "mn", "d")),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b"), ("mn", "d", "y")),
)


def find_date(text: str) -> tuple[str, str] | None:
    """First date in the text: (as written, ISO 8601). Invalid dates are skipped."""
    best = None
    for pattern, order in DATE_PATTERNS:
        for match in pattern.finditer(text):
            parts = dict(zip(order, match.groups()))
            try:
                month = MONTHS[parts["m"].lower()] if "m" in parts else int(parts["mn"])
                iso = date(int(parts["y"]), month, int(parts["d"])).isoformat()
            except (ValueError, KeyError):
                continue
            if best is None or match.start() < best[0]:
                best = (match.start(), match.group(0), iso)
            break
    return (best[1], best[2]) if best else None


_LAW = re.compile(
    r"laws? of (?:the )?((?:State|Commonwealth|Province|Republic|Kingdom) of [A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+)*"
    r"|[A-Z][A-Za-z]+(?: (?:and |of |the )?[A-Z][A-Za-z]+)*)")
_LAW_CONTEXT = re.compile(r"govern|construed|laws of the state", re.I)


def find_jurisdiction(text: str) -> str | None:
    if not _LAW_CONTEXT.search(text):
        return None
    match = _LAW.search(text)
    if not match:
        return None
    value = match.group(1).strip()
    return None if value.lower() in {"the", "any", "such"} else value


_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_NUMBER_WORDS.update({"thirty": 30, "sixty": 60, "ninety": 90, "eighteen": 18, "twenty-four": 24,
                      "fifteen": 15, "forty-five": 45, "one hundred twenty": 120})
_DURATION = re.compile(
    r"\b((?:[a-z\-]+ )?\(?(\d+)\)?|(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r"))"
    r"\s*(?:\(\d+\)\s*)?(business days?|calendar days?|days?|months?|years?)\b", re.I)


def find_duration(text: str) -> tuple[str, str] | None:
    """'ninety (90) days' -> ('ninety (90) days', 'P90D'); 'three (3) years' -> 'P3Y'."""
    match = _DURATION.search(text)
    if not match:
        return None
    number = match.group(2) or _NUMBER_WORDS.get((match.group(3) or "").lower())
    if number is None:
        return None
    unit = match.group(4).lower().split()[-1][0].upper()  # D, M or Y
    return match.group(0).strip(), f"P{int(number)}{unit}"


_AMOUNT = re.compile(r"(US)?\$\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(\s?(million|billion|thousand))?", re.I)
_SCALE = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


def find_amount(text: str) -> tuple[str, str] | None:
    """First dollar amount: ('$45,000', '45000.00 USD')."""
    match = _AMOUNT.search(text)
    if not match:
        return None
    value = float(match.group(2).replace(",", "") + (match.group(3) or ""))
    value *= _SCALE.get((match.group(5) or "").lower(), 1)
    return match.group(0).strip(), f"{value:.2f} USD"


_PARTY = re.compile(
    r"between\s+(.{2,120}?)(?:,\s*an?\s|\s*\(|,\s*(?:a|an)\b|\s+and\s)", re.I | re.S)
_AND_PARTY = re.compile(r"\)\s*,?\s*and\s+(.{2,120}?)(?:,\s*an?\s|\s*\()", re.I | re.S)


def find_parties(text: str) -> list[str]:
    """Party names as written in a preamble ('by and between X, a ... ("A"), and Y, ...')."""
    names = []
    first = _PARTY.search(text)
    if first:
        names.append(first.group(1))
        rest = text[first.end() - 1:]
        second = _AND_PARTY.search(rest) or re.search(r"\band\s+(.{2,120}?)(?:,\s*an?\s|\s*\(|\.|$)", rest, re.S)
        if second:
            names.append(second.group(1))
    cleaned = []
    for name in names:
        name = " ".join(name.split()).strip(" ,;:")
        if name and len(name.split()) <= 12 and name not in cleaned:
            cleaned.append(name)
    return cleaned


_DUE = re.compile(
    r"\b(by|before|until|due|on)\s+((?:next |this )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"(?:,?\s+" + _MONTH + r"\s+\d{1,2})?|tomorrow|next week|end of (?:the )?(?:day|week|month|quarter)|"
    + _MONTH + r"\s+\d{1,2}(?:,?\s+\d{4})?)", re.I)


def find_due(text: str) -> str | None:
    match = _DUE.search(text)
    return match.group(2) if match else None
