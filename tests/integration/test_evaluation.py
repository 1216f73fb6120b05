"""`run_eval` end to end with the fake model on a tiny corpus in the shared corpus layout."""
from __future__ import annotations

import io
import json

import pytest

from docpipe.evaluation.corpus import corpus_items
from docpipe.evaluation.report import format_table
from docpipe.services.caller import LOCAL_OPERATOR
from docpipe.services.evaluation import main_eval, run_eval

CONTRACT_LINES = [
    "SUPPLY AGREEMENT",
    "This Supply Agreement is entered into as of January 5, 2023 by and between",
    "Acme Widgets, Inc., a Delaware corporation (\"Supplier\"), and Blue River Foods LLC,",
    "a Texas limited liability company (\"Buyer\").",
    "1. Term. The initial term of this Agreement is three (3) years and shall renew",
    "automatically for successive one (1) year terms.",
    "2. Audit. Buyer may audit the books of Supplier once a year.",
    "3. Governing Law. This Agreement shall be governed by the laws of the State of Texas.",
]
# CUAD's own text extraction of the same contract: other line breaks, straight quotes.
CUAD_TXT = ("SUPPLY AGREEMENT\n\nThis Supply Agreement is entered into as of January 5, 2023 by and "
            "between Acme Widgets, Inc., a Delaware corporation (\"Supplier\"), and Blue River Foods "
            "LLC, a Texas limited liability company (\"Buyer\").\n\n1. Term. The initial term of this "
            "Agreement is three (3) years and shall renew automatically for successive one (1) year "
            "terms.\n\n2. Audit. Buyer may audit the books of Supplier once a year.\n\n3. Governing Law. "
            "This Agreement shall be governed by the laws of the State of Texas.\n")
TRANSCRIPT = """Project Manager: Good morning. The agenda today is the remote control design.
Industrial Designer: I looked at the components and we could use a rubber case.
Marketing: Our research says people want bright colours and a simple shape.
Project Manager: So we decided the remote will have a rubber case with bright colours.
Industrial Designer: That works for me and the chip is cheap enough.
Marketing: I will send the evaluation report to everyone tomorrow.
Project Manager: Great, that is settled then.
Industrial Designer: I'll prepare the prototype by next week.
"""
NAME = "Tiny Co - Supply Agreement "  # CUAD-style name, ending in a space


