"""The measures the evaluation uses, written out so they carry no new dependency.

- ROUGE-1, ROUGE-2 and ROUGE-L F1 (Lin 2004): lower-cased ``[a-z0-9]+`` tokens, no stemming
  and no stop-word removal, so figures are close to, not identical with, the rouge-score
  package's (which stems).
- Quote location: our citations quote the PDF text; CUAD's labels are character offsets
  into CUAD's own ``.txt`` extraction of the same contract. Both sides are reduced to their
  lower-cased letters and digits (NFKC first, so ligatures and curly quotes fold), keeping
  for each kept character its offset in the original ``.txt``. The quote is found there
  whole; failing that, by its first and last 40 characters found in order not too far apart
  (a page header or footnote that one extraction puts inside the sentence). The located span
  runs from the quote's first to its last letter or digit. When the text occurs more than
  once, the occurrence nearest the cited page's relative position wins.
- Overlap: two half-open character intervals ``[start, end)`` overlap when they share at
  least one character.
- Values: CUAD dates ``m/d/yy`` become ISO dates (two-digit years pivot at 70); a CUAD
  party is matched when at least half of its significant words (defined terms and corporate
  suffixes left out) are in one of our names; a governing law matches when the
  jurisdiction's words agree once "State of", "the", "laws of" are left out; durations
  compare in days (30-day months, 360-day years, so 12 months = 1 year).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date

_TOKEN = re.compile(r"[a-z0-9]+")


# ---------------------------------------------------------------- ROUGE

def tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).lower())


def _f1(overlap: int, predicted: int, reference: int) -> float:
    if not overlap or not predicted or not reference:
        return 0.0
    precision, recall = overlap / predicted, overlap / reference
    return 2 * precision * recall / (precision + recall)


def _ngrams(words: list[str], n: int) -> Counter:
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def rouge_n(candidate: str, reference: str, n: int = 1) -> float:
    """ROUGE-N F1 over clipped n-gram counts."""
    cand, ref = _ngrams(tokens(candidate), n), _ngrams(tokens(reference), n)
    overlap = sum((cand & ref).values())
    return _f1(overlap, sum(cand.values()), sum(ref.values()))


def lcs_length(a: list[str], b: list[str]) -> int:
    if len(a) < len(b):
        a, b = b, a
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for j, y in enumerate(b, start=1):
            prev, row[j] = row[j], prev + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1: longest common subsequence of the two token sequences."""
    cand, ref = tokens(candidate), tokens(reference)
    return _f1(lcs_length(cand, ref), len(cand), len(ref))


def rouge(candidate: str, reference: str) -> dict[str, float]:
    return {"rouge1": round(rouge_n(candidate, reference, 1), 4),
            "rouge2": round(rouge_n(candidate, reference, 2), 4),
            "rougeL": round(rouge_l(candidate, reference), 4)}


STOP_WORDS = frozenset("""a an the and or but if of to in on at by for with from as is are was were be
been being it its this that these those will would shall should can could may might must do does
did have has had not no so then than there their they them he she his her we our you your i me my
also about into over up out all any some which who whom what when where how""".split())


def content_words(text: str) -> list[str]:
    return [w for w in tokens(text) if w not in STOP_WORDS]


def content_recall(reference: str, candidate: str) -> float:
    """ROUGE-1 recall of ``reference`` in ``candidate`` on content words (stop words out)."""
    ref = Counter(content_words(reference))
    if not ref:
        return 0.0
    overlap = sum((ref & Counter(content_words(candidate))).values())
    return overlap / sum(ref.values())


# ---------------------------------------------------------------- quotes and spans

