"""The audit log: each action recorded in its own transaction, no document text in it, the
chain kept a line under concurrent writers, UPDATE and DELETE refused by the database, and
`docpipe audit verify` naming the first altered or removed entry (RELIABILITY case 40)."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from docpipe import errors
from docpipe.cli import main
from docpipe.services import audit, documents, exports, ingest, users
from docpipe.services.caller import LOCAL_OPERATOR, Role
from docpipe.store import audit as chain
from docpipe.store.db import get_engine, session_scope
from tests.web.conftest import CONTRACT

SECRET_SENTENCE = "Buyer shall pay each invoice within thirty (30) days of receipt"


def _actions(settings) -> list[str]:
    return [e.action for e in audit.entries(settings, LOCAL_OPERATOR)]


def _exercise(settings, tmp_path: Path) -> int:
    users.add_user(settings, LOCAL_OPERATOR, "ana", role=Role.UPLOADER, matters=["m"], password="a long password!")
    users.new_key(settings, LOCAL_OPERATOR, "ana")
    users.grant(settings, LOCAL_OPERATOR, "ana", "m2")
    users.revoke_matter(settings, LOCAL_OPERATOR, "ana", "m2")
    ana = users.by_password(settings, "ana", "a long password!")
    with pytest.raises(errors.Unauthenticated):
        users.by_password(settings, "ana", "wrong")
    path = tmp_path / "supply.txt"
    path.write_text(CONTRACT)
    outcome = ingest.ingest_file(settings, ana, path, matter="m")
    documents.show(settings, ana, outcome.document_id)
    documents.search(settings, ana, "invoice")
    exports.export_document(settings, ana, outcome.document_id, fmt="csv")
    return outcome.document_id


@pytest.mark.parametrize("db", ["sqlite", "postgres"])
def test_actions_are_recorded_without_document_text(db, request, tmp_path, fake_engine):
    settings = request.getfixturevalue("sqlite_settings" if db == "sqlite" else "pg_settings")
    document_id = _exercise(settings, tmp_path)
    assert _actions(settings) == ["user_added", "key_created", "matter_granted", "matter_revoked", "sign_in",
                                  "sign_in_failed", "upload", "view", "search", "export"]
    entries = audit.entries(settings, LOCAL_OPERATOR)
    upload = entries[6]
    assert (upload.actor, upload.matter, upload.document_id) == ("ana", "m", document_id)
    assert entries[8].detail["query"] == "invoice" and entries[8].detail["documents"] == [document_id]
    dumped = json.dumps([e.__dict__ for e in entries], default=str)
    assert SECRET_SENTENCE not in dumped and "Northwind" not in dumped and "a long password" not in dumped
    assert audit.verify(settings, LOCAL_OPERATOR) == (10, None)
    viewer = users.caller_of(users.list_users(settings, LOCAL_OPERATOR)[0])
    with pytest.raises(errors.AccessDenied):
        audit.entries(settings, viewer)


def test_the_database_refuses_update_and_delete(pg_settings, tmp_path, fake_engine):
    _exercise(pg_settings, tmp_path)
    engine = get_engine(pg_settings.resolved_database_url)
    for statement in ("UPDATE audit_log SET actor = 'mallory' WHERE id = 1", "DELETE FROM audit_log WHERE id = 2",
                      "TRUNCATE audit_log"):
        with pytest.raises(Exception, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(statement))
    assert audit.verify(pg_settings, LOCAL_OPERATOR)[1] is None


def test_sqlite_refuses_update_and_delete(sqlite_settings, tmp_path, fake_engine):
    _exercise(sqlite_settings, tmp_path)
    engine = get_engine(sqlite_settings.resolved_database_url)
    for statement in ("UPDATE audit_log SET actor = 'mallory' WHERE id = 1", "DELETE FROM audit_log WHERE id = 2"):
        with pytest.raises(Exception, match="append-only"):
            with engine.begin() as conn:
                conn.execute(text(statement))


def _verify_cli(settings):
    env = {"DOCPIPE_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        env["DOCPIPE_DATABASE_URL"] = settings.database_url
    return CliRunner().invoke(main, ["audit", "verify"], env=env, catch_exceptions=False)


def test_tampering_by_hand_is_named_by_verify(pg_settings, tmp_path, fake_engine):
    """An administrator with the table owner's rights switches the guard off and edits: the
    altered entry, then a removed one, are each named."""
    _exercise(pg_settings, tmp_path)
    assert "audit chain whole: 10 entries verified" in _verify_cli(pg_settings).output
    engine = get_engine(pg_settings.resolved_database_url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
        conn.execute(text("UPDATE audit_log SET detail = '{\"query\": \"something else\"}' WHERE id = 9"))
    result = _verify_cli(pg_settings)
    assert result.exit_code == errors.EXIT_FAILED
    assert "BROKEN after 8 good entries: entry 9: its contents do not match its hash (altered)" in result.output
    with engine.begin() as conn:  # put it back, then remove another entry
        conn.execute(text("DELETE FROM audit_log WHERE id = 9"))
        conn.execute(text("DELETE FROM audit_log WHERE id = 4"))
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change"))
    result = _verify_cli(pg_settings)
    assert result.exit_code == errors.EXIT_FAILED
    assert "BROKEN after 3 good entries: entry 5: its link to the entry before does not match" in result.output


def test_concurrent_writers_keep_one_chain(pg_settings):
    audit.entries(pg_settings, LOCAL_OPERATOR)  # migrate first

    def write(n: int) -> None:
        for i in range(15):
            with session_scope(pg_settings.resolved_database_url) as s:
                chain.append(s, actor=f"writer-{n}", action="view", detail={"i": i})

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert audit.verify(pg_settings, LOCAL_OPERATOR) == (90, None)


def test_audit_command_lists_and_filters(sqlite_settings, tmp_path, fake_engine):
    _exercise(sqlite_settings, tmp_path)
    env = {"DOCPIPE_DATA_DIR": str(sqlite_settings.data_dir)}
    out = CliRunner().invoke(main, ["audit", "--user", "ana", "--format", "json"], env=env).output
    rows = json.loads(out)
    assert [r["action"] for r in rows] == ["sign_in", "sign_in_failed", "upload", "view", "search", "export"]
    table = CliRunner().invoke(main, ["audit", "--matter", "m"], env=env).output
    assert "upload" in table and "matter_granted" not in table
