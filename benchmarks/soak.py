"""Soak: many small documents through a fleet under chaos (RELIABILITY.md, "Workers and queues").

    .venv/bin/python benchmarks/soak.py [--documents 200] [--workers 3] [--minutes 20]
        [--kill-every 20] [--redis-restarts 2] [--private-postgres] [--json]

Starts a private Redis (append-only file on, tests/services.py) and a fresh schema in the
PostgreSQL `test` database on 127.0.0.1:5432 (or, with --private-postgres, a throw-away
cluster), then ``--workers`` real `docpipe worker` processes (parse and llm queues,
concurrency 1; the first with --beat, so the reconciler runs every --interval seconds), and
ingests ``--documents`` small generated contracts through the broker. While they run, a
chaos loop SIGKILLs one worker's pool child every --kill-every seconds (a child that holds
a lease when there is one, so the kill lands mid-task) and stops and starts Redis
--redis-restarts times on the same AOF folder (when a third, two thirds... of the documents
are final, or of the time limit has passed, whichever comes first). It waits until every document is final or --minutes have passed, then prints:

- documents accepted / done / failed / lost (accepted but not final at the end) /
  duplicated (more than one run, summary, or the same finding twice for one document);
- the chaos events done, redeliveries seen, units re-sent by the reconciler;
- the time to drain (ingest start to every document final) and the load average.

Expected: 0 lost, 0 duplicated. Not a test (pytest does not collect benchmarks/). With
--json the figures are also written to benchmarks/results/soak-<N>docs.json. The schema (or
cluster) and Redis are removed at the end; the worker logs are kept when anything was lost
or duplicated (the path is printed), or always with --keep.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import docpipe  # noqa: E402,F401  (offline environment first)
from docpipe.store.db import ensure_schema, get_engine, session_scope  # noqa: E402
from docpipe.store.models import ChunkRecord, Document, FindingRecord, Run, Summary  # noqa: E402
from tests.integration.conftest import contract_text  # noqa: E402
from tests.services import PrivatePostgres, PrivateRedis  # noqa: E402

PG = "postgresql+psycopg://root@127.0.0.1:5432/test"
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results"
FINAL = ("done", "failed")


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the database -------------------------------------------------------------------------

class Database:
    """A fresh schema in the shared `test` database, or a private cluster."""

    def __init__(self, private: bool):
        self.private = PrivatePostgres(max_connections=100) if private else None
        if self.private:
            self.private.start()
            self.url = self.private.url
            self.schema = None
        else:
            self.schema = f"soak_{uuid.uuid4().hex[:8]}"
            with create_engine(PG).begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            self.url = f"{PG}?options=-csearch_path%3D{self.schema}"
        ensure_schema(self.url, auto_upgrade=True)

    def close(self) -> None:
        get_engine(self.url).dispose()
        if self.private:
            self.private.close()
            return
        admin = create_engine(PG)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        admin.dispose()


# --- processes ----------------------------------------------------------------------------

def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Fleet:
    def __init__(self, env: dict, folder: Path, n: int):
        self.env, self.folder, self.procs = env, folder, []
        for number in range(n):
            log = open(folder / f"worker-{number}.log", "w")
            self.procs.append(subprocess.Popen(
                [str(BIN / "docpipe"), "worker", "--queues", "parse,llm", "--concurrency", "1",
                 "--loglevel", "INFO", *(["--beat"] if number == 0 else [])],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))

    def pool_children(self) -> dict[int, int]:
        """pid of each worker's child -> worker number (the beat worker's beat process too)."""
        return {child: number for number, p in enumerate(self.procs) for child in children(p.pid)}

    def stop(self) -> None:
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=30)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.folder.glob("worker-*.log")))


# --- observations -------------------------------------------------------------------------

def statuses(url: str) -> Counter:
    with session_scope(url) as s:
        return Counter(dict(s.execute(select(Document.status, func.count()).group_by(Document.status)).all()))


def leases(url: str) -> list[tuple[int, str, int | None, int]]:
    """(run, unit, chunk, pid) of every lease held now on this host."""
    host = socket.gethostname()
    out = []
    with session_scope(url) as s:
        for run in s.scalars(select(Run).where(Run.status.in_(("queued", "running")), Run.lease_owner.is_not(None))):
            h, _, pid = run.lease_owner.rpartition(":")
            if h == host and pid.isdigit():
                out.append((run.id, "reduce" if run.stage.startswith("reduce") else "parse", None, int(pid)))
        for rec in s.scalars(select(ChunkRecord).where(ChunkRecord.lease_owner.is_not(None),
                                                      ChunkRecord.result.is_(None))):
            h, _, pid = rec.lease_owner.rpartition(":")
            if h == host and pid.isdigit():
                out.append((rec.run_id, "map", rec.index, int(pid)))
    return out


def duplicated(url: str) -> dict[int, list[str]]:
    """Document id -> what it has more than once (see `_exactly_once` in test_workers.py)."""
    found: dict[int, list[str]] = {}
    with session_scope(url) as s:
        for doc, n in s.execute(select(Run.document_id, func.count()).group_by(Run.document_id)
                                .having(func.count() > 1)).all():
            found.setdefault(doc, []).append(f"{n} runs")
        for doc, run, n in s.execute(select(Run.document_id, Summary.run_id, func.count())
                                     .join(Run, Run.id == Summary.run_id)
                                     .group_by(Run.document_id, Summary.run_id).having(func.count() > 1)).all():
            found.setdefault(doc, []).append(f"run {run}: {n} summaries")
        for doc, run, field, unit, n in s.execute(
                select(FindingRecord.document_id, FindingRecord.run_id, FindingRecord.field,
                       FindingRecord.unit_id, func.count())
                .group_by(FindingRecord.document_id, FindingRecord.run_id, FindingRecord.field, FindingRecord.unit_id)
                .having(func.count() > 1)).all():
            found.setdefault(doc, []).append(f"run {run}: finding {field}@{unit} x{n}")
    return found


UNIT_TASK = {"parse": "docpipe.parse", "map": "docpipe.map", "reduce": "docpipe.reduce"}


def in_redis(client) -> tuple[set, set]:
    """(task, args) of every message waiting in a queue, and of every message a worker has
    taken but not acknowledged (kombu's ``unacked`` hash: after a lost connection these come
    back only after the visibility timeout)."""
    def key(raw) -> tuple | None:
        try:
            message = json.loads(raw)
            headers = message.get("headers") or {}
            return headers.get("task"), tuple(json.loads(headers.get("argsrepr") or "[]"))
        except (ValueError, TypeError, AttributeError):
            return None

    queued = {key(raw) for queue in ("parse", "llm") for raw in client.lrange(queue, 0, -1)}
    unacked = set()
    for raw in client.hvals("unacked"):
        try:
            unacked.add(key(json.dumps(json.loads(raw)[0])))
        except (ValueError, TypeError, IndexError):
            pass
    return queued - {None}, unacked - {None}


def pending_units(s, run) -> list[tuple[str, int | None, object, object, object]]:
    """The units a run still needs: (unit, chunk, enqueued_at, lease owner, lease until)."""
    if run.stage in ("queued", "parse", "plan"):
        return [("parse", None, run.enqueued_at, run.lease_owner, run.lease_until)]
    if run.stage in ("reduce_queued", "reduce"):
        return [("reduce", None, run.enqueued_at, run.lease_owner, run.lease_until)]
    return [("map", rec.index, rec.enqueued_at, rec.lease_owner, rec.lease_until)
            for rec in s.scalars(select(ChunkRecord).where(ChunkRecord.run_id == run.id, ChunkRecord.result.is_(None))
                                 .order_by(ChunkRecord.index))]


def classify(url: str, client) -> Counter:
    """Each document not final, by where its next unit of work is: held by a live worker,
    waiting in a Redis queue, only in Redis's unacked set, or nowhere (stranded: only the
    reconciler can send it again)."""
    queued, unacked = in_redis(client)
    now = time.time()
    out: Counter = Counter()
    with session_scope(url) as s:
        for doc in s.scalars(select(Document).where(Document.status.not_in(FINAL))):
            run = s.scalar(select(Run).where(Run.document_id == doc.id).order_by(Run.id.desc()).limit(1))
            places = set()
            for unit, index, _, owner, until in ([] if run is None else pending_units(s, run)):
                args = (run.id,) if index is None else (run.id, index)
                pid = (owner or "").rpartition(":")[2]
                if owner and until and until.timestamp() > now and pid.isdigit() and alive(int(pid)):
                    places.add("held by a live worker")
                elif (UNIT_TASK[unit], args) in queued:
                    places.add("waiting in a Redis queue")
                elif (UNIT_TASK[unit], args) in unacked:
                    places.add("only in Redis unacked")
                else:
                    places.add("stranded")
            for place in ("held by a live worker", "waiting in a Redis queue", "only in Redis unacked", "stranded"):
                if place in places or (place == "stranded" and not places):
                    out[place] += 1
                    break
    return out


def unfinished(url: str, limit: int = 15) -> list[str]:
    """Where each document not final stands (the evidence when something is lost)."""
    rows = []
    now = time.time()
    with session_scope(url) as s:
        for doc in s.scalars(select(Document).where(Document.status.not_in(FINAL)).order_by(Document.id).limit(limit)):
            run = s.scalar(select(Run).where(Run.document_id == doc.id).order_by(Run.id.desc()).limit(1))
            if run is None:
                rows.append(f"document {doc.id} {doc.status}: no run")
                continue

            def lease(owner, until):
                if not owner:
                    return "no lease"
                pid = owner.rpartition(":")[2]
                state = "alive" if pid.isdigit() and alive(int(pid)) else "dead"
                left = f", {until.timestamp() - now:.0f}s left" if until else ""
                return f"lease {owner} ({state}{left})"

            def age(when):
                return "never enqueued" if when is None else f"enqueued {now - when.timestamp():.0f}s ago"

            line = (f"document {doc.id} {doc.status}: run {run.id} {run.status}/{run.stage} attempts "
                    f"{run.attempts} (parse {run.parse_attempts}, reduce {run.reduce_attempts}), "
                    f"{age(run.enqueued_at)}, {lease(run.lease_owner, run.lease_until)}")
            if run.stage == "map":
                for rec in s.scalars(select(ChunkRecord).where(ChunkRecord.run_id == run.id,
                                                               ChunkRecord.result.is_(None))):
                    line += (f"\n    chunk {rec.index} attempts {rec.attempts}, {age(rec.enqueued_at)}, "
                             f"{lease(rec.lease_owner, rec.lease_until)}")
            rows.append(line)
    return rows


def redeliveries(url: str) -> dict:
    with session_scope(url) as s:
        runs = list(s.scalars(select(Run)))
        chunk_attempts = Counter(a for (a,) in s.execute(select(ChunkRecord.attempts)).all())
    return {"runs_with_attempts_over_1": sum((r.attempts or 0) > 1 for r in runs),
            "max_attempts": max((r.attempts or 0 for r in runs), default=0),
            "chunk_attempts": dict(sorted(chunk_attempts.items()))}


CHAOS_NOISE = re.compile(r"WorkerLostError|exited with 'signal 9|Error 111 connecting|Connection refused|"
                         r"Connection to broker lost|Couldn't apply scheduled task|Gossip|cannot be acknowledged "
                         r"after a connection loss|Restoring \d+ unacknowledged")


def unexpected_errors(logs: str) -> Counter:
    """ERROR and CRITICAL log lines of the workers, less those the chaos itself causes."""
    found: Counter = Counter()
    for line in logs.splitlines():
        if re.search(r": (ERROR|CRITICAL)/", line) and not CHAOS_NOISE.search(line):
            found[re.sub(r"\[[0-9a-f-]{36}\]|\d+", "#", line.split("] ", 1)[-1])[:200]] += 1
    return found


def reconciler_resent(logs: str) -> int:
    """Units the beat reconciler re-sent (its task returns how many)."""
    return sum(int(n) for n in re.findall(r"docpipe\.reconcile\[[0-9a-f-]+\] succeeded in [0-9.]+s: (\d+)", logs))


# --- the run ------------------------------------------------------------------------------

def soak(args) -> dict:
    tmp = Path("/tmp") / f"docpipe-soak-{os.getpid()}"
    (tmp / "in").mkdir(parents=True)
    for n in range(args.documents):
        (tmp / "in" / f"contract-{n:03d}.txt").write_text(contract_text(n, args.sections))
    redis = PrivateRedis()
    redis.start()
    try:
        db = Database(args.private_postgres)
    except BaseException:
        redis.close()
        raise
    env = {**os.environ, "DOCPIPE_DATABASE_URL": db.url, "DOCPIPE_BROKER_URL": redis.url,
           "DOCPIPE_DATA_DIR": str(tmp / "data"), "DOCPIPE_N_CTX": "2048", "DOCPIPE_THREADS": "1",
           "DOCPIPE_BRIEF_POINTS": str(args.brief_points), "DOCPIPE_RECONCILE_GRACE": str(args.grace),
           "DOCPIPE_RECONCILE_INTERVAL": str(args.interval), "DOCPIPE_MAX_ATTEMPTS": str(args.max_attempts)}
    rng = random.Random(args.seed)
    kills: list[dict] = []
    restarts: list[dict] = []
    load_start = os.getloadavg()
    result: dict = {}
    fleet = None
    try:
        fleet = Fleet(env, tmp, args.workers)
        say(f"{args.workers} workers, Redis {redis.url}, database {db.url}; ingesting {args.documents} documents")
        started = time.monotonic()
        deadline = started + args.minutes * 60
        ingest = subprocess.run([str(BIN / "docpipe"), "ingest", str(tmp / "in")], env=env, cwd=ROOT,
                                capture_output=True, text=True, timeout=max(60, args.minutes * 60))
        ingest_s = time.monotonic() - started
        queued_now = ingest.stderr.count(" queued -> ")
        recorded_only = ingest.stderr.count("broker unreachable")
        say(f"ingest rc {ingest.returncode} in {ingest_s:.1f}s: {queued_now} queued, {recorded_only} recorded only")
        if ingest.returncode != 0:
            say("ingest stderr (tail):\n" + ingest.stderr[-2000:])
        thresholds = [(k + 1) / (args.redis_restarts + 1) for k in range(args.redis_restarts)]
        next_kill = time.monotonic() + args.kill_every
        drained_at = None
        last_report = 0.0
        while time.monotonic() < deadline:
            counts = statuses(db.url)
            accepted = sum(counts.values())
            final = counts["done"] + counts["failed"]
            if accepted and final == accepted and accepted >= queued_now + recorded_only:
                drained_at = time.monotonic()
                break
            if time.monotonic() - last_report > 30:
                say(f"{dict(counts)}  kills {len(kills)}  Redis restarts {len(restarts)}")
                last_report = time.monotonic()
            elapsed = (time.monotonic() - started) / (args.minutes * 60)
            if thresholds and accepted and (final / accepted >= thresholds[0] or elapsed >= thresholds[0]):
                thresholds.pop(0)
                at = time.monotonic() - started
                say(f"chaos: Redis stop ({final}/{accepted} final)")
                redis.stop()
                time.sleep(args.redis_down)
                redis.start()
                restarts.append({"at_s": round(at, 1), "final_before": final,
                                 "down_s": round(time.monotonic() - started - at, 1)})
                say("chaos: Redis started again on the same AOF folder")
            if time.monotonic() >= next_kill:
                next_kill = time.monotonic() + args.kill_every
                kills.append(kill_one(fleet, db.url, rng, time.monotonic() - started))
            time.sleep(1)
        drain_s = None if drained_at is None else drained_at - started
        if drained_at is None:
            say(f"not drained within {args.minutes} min")
        counts = statuses(db.url)
        dupes = duplicated(db.url)
        logs = fleet.logs()
        with session_scope(db.url) as s:
            reasons = Counter(f"{d.error_code}" for d in s.scalars(select(Document).where(Document.status == "failed")))
        result = {
            "documents": args.documents, "sections": args.sections, "workers": args.workers,
            "brief_points": args.brief_points, "cores": os.cpu_count(), "minutes": args.minutes,
            "accepted": sum(counts.values()), "done": counts["done"], "failed": counts["failed"],
            "failed_reasons": dict(reasons),
            "lost": sum(n for status, n in counts.items() if status not in FINAL),
            "not_accepted": args.documents - sum(counts.values()),
            "duplicated": len(dupes), "duplicates": {str(k): v for k, v in sorted(dupes.items())[:20]},
            "kills": len([k for k in kills if k["pid"]]),
            "kills_busy": Counter(k["unit"] for k in kills if k["unit"]),
            "redis_restarts": len(restarts), "redis_restart_events": restarts,
            "reconciler_resent": reconciler_resent(logs), **redeliveries(db.url),
            "ingest_s": round(ingest_s, 1), "drain_s": None if drain_s is None else round(drain_s, 1),
            "load_start": [round(x, 2) for x in load_start], "load_end": [round(x, 2) for x in os.getloadavg()],
            "unexpected_errors": dict(unexpected_errors(logs).most_common(10)),
            "lost_where": dict(classify(db.url, redis.client())),
            "unfinished": unfinished(db.url) if counts and any(s not in FINAL for s in counts) else [],
        }
    finally:
        if fleet is not None:
            fleet.stop()
        redis.close()
        keep = args.keep or not result or result.get("lost") or result.get("duplicated")
        db.close()
        if keep:
            shutil.rmtree(tmp / "data", ignore_errors=True)
            result["logs"] = str(tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return result


def kill_one(fleet: Fleet, url: str, rng: random.Random, at: float) -> dict:
    """SIGKILL one pool child: one that holds a lease (mid-task) when there is one, else the
    child of a random worker without beat (so the beat process is never the one killed)."""
    children_of = fleet.pool_children()
    busy = [(run, unit, index, pid) for run, unit, index, pid in leases(url) if pid in children_of]
    if busy:
        run, unit, index, pid = rng.choice(busy)
    else:
        plain = [pid for pid, number in children_of.items() if number != 0]
        if not plain:
            return {"at_s": round(at, 1), "pid": None, "unit": None}
        run, unit, index, pid = None, None, None, rng.choice(plain)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return {"at_s": round(at, 1), "pid": None, "unit": None}
    what = f"run {run} {unit}" + (f" chunk {index}" if index is not None else "") if unit else "an idle child"
    say(f"chaos: SIGKILL pid {pid} of worker {children_of[pid]} ({what})")
    return {"at_s": round(at, 1), "pid": pid, "worker": children_of[pid], "unit": unit, "run": run}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=200)
    ap.add_argument("--sections", type=int, default=1, help="sections per generated contract (1 or 2: small)")
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--minutes", type=float, default=20, help="the most the run may take")
    ap.add_argument("--kill-every", type=float, default=20, help="seconds between pool-child SIGKILLs")
    ap.add_argument("--redis-restarts", type=int, default=2)
    ap.add_argument("--redis-down", type=float, default=5, help="seconds Redis stays down each time")
    ap.add_argument("--brief-points", type=int, default=1, help="DOCPIPE_BRIEF_POINTS (model calls per brief)")
    ap.add_argument("--grace", type=int, default=60, help="DOCPIPE_RECONCILE_GRACE for the workers")
    ap.add_argument("--interval", type=int, default=15, help="DOCPIPE_RECONCILE_INTERVAL (beat)")
    ap.add_argument("--max-attempts", type=int, default=3, help="DOCPIPE_MAX_ATTEMPTS")
    ap.add_argument("--private-postgres", action="store_true", help="a throw-away cluster instead of a schema in `test`")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", action="store_true", help="keep the worker logs")
    ap.add_argument("--json", action="store_true", help="also write benchmarks/results/soak-<N>docs.json")
    args = ap.parse_args()
    r = soak(args)
    drain = "not drained" if r["drain_s"] is None else f"{r['drain_s']:.1f} s"
    busy = ", ".join(f"{unit} {n}" for unit, n in sorted(r["kills_busy"].items())) or "none"
    print(f"soak: {r['documents']} documents of {r['sections']} section(s), {r['workers']} workers (1 with beat), "
          f"brief points {r['brief_points']}, {r['cores']} cores, limit {r['minutes']:g} min")
    print(f"documents   accepted {r['accepted']}  done {r['done']}  failed {r['failed']}  lost {r['lost']}  "
          f"duplicated {r['duplicated']}" + (f"  not accepted {r['not_accepted']}" if r["not_accepted"] else ""))
    if r["failed_reasons"]:
        print("failed      " + ", ".join(f"{k}: {v}" for k, v in sorted(r["failed_reasons"].items())))
    print(f"chaos       {r['kills']} pool children SIGKILLed (mid-task: {busy}), "
          f"{r['redis_restarts']} Redis restart(s) "
          + ", ".join(f"at {e['at_s']:.0f}s ({e['down_s']:.0f}s down)" for e in r["redis_restart_events"]))
    print(f"redelivery  runs with attempts > 1: {r['runs_with_attempts_over_1']} (max {r['max_attempts']}); "
          f"chunk attempts {r['chunk_attempts']}; reconciler re-sent {r['reconciler_resent']} unit(s)")
    print(f"drain       ingest {r['ingest_s']:.1f} s, every document final after {drain}")
    print(f"load        load average {r['load_end'][0]:.2f} {r['load_end'][1]:.2f} {r['load_end'][2]:.2f} at the end "
          f"(at the start {r['load_start'][0]:.2f})")
    if r["lost_where"]:
        print("lost where  " + ", ".join(f"{place} {n}" for place, n in r["lost_where"].items()))
    print(f"errors      {sum(r['unexpected_errors'].values())} worker error line(s) not caused by the chaos itself")
    for line, n in r["unexpected_errors"].items():
        print(f"  {n:>4} x {line}")
    for dup, what in r["duplicates"].items():
        print(f"duplicate   document {dup}: {'; '.join(what)}")
    for line in r["unfinished"]:
        print(f"lost        {line}")
    if r.get("logs"):
        print(f"logs        {r['logs']}")
    if args.json:
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"soak-{r['documents']}docs.json"
        out.write_text(json.dumps(r, indent=2, default=str) + "\n")
        print(f"wrote {out}")
    sys.exit(1 if r["lost"] or r["duplicated"] else 0)


if __name__ == "__main__":
    main()
