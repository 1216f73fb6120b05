"""The Celery app, built by a factory from docpipe's Settings; its tasks live in
``workers.tasks``, named here by module path only (docpipe never imports workers/)."""
from __future__ import annotations

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_process_init

from docpipe.fleet.dispatch import BATCH, RECONCILE, RETENTION, celery_config
from docpipe.settings import Settings
from docpipe.store.db import get_engine, keep_connections_open

TASK_MODULES = ["workers.tasks"]


def beat_schedule(settings: Settings) -> dict:
    schedule = {"reconcile": {"task": RECONCILE, "schedule": float(settings.reconcile_interval)},
                # daily, an hour after the nightly scans: purge what has passed its retention
                "retention": {"task": RETENTION, "schedule": crontab(hour=(settings.batch_hour + 1) % 24, minute=0)}}
    for number, entry in enumerate(settings.batch_dirs):
        folder, _, matter = entry.partition("=")
        schedule[f"batch-{number}"] = {
            "task": BATCH, "args": [folder, matter or settings.matter],
            "schedule": crontab(hour=settings.batch_hour, minute=settings.batch_minute)}
    return schedule


def create_app(settings: Settings) -> Celery:
    app = Celery("docpipe")
    app.conf.update(celery_config(settings))
    app.conf.beat_schedule = beat_schedule(settings)
    app.conf.include = TASK_MODULES
    keep_connections_open(False)  # a worker's few short transactions need no idle pool
    worker_process_init.connect(_after_fork, weak=False, dispatch_uid="docpipe-after-fork")
    return app


def _after_fork(**_) -> None:
    """Connections must not cross a fork: drop pools inherited from the parent. Pool
    children are marked daemonic, and multiprocessing refuses children to daemonic
    processes; the parse sandbox needs one per document (it kills its own children)."""
    import multiprocessing

    get_engine.cache_clear()
    multiprocessing.current_process()._config.pop("daemon", None)


def worker_argv(queues: list[str], concurrency: int, loglevel: str, *, beat: bool, pid: int) -> list[str]:
    """The `celery worker` arguments for docpipe's worker processes."""
    argv = ["worker", "-Q", ",".join(queues), "-c", str(concurrency), "--loglevel", loglevel,
            "--pool", "prefork", "-O", "fair", "--hostname", f"docpipe-{'-'.join(queues)}-{pid}@%h"]
    if "llm" not in queues:
        argv += ["--max-tasks-per-child", "50"]  # recycle parse children; llm keeps its model loaded
    if beat:
        argv.append("--beat")
    return argv
