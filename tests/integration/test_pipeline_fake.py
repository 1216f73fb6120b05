"""The whole pipeline on SQLite and on the real PostgreSQL, with a fake model for speed.
(The same flow with the real llama.cpp model is in tests/e2e.)"""
from __future__ import annotations

import json

import pytest

from docpipe.pipeline.engines import use_engines
from docpipe.pipeline.intake import take_in
from docpipe.pipeline.stages import analyse_document
from docpipe.services import documents
from docpipe.services.caller import LOCAL_OPERATOR
from docpipe.settings import Settings
from docpipe.store.db import ensure_schema
from tests.conftest import view_of

CONTRACT = """MASTER SUPPLY AGREEMENT

This Master Supply Agreement is entered into as of January 5, 2023 by and between Acme Widgets, Inc., a Delaware corporation ("Supplier"), and Blue River Foods LLC, a Texas limited liability company ("Buyer").

1. Term. The initial term of this Agreement is three (3) years and shall renew automatically for successive one (1) year terms.

2. Payment. Buyer shall pay Supplier $12,500 per month, net thirty (30) days from invoice.

3. Termination. Either party may terminate this Agreement upon ninety (90) days' written notice.

4. Liability. In no event shall either party's liability exceed the fees paid in the prior twelve (12) months.

5. Governing Law. This Agreement shall be governed by the laws of the State of Texas.
"""


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request, tmp_path):
    if request.param == "postgres":
        settings = request.getfixturevalue("pg_settings")
    else:
        settings = request.getfixturevalue("sqlite_settings")
    ensure_schema(settings.resolved_database_url, auto_upgrade=True)
    return settings


def _ingest(settings, path, matter="default"):
    took = take_in(settings, path, matter=matter)
    if took.created:
        analyse_document(settings, took.document_id)
    return took


def test_contract_end_to_end_with_fake_model(settings, tmp_path, fake_engine):
    path = tmp_path / "supply.txt"
    path.write_text(CONTRACT)
    took = _ingest(settings, path)
    view = view_of(settings, took.document_id)
    assert view["status"] == "done", view["error"]
    assert view["kind"] == "contract"
    fields = {f["field"]: f for f in view["findings"]}
    assert fields["governing_law"]["normalized"] == "State of Texas"
    assert fields["effective_date"]["normalized"] == "2023-01-05"
    assert fields["parties"]["value"] == "Acme Widgets, Inc.; Blue River Foods LLC"
    assert all(f["verified"] for f in view["findings"])
    assert view["verification"]["verified"] == view["verification"]["total"] > 0
    assert view["brief"] and view["brief"][0]["citation"]["quote"]
    assert view["coverage"]["complete"] is True
    assert view["run"]["tokens"]["evaluated"] > 0


def test_same_bytes_same_matter_is_one_document(settings, tmp_path, fake_engine):
    a, b = tmp_path / "a.txt", tmp_path / "renamed copy.txt"
    a.write_text(CONTRACT)
    b.write_text(CONTRACT)
    first = _ingest(settings, a)
    second = _ingest(settings, b)
    other_matter = _ingest(settings, a, matter="acme-v-blue")
    assert first.created and not second.created
    assert second.document_id == first.document_id
    assert other_matter.created and other_matter.document_id != first.document_id


def test_search_finds_document_text_and_brief(settings, tmp_path, fake_engine):
    path = tmp_path / "supply.txt"
    path.write_text(CONTRACT)
    took = _ingest(settings, path)
    hits = documents.search(settings, LOCAL_OPERATOR, "governed laws Texas")
    assert any(h["document_id"] == took.document_id and h["source"] == "page" for h in hits)
    assert documents.search(settings, LOCAL_OPERATOR, "nonexistentword") == []
    # user text is never query syntax
    assert documents.search(settings, LOCAL_OPERATOR, 'AND OR "') == []


def test_bad_input_fails_with_reason_and_next_document_still_runs(settings, tmp_path, fake_engine):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    fake_pdf = tmp_path / "notes.pdf"
    fake_pdf.write_text("just some notes, not a PDF at all\n" * 5)
    good = tmp_path / "good.txt"
    good.write_text(CONTRACT)
    results = {}
    for path in (empty, fake_pdf, good):
        took = _ingest(settings, path)
        results[path.name] = view_of(settings, took.document_id)
    assert results["empty.pdf"]["status"] == "failed"
    assert results["empty.pdf"]["error"]["code"] == "empty_file"
    assert results["notes.pdf"]["status"] == "failed"
    assert results["notes.pdf"]["error"]["code"] == "content_mismatch"
    assert results["good.txt"]["status"] == "done"


def test_model_tiers_route_stages_and_the_run_records_who_did_what(sqlite_settings, tmp_path, monkeypatch):
    """A small model for kind detection and per-chunk passes, a larger one for the brief."""
    from types import SimpleNamespace

    from tests.conftest import FakeEngine

    small, big = tmp_path / "small.gguf", tmp_path / "big.gguf"
    small.write_bytes(b"small"), big.write_bytes(b"big")
    monkeypatch.setenv("DOCPIPE_MODELS", json.dumps({"small": str(small), "big": {"path": str(big)}}))
    monkeypatch.setenv("DOCPIPE_STAGE_MODELS", '{"classify": "small", "map": "small", "reduce": "big"}')
    settings = Settings(data_dir=sqlite_settings.data_dir)
    engines = {}

    def engine_for(s, stage):
        spec = s.model_for(stage)
        if spec.name not in engines:
            engines[spec.name] = FakeEngine()
            engines[spec.name].config = SimpleNamespace(model=SimpleNamespace(label=f"{spec.name}.gguf",
                                                                             sha256=spec.name[0] * 64))
        return engines[spec.name]

    ensure_schema(settings.resolved_database_url, auto_upgrade=True)
    path = tmp_path / "supply.txt"
    path.write_text(CONTRACT)
    with use_engines(engine_for):
        took = _ingest(settings, path)
    view = view_of(settings, took.document_id)
    assert view["status"] == "done"
    assert view["run"]["models"] == {"classify": {"name": "small", "file": "small.gguf", "sha256": "s" * 64},
                                     "map": {"name": "small", "file": "small.gguf", "sha256": "s" * 64},
                                     "reduce": {"name": "big", "file": "big.gguf", "sha256": "b" * 64}}
    assert any("TASK: for each field" in prompt for prompt, _ in engines["small"].calls)  # the passes
    assert engines["big"].calls and all("A fact from a contract" in p for p, _ in engines["big"].calls)  # the brief
