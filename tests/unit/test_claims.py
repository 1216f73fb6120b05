"""Claims, attempts and leases on SQLite (the same code runs on PostgreSQL in
tests/integration/test_workers.py with real workers)."""
from __future__ import annotations

import os
import socket
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from docpipe.domain import Chunk, ChunkStatus, DocumentKind, Stage
from docpipe.fleet import claims as jobs
from docpipe.store import documents, runs
from docpipe.store.db import ensure_schema, session_scope
from docpipe.store.models import ChunkRecord, Run, utcnow

HOST = socket.gethostname()


@pytest.fixture
def run_with_chunks(sqlite_settings):
    settings = sqlite_settings.model_copy(update={"max_attempts": 2})
    ensure_schema(settings.resolved_database_url, auto_upgrade=True)
    with session_scope(settings.resolved_database_url) as s:
        doc, _ = documents.add_document(s, matter="m", sha256="a" * 64, original_name="x.txt", size=1)
        run_id = runs.create_run(s, document_id=doc.id, pipeline_version="1")
        runs.save_plan(s, run_id=run_id, kind=DocumentKind.CONTRACT, n_ctx=2048, document_tokens=30,
                       model_label="fake.gguf", model_sha256="0" * 64, models={}, kind_method="code", chunks=[
                           Chunk(index=i, unit_ids=(i * 10 + 1, i * 10 + 10), tokens=10, first_page=i + 1,
                                 last_page=i + 1, first_turn=None, last_turn=None) for i in range(3)])
        runs.enter_stage(s, run_id=run_id, stage=Stage.MAP)
    return settings, run_id


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_claim_counts_attempts_and_blocks_a_live_duplicate(run_with_chunks):
    settings, run_id = run_with_chunks
    assert jobs.claim(settings, run_id, "map", 0, owner=f"{HOST}:{os.getpid()}")
    # the same unit delivered again while this live process holds it: no-op
    assert not jobs.claim(settings, run_id, "map", 0, owner=f"{HOST}:999999999")
    with session_scope(settings.resolved_database_url) as s:
        assert s.get(Run, run_id).attempts == 1


def test_lease_of_a_dead_worker_is_void_and_poison_after_limit(run_with_chunks):
    settings, run_id = run_with_chunks
    assert jobs.claim(settings, run_id, "map", 1, owner=f"{HOST}:{dead_pid()}")
    assert jobs.claim(settings, run_id, "map", 1, owner=f"{HOST}:{dead_pid()}")  # redelivered: attempt 2
    assert not jobs.claim(settings, run_id, "map", 1, owner=f"{HOST}:{os.getpid()}")  # attempt 3 > 2
    with session_scope(settings.resolved_database_url) as s:
        run = s.get(Run, run_id)
        assert run.status == "failed" and run.document.status == "failed"
        assert run.error_code == "poison" and "chunk 1" in run.error_message


def test_other_host_lease_holds_until_expiry():
    now = utcnow()
    assert jobs.lease_is_live("elsewhere:123", now + timedelta(seconds=60), now)
    assert not jobs.lease_is_live("elsewhere:123", now - timedelta(seconds=1), now)
    assert not jobs.lease_is_live(None, now + timedelta(seconds=60), now)


def test_reduce_is_triggered_exactly_once(run_with_chunks):
    settings, run_id = run_with_chunks
    with session_scope(settings.resolved_database_url) as s:
        for index in range(3):
            runs.save_chunk_result(s, run_id=run_id, index=index, status=ChunkStatus.DONE,
                                   result={"status": "done", "picks": {}, "candidates": {}})
    triggers = [jobs.chunk_finished(settings, run_id, i) for i in (0, 1, 2, 2)]
    assert triggers.count(True) == 1


def test_stale_units_finds_lost_work(run_with_chunks):
    settings, run_id = run_with_chunks
    jobs.mark_enqueued(settings, run_id, "map")
    assert jobs.stale_units(settings, grace_seconds=3600) == []  # just sent: leave it
    stale = jobs.stale_units(settings, grace_seconds=0)
    assert stale == [(run_id, "map", 0), (run_id, "map", 1), (run_id, "map", 2)]
    jobs.claim(settings, run_id, "map", 0, owner=f"{HOST}:{os.getpid()}")
    assert (run_id, "map", 0) not in jobs.stale_units(settings, grace_seconds=0)  # held by a live worker


def test_a_zombie_childs_lease_is_void():
    """A killed pool child not yet reaped by its worker answers signal 0 but holds nothing."""
    proc = subprocess.Popen(["true"])
    import time

    time.sleep(0.3)  # exited, not waited for: a zombie
    now = utcnow()
    assert not jobs.lease_is_live(f"{HOST}:{proc.pid}", now + timedelta(seconds=60), now)
    assert jobs.lease_is_live(f"{HOST}:{os.getpid()}", now + timedelta(seconds=60), now)
    proc.wait()


def test_release_with_refund_gives_the_attempt_back(run_with_chunks):
    """A unit given back because the database went away is not one step nearer poison."""
    settings, run_id = run_with_chunks
    me = f"{HOST}:{os.getpid()}"
    for _ in range(3):  # max_attempts is 2: without the refund the third claim is poison
        assert jobs.claim(settings, run_id, "map", 0, owner=me)
        jobs.release(settings, run_id, "map", 0, refund=True)
    with session_scope(settings.resolved_database_url) as s:
        assert s.get(Run, run_id).status != "failed"
        chunks = list(s.scalars(select(ChunkRecord).where(ChunkRecord.run_id == run_id)))
        assert [c.attempts for c in chunks if c.index == 0] == [0]
        assert all(c.lease_owner is None for c in chunks)


def test_every_result_stored_but_the_stage_never_moved_is_found_and_finished(run_with_chunks):
    """The worker that stored the last result died before `chunk_finished`: the reconciler
    finds the run, and the re-sent chunk's delivery (the claim refuses to redo it) still
    moves the run on to reduce, exactly once."""
    settings, run_id = run_with_chunks
    with session_scope(settings.resolved_database_url) as s:
        for index in range(3):
            runs.save_chunk_result(s, run_id=run_id, index=index, status=ChunkStatus.DONE,
                                   result={"status": "done", "picks": {}, "candidates": {}})
    jobs.mark_enqueued(settings, run_id, "map")
    assert jobs.stale_units(settings, grace_seconds=0) == [(run_id, "map", 2)]
    assert not jobs.claim(settings, run_id, "map", 2, owner=f"{HOST}:{os.getpid()}")  # result stored
    assert jobs.chunk_finished(settings, run_id, 2) is True
    assert jobs.chunk_finished(settings, run_id, 2) is False
    assert jobs.stale_units(settings, grace_seconds=3600) == []


def test_chunk_finished_never_ends_another_workers_live_claim(run_with_chunks):
    settings, run_id = run_with_chunks
    other = f"elsewhere:{os.getpid()}"
    assert jobs.claim(settings, run_id, "map", 1, owner=other)
    assert jobs.chunk_finished(settings, run_id, 1) is False  # no result yet: a duplicate's call
    with session_scope(settings.resolved_database_url) as s:
        chunk = s.scalar(select(ChunkRecord).where(ChunkRecord.run_id == run_id, ChunkRecord.index == 1))
        assert chunk.lease_owner == other and chunk.finished_at is None
