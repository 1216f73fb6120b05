"""The `docpipe` command. Errors become one clear line and a non-zero exit here, only here."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from docpipe import offline
from docpipe.domain import DocumentKind
from docpipe.errors import DocpipeError
from docpipe.settings import Settings

EXIT_FAILED = 1  # some document failed
EXIT_ERROR = 2  # the command itself could not run


def _settings() -> Settings:
    return Settings()


def _db(settings: Settings) -> str:
    from docpipe.store.db import ensure_schema

    url = settings.resolved_database_url
    ensure_schema(url, auto_upgrade=settings.auto_upgrade)
    return url


def _say(message: str) -> None:
    click.echo(message, err=True)


class DocpipeGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except DocpipeError as exc:
            click.echo(f"error [{exc.code}]: {exc}", err=True)
            sys.exit(EXIT_ERROR)


@click.group(cls=DocpipeGroup)
@click.version_option(package_name="docpipe")
def main() -> None:
    """Self-hosted analysis of contracts and transcripts: cited, verified, stored."""


@main.command()
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
    from docpipe.intake import iter_files, take_in
    from docpipe.pipeline import check_models

    settings = _settings()
    _db(settings)
    check_models(settings)  # a missing model or a pin mismatch refuses to start
    files = list(iter_files(list(paths)))
    if not files:
        raise DocpipeError("no files found under the given paths", code="no_input")
    chosen = DocumentKind(kind) if kind else None
    failed, queued = 0, []
    for number, path in enumerate(files, start=1):
        label = f"[{number}/{len(files)}] {path.name}"
        if not path.is_file():
            _say(f"{label}: error [not_found]: no such file")
            failed += 1
            continue
        took = take_in(settings, path, matter=matter or settings.matter)
        if not took.created:
            _say(f"{label}: already ingested as document {took.document_id} ({took.status}); not processed again")
            continue
        _say(f"{label}: document {took.document_id}, sha256 {took.sha256[:12]}")
        if settings.broker_url:
            queued.append(_enqueue(settings, took.document_id, chosen, label))
        else:
            failed += not _run_inline(settings, took.document_id, chosen, label)
    if queued and wait:
        from docpipe.cli_ops import follow

        failed += follow(settings, queued)
    if failed:
        sys.exit(EXIT_FAILED)


def _enqueue(settings: Settings, document_id: int, kind, label: str) -> int:
    from docpipe.distributed import submit

    run_id, sent = submit(settings, document_id, kind=kind)
    note = "queued" if sent else "recorded as queued; broker unreachable, the reconciler will send it"
    _say(f"{label}: run {run_id} {note} -> docpipe status {document_id}")
    return document_id


def _run_inline(settings: Settings, document_id: int, kind, label: str) -> bool:
    from docpipe.pipeline import analyse_document
    from docpipe.store.db import session_scope
    from docpipe.store.repository import get_document

    started = time.perf_counter()
    analyse_document(settings, document_id, kind=kind,
                     progress=lambda msg: _say(f"{label}: {msg}"))
    with session_scope(settings.resolved_database_url) as s:
        doc = get_document(s, document_id=document_id)
        if doc.status == "done":
            _say(f"{label}: done in {time.perf_counter() - started:.1f}s -> docpipe show {doc.id}")
            return True
        _say(f"{label}: FAILED [{doc.error_code}]: {doc.error_message}")
        return False


@main.command("list")
@click.option("--matter", default=None)
def list_cmd(matter: str | None) -> None:
    """List documents with their status."""
    from docpipe.store.db import session_scope
    from docpipe.store.repository import list_documents

    url = _db(_settings())
    with session_scope(url) as s:
        rows = list_documents(s, matter=matter)
        if not rows:
            click.echo("no documents")
        for doc, m in rows:
            size = f"{doc.page_count} pages" if doc.page_count else (f"{doc.turn_count} turns" if doc.turn_count else "")
            reason = f"  [{doc.error_code}] {doc.error_message}" if doc.error_code else ""
            click.echo(f"{doc.id:>5}  {doc.status:<8} {doc.kind or '-':<10} {m.name:<12} {size:<10} "
                       f"{doc.original_name}{reason}")


@main.command()
@click.argument("document_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", "markdown"]), default="markdown")
def show(document_id: int, fmt: str) -> None:
    """Show one document's brief, findings with citations, and coverage."""
    from docpipe.store.db import session_scope
    from docpipe.views import document_view, to_markdown

    url = _db(_settings())
    with session_scope(url) as s:
        view = document_view(s, document_id=document_id)
    click.echo(json.dumps(view, indent=2, default=str) if fmt == "json" else to_markdown(view))


