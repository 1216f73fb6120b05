"""The evaluation's measures on known inputs: ROUGE, quote location, overlap, values."""
from __future__ import annotations

import pytest

from docpipe.evaluation import cuad, metrics, transcripts


# ---- ROUGE --------------------------------------------------------------------------------

def test_rouge_identical_and_disjoint():
    assert metrics.rouge("the cat sat", "the cat sat") == {"rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0}
    assert metrics.rouge("dogs bark", "the cat sat") == {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    assert metrics.rouge("", "the cat sat")["rouge1"] == 0.0


def test_rouge_known_values():
    # Lin (2004) style example: 4 of 6 reference words, 4 of 5 candidate words.
    reference, candidate = "the cat sat on the mat", "the cat was on mat"
    r1 = metrics.rouge_n(candidate, reference, 1)
    assert r1 == pytest.approx(2 * (4 / 5) * (4 / 6) / (4 / 5 + 4 / 6))
    # bigrams: candidate {the cat, cat was, was on, on mat}; reference has only "the cat"
    assert metrics.rouge_n(candidate, reference, 2) == pytest.approx(2 * (1 / 4) * (1 / 5) / (1 / 4 + 1 / 5))
    # LCS "the cat on mat" = 4
    assert metrics.rouge_l(candidate, reference) == pytest.approx(r1)


def test_rouge_clips_repeated_words_and_ignores_case_and_punctuation():
    assert metrics.rouge_n("the the the the", "The cat.", 1) == pytest.approx(2 * (1 / 4) * (1 / 2) / (1 / 4 + 1 / 2))
    assert metrics.lcs_length(["a", "b", "c", "d"], ["b", "d", "a"]) == 2


def test_content_recall_ignores_stop_words():
    item = "The Industrial Designer will work on look and feel."
    assert metrics.content_recall(item, "I'll work on the look and feel") == pytest.approx(3 / 5)
    assert metrics.content_recall(item, "the and of will") == 0.0
    assert metrics.content_recall("the of and", "anything") == 0.0


# ---- quote location and span overlap -------------------------------------------------------

CUAD_TXT = ("EXCLUSIVE AGREEMENT\n\nThis Agreement (\"Agreement\") is made between Acme, Inc. and Beta LLC.\n\n"
            "12. Governing Law. This Agreement shall be governed by the laws of the State of New York.\n\n"
            "Page 7 of 9\n\n13. Notices. All notices shall be in writing.\n"
            "14. Governing Law. This Agreement shall be governed by the laws of the State of New York.\n")


def test_locate_quote_across_quotes_and_whitespace():
    index = metrics.TextIndex.of(CUAD_TXT)
    quote = "This Agreement (“Agreement”) is made\nbetween Acme, Inc. and Beta LLC."
    start, end = metrics.locate_quote(index, quote)
    # the located span runs from the first to the last letter or digit of the quote
    assert CUAD_TXT[start:end] == 'This Agreement ("Agreement") is made between Acme, Inc. and Beta LLC'


def test_locate_quote_prefers_the_occurrence_near_the_cited_page():
    index = metrics.TextIndex.of(CUAD_TXT)
    quote = "shall be governed by the laws of the State of New York."
    first = metrics.locate_quote(index, quote, near=0.1)
    last = metrics.locate_quote(index, quote, near=0.95)
    assert first[0] == CUAD_TXT.index(quote) and last[0] == CUAD_TXT.rindex(quote)


def test_locate_quote_bridges_a_footer_inside_the_sentence():
    text = ("The Supplier shall deliver all Products to the Buyer's warehouse in Austin, Texas "
            "Page 3 of 9 within thirty days of each purchase order issued under this Agreement.")
    index = metrics.TextIndex.of(text)
    quote = ("The Supplier shall deliver all Products to the Buyer's warehouse in Austin, Texas "
             "within thirty days of each purchase order issued under this Agreement.")
    assert metrics.locate_quote(index, quote) == (0, len(text) - 1)


def test_locate_quote_not_found_or_too_short():
    index = metrics.TextIndex.of(CUAD_TXT)
    assert metrics.locate_quote(index, "Nothing like this appears anywhere in it.") is None
    assert metrics.locate_quote(index, "Law.") is None


def test_overlap_is_half_open():
    assert metrics.overlaps((0, 10), (9, 20))
    assert not metrics.overlaps((0, 10), (10, 20))
    assert metrics.overlaps_any((5, 6), [(0, 1), (4, 8)])
    assert not metrics.overlaps_any((5, 6), [])


# ---- values --------------------------------------------------------------------------------

@pytest.mark.parametrize("answer, iso", [
    ("9/4/14", "2014-09-04"), ("5/5/98", "1998-05-05"), ("12/31/2021", "2021-12-31"),
    ("[]/[]/[][]", None), ("perpetual", None), ("", None), ("2/30/20", None),
])
def test_cuad_dates(answer, iso):
    assert metrics.cuad_date(answer) == iso


def test_dates_match_iso():
    assert metrics.dates_match("2014-09-04", "2014-09-04")
    assert not metrics.dates_match("2014-09-04", "2014-04-09")
    assert not metrics.dates_match("2014-09-04", None)


def test_parties_match_by_name_words():
    gold = metrics.cuad_parties('Sonos, Inc. ("Sonos"); Inventec Appliances Corporation ("IAC")')
    assert gold == ['Sonos, Inc. ("Sonos")', 'Inventec Appliances Corporation ("IAC")']
    assert metrics.party_matches(gold[0], "SONOS, INC., a Delaware corporation")
    assert metrics.party_matches(gold[1], "Inventec Appliances Corp.")
    assert not metrics.party_matches(gold[1], "Sonos, Inc.")
    assert metrics.parties_recall(gold, ["Sonos, Inc."]) == 0.5
    assert metrics.parties_recall(gold, ["Sonos, Inc.", "Inventec Appliances Corporation"]) == 1.0


@pytest.mark.parametrize("gold, predicted, ok", [
    ("New York", "State of New York", True), ("Delaware", "the State of Delaware", True),
    ("Republic of South Africa", "South Africa", True), ("California", "State of New York", False),
    ("New York", None, False), ("New York", "York", True),
])
def test_law_matches_jurisdiction(gold, predicted, ok):
    assert metrics.law_matches(gold, predicted) is ok


def test_durations_compare_in_days():
    assert metrics.cuad_durations("successive 12 months; successive 6 months;") == [360, 180]
    assert metrics.iso_duration_days("P1Y") == 360 and metrics.iso_duration_days("P12M") == 360
    assert metrics.iso_duration_days("soon") is None
    assert cuad.value_score("duration", "successive 1 year", "P12M") == 1.0
    assert cuad.value_score("duration", "", "P12M") is None


def test_value_scores_by_kind():
    assert cuad.value_score("date", "1/5/23", "2023-01-05") == 1.0
    assert cuad.value_score("date", "[]/[]/[][]", "2023-01-05") is None
    assert cuad.value_score("law", "Texas", "State of Texas") == 1.0
    assert cuad.value_score("parties", 'Acme ("A"); Blue River Foods LLC ("B")', "Acme Widgets, Inc.") == 0.5


# ---- category scoring on a hand-made contract ------------------------------------------------

def _finding(field, quote, normalized=None, page=1):
    return {"field": field, "value": quote[:20], "normalized": normalized, "verified": True,
            "citation": {"page": page, "quote": quote}}


def test_score_contract_counts_overlaps_per_category_and_field():
    law = "12. Governing Law. This Agreement shall be governed by the laws of the State of New York."
    start = CUAD_TXT.index(law)
    clauses = {"Governing Law": {"answer": "New York", "spans": [
                   {"text": law, "pieces": [{"start": start, "end": start + len(law)}]}]},
               "Exclusivity": {"answer": "No", "spans": []}}
    view = {"coverage": {"pages_total": 2}, "findings": [
        _finding("governing_law", "This Agreement shall be governed by the laws of the State of New York.",
                 "State of New York"),
        _finding("risks", "All notices shall be in writing.", page=2),
        _finding("risks", "A sentence the CUAD text does not contain at all."),
    ]}
    scores = cuad.score_contract(view, clauses, CUAD_TXT)
    assert scores["located"] == 2 and scores["findings"] == 3
    law_row = scores["categories"]["Governing Law"]
    assert law_row == {"field": "governing_law", "gold": 1, "found": 1, "predicted": 1, "correct": 1,
                       "cuad": [1, 0, 0]}  # the quote is the label less "12. Governing Law.": Jaccard 11/14
    assert scores["categories"]["Exclusivity"]["correct"] == 0
    assert scores["categories"]["Audit Rights"] == {"field": "audit_rights", "gold": 0, "found": 0,
                                                    "predicted": 0, "correct": 0, "cuad": [0, 0, 0]}
    assert scores["fields"]["risks"] == {"predicted": 1, "unlocated": 1, "correct": 0}
    assert scores["values"]["Governing Law"]["first"] == 1.0
    totals = cuad.aggregate([scores])
    row = next(r for r in totals["categories"] if r["category"] == "Governing Law")
    assert row["recall"] == 1.0 and row["precision"] == 1.0
    assert row["cuad_recall"] == 1.0 and row["cuad_precision"] == 1.0
    assert totals["categories_covered"] == {"covered": 41, "total": 41}


def test_every_mapped_field_is_a_contract_field():
    from docpipe.analysis.fields import CONTRACT_FIELDS

    names = {s.name for s in CONTRACT_FIELDS}
    assert len(cuad.CATEGORY_FIELDS) == 41 and set(cuad.CATEGORY_FIELDS.values()) <= names
    assert set(cuad.VALUE_KINDS) <= set(cuad.CATEGORY_FIELDS)


def test_transcript_items_match_by_content_words():
    view = {"brief": [{"text": "The team chose a rubber case."}], "findings": [
        {"field": "decisions", "value": "x", "citation": {"quote": "So we decided on a rubber case in bright colours."}},
        {"field": "action_items", "value": "y", "citation": {"quote": "Lunch is at noon."}},
    ]}
    labels = {"summary_general": [{"answer": "The team chose a rubber case and bright colours."}],
              "ami_abstractive": {"decisions": ["The case will be rubber, in bright colours."],
                                  "actions": ["The designer will prepare the layout."],
                                  "problems": ["*NA*."]}}
    scores = transcripts.score_transcript(view, labels)
    assert scores["decisions"] == {"gold": 1, "found": 1, "predicted": 1, "correct": 1}
    assert scores["actions"] == {"gold": 1, "found": 0, "predicted": 1, "correct": 0}
    assert 0 < scores["rouge"]["rouge1"] < 1
    assert transcripts.score_transcript(view, {"facts_of_the_case": "..."}) == {}
