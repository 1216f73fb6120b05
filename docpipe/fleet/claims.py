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

import logging
import os
import socket
import time
from datetime import datetime

from docpipe.domain import WorkUnit
from docpipe.errors import DatabaseUnavailable
from docpipe.settings import Settings
from docpipe.store import claims
from docpipe.store.db import session_scope
from docpipe.store.records import aware

log = logging.getLogger(__name__)


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
        return not _zombie(int(pid))
    return True


def _zombie(pid: int) -> bool:
    """A killed pool child that its worker has not reaped yet (while it reconnects to the
    broker, say) still answers signal 0, but holds nothing."""
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def claim(settings: Settings, run_id: int, unit: WorkUnit, chunk_index: int | None = None,
          *, owner: str | None = None) -> bool:
    """Claim one unit for this worker. False: do nothing (done, held, failed or poison)."""
    with session_scope(settings.resolved_database_url) as s:
        return claims.claim_unit(s, run_id=run_id, unit=unit, chunk_index=chunk_index,
                                 owner=owner or worker_id(), lease_seconds=settings.lease_seconds,
                                 max_attempts=settings.max_attempts, is_live=lease_is_live)


def release(settings: Settings, run_id: int, unit: WorkUnit, chunk_index: int | None = None,
            *, refund: bool = False) -> None:
    """Give the unit back. While the database does not answer, wait for it (up to
    OUTAGE_WAIT): a release lost to a dropped connection would leave the unit leased by this
    live worker for ``lease_seconds``, and nobody would send it again for an hour."""
    when_the_database_answers(settings, lambda s: claims.release_unit(
        s, run_id=run_id, unit=unit, chunk_index=chunk_index, refund=refund))


OUTAGE_WAIT = 900.0


def when_the_database_answers(settings: Settings, work, *, wait: float | None = None):
    """``work(session)`` in one transaction, tried again with backoff while the database is
    unavailable (restarting, out of slots), for up to ``wait`` seconds (OUTAGE_WAIT)."""
    deadline = time.monotonic() + (OUTAGE_WAIT if wait is None else wait)
    pause = 0.2
    while True:
        try:
            with session_scope(settings.resolved_database_url) as s:
                return work(s)
        except DatabaseUnavailable as exc:
            if time.monotonic() >= deadline:
                raise
            log.warning("%s; trying again in %.1fs", exc, pause)
            time.sleep(pause)
            pause = min(pause * 2, 5.0)


def mark_enqueued(settings: Settings, run_id: int, unit: WorkUnit, chunk_indexes: list[int] | None = None) -> None:
    with session_scope(settings.resolved_database_url) as s:
        claims.mark_enqueued(s, run_id=run_id, unit=unit, chunk_indexes=chunk_indexes)


def chunk_finished(settings: Settings, run_id: int, chunk_index: int) -> bool:
    """True exactly once, for the call that completes the run's chunks (waits out a short
    database outage: the chunk's result is stored, its bookkeeping must follow)."""
    return when_the_database_answers(settings, lambda s: claims.chunk_finished(s, run_id=run_id,
                                                                               chunk_index=chunk_index))


def stale_units(settings: Settings, *, grace_seconds: int | None = None) -> list[tuple[int, WorkUnit, int | None]]:
    grace = settings.reconcile_grace if grace_seconds is None else grace_seconds
    with session_scope(settings.resolved_database_url) as s:
        return claims.stale_units(s, grace_seconds=grace, is_live=lease_is_live)
