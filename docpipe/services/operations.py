"""What an operator asks of a host: the database ready and migrated, the health checks,
a worker started, lost work re-sent."""
from __future__ import annotations

import os

from docpipe.diagnostics import doctor as checks
from docpipe.domain import WorkUnit
from docpipe.errors import ConfigError, DocpipeError
from docpipe.fleet import fanout
from docpipe.fleet.app import create_app, worker_argv
from docpipe.pipeline import originals
from docpipe.services.caller import Action, Caller, require
from docpipe.settings import Settings
from docpipe.store import db

_READY: set[str] = set()


def ready(settings: Settings) -> None:
    """The database reachable and at the newest schema (migrated when allowed), once per
    database per process; else a StoreError that says what to run."""
    url = settings.resolved_database_url
    if url not in _READY:
        db.ensure_schema(url, auto_upgrade=settings.auto_upgrade)
        originals.check_master(settings)  # a wrong master key refuses to start
        _READY.add(url)


def health(settings: Settings) -> tuple[bool, str]:
    """For /healthz: the database answers (nothing about any document)."""
    try:
        ready(settings)
        db.ping(settings.resolved_database_url)
    except DocpipeError as exc:
        return False, exc.code
    return True, "ok"


def upgrade_database(settings: Settings, caller: Caller) -> str | None:
    """Migrate to the newest schema; returns the revision now in place."""
    require(caller, Action.OPERATE)
    url = settings.resolved_database_url
    db.upgrade(url)
    return db.current_revision(url)


def doctor(settings: Settings, caller: Caller, *, egress: bool = False, full: bool = False) -> list[checks.Check]:
    """The host's checks, each (name, passed, detail)."""
    require(caller, Action.OPERATE)
    return checks.run_checks(settings, egress=egress, full=full)


def start_worker(settings: Settings, caller: Caller, *, queues: list[str], concurrency: int | None,
                 loglevel: str, beat: bool) -> None:
    """Run a Celery worker in this process until it is stopped."""
    require(caller, Action.OPERATE)
    if not settings.broker_url:
        raise ConfigError("set DOCPIPE_BROKER_URL (e.g. redis://127.0.0.1:6379/0) to run a worker")
    ready(settings)
    if concurrency is None:
        concurrency = 1 if "llm" in queues else (os.cpu_count() or 1)
    argv = worker_argv(queues, concurrency, loglevel, beat=beat, pid=os.getpid())
    create_app(settings).worker_main(argv)


def reconcile(settings: Settings, caller: Caller, *, grace_seconds: int | None = None) -> list[tuple[int, WorkUnit, int | None]]:
    """Re-send queued or leased work that no worker holds."""
    require(caller, Action.OPERATE)
    if not settings.broker_url:
        raise ConfigError("reconcile needs DOCPIPE_BROKER_URL")
    ready(settings)
    return fanout.reconcile(settings, grace_seconds=grace_seconds)
