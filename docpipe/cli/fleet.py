"""Running docpipe as a fleet: worker, batch, reconcile."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from docpipe.cli.common import caller, say, settings
from docpipe.domain import BatchOutcome
from docpipe.errors import EXIT_FAILED
from docpipe.services import batches, operations


@click.command()
@click.option("--queues", default="parse,llm", show_default=True, help="parse (CPU), llm (model host)")
@click.option("--concurrency", type=int, default=None,
              help="processes; default 1 for llm (one model per process), cores for parse only")
@click.option("--loglevel", default="INFO", show_default=True)
@click.option("--beat", is_flag=True, help="also run the scheduler (nightly folders, reconciler): one per fleet")
def worker(queues: str, concurrency: int | None, loglevel: str, beat: bool) -> None:
    """Start a Celery worker with docpipe's settings."""
    names = [q.strip() for q in queues.split(",") if q.strip()]
    operations.start_worker(settings(), caller(), queues=names, concurrency=concurrency,
                            loglevel=loglevel, beat=beat)


@click.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--matter", default=None)
@click.option("--settle", type=float, default=None, help="seconds a file must stay unchanged (default from settings)")
def batch(folder: Path, matter: str | None, settle: float | None) -> None:
    """Scan a folder once: take stable new files, skip duplicates, report every file."""
    config = settings()
    if settle is not None:
        config = config.model_copy(update={"settle_seconds": settle})
    report = batches.scan_folder(config, caller(), folder, matter=matter or config.matter, progress=say)
    click.echo(f"batch {report.batch_id}: {folder}")
    for f in report.files:
        doc = f"document {f['document_id']}" if f["document_id"] else "-"
        click.echo(f"  {f['outcome']:<9} {doc:<14} {f['name']}" + (f"  ({f['reason']})" if f["reason"] else ""))
    counts = report.counts
    click.echo("  " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) if counts else "  no files")
    if counts.get(BatchOutcome.FAILED):
        sys.exit(EXIT_FAILED)


@click.command()
@click.option("--grace", type=int, default=None, help="seconds queued work may sit untouched")
def reconcile(grace: int | None) -> None:
    """Re-send queued or leased work that no worker holds (lost from Redis, worker died)."""
    stale = operations.reconcile(settings(), caller(), grace_seconds=grace)
    click.echo(f"re-sent {len(stale)} unit(s)" + "".join(f"\n  run {r} {u}" + (f" chunk {i}" if i is not None else "")
                                                    for r, u, i in stale))


COMMANDS = (worker, batch, reconcile)
