"""Looking after a host: db, doctor, eval."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from docpipe import offline
from docpipe.cli.common import caller, say, settings
from docpipe.errors import EXIT_FAILED
from docpipe.services import evaluation, operations


@click.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command()
def upgrade() -> None:
    """Migrate the database to the newest schema."""
    revision = operations.upgrade_database(settings(), caller())
    click.echo(f"database at revision {revision}")


@click.command()
@click.option("--egress", is_flag=True, help="also prove offline operation: parse under a socket guard")
@click.option("--full", is_flag=True, help="with --egress: run the whole pipeline under the guard (slow)")
def doctor(egress: bool, full: bool) -> None:
    """Check the model file and hash, context and KV memory, database, offline settings."""
    ok = True
    for name, passed, detail in operations.doctor(settings(), caller(), egress=egress, full=full):
        ok &= passed
        click.echo(f"{'ok  ' if passed else 'FAIL'}  {name:<10} {detail}")
    click.echo("      offline    " + ", ".join(f"{k}={v}" for k, v in offline.report().items()))
    if not ok:
        sys.exit(EXIT_FAILED)


@click.command("eval")
@click.argument("corpus_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--limit", type=int, default=None, help="only the first N documents (shortest first)")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
@click.option("--records", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="keep each document's record here as it is scored; reuse records of the same "
                   "model and pipeline version (stop and resume a long evaluation)")
def eval_cmd(corpus_dir: Path, limit: int | None, as_json: bool, records: Path | None) -> None:
    """Run the pipeline on a labelled corpus and score it (CUAD, AMI, QMSum)."""
    click.echo(evaluation.main_eval(settings(), caller(), corpus_dir, limit=limit, as_json=as_json,
                                    progress=say, records=records).rstrip("\n"))


COMMANDS = (db, doctor, eval_cmd)
