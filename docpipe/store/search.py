"""Full text over document text and briefs: PostgreSQL tsvectors (stored in search_fts) or
SQLite FTS5 (both made by the migrations), limited to the matters a caller may see."""
from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import bindparam, text as sql_text
from sqlalchemy.orm import Session

from docpipe.domain import Span

# search_fts holds each entry's to_tsvector('english', text), kept by a trigger (migration
# 0005): ranking reads it instead of parsing every matching text again.
_PG = ("SELECT e.document_id, e.source, e.ref, "
       "ts_headline('english', e.text, q, 'MaxWords=18, MinWords=6') AS snippet, "
       "ts_rank(f.tsv, q) AS rank "
       "FROM search_fts f JOIN search_entries e ON e.id = f.id JOIN documents d ON d.id = e.document_id "
       "JOIN matters m ON m.id = d.matter_id, websearch_to_tsquery('english', :q) q "
       "WHERE f.tsv @@ q {visible} ORDER BY rank DESC, e.id LIMIT :limit")
_SQLITE = ("SELECT e.document_id, e.source, e.ref, "
           "snippet(search_fts, 0, '[', ']', '…', 14) AS snippet, bm25(search_fts) AS rank "
           "FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid "
           "JOIN documents d ON d.id = e.document_id JOIN matters m ON m.id = d.matter_id "
           "WHERE search_fts MATCH :q {visible} ORDER BY rank, e.id LIMIT :limit")


def search_texts(spans: Sequence[Span]) -> list[tuple[str, str]]:
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


def search(session: Session, *, query: str, limit: int = 20,
           matters: Collection[str] | None = None) -> list[dict]:
    """Hits as dicts: document_id, source (page, summary), ref ("p. 12"), snippet, rank."""
    if matters is not None and not matters:
        return []
    postgres = session.bind.dialect.name == "postgresql"
    visible = "" if matters is None else "AND m.name IN :matters"
    stmt = sql_text((_PG if postgres else _SQLITE).format(visible=visible))
    params: dict = {"q": query if postgres else fts5_query(query), "limit": limit}
    if matters is not None:
        stmt = stmt.bindparams(bindparam("matters", expanding=True))
        params["matters"] = list(matters)
    return [dict(r) for r in session.execute(stmt, params).mappings().all()]


def fts5_query(text: str) -> str:
    """Quote each word so user input is never FTS5 syntax ('AND', '-', '"' are data)."""
    words = [w.replace('"', '""') for w in text.split()]
    return " ".join(f'"{w}"' for w in words) or '""'
