"""Claims and leases on units of distributed work, kept in the database (the record).

A run has three kinds of unit: parse (run-level), map (one per chunk) and reduce
(run-level). Row claims use ``SELECT ... FOR UPDATE`` on PostgreSQL (run row, then chunk row). Whether
a lease is still live (its worker alive) is the fleet's judgement, passed in as
``is_live``.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from docpipe.domain import RunStatus, Stage, WorkUnit
from docpipe.errors import POISON
from docpipe.store.models import ChunkRecord, Run, utcnow
from docpipe.store.records import aware
from docpipe.store.runs import fail_run

LeaseCheck = Callable[[str | None, datetime | None, datetime], bool]
PARSE_STAGES = (Stage.QUEUED, Stage.PARSE, Stage.PLAN)
REDUCE_STAGES = (Stage.REDUCE_QUEUED, Stage.REDUCE)


def _locked(session: Session, stmt):
    """The row, locked for this transaction. It waits for a sibling's lock instead of
    skipping the row: a run row is briefly held by every chunk's claim and result, and
    "skip locked" made a chunk's delivery look like "nothing to do" while a sibling held it,
    stranding that chunk (RELIABILITY case 11). Locks are taken run row first, then chunk
    rows, everywhere (``runs.save_chunk_result`` too), so waiting cannot deadlock."""
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def _chunk(run_id: int, index: int | None):
    return select(ChunkRecord).where(ChunkRecord.run_id == run_id, ChunkRecord.index == index)


def _bump(run: Run, target, unit: WorkUnit) -> int:
    if unit == WorkUnit.MAP:
        target.attempts = (target.attempts or 0) + 1
        return target.attempts
    field = _attempts_field(unit)
    setattr(run, field, (getattr(run, field) or 0) + 1)
    return getattr(run, field)


def _attempts_field(unit: WorkUnit) -> str:
    """The run's counter of a run-level unit's deliveries."""
    return "parse_attempts" if unit == WorkUnit.PARSE else "reduce_attempts"


def claim_unit(session: Session, *, run_id: int, unit: WorkUnit, chunk_index: int | None, owner: str,
               lease_seconds: int, max_attempts: int, is_live: LeaseCheck) -> bool:
    """Claim one unit for ``owner``: count the attempt and take a lease. False: do nothing
    (finished, held by a live lease elsewhere, failed, or poison: failed here with the reason)."""
    now = utcnow()
    run = _locked(session, select(Run).where(Run.id == run_id))
    if run is None or run.status in (RunStatus.DONE, RunStatus.FAILED):
        return False
    if unit == WorkUnit.MAP:
        target = _locked(session, _chunk(run_id, chunk_index))
        if target is None or target.result is not None:
            return False
    else:
        if run.stage not in (PARSE_STAGES if unit == WorkUnit.PARSE else REDUCE_STAGES):
            return False
        target = run
    if target.lease_owner != owner and is_live(target.lease_owner, target.lease_until, now):
        return False
    attempts = _bump(run, target, unit)
    if attempts > max_attempts:
        what = f"chunk {chunk_index}" if unit == WorkUnit.MAP else f"the {unit} stage"
        fail_run(session, run_id=run_id, code=POISON,
                 message=f"{what} was delivered {attempts - 1} times (limit {max_attempts}); its worker "
                         "never finished it (crashed, killed or timed out each time)")
        return False
    target.lease_owner = owner
    target.lease_until = now + timedelta(seconds=lease_seconds)
    run.attempts = max(run.attempts or 0, attempts)
    return True


def release_unit(session: Session, *, run_id: int, unit: WorkUnit, chunk_index: int | None,
                 refund: bool = False) -> None:
    """Drop the unit's lease. ``refund``: the attempt did not count (the database went away
    under it: not the document's fault), so a flapping database never makes a document poison."""
    run = _locked(session, select(Run).where(Run.id == run_id))
    target = _locked(session, _chunk(run_id, chunk_index)) if unit == WorkUnit.MAP else run
    if target is None:
        return
    target.lease_owner = target.lease_until = None
    if refund:
        if unit == WorkUnit.MAP:
            target.attempts = max(0, (target.attempts or 0) - 1)
        else:
            field = _attempts_field(unit)
            setattr(run, field, max(0, (getattr(run, field) or 0) - 1))


