"""Ingest: a file in, a document analysed or queued. Queue or run inline is decided here,
once: with a broker the fleet does the work, without one this process does.

Every accepted document ends done or failed-with-a-reason exactly once. A document's
own failure (bad input, model fault, even a bug) is recorded on it and returned as an
outcome, never raised, so the next file of a command is still processed.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from docpipe.domain import DocumentKind, DocumentStatus
from docpipe.errors import INTERNAL_ERROR, NOT_FOUND
from docpipe.fleet.fanout import submit
from docpipe.pipeline.engines import check_models
from docpipe.pipeline.intake import Intake, check_upload, iter_files, take_in
from docpipe.pipeline.stages import analyse_document, start_run
from docpipe.services.caller import Action, Caller, require, require_matter
from docpipe.services.operations import ready
from docpipe.settings import Settings
from docpipe.store import documents
from docpipe.store.db import session_scope

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class Outcome:
    """What became of one document: done, failed (with the reason), or queued; or, for
    bytes already in the matter, the existing document as it stands (``duplicate``)."""

    status: str
    document_id: int | None = None
    run_id: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    sent: bool = True  # queued: False when the broker was unreachable (the reconciler sends it)
    seconds: float = 0.0
    bug: bool = False  # failed through an unexpected exception (logged with its traceback)
    duplicate: bool = False  # the same bytes were already a document of this matter: not run again


def prepare(settings: Settings, caller: Caller) -> None:
    """Before a batch of files: the caller may ingest, the database is ready, every stage's
    model resolves (a missing model or a pin mismatch stops here, before any document)."""
    require(caller, Action.INGEST)
    ready(settings)
    check_models(settings)


def files_under(paths: list[Path]) -> Iterator[Path]:
    """Files named, and files under folders named (recursively, sorted, hidden ones skipped)."""
    return iter_files(paths)


def receive(settings: Settings, caller: Caller, path: Path, *, matter: str,
            original_name: str | None = None) -> Intake:
    """Store the bytes and find or create the document (same bytes, same matter: one)."""
    require(caller, Action.INGEST)
    require_matter(caller, matter)
    ready(settings)
    return take_in(settings, path, matter=matter, original_name=original_name, actor=caller.name)


def receive_upload(settings: Settings, caller: Caller, path: Path, *, matter: str, original_name: str) -> Intake:
    """An upload over HTTP, already on disk in full: checked first (empty, bytes that disagree
    with the name, a format we do not read: refused, nothing stored), then stored like any file.
    A matter the caller does not belong to is not found, whatever the role."""
    require_matter(caller, matter)
    require(caller, Action.INGEST)
    ready(settings)
    check_upload(path, original_name)
    return take_in(settings, path, matter=matter, original_name=original_name, actor=caller.name)


def pending(settings: Settings, caller: Caller) -> list[tuple[int, int | None]]:
    """(document, queued run or None) of documents accepted but never analysed, or queued
    for this process's runner, when a server stopped before their turn."""
    require(caller, Action.OPERATE)
    ready(settings)
    with session_scope(settings.resolved_database_url) as s:
        return documents.waiting_here(s)


def analyse(settings: Settings, document_id: int, *, kind: DocumentKind | None = None,
            progress: Progress = _quiet) -> Outcome:
    """Queue the document for the fleet when a broker is configured, else analyse it here."""
    if settings.broker_url:
        run_id, sent = submit(settings, document_id, kind=kind)
        return Outcome(status=DocumentStatus.QUEUED, document_id=document_id, run_id=run_id, sent=sent)
    return run_inline(settings, document_id, kind=kind, progress=progress)


def queue_here(settings: Settings, document_id: int) -> int:
    """Record a queued run for this process's own runner (``docpipe serve`` without a
    broker), so the document reads queued (its last failure kept on its old run) until the
    runner takes it. Returns the run id to hand to ``run_inline``."""
    return start_run(settings, document_id, queued=True)


def run_inline(settings: Settings, document_id: int, *, kind: DocumentKind | None = None,
               progress: Progress = _quiet, run_id: int | None = None) -> Outcome:
    """Analyse in this process (in ``run_id`` when queue_here recorded one). A bug is
    recorded on the document (internal_error), logged with its traceback, and reported as a
    failed outcome."""
    started = time.perf_counter()
    bug = False
    try:
        analyse_document(settings, document_id, kind=kind, progress=progress, run_id=run_id)
    except Exception:
        log.exception("document %s: unexpected error (recorded as %s)", document_id, INTERNAL_ERROR)
        bug = True
    with session_scope(settings.resolved_database_url) as s:
        doc = documents.get_document(s, document_id=document_id)
    return Outcome(status=doc.status, document_id=document_id, error_code=doc.error_code,
                   error_message=doc.error_message, seconds=time.perf_counter() - started, bug=bug)


def ingest_file(settings: Settings, caller: Caller, path: Path, *, matter: str,
                kind: DocumentKind | None = None, received: Callable[[Intake], None] = lambda _: None,
                progress: Progress = _quiet) -> Outcome:
    """One file, start to end. ``received`` hears of the stored document before analysis."""
    if not path.is_file():
        return Outcome(status=DocumentStatus.FAILED, error_code=NOT_FOUND, error_message="no such file")
    took = receive(settings, caller, path, matter=matter)
    received(took)
    if not took.created:
        return Outcome(status=took.status, document_id=took.document_id, duplicate=True)
    return analyse(settings, took.document_id, kind=kind, progress=progress)
