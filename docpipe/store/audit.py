"""The audit log: append-only and hash-chained. Each entry holds the hash of the one before
it and its own hash over its contents, so an entry altered or removed by hand breaks the
chain at that point, and ``verify`` names it. Entries are written in the same transaction
as the action they record (the caller's session), never hold document text, and are kept
when a document is purged (ids and hashes only).

A unique index on ``prev_hash`` keeps the chain a line when two writers race: the second
insert fails and is retried on the new last entry (PostgreSQL also takes a transaction
advisory lock first, so it rarely has to). Triggers made by the migration refuse UPDATE
and DELETE on both databases (and TRUNCATE on PostgreSQL).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from docpipe.store.models import AuditEntry, utcnow
from docpipe.store.records import aware

GENESIS = "0" * 64
_LOCK_KEY = 0x646F6370  # "docp": the advisory lock that serialises appends on PostgreSQL


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    action: str
    matter: str | None
    document_id: int | None
    detail: dict
    prev_hash: str
    hash: str


def entry_hash(prev_hash: str, at: datetime, actor: str, action: str, matter: str | None,
               document_id: int | None, detail: dict) -> str:
    moment = aware(at).astimezone(timezone.utc).isoformat(timespec="microseconds")
    body = json.dumps([prev_hash, moment, actor, action, matter, document_id, detail],
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def append(session: Session, *, actor: str, action: str, matter: str | None = None,
           document_id: int | None = None, detail: dict | None = None) -> None:
    """Add one entry in the caller's transaction (it commits or rolls back with the action)."""
    detail = dict(detail or {})
    if session.bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    for attempt in range(5):
        last = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)) or GENESIS
        at = utcnow()
        row = AuditEntry(at=at, actor=actor, action=action, matter=matter, document_id=document_id,
                         detail=detail, prev_hash=last,
                         hash=entry_hash(last, at, actor, action, matter, document_id, detail))
        try:
            with session.begin_nested():
                session.add(row)
            return
        except IntegrityError:  # another writer appended first: chain onto theirs
            if attempt == 4:
                raise


def _record(row: AuditEntry) -> AuditRecord:
    return AuditRecord(id=row.id, at=aware(row.at), actor=row.actor, action=row.action, matter=row.matter,
                       document_id=row.document_id, detail=row.detail or {}, prev_hash=row.prev_hash,
                       hash=row.hash)


def entries(session: Session, *, matter: str | None = None, actor: str | None = None,
            since: datetime | None = None, limit: int = 1000) -> list[AuditRecord]:
    query = select(AuditEntry).order_by(AuditEntry.id)
    if matter:
        query = query.where(AuditEntry.matter == matter)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if since:
        query = query.where(AuditEntry.at >= since)
    return [_record(r) for r in session.scalars(query.limit(limit))]


def verify(session: Session) -> tuple[int, str | None]:
    """Walk the chain from the first entry: (entries checked, None when whole, else what is
    wrong at the first broken link)."""
    previous, checked = GENESIS, 0
    for row in session.scalars(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000)):
        if row.prev_hash != previous:
            return checked, (f"entry {row.id}: its link to the entry before does not match "
                             "(an entry before it was removed or altered)")
        expected = entry_hash(row.prev_hash, row.at, row.actor, row.action, row.matter, row.document_id,
                              row.detail or {})
        if row.hash != expected:
            return checked, f"entry {row.id}: its contents do not match its hash (altered)"
        previous = row.hash
        checked += 1
    return checked, None
