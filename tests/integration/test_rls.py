"""Row-level security on PostgreSQL, the second wall behind the service layer (RELIABILITY
case 32): connected as an ordinary application role, a transaction that does not say which
matters it may see sees no document row at all, even with SQL written by hand; one that
says matter A sees matter A only, whatever the query; and the role may only insert into and
read the audit log."""
from __future__ import annotations

import uuid
from urllib.parse import unquote

import pytest
from sqlalchemy import create_engine, text

from docpipe.services import documents
from docpipe.services.caller import LOCAL_OPERATOR
from docpipe.store import documents as store_documents
from docpipe.store.db import session_scope
from tests.conftest import PG_BASE
from tests.web.conftest import MATTER_A, MATTER_B, build_door

TABLES = ("documents", "pages", "runs", "chunks", "summaries", "findings", "search_entries")


@pytest.fixture
def app_role(pg_settings, pg_schema_url, fake_engine, tmp_path):
    """Two matters of analysed documents, and a login role with the grants production gives
    docpipe (deploy/postgresql.md): no superuser, not the tables' owner."""
    door = build_door(pg_settings, tmp_path)
    schema = unquote(pg_schema_url.split("search_path%3D", 1)[1])
    role = f"dp_app_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS'))
        conn.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'))
        conn.execute(text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"'))
        conn.execute(text(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"'))
        conn.execute(text(f'REVOKE UPDATE, DELETE ON "{schema}".audit_log FROM "{role}"'))
    url = pg_schema_url.replace("root@", f"{role}@")
    yield url, door
    from docpipe.store.db import get_engine

    get_engine(url).dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP OWNED BY "{role}"'))
        conn.execute(text(f'DROP ROLE "{role}"'))
    admin.dispose()


def _counts(conn) -> dict[str, int]:
    return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}


def test_without_the_matter_setting_nothing_is_visible(app_role):
    url, door = app_role
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar().startswith("dp_app_")
        assert _counts(conn) == dict.fromkeys(TABLES, 0)
        rows = conn.execute(text("SELECT d.original_name FROM documents d JOIN pages p ON p.document_id = d.id "
                                 "UNION SELECT text FROM search_entries")).all()
        assert rows == []
    with engine.connect() as conn:
        conn.execute(text("SELECT set_config('docpipe.matters', :m, false)"), {"m": f'["{MATTER_A}"]'})
        ids = {r[0] for r in conn.execute(text("SELECT id FROM documents"))}
        assert ids == {door.docs[MATTER_A], door.pdf}
        assert conn.execute(text("SELECT count(DISTINCT document_id) FROM findings")).scalar() == 2
        assert all(c > 0 for t, c in _counts(conn).items())
        conn.execute(text("""SELECT set_config('docpipe.matters', '"*"', false)"""))
        assert {r[0] for r in conn.execute(text("SELECT id FROM documents"))} == set(door.docs.values()) | {door.pdf}
    engine.dispose()


def test_a_query_that_forgets_the_matter_filter_still_sees_only_its_matters(app_role):
    url, door = app_role
    with session_scope(url, matters=[MATTER_B]) as s:
        everything = store_documents.list_documents(s)  # no matter filter in the query itself
    assert [d.id for d in everything] == [door.docs[MATTER_B]]
    settings = door.settings.model_copy(update={"database_url": url})
    assert {d.id for d in documents.list_documents(settings, LOCAL_OPERATOR)} == set(door.docs.values()) | {door.pdf}


def test_the_application_role_may_only_insert_and_read_the_audit_log(app_role):
    url, _ = app_role
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() > 0
        for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
            with pytest.raises(Exception, match="permission denied"):
                conn.execute(text(statement))
            conn.rollback()
    engine.dispose()
