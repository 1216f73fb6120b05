"""Documents: ingest, list, show, search, export, retry, status."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from docpipe.cli.common import caller, say, settings
from docpipe.domain import DocumentKind, DocumentStatus
from docpipe.errors import EXIT_FAILED, NO_INPUT, DocpipeError
from docpipe.services import documents, exports, ingest as intake, listing
from docpipe.services.exports import SEARCH_COLUMNS, csv_text
from docpipe.services.views import to_markdown


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--matter", default=None, help="matter the documents belong to (default: 'default')")
@click.option("--kind", type=click.Choice([k.value for k in DocumentKind]), default=None,
              help="override automatic detection of the document kind")
@click.option("--wait", is_flag=True, help="with a broker: follow progress until every document ends")
def ingest(paths: tuple[Path, ...], matter: str | None, kind: str | None, wait: bool) -> None:
    """Ingest files or folders (recursively) and analyse each document.

    Without DOCPIPE_BROKER_URL everything runs here, in this process. With it, documents are
    queued for the workers and the command returns at once (or follows them with --wait).
    """
    config, who = settings(), caller()
    intake.prepare(config, who)  # a missing model or a pin mismatch refuses to start
    files = list(intake.files_under(list(paths)))
    if not files:
        raise DocpipeError("no files found under the given paths", code=NO_INPUT)
    chosen = DocumentKind(kind) if kind else None
    failed, queued = 0, []
    for number, path in enumerate(files, start=1):
        label = f"[{number}/{len(files)}] {path.name}"
        outcome = intake.ingest_file(
            config, who, path, matter=matter or config.matter, kind=chosen,
            received=lambda took, label=label: say(f"{label}: document {took.document_id}, sha256 {took.sha256[:12]}")
            if took.created else None,
            progress=lambda msg, label=label: say(f"{label}: {msg}"))
        say(f"{label}: {_outcome_line(outcome)}")
        if outcome.duplicate:
            continue
        failed += outcome.status == DocumentStatus.FAILED
        if outcome.status == DocumentStatus.QUEUED:
            queued.append(outcome.document_id)
    if queued and wait:
        failed += documents.follow(config, who, queued, on_change=lambda run, doc: say(status_line(run, doc)))
    if failed:
        sys.exit(EXIT_FAILED)


def _outcome_line(outcome: intake.Outcome) -> str:
    doc = outcome.document_id
    if outcome.duplicate:
        return f"already ingested as document {doc} ({outcome.status}); not processed again"
    if outcome.status == DocumentStatus.QUEUED:
        note = "queued" if outcome.sent else "recorded as queued; broker unreachable, the reconciler will send it"
        return f"run {outcome.run_id} {note} -> docpipe status {doc}"
    if outcome.status == DocumentStatus.DONE:
        return f"done in {outcome.seconds:.1f}s -> docpipe show {doc}"
    if doc is None:
        return f"error [{outcome.error_code}]: {outcome.error_message}"
    return f"FAILED [{outcome.error_code}]: {outcome.error_message}"


def _filters(fn):
    """The API's document filters, as options (``--field governing_law="New York"``)."""
    options = [
        click.option("--matter", default=None, help="only this matter"),
        click.option("--status", default=None, help="pending, queued, running, done or failed"),
        click.option("--kind", default=None, help="contract, transcript or other"),
        click.option("--field", "fields", multiple=True, metavar="NAME=VALUE",
                     help="a finding of NAME contains VALUE (repeatable), e.g. governing_law=New York"),
        click.option("--has", multiple=True, metavar="FIELD", help="a finding of FIELD exists (repeatable)"),
        click.option("--expires-before", default=None, metavar="YYYY-MM-DD"),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _pairs(fields: tuple[str, ...]) -> list[tuple[str, str]]:
    pairs = []
    for item in fields:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--field takes NAME=VALUE (got {item!r})")
        pairs.append((name.strip(), value))
    return pairs


@click.command("list")
@_filters
@click.option("--text", "q", default=None, help="full text the document must contain")
@click.option("--sort", default="id", show_default=True, help="id, name, status, kind, pages, created; -name descending")
@click.option("--page", default=1, show_default=True)
@click.option("--per-page", default=100, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="json and csv carry the API's rows (GET /api/v1/documents)")
def list_cmd(matter, status, kind, fields, has, expires_before, q, sort, page, per_page, fmt) -> None:
    """List documents with their status and key fields, filtered like the API."""
    query = listing.build_query(matter=matter, status=status, kind=kind, q=q, fields=_pairs(fields), has=has,
                                expires_before=expires_before, sort=sort, page=page, per_page=per_page)
    found = listing.find(settings(), caller(), query)
    if fmt == "json":
        click.echo(json.dumps({"documents": found.rows, "total": found.total, "page": found.page,
                               "per_page": found.per_page}, indent=2))
        return
    if fmt == "csv":
        click.echo(listing.rows_csv(found.rows), nl=False)
        return
    if not found.rows:
        click.echo("no documents")
    for row in found.rows:
        size = f"{row['pages']} pages" if row["pages"] else (f"{row['turns']} turns" if row["turns"] else "")
        reason = f"  [{row['error']['code']}] {row['error']['message']}" if row["error"] else ""
        click.echo(f"{row['id']:>5}  {row['status']:<8} {row['kind'] or '-':<10} {row['matter']:<12} {size:<10} "
                   f"{row['name']}{reason}")
    if found.total > len(found.rows):
        say(f"page {found.page}: {len(found.rows)} of {found.total} documents (--page, --per-page)")


@click.command()
@click.argument("document_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", "markdown"]), default="markdown")
def show(document_id: int, fmt: str) -> None:
    """Show one document's brief, findings with citations, and coverage."""
    view = documents.show(settings(), caller(), document_id)
    click.echo(json.dumps(view, indent=2, default=str) if fmt == "json" else to_markdown(view))


