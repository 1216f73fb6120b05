"""Distributed execution with the real Redis, the real PostgreSQL, real `celery worker`
processes and the real bundled model (RELIABILITY.md cases 1, 2, 4, 5, 24)."""
from __future__ import annotations

import os
import signal
import time

import pytest
from sqlalchemy import func, select

from docpipe.store.db import session_scope
from docpipe.store.models import ChunkRecord, Run
from tests.integration.conftest import (_exactly_once, _running_chunk, _succeeded, _wait_for, _write_docs,
                                        contract_text)

pytestmark = [pytest.mark.model, pytest.mark.timeout(1200)]


def test_ten_documents_across_two_workers_each_done_once(fleet):
    folder = _write_docs(fleet.tmp / "in", 10, sections=1)  # one chunk each: the fleet is under test
    fleet.worker()
    fleet.worker()
    out = fleet.cli("ingest", str(folder))
    assert out.returncode == 0, out.stderr
    assert out.stderr.count("queued") == 10  # returned at once, work queued
    docs = fleet.wait_all(10)
    assert [d.status for d in docs] == ["done"] * 10, fleet.logs()
    _exactly_once(fleet.settings)
    worked = [log.read_text().count("succeeded") for log in sorted(fleet.tmp.glob("worker-*.log"))]
    assert len(worked) == 2 and all(n > 0 for n in worked), worked  # both worker processes took part
    status = fleet.cli("status")
    assert status.returncode == 0, status.stderr
    statuses = [line.split()[1] for line in status.stdout.splitlines()]  # "<id>  <status>  run ..."
    assert statuses == ["done"] * 10, status.stdout


def test_a_long_document_shared_by_three_llm_workers_has_every_chunk_claimed_once(fleet):
    """RELIABILITY case 11 with real workers and no beat (no reconciler to rescue a stranded
    chunk): one contract cut into 8 or more chunks, analysed by 3 llm workers at once, must
    end done within the deadline with every chunk claimed exactly once."""
    path = fleet.tmp / "long-contract.txt"
    path.write_text(contract_text(99, sections=13))
    fleet.worker(queues="parse", DOCPIPE_CHUNK_TOKENS="768")
    for _ in range(3):
        fleet.worker(queues="llm", DOCPIPE_CHUNK_TOKENS="768")
    out = fleet.cli("ingest", str(path), DOCPIPE_CHUNK_TOKENS="768")
    assert out.returncode == 0, out.stderr
    [doc] = fleet.wait_all(1, timeout=900)
    assert doc.status == "done", (doc.error_code, doc.error_message, fleet.logs())
    with session_scope(fleet.settings.resolved_database_url) as s:
        chunks = list(s.scalars(select(ChunkRecord).order_by(ChunkRecord.index)))
        assert len(chunks) >= 8, len(chunks)
        assert [c.attempts for c in chunks] == [1] * len(chunks)
        assert all(c.result is not None and c.finished_at is not None for c in chunks)
    _exactly_once(fleet.settings)
    busy = [log.read_text().count("docpipe.map") for log in sorted(fleet.tmp.glob("worker-*.log"))[1:]]
    assert sum(1 for n in busy if n) >= 2, busy  # the chunks were shared, not run by one worker


def test_sigkill_during_llm_stage_resumes_at_the_chunk(fleet):
    path = fleet.tmp / "long.txt"
    path.write_text(contract_text(99, sections=4))
    fleet.worker()
    assert fleet.cli("ingest", str(path)).returncode == 0
    run_id = 1
    pid = _wait_for(lambda: _running_chunk(fleet.settings, run_id, 1), what="chunk 1 running")
    with session_scope(fleet.settings.resolved_database_url) as s:
        first = s.scalar(select(ChunkRecord).where(ChunkRecord.run_id == run_id, ChunkRecord.index == 0))
        assert first.result is not None  # chunk 0 finished before the kill
        before = (first.finished_at, first.attempts, first.result)
        total = s.get(Run, run_id).chunks_total
    assert total >= 3
    os.kill(pid, signal.SIGKILL)
    [doc] = fleet.wait_all(1)
    assert doc.status == "done", fleet.logs()
    with session_scope(fleet.settings.resolved_database_url) as s:
        run = s.get(Run, run_id)
        recs = {r.index: r for r in s.scalars(select(ChunkRecord).where(ChunkRecord.run_id == run_id))}
        assert run.attempts == 2
        assert recs[1].attempts == 2
        assert (recs[0].finished_at, recs[0].attempts, recs[0].result) == before  # not recomputed
        assert all(r.attempts == 1 for i, r in recs.items() if i != 1)
    _exactly_once(fleet.settings)


