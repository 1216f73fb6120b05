"""A service really going down under a working fleet (RELIABILITY.md cases 5 and 12): a
private Redis SIGKILLed and started again on its own append-only file with work queued and a
chunk in flight, and a private PostgreSQL stopped (immediate) while a chunk's LLM work runs.
Real `celery worker` processes with the beat, so the reconciler runs by itself; the machine's
shared Redis and PostgreSQL are never stopped (tests/services.py)."""
from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from docpipe.store.db import get_engine, session_scope
from docpipe.store.models import ChunkRecord, FindingRecord, Run, Summary
from tests.conftest import IN_CI, pg_schema
from tests.integration.conftest import _exactly_once, _running_chunk, _wait_for, _write_docs, contract_text
from tests.services import PrivatePostgres, PrivateRedis

pytestmark = [pytest.mark.model, pytest.mark.timeout(600)]

# The worker runs the beat; its reconciler every 3 s re-sends what sat queued or leased 5 s
# (the fleet's DOCPIPE_RECONCILE_GRACE) with no live holder. No brief points: these tests
# are about the fleet, and the reduce stage stays short.
WORKER_ENV = {"DOCPIPE_RECONCILE_INTERVAL": "3", "DOCPIPE_BRIEF_POINTS": "0"}
# the reconciler's own task finishing, with the number of units it sent again (Celery's log line)
RECONCILED = re.compile(r"docpipe\.reconcile\[[0-9a-f-]+\] succeeded in [0-9.]+s: (\d+)")


def _require(what: str, found: bool) -> None:
    """A missing server binary skips the test (with its reason), and fails it in CI."""
    if not found:
        if IN_CI:
            pytest.fail(f"{what} is not installed: CI must run the service-restart tests")
        pytest.skip(f"{what} is not installed")


@pytest.fixture
def private_redis():
    _require("redis-server", shutil.which("redis-server") is not None)
    server = PrivateRedis()
    server.start()
    yield server
    server.close()


@pytest.fixture
def private_pg():
    try:
        server = PrivatePostgres()
    except FileNotFoundError as exc:
        _require(f"PostgreSQL ({exc})", False)
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_url(private_redis):
    """The fleet's broker: this module's own Redis, which a test may kill and start again."""
    return private_redis.url


@pytest.fixture
def pg_schema_url(request):
    """The fleet's database: a private PostgreSQL where the test asks for one (it is
    stopped), else a fresh schema in the shared one (never stopped)."""
    if "private_pg" in request.fixturenames:
        server = request.getfixturevalue("private_pg")
        yield server.url
        get_engine(server.url).dispose()
    else:
        yield from pg_schema()


def _log(fleet, offset: int = 0) -> str:
    return (fleet.tmp / "worker-0.log").read_text()[offset:]


def _start_worker(fleet, **env):
    """The one worker, with the beat, once it is ready: the CLI starts only then (a worker and
    a CLI that both find no master key race to make it, and the one reading the other's
    half-written file refuses to start)."""
    worker = fleet.worker(beat=True, **WORKER_ENV, **env)
    _wait_for(lambda: " ready." in _log(fleet) or worker.poll() is not None, timeout=120, what="the worker ready")
    assert worker.poll() is None, fleet.logs()
    return worker


def _leased_chunk(settings):
    """(run id, chunk index, pid) of a chunk that a worker child is analysing now."""
    with session_scope(settings.resolved_database_url) as s:
        rec = s.scalar(select(ChunkRecord).where(ChunkRecord.lease_owner.is_not(None), ChunkRecord.result.is_(None))
                       .order_by(ChunkRecord.id).limit(1))
        if rec is not None:
            return rec.run_id, rec.index, int(rec.lease_owner.rpartition(":")[2])
    return None


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie does not: a worker's main process reaps its pool's
    children only while its event loop turns, not while it waits to reconnect)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _chunk(settings, run_id: int, index: int) -> ChunkRecord:
    with session_scope(settings.resolved_database_url) as s:
        return s.scalar(select(ChunkRecord).where(ChunkRecord.run_id == run_id, ChunkRecord.index == index))


