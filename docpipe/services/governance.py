"""Legal holds, retention and erasure. Admins only. A hold blocks every deletion path (the
CLI, DELETE over HTTP, retention) with ``legal_hold``. A purge removes the document's rows
(pages, runs, chunk results, summaries, findings, full text, batch-file rows), then its
sealed original; a matter purge also destroys the matter's key, so a copy of its originals
left on a backup cannot be read. The audit keeps one entry per purge: ids, sha256, who,
when; never a name or text."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from docpipe.domain import AuditAction
from docpipe.errors import BAD_REQUEST, BUSY, LEGAL_HOLD, DocpipeError, InputError
from docpipe.pipeline import originals
from docpipe.services import audit, documents
from docpipe.services.caller import Action, Caller, require, require_matter, visible_matters
from docpipe.services.operations import ready
from docpipe.settings import Settings
from docpipe.store import blobs, governance
from docpipe.store.db import session_scope
from docpipe.store.governance import Erased, HoldRecord


@dataclass
class RetentionReport:
    purged: list[int] = field(default_factory=list)
    kept_on_hold: list[int] = field(default_factory=list)  # expired, but held (or still being analysed)


def _admin(settings: Settings, caller: Caller, *, document_id: int | None = None, matter: str | None = None) -> None:
    """Admins only; but a document or matter the caller cannot see is not found first, so a
    non-admin learns nothing of another matter (404 before 403)."""
    ready(settings)
    if document_id is not None:
        documents.get_document(settings, caller, document_id)
    if matter is not None:
        require_matter(caller, matter)
    require(caller, Action.ADMINISTER)


def set_hold(settings: Settings, caller: Caller, *, document_id: int | None = None, matter: str | None = None,
             reason: str | None = None) -> HoldRecord:
    if (document_id is None) == (matter is None):
        raise InputError("a hold is on one document or one matter", code=BAD_REQUEST)
    _admin(settings, caller, document_id=document_id, matter=matter)
    with session_scope(settings.resolved_database_url) as s:
        hold = governance.set_hold(s, by=caller.name, reason=reason, document_id=document_id, matter=matter)
        audit.record(s, caller, AuditAction.HOLD_SET, matter=hold.matter, document_id=document_id,
                     hold=hold.id, reason=reason)
    return hold


def lift_hold(settings: Settings, caller: Caller, *, document_id: int | None = None,
              matter: str | None = None) -> list[HoldRecord]:
    if (document_id is None) == (matter is None):
        raise InputError("lift the holds of one document or one matter", code=BAD_REQUEST)
    _admin(settings, caller, document_id=document_id, matter=matter)
    with session_scope(settings.resolved_database_url) as s:
        lifted = governance.lift_holds(s, by=caller.name, document_id=document_id, matter=matter)
        audit.record(s, caller, AuditAction.HOLD_LIFTED, matter=matter, document_id=document_id,
                     holds=[h.id for h in lifted])
    return lifted


def holds(settings: Settings, caller: Caller, *, active_only: bool = True) -> list[HoldRecord]:
    _admin(settings, caller)
    with session_scope(settings.resolved_database_url) as s:
        return governance.list_holds(s, active_only=active_only, matters=visible_matters(caller))


def _erase_files(settings: Settings, erased: Erased) -> None:
    """After the rows are gone (committed): the sealed originals, then the matter's folder."""
    for sha in erased.sha256s:
        blobs.remove(settings.objects_dir, erased.matter_id, sha)
    if erased.whole_matter:
        blobs.remove_matter(settings.objects_dir, erased.matter_id)


def _audit_purge(s, caller: Caller, erased: Erased, why: str) -> None:
    audit.record(s, caller, AuditAction.PURGE, matter=erased.matter,
                 document_id=erased.document_ids[0] if not erased.whole_matter else None,
                 documents=list(erased.document_ids), sha256=list(erased.sha256s),
                 whole_matter=erased.whole_matter, why=why)


def purge_document(settings: Settings, caller: Caller, document_id: int, *, why: str = "request") -> Erased:
    _admin(settings, caller, document_id=document_id)
    with session_scope(settings.resolved_database_url) as s:
        erased = governance.purge_document(s, document_id=document_id, matters=visible_matters(caller))
        _audit_purge(s, caller, erased, why)
    _erase_files(settings, erased)
    return erased


def purge_matter(settings: Settings, caller: Caller, matter: str) -> Erased:
    _admin(settings, caller, matter=matter)
    with session_scope(settings.resolved_database_url) as s:
        erased = governance.purge_matter(s, matter=matter)
        _audit_purge(s, caller, erased, "request")
    _erase_files(settings, erased)
    return erased


def init_keys(settings: Settings, caller: Caller) -> str:
    """Make the master key file (refused when one exists); returns its path."""
    require(caller, Action.ADMINISTER)
    path = settings.resolved_master_key_file
    if path.exists():
        raise InputError(f"a master key already exists at {path}; `docpipe keys rotate` replaces it",
                         code=BAD_REQUEST)
    originals.master_key(settings)  # makes it (on a database without matter keys) or says why not
    return str(path)


def rotate_keys(settings: Settings, caller: Caller) -> int:
    """A new master key; every matter key rewrapped. Returns how many matter keys."""
    _admin(settings, caller)
    return originals.rotate_master(settings)


def set_retention(settings: Settings, caller: Caller, matter: str, days: int | None) -> None:
    if days is not None and days < 1:
        raise InputError("retention is at least one day (or 'none')", code=BAD_REQUEST)
    _admin(settings, caller)
    with session_scope(settings.resolved_database_url) as s:
        governance.set_retention(s, matter=matter, days=days)


def retention(settings: Settings, caller: Caller) -> dict[str, int | None]:
    _admin(settings, caller)
    with session_scope(settings.resolved_database_url) as s:
        return governance.retention_of(s)


def run_retention(settings: Settings, caller: Caller, *, dry_run: bool = False,
                  now: datetime | None = None) -> RetentionReport:
    """Purge every document past its matter's retention that no hold covers."""
    _admin(settings, caller)
    with session_scope(settings.resolved_database_url) as s:
        due = governance.expired(s, default_days=settings.retention_days, now=now or datetime.now(timezone.utc))
    report = RetentionReport()
    for document_id, _, blocked in due:
        if blocked:
            report.kept_on_hold.append(document_id)
            continue
        if not dry_run:
            try:
                purge_document(settings, caller, document_id, why="retention")
            except DocpipeError as exc:  # a hold placed (or a run started) since we looked
                if exc.code not in (LEGAL_HOLD, BUSY):
                    raise
                report.kept_on_hold.append(document_id)
                continue
        report.purged.append(document_id)
    return report
