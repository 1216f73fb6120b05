"""Reading what was stored: list, show, search, the fleet's progress; and retry.

Every read is limited to the caller's matters (``caller.visible_matters``): a document
outside them is NotFound, in a list or a search it is simply absent.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from docpipe.domain import AuditAction, FINAL, DocumentStatus
from docpipe.errors import NOT_FAILED, WAIT_TIMEOUT, DocpipeError
from docpipe.services import audit, ingest
from docpipe.services.caller import Action, Caller, require, visible_matters
from docpipe.services.operations import ready
from docpipe.services.views import document_view
from docpipe.settings import Settings
from docpipe.store import documents, runs, search as fulltext
from docpipe.store.db import session_scope
from docpipe.store.listing import DocumentQuery, find_documents
from docpipe.store.records import DocumentRecord, RunRecord

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def list_documents(settings: Settings, caller: Caller, *, matter: str | None = None) -> list[DocumentRecord]:
    require(caller, Action.READ)
    ready(settings)
    with session_scope(settings.resolved_database_url, matters=visible_matters(caller)) as s:
        return documents.list_documents(s, matter=matter, matters=visible_matters(caller))


def get_document(settings: Settings, caller: Caller, document_id: int) -> DocumentRecord:
    require(caller, Action.READ)
    ready(settings)
    with session_scope(settings.resolved_database_url, matters=visible_matters(caller)) as s:
        return documents.get_document(s, document_id=document_id, matters=visible_matters(caller))


def show(settings: Settings, caller: Caller, document_id: int, *, audit_action: AuditAction = AuditAction.VIEW,
         audit_detail: dict | None = None) -> dict:
    """The document and its latest run: brief, findings, coverage, run figures. Audited as
    a view (or as ``audit_action``, e.g. an export)."""
    require(caller, Action.READ)
    ready(settings)
    with session_scope(settings.resolved_database_url, matters=visible_matters(caller)) as s:
        doc = documents.get_document(s, document_id=document_id, matters=visible_matters(caller))
        run = runs.latest_run(s, document_id=document_id)
        summary, findings = runs.run_results(s, run_id=run.id) if run else (None, [])
        audit.record(s, caller, audit_action, matter=doc.matter, document_id=doc.id, **(audit_detail or {}))
    return document_view(doc, run, summary, findings)


def search(settings: Settings, caller: Caller, text: str, *, limit: int = 20, matter: str | None = None,
           within: DocumentQuery | None = None) -> list[dict]:
    """Full text over document text and briefs: document_id, document (its name), source,
    ref, snippet. ``matter`` narrows to one matter; ``within`` keeps hits in documents that
    also match those structured filters."""
    require(caller, Action.SEARCH)
    ready(settings)
    matters = visible_matters(caller)
    if matter:
        matters = [matter] if matters is None or matter in matters else []
    with session_scope(settings.resolved_database_url, matters=matters) as s:
        ids = None
        if within is not None:
            docs, _, _ = find_documents(s, replace(within, page=1, per_page=10_000, key_fields=()), matters=matters)
            ids = {d.id for d in docs}
        hits = fulltext.search(s, query=text, limit=limit if ids is None else limit * 10, matters=matters)
        hits = [h for h in hits if ids is None or h["document_id"] in ids][:limit]
        names = documents.document_names(s, document_ids=[h["document_id"] for h in hits])
        audit.record(s, caller, AuditAction.SEARCH, matter=matter, query=text[:500], hits=len(hits),
                     documents=sorted({h["document_id"] for h in hits}))
    return [{**h, "document": names.get(h["document_id"])} for h in hits]


def progress_rows(settings: Settings, caller: Caller,
                  document_ids: list[int] | None = None) -> list[tuple[RunRecord, DocumentRecord]]:
    """The latest run of each document: stage, chunks, attempts, errors."""
    require(caller, Action.READ)
    ready(settings)
    with session_scope(settings.resolved_database_url, matters=visible_matters(caller)) as s:
        return runs.latest_runs(s, document_ids=document_ids, matters=visible_matters(caller))


def follow(settings: Settings, caller: Caller, document_ids: list[int], *,
           on_change: Callable[[RunRecord, DocumentRecord], None], poll: float = 1.0,
           timeout: float | None = None) -> int:
    """Report each document's progress as it changes until all have ended; returns how
    many failed."""
    seen: dict[int, tuple] = {}
    started = time.monotonic()
    while True:
        rows = progress_rows(settings, caller, document_ids)
        for run, doc in rows:
            state = (run.id, run.stage, run.chunks_done, run.attempts, doc.status, doc.error_code)
            if seen.get(doc.id) != state:
                on_change(run, doc)
                seen[doc.id] = state
        if len(rows) == len(document_ids) and all(doc.status in FINAL for _, doc in rows):
            return sum(doc.status == DocumentStatus.FAILED for _, doc in rows)
        if timeout and time.monotonic() - started > timeout:
            raise DocpipeError(f"still running after {timeout:.0f}s", code=WAIT_TIMEOUT)
        time.sleep(poll)


def retry(settings: Settings, caller: Caller, document_id: int, *, progress: Progress = _quiet) -> ingest.Outcome:
    """Run a failed document again: a new run (queued, or here), the old one kept on record."""
    check_retry(settings, caller, document_id)
    return ingest.analyse(settings, document_id, progress=progress)


def check_retry(settings: Settings, caller: Caller, document_id: int) -> DocumentRecord:
    """The document, when the caller may retry it and it has failed."""
    doc = get_document(settings, caller, document_id)  # first: another matter's is not found, whatever the role
    require(caller, Action.RETRY)
    if doc.status != DocumentStatus.FAILED:
        raise DocpipeError(f"document {document_id} is {doc.status}; only failed documents are retried",
                           code=NOT_FAILED)
    with session_scope(settings.resolved_database_url, matters=visible_matters(caller)) as s:
        audit.record(s, caller, AuditAction.RETRY, matter=doc.matter, document_id=doc.id, failed=doc.error_code)
    return doc