def _leases(settings) -> list:
    """Every run and chunk that still names a lease holder."""
    with session_scope(settings.resolved_database_url) as s:
        out = [("run", r.id, r.status, r.lease_owner) for r in s.scalars(select(Run).where(Run.lease_owner.is_not(None)))]
        out += [("chunk", c.run_id, c.index, c.lease_owner)
                for c in s.scalars(select(ChunkRecord).where(ChunkRecord.lease_owner.is_not(None)))]
    return out


def test_redis_killed_with_work_queued_and_a_chunk_in_flight_the_beat_reconciler_finishes_all(fleet, private_redis):
    """Case 5. Three documents queued on one worker (with the beat); while the first one's
    chunk is being analysed, Redis is SIGKILLed, and started again on its folder (the
    append-only file keeps the queued messages) once that chunk's delivery has ended: either
    its child was terminated on the connection loss (worker_cancel_long_running_tasks_on_
    connection_loss), so the chunk is lost, its message unacknowledged in Redis for the
    visibility timeout (hours), or the child ran on, stored the chunk during the outage and
    could not send the reduce. Either way only the reconciler, run by the beat, sends that work
    again: without it the test fails (checked: a worker without the beat leaves run 1 running).
    Every document ends done, exactly once, on the same worker process."""
    import redis

    folder = _write_docs(fleet.tmp / "in", 3, sections=0)  # title, parties, law: one chunk each
    worker = _start_worker(fleet)
    out = fleet.cli("ingest", str(folder))
    assert out.returncode == 0, out.stderr
    assert out.stderr.count("queued") == 3, out.stderr
    run_id, index, pid = _wait_for(lambda: _leased_chunk(fleet.settings), timeout=120,
                                   what="a chunk leased by a worker child")
    client = private_redis.client()
    queued = client.llen("parse") + client.llen("llm")
    assert queued >= 1, "no work left queued in Redis"
    offset = len(_log(fleet))
    private_redis.kill()
    down = time.monotonic()
    with pytest.raises(redis.exceptions.ConnectionError):
        client.ping()  # really down
    _wait_for(lambda: "Connection to broker lost" in _log(fleet, offset), timeout=30,
              what="the worker to see the broker gone")
    # down until the delivery in flight has ended: its child terminated, or (the cancel came
    # before the child had reported the task started, or SIGTERM hit llama.cpp's log callback,
    # which swallows it) its chunk stored and the reduce's send refused
    _wait_for(lambda: not _alive(pid) or "stays queued and the reconciler will send it" in _log(fleet, offset),
              timeout=120, what="the delivery in flight to end")
    child_died = not _alive(pid)
    time.sleep(max(0.0, 3 - (time.monotonic() - down)))
    private_redis.start()  # the same folder: the append-only file brings the queued work back
    assert client.dbsize() > 0
    docs = fleet.wait_all(3, timeout=180)
    assert [d.status for d in docs] == ["done"] * 3, [(d.id, d.status, d.error_message) for d in docs]
    _exactly_once(fleet.settings)
    assert worker.poll() is None, fleet.logs()  # the same worker process rode out the outage
    log = _log(fleet, offset)
    assert re.search(r"Connected to redis://", log), log[-3000:]  # it reconnected
    resent = [int(n) for n in RECONCILED.findall(log)]
    assert any(resent), (resent, fleet.logs())  # the beat's reconciler ran after the outage and sent work
    rec = _chunk(fleet.settings, run_id, index)
    assert rec.result is not None and rec.finished_at is not None
    if child_died:  # analysed again, once, after the reconciler sent it
        assert rec.attempts == 2, rec.attempts
    assert [lease for lease in _leases(fleet.settings) if lease[0] == "chunk" or lease[2] != "done"] == []
    print(f"\n{queued} message(s) queued at the kill; chunk {index} of run {run_id} in child {pid}, which "
          f"{'was terminated' if child_died else 'finished it during the outage'}; reconciler runs sent {resent}")