@click.command()
@click.argument("text", nargs=-1, required=True)
@_filters
@click.option("--limit", default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
def search(text, matter, status, kind, fields, has, expires_before, limit, fmt) -> None:
    """Full-text search over document text and summaries, within the API's filters."""
    within = None
    if status or kind or fields or has or expires_before:
        within = listing.build_query(status=status, kind=kind, fields=_pairs(fields), has=has,
                                     expires_before=expires_before)
    hits = documents.search(settings(), caller(), " ".join(text), limit=limit, matter=matter, within=within)
    rows = [{"document_id": h["document_id"], "document": h["document"], "source": h["source"],
             "ref": h["ref"], "snippet": " ".join(str(h["snippet"]).split())} for h in hits]
    if fmt == "json":
        click.echo(json.dumps({"hits": rows}, indent=2))
        return
    if fmt == "csv":
        click.echo(csv_text(SEARCH_COLUMNS, rows), nl=False)
        return
    if not rows:
        click.echo("no matches")
    for h in rows:
        click.echo(f"document {h['document_id']}  {h['source']:<7} {h['ref'] or '':<14} {h['snippet']}")


@click.command("export")
@click.argument("document_id", type=int, required=False)
@click.option("--matter", default=None, help="one row per document of this matter")
@click.option("--format", "fmt", type=click.Choice(["json", "markdown", "csv"]), default=None,
              help="default: json for a document, csv for a matter")
def export_cmd(document_id: int | None, matter: str | None, fmt: str | None) -> None:
    """Export one document (json, markdown, csv) or a whole matter (csv, json)."""
    if (document_id is None) == (matter is None):
        raise click.UsageError("give a document id or --matter, not both")
    config, who = settings(), caller()
    text = (exports.export_document(config, who, document_id, fmt=fmt or "json") if matter is None
            else exports.export_matter(config, who, matter, fmt=fmt or "csv"))
    click.echo(text, nl=False)


@click.command()
@click.argument("document_id", type=int)
def retry(document_id: int) -> None:
    """Run a failed document again (a new run; the old one stays on record)."""
    outcome = documents.retry(settings(), caller(), document_id,
                              progress=lambda m: say(f"{document_id}: {m}"))
    if outcome.status == DocumentStatus.QUEUED:
        click.echo(f"document {document_id}: run {outcome.run_id} "
                   f"{'queued' if outcome.sent else 'recorded; broker unreachable'}")
        return
    reason = f" [{outcome.error_code}] {outcome.error_message}" if outcome.error_code else ""
    click.echo(f"document {document_id}: {outcome.status}{reason}")
    if outcome.status != DocumentStatus.DONE:
        sys.exit(EXIT_FAILED)


def status_line(run, doc) -> str:
    chunks = f"{run.chunks_done or 0}/{run.chunks_total}" if run.chunks_total else "-"
    error = f"  [{doc.error_code}] {doc.error_message}" if doc.error_code else ""
    return (f"{doc.id:>5}  {doc.status:<8} run {run.id:<4} stage {run.stage:<13} chunks {chunks:<7} "
            f"attempts {run.attempts or 0}  {doc.original_name}{error}")


@click.command()
@click.argument("document_ids", nargs=-1, type=int)
def status(document_ids: tuple[int, ...]) -> None:
    """Runs with stage, chunk progress, attempts and errors (latest run per document)."""
    rows = documents.progress_rows(settings(), caller(), list(document_ids) or None)
    if not rows:
        click.echo("no runs")
    for run, doc in rows:
        click.echo(status_line(run, doc))


COMMANDS = (ingest, list_cmd, show, search, export_cmd, retry, status)
