"""Distributed execution with the real Redis, the real PostgreSQL, real `celery worker`
processes and the real bundled model (RELIABILITY.md cases 1, 2, 4, 5, 24)."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from docpipe.settings import Settings
from docpipe.store.db import ensure_schema, session_scope
from docpipe.store.models import ChunkRecord, Document, FindingRecord, Run, Summary
from tests.conftest import IN_CI, ROOT

pytestmark = [pytest.mark.model, pytest.mark.timeout(1200)]
BIN = Path(sys.executable).parent

CLAUSES = [
    "The Supplier shall deliver the Products to the Buyer's warehouse within ten (10) business days of each purchase order.",
    "The Buyer shall pay each invoice within thirty (30) days of receipt; late amounts bear interest at one percent per month.",
    "Either party may terminate this Agreement upon sixty (60) days' prior written notice to the other party.",
    "In no event shall either party's aggregate liability exceed the fees paid in the twelve (12) months preceding the claim.",
    "The Supplier shall maintain commercial general liability insurance of not less than $1,000,000 per occurrence.",
    "Each party shall keep the other party's Confidential Information in confidence for five (5) years.",
    "The Supplier warrants that the Products will conform to the Specifications for twelve (12) months after delivery.",
    "Neither party may assign this Agreement without the prior written consent of the other party.",
]


def contract_text(n: int, sections: int = 6) -> str:
    rng = random.Random(n)
    parties = ["Acme Widgets, Inc.", "Blue River Foods LLC", "Cobalt Tools Corp.", "Delta Paper Co."]
    a, b = rng.sample(parties, 2)
    body = [f"SUPPLY AGREEMENT NO. {1000 + n}",
            f"This Supply Agreement is entered into as of March {n % 27 + 1}, 2024 by and between {a}, "
            f"a Delaware corporation (\"Supplier\"), and {b}, a Texas limited liability company (\"Buyer\")."]
    for i in range(sections):
        body.append(f"{i + 1}. Section {i + 1}. " + " ".join(rng.sample(CLAUSES, 4)))
    body.append("This Agreement shall be governed by the laws of the State of Texas.")
    return "\n\n".join(body) + "\n"


@pytest.fixture
def redis_url():
    import redis

    db = random.randint(1, 15)
    client = redis.Redis(host="127.0.0.1", port=6379, db=db)
    try:
        client.ping()
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"Redis unreachable in CI: {exc}")
        pytest.skip(f"Redis unreachable: {exc}")
    client.flushdb()
    yield f"redis://127.0.0.1:6379/{db}"
    client.flushdb()


@pytest.fixture
def fleet(tmp_path, pg_schema_url, redis_url):
    """Environment, settings and helpers for a fleet sharing one Redis and one PostgreSQL."""
    env = {**os.environ, "DOCPIPE_DATA_DIR": str(tmp_path / "data"), "DOCPIPE_DATABASE_URL": pg_schema_url,
           "DOCPIPE_BROKER_URL": redis_url, "DOCPIPE_N_CTX": "2048", "DOCPIPE_RECONCILE_GRACE": "5",
           "DOCPIPE_MAX_ATTEMPTS": "3", "DOCPIPE_THREADS": "1"}
    settings = Settings(data_dir=tmp_path / "data", database_url=pg_schema_url, broker_url=redis_url, n_ctx=2048, threads=1)
    ensure_schema(pg_schema_url, auto_upgrade=True)
    procs: list[subprocess.Popen] = []

    class Fleet:
        def __init__(self):
            self.env, self.settings, self.tmp = env, settings, tmp_path

        def worker(self, queues="parse,llm", concurrency=1, **extra):
            log = open(tmp_path / f"worker-{len(procs)}.log", "w")
            proc = subprocess.Popen([str(BIN / "docpipe"), "worker", "--queues", queues, "--concurrency",
                                     str(concurrency), "--loglevel", "INFO"],
                                    env={**env, **extra}, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
            procs.append(proc)
            return proc

        def cli(self, *args, timeout=600, **extra):
            return subprocess.run([str(BIN / "docpipe"), *args], env={**env, **extra}, cwd=ROOT,
                                  capture_output=True, text=True, timeout=timeout)

        def docs(self) -> list[Document]:
            with session_scope(pg_schema_url) as s:
                return list(s.scalars(select(Document).order_by(Document.id)))

        def wait_all(self, n: int, timeout: float = 900) -> list[Document]:
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                docs = self.docs()
                if len(docs) == n and all(d.status in ("done", "failed") for d in docs):
                    return docs
                time.sleep(1)
            raise AssertionError(f"not finished: {[(d.id, d.status) for d in self.docs()]}\n{self.logs()}")

        def logs(self) -> str:
            return "\n".join(p.read_text()[-3000:] for p in sorted(tmp_path.glob("worker-*.log")))

    yield Fleet()
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _write_docs(folder: Path, count: int, sections: int = 2) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"contract-{n:02d}.txt").write_text(contract_text(n, sections))
    return folder


def _exactly_once(settings: Settings) -> None:
    with session_scope(settings.resolved_database_url) as s:
        runs_per_doc = s.execute(select(Run.document_id, func.count()).group_by(Run.document_id)).all()
        assert all(n == 1 for _, n in runs_per_doc), runs_per_doc
        summaries = s.execute(select(Summary.run_id, func.count()).group_by(Summary.run_id)).all()
        assert all(n == 1 for _, n in summaries), summaries
        dupes = s.execute(select(FindingRecord.run_id, FindingRecord.field, FindingRecord.unit_id, func.count())
                          .group_by(FindingRecord.run_id, FindingRecord.field, FindingRecord.unit_id)
                          .having(func.count() > 1)).all()
        assert dupes == []


def test_ten_documents_across_two_workers_each_done_once(fleet):
    folder = _write_docs(fleet.tmp / "in", 10)
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


def _wait_for(predicate, timeout=300, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _running_chunk(settings: Settings, run_id: int, index: int):
    with session_scope(settings.resolved_database_url) as s:
        rec = s.scalar(select(ChunkRecord).where(ChunkRecord.run_id == run_id, ChunkRecord.index == index))
        if rec is not None and rec.lease_owner and rec.result is None:
            return int(rec.lease_owner.rpartition(":")[2])
    return None


def test_sigkill_during_llm_stage_resumes_at_the_chunk(fleet):
    path = fleet.tmp / "long.txt"
    path.write_text(contract_text(99, sections=14))
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
    from docpipe import queue

    path = fleet.tmp / "dup.txt"
    path.write_text(contract_text(3))
    fleet.worker()
    assert fleet.cli("ingest", str(path)).returncode == 0
    queue.send(fleet.settings, queue.PARSE, 1)  # the same parse delivered again
    [doc] = fleet.wait_all(1)
    assert doc.status == "done"
    for index in range(3):
        queue.send(fleet.settings, queue.MAP, 1, index)  # late duplicates of finished work
    queue.send(fleet.settings, queue.REDUCE, 1)
    time.sleep(8)
    _exactly_once(fleet.settings)
    with session_scope(fleet.settings.resolved_database_url) as s:
        assert s.get(Run, 1).attempts == 1


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
