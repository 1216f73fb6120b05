"""The fleet under faults (RELIABILITY cases 3, 7, 8, 9, 10 and 13), with real `celery
worker` processes, the real Redis (a private one where the test cuts connections), the real
PostgreSQL (a private cluster where the test limits connections) and the real bundled model.

Every test ends by checking the contract: each accepted document in a final state exactly
once, with no duplicate results (``_exactly_once``).
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text

from docpipe.store.db import session_scope
from docpipe.store.models import ChunkRecord, Run
from tests.integration.conftest import (_exactly_once, _running_chunk, _succeeded, _wait_for, _write_docs,
                                        contract_text)
from tests.services import PrivatePostgres, PrivateRedis, free_port

pytestmark = [pytest.mark.model, pytest.mark.timeout(900)]


def _chunks(fleet, run_id: int = 1) -> dict[int, ChunkRecord]:
    with session_scope(fleet.settings.resolved_database_url) as s:
        return {r.index: r for r in s.scalars(select(ChunkRecord).where(ChunkRecord.run_id == run_id))}


def _run(fleet, run_id: int = 1) -> Run:
    with session_scope(fleet.settings.resolved_database_url) as s:
        return s.get(Run, run_id)


def _stopped(pid: int) -> None:
    os.kill(pid, signal.SIGSTOP)


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.close()


# ----------------------------------------------------------------------------------- case 3
def test_3_a_task_outliving_the_visibility_timeout_never_runs_twice_at_once(fleet):
    """Worker A takes the only chunk and then stalls (its process stopped) past the visibility
    timeout of worker B, which Redis (kombu) uses to hand A's unacknowledged message to B.
    B's delivery must find A's live lease and do nothing; A, resumed, finishes: the chunk is
    claimed once and analysed once."""
    path = fleet.tmp / "one-chunk.txt"
    path.write_text(contract_text(5, sections=1))
    fleet.worker()  # A: default settings (visibility 4 h)
    assert fleet.cli("ingest", str(path)).returncode == 0
    pid = _wait_for(lambda: _running_chunk(fleet.settings, 1, 0), what="chunk 0 running on A")
    assert _run(fleet).chunks_total == 1  # B must meet no other work than the redelivery
    _stopped(pid)
    try:
        # B sees messages unacknowledged for 5 s as lost (its time limit is below, as the settings demand)
        b = fleet.worker(DOCPIPE_VISIBILITY_TIMEOUT="5", DOCPIPE_TASK_TIME_LIMIT="4", DOCPIPE_LEASE_SECONDS="20")
        b_log = fleet.tmp / "worker-1.log"
        _wait_for(lambda: "run 1 map 0: nothing to do" in b_log.read_text(), timeout=120,
                  what="the map message redelivered to B")
        assert _succeeded(b_log.read_text(), "docpipe.map") == 1  # B took the redelivery and finished it at once
        assert _chunks(fleet)[0].attempts == 1 and _chunks(fleet)[0].result is None  # B did not run it
        os.killpg(b.pid, signal.SIGTERM)  # B's short time limit must not meet the reduce stage
        b.wait(timeout=60)
    finally:
        os.kill(pid, signal.SIGCONT)
    [doc] = fleet.wait_all(1, timeout=300)
    assert doc.status == "done", fleet.logs()
    chunk = _chunks(fleet)[0]
    assert chunk.attempts == 1 and chunk.result is not None
    assert _run(fleet).attempts == 1
    _exactly_once(fleet.settings)


# ----------------------------------------------------------------------------------- case 7
DELAY_COMMIT = """
CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(2); RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER slow_commit_insert AFTER INSERT ON runs
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();
CREATE CONSTRAINT TRIGGER slow_commit_stage AFTER UPDATE OF stage ON runs
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.stage IS DISTINCT FROM NEW.stage)
    EXECUTE FUNCTION slow_commit();
