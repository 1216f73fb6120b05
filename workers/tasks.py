"""Thin tasks: ids in, docpipe called, nothing else. Settings are read per process."""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from docpipe.errors import TIMED_OUT, DocpipeError
from docpipe.fleet import fanout
from docpipe.pipeline.stages import record_failure
from docpipe.services import batches, governance
from docpipe.services.caller import LOCAL_OPERATOR
from docpipe.settings import Settings, load_settings


@lru_cache(maxsize=1)
def _settings() -> Settings:
    return load_settings()


def _within_limit(run_id: int, what: str, work: Callable[[], None]) -> None:
    """Run a stage; past the soft time limit, record `timed_out` before the task ends."""
    try:
        work()
    except SoftTimeLimitExceeded:
        record_failure(_settings(), run_id, DocpipeError(
            f"{what} exceeded the task time limit of {_settings().task_time_limit}s", code=TIMED_OUT))


@shared_task(name="docpipe.parse")
def parse(run_id: int) -> None:
    _within_limit(run_id, "parse and plan", lambda: fanout.run_parse(_settings(), run_id))


@shared_task(name="docpipe.map")
def map_chunk(run_id: int, chunk_index: int) -> None:
    _within_limit(run_id, f"chunk {chunk_index}", lambda: fanout.run_map(_settings(), run_id, chunk_index))


@shared_task(name="docpipe.reduce")
def reduce(run_id: int) -> None:
    _within_limit(run_id, "reduce", lambda: fanout.run_reduce(_settings(), run_id))


@shared_task(name="docpipe.reconcile")
def reconcile() -> int:
    return len(fanout.reconcile(_settings()))


@shared_task(name="docpipe.batch_scan")
def batch_scan(folder: str, matter: str) -> dict:
    return batches.scan_folder(_settings(), LOCAL_OPERATOR, Path(folder), matter=matter).counts


@shared_task(name="docpipe.retention")
def retention() -> dict:
    report = governance.run_retention(_settings(), LOCAL_OPERATOR)
    return {"purged": report.purged, "kept_on_hold": report.kept_on_hold}
