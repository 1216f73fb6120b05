"""Governance: the audit log, legal holds, erasure, retention and the master key."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

import click

from docpipe.cli.common import caller, settings
from docpipe.errors import EXIT_FAILED
from docpipe.services import audit as audit_log, governance


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



@click.group()
def hold() -> None:
    """Legal holds: while one is in place nothing it covers can be deleted."""


def _target(document: int | None, matter: str | None) -> dict:
    if (document is None) == (matter is None):
        raise click.UsageError("give --document ID or --matter M")
    return {"document_id": document, "matter": matter}


@hold.command("set")
@click.option("--document", type=int, default=None)
@click.option("--matter", default=None)
@click.option("--reason", default=None, help="e.g. the litigation or request it serves")
def hold_set(document, matter, reason) -> None:
    """Place a legal hold on a document or a whole matter."""
    h = governance.set_hold(settings(), caller(), reason=reason, **_target(document, matter))
    click.echo(f"hold {h.id} set on {'document ' + str(h.document_id) if h.document_id else 'matter ' + h.matter}")


@hold.command("lift")
@click.option("--document", type=int, default=None)
@click.option("--matter", default=None)
def hold_lift(document, matter) -> None:
    """Lift the holds placed on a document or on a matter."""
    lifted = governance.lift_hold(settings(), caller(), **_target(document, matter))
    click.echo(f"lifted hold {', '.join(str(h.id) for h in lifted)}")


@hold.command("list")
@click.option("--all", "everything", is_flag=True, help="also holds already lifted")
def hold_list(everything) -> None:
    rows = governance.holds(settings(), caller(), active_only=not everything)
    if not rows:
        click.echo("no holds")
    for h in rows:
        what = f"document {h.document_id}" if h.document_id is not None else f"matter {h.matter}"
        state = f"lifted {h.lifted_at:%Y-%m-%d} by {h.lifted_by}" if h.lifted_at else "active"
        click.echo(f"{h.id:>4}  {what:<24} set {h.set_at:%Y-%m-%d} by {h.set_by:<16} {state}  {h.reason or ''}")


@click.command()
@click.argument("document_id", type=int, required=False)
@click.option("--matter", default=None, help="purge every document of the matter, and its key")
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
def purge(document_id, matter, yes) -> None:
    """Erase a document (or a whole matter): its original, text, results and search rows.

    Refused while a legal hold covers it. The audit keeps the purge (ids, sha256, who, when)."""
    if (document_id is None) == (matter is None):
        raise click.UsageError("give a document id or --matter, not both")
    what = f"document {document_id}" if matter is None else f"every document of matter {matter!r} and its key"
    if not yes:
        click.confirm(f"erase {what}? this cannot be undone", abort=True, err=True)
    erased = (governance.purge_document(settings(), caller(), document_id) if matter is None
              else governance.purge_matter(settings(), caller(), matter))
    click.echo(f"purged {len(erased.document_ids)} document(s) of matter {erased.matter}: "
               f"{', '.join(map(str, erased.document_ids)) or 'none'}")


@click.group()
def retention() -> None:
    """How long each matter's documents are kept, and the purge of what has expired."""


@retention.command("set")
@click.argument("matter")
@click.argument("days")
def retention_set(matter, days) -> None:
    """Keep MATTER's documents DAYS days after upload ('none': the default)."""
    value = None if days.lower() in ("none", "default") else int(days)
    governance.set_retention(settings(), caller(), matter, value)
    click.echo(f"matter {matter}: {'default retention' if value is None else f'{value} days'}")


@retention.command("list")
def retention_list() -> None:
    config = settings()
    default = f"{config.retention_days} days" if config.retention_days else "kept until purged"
    click.echo(f"default: {default}")
    for matter, days in governance.retention(config, caller()).items():
        click.echo(f"{matter:<24} {f'{days} days' if days else 'default'}")


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="say what would be purged, purge nothing")
def retention_run(dry_run) -> None:
    """Purge every document past its retention that no hold covers (the beat runs this daily)."""
    report = governance.run_retention(settings(), caller(), dry_run=dry_run)
    verb = "would purge" if dry_run else "purged"
    click.echo(f"{verb} {len(report.purged)} document(s){': ' + ', '.join(map(str, report.purged)) if report.purged else ''}")
    if report.kept_on_hold:
        click.echo(f"kept (legal hold or still running): {', '.join(map(str, report.kept_on_hold))}")


@click.group()
def keys() -> None:
    """The master key that wraps each matter's key for the originals (encryption at rest)."""


@keys.command("init")
def keys_init() -> None:
    """Make the master key file (mode 600). Keep a copy offline: without it nothing can be read."""
    click.echo(f"master key written to {governance.init_keys(settings(), caller())}")


@keys.command("rotate")
def keys_rotate() -> None:
    """A new master key: every matter key is rewrapped in one transaction."""
    count = governance.rotate_keys(settings(), caller())
    click.echo(f"rewrapped {count} matter key(s); the old master key is kept as "
               f"{settings().resolved_master_key_file}.old until you remove it")


COMMANDS = (audit, hold, purge, retention, keys)
