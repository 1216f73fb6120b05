"""The Celery app, built by a factory from docpipe's Settings.

    celery -A workers.app worker -Q parse,llm      (or: docpipe worker --queues parse,llm)
    celery -A workers.app beat                     (nightly batch folders, reconciler)

`app` below exists because the celery command looks the app up by attribute; it is built by
`create_app()` from the environment (DOCPIPE_BROKER_URL, DOCPIPE_DATABASE_URL, ...).
"""
from __future__ import annotations

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_process_init

import docpipe  # noqa: F401  (offline environment before anything else is imported)
from docpipe.queue import BATCH, RECONCILE, celery_config
from docpipe.settings import Settings


def beat_schedule(settings: Settings) -> dict:
    schedule = {"reconcile": {"task": RECONCILE, "schedule": float(settings.reconcile_interval)}}
    for number, entry in enumerate(settings.batch_dirs):
        folder, _, matter = entry.partition("=")
        schedule[f"batch-{number}"] = {
            "task": BATCH, "args": [folder, matter or settings.matter],
            "schedule": crontab(hour=settings.batch_hour, minute=settings.batch_minute)}
    return schedule


def create_app(settings: Settings | None = None) -> Celery:
    settings = settings or Settings()
    app = Celery("docpipe")
    app.conf.update(celery_config(settings))
    app.conf.beat_schedule = beat_schedule(settings)
    app.conf.include = ["workers.tasks"]
    return app


@worker_process_init.connect
def _after_fork(**_):
    """Connections must not cross a fork: drop pools inherited from the parent. Pool
    children are marked daemonic, and multiprocessing refuses children to daemonic
    processes; the parse sandbox needs one per document (it kills its own children)."""
    import multiprocessing

    from docpipe.store.db import get_engine

    get_engine.cache_clear()
    multiprocessing.current_process()._config.pop("daemon", None)


app = create_app()
