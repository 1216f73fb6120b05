"""full text on PostgreSQL: stored tsvectors for ranking

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 11:00:00

Ranking a search (ts_rank) needs each matching entry's tsvector. With only the GIN
expression index of 0001 PostgreSQL parsed the text of every match again to rank it: a
word found in a third of 10,000 contracts took 0.8 s (benchmarks/api.py). ``search_fts``
keeps each entry's tsvector (made once, by a trigger, as SQLite's FTS5 table of the same
name is kept by triggers) with a GIN index, and the search ranks from it: the same rows and
ranks, about 15 times faster. SQLite is unchanged (FTS5 already stores its index).

Like the FTS5 table, ``search_fts`` is made by hand for one dialect and not modelled
(``migrations/env.py`` leaves ``search_fts*`` to this file).
"""
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_PG_UP = (
    "CREATE TABLE search_fts (id integer PRIMARY KEY REFERENCES search_entries (id) ON DELETE CASCADE, "
    "tsv tsvector NOT NULL)",
    "INSERT INTO search_fts (id, tsv) SELECT id, to_tsvector('english', text) FROM search_entries",
    "CREATE INDEX search_fts_tsv ON search_fts USING gin (tsv)",
    "CREATE FUNCTION search_fts_sync() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN INSERT INTO search_fts (id, tsv) VALUES (NEW.id, to_tsvector('english', NEW.text)) "
    "ON CONFLICT (id) DO UPDATE SET tsv = EXCLUDED.tsv; RETURN NEW; END $$",
    "CREATE TRIGGER search_fts_sync AFTER INSERT OR UPDATE OF text ON search_entries "
    "FOR EACH ROW EXECUTE FUNCTION search_fts_sync()",
)
_PG_DOWN = (
    "DROP TRIGGER IF EXISTS search_fts_sync ON search_entries",
    "DROP FUNCTION IF EXISTS search_fts_sync()",
    "DROP TABLE IF EXISTS search_fts",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _PG_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _PG_DOWN:
            op.execute(statement)