"""


def test_7_enqueue_racing_the_commit_finds_its_rows(fleet):
    """Every commit that creates a run or moves it to another stage is held 2 s at COMMIT (a
    deferred trigger): a message sent before its commit would reach the idle worker before
    the row it names (the parse, each chunk's map, the reduce), be taken for "nothing to
    do", and the document would hang (no beat runs here). Sent after the commit, each
    message finds its row: the document ends done within the deadline, no delivery empty."""
    with session_scope(fleet.settings.resolved_database_url) as s:
        s.execute(text(DELAY_COMMIT))
    path = fleet.tmp / "contract.txt"
    path.write_text(contract_text(17, sections=4))
    fleet.worker()
    started = time.monotonic()
    out = fleet.cli("ingest", str(path))
    assert out.returncode == 0, out.stderr
    assert time.monotonic() - started >= 2  # the run's first commit really was held
    [doc] = fleet.wait_all(1, timeout=400)
    assert doc.status == "done", fleet.logs()
    log = fleet.logs_full()
    assert "nothing to do" not in log and "not found" not in log.lower(), log[-3000:]
    chunks = _run(fleet).chunks_total
    assert chunks >= 2  # several map messages, each sent after the commit that entered the map stage
    assert (_succeeded(log, "docpipe.parse"), _succeeded(log, "docpipe.map"), _succeeded(log, "docpipe.reduce")) \
        == (1, chunks, 1)
    _exactly_once(fleet.settings)


# ----------------------------------------------------------------------------------- case 8
def test_8_warm_then_cold_shutdown_mid_task_the_rerun_is_harmless(fleet):
    """Worker A is asked to stop (SIGTERM, warm) while it analyses chunk 1: it finishes that
    chunk, then exits. Worker B takes over and is killed cold (SIGQUIT) while it analyses
    chunk 2. Worker C (with beat, so the reconciler runs) finishes. Chunk 1 ran once, chunk 2
    twice (its first run cut short, the lease of the dead process void), every other chunk
    once; one result each."""
    path = fleet.tmp / "long.txt"
    path.write_text(contract_text(99, sections=5))
    a = fleet.worker()
    assert fleet.cli("ingest", str(path)).returncode == 0
    _wait_for(lambda: _running_chunk(fleet.settings, 1, 1), what="chunk 1 running on A")
    os.kill(a.pid, signal.SIGTERM)  # the main process: warm shutdown
    assert a.wait(timeout=300) is not None
    assert _chunks(fleet)[1].result is not None  # A finished what it had started
    assert _chunks(fleet)[2].result is None
    b = fleet.worker()
    _wait_for(lambda: _running_chunk(fleet.settings, 1, 2), what="chunk 2 running on B")
    os.kill(b.pid, signal.SIGQUIT)  # cold shutdown: the child is cut off mid-chunk
    b.wait(timeout=120)
    assert _chunks(fleet)[2].result is None
    fleet.worker(beat=True, DOCPIPE_RECONCILE_INTERVAL="3")
    [doc] = fleet.wait_all(1, timeout=600)
    assert doc.status == "done", fleet.logs()
    chunks = _chunks(fleet)
    assert chunks[1].attempts == 1 and chunks[2].attempts == 2, {i: c.attempts for i, c in chunks.items()}
    assert all(c.attempts == 1 for i, c in chunks.items() if i != 2)
    assert all(c.result is not None and c.lease_owner is None for c in chunks.values())
    assert "Warm shutdown" in (fleet.tmp / "worker-0.log").read_text()
    assert "Cold shutdown" in (fleet.tmp / "worker-1.log").read_text()
    _exactly_once(fleet.settings)


# ----------------------------------------------------------------------------------- case 9
def test_9_broker_connection_dropped_mid_task_no_double_write(fleet, private_redis):
    """Every Redis client connection is killed (CLIENT KILL) while chunk 1 is analysed. The
    worker reconnects; the cut-off task is cancelled or finishes, the message comes back,
    and the chunk is written once: one result per chunk, no duplicate findings."""
    path = fleet.tmp / "long.txt"
    path.write_text(contract_text(99, sections=4))
    env = {"DOCPIPE_BROKER_URL": private_redis.url}
    fleet.worker(beat=True, DOCPIPE_RECONCILE_INTERVAL="3", **env)
    assert fleet.cli("ingest", str(path), **env).returncode == 0
    _wait_for(lambda: _running_chunk(fleet.settings, 1, 1), what="chunk 1 running")
    client = private_redis.client()
    killed = sum(client.client_kill_filter(_type=kind, skipme=True) for kind in ("normal", "pubsub"))
    assert killed >= 2
    _wait_for(lambda: "Connection to broker lost" in fleet.logs_full(), timeout=60,
              what="the worker to see its broker connection go")
    [doc] = fleet.wait_all(1, timeout=600)
    assert doc.status == "done", fleet.logs()
    chunks = _chunks(fleet)
    assert all(c.result is not None and c.lease_owner is None for c in chunks.values())
    assert chunks[1].attempts in (1, 2)
    assert all(c.attempts == 1 for i, c in chunks.items() if i != 1)
    _exactly_once(fleet.settings)


# ---------------------------------------------------------------------------------- case 10
def test_10_hard_time_limit_ends_the_document_timed_out_at_once(fleet):
    """A task whose process stops answering (stopped, so not even the soft limit's handler
    can run) is killed by the hard time limit (20 s here); the worker's main process records
    the document `timed_out` at once: not left `running` under a dead lease for the
    reconciler, nor made poison only after three time limits."""
    path = fleet.tmp / "stuck.txt"
    path.write_text(contract_text(8, sections=2))
    limits = {"DOCPIPE_TASK_TIME_LIMIT": "20", "DOCPIPE_LEASE_SECONDS": "30"}
    fleet.worker(**limits)
    assert fleet.cli("ingest", str(path), **limits).returncode == 0
    pid = _wait_for(lambda: _running_chunk(fleet.settings, 1, 0), what="chunk 0 running")
    _stopped(pid)
    stopped_at = time.monotonic()

    def ended():
        docs = fleet.docs()
        return docs[0] if docs and docs[0].status == "failed" else None

    doc = _wait_for(ended, timeout=90, what="the document to fail timed_out")
    assert time.monotonic() - stopped_at < 60
    assert doc.error_code == "timed_out", (doc.error_code, doc.error_message)
    assert "hard time limit of 20s" in doc.error_message
    run = _run(fleet)
    assert run.status == "failed" and run.error_code == "timed_out"
    assert "Hard time limit (20" in fleet.logs_full()
    time.sleep(3)  # a requeued delivery, if any, must not bring the run back
    assert _run(fleet).status == "failed"
    assert fleet.docs()[0].status == "failed"


# ---------------------------------------------------------------------------------- case 13
@pytest.fixture
def small_postgres():
    """A private cluster with room for 8 connections in all."""
    server = PrivatePostgres(max_connections=8)
    server.start()
    yield server
    server.close()


@pytest.fixture
def pg_schema_url(request):
    """Case 13 uses the private, connection-limited cluster; every other test the shared one."""
    if "small_postgres" in request.fixturenames:
        yield request.getfixturevalue("small_postgres").url
        from docpipe.store.db import get_engine

        get_engine(request.getfixturevalue("small_postgres").url).dispose()
    else:
        from tests.conftest import pg_schema

        yield from pg_schema()


def test_13_connection_limit_with_workers_and_the_api_clean_retries(small_postgres, fleet):
    """PostgreSQL allows 8 connections; three workers and the API (its pool alone may open 10)
    share them while 12 clients list and search and 3 documents are uploaded. New
    connections wait for a free slot instead of failing: every request is answered 2xx,
    every document ends done exactly once, and the logs show the limit was really met."""
    folder = _write_docs(fleet.tmp / "in", 3, sections=1)
    added = fleet.cli("user", "add", "ana", "--role", "uploader", "--matter", "acme")
    assert added.returncode == 0, added.stderr
    key = added.stdout.strip()
    for _ in range(3):
        fleet.worker()
    port = free_port()
    api_log = open(fleet.tmp / "api.log", "w")
    api = subprocess.Popen([str(fleet.bin / "docpipe"), "serve", "--port", str(port), "--log-level", "warning"],
                           env=fleet.env, cwd=fleet.root, stdout=api_log, stderr=subprocess.STDOUT,
                           start_new_session=True)
    try:
        import httpx

        base = f"http://127.0.0.1:{port}"
        _wait_for(lambda: _answers(base), timeout=60, what="the API to start")
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            uploads = [client.post("/api/v1/documents", files={"file": (p.name, p.read_bytes(), "text/plain")},
                                   data={"matter": "acme"}) for p in sorted(folder.iterdir())]
            assert [r.status_code for r in uploads] == [202] * 3, [r.text for r in uploads]

            def read(n: int) -> int:
                path = "/api/v1/documents" if n % 2 else "/api/v1/search?q=Supplier"
                return client.get(path).status_code

            statuses = []
            with ThreadPoolExecutor(12) as pool:
                for _ in range(2):
                    statuses += list(pool.map(read, range(48)))
        assert set(statuses) == {200}, sorted(set(statuses))
        docs = fleet.wait_all(3, timeout=600)
        assert [d.status for d in docs] == ["done"] * 3, fleet.logs()
        _exactly_once(fleet.settings)
    finally:
        os.killpg(api.pid, signal.SIGTERM)
        api.wait(timeout=30)
    logs = fleet.logs_full() + (fleet.tmp / "api.log").read_text()
    assert "waiting for a database connection" in logs, "the connection limit was never met"
    assert "Traceback" not in (fleet.tmp / "api.log").read_text()


def _answers(base: str) -> bool:
    import httpx

    try:
        return httpx.get(base + "/healthz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def test_settings_tie_the_soft_limit_to_the_hard_one():
    """The soft limit leaves the task time to record `timed_out` itself, for any hard limit."""
    from docpipe.fleet.dispatch import celery_config
    from docpipe.settings import Settings

    for hard, soft in ((3600, 3540), (20, 18), (2, 1)):
        config = celery_config(Settings(broker_url="redis://127.0.0.1:1/0", task_time_limit=hard,
                                        lease_seconds=hard + 10))
        assert (config["task_time_limit"], config["task_soft_time_limit"]) == (hard, soft)
