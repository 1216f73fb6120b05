"""Scoring by CUAD's own rule (issue 14), beside the position-overlap scorer in ``cuad.py``.

CUAD's evaluation is position-blind: a predicted text matches a labelled one when the
word-level Jaccard similarity of the two (lower case, punctuation and the articles a/an/the
removed) is at least 0.5; for the Parties category a prediction also matches when it
contains the labelled text. Per document and category:

- a labelled text matched by any prediction is a true positive, one matched by none a
  false negative;
- a prediction that matches no labelled text is a false positive (several predictions
  matching the same label count once, as a true positive).

With a confidence on every prediction, the precision-recall curve comes from sweeping the
confidence threshold over the whole set (true and false positives and negatives summed over
documents at each threshold), as in the CUAD paper; from it the area under the curve (AUPR,
precisions made non-increasing in recall first) and the precision at 80% recall.

Texts are split on any whitespace (PDF text breaks lines inside sentences), where CUAD's
script splits on single spaces: the only deliberate difference.
"""
from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

THRESHOLD = 0.5
_PUNCTUATION = str.maketrans({ch: " " for ch in string.punctuation})
_ARTICLES = re.compile(r"\b(?:a|an|the)\b")


def words(text: str) -> set[str]:
    """The normalised word set of a text."""
    return set(_ARTICLES.sub(" ", text.lower().translate(_PUNCTUATION)).split())


def normalised(text: str) -> str:
    return " ".join(_ARTICLES.sub(" ", text.lower().translate(_PUNCTUATION)).split())


def jaccard(predicted: str, labelled: str) -> float:
    a, b = words(predicted), words(labelled)
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def matches(predicted: str, labelled: str, category: str) -> bool:
    if jaccard(predicted, labelled) >= THRESHOLD:
        return True
    return category == "Parties" and bool(normalised(labelled)) and \
        f" {normalised(labelled)} " in f" {normalised(predicted)} "


@dataclass(frozen=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def count(predicted: Sequence[str], labelled: Sequence[str], category: str) -> Counts:
    """One document's predictions for one category against its labelled texts."""
    labelled = [t for t in labelled if t.strip()]
    tp = sum(1 for gold in labelled if any(matches(p, gold, category) for p in predicted))
    fp = sum(1 for p in predicted if not any(matches(p, gold, category) for gold in labelled))
    return Counts(tp=tp, fp=fp, fn=len(labelled) - tp)


@dataclass(frozen=True)
class Case:
    """One document and category: predictions with their confidence, and the labels."""

    category: str
    predicted: tuple[tuple[str, float], ...]
    labelled: tuple[str, ...]


def counts_at(cases: Iterable[Case], threshold: float) -> Counts:
    total = Counts()
    for case in cases:
        kept = [text for text, confidence in case.predicted if confidence >= threshold]
        total = total + count(kept, case.labelled, case.category)
    return total


def curve(cases: Sequence[Case]) -> list[tuple[float, float]]:
    """(recall, precision) at every confidence threshold that keeps at least one
    prediction, sorted by recall."""
    thresholds = sorted({confidence for case in cases for _, confidence in case.predicted})
    points = []
    for threshold in thresholds:
        c = counts_at(cases, threshold)
        if c.precision is not None and c.recall is not None:
            points.append((c.recall, c.precision))
    return sorted(points)


def _monotone(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Each precision raised to the best precision at any recall at or above it."""
    out, best = [], 0.0
    for recall, precision in reversed(points):
        best = max(best, precision)
        out.append((recall, best))
    return out[::-1]


def aupr(points: list[tuple[float, float]]) -> float:
    """Area under the (made monotone) precision-recall curve, by the trapezoid rule over
    the recalls reached (0 when the curve has fewer than two points)."""
    pts = _monotone(points)
    return sum((r2 - r1) * (p1 + p2) / 2 for (r1, p1), (r2, p2) in zip(pts, pts[1:]))


def precision_at_recall(points: list[tuple[float, float]], recall: float = 0.8) -> float:
    """The (made monotone) precision at the first point whose recall reaches ``recall``;
    0 when no threshold reaches it."""
    return next((p for r, p in _monotone(points) if r >= recall), 0.0)


def summary(cases: Sequence[Case]) -> dict:
    """Precision and recall of every prediction, AUPR and precision at 80% recall."""
    everything = counts_at(cases, float("-inf"))
    points = curve(cases)
    return {"tp": everything.tp, "fp": everything.fp, "fn": everything.fn,
            "precision": everything.precision, "recall": everything.recall,
            "aupr": aupr(points), "precision_at_80_recall": precision_at_recall(points, 0.8)}
