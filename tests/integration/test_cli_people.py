"""The CLI side of the door: users, keys, matter membership, and `list` / `search` with the
API's rows and filters (--format json|csv) for scripts and batch reports."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from docpipe import errors
from docpipe.cli import main
from docpipe.services import users
from docpipe.settings import Settings
from tests.web.conftest import CONTRACT


def _run(args: list[str], tmp_path: Path, input: str | None = None):
    return CliRunner().invoke(main, args, env={"DOCPIPE_DATA_DIR": str(tmp_path / "data")}, input=input,
                              catch_exceptions=False)


def test_user_add_prints_the_key_alone_and_it_authenticates(tmp_path):
    result = _run(["user", "add", "dana", "--role", "analyst", "--matter", "acme", "--matter", "zenith",
                   "--password"], tmp_path, input="a long enough secret\na long enough secret\n")
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith(users.KEY_PREFIX) and len(key) > 40
    settings = Settings(data_dir=tmp_path / "data")
    caller = users.by_key(settings, key)
    assert caller.name == "dana" and caller.role == "analyst" and caller.matters == {"acme", "zenith"}
    assert users.by_password(settings, "dana", "a long enough secret").name == "dana"
    listing = _run(["user", "list"], tmp_path).output
    assert "dana" in listing and "analyst" in listing and "acme, zenith" in listing and "password" in listing
    assert key not in listing  # only hashes are kept

    again = _run(["user", "add", "dana", "--role", "viewer"], tmp_path)
    assert again.exit_code == errors.EXIT_ERROR and f"[{errors.USER_EXISTS}]" in again.output


def test_matter_grant_and_revoke_change_what_a_key_sees(tmp_path):
    key = _run(["user", "add", "lee", "--role", "viewer"], tmp_path).stdout.strip()
    settings = Settings(data_dir=tmp_path / "data")
    assert users.by_key(settings, key).matters == frozenset()
    assert "lee: beta" in _run(["matter", "grant", "lee", "beta"], tmp_path).output
    assert users.by_key(settings, key).matters == {"beta"}
    assert "lee: no matters" in _run(["matter", "revoke", "lee", "beta"], tmp_path).output
    assert _run(["user", "revoke", "lee"], tmp_path).exit_code == 0
    with pytest.raises(errors.Unauthenticated):
        users.by_key(settings, key)
    assert "revoked" in _run(["user", "list"], tmp_path).output


def test_list_and_search_formats_carry_the_api_rows(tmp_path, fake_engine):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ny.txt").write_text(CONTRACT)
    (folder / "tx.txt").write_text(CONTRACT.replace("State of New York", "State of Texas")
                                   .replace("New York limited", "Texas limited"))
    assert _run(["ingest", str(folder), "--matter", "m1"], tmp_path).exit_code == 0
    rows = json.loads(_run(["list", "--format", "json", "--field", "governing_law=new york"], tmp_path).stdout)
    assert rows["total"] == 1 and rows["documents"][0]["name"] == "ny.txt"
    assert rows["documents"][0]["fields"]["governing_law"][0]["value"] == "State of New York"
    table = list(csv.DictReader(io.StringIO(_run(["list", "--format", "csv", "--sort", "-name"], tmp_path).stdout)))
    assert [r["name"] for r in table] == ["tx.txt", "ny.txt"]
    assert table[0]["governing_law"] == "State of Texas (text)"  # a plain-text file has no pages
    assert _run(["list", "--expires-before", "2026-01-01"], tmp_path).output.strip() == "no documents"
    bad = _run(["list", "--status", "finished"], tmp_path)
    assert bad.exit_code == errors.EXIT_ERROR and f"[{errors.BAD_REQUEST}]" in bad.output
    hits = json.loads(_run(["search", "invoice", "--format", "json", "--field", "governing_law=Texas"],
                           tmp_path).stdout)["hits"]
    assert hits and {h["document"] for h in hits} == {"tx.txt"}
    hits_csv = _run(["search", "invoice", "--format", "csv", "--matter", "other"], tmp_path).stdout
    assert hits_csv.strip() == "document_id,document,source,ref,snippet"
