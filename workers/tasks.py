"""Thin tasks: ids in, docpipe called, nothing else. Settings are read per process."""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.worker.request import Request

from docpipe.errors import TIMED_OUT, DocpipeError
from docpipe.fleet import fanout
from docpipe.pipeline.stages import record_failure
from docpipe.services import batches, governance
from docpipe.services.caller import LOCAL_OPERATOR
from docpipe.settings import Settings, load_settings


log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _settings() -> Settings:
    return load_settings()


class RecordsHardTimeouts(Request):
    """Past the hard time limit the pool kills the task's process, so none of the task's own
    code runs again (the soft limit's handler cannot run inside a native call or a stopped
    process). Celery calls this in the worker's main process: the document is recorded as
    `timed_out` at once, instead of sitting `running` under a dead lease until the
    reconciler sends it again, and poison only after max_attempts time limits (case 10)."""

    def on_timeout(self, soft: bool, timeout: float) -> None:
        super().on_timeout(soft, timeout)
        if soft or not self.args:
            return
        try:
            record_failure(_settings(), int(self.args[0]), DocpipeError(
                f"{self.name} exceeded the hard time limit of {timeout:g}s; its process was killed",
                code=TIMED_OUT))
        except Exception:  # the main process must go on consuming; the reconciler remains
            log.exception("could not record the hard time limit of %s%s", self.name, self.args)


class DocumentTask(Task):
    Request = RecordsHardTimeouts


def _within_limit(run_id: int, what: str, work: Callable[[], None]) -> None:
    """Run a stage; past the soft time limit, record `timed_out` before the task ends."""
    try:
        work()
    except SoftTimeLimitExceeded:
        record_failure(_settings(), run_id, DocpipeError(
            f"{what} exceeded the task time limit of {_settings().task_time_limit}s", code=TIMED_OUT))


@shared_task(name="docpipe.parse", base=DocumentTask)
def parse(run_id: int) -> None:
    _within_limit(run_id, "parse and plan", lambda: fanout.run_parse(_settings(), run_id))


@shared_task(name="docpipe.map", base=DocumentTask)
def map_chunk(run_id: int, chunk_index: int) -> None:
    _within_limit(run_id, f"chunk {chunk_index}", lambda: fanout.run_map(_settings(), run_id, chunk_index))


@shared_task(name="docpipe.reduce", base=DocumentTask)
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
