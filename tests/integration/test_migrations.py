"""RELIABILITY case 14: upgrade from empty, downgrade/upgrade round trip, single head,
models match the schema; on SQLite and on the real PostgreSQL."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from docpipe.store.db import alembic_config, current_revision, downgrade, get_engine, head_revision, table_names, upgrade
from docpipe.store.models import Base

TABLES = {"matters", "documents", "pages", "runs", "chunks", "summaries", "findings", "search_entries"}


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    if request.param == "postgres":
        return request.getfixturevalue("pg_schema_url")
    return f"sqlite:///{tmp_path / 'm.sqlite3'}"


def _full_text_object(name: str) -> bool:
    """Made by the migration for one dialect only and not modelled: SQLite's FTS5 table (and
    its shadow tables) and PostgreSQL's GIN index on to_tsvector(text)."""
    return name.startswith("search_fts") or name == "ix_search_entries_tsv"


def test_upgrade_downgrade_round_trip(url):
    upgrade(url)
    assert TABLES <= set(table_names(url))
    assert current_revision(url) == head_revision(url)
    downgrade(url, "base")
    assert not (TABLES & set(table_names(url)))
    upgrade(url)
    assert TABLES <= set(table_names(url))


def test_single_head():
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1


def test_models_match_schema(url):
    upgrade(url)
    with get_engine(url).connect() as conn:
        ctx = MigrationContext.configure(conn, opts={
            "include_name": lambda name, type_, parent: not _full_text_object(name or ""),
        })
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_processes_starting_at_once_on_an_empty_database_migrate_it_once(pg_schema_url, tmp_path):
    """Three `docpipe db upgrade` processes at the same moment on an empty PostgreSQL schema
    (as a fleet's workers and an ingest starting together): all succeed, the schema is at
    head. Without the advisory lock one failed on a duplicate type."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "DOCPIPE_DATABASE_URL": pg_schema_url, "DOCPIPE_DATA_DIR": str(tmp_path / "data")}
    docpipe = str(Path(sys.executable).with_name("docpipe"))
    procs = [subprocess.Popen([docpipe, "db", "upgrade"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    assert [rc for rc, _ in results] == [0, 0, 0], results
    assert current_revision(pg_schema_url) == head_revision(pg_schema_url)
