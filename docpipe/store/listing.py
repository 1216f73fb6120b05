"""The documents table behind `docpipe list`, `GET /api/v1/documents` and the web pages:
filters on stored structured fields (the latest run's findings) combined with full text,
sorted and paginated in the database."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Integer, String, and_, cast, exists, func, or_, select, text as sql_text
from sqlalchemy.orm import Session

from docpipe.store.models import Document, FindingRecord, Matter, Run
from docpipe.store.records import DocumentRecord
from docpipe.store.documents import document_record
from docpipe.store.search import fts5_query

SORTS = {"id": Document.id, "name": Document.original_name, "status": Document.status,
         "kind": Document.kind, "pages": Document.page_count, "created": Document.created_at}


@dataclass(frozen=True)
class DocumentQuery:
    matter: str | None = None
    status: str | None = None
    kind: str | None = None
    text: str | None = None  # full text over the document and its brief
    fields: tuple[tuple[str, str], ...] = ()  # (field, value): a finding of that field contains value
    has: tuple[str, ...] = ()  # a finding of each of these fields exists
    expires_before: date | None = None
    sort: str = "id"
    descending: bool = False
    page: int = 1
    per_page: int = 50
    key_fields: tuple[str, ...] = field(default=())


def _of_latest_run():
    """The finding belongs to the latest run of its document: no later run of that document
    exists (correlated to the finding, not the document: the document lies two queries out).
    Said as NOT EXISTS rather than ``run_id = (SELECT max(id) ...)``: PostgreSQL estimated
    the equality with a subquery as one row in 10,000, chose nested loops over every
    document, and one filter took 4 s on 10,000 documents (benchmarks/api.py); the anti-join
    it estimates well (45 ms). The same rows either way."""
    later = select(Run.id).where(Run.document_id == FindingRecord.document_id, Run.id > FindingRecord.run_id)
    return ~exists(later)


def _finding(*conditions):
    return exists(select(FindingRecord.id).where(FindingRecord.document_id == Document.id,
                                                  _of_latest_run(), *conditions))


def _full_text(session: Session, text: str):
    if session.bind.dialect.name == "postgresql":
        return Document.id.in_(sql_text(
            "SELECT e.document_id FROM search_entries e "
            "WHERE to_tsvector('english', e.text) @@ websearch_to_tsquery('english', :q)")
            .bindparams(q=text).columns(document_id=Integer))
    fts = fts5_query(text)
    return Document.id.in_(sql_text(
        "SELECT e.document_id FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid "
        "WHERE search_fts MATCH :q").bindparams(q=fts).columns(document_id=Integer))


def _like(value: str) -> str:
    return "%" + value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def find_documents(session: Session, query: DocumentQuery, *,
                   matters: Collection[str] | None = None) -> tuple[list[DocumentRecord], int, dict]:
    """(documents of this page, how many match in all, {document id: {field: [finding
    dicts]}} for ``query.key_fields``)."""
    if matters is not None and not matters:
        return [], 0, {}
    where = []
    if matters is not None:
        where.append(Matter.name.in_(list(matters)))
    if query.matter:
        where.append(Matter.name == query.matter)
    if query.status:
        where.append(Document.status == query.status)
    if query.kind:
        where.append(Document.kind == query.kind)
    if query.text:
        where.append(_full_text(session, query.text))
    for name, value in query.fields:
        pattern = _like(value)
        where.append(_finding(FindingRecord.field == name,
                              or_(func.lower(FindingRecord.value).like(pattern, escape="\\"),
                                  func.lower(func.coalesce(FindingRecord.normalized, "")).like(pattern, escape="\\"))))
    for name in query.has:
        where.append(_finding(FindingRecord.field == name))
    if query.expires_before:
        where.append(_finding(FindingRecord.field == "expiration_date",
                              FindingRecord.normalized.like("____-__-__"),
                              FindingRecord.normalized < cast(query.expires_before.isoformat(), String)))
    base = select(Document, Matter.name).join(Matter).where(and_(*where)) if where else \
        select(Document, Matter.name).join(Matter)
    total = session.scalar(select(func.count()).select_from(base.order_by(None).subquery()))
    order = SORTS[query.sort]
    order = order.desc().nulls_last() if query.descending else order.asc().nulls_last()
    rows = session.execute(base.order_by(order, Document.id)
                           .offset((query.page - 1) * query.per_page).limit(query.per_page)).all()
    docs = [document_record(doc, name) for doc, name in rows]
    return docs, total, _key_fields(session, [d.id for d in docs], query.key_fields)


def _key_fields(session: Session, document_ids: list[int], names: tuple[str, ...]) -> dict:
    if not document_ids or not names:
        return {}
    latest = (select(Run.document_id, func.max(Run.id).label("run_id"))
              .where(Run.document_id.in_(document_ids)).group_by(Run.document_id).subquery())
    rows = session.execute(
        select(FindingRecord).join(latest, FindingRecord.run_id == latest.c.run_id)
        .where(FindingRecord.field.in_(names)).order_by(FindingRecord.document_id, FindingRecord.id)).scalars()
    out: dict[int, dict[str, list[dict]]] = {}
    for f in rows:
        cell = out.setdefault(f.document_id, {}).setdefault(f.field, [])
        value = f.normalized or f.value
        if any(c["value"] == value for c in cell):
            continue
        cell.append({"value": value, "verified": f.verified, "page": f.page, "page_label": f.page_label,
                     "line": f.line, "turn": f.turn, "quote": f.quote})
    return out