def test_postgres_stopped_mid_map_each_stage_all_or_nothing_and_the_run_finishes(fleet, private_pg):
    """Case 12. One contract in three chunks on one worker (with the beat). While the last
    chunk's LLM work runs, PostgreSQL stops (immediate) and stays down until that task has
    tried to store its result and failed (the worker log says so), then starts again. Nothing
    is half written: that chunk has neither result nor finish time; the chunks finished
    before are untouched; every chunk ends with both; findings only from finished chunks. The
    worker's connections recover, the document ends done exactly once, and no chunk or run
    keeps a lease (a release lost to the outage would leave the chunk leased by a live worker
    for lease_seconds, an hour, and nobody would send it again)."""
    path = fleet.tmp / "three-chunks.txt"
    path.write_text(contract_text(99, sections=1))
    chunking = {"DOCPIPE_CHUNK_TOKENS": "100"}  # title and parties / section 1 / governing law
    worker = _start_worker(fleet, **chunking)
    assert fleet.cli("ingest", str(path), **chunking).returncode == 0
    run_id = 1
    _wait_for(lambda: _running_chunk(fleet.settings, run_id, 0), timeout=120, what="chunk 0 running")
    with session_scope(fleet.settings.resolved_database_url) as s:
        total = s.get(Run, run_id).chunks_total
    assert total >= 3, total
    last = total - 1  # the one cut off: the others are finished by then
    pid = _wait_for(lambda: _running_chunk(fleet.settings, run_id, last), timeout=180, what=f"chunk {last} running")
    before = [(c.result, c.finished_at, c.attempts) for c in (_chunk(fleet.settings, run_id, i) for i in range(last))]
    assert all(result is not None and finished is not None for result, finished, _ in before)
    offset = len(_log(fleet))
    private_pg.stop("immediate")
    with pytest.raises(RuntimeError):
        private_pg.sql("SELECT 1")  # really down
    failed = re.compile(rf"run {run_id} map {last}: the database is unreachable"  # given back (docpipe's warning)
                        r"|docpipe\.map\[[0-9a-f-]+\] raised unexpected: \w+\('the database is unreachable")
    _wait_for(lambda: failed.search(_log(fleet, offset)), timeout=120,
              what=f"chunk {last}'s task to try to store its result and fail")
    assert _alive(pid)  # the child that ran it saw the failure and lives on
    private_pg.start()
    rec = _chunk(fleet.settings, run_id, last)  # the test's own pool recovers too (pool_pre_ping)
    assert rec.result is None and rec.finished_at is None, (rec.result, rec.finished_at)  # nothing half-written
    [doc] = fleet.wait_all(1, timeout=180)
    assert doc.status == "done", (doc.error_code, doc.error_message, fleet.logs())
    assert worker.poll() is None, fleet.logs()  # the same worker process, its connections recovered
    with session_scope(fleet.settings.resolved_database_url) as s:
        chunks = list(s.scalars(select(ChunkRecord).where(ChunkRecord.run_id == run_id).order_by(ChunkRecord.index)))
        assert len(chunks) == total
        assert all(c.result is not None and c.finished_at is not None for c in chunks)
        assert [(c.result, c.finished_at, c.attempts) for c in chunks[:last]] == before  # not redone
        assert chunks[last].attempts in (1, 2), chunks[last].attempts  # 1: the failed attempt refunded
        spans = [(c.first_unit, c.last_unit) for c in chunks]
        units = [f.unit_id for f in s.scalars(select(FindingRecord).where(FindingRecord.run_id == run_id))]
        assert units and all(any(a <= u <= b for a, b in spans) for u in units if u is not None), (units, spans)
        assert s.scalar(select(Summary).where(Summary.run_id == run_id)) is not None
        assert s.get(Run, run_id).chunks_done == total
    _exactly_once(fleet.settings)
    assert RECONCILED.search(_log(fleet, offset)), fleet.logs()  # the beat's reconciler ran after the restart
    assert _leases(fleet.settings) == []
