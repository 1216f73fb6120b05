"""CUAD's matching rule and its precision-recall figures, against hand-computed cases."""
from __future__ import annotations

import pytest

from docpipe.evaluation.cuad_rule import Case, aupr, count, curve, jaccard, matches, precision_at_recall, summary

LAW = "governed by the laws of the State of New York"


def test_jaccard_on_normalised_word_sets():
    # 10 words against 7 once "the" and punctuation go: 7 shared / 10 in all
    assert jaccard("This Agreement is governed by the laws of the State of New York.", LAW) == pytest.approx(0.7)
    assert jaccard("GOVERNED BY THE LAWS\nOF THE STATE OF NEW YORK", LAW) == 1.0  # case and line breaks
    assert jaccard("", "") == 0.0


def test_a_long_unit_touching_one_word_does_not_match():
    unit = ("Section 12. Notices. All notices under this Agreement shall be in writing and delivered by hand, "
            "by courier or by certified mail to Sonos at the address first written above.")
    assert not matches(unit, "Sonos", "Document Name")
    assert matches("Sonos", "Sonos", "Document Name")


def test_parties_also_match_by_containment_at_word_boundaries():
    preamble = "This agreement is made between Sonos, Inc., a Delaware corporation, and Foo LLC"
    assert jaccard(preamble, "Sonos, Inc.") < 0.5
    assert matches(preamble, "Sonos, Inc.", "Parties")
    assert not matches(preamble, "Sonos, Inc.", "Agreement Date")
    assert not matches("Sonosphere Corp. and Bar LLC agree as follows on the terms below", "Sonos", "Parties")


def test_counts_follow_cuad():
    """Two predictions on one label count one true positive; a stray one is a false
    positive; a label nobody found a false negative; no labels: every prediction is false."""
    c = count([LAW, "This Agreement is governed by the laws of the State of New York.", "payment within 30 days"],
              [LAW, "the laws of Delaware apply"], "Governing Law")
    assert (c.tp, c.fp, c.fn) == (1, 1, 1)
    c = count(["anything"], [], "Governing Law")
    assert (c.tp, c.fp, c.fn, c.precision, c.recall) == (0, 1, 0, 0.0, None)


def test_curve_aupr_and_precision_at_80_recall_by_hand():
    cases = [
        Case("Governing Law", ((LAW, 0.9), ("payment is due in thirty days", 0.4)), (LAW,)),
        # 6 shared words of 10 in all: a match
        Case("Governing Law", (("laws of Delaware shall govern this agreement", 0.6),),
             ("This Agreement shall be governed by the laws of Delaware",)),
    ]
    # threshold 0.9: tp 1 fn 1 -> (0.5, 1); 0.6: tp 2 -> (1, 1); 0.4: tp 2 fp 1 -> (1, 2/3)
    assert curve(cases) == [(0.5, 1.0), (1.0, pytest.approx(2 / 3)), (1.0, 1.0)]
    points = curve(cases)
    assert aupr(points) == pytest.approx(0.5)  # precision 1 from recall 0.5 to 1
    assert precision_at_recall(points, 0.8) == 1.0
    s = summary(cases)
    assert (s["tp"], s["fp"], s["fn"]) == (2, 1, 0)
    assert s["precision"] == pytest.approx(2 / 3) and s["recall"] == 1.0


def test_precision_is_made_non_increasing_and_unreached_recall_gives_zero():
    points = [(0.2, 0.5), (0.4, 0.9), (0.6, 0.3)]
    # monotone: 0.9, 0.9, 0.3 -> 0.2 * 0.9 + 0.2 * 0.6 = 0.30
    assert aupr(points) == pytest.approx(0.30)
    assert precision_at_recall(points, 0.8) == 0.0
    assert precision_at_recall(points, 0.3) == pytest.approx(0.9)
