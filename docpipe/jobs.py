"""Units of distributed work and their claims, kept in the database (the record), never in
Redis. A run has three kinds of unit: parse (run-level), map (one per chunk) and reduce
(run-level). Every delivery of a unit claims it first:

- the claim counts the attempt in the database (Redis counts nothing); past
  ``max_attempts`` the document is failed as poison, with the reason;
- a unit already finished, or held by a live lease of another worker, is not run again
  (a duplicate delivery is a no-op);
- a lease whose owner died (same host, pid gone) or expired is void, so redelivered work
  resumes at once; the reconciler re-enqueues work that nobody holds.

Row claims use ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL.
"""
from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta, timezone
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from docpipe.settings import Settings
from docpipe.store import repository as repo
from docpipe.store.db import session_scope
from docpipe.store.models import ChunkRecord, Run, utcnow

Unit = Literal["parse", "map", "reduce"]


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:  # SQLite returns naive datetimes
        return moment.replace(tzinfo=timezone.utc)
    return moment


def lease_is_live(owner: str | None, until: datetime | None, now: datetime | None = None) -> bool:
    """A lease holds while it has not expired and, on this host, its process is alive."""
    now = now or utcnow()
    until = _aware(until)
    if not owner or until is None or until <= now:
        return False
    host, _, pid = owner.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
    return True


def _locked(session: Session, stmt):
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return session.scalar(stmt)


def _poison(session: Session, run: Run, what: str, attempts: int, limit: int) -> None:
    repo.fail(session, document=run.document, run=run, code="poison",
              message=f"{what} was delivered {attempts} times (limit {limit}); its worker never "
                      "finished it (crashed, killed or timed out each time)")


def claim(settings: Settings, run_id: int, unit: Unit, chunk_index: int | None = None,
          *, owner: str | None = None) -> bool:
    """Claim one unit for this worker. False: do nothing (done, held, failed or poison)."""
    owner = owner or worker_id()
    now = utcnow()
    with session_scope(settings.resolved_database_url) as s:
        run = _locked(s, select(Run).where(Run.id == run_id))
        if run is None or run.status in ("done", "failed"):
            return False
        if unit == "map":
            target = _locked(s, select(ChunkRecord).where(ChunkRecord.run_id == run_id,
                                                          ChunkRecord.index == chunk_index))
            if target is None or target.result is not None:
                return False
            holder, until = target.lease_owner, target.lease_until
        else:
            if (unit == "parse" and run.stage not in ("queued", "parse", "plan")) or \
               (unit == "reduce" and run.stage not in ("reduce_queued", "reduce")):
                return False
            target, holder, until = run, run.lease_owner, run.lease_until
        if holder != owner and lease_is_live(holder, until, now):
            return False
        attempts = _bump(run, target, unit)
        if attempts > settings.max_attempts:
            what = f"chunk {chunk_index}" if unit == "map" else f"the {unit} stage"
            _poison(s, run, what, attempts - 1, settings.max_attempts)
            return False
        target.lease_owner = owner
        target.lease_until = now + timedelta(seconds=settings.lease_seconds)
        run.attempts = max(run.attempts or 0, attempts)
        return True


def _bump(run: Run, target, unit: Unit) -> int:
    if unit == "map":
        target.attempts = (target.attempts or 0) + 1
        return target.attempts
    field = "parse_attempts" if unit == "parse" else "reduce_attempts"
    setattr(run, field, (getattr(run, field) or 0) + 1)
    return getattr(run, field)


def release(settings: Settings, run_id: int, unit: Unit, chunk_index: int | None = None) -> None:
    with session_scope(settings.resolved_database_url) as s:
        if unit == "map":
            target = s.scalar(select(ChunkRecord).where(ChunkRecord.run_id == run_id,
                                                        ChunkRecord.index == chunk_index))
        else:
            target = s.get(Run, run_id)
        if target is not None:
            target.lease_owner = target.lease_until = None


def mark_enqueued(settings: Settings, run_id: int, unit: Unit, chunk_indexes: list[int] | None = None) -> None:
    now = utcnow()
    with session_scope(settings.resolved_database_url) as s:
        run = s.get(Run, run_id)
        if unit == "map":
            for rec in repo.chunk_records(s, run_id=run_id):
                if chunk_indexes is None or rec.index in chunk_indexes:
                    rec.enqueued_at = now
        else:
            run.enqueued_at = now
            if unit == "reduce" and run.stage not in ("reduce", "done"):
                run.stage = "reduce_queued"


def chunk_finished(settings: Settings, run_id: int, chunk_index: int) -> bool:
    """Record a chunk as finished; True exactly once, for the call that completes the set
    (the caller then enqueues reduce)."""
    with session_scope(settings.resolved_database_url) as s:
        run = s.scalar(select(Run).where(Run.id == run_id).with_for_update()) \
            if s.bind.dialect.name == "postgresql" else s.get(Run, run_id)
        records = repo.chunk_records(s, run_id=run_id)
        for rec in records:
            if rec.index == chunk_index:
                rec.lease_owner = rec.lease_until = None
                rec.finished_at = utcnow()
        if run.stage != "map" or any(r.result is None for r in records):
            return False
        run.stage, run.enqueued_at = "reduce_queued", utcnow()
        return True


def stale_units(settings: Settings, *, grace_seconds: int | None = None) -> list[tuple[int, Unit, int | None]]:
    """Work that was enqueued (or should have been) but that nobody holds: lost from Redis,
    or its worker died. Each is safe to enqueue again (claims make repeats no-ops)."""
    grace = timedelta(seconds=settings.reconcile_grace if grace_seconds is None else grace_seconds)
    now = utcnow()
    out: list[tuple[int, Unit, int | None]] = []
    with session_scope(settings.resolved_database_url) as s:
        runs = s.scalars(select(Run).where(Run.status.in_(("queued", "running"))))
        for run in runs:
            old = _aware(run.enqueued_at) is None or _aware(run.enqueued_at) <= now - grace
            if run.stage in ("queued", "parse", "plan") and old and not lease_is_live(run.lease_owner, run.lease_until, now):
                out.append((run.id, "parse", None))
            elif run.stage in ("reduce_queued", "reduce") and old and not lease_is_live(run.lease_owner, run.lease_until, now):
                out.append((run.id, "reduce", None))
            elif run.stage == "map":
                for rec in repo.chunk_records(s, run_id=run.id):
                    stale = _aware(rec.enqueued_at) is None or _aware(rec.enqueued_at) <= now - grace
                    if rec.result is None and stale and not lease_is_live(rec.lease_owner, rec.lease_until, now):
                        out.append((run.id, "map", rec.index))
    return out
