"""CSV exports: formula defusing, quoting, and the rows built from a document view."""
from __future__ import annotations

import csv
import io

import pytest

from docpipe.services import exports
from docpipe.errors import InputError


@pytest.mark.parametrize("cell, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1+2", "'+1+2"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\r=1", "'\r=1"),
    ("State of Texas", "State of Texas"), ("a=b", "a=b"), ("", ""), (42, 42), (-1, -1), (None, None),
])
def test_defuse_prefixes_formula_cells_only(cell, expected):
    assert exports.defuse(cell) == expected


def test_csv_quotes_commas_quotes_and_newlines_and_defuses():
    text = exports.csv_text(("a", "b", "c"), [{"a": 'He said "no", twice', "b": "line1\nline2", "c": "=1+1"},
                                          {"a": None, "b": 7, "c": "-5"}])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["a", "b", "c"], ['He said "no", twice', "line1\nline2", "'=1+1"], ["", "7", "'-5"]]


VIEW = {
    "id": 3, "name": "=cmd|' /C calc'!A0.pdf", "kind": "contract", "status": "done",
    "coverage": {"unit": "page", "total": 12, "processed": 12},
    "verification": {"verified": 1, "total": 2},
    "findings": [
        {"field": "governing_law", "value": "State of New York", "normalized": "State of New York",
         "verified": True, "citation": {"page": 12, "quote": "governed by the laws of the State of New York"}},
        {"field": "parties", "value": "Acme, Inc.", "normalized": "Acme, Inc.", "verified": False,
         "citation": {"page": 1, "page_label": "i", "quote": "between Acme, Inc. and ..."}},
        {"field": "governing_law", "value": "State of Delaware", "normalized": "State of Delaware",
         "verified": True, "citation": {"page": 14, "quote": "laws of the State of Delaware"}},
    ],
}


def test_finding_rows_one_per_finding_with_location():
    rows = exports._finding_rows(VIEW)
    assert [r["field"] for r in rows] == ["governing_law", "parties", "governing_law"]
    assert rows[1]["page_label"] == "i" and rows[1]["verified"] == "no"
    text = exports.csv_text(exports.FINDING_COLUMNS, rows)
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed[0]["document"].startswith("'=")  # defused
    assert parsed[0]["page"] == "12" and parsed[0]["quote"].startswith("governed by")


def test_matter_cells_hold_values_with_where_they_are():
    class Doc:
        page_count, turn_count = 14, None

    row = exports._matter_row(VIEW, Doc())
    assert row["coverage"] == "12/12 pages" and (row["verified"], row["findings"]) == (1, 2)
    assert row["fields"]["governing_law"] == ["State of New York (p. 12)", "State of Delaware (p. 14)"]
    assert row["fields"]["parties"] == ["Acme, Inc. (p. i, unverified)"]


def test_field_order_is_stable_and_covers_both_kinds():
    order = exports.FIELD_ORDER
    assert order[:3] == ("document_name", "parties", "agreement_date")
    from docpipe.analysis.fields import CUAD_FIELDS
    assert len(CUAD_FIELDS) == 41 and set(CUAD_FIELDS.values()) <= set(order)  # a column per CUAD category
    assert {"governing_law", "risks", "participants", "decisions", "action_items"} <= set(order)
    assert len(order) == len(set(order))


def test_unknown_format_is_bad_input():
    with pytest.raises(InputError):
        exports._check("xlsx", exports.DOCUMENT_FORMATS)
