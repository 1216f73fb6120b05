"""RELIABILITY case 11 on the real PostgreSQL: a chunk's claim while a sibling holds the run
row (its own claim, its result being stored) or the chunk row (its enqueue being recorded)
waits for that lock and then claims the chunk. It used to skip the locked row and answer
"nothing to do", so the chunk was never analysed unless the reconciler re-sent it."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, update

from docpipe.domain import Chunk, DocumentKind, Stage, WorkUnit
from docpipe.fleet import claims
from docpipe.store import documents, runs
from docpipe.store.db import ensure_schema, session_scope
from docpipe.store.models import ChunkRecord, Run

HOLD = 1.5  # seconds the sibling keeps its lock


@pytest.fixture
def run_id(pg_settings):
    ensure_schema(pg_settings.resolved_database_url, auto_upgrade=True)
    with session_scope(pg_settings.resolved_database_url) as s:
        doc, _ = documents.add_document(s, matter="m", sha256="b" * 64, original_name="x.txt", size=1)
        rid = runs.create_run(s, document_id=doc.id, pipeline_version="test")
        runs.save_plan(s, run_id=rid, kind=DocumentKind.CONTRACT, n_ctx=2048, document_tokens=20,
                       model_label="fake.gguf", model_sha256="0" * 64, models={}, kind_method="code",
                       chunks=[Chunk(index=i, unit_ids=(i + 1,), tokens=10, first_page=1, last_page=1,
                                     first_turn=None, last_turn=None) for i in range(2)])
        runs.enter_stage(s, run_id=rid, stage=Stage.MAP)
    return rid


def _hold(settings, stmt, locked: threading.Event) -> None:
    with session_scope(settings.resolved_database_url) as s:
        s.execute(stmt)
        locked.set()
        time.sleep(HOLD)


@pytest.mark.parametrize("held", ["run row", "chunk row"])
def test_a_claim_waits_for_a_siblings_lock_and_then_claims(pg_settings, run_id, held):
    stmt = (select(Run).where(Run.id == run_id).with_for_update() if held == "run row" else
            update(ChunkRecord).where(ChunkRecord.run_id == run_id, ChunkRecord.index == 1)
            .values(enqueued_at=None))  # what recording a sibling's enqueue does
    locked = threading.Event()
    sibling = threading.Thread(target=_hold, args=(pg_settings, stmt, locked))
    sibling.start()
    assert locked.wait(10)
    started = time.monotonic()
    claimed = claims.claim(pg_settings, run_id, WorkUnit.MAP, 1, owner="elsewhere:1")
    waited = time.monotonic() - started
    sibling.join()
    assert claimed, "the chunk's delivery was taken for 'nothing to do' while a sibling held a lock"
    assert waited >= HOLD * 0.5
    with session_scope(pg_settings.resolved_database_url) as s:
        rec = s.scalar(select(ChunkRecord).where(ChunkRecord.run_id == run_id, ChunkRecord.index == 1))
        assert rec.attempts == 1 and rec.lease_owner == "elsewhere:1"
