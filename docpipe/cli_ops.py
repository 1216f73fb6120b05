"""Operator commands for running docpipe as a fleet: worker, status, retry, batch, reconcile."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from docpipe.errors import ConfigError, DocpipeError
from docpipe.settings import Settings

TERMINAL = ("done", "failed")


def _settings() -> Settings:
    return Settings()


def _db(settings: Settings) -> str:
    from docpipe.store.db import ensure_schema

    ensure_schema(settings.resolved_database_url, auto_upgrade=settings.auto_upgrade)
    return settings.resolved_database_url


def _runs(settings: Settings, document_ids: list[int] | None):
    from sqlalchemy import select

    from docpipe.store.db import session_scope
    from docpipe.store.models import Document, Run

    with session_scope(settings.resolved_database_url) as s:
        latest = {}
        query = select(Run, Document).join(Document, Run.document_id == Document.id).order_by(Run.id)
        if document_ids:
            query = query.where(Run.document_id.in_(document_ids))
        for run, doc in s.execute(query):
            latest[doc.id] = (run, doc)
        return [(r, d) for r, d in latest.values()]


def status_line(run, doc) -> str:
    chunks = f"{run.chunks_done or 0}/{run.chunks_total}" if run.chunks_total else "-"
    error = f"  [{doc.error_code}] {doc.error_message}" if doc.error_code else ""
    return (f"{doc.id:>5}  {doc.status:<8} run {run.id:<4} stage {run.stage:<13} chunks {chunks:<7} "
            f"attempts {run.attempts or 0}  {doc.original_name}{error}")


def follow(settings: Settings, document_ids: list[int], *, poll: float = 1.0, timeout: float | None = None) -> int:
    """Print progress until every document has ended; returns how many failed."""
    seen: dict[int, str] = {}
    started = time.monotonic()
    while True:
        rows = _runs(settings, document_ids)
        for run, doc in rows:
            line = status_line(run, doc)
            if seen.get(doc.id) != line:
                click.echo(line, err=True)
                seen[doc.id] = line
        if rows and all(doc.status in TERMINAL for _, doc in rows) and len(rows) == len(document_ids):
            return sum(doc.status == "failed" for _, doc in rows)
        if timeout and time.monotonic() - started > timeout:
            raise DocpipeError(f"still running after {timeout:.0f}s", code="wait_timeout")
        time.sleep(poll)


@click.command()
@click.argument("document_ids", nargs=-1, type=int)
def status(document_ids: tuple[int, ...]) -> None:
    """Runs with stage, chunk progress, attempts and errors (latest run per document)."""
    settings = _settings()
    _db(settings)
    rows = _runs(settings, list(document_ids) or None)
    if not rows:
        click.echo("no runs")
    for run, doc in rows:
        click.echo(status_line(run, doc))


@click.command()
@click.option("--queues", default="parse,llm", show_default=True, help="parse (CPU), llm (model host)")
@click.option("--concurrency", type=int, default=None,
              help="processes; default 1 for llm (one model per process), cores for parse only")
@click.option("--loglevel", default="INFO", show_default=True)
@click.option("--beat", is_flag=True, help="also run the scheduler (nightly folders, reconciler): one per fleet")
def worker(queues: str, concurrency: int | None, loglevel: str, beat: bool) -> None:
    """Start a Celery worker with docpipe's settings."""
    settings = _settings()
    if not settings.broker_url:
        raise ConfigError("set DOCPIPE_BROKER_URL (e.g. redis://127.0.0.1:6379/0) to run a worker")
    _db(settings)
    names = [q.strip() for q in queues.split(",") if q.strip()]
    if concurrency is None:
        concurrency = 1 if "llm" in names else (os.cpu_count() or 1)
    from workers.app import create_app  # the edge may import workers; docpipe's core never does

    argv = ["worker", "-Q", ",".join(names), "-c", str(concurrency), "--loglevel", loglevel,
            "--pool", "prefork", "-O", "fair", "--hostname", f"docpipe-{'-'.join(names)}-{os.getpid()}@%h"]
    if "llm" not in names:
        argv += ["--max-tasks-per-child", "50"]  # recycle parse children; llm keeps its model loaded
    if beat:
        argv.append("--beat")
    create_app(settings).worker_main(argv)


@click.command()
@click.argument("document_id", type=int)
def retry(document_id: int) -> None:
    """Run a failed document again (a new run; the old one stays on record)."""
    from docpipe.store.db import session_scope
    from docpipe.store.repository import get_document

    settings = _settings()
    _db(settings)
    with session_scope(settings.resolved_database_url) as s:
        doc = get_document(s, document_id=document_id)
        if doc.status not in ("failed",):
            raise DocpipeError(f"document {document_id} is {doc.status}; only failed documents are retried",
                               code="not_failed")
    if settings.broker_url:
        from docpipe.distributed import submit

        run_id, sent = submit(settings, document_id)
        click.echo(f"document {document_id}: run {run_id} {'queued' if sent else 'recorded; broker unreachable'}")
        return
    from docpipe.pipeline import analyse_document

    analyse_document(settings, document_id, progress=lambda m: click.echo(f"{document_id}: {m}", err=True))
    with session_scope(settings.resolved_database_url) as s:
        doc = get_document(s, document_id=document_id)
        click.echo(f"document {document_id}: {doc.status}" + (f" [{doc.error_code}] {doc.error_message}" if doc.error_code else ""))
        if doc.status != "done":
            sys.exit(1)


@click.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--matter", default=None)
@click.option("--settle", type=float, default=None, help="seconds a file must stay unchanged (default from settings)")
def batch(folder: Path, matter: str | None, settle: float | None) -> None:
    """Scan a folder once: take stable new files, skip duplicates, report every file."""
    from docpipe.batch import scan_folder

    settings = _settings()
    if settle is not None:
        settings = settings.model_copy(update={"settle_seconds": settle})
    _db(settings)
    report = scan_folder(settings, folder, matter=matter or settings.matter,
                         progress=lambda m: click.echo(m, err=True))
    click.echo(f"batch {report.batch_id}: {folder}")
    for f in report.files:
        doc = f"document {f['document_id']}" if f["document_id"] else "-"
        click.echo(f"  {f['outcome']:<9} {doc:<14} {f['name']}" + (f"  ({f['reason']})" if f["reason"] else ""))
    counts = report.counts
    click.echo("  " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) if counts else "  no files")
    if counts.get("failed"):
        sys.exit(1)


@click.command()
@click.option("--grace", type=int, default=None, help="seconds queued work may sit untouched")
def reconcile(grace: int | None) -> None:
    """Re-send queued or leased work that no worker holds (lost from Redis, worker died)."""
    from docpipe.distributed import reconcile as run_reconcile

    settings = _settings()
    if not settings.broker_url:
        raise ConfigError("reconcile needs DOCPIPE_BROKER_URL")
    _db(settings)
    stale = run_reconcile(settings, grace_seconds=grace)
    click.echo(f"re-sent {len(stale)} unit(s)" + "".join(f"\n  run {r} {u}" + (f" chunk {i}" if i is not None else "")
                                                    for r, u, i in stale))


def register(group: click.Group) -> None:
    for command in (status, worker, retry, batch, reconcile):
        group.add_command(command)
