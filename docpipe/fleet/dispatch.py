"""Sending work to the Celery workers, by task name: docpipe never imports workers/.

The Celery configuration lives here too, so the producer (CLI, API) and the workers agree
on it. Reliability settings follow RELIABILITY.md: late acks with reject-on-worker-lost,
prefetch 1, a visibility timeout above the task time limit, and long tasks cancelled when
the broker connection is lost.
"""
from __future__ import annotations

from functools import lru_cache

from docpipe.errors import BROKER_UNAVAILABLE, ConfigError, DocpipeError
from docpipe.settings import Settings

PARSE, MAP, REDUCE = "docpipe.parse", "docpipe.map", "docpipe.reduce"
RECONCILE, BATCH, RETENTION = "docpipe.reconcile", "docpipe.batch_scan", "docpipe.retention"
QUEUES = {PARSE: "parse", MAP: "llm", REDUCE: "llm", RECONCILE: "parse", BATCH: "parse", RETENTION: "parse"}


def celery_config(settings: Settings) -> dict:
    if not settings.broker_url:
        raise ConfigError("DOCPIPE_BROKER_URL is not set")
    # every worker sweeps the unacknowledged messages every 10 s (kombu's default sweeps
    # only on every 10th tick): one past the visibility timeout is back in the queue promptly
    transport = {"visibility_timeout": settings.visibility_timeout, "unacked_restore_throttle": 1}
    return {
        "broker_url": settings.broker_url,
        "broker_transport_options": transport,
        "result_backend": None,  # state lives in the database
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_acks_on_failure_or_timeout": True,
        "worker_prefetch_multiplier": 1,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "task_time_limit": settings.task_time_limit,
        # the soft limit leaves the task time to record `timed_out` itself before the hard one
        "task_soft_time_limit": settings.task_time_limit - min(60, max(1, settings.task_time_limit // 10)),
        "task_routes": {name: {"queue": queue} for name, queue in QUEUES.items()},
        "task_default_queue": "parse",
        "broker_connection_retry_on_startup": True,
        # the beat's schedule state belongs with the data, not in the current directory
        "beat_schedule_filename": str(settings.data_dir / "celerybeat-schedule"),
        "worker_hijack_root_logger": False,
        "task_serializer": "json",
        "accept_content": ["json"],
    }


@lru_cache(maxsize=4)
def _producer(broker_url: str, visibility_timeout: int, time_limit: int):
    from celery import Celery

    app = Celery("docpipe-producer")
    app.conf.update(celery_config(Settings(broker_url=broker_url, visibility_timeout=visibility_timeout,
                                           task_time_limit=time_limit)))
    return app


def send(settings: Settings, task: str, *args) -> None:
    """Enqueue ``task`` with ids only. Call after the database commit."""
    app = _producer(settings.broker_url, settings.visibility_timeout, settings.task_time_limit)
    try:
        app.send_task(task, args=list(args), queue=QUEUES[task])
    except Exception as exc:  # kombu raises many kinds; the caller needs one clear error
        raise DocpipeError(f"cannot reach the broker at {settings.broker_url}: {exc}",
                           code=BROKER_UNAVAILABLE) from exc
