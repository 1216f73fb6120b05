"""Legal holds, retention and erasure in the database. Deleting a document removes its
row and, by cascade, its pages, runs (chunks and their results, summaries), findings and
full-text rows; the batch-file rows that named it go too (they hold its file name)."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from docpipe.domain import DocumentStatus
from docpipe.errors import BUSY, LEGAL_HOLD, DocpipeError, NotFound
from docpipe.store.documents import _matter_row
from docpipe.store.models import Batch, BatchFile, Document, LegalHold, Matter, utcnow
from docpipe.store.records import aware

ACTIVE = (DocumentStatus.QUEUED, DocumentStatus.RUNNING)


@dataclass(frozen=True)
class HoldRecord:
    id: int
    matter: str | None
    document_id: int | None
    reason: str | None
    set_by: str
    set_at: datetime
    lifted_by: str | None
    lifted_at: datetime | None


@dataclass(frozen=True)
class Erased:
    """What a purge removed, for the audit entry and the file store (no names, no text)."""

    matter: str
    matter_id: int
    document_ids: tuple[int, ...]
    sha256s: tuple[str, ...]
    whole_matter: bool


def _matter(session: Session, name: str) -> Matter:
    row = session.scalar(select(Matter).where(Matter.name == name))
    if row is None:
        raise NotFound(f"no matter {name!r}")
    return row


def _hold_record(session: Session, h: LegalHold) -> HoldRecord:
    matter = session.get(Matter, h.matter_id).name if h.matter_id is not None else None
    return HoldRecord(id=h.id, matter=matter, document_id=h.document_id, reason=h.reason, set_by=h.set_by,
                      set_at=aware(h.set_at), lifted_by=h.lifted_by, lifted_at=aware(h.lifted_at))


def set_hold(session: Session, *, by: str, reason: str | None, document_id: int | None = None,
             matter: str | None = None) -> HoldRecord:
    if document_id is not None:
        if session.get(Document, document_id) is None:
            raise NotFound(f"no document with id {document_id}")
        hold = LegalHold(document_id=document_id, reason=reason, set_by=by)
    else:
        hold = LegalHold(matter_id=_matter_row(session, matter).id, reason=reason, set_by=by)
    session.add(hold)
    session.flush()
    return _hold_record(session, hold)


def lift_holds(session: Session, *, by: str, document_id: int | None = None,
               matter: str | None = None) -> list[HoldRecord]:
    """Lift every active hold placed on the document (or on the matter itself)."""
    query = select(LegalHold).where(LegalHold.lifted_at.is_(None))
    query = query.where(LegalHold.document_id == document_id) if document_id is not None \
        else query.where(LegalHold.matter_id == _matter(session, matter).id)
    rows = session.scalars(query).all()
    if not rows:
        raise NotFound("no active legal hold there")
    now = utcnow()
    for h in rows:
        h.lifted_at, h.lifted_by = now, by
    session.flush()
    return [_hold_record(session, h) for h in rows]


def list_holds(session: Session, *, active_only: bool = True,
               matters: Collection[str] | None = None) -> list[HoldRecord]:
    query = select(LegalHold).order_by(LegalHold.id)
    if active_only:
        query = query.where(LegalHold.lifted_at.is_(None))
    out = [_hold_record(session, h) for h in session.scalars(query)]
    if matters is None:
        return out
    doc_matter = dict(session.execute(select(Document.id, Matter.name).join(Matter)).all())
    return [h for h in out if (h.matter or doc_matter.get(h.document_id)) in matters]


def _active_hold(session: Session, *, document_ids: Collection[int], matter_id: int) -> LegalHold | None:
    return session.scalars(select(LegalHold).where(
        LegalHold.lifted_at.is_(None),
        or_(LegalHold.matter_id == matter_id, LegalHold.document_id.in_(list(document_ids) or [-1])))).first()


def _refuse_if_held_or_busy(session: Session, docs: list[Document], matter_id: int) -> None:
    hold = _active_hold(session, document_ids=[d.id for d in docs], matter_id=matter_id)
    if hold is not None:
        what = f"document {hold.document_id}" if hold.document_id is not None else "the matter"
        raise DocpipeError(f"a legal hold covers {what} (hold {hold.id}, set by {hold.set_by}"
                           f"{': ' + hold.reason if hold.reason else ''}); lift it first", code=LEGAL_HOLD)
    busy = [d.id for d in docs if d.status in ACTIVE]
    if busy:
        raise DocpipeError(f"document {busy[0]} is being analysed; purge it once it has ended", code=BUSY)


def purge_document(session: Session, *, document_id: int, matters: Collection[str] | None = None) -> Erased:
    row = session.execute(select(Document, Matter.name).join(Matter).where(Document.id == document_id)).first()
    if row is None or (matters is not None and row[1] not in matters):
        raise NotFound(f"no document with id {document_id}")
    doc, matter = row
    _refuse_if_held_or_busy(session, [doc], doc.matter_id)
    erased = Erased(matter=matter, matter_id=doc.matter_id, document_ids=(doc.id,), sha256s=(doc.sha256,),
                    whole_matter=False)
    session.execute(delete(BatchFile).where(BatchFile.document_id == doc.id))
    session.delete(doc)
    session.flush()
    return erased


def purge_matter(session: Session, *, matter: str) -> Erased:
    """Every document of the matter, its batch reports, memberships, holds and the matter
    row with its key (crypto-erasure of any copy left elsewhere)."""
    m = _matter(session, matter)
    docs = session.scalars(select(Document).where(Document.matter_id == m.id)).all()
    _refuse_if_held_or_busy(session, list(docs), m.id)
    erased = Erased(matter=matter, matter_id=m.id, document_ids=tuple(d.id for d in docs),
                    sha256s=tuple(d.sha256 for d in docs), whole_matter=True)
    for doc in docs:
        session.delete(doc)
    session.execute(delete(Batch).where(Batch.matter == matter))
    session.delete(m)
    session.flush()
    return erased


def set_retention(session: Session, *, matter: str, days: int | None) -> None:
    _matter(session, matter).retention_days = days


def retention_of(session: Session) -> dict[str, int | None]:
    return dict(session.execute(select(Matter.name, Matter.retention_days).order_by(Matter.name)).all())


def expired(session: Session, *, default_days: int | None, now: datetime) -> list[tuple[int, str, bool]]:
    """(document id, matter, held or busy) of documents past their matter's retention."""
    out = []
    rows = session.execute(select(Document, Matter).join(Matter).order_by(Document.id)).all()
    for doc, m in rows:
        days = m.retention_days or default_days
        if days is None or aware(doc.created_at) + timedelta(days=days) > now:
            continue
        blocked = doc.status in ACTIVE or _active_hold(session, document_ids=[doc.id], matter_id=m.id) is not None
        out.append((doc.id, m.name, blocked))
    return out
