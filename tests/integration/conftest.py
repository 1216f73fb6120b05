"""Fixtures shared by the integration tests that run a real fleet: real Redis, real
PostgreSQL, real `celery worker` processes and the real bundled model."""
from __future__ import annotations

import base64
import os
import random
import re
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
           "DOCPIPE_MAX_ATTEMPTS": "3", "DOCPIPE_THREADS": "1",
           "DOCPIPE_BRIEF_POINTS": "3"}  # fewer brief calls: these tests are about the fleet
    settings = Settings(data_dir=tmp_path / "data", database_url=pg_schema_url, broker_url=redis_url, n_ctx=2048, threads=1)
    ensure_schema(pg_schema_url, auto_upgrade=True)
    procs: list[subprocess.Popen] = []

    class Fleet:
        def __init__(self):
            self.env, self.settings, self.tmp = env, settings, tmp_path
            self.bin, self.root = BIN, ROOT

        def worker(self, queues="parse,llm", concurrency=1, loglevel="INFO", beat=False, **extra):
            """A real `docpipe worker` (``beat``: with the scheduler, so the reconciler runs on
            its own every DOCPIPE_RECONCILE_INTERVAL seconds); ``extra``: its environment."""
            log = open(tmp_path / f"worker-{len(procs)}.log", "w")
            proc = subprocess.Popen([str(BIN / "docpipe"), "worker", "--queues", queues, "--concurrency",
                                     str(concurrency), "--loglevel", loglevel, *(["--beat"] if beat else [])],
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

        def logs_full(self) -> str:
            return "\n".join(p.read_text() for p in sorted(tmp_path.glob("worker-*.log")))

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


def redis_values(client) -> dict[str, bytes]:
    """Every key of a Redis db with everything stored under it (the leak and erasure scans)."""
    read = {b"string": lambda k: [client.get(k)], b"list": lambda k: client.lrange(k, 0, -1),
            b"hash": lambda k: [x for kv in client.hgetall(k).items() for x in kv],
            b"set": lambda k: list(client.smembers(k)), b"zset": lambda k: client.zrange(k, 0, -1)}
    out = {}
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        if kind == b"none":  # gone between SCAN and TYPE
            continue
        assert kind in read, f"Redis key {key!r} is a {kind!r}, which this scan does not read"
        out[f"redis key {key!r}"] = b"\n".join([key, *(v for v in read[kind](key) if v is not None)])
    return out


def canary_forms(canary: str) -> list[bytes]:
    """The canary as bytes (lower case: compare with lower-cased data), and as it reads inside
    base64 (Celery message bodies) at each of the three byte alignments (the leak and erasure scans)."""
    raw, forms = canary.encode(), []
    for pad in range(3):
        padded = b"\0" * pad + raw
        forms.append(base64.b64encode(padded)[4 if pad else 0: len(padded) // 3 * 4])
    return [raw.lower(), *forms]


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


def _succeeded(log: str, task: str) -> int:
    """How many deliveries of ``task`` a worker finished (Celery's own log line)."""
    return len(re.findall(re.escape(task) + r"\[[0-9a-f-]+\] succeeded in", log))