@main.command()
@click.argument("text", nargs=-1, required=True)
@click.option("--limit", default=20, show_default=True)
def search(text: tuple[str, ...], limit: int) -> None:
    """Full-text search over document text and summaries."""
    from docpipe.store.db import session_scope
    from docpipe.store.repository import search as run_search

    url = _db(_settings())
    with session_scope(url) as s:
        hits = run_search(s, query=" ".join(text), limit=limit)
    if not hits:
        click.echo("no matches")
    for h in hits:
        snippet = " ".join(str(h["snippet"]).split())
        click.echo(f"document {h['document_id']}  {h['source']:<7} {h['ref'] or '':<14} {snippet}")


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command()
def upgrade() -> None:
    """Migrate the database to the newest schema."""
    from docpipe.store.db import current_revision, upgrade as run_upgrade

    url = _settings().resolved_database_url
    run_upgrade(url)
    click.echo(f"database at revision {current_revision(url)}")


@main.command()
@click.option("--egress", is_flag=True, help="also prove offline operation: parse under a socket guard")
@click.option("--full", is_flag=True, help="with --egress: run the whole pipeline under the guard (slow)")
def doctor(egress: bool, full: bool) -> None:
    """Check the model file and hash, context and KV memory, database, offline settings."""
    from docpipe.doctor import run_checks

    ok = True
    checks = run_checks(_settings())
    if egress:
        from docpipe.egress import self_test

        checks += self_test(_settings(), analyse=full)
    for name, passed, detail in checks:
        ok &= passed
        click.echo(f"{'ok  ' if passed else 'FAIL'}  {name:<10} {detail}")
    env = offline.report()
    click.echo("      offline    " + ", ".join(f"{k}={v}" for k, v in env.items()))
    if not ok:
        sys.exit(EXIT_FAILED)


@main.command("export")
@click.argument("document_id", type=int, required=False)
@click.option("--matter", default=None, help="one row per document of this matter")
@click.option("--format", "fmt", type=click.Choice(["json", "markdown", "csv"]), default=None,
              help="default: json for a document, csv for a matter")
def export_cmd(document_id: int | None, matter: str | None, fmt: str | None) -> None:
    """Export one document (json, markdown, csv) or a whole matter (csv, json)."""
    from docpipe.exports import export_document, export_matter
    from docpipe.store.db import session_scope

    if (document_id is None) == (matter is None):
        raise click.UsageError("give a document id or --matter, not both")
    with session_scope(_db(_settings())) as s:
        text = (export_document(s, document_id=document_id, fmt=fmt or "json") if matter is None
                else export_matter(s, matter=matter, fmt=fmt or "csv"))
    click.echo(text, nl=False)


@main.command("eval")
@click.argument("corpus_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--limit", type=int, default=None, help="only the first N documents (shortest first)")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
@click.option("--records", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="keep each document's record here as it is scored; reuse records of the same "
                   "model and pipeline version (stop and resume a long evaluation)")
def eval_cmd(corpus_dir: Path, limit: int | None, as_json: bool, records: Path | None) -> None:
    """Run the pipeline on a labelled corpus and score it (CUAD, AMI, QMSum)."""
    from docpipe.evaluation import main_eval

    settings = _settings()
    _db(settings)
    click.echo(main_eval(settings, corpus_dir, limit=limit, as_json=as_json, progress=_say,
                         records=records).rstrip("\n"))


from docpipe.cli_ops import register as _register_ops  # noqa: E402  (commands defined there)

_register_ops(main)

if __name__ == "__main__":
    main()
