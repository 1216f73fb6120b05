"""The repository: the only code that touches the ORM. Keyword-only arguments throughout."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import delete, select, text as sql_text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from docpipe.domain import Chunk, Finding, Span
from docpipe.errors import NotFound
from docpipe.store.models import (
    ChunkRecord, Document, FindingRecord, Matter, Page, Run, SearchEntry, Summary, utcnow,
)


def get_or_create_matter(session: Session, *, name: str) -> Matter:
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


def add_document(session: Session, *, matter: Matter, sha256: str, original_name: str,
                 size: int) -> tuple[Document, bool]:
    """The document for these bytes in this matter: (document, created). Same bytes, same
    matter = one document, also when two uploads race (the unique key decides)."""
    query = select(Document).where(Document.matter_id == matter.id, Document.sha256 == sha256)
    existing = session.scalar(query)
    if existing:
        return existing, False
    try:
        with session.begin_nested():
            doc = Document(matter_id=matter.id, sha256=sha256, original_name=original_name,
                           size=size, status="pending", meta={})
            session.add(doc)
        return doc, True
    except IntegrityError:
        return session.scalar(query), False


def get_document(session: Session, *, document_id: int) -> Document:
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound(f"no document with id {document_id}")
    return doc


def save_pages(session: Session, *, document_id: int, spans: Sequence[Span]) -> None:
    session.execute(delete(Page).where(Page.document_id == document_id))
    session.execute(delete(SearchEntry).where(SearchEntry.document_id == document_id,
                                              SearchEntry.source == "page"))
    for seq, span in enumerate(spans):
        session.add(Page(document_id=document_id, seq=seq, **asdict(span)))
    for ref, text in _search_texts(spans):
        session.add(SearchEntry(document_id=document_id, source="page", ref=ref, text=text))


def _search_texts(spans: Sequence[Span]):
    """Group spans by page (or by turn) so search hits carry a locator."""
    groups: dict[str, list[str]] = {}
    for span in spans:
        if span.page is not None:
            ref = f"p. {span.page_label or span.page}"
        elif span.turn is not None:
            ref = f"turn {span.turn}" + (f" ({span.speaker})" if span.speaker else "")
        else:
            ref = "text"
        groups.setdefault(ref, []).append(span.text)
    return [(ref, "\n".join(parts)) for ref, parts in groups.items()]


def load_spans(session: Session, *, document_id: int) -> list[Span]:
    rows = session.scalars(select(Page).where(Page.document_id == document_id).order_by(Page.seq))
    return [Span(text=r.text, page=r.page, page_label=r.page_label, line=r.line, turn=r.turn,
                 speaker=r.speaker, timestamp=r.timestamp) for r in rows]


def create_run(session: Session, *, document_id: int, pipeline_version: str) -> Run:
    run = Run(document_id=document_id, pipeline_version=pipeline_version, status="running",
              stage="parse", attempts=1, models={}, timings={}, coverage={})
    session.add(run)
    session.flush()
    return run


def latest_run(session: Session, *, document_id: int) -> Run | None:
    return session.scalar(select(Run).where(Run.document_id == document_id)
                          .order_by(Run.id.desc()).limit(1))


def save_chunks(session: Session, *, run_id: int, chunks: Sequence[Chunk]) -> None:
    session.execute(delete(ChunkRecord).where(ChunkRecord.run_id == run_id))
    for c in chunks:
        session.add(ChunkRecord(run_id=run_id, index=c.index, first_unit=c.unit_ids[0],
                                last_unit=c.unit_ids[-1], first_page=c.first_page,
                                last_page=c.last_page, first_turn=c.first_turn,
                                last_turn=c.last_turn, tokens=c.tokens, status="pending"))


def chunk_records(session: Session, *, run_id: int) -> list[ChunkRecord]:
    return list(session.scalars(select(ChunkRecord).where(ChunkRecord.run_id == run_id)
                                .order_by(ChunkRecord.index)))


def save_findings(session: Session, *, run: Run, findings: Sequence[Finding]) -> None:
    for f in findings:
        c = f.citation
        session.add(FindingRecord(
            run_id=run.id, document_id=run.document_id, field=f.field, value=f.value,
            normalized=f.normalized, quote=c.quote, page=c.page, page_label=c.page_label,
            line=c.line, turn=c.turn, speaker=c.speaker, timestamp=c.timestamp,
            unit_id=c.unit_id, verified=f.verified, extra=f.extra))


def save_summary(session: Session, *, run: Run, kind: str, brief: list[dict],
                 not_found: list[str], conflicts: list[dict]) -> None:
    text = "\n".join(p["text"] for p in brief)
    session.add(Summary(run_id=run.id, kind=kind, brief=brief, brief_text=text,
                        not_found=not_found, conflicts=conflicts))
    session.execute(delete(SearchEntry).where(SearchEntry.document_id == run.document_id,
                                              SearchEntry.source == "summary"))
    if text:
        session.add(SearchEntry(document_id=run.document_id, source="summary", ref="brief", text=text))


def fail(session: Session, *, document: Document, run: Run | None, code: str, message: str) -> None:
    document.status, document.error_code, document.error_message = "failed", code, message
    if run is not None:
        run.status, run.error_code, run.error_message = "failed", code, message
        run.finished_at = utcnow()


def list_documents(session: Session, *, matter: str | None = None) -> list[tuple[Document, Matter]]:
    query = select(Document, Matter).join(Matter).order_by(Document.id)
    if matter:
        query = query.where(Matter.name == matter)
    return list(session.execute(query).all())


def run_results(session: Session, *, run_id: int) -> tuple[Summary | None, list[FindingRecord]]:
    summary = session.scalar(select(Summary).where(Summary.run_id == run_id))
    findings = list(session.scalars(select(FindingRecord).where(FindingRecord.run_id == run_id)
                                    .order_by(FindingRecord.id)))
    return summary, findings


def search(session: Session, *, query: str, limit: int = 20) -> list[dict]:
    """Full text over document text and summaries: PostgreSQL FTS or SQLite FTS5."""
    if session.bind.dialect.name == "postgresql":
        stmt = sql_text(
            "SELECT e.document_id, e.source, e.ref, "
            "ts_headline('english', e.text, q, 'MaxWords=18, MinWords=6') AS snippet, "
            "ts_rank(to_tsvector('english', e.text), q) AS rank "
            "FROM search_entries e, websearch_to_tsquery('english', :q) q "
            "WHERE to_tsvector('english', e.text) @@ q ORDER BY rank DESC, e.id LIMIT :limit")
    else:
        stmt = sql_text(
            "SELECT e.document_id, e.source, e.ref, "
            "snippet(search_fts, 0, '[', ']', '…', 14) AS snippet, bm25(search_fts) AS rank "
            "FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid "
            "WHERE search_fts MATCH :q ORDER BY rank, e.id LIMIT :limit")
        query = _fts5_query(query)
    rows = session.execute(stmt, {"q": query, "limit": limit}).mappings().all()
    return [dict(r) for r in rows]


def _fts5_query(text: str) -> str:
    """Quote each word so user input is never FTS5 syntax ('AND', '-', '"' are data)."""
    words = [w.replace('"', '""') for w in text.split()]
    return " ".join(f'"{w}"' for w in words) or '""'