@dataclass(frozen=True)
class TextIndex:
    """A text reduced to lower-cased letters and digits, with each kept character's offset."""

    folded: str
    offsets: tuple[int, ...]
    length: int  # of the original text

    @classmethod
    def of(cls, text: str) -> TextIndex:
        chars, offsets = [], []
        for i, ch in enumerate(text):
            for part in unicodedata.normalize("NFKC", ch).lower():
                if part.isalnum():
                    chars.append(part)
                    offsets.append(i)
        return cls("".join(chars), tuple(offsets), len(text))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of folded[start:end]."""
        return self.offsets[start], self.offsets[end - 1] + 1


def fold(text: str) -> str:
    return TextIndex.of(text).folded


def _occurrences(haystack: str, needle: str) -> list[int]:
    found, at = [], haystack.find(needle)
    while at != -1:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


def _nearest(starts: list[int], target: float | None) -> int:
    return starts[0] if target is None else min(starts, key=lambda s: abs(s - target))


ANCHOR = 40


def locate_quote(index: TextIndex, quote: str, *, near: float | None = None) -> tuple[int, int] | None:
    """Where ``quote`` sits in the indexed text: original (start, end), or None.

    ``near`` is the expected relative position (0..1), e.g. the cited page over the page
    count; it only breaks ties between repeated occurrences.
    """
    needle = fold(quote)
    if len(needle) < 8:
        return None
    target = near * len(index.folded) if near is not None else None
    starts = _occurrences(index.folded, needle)
    if starts:
        start = _nearest(starts, target)
        return index.span(start, start + len(needle))
    if len(needle) < 2 * ANCHOR:
        return None
    head, tail = needle[:ANCHOR], needle[-ANCHOR:]
    pairs = []
    for h in _occurrences(index.folded, head):
        t = index.folded.find(tail, h + ANCHOR)
        if t != -1 and t + ANCHOR - h <= 2 * len(needle):
            pairs.append((h, t + ANCHOR))
    if not pairs:
        return None
    best = min(pairs, key=lambda p: abs(p[0] - target)) if target is not None else pairs[0]
    return index.span(*best)


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def overlaps_any(span: tuple[int, int], others) -> bool:
    return any(overlaps(span, other) for other in others)


# ---------------------------------------------------------------- values

_CUAD_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\s*$")


def cuad_date(answer: str) -> str | None:
    """CUAD's 'm/d/yy' answer as an ISO date; None for '', '[]/[]/[][]', 'perpetual'."""
    match = _CUAD_DATE.match(answer or "")
    if not match:
        return None
    month, day, year = (int(g) for g in match.groups())
    if year < 100:
        year += 1900 if year >= 70 else 2000
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def dates_match(gold_iso: str, predicted: str | None) -> bool:
    return bool(predicted) and predicted.strip()[:10] == gold_iso


_SUFFIXES = frozenset("""inc incorporated llc l l c ltd limited corp corporation co company plc
lp llp l p gmbh ag sa s a nv bv pty the and its""".split())
_DEFINED = re.compile(r"\([^)]*\)|[\"“”'‘’]")


def party_words(name: str) -> set[str]:
    """The significant words of a party name: no defined terms, no corporate suffixes."""
    return {w for w in tokens(_DEFINED.sub(" ", name)) if w not in _SUFFIXES}


def cuad_parties(answer: str) -> list[str]:
    """CUAD lists parties as 'Name ("Alias"); Name ("Alias")'."""
    names = [part.strip() for part in (answer or "").split(";")]
    return [n for n in names if party_words(n)]


def party_matches(gold: str, predicted: str, *, threshold: float = 0.5) -> bool:
    """At least half of the gold name's significant words are in the predicted name."""
    g, p = party_words(gold), party_words(predicted)
    if not g or not p:
        return False
    return len(g & p) / len(g) >= threshold


def parties_recall(gold_names: list[str], predicted_names: list[str]) -> float:
    """Share of CUAD's parties that some predicted name matches."""
    if not gold_names:
        return 0.0
    hit = sum(any(party_matches(g, p) for p in predicted_names) for g in gold_names)
    return hit / len(gold_names)


_LAW_NOISE = frozenset("the state states commonwealth of laws law province republic kingdom".split())


def jurisdiction_words(text: str) -> set[str]:
    return {w for w in tokens(text) if w not in _LAW_NOISE}


def law_matches(gold: str, predicted: str | None) -> bool:
    """'New York' ~ 'State of New York'; 'Republic of South Africa' ~ 'South Africa'."""
    g, p = jurisdiction_words(gold), jurisdiction_words(predicted or "")
    return bool(g) and bool(p) and (g <= p or p <= g)


_DURATION = re.compile(r"(\d+)\s*(day|month|year)", re.I)
_ISO_DURATION = re.compile(r"^P(\d+)([DMY])$")
_DAYS = {"d": 1, "m": 30, "y": 360}


def cuad_durations(answer: str) -> list[int]:
    """'successive 12 months; successive 6 months;' -> [360, 180] (days, 30-day months)."""
    return [int(n) * _DAYS[unit[0].lower()] for n, unit in _DURATION.findall(answer or "")]


def iso_duration_days(value: str | None) -> int | None:
    match = _ISO_DURATION.match(value or "")
    return int(match.group(1)) * _DAYS[match.group(2).lower()] if match else None
