"""PostgreSQL keeps each search entry's tsvector in search_fts (migration 0005), in step with
the entry on insert, update and delete, and the search ranks from it."""
from __future__ import annotations

from sqlalchemy import text

from docpipe.store import search
from docpipe.store.db import ensure_schema, get_engine, session_scope


def _vectors(conn) -> dict[int, str]:
    return dict(conn.execute(text("SELECT id, tsv::text FROM search_fts")).all())


def test_search_fts_follows_search_entries(pg_schema_url):
    ensure_schema(pg_schema_url, auto_upgrade=True)
    engine = get_engine(pg_schema_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO matters (id, name, created_at) VALUES (1, 'm', now())"))
        conn.execute(text("INSERT INTO documents (id, matter_id, sha256, original_name, size, status, meta, "
                          "created_at, updated_at) VALUES (1, 1, 'ab', 'x.txt', 1, 'done', '{}', now(), now())"))
        conn.execute(text("INSERT INTO search_entries (id, document_id, source, ref, text) VALUES "
                          "(1, 1, 'page', 'p. 1', 'Disputes go to arbitration in Delaware.'), "
                          "(2, 1, 'summary', 'brief', 'Arbitration, arbitration and arbitration.')"))
        assert set(_vectors(conn)) == {1, 2} and "'arbitr'" in _vectors(conn)[1]
        conn.execute(text("UPDATE search_entries SET text = 'Escrow of the source code.' WHERE id = 1"))
        assert "'escrow'" in _vectors(conn)[1] and "arbitr" not in _vectors(conn)[1]
    with session_scope(pg_schema_url) as s:
        hits = search.search(s, query="arbitration", matters=["m"])
        assert [h["ref"] for h in hits] == ["brief"] and hits[0]["rank"] > 0
        assert search.search(s, query="escrow", matters=["other"]) == []
        assert [h["ref"] for h in search.search(s, query="escrow")] == ["p. 1"]
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM documents WHERE id = 1"))
        assert _vectors(conn) == {}