def test_poison_document_fails_after_attempt_limit(fleet):
    path = fleet.tmp / "poison.txt"
    path.write_text(contract_text(7, sections=4))
    fleet.worker(DOCPIPE_MAX_ATTEMPTS="2")
    assert fleet.cli("ingest", str(path), DOCPIPE_MAX_ATTEMPTS="2").returncode == 0
    killed = set()

    def kill_next():
        pid = _running_chunk(fleet.settings, 1, 0)
        if pid and pid not in killed:
            killed.add(pid)
            os.kill(pid, signal.SIGKILL)
        docs = fleet.docs()
        return docs and docs[0].status == "failed"

    _wait_for(kill_next, timeout=300, what="poison failure")
    [doc] = fleet.docs()
    assert doc.error_code == "poison"
    assert "chunk 0" in doc.error_message and "limit 2" in doc.error_message
    assert len(killed) == 2


def test_duplicate_delivery_is_a_no_op(fleet):
    from docpipe.fleet import dispatch as queue

    path = fleet.tmp / "dup.txt"
    path.write_text(contract_text(3))
    fleet.worker()
    assert fleet.cli("ingest", str(path)).returncode == 0
    queue.send(fleet.settings, queue.PARSE, 1)  # the same parse delivered again
    [doc] = fleet.wait_all(1)
    assert doc.status == "done"
    with session_scope(fleet.settings.resolved_database_url) as s:
        chunks = s.scalar(select(func.count()).select_from(ChunkRecord))
    for index in range(3):
        queue.send(fleet.settings, queue.MAP, 1, index)  # late duplicates of finished work
    queue.send(fleet.settings, queue.REDUCE, 1)

    def consumed() -> bool:  # every message, original or duplicate, was taken and finished
        log = fleet.logs_full()
        return (_succeeded(log, "docpipe.parse") == 2 and _succeeded(log, "docpipe.map") == chunks + 3
                and _succeeded(log, "docpipe.reduce") == 2)

    _wait_for(consumed, timeout=120, what="the duplicates to be consumed")
    _exactly_once(fleet.settings)
    with session_scope(fleet.settings.resolved_database_url) as s:
        assert s.get(Run, 1).attempts == 1
        assert [r.attempts for r in s.scalars(select(ChunkRecord))] == [1] * chunks


def test_redis_flushed_with_work_queued_still_finishes(fleet):
    import redis

    folder = _write_docs(fleet.tmp / "in", 3)
    out = fleet.cli("ingest", str(folder))  # no worker yet: the work sits in Redis
    assert out.returncode == 0, out.stderr
    redis.Redis.from_url(fleet.settings.broker_url).flushdb()  # and is lost
    fleet.worker()
    time.sleep(6)  # past the reconcile grace
    rec = fleet.cli("reconcile", "--grace", "5")
    assert rec.returncode == 0 and "re-sent 3 unit(s)" in rec.stdout, rec.stdout + rec.stderr
    docs = fleet.wait_all(3)
    assert [d.status for d in docs] == ["done"] * 3
    _exactly_once(fleet.settings)


def test_broker_down_at_upload_work_is_recorded_then_sent(fleet):
    path = fleet.tmp / "late.txt"
    path.write_text(contract_text(11))
    out = fleet.cli("ingest", str(path), DOCPIPE_BROKER_URL="redis://127.0.0.1:1/0")
    assert out.returncode == 0
    assert "broker unreachable" in out.stderr
    [doc] = fleet.docs()
    assert doc.status == "queued"  # recorded, not lost
    fleet.worker()
    assert "re-sent 1 unit(s)" in fleet.cli("reconcile", "--grace", "0").stdout
    [doc] = fleet.wait_all(1)
    assert doc.status == "done"
