"""RELIABILITY cases 23, 26 and 28: racing uploads, answers cut or over the context, and
constrained output that does not validate. Fake engines say exactly what goes wrong; the
pipeline around them is the real one, on SQLite and the real PostgreSQL."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from docpipe.llm.engine import Generation
from docpipe.pipeline.engines import use_engines
from docpipe.pipeline.intake import take_in
from docpipe.pipeline.stages import analyse_document
from docpipe.store.db import ensure_schema, session_scope
from docpipe.store.models import Document
from tests.conftest import FakeEngine, view_of
from tests.integration.test_pipeline_fake import CONTRACT


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request):
    settings = request.getfixturevalue("pg_settings" if request.param == "postgres" else "sqlite_settings")
    ensure_schema(settings.resolved_database_url, auto_upgrade=True)
    return settings


def _analyse(settings, tmp_path, engine, monkeypatch) -> dict:
    path = tmp_path / "supply.txt"
    path.write_text(CONTRACT)
    took = take_in(settings, path, matter="faults")
    with use_engines(lambda s, stage: engine):
        analyse_document(settings, took.document_id)
    return view_of(settings, took.document_id)


class CutEngine(FakeEngine):
    """Cuts every pass answer at max_tokens while the chunk holds more than ``fits`` units."""

    def __init__(self, fits: int):
        super().__init__()
        self.fits = fits

    def complete_json(self, prompt, schema, *, max_tokens):
        gen = super().complete_json(prompt, schema, max_tokens=max_tokens)
        if "TASK: for each field" in prompt and prompt.count("[S") > self.fits:
            return Generation(text=gen.text[:10], data=None, finish_reason="length", prompt_tokens=gen.prompt_tokens,
                              evaluated_tokens=gen.evaluated_tokens, generated_tokens=max_tokens, seconds=0.01,
                              prompt_ms=1, eval_ms=1)
        return gen


def test_case26_a_cut_answer_re_splits_the_chunk_and_loses_nothing(settings, tmp_path, monkeypatch):
    view = _analyse(settings, tmp_path, CutEngine(fits=3), monkeypatch)
    assert view["status"] == "done" and view["coverage"]["complete"] is True
    assert {f["field"] for f in view["findings"]} >= {"governing_law", "parties"}


def test_case26_an_answer_always_cut_is_marked_incomplete_never_taken(settings, tmp_path, monkeypatch):
    view = _analyse(settings, tmp_path, CutEngine(fits=0), monkeypatch)
    assert view["status"] == "done" and view["coverage"]["complete"] is False
    assert view["coverage"]["processed"] < view["coverage"]["total"]
    assert any("output_truncated" in w for w in view["coverage"]["warnings"]), view["coverage"]
    assert view["findings"] == []  # nothing from a cut answer
    cats = view["categories"]
    assert cats["governing_law"]["status"] == "not_determinable"  # unread is not "absent"


class InvalidEngine(FakeEngine):
    """Answers pass questions with JSON that breaks the schema (a number not offered)."""

    def complete_json(self, prompt, schema, *, max_tokens):
        gen = super().complete_json(prompt, schema, max_tokens=max_tokens)
        if "TASK: for each field" in prompt:
            data = {name: [987654] for name in schema["properties"]}
            return Generation(text=str(data), data=data, finish_reason="stop", prompt_tokens=gen.prompt_tokens,
                              evaluated_tokens=gen.evaluated_tokens, generated_tokens=5, seconds=0.01,
                              prompt_ms=1, eval_ms=1)
        return gen


def test_case28_output_that_fails_validation_is_retried_then_recorded(settings, tmp_path, monkeypatch):
    engine = InvalidEngine()
    view = _analyse(settings, tmp_path, engine, monkeypatch)
    passes = [p for p, _ in engine.calls if "TASK: for each field" in p]
    assert len(passes) >= 2 and passes[0] == passes[1]  # asked once more, then given up
    assert view["status"] == "done" and view["coverage"]["complete"] is False
    assert any("schema_invalid" in w for w in view["coverage"]["warnings"])
    assert view["findings"] == []  # never stored as valid


def test_case23_same_bytes_uploaded_twice_at_once_is_one_document(settings, tmp_path):
    path = tmp_path / "same.txt"
    path.write_text(CONTRACT)
    results, start = [], threading.Barrier(4)

    def upload():
        start.wait()
        results.append(take_in(settings, path, matter="race"))

    threads = [threading.Thread(target=upload) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r.document_id for r in results}) == 1
    assert sum(r.created for r in results) == 1
    with session_scope(settings.resolved_database_url) as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 1
