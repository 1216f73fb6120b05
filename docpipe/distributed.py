"""The pipeline as units of work for Celery workers. The same stage functions as inline
execution (docpipe.pipeline); this module adds the claims (docpipe.jobs) and the fan-out:
parse+plan -> one map task per chunk (in parallel across llm workers) -> reduce once.

Every send happens after the database commit that makes the work visible; a send that
fails leaves the work recorded as queued, and the reconciler sends it later.
"""
from __future__ import annotations

import logging

from docpipe import PIPELINE_VERSION, jobs, queue
from docpipe.domain import DocumentKind
from docpipe.errors import DocpipeError
from docpipe.pipeline import map_stage, parse_stage, plan_stage, record_failure, reduce_stage
from docpipe.settings import Settings
from docpipe.store import repository as repo
from docpipe.store.db import session_scope
from docpipe.store.models import Run

log = logging.getLogger(__name__)


def submit(settings: Settings, document_id: int, *, kind: DocumentKind | None = None) -> tuple[int, bool]:
    """Record a queued run, then enqueue its parse. Returns (run id, sent now)."""
    with session_scope(settings.resolved_database_url) as s:
        run = repo.create_run(s, document_id=document_id, pipeline_version=PIPELINE_VERSION)
        run.status, run.stage, run.attempts = "queued", "queued", 0
        run.kind = kind.value if kind else None
        doc = run.document
        doc.status, doc.error_code, doc.error_message = "queued", None, None
        run_id = run.id
    return run_id, _send(settings, run_id, "parse")


def _send(settings: Settings, run_id: int, unit: jobs.Unit, chunk_index: int | None = None) -> bool:
    task = {"parse": queue.PARSE, "map": queue.MAP, "reduce": queue.REDUCE}[unit]
    args = (run_id,) if chunk_index is None else (run_id, chunk_index)
    try:
        queue.send(settings, task, *args)
    except DocpipeError as exc:
        log.warning("%s; run %s stays queued and the reconciler will send it", exc, run_id)
        return False
    jobs.mark_enqueued(settings, run_id, unit, None if chunk_index is None else [chunk_index])
    return True


def _guarded(settings: Settings, run_id: int, unit: jobs.Unit, chunk_index: int | None, work) -> None:
    """Run ``work`` under a claim; bad input and model faults fail the document with their
    reason. Anything else releases the claim and propagates (Celery logs it; the attempt
    stays counted)."""
    if not jobs.claim(settings, run_id, unit, chunk_index):
        log.info("run %s %s %s: nothing to do (done, held elsewhere, or failed)", run_id, unit, chunk_index)
        return
    try:
        work()
    except DocpipeError as exc:
        record_failure(settings, run_id, exc)
    except Exception:
        jobs.release(settings, run_id, unit, chunk_index)
        raise


def run_parse(settings: Settings, run_id: int) -> None:
    def work():
        with session_scope(settings.resolved_database_url) as s:
            run = s.get(Run, run_id)
            run.status = "running"
            kind = DocumentKind(run.kind) if run.kind else None
        parse_stage(settings, run_id)
        _, n_chunks = plan_stage(settings, run_id, kind=kind)
        with session_scope(settings.resolved_database_url) as s:
            run = s.get(Run, run_id)
            run.stage, run.lease_owner, run.lease_until = "map", None, None
        for index in range(n_chunks):
            _send(settings, run_id, "map", index)
    _guarded(settings, run_id, "parse", None, work)


def run_map(settings: Settings, run_id: int, chunk_index: int) -> None:
    def work():
        map_stage(settings, run_id, chunk_index)
        if jobs.chunk_finished(settings, run_id, chunk_index):
            _send(settings, run_id, "reduce")
    _guarded(settings, run_id, "map", chunk_index, work)


def run_reduce(settings: Settings, run_id: int) -> None:
    _guarded(settings, run_id, "reduce", None, lambda: reduce_stage(settings, run_id))


def reconcile(settings: Settings, *, grace_seconds: int | None = None) -> list[tuple[int, str, int | None]]:
    """Send again every unit that is queued or leased but that nobody holds."""
    stale = jobs.stale_units(settings, grace_seconds=grace_seconds)
    for run_id, unit, index in stale:
        _send(settings, run_id, unit, index)
    return stale
