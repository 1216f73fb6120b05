"""Exports of analysed documents, on SQLite and on the real PostgreSQL, with the fake model."""
from __future__ import annotations

import csv
import io
import json

import pytest

from tests.integration.test_evaluation import TRANSCRIPT

from docpipe.errors import AccessDenied, InputError, NotFound
from docpipe.pipeline.intake import take_in
from docpipe.pipeline.stages import analyse_document
from docpipe.services import documents
from docpipe.services.caller import LOCAL_OPERATOR, Caller, Role
from docpipe.services.exports import FIELD_ORDER, MATTER_COLUMNS, export_document, export_matter
from docpipe.store.db import ensure_schema

CONTRACT = """MASTER SUPPLY AGREEMENT

This Master Supply Agreement is entered into as of January 5, 2023 by and between Acme Widgets, Inc., a Delaware corporation ("Supplier"), and Blue River Foods LLC, a Texas limited liability company ("Buyer").

1. Term. The initial term of this Agreement is three (3) years and shall renew automatically for successive one (1) year terms.

2. Payment. Buyer shall pay Supplier $12,500 per month, net thirty (30) days from invoice.

3. Termination. Either party may terminate this Agreement upon ninety (90) days' written notice.

4. Governing Law. This Agreement shall be governed by the laws of the State of Texas.
"""



@pytest.fixture(params=["sqlite", "postgres"])
def settings(request):
    name = "pg_settings" if request.param == "postgres" else "sqlite_settings"
    settings = request.getfixturevalue(name)
    ensure_schema(settings.resolved_database_url, auto_upgrade=True)
    return settings


@pytest.fixture
def matter(settings, tmp_path, fake_engine):
    """Two analysed documents in matter 'acme', one named like a spreadsheet formula."""
    contract, talk = tmp_path / "supply.txt", tmp_path / "meeting.txt"
    contract.write_text(CONTRACT)
    talk.write_text(TRANSCRIPT)
    ids = []
    for path, name in ((contract, "=HYPERLINK(\"http://evil\").txt"), (talk, "meeting.txt")):
        took = take_in(settings, path, matter="acme", original_name=name)
        analyse_document(settings, took.document_id)
        ids.append(took.document_id)
    return ids


def _export(settings, *, caller=LOCAL_OPERATOR, document_id=None, matter=None, fmt) -> str:
    if document_id is not None:
        return export_document(settings, caller, document_id, fmt=fmt)
    return export_matter(settings, caller, matter, fmt=fmt)


def test_export_document_json_markdown_csv(settings, matter):
    contract_id = matter[0]
    view = json.loads(_export(settings, document_id=contract_id, fmt="json"))
    assert view["status"] == "done" and view["kind"] == "contract" and view["findings"]
    markdown = _export(settings, document_id=contract_id, fmt="markdown")
    assert markdown.startswith("# =HYPERLINK") and "## Findings" in markdown
    rows = list(csv.DictReader(io.StringIO(_export(settings, document_id=contract_id, fmt="csv"))))
    assert len(rows) == len(view["findings"])
    law = next(r for r in rows if r["field"] == "governing_law")
    assert law["value"] == "State of Texas" and law["verified"] == "yes"
    assert law["quote"] == "4. Governing Law. This Agreement shall be governed by the laws of the State of Texas."
    assert all(r["document"].startswith("'=HYPERLINK") for r in rows)  # defused
    assert all(r["document_id"] == str(contract_id) for r in rows)


def test_export_transcript_rows_carry_turn_and_speaker(settings, matter):
    rows = list(csv.DictReader(io.StringIO(_export(settings, document_id=matter[1], fmt="csv"))))
    speakers = [r for r in rows if r["field"] == "participants"]
    assert [r["value"] for r in speakers] == ["Project Manager", "Industrial Designer", "Marketing"]
    assert speakers[0]["turn"] == "0" and speakers[0]["speaker"] == "Project Manager"
    assert speakers[0]["page"] == ""


def test_export_matter_csv_one_row_per_document(settings, matter):
    text = _export(settings, matter="acme", fmt="csv")
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames) == MATTER_COLUMNS + FIELD_ORDER
    rows = list(reader)
    assert [int(r["id"]) for r in rows] == matter
    contract, talk = rows
    assert contract["name"].startswith("'=HYPERLINK") and contract["kind"] == "contract"
    assert contract["governing_law"] == "State of Texas (text)"
    assert contract["effective_date"] == "January 5, 2023 (text)"
    assert int(contract["verified"]) == int(contract["findings"]) > 0
    assert contract["decisions"] == ""
    assert talk["kind"] == "transcript" and talk["turns"] == "8" and talk["coverage"] == "8/8 turns"
    assert talk["participants"].split(" | ") == [
        "Project Manager (turn 0 (Project Manager))", "Industrial Designer (turn 1 (Industrial Designer))",
        "Marketing (turn 2 (Marketing))"]


def test_export_matter_json_and_errors(settings, matter):
    data = json.loads(_export(settings, matter="acme", fmt="json"))
    assert data["matter"] == "acme" and len(data["documents"]) == 2
    assert data["documents"][0]["fields"]["governing_law"] == ["State of Texas (text)"]
    with pytest.raises(NotFound):
        _export(settings, matter="no-such-matter", fmt="csv")
    with pytest.raises(InputError):
        _export(settings, matter="acme", fmt="xlsx")
    with pytest.raises(NotFound):
        _export(settings, document_id=999_999, fmt="json")


def test_a_caller_sees_only_its_matters_through_every_read(settings, matter):
    """The service layer's one access check: another matter's document is not found (never
    "forbidden"), and it is absent from lists, search and matter exports."""
    outsider = Caller(name="bea", role=Role.ANALYST, matters=frozenset({"blue-v-acme"}))
    insider = Caller(name="al", role=Role.ANALYST, matters=frozenset({"acme"}))
    for read in (lambda c: documents.show(settings, c, matter[0]),
                 lambda c: _export(settings, caller=c, document_id=matter[0], fmt="json"),
                 lambda c: _export(settings, caller=c, matter="acme", fmt="csv")):
        with pytest.raises(NotFound):
            read(outsider)
        assert read(insider)
    assert documents.list_documents(settings, outsider) == []
    assert [d.id for d in documents.list_documents(settings, insider)] == matter
    assert documents.search(settings, outsider, "governed laws Texas") == []
    assert documents.search(settings, insider, "governed laws Texas")
    assert documents.progress_rows(settings, outsider) == []
    viewer = Caller(name="vic", role=Role.VIEWER, matters=frozenset({"acme"}))
    assert documents.show(settings, viewer, matter[0])["id"] == matter[0]
    with pytest.raises(AccessDenied):
        _export(settings, caller=viewer, document_id=matter[0], fmt="json")
