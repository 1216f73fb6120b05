"""RELIABILITY.md case 33, erasure: a purged document (or matter) leaves no trace of its text or
name in the database (every column of every table, the stored tsvectors included), the file
store, Redis, temp files or the logs; the audit keeps the purge entry (ids and sha256, never a
name or text) and its chain still verifies; a legal hold blocks every deletion path.

Canaries (unique random tokens) sit in the text (several places), the title line and the file
name of documents analysed by a real worker, then viewed, searched (an ordinary word: the
audit keeps search queries) and exported before the purge. The worker logs at DEBUG, and its
logs are scanned whole (before and after the purge): a worker must never log a document's name
or text. Each scan is first shown to find the canaries where they legitimately are before the
purge, so an empty result afterwards cannot come from a scan that reads nothing."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import redis
from sqlalchemy import text

from docpipe import errors
from docpipe.pipeline.originals import open_original
from docpipe.services import governance, users
from docpipe.services.caller import LOCAL_OPERATOR, Role
from docpipe.store import blobs
from docpipe.store.db import session_scope
from tests.integration.conftest import canary_forms, redis_values

pytestmark = [pytest.mark.model, pytest.mark.timeout(900)]

SEARCH_WORD = "invoice"  # in every document here, never a canary


def _canary(what: str) -> str:
    return f"CANARY{what.upper()}{uuid.uuid4().hex}7"  # ends in a digit: one tsvector numword, never stemmed


def _contract(title: str, reference: str, parties: tuple[str, str] = ("Acme Widgets, Inc.", "Blue River Foods LLC")) -> str:
    """A small contract (few fields, so few model passes): ``reference`` in three places."""
    return "\n\n".join([
        f"SUPPLY AGREEMENT {title}",
        f"This Supply Agreement is entered into as of March 3, 2024 by and between {parties[0]} (\"Supplier\") "
        f"and {parties[1]} (\"Buyer\"), under reference {reference}.",
        f"1. Payment. The Buyer shall pay each invoice within thirty (30) days of receipt, quoting {reference}.",
        f"2. Governing Law. This Agreement shall be governed by the laws of the State of Texas (file {reference}).",
    ]) + "\n"


def _write_canary_doc(folder: Path, marks: dict[str, str]) -> Path:
    """marks['title'] in the title line, marks['text'] in three places of the body,
    marks['name'] in the file name."""
    path = folder / f"supply-{marks['name']}.txt"
    path.write_text(_contract(marks["title"], marks["text"]))
    return path


def _hits(blobs_: dict[str, bytes], canaries: dict[str, str]) -> list[str]:
    found = []
    for where, data in blobs_.items():
        lowered = data.lower()
        for name, canary in canaries.items():
            raw, *encoded = canary_forms(canary)
            if raw in lowered or any(form in data for form in encoded):
                found.append(f"{name} canary in {where}")
    return found


def _db_hits(url: str, canaries: dict[str, str]) -> list[str]:
    """Every column of every table of the test's schema, read as text (bytea through its escape
    form, which keeps printable ASCII as is; a tsvector as its lexemes), searched for each
    canary lower-cased. Run as the local operator ("*"), so row-level security hides nothing."""
    names = list(canaries)
    params = {f"c{i}": canaries[name].lower() for i, name in enumerate(names)}
    found, scanned = [], 0
    with session_scope(url) as s:
        schema = s.execute(text("SELECT current_schema()")).scalar()
        columns = s.execute(text(
            "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
            "WHERE c.table_schema = :schema AND t.table_type = 'BASE TABLE' ORDER BY 1, 2"),
            {"schema": schema}).all()
        for table, column, kind in columns:
            value = (f"lower(encode(\"{column}\", 'escape'))" if kind == "bytea"
                     else f"lower(CAST(\"{column}\" AS text))")
            probes = ", ".join(f"coalesce(bool_or(position(:c{i} IN {value}) > 0), false)" for i in range(len(names)))
            row = s.execute(text(f'SELECT {probes} FROM "{schema}"."{table}"'), params).one()
            found += [f"{name} canary in {table}.{column}" for name, hit in zip(names, row) if hit]
            scanned += 1
    assert scanned > 50 and {"search_fts", "audit_log", "matters", "pages"} <= {t for t, _, _ in columns}
    return found


def _files(root: Path, *, newer_than: float | None = None) -> dict[str, bytes]:
    """Every file (its path too: a name can leak) and folder name under ``root``."""
    out = {}
    for folder, dirs, files in os.walk(root, onerror=lambda _: None):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            out[f"path {path}"] = str(path).encode()
        for name in files:
            path = Path(folder) / name
            try:
                st = path.lstat()
                if not path.is_file() or path.is_symlink() or st.st_size > 64 << 20:
                    continue
                if newer_than is not None and max(st.st_mtime, st.st_ctime) < newer_than:
                    continue
                out[f"file {path}"] = path.read_bytes()
            except OSError:  # another user's file, or gone meanwhile
                continue
    return out


def _outputs(results) -> dict[str, bytes]:
    return {f"output of docpipe {' '.join(r.args[1:])}": (r.stdout + r.stderr).encode() for r in results}


def _everywhere(fleet, canaries: dict[str, str], since: float, after: list) -> list[str]:
    """The canaries in the database, every file under the test's folder (data dir with the
    sealed originals and data/tmp, worker logs, the fleet's TMPDIR), files of the system temp
    dir written since the test began, Redis, and the output of the commands run after the purge."""
    client = redis.Redis.from_url(fleet.settings.broker_url)
    in_redis = redis_values(client)
    assert any(b"_kombu.binding" in v for v in in_redis.values())  # the fleet's real Redis db
    log = fleet.logs_full()
    assert "DEBUG" in log and "docpipe.reduce" in log and "succeeded" in log  # real worker logs at DEBUG
    return (_db_hits(fleet.settings.resolved_database_url, canaries)
            + _hits({**_files(fleet.tmp), **_files(Path(tempfile.gettempdir()), newer_than=since)}, canaries)
            + _hits(in_redis, canaries) + _hits(_outputs(after), canaries))


def _ingest(fleet, folder: Path, matter: str) -> dict[str, int]:
    """Through the real worker; returns {file name: document id}; the input folder is removed
    afterwards (the person's own copy is not docpipe's to erase)."""
    out = fleet.cli("ingest", str(folder), "--matter", matter, "--wait")
    assert out.returncode == 0, out.stdout + out.stderr + fleet.logs()
    names = {p.name for p in folder.iterdir()}
    shutil.rmtree(folder)
    ids = {d.original_name: d.id for d in fleet.docs() if d.original_name in names}
    assert len(ids) == len(names) and all(d.status == "done" for d in fleet.docs() if d.id in ids.values())
    return ids


def _use(fleet, doc: int, matter: str, marks: dict[str, str]) -> None:
    """View, search (an ordinary word) and export the document, as a person would."""
    shown = fleet.cli("show", str(doc), "--format", "json")
    assert shown.returncode == 0 and marks["name"] in shown.stdout, shown.stderr
    found = fleet.cli("search", SEARCH_WORD, "--matter", matter, "--format", "json")
    assert found.returncode == 0 and doc in {h["document_id"] for h in json.loads(found.stdout)["hits"]}
    exported = fleet.cli("export", str(doc), "--format", "csv")
    assert exported.returncode == 0 and marks["name"] in exported.stdout, exported.stderr
    whole = fleet.cli("export", "--matter", matter)
    assert whole.returncode == 0 and marks["name"] in whole.stdout, whole.stderr


def _purge_entries(fleet) -> tuple[list[dict], str, list]:
    """(the purge entries of the audit, the whole audit as JSON, the commands run)."""
    verified = fleet.cli("audit", "verify")
    assert verified.returncode == 0 and "audit chain whole" in verified.stdout, verified.stdout + verified.stderr
    log = fleet.cli("audit", "--format", "json")
    assert log.returncode == 0, log.stderr
    return [e for e in json.loads(log.stdout) if e["action"] == "purge"], log.stdout, [verified, log]


def _sha_and_matter_id(fleet, doc: int) -> tuple[str, int]:
    with session_scope(fleet.settings.resolved_database_url) as s:
        return tuple(s.execute(text("SELECT sha256, matter_id FROM documents WHERE id = :d"), {"d": doc}).one())


def _assert_scans_see(fleet, canaries: dict[str, str], since: float) -> None:
    """Before a purge: the database scan finds every canary where it belongs (the stored
    tsvectors included), and the file scan finds a canary put in a plaintext probe and a name."""
    before = _db_hits(fleet.settings.resolved_database_url, canaries)
    for name in canaries:
        if not name.startswith("name"):  # the text and the title line: page text and stored tsvectors
            assert f"{name} canary in pages.text" in before and f"{name} canary in search_fts.tsv" in before, before
        else:
            assert f"{name} canary in documents.original_name" in before, before
    (first, canary), *_ = canaries.items()
    probe = fleet.settings.data_dir / "tmp" / f"probe-{canary}"
    probe.parent.mkdir(parents=True, exist_ok=True)
    probe.write_text(f"x {canary} x")
    try:  # the probe's name and bytes, and nothing else so far (the worker log included)
        expected = [f"{first} canary in path {probe}", f"{first} canary in file {probe}"]
        assert sorted(_hits(_files(fleet.tmp), canaries)) == sorted(expected)
        assert set(expected) <= set(_hits(_files(Path(tempfile.gettempdir()), newer_than=since), canaries))
    finally:
        probe.unlink()


def _assert_hold_blocks_every_path(fleet, doc: int, matter: str) -> list:
    """A hold on ``doc``: the CLI, the service, retention (the clock moved past a 1-day
    retention) and DELETE over HTTP with an admin key are each refused with legal_hold."""
    from fastapi.testclient import TestClient

    from docpipe.web.app import create_app

    settings, ran = fleet.settings, []
    ran.append(held := fleet.cli("hold", "set", "--document", str(doc), "--reason", "preservation letter 33"))
    assert held.returncode == 0, held.stderr
    ran.append(cli := fleet.cli("purge", str(doc), "--yes"))
    assert cli.returncode == errors.EXIT_ERROR and f"error [{errors.LEGAL_HOLD}]" in cli.stdout + cli.stderr
    with pytest.raises(errors.DocpipeError) as refused:
        governance.purge_document(settings, LOCAL_OPERATOR, doc)
    assert refused.value.code == errors.LEGAL_HOLD
    governance.set_retention(settings, LOCAL_OPERATOR, matter, 1)
    report = governance.run_retention(settings, LOCAL_OPERATOR, now=datetime.now(timezone.utc) + timedelta(days=2))
    assert report.purged == [] and report.kept_on_hold == [doc]
    _, key = users.add_user(settings, LOCAL_OPERATOR, "erasure-admin", role=Role.ADMIN, matters=[])
    client = TestClient(create_app(settings, run_documents=False), raise_server_exceptions=False)
    deleted = client.delete(f"/api/v1/documents/{doc}", headers={"Authorization": f"Bearer {key}"})
    assert deleted.status_code == 409 and deleted.json()["code"] == errors.LEGAL_HOLD, deleted.text
    return ran


def test_a_purged_document_leaves_no_trace_and_a_hold_blocks_every_path(fleet, tmp_path):
    since = time.time() - 1
    marks = {what: _canary(what) for what in ("name", "title", "text")}
    folder, tmpdir, matter = tmp_path / "in", tmp_path / "tmpdir", "erasure"
    folder.mkdir()
    tmpdir.mkdir()
    path = _write_canary_doc(folder, marks)
    other_text = _contract("NO. 1032", "order 88", ("Cobalt Tools Corp.", "Delta Paper Co."))
    (folder / "unrelated.txt").write_text(other_text)
    fleet.env["TMPDIR"] = str(tmpdir)  # the worker's and every command's temp files land under tmp_path
    fleet.worker(loglevel="DEBUG")
    ids = _ingest(fleet, folder, matter)
    doc, other = ids[path.name], ids["unrelated.txt"]
    _use(fleet, doc, matter, marks)
    _assert_scans_see(fleet, marks, since)
    sha, matter_id = _sha_and_matter_id(fleet, doc)
    other_sha, _ = _sha_and_matter_id(fleet, other)
    assert blobs.blob_path(fleet.settings.objects_dir, matter_id, sha).exists()

    purged = fleet.cli("purge", str(doc), "--yes")
    assert purged.returncode == 0 and f"purged 1 document(s) of matter {matter}: {doc}" in purged.stdout, \
        purged.stdout + purged.stderr
    after = [purged]
    after.append(gone := fleet.cli("show", str(doc)))
    assert gone.returncode == errors.EXIT_ERROR and f"error [{errors.NOT_FOUND}]" in gone.stdout + gone.stderr
    after.append(found := fleet.cli("search", SEARCH_WORD, "--matter", matter, "--format", "json"))
    assert {h["document_id"] for h in json.loads(found.stdout)["hits"]} == {other}
    after.append(whole := fleet.cli("export", "--matter", matter))
    assert whole.returncode == 0 and "unrelated.txt" in whole.stdout
    assert not blobs.blob_path(fleet.settings.objects_dir, matter_id, sha).exists()

    after += _assert_hold_blocks_every_path(fleet, other, matter)
    after.append(shown := fleet.cli("show", str(other), "--format", "json"))  # the other document is untouched
    assert shown.returncode == 0 and json.loads(shown.stdout)["status"] == "done", shown.stdout
    with open_original(fleet.settings, other) as original:
        assert original.read_text() == other_text
    assert blobs.blob_path(fleet.settings.objects_dir, matter_id, other_sha).exists()

    entries, log, ran = _purge_entries(fleet)
    after += ran
    assert [(e["document_id"], e["matter"], e["detail"]["documents"], e["detail"]["sha256"], e["detail"]["why"])
            for e in entries] == [(doc, matter, [doc], [sha], "request")]
    assert _hits({"audit log": log.encode()}, marks) == []
    assert _everywhere(fleet, marks, since, after) == []


def test_a_purged_matter_leaves_no_trace_and_no_key(fleet, tmp_path):
    since = time.time() - 1
    marks = [{what: _canary(f"{what}{n}") for what in ("name", "title", "text")} for n in (1, 2)]
    canaries = {f"{what} of document {n + 1}": c for n, m in enumerate(marks) for what, c in m.items()}
    folder, tmpdir, matter = tmp_path / "in", tmp_path / "tmpdir", "erasure-whole"
    folder.mkdir()
    tmpdir.mkdir()
    paths = [_write_canary_doc(folder, m) for m in marks]
    fleet.env["TMPDIR"] = str(tmpdir)
    fleet.worker(loglevel="DEBUG")
    ids = _ingest(fleet, folder, matter)
    docs = [ids[p.name] for p in paths]
    for doc, m in zip(docs, marks):
        _use(fleet, doc, matter, m)
    _assert_scans_see(fleet, canaries, since)
    shas = [_sha_and_matter_id(fleet, doc)[0] for doc in docs]
    matter_id = _sha_and_matter_id(fleet, docs[0])[1]
    assert blobs.matter_dir(fleet.settings.objects_dir, matter_id).is_dir()

    purged = fleet.cli("purge", "--matter", matter, "--yes")
    assert purged.returncode == 0 and f"purged 2 document(s) of matter {matter}" in purged.stdout, \
        purged.stdout + purged.stderr
    after = [purged]
    for doc in docs:
        after.append(gone := fleet.cli("show", str(doc)))
        assert gone.returncode == errors.EXIT_ERROR and f"error [{errors.NOT_FOUND}]" in gone.stdout + gone.stderr
    after.append(whole := fleet.cli("export", "--matter", matter))
    assert whole.returncode != 0
    with session_scope(fleet.settings.resolved_database_url) as s:  # the matter row, and its key, are gone
        assert s.execute(text("SELECT count(*) FROM matters WHERE id = :m OR name = :n"),
                         {"m": matter_id, "n": matter}).scalar() == 0
        assert s.execute(text("SELECT count(*) FROM documents")).scalar() == 0
    assert not blobs.matter_dir(fleet.settings.objects_dir, matter_id).exists()

    entries, log, ran = _purge_entries(fleet)
    after += ran
    assert [(e["document_id"], e["matter"], e["detail"]["documents"], e["detail"]["sha256"],
             e["detail"]["whole_matter"]) for e in entries] == [(None, matter, docs, shas, True)]
    assert _hits({"audit log": log.encode()}, canaries) == []
    assert _everywhere(fleet, canaries, since, after) == []
