"""Thin tasks: ids in, docpipe stages called, nothing else. Settings are read per process."""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from docpipe import distributed
from docpipe.errors import DocpipeError
from docpipe.pipeline import record_failure
from docpipe.settings import Settings


@lru_cache(maxsize=1)
def _settings() -> Settings:
    return Settings()


def _within_limit(run_id: int, what: str, work: Callable[[], None]) -> None:
    """Run a stage; past the soft time limit, record `timed_out` before the task ends."""
    try:
        work()
    except SoftTimeLimitExceeded:
        record_failure(_settings(), run_id, DocpipeError(
            f"{what} exceeded the task time limit of {_settings().task_time_limit}s", code="timed_out"))


@shared_task(name="docpipe.parse")
def parse(run_id: int) -> None:
    _within_limit(run_id, "parse and plan", lambda: distributed.run_parse(_settings(), run_id))


@shared_task(name="docpipe.map")
def map_chunk(run_id: int, chunk_index: int) -> None:
    _within_limit(run_id, f"chunk {chunk_index}",
                  lambda: distributed.run_map(_settings(), run_id, chunk_index))


@shared_task(name="docpipe.reduce")
def reduce(run_id: int) -> None:
    _within_limit(run_id, "reduce", lambda: distributed.run_reduce(_settings(), run_id))


@shared_task(name="docpipe.reconcile")
def reconcile() -> int:
    return len(distributed.reconcile(_settings()))


@shared_task(name="docpipe.batch_scan")
def batch_scan(folder: str, matter: str) -> dict:
    from pathlib import Path

    from docpipe.batch import scan_folder

    return scan_folder(_settings(), Path(folder), matter=matter).counts
