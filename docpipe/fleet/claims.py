"""Claims on units of distributed work, for this worker process.

Every delivery of a unit claims it first (``docpipe.store.claims`` keeps the record):

- the claim counts the attempt in the database (Redis counts nothing); past
  ``max_attempts`` the document is failed as poison, with the reason;
- a unit already finished, or held by a live lease of another worker, is not run again
  (a duplicate delivery is a no-op);
- a lease whose owner died (same host, pid gone) or expired is void, so redelivered work
  resumes at once; the reconciler re-enqueues work that nobody holds.
"""
from __future__ import annotations

import os
import socket
from datetime import datetime

from docpipe.domain import WorkUnit
from docpipe.settings import Settings
from docpipe.store import claims
from docpipe.store.db import session_scope
from docpipe.store.records import aware


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def lease_is_live(owner: str | None, until: datetime | None, now: datetime) -> bool:
    """A lease holds while it has not expired and, on this host, its process is alive."""
    until = aware(until)
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


def claim(settings: Settings, run_id: int, unit: WorkUnit, chunk_index: int | None = None,
          *, owner: str | None = None) -> bool:
    """Claim one unit for this worker. False: do nothing (done, held, failed or poison)."""
    with session_scope(settings.resolved_database_url) as s:
        return claims.claim_unit(s, run_id=run_id, unit=unit, chunk_index=chunk_index,
                                 owner=owner or worker_id(), lease_seconds=settings.lease_seconds,
                                 max_attempts=settings.max_attempts, is_live=lease_is_live)


def release(settings: Settings, run_id: int, unit: WorkUnit, chunk_index: int | None = None) -> None:
    with session_scope(settings.resolved_database_url) as s:
        claims.release_unit(s, run_id=run_id, unit=unit, chunk_index=chunk_index)


def mark_enqueued(settings: Settings, run_id: int, unit: WorkUnit, chunk_indexes: list[int] | None = None) -> None:
    with session_scope(settings.resolved_database_url) as s:
        claims.mark_enqueued(s, run_id=run_id, unit=unit, chunk_indexes=chunk_indexes)


def chunk_finished(settings: Settings, run_id: int, chunk_index: int) -> bool:
    """True exactly once, for the call that completes the run's chunks."""
    with session_scope(settings.resolved_database_url) as s:
        return claims.chunk_finished(s, run_id=run_id, chunk_index=chunk_index)


def stale_units(settings: Settings, *, grace_seconds: int | None = None) -> list[tuple[int, WorkUnit, int | None]]:
    grace = settings.reconcile_grace if grace_seconds is None else grace_seconds
    with session_scope(settings.resolved_database_url) as s:
        return claims.stale_units(s, grace_seconds=grace, is_live=lease_is_live)
