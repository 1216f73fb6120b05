"""Legal holds, erasure, retention and encryption at rest of the originals, on SQLite and
the real PostgreSQL: a hold blocks every deletion path; a purge removes what the document
was and keeps the audit entry; one matter's purge never touches another matter's copy of
the same bytes; originals on disk are sealed; a wrong master key refuses to start; a
destroyed matter key leaves a document unrecoverable, never a crash."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from docpipe import errors
from docpipe.cli import main
from docpipe.pipeline.originals import check_master, open_original
from docpipe.services import audit, documents, governance, ingest
from docpipe.services.caller import LOCAL_OPERATOR
from docpipe.settings import Settings
from docpipe.store.db import get_engine
from tests.web.conftest import CONTRACT

DB = ["sqlite", "postgres"]


@pytest.fixture(params=DB)
def settings(request) -> Settings:
    return request.getfixturevalue("sqlite_settings" if request.param == "sqlite" else "pg_settings")


def _ingest(settings: Settings, tmp_path: Path, matter: str, body: str = CONTRACT, name: str = "supply.txt") -> int:
    path = tmp_path / f"{matter}-{name}"
    path.write_text(body)
    outcome = ingest.ingest_file(settings, LOCAL_OPERATOR, path, matter=matter)
    assert outcome.status == "done", outcome
    return outcome.document_id


def _store_files(settings: Settings) -> list[Path]:
    return [p for p in settings.objects_dir.rglob("*") if p.is_file()]


def _cli(settings: Settings, *args: str, **env: str):
    base = {"DOCPIPE_DATA_DIR": str(settings.data_dir)}
    if settings.database_url:
        base["DOCPIPE_DATABASE_URL"] = settings.database_url
    return CliRunner().invoke(main, list(args), env={**base, **env}, catch_exceptions=False)


def test_originals_are_sealed_on_disk(settings, tmp_path, fake_engine):
    _ingest(settings, tmp_path, "m")
    (stored,) = _store_files(settings)
    sealed, original = stored.read_bytes(), CONTRACT.encode()
    runs = [original[i:i + 33] for i in range(0, len(original) - 33, 8)]
    assert not any(run in sealed for run in runs)  # no 33-byte run of the original on disk
    assert stored.stat().st_mode & 0o777 == 0o440
    assert settings.resolved_master_key_file.stat().st_mode & 0o777 == 0o600


def test_a_hold_blocks_every_deletion_path_until_lifted(settings, tmp_path, fake_engine):
    doc = _ingest(settings, tmp_path, "m")
    other = _ingest(settings, tmp_path, "m", CONTRACT.replace("Northwind", "Southwind"), "other.txt")
    governance.set_hold(settings, LOCAL_OPERATOR, document_id=doc, reason="Acme v. Blue, preservation letter")
    with pytest.raises(errors.DocpipeError) as refused:
        governance.purge_document(settings, LOCAL_OPERATOR, doc)
    assert refused.value.code == errors.LEGAL_HOLD and "preservation letter" in str(refused.value)
    result = _cli(settings, "purge", str(doc), "--yes")
    assert result.exit_code == errors.EXIT_ERROR and f"error [{errors.LEGAL_HOLD}]" in result.output
    report = governance.run_retention(settings, LOCAL_OPERATOR, now=datetime.now(timezone.utc) + timedelta(days=400))
    assert report.purged == [] and report.kept_on_hold == []  # no retention set: nothing expires
    governance.set_retention(settings, LOCAL_OPERATOR, "m", 30)
    report = governance.run_retention(settings, LOCAL_OPERATOR, now=datetime.now(timezone.utc) + timedelta(days=31))
    assert report.kept_on_hold == [doc] and report.purged == [other]
    assert "lifted hold" in _cli(settings, "hold", "lift", "--document", str(doc)).output
    assert _cli(settings, "hold", "set", "--matter", "m").exit_code == 0
    with pytest.raises(errors.DocpipeError, match="legal hold covers the matter"):
        governance.purge_matter(settings, LOCAL_OPERATOR, "m")
    with pytest.raises(errors.DocpipeError, match="legal hold covers the matter"):
        governance.purge_document(settings, LOCAL_OPERATOR, doc)
    assert "matter m" in _cli(settings, "hold", "list").output
    assert "lifted hold" in _cli(settings, "hold", "lift", "--matter", "m").output
    assert _cli(settings, "purge", str(doc), "--yes").exit_code == 0
    assert documents.list_documents(settings, LOCAL_OPERATOR) == []
    actions = [(e.action, e.detail.get("why")) for e in audit.entries(settings, LOCAL_OPERATOR)]
    assert ("purge", "retention") in actions and ("purge", "request") in actions
    assert [a for a, _ in actions].count("hold_set") == 2 and [a for a, _ in actions].count("hold_lifted") == 2
    assert audit.verify(settings, LOCAL_OPERATOR)[1] is None


def test_a_purge_removes_rows_and_original_but_not_another_matters_copy(settings, tmp_path, fake_engine):
    a = _ingest(settings, tmp_path, "alpha")
    b = _ingest(settings, tmp_path, "beta")  # the same bytes in another matter
    assert len(_store_files(settings)) == 2
    erased = governance.purge_document(settings, LOCAL_OPERATOR, a)
    assert erased.document_ids == (a,)
    engine = get_engine(settings.resolved_database_url)
    with engine.connect() as conn:
        for table in ("pages", "runs", "findings", "search_entries"):
            column = "document_id"
            assert conn.execute(text(f"SELECT count(*) FROM {table} WHERE {column} = :d"), {"d": a}).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM pages WHERE document_id = :d"), {"d": b}).scalar() > 0
    assert documents.search(settings, LOCAL_OPERATOR, "invoice") and \
        {h["document_id"] for h in documents.search(settings, LOCAL_OPERATOR, "invoice")} == {b}
    (left,) = _store_files(settings)
    with open_original(settings, b) as path:
        assert path.read_text() == CONTRACT
    with pytest.raises(errors.NotFound):
        documents.show(settings, LOCAL_OPERATOR, a)


def test_a_matter_purge_destroys_its_key(settings, tmp_path, fake_engine):
    doc = _ingest(settings, tmp_path, "gone")
    kept = _ingest(settings, tmp_path, "kept")
    (sealed_copy,) = [p for p in _store_files(settings) if p.parts[-3] == "m1"]  # matter "gone" came first
    backup = tmp_path / "backup.bin"
    backup.write_bytes(sealed_copy.read_bytes())
    result = _cli(settings, "purge", "--matter", "gone", "--yes")
    assert result.exit_code == 0 and "purged 1 document(s) of matter gone" in result.output
    with pytest.raises(errors.NotFound):
        documents.get_document(settings, LOCAL_OPERATOR, doc)
    assert "gone" not in [m for m in governance.retention(settings, LOCAL_OPERATOR)]
    with open_original(settings, kept) as path:
        assert path.read_text() == CONTRACT
    # the backup copy cannot be opened with any key docpipe still holds
    from docpipe.store import crypto

    with get_engine(settings.resolved_database_url).connect() as conn:
        wrapped = [r[0] for r in conn.execute(text("SELECT data_key FROM matters WHERE data_key IS NOT NULL"))]
    master = crypto.read_master_key(settings.resolved_master_key_file)
    sha = sealed_copy.parent.name + sealed_copy.name
    assert len(wrapped) == 1  # only the kept matter's key is left
    with pytest.raises(errors.DocpipeError, match="does not decrypt"):
        list(crypto.decrypt_segments(crypto.unwrap(master, bytes(wrapped[0])), sha, backup))


def test_wrong_master_key_refuses_to_start_and_rotation_keeps_originals(settings, tmp_path, fake_engine):
    doc = _ingest(settings, tmp_path, "m")
    wrong = tmp_path / "wrong.key"
    from docpipe.store import crypto

    crypto.create_master_key(wrong)
    with pytest.raises(errors.DocpipeError, match="does not open the matter keys"):
        check_master(settings.model_copy(update={"master_key_file": str(wrong)}))
    from docpipe.diagnostics.doctor import keys_check  # what `docpipe doctor` shows as "keys"

    name, passed, detail = keys_check(settings.model_copy(update={"master_key_file": str(wrong)}))
    assert (name, passed) == ("keys", False) and "does not open the matter keys" in detail
    assert keys_check(settings)[1:] == (True, f"{settings.resolved_master_key_file}: opens 1 matter key(s)")
    missing = settings.model_copy(update={"master_key_file": str(tmp_path / "nowhere.key")})
    with pytest.raises(errors.DocpipeError, match="restore the key file"):
        check_master(missing)
    before = settings.resolved_master_key_file.read_text()
    assert "rewrapped 1 matter key(s)" in _cli(settings, "keys", "rotate").output
    assert settings.resolved_master_key_file.read_text() != before
    with open_original(settings, doc) as path:
        assert path.read_text() == CONTRACT
    old = settings.model_copy(update={"master_key_file": str(settings.resolved_master_key_file) + ".old"})
    with pytest.raises(errors.DocpipeError, match="does not open"):
        check_master(old)


def test_a_destroyed_matter_key_leaves_the_document_unrecoverable(settings, tmp_path, fake_engine):
    doc = _ingest(settings, tmp_path, "m")
    with get_engine(settings.resolved_database_url).begin() as conn:
        conn.execute(text("UPDATE matters SET data_key = NULL WHERE name = 'm'"))
    with get_engine(settings.resolved_database_url).begin() as conn:  # make it retryable: mark it failed
        conn.execute(text("UPDATE documents SET status = 'failed' WHERE id = :d"), {"d": doc})
    outcome = documents.retry(settings, LOCAL_OPERATOR, doc)
    assert outcome.status == "failed" and outcome.error_code == errors.UNRECOVERABLE and not outcome.bug
