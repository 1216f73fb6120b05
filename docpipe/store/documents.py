"""Matters, documents and their pages. Keyword-only arguments; records out, never rows.

``matters`` arguments limit what a caller can see: None means every matter (the local
operator), a collection means only those (and an empty one, nothing).
"""
from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import asdict

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from docpipe.domain import DocumentStatus, RunStatus, Span
from docpipe.errors import NotFound
from docpipe.store.models import Document, Matter, Page, Run, SearchEntry
from docpipe.store.records import DocumentRecord, record
from docpipe.store.search import search_texts


def _matter_row(session: Session, name: str) -> Matter:
    matter = session.scalar(select(Matter).where(Matter.name == name))
    if matter:
        return matter
    try:
        with session.begin_nested():
            matter = Matter(name=name)
            session.add(matter)
        return matter
    except IntegrityError:
        return session.scalar(select(Matter).where(Matter.name == name))


def document_record(doc: Document, matter: str | None = None) -> DocumentRecord:
    return record(DocumentRecord, doc, matter=matter if matter is not None else doc.matter.name)


def add_document(session: Session, *, matter: str, sha256: str, original_name: str,
                 size: int) -> tuple[DocumentRecord, bool]:
    """The document for these bytes in this matter: (document, created). Same bytes, same
    matter = one document, also when two uploads race (the unique key decides)."""
    m = _matter_row(session, matter)
    query = select(Document).where(Document.matter_id == m.id, Document.sha256 == sha256)
    existing = session.scalar(query)
    if existing:
        return document_record(existing, matter), False
    try:
        with session.begin_nested():
            doc = Document(matter_id=m.id, sha256=sha256, original_name=original_name,
                           size=size, status=DocumentStatus.PENDING, meta={})
            session.add(doc)
        return document_record(doc, matter), True
    except IntegrityError:
        return document_record(session.scalar(query), matter), False


def _visible(query, matters: Collection[str] | None):
    return query if matters is None else query.where(Matter.name.in_(list(matters)))


def get_document(session: Session, *, document_id: int,
                 matters: Collection[str] | None = None) -> DocumentRecord:
    """One document; NotFound when there is none or it lies outside ``matters``."""
    query = _visible(select(Document, Matter.name).join(Matter).where(Document.id == document_id), matters)
    row = session.execute(query).first()
    if row is None:
        raise NotFound(f"no document with id {document_id}")
    return document_record(row[0], row[1])


def list_documents(session: Session, *, matter: str | None = None,
                   matters: Collection[str] | None = None) -> list[DocumentRecord]:
    query = _visible(select(Document, Matter.name).join(Matter).order_by(Document.id), matters)
    if matter:
        query = query.where(Matter.name == matter)
    return [document_record(doc, name) for doc, name in session.execute(query).all()]


def waiting_here(session: Session) -> list[tuple[int, int | None]]:
    """(document, queued run or None), oldest first: pending documents without any run, and
    documents whose latest run is still queued (for a server without a broker: its own
    runner's work, left when it stopped)."""
    has_run = select(Run.id).where(Run.document_id == Document.id).exists()
    out = [(i, None) for i in session.scalars(select(Document.id).where(
        Document.status == DocumentStatus.PENDING, ~has_run).order_by(Document.id))]
    later = aliased(Run)
    latest = select(func.max(later.id)).where(later.document_id == Document.id).correlate(Document).scalar_subquery()
    rows = session.execute(select(Document.id, Run.id).join(Run, Run.id == latest)
                           .where(Document.status == DocumentStatus.QUEUED, Run.status == RunStatus.QUEUED)
                           .order_by(Document.id))
    return sorted(out + [(d, r) for d, r in rows])


def document_names(session: Session, *, document_ids: Collection[int]) -> dict[int, str]:
    if not document_ids:
        return {}
    rows = session.execute(select(Document.id, Document.original_name).where(Document.id.in_(list(document_ids))))
    return {i: name for i, name in rows}


def save_parse(session: Session, *, document_id: int, spans: Sequence[Span], format: str,
               page_count: int | None, turn_count: int | None, metadata: dict) -> None:
    """A parse's result: the located spans (pages, turns) and the search text, replacing
    any earlier parse of the same document."""
    doc = session.get(Document, document_id)
    session.execute(delete(Page).where(Page.document_id == document_id))
    session.execute(delete(SearchEntry).where(SearchEntry.document_id == document_id,
                                              SearchEntry.source == "page"))
    for seq, span in enumerate(spans):
        session.add(Page(document_id=document_id, seq=seq, **asdict(span)))
    for ref, text in search_texts(spans):
        session.add(SearchEntry(document_id=document_id, source="page", ref=ref, text=text))
    doc.format, doc.page_count, doc.turn_count = format, page_count, turn_count
    doc.meta = {**(doc.meta or {}), **json.loads(json.dumps(metadata, default=str))}


def load_spans(session: Session, *, document_id: int) -> list[Span]:
    rows = session.scalars(select(Page).where(Page.document_id == document_id).order_by(Page.seq))
    return [Span(text=r.text, page=r.page, page_label=r.page_label, line=r.line, turn=r.turn,
                 speaker=r.speaker, timestamp=r.timestamp) for r in rows]