def mark_enqueued(session: Session, *, run_id: int, unit: WorkUnit, chunk_indexes: list[int] | None) -> None:
    now = utcnow()
    run = session.get(Run, run_id)
    if unit == WorkUnit.MAP:
        for rec in session.scalars(select(ChunkRecord).where(ChunkRecord.run_id == run_id)):
            if chunk_indexes is None or rec.index in chunk_indexes:
                rec.enqueued_at = now
    else:
        run.enqueued_at = now
        if unit == WorkUnit.REDUCE and run.stage not in (Stage.REDUCE, Stage.DONE):
            run.stage = Stage.REDUCE_QUEUED


def chunk_finished(session: Session, *, run_id: int, chunk_index: int) -> bool:
    """Record a chunk as finished; True exactly once, for the call that completes the set
    (the caller then enqueues reduce). Idempotent, and called again by a redelivered chunk
    whose result is already stored: a worker that died (or lost the database) between
    storing the last result and this call must not strand the run in the map stage."""
    run = _locked(session, select(Run).where(Run.id == run_id))
    if run is None or run.status in (RunStatus.DONE, RunStatus.FAILED):
        return False
    records = list(session.scalars(select(ChunkRecord).where(ChunkRecord.run_id == run_id)))
    for rec in records:
        if rec.index == chunk_index and rec.result is not None:  # never another worker's live claim
            rec.lease_owner = rec.lease_until = None
            rec.finished_at = rec.finished_at or utcnow()
    if run.stage != Stage.MAP or any(r.result is None for r in records):
        return False
    run.stage, run.enqueued_at = Stage.REDUCE_QUEUED, utcnow()
    return True


def stale_units(session: Session, *, grace_seconds: int, is_live: LeaseCheck) -> list[tuple[int, WorkUnit, int | None]]:
    """Work that was enqueued (or should have been) but that nobody holds: lost from Redis,
    or its worker died. Each is safe to enqueue again (claims make repeats no-ops)."""
    now = utcnow()
    cutoff = now - timedelta(seconds=grace_seconds)

    def idle(enqueued_at, owner, until) -> bool:
        old = aware(enqueued_at) is None or aware(enqueued_at) <= cutoff
        return old and not is_live(owner, until, now)

    out: list[tuple[int, WorkUnit, int | None]] = []
    for run in session.scalars(select(Run).where(Run.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)))):
        if run.stage in PARSE_STAGES and idle(run.enqueued_at, run.lease_owner, run.lease_until):
            out.append((run.id, WorkUnit.PARSE, None))
        elif run.stage in REDUCE_STAGES and idle(run.enqueued_at, run.lease_owner, run.lease_until):
            out.append((run.id, WorkUnit.REDUCE, None))
        elif run.stage == Stage.MAP:
            records = list(session.scalars(select(ChunkRecord).where(ChunkRecord.run_id == run.id)
                                           .order_by(ChunkRecord.index)))
            for rec in records:
                if rec.result is None and idle(rec.enqueued_at, rec.lease_owner, rec.lease_until):
                    out.append((run.id, WorkUnit.MAP, rec.index))
            if records and all(r.result is not None for r in records) and \
                    idle(max(aware(r.finished_at or r.enqueued_at) or now for r in records), None, None):
                # every result stored, the run never moved on (its last worker died before
                # `chunk_finished`): the last chunk's redelivery completes the bookkeeping
                out.append((run.id, WorkUnit.MAP, records[-1].index))
    return out
