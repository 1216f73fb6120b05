"""Throughput of the fleet against inline execution on the same documents.

    .venv/bin/python benchmarks/throughput.py [--docs 8] [--sections 6]

Needs the local PostgreSQL (127.0.0.1:5432, database test) and Redis (127.0.0.1:6379).
For each configuration (inline; 1 llm worker process; 2 llm worker processes) it ingests
the same generated contracts into a fresh schema, waits until all are done, and prints
documents per hour, LLM tokens per second (evaluated + generated, over wall time), and the
share of worker time spent outside the stages (queue, database and idle time).
Worker processes get DOCPIPE_THREADS = cores / processes so llama.cpp threads do not fight.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import docpipe  # noqa: E402,F401
from docpipe.store.db import ensure_schema, session_scope  # noqa: E402
from docpipe.store.models import Document, Run  # noqa: E402
from tests.integration.test_workers import contract_text  # noqa: E402

PG = "postgresql+psycopg://root@127.0.0.1:5432/test"
BIN = Path(sys.executable).parent


def fresh_schema() -> str:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with create_engine(PG).begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    return schema


def drop_schema(schema: str) -> None:
    with create_engine(PG).begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def measure(label: str, folder: Path, workers: int, n_docs: int, tmp: Path) -> dict:
    schema = fresh_schema()
    url = f"{PG}?options=-csearch_path%3D{schema}"
    ensure_schema(url, auto_upgrade=True)
    cores = os.cpu_count() or 1
    env = {**os.environ, "DOCPIPE_DATABASE_URL": url, "DOCPIPE_DATA_DIR": str(tmp / schema),
           "DOCPIPE_N_CTX": "2048", "DOCPIPE_THREADS": str(max(1, cores // max(1, workers)))}
    procs = []
    if workers:
        env["DOCPIPE_BROKER_URL"] = "redis://127.0.0.1:6379/14"
        subprocess.run(["redis-cli", "-n", "14", "flushdb"], capture_output=True)
        for _ in range(workers):
            procs.append(subprocess.Popen([str(BIN / "docpipe"), "worker", "--queues", "parse,llm",
                                           "--concurrency", "1", "--loglevel", "WARNING"],
                                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True))
        time.sleep(6)  # workers up and models loaded lazily on first task
    started = time.perf_counter()
    subprocess.run([str(BIN / "docpipe"), "ingest", str(folder)], env=env, capture_output=True, check=False)
    while True:
        with session_scope(url) as s:
            docs = list(s.scalars(select(Document)))
            if len(docs) == n_docs and all(d.status in ("done", "failed") for d in docs):
                runs = list(s.scalars(select(Run)))
                break
        time.sleep(0.5)
    wall = time.perf_counter() - started
    for p in procs:
        os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        p.wait(timeout=30)
    llm_s = sum(r.llm_seconds for r in runs)
    stage_s = sum(sum(v for k, v in (r.timings or {}).items() if k != "total") for r in runs)
    tokens = sum(r.tokens_evaluated + r.tokens_generated for r in runs)
    capacity = wall * max(1, workers)
    drop_schema(schema)
    return {"config": label, "done": sum(d.status == "done" for d in docs), "wall_s": wall,
            "docs_per_hour": n_docs / wall * 3600, "llm_tok_s": tokens / wall,
            "llm_share": llm_s / capacity, "overhead_share": max(0.0, capacity - stage_s) / capacity}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=8)
    ap.add_argument("--sections", type=int, default=6)
    args = ap.parse_args()
    tmp = Path("/tmp") / f"docpipe-throughput-{os.getpid()}"
    folder = tmp / "in"
    folder.mkdir(parents=True)
    for n in range(args.docs):
        (folder / f"contract-{n:02d}.txt").write_text(contract_text(n, args.sections))
    rows = [measure("inline", folder, 0, args.docs, tmp),
            measure("1 llm worker", folder, 1, args.docs, tmp),
            measure("2 llm workers", folder, 2, args.docs, tmp)]
    print(f"{args.docs} generated contracts of {args.sections} sections, n_ctx 2048, {os.cpu_count()} cores")
    print(f"{'config':<15} {'done':>4} {'wall s':>8} {'docs/hour':>10} {'LLM tok/s':>10} {'in model':>9} {'outside':>9}")
    for r in rows:
        print(f"{r['config']:<15} {r['done']:>4} {r['wall_s']:>8.1f} {r['docs_per_hour']:>10.0f} "
              f"{r['llm_tok_s']:>10.0f} {r['llm_share']:>8.0%} {r['overhead_share']:>8.0%}")


if __name__ == "__main__":
    main()
