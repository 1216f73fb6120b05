"""Governance: `docpipe audit` (the hash-chained audit log) and `docpipe audit verify`."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

import click

from docpipe.cli.common import caller, settings
from docpipe.errors import EXIT_FAILED
from docpipe.services import audit as audit_log


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("a date or time like 2026-12-01 or 2026-12-01T09:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@click.group(invoke_without_command=True)
@click.option("--matter", default=None)
@click.option("--user", default=None, help="entries by this user (or 'local operator')")
@click.option("--since", default=None, metavar="DATE[THH:MM]", help="UTC unless an offset is given")
@click.option("--limit", default=1000, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def audit(ctx, matter, user, since, limit, fmt) -> None:
    """The audit log: who signed in, uploaded, viewed, searched, exported, changed users."""
    if ctx.invoked_subcommand is not None:
        return
    rows = audit_log.entries(settings(), caller(), matter=matter, user=user, since=_since(since), limit=limit)
    if fmt == "json":
        click.echo(json.dumps([{"id": r.id, "at": r.at.isoformat(), "actor": r.actor, "action": r.action,
                                "matter": r.matter, "document_id": r.document_id, "detail": r.detail,
                                "hash": r.hash} for r in rows], indent=2))
        return
    if not rows:
        click.echo("no entries")
    for r in rows:
        detail = " ".join(f"{k}={v}" for k, v in r.detail.items())
        doc = f"doc {r.document_id}" if r.document_id is not None else ""
        click.echo(f"{r.id:>6}  {r.at:%Y-%m-%d %H:%M:%S}  {r.actor:<20} {r.action:<15} {r.matter or '-':<14} "
                   f"{doc:<9} {detail}")


@audit.command("verify")
def verify() -> None:
    """Walk the hash chain; name the first broken link (exit 1) or say it is whole."""
    checked, broken = audit_log.verify(settings(), caller())
    if broken:
        click.echo(f"audit chain BROKEN after {checked} good entries: {broken}")
        sys.exit(EXIT_FAILED)
    click.echo(f"audit chain whole: {checked} entries verified")


COMMANDS = (audit,)
