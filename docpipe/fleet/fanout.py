"""The pipeline as units of work for Celery workers. The same stage functions as inline
execution (docpipe.pipeline.stages); this module adds the claims (docpipe.fleet.claims)
and the fan-out: parse+plan -> one map task per chunk (in parallel across llm workers) ->
reduce once.

Every send happens after the database commit that makes the work visible; a send that
fails leaves the work recorded as queued, and the reconciler sends it later.
"""
from __future__ import annotations

import logging

from docpipe.domain import DocumentKind, Stage, WorkUnit
from docpipe.errors import DatabaseUnavailable, DocpipeError
from docpipe.fleet import claims, dispatch
from docpipe.pipeline.stages import map_stage, parse_stage, plan_stage, record_failure, reduce_stage, start_run
from docpipe.settings import Settings
from docpipe.store import runs
from docpipe.store.db import session_scope

log = logging.getLogger(__name__)
TASKS = {WorkUnit.PARSE: dispatch.PARSE, WorkUnit.MAP: dispatch.MAP, WorkUnit.REDUCE: dispatch.REDUCE}


def submit(settings: Settings, document_id: int, *, kind: DocumentKind | None = None) -> tuple[int, bool]:
    """Record a queued run, then enqueue its parse. Returns (run id, sent now)."""
    run_id = start_run(settings, document_id, queued=True, kind=kind)
    return run_id, _send(settings, run_id, WorkUnit.PARSE)


def _send(settings: Settings, run_id: int, unit: WorkUnit, chunk_index: int | None = None) -> bool:
    args = (run_id,) if chunk_index is None else (run_id, chunk_index)
    try:
        dispatch.send(settings, TASKS[unit], *args)
    except DocpipeError as exc:
        log.warning("%s; run %s stays queued and the reconciler will send it", exc, run_id)
        return False
    claims.mark_enqueued(settings, run_id, unit, None if chunk_index is None else [chunk_index])
    return True


def _guarded(settings: Settings, run_id: int, unit: WorkUnit, chunk_index: int | None, work) -> None:
    """Run ``work`` under a claim; bad input and model faults fail the document with their
    reason. Anything else releases the claim and propagates (Celery logs it; the attempt
    stays counted)."""
    if not claims.claim(settings, run_id, unit, chunk_index):
        log.info("run %s %s %s: nothing to do (done, held elsewhere, or failed)", run_id, unit, chunk_index)
        return
    try:
        work()
    except DatabaseUnavailable as exc:  # not the document's fault: give it back, send it again
        log.warning("run %s %s %s: %s; the unit goes back to the queue when the database answers",
                    run_id, unit, chunk_index, exc)
        claims.release(settings, run_id, unit, chunk_index, refund=True)
        _send(settings, run_id, unit, chunk_index)
    except DocpipeError as exc:
        record_failure(settings, run_id, exc)
    except Exception:
        claims.release(settings, run_id, unit, chunk_index)
        raise


def run_parse(settings: Settings, run_id: int) -> None:
    def work():
        with session_scope(settings.resolved_database_url) as s:
            kind = runs.get_run(s, run_id=run_id).kind
        parse_stage(settings, run_id)
        _, n_chunks = plan_stage(settings, run_id, kind=DocumentKind(kind) if kind else None)
        with session_scope(settings.resolved_database_url) as s:
            runs.enter_stage(s, run_id=run_id, stage=Stage.MAP, release_lease=True)
        for index in range(n_chunks):
            _send(settings, run_id, WorkUnit.MAP, index)
    _guarded(settings, run_id, WorkUnit.PARSE, None, work)


def run_map(settings: Settings, run_id: int, chunk_index: int) -> None:
    _guarded(settings, run_id, WorkUnit.MAP, chunk_index, lambda: map_stage(settings, run_id, chunk_index))
    # also after a delivery that found the result already stored (see claims.chunk_finished)
    if claims.chunk_finished(settings, run_id, chunk_index):
        _send(settings, run_id, WorkUnit.REDUCE)


def run_reduce(settings: Settings, run_id: int) -> None:
    _guarded(settings, run_id, WorkUnit.REDUCE, None, lambda: reduce_stage(settings, run_id))


def reconcile(settings: Settings, *, grace_seconds: int | None = None) -> list[tuple[int, WorkUnit, int | None]]:
    """Send again every unit that is queued or leased but that nobody holds."""
    stale = claims.stale_units(settings, grace_seconds=grace_seconds)
    for run_id, unit, index in stale:
        _send(settings, run_id, unit, index)
    return stale