def _pdf(lines: list[str]) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for i, line in enumerate(lines):
        pdf.drawString(40, 780 - 14 * i, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _span(piece: str) -> dict:
    start = CUAD_TXT.index(piece)
    return {"text": piece, "pieces": [{"start": start, "end": start + len(piece), "match": "exact"}]}


def _clauses() -> dict:
    return {
        "Parties": {"answer": 'Acme Widgets, Inc. ("Supplier"); Blue River Foods LLC ("Buyer")',
                    "spans": [_span("Acme Widgets, Inc."), _span("Blue River Foods LLC")]},
        "Agreement Date": {"answer": "1/5/23", "spans": [_span("January 5, 2023")]},
        "Renewal Term": {"answer": "successive 1 year",
                         "spans": [_span("shall renew automatically for successive one (1) year terms")]},
        "Governing Law": {"answer": "Texas", "spans": [
            _span("This Agreement shall be governed by the laws of the State of Texas.")]},
        "Exclusivity": {"answer": "No", "spans": []},
        "Audit Rights": {"answer": "Yes", "spans": [_span("Buyer may audit the books of Supplier once a year.")]},
    }


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    for sub in ("contracts", "transcripts", "labels"):
        (root / sub).mkdir(parents=True)
    (root / "contracts" / f"{NAME}.PDF").write_bytes(_pdf(CONTRACT_LINES))
    (root / "contracts" / f"{NAME}.txt").write_text(CUAD_TXT, encoding="utf-8")
    (root / "transcripts" / "ES9999a.txt").write_text(TRANSCRIPT, encoding="utf-8")
    clauses = {f"{NAME}.txt": {"pdf": f"{NAME}.PDF", "pdf_pages": 1, "txt_words": 80, "clauses": _clauses()}}
    talks = {"ES9999a.txt": {
        "summary_general": [{"query": "Summarize the whole meeting.",
                             "answer": "The team decided on a rubber case with bright colours."}],
        "ami_abstractive": {"decisions": ["The remote will have a rubber case in bright colours."],
                            "actions": ["The Marketing Expert will send the evaluation report.",
                                        "The Industrial Designer will build the prototype."],
                            "problems": ["*NA*."]}}}
    (root / "labels" / "contract_clauses.json").write_text(json.dumps(clauses), encoding="utf-8")
    (root / "labels" / "transcript_labels.json").write_text(json.dumps(talks), encoding="utf-8")
    return root


def test_corpus_items_pair_pdfs_with_their_labels(corpus):
    items = corpus_items(corpus)
    assert [i.kind.value for i in items] == ["contract", "transcript"]
    assert items[0].path.suffix == ".PDF" and items[0].reference_text.name == f"{NAME}.txt"
    assert items[0].labels["pdf_pages"] == 1 and items[1].labels["ami_abstractive"]


def test_run_eval_scores_the_tiny_corpus(sqlite_settings, corpus, fake_engine):
    seen = []
    report = run_eval(sqlite_settings, LOCAL_OPERATOR, corpus, limit=None, progress=seen.append)
    assert report["model"]["file"] == "fake.gguf" and report["model"]["sha256"] == "0" * 64
    c = report["contracts"]
    assert c["runs"] == {"done": 1, "total": 1} and c["schema"]["valid"] == 1
    assert c["kind_correct"] == 1 and c["coverage"] == {"page": {"processed": 1, "total": 1}}
    assert c["quotes_located"]["located"] == c["quotes_located"]["total"] > 0
    rows = {r["category"]: r for r in c["categories"]}
    assert rows["Governing Law"]["recall"] == 1.0 and rows["Governing Law"]["precision"] == 1.0
    assert len(rows) == 41 and all(r["field"] for r in rows.values())  # a field per CUAD category
    assert all(r["recall"] is None for r in rows.values() if r["gold"] == 0)  # nothing to find: no score
    values = {r["category"]: r for r in c["values"]}
    assert values["Governing Law"]["first"] == 1.0 and values["Agreement Date"]["first"] == 1.0
    assert values["Parties"]["any"] == 1.0
    t = report["transcripts"]
    assert t["runs"] == {"done": 1, "total": 1} and t["coverage"] == {"turn": {"processed": 8, "total": 8}}
    assert t["decisions"]["gold"] == 1 and t["decisions"]["found"] == 1
    assert t["actions"]["gold"] == 2 and t["rouge"]["documents"] == 1
    assert report["cost"]["documents"] == 2 and report["cost"]["tokens_evaluated"] > 0
    assert all(d["cost"]["tokens_generated"] > 0 for d in report["documents"])
    assert any("plan:" in line for line in seen) and json.dumps(report)

    text = format_table(report)
    assert "Governing Law" in text and "(not covered)" not in text and "ROUGE-1" in text
    assert "CUAD-rule recall" in text and "CUAD-rule precision" in text
    law = rows["Governing Law"]
    assert 0 <= law["cuad_recall"] <= 1 and 0 <= law["cuad_precision"] <= 1  # both rules, side by side
    assert "fake.gguf" in text and "Cost per document" in text


def test_run_eval_again_adds_a_new_run_and_limit_picks_the_first(sqlite_settings, corpus, fake_engine):
    first = run_eval(sqlite_settings, LOCAL_OPERATOR, corpus, limit=1)
    assert [d["expected_kind"] for d in first["documents"]] == ["contract"]
    assert first["transcripts"]["runs"]["total"] == 0
    out = json.loads(main_eval(sqlite_settings, LOCAL_OPERATOR, corpus, limit=1, as_json=True))
    assert out["documents"][0]["document_id"] == first["documents"][0]["document_id"]
    assert "Transcripts: none evaluated." in main_eval(sqlite_settings, LOCAL_OPERATOR, corpus, limit=1)


def test_records_let_a_long_evaluation_stop_and_resume(sqlite_settings, corpus, fake_engine, tmp_path):
    records = tmp_path / "records"
    first = run_eval(sqlite_settings, LOCAL_OPERATOR, corpus, limit=1, records=records)  # "stopped" after one document
    assert len(list(records.glob("*.json"))) == 1
    calls = len(fake_engine.calls)
    seen = []
    both = run_eval(sqlite_settings, LOCAL_OPERATOR, corpus, records=records, progress=seen.append)
    assert any("reused the record" in line for line in seen)
    assert both["documents"][0] == json.loads(json.dumps(first["documents"][0], default=str))
    assert both["transcripts"]["runs"]["done"] == 1 and len(list(records.glob("*.json"))) == 2
    transcript_calls = len(fake_engine.calls) - calls
    run_eval(sqlite_settings, LOCAL_OPERATOR, corpus, records=records)  # everything on record: no model call at all
    assert len(fake_engine.calls) == calls + transcript_calls
    saved = json.loads(next(records.glob("contract-*.json")).read_text())
    saved["model_sha256"] = "f" * 64  # another model: its records are not this model's
    next(records.glob("contract-*.json")).write_text(json.dumps(saved))
    run_eval(sqlite_settings, LOCAL_OPERATOR, corpus, records=records)
    assert len(fake_engine.calls) > calls + transcript_calls


def test_run_eval_on_an_empty_folder_is_bad_input(sqlite_settings, tmp_path, fake_engine):
    from docpipe.errors import InputError

    with pytest.raises(InputError):
        run_eval(sqlite_settings, LOCAL_OPERATOR, tmp_path, limit=None)


def test_a_bug_in_one_document_is_recorded_and_the_rest_still_scored(sqlite_settings, corpus,
                                                                      fake_engine, monkeypatch):
    from docpipe.pipeline import stages

    real = stages.reduce_stage

    def reduce_or_crash(settings, run_id, **kwargs):
        from docpipe.store.db import session_scope
        from docpipe.store.models import Run

        with session_scope(settings.resolved_database_url) as s:
            if s.get(Run, run_id).kind == "contract":
                raise RuntimeError("boom")
        return real(settings, run_id, **kwargs)

    monkeypatch.setattr(stages, "reduce_stage", reduce_or_crash)
    report = run_eval(sqlite_settings, LOCAL_OPERATOR, corpus, limit=None)
    contract, talk = report["documents"]
    assert contract["status"] == "failed" and "boom" in contract["error"]["message"]
    assert report["contracts"]["runs"] == {"done": 0, "total": 1}
    assert talk["status"] == "done" and report["transcripts"]["decisions"]["found"] == 1
    assert "failed" in format_table(report)
