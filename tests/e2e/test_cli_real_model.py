"""End to end through the `docpipe` command with the real bundled llama.cpp model."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES, corpus_file

pytestmark = pytest.mark.model
DOCPIPE = [sys.executable, "-m", "docpipe.cli"] if not (Path(sys.executable).parent / "docpipe").exists() \
    else [str(Path(sys.executable).parent / "docpipe")]


def run(args, data_dir, db_url=None, timeout=900):
    env = {**os.environ, "DOCPIPE_DATA_DIR": str(data_dir)}
    if db_url:
        env["DOCPIPE_DATABASE_URL"] = db_url
    return subprocess.run(DOCPIPE + args, capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout)


def show(doc_id, data_dir, db_url=None) -> dict:
    out = run(["show", str(doc_id), "--format", "json"], data_dir, db_url)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def assert_grounded(view: dict):
    assert view["status"] == "done", view["error"]
    assert view["findings"], "no findings at all"
    for f in view["findings"]:
        assert f["citation"]["quote"] and "verified" in f
    # every citation is found at its place; what is unverified failed a value check, and says so
    unverified = [f for f in view["findings"] if not f["verified"]]
    assert all((f.get("extra") or {}).get("check") for f in unverified), unverified
    assert view["verification"]["verified"] > 0
    assert view["brief"], "no brief"


@pytest.mark.slow
def test_sonos_contract_all_48_pages_with_verified_citations(tmp_path):
    pdf = corpus_file("contracts", "Sonos, Inc. - Manufacturing Agreement .PDF")
    out = run(["ingest", str(pdf)], tmp_path)
    assert out.returncode == 0, out.stderr
    assert "map: chunk" in out.stderr  # progress is shown
    view = show(1, tmp_path)
    assert_grounded(view)
    assert view["kind"] == "contract"
    assert view["coverage"]["pages_total"] == 48
    assert view["coverage"]["pages_processed"] == 48
    assert view["run"]["chunks"]["total"] > 1  # 48 pages do not fit SmolLM2's 8K window: map-reduce
    assert all(isinstance(f["citation"]["page"], int) for f in view["findings"])
    # re-ingesting the same bytes reports the existing document
    again = run(["ingest", str(pdf)], tmp_path)
    assert again.returncode == 0 and "already ingested as document 1" in again.stderr


@pytest.mark.slow
def test_corpus_meeting_transcript_with_speaker_citations(tmp_path):
    txt = corpus_file("transcripts", "ES2008b.txt")
    out = run(["ingest", str(txt)], tmp_path)
    assert out.returncode == 0, out.stderr
    view = show(1, tmp_path)
    assert_grounded(view)
    assert view["kind"] == "transcript"
    assert view["coverage"]["turns_total"] == 473
    assert view["coverage"]["turns_processed"] == 473
    speakers = {f["value"] for f in view["findings"] if f["field"] == "participants"}
    assert {"Project Manager", "Marketing", "Industrial Designer", "User Interface"} <= speakers
    assert all(f["citation"].get("speaker") for f in view["findings"])


def test_bad_inputs_then_good_sample_on_postgres(tmp_path, pg_schema_url):
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "a-empty.pdf").write_bytes(b"")
    (bad / "b-text-named.pdf").write_text("This is plain text pretending to be a PDF.\n")
    (bad / "c-image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    sample = SAMPLES / "short-nda.pdf"
    out = run(["ingest", str(bad), str(sample)], tmp_path, pg_schema_url)
    assert out.returncode == 1, out.stderr  # some failed
    assert "FAILED [empty_file]" in out.stderr
    assert "FAILED [content_mismatch]" in out.stderr
    assert "FAILED [unsupported_format]" in out.stderr
    listing = run(["list"], tmp_path, pg_schema_url).stdout
    assert listing.count("failed") == 3 and listing.count(" done ") == 1
    nda = show(4, tmp_path, pg_schema_url)
    assert_grounded(nda)
    laws = [f["normalized"] for f in nda["findings"] if f["field"] == "governing_law"]
    assert laws == ["State of California"]
    found = run(["search", "confidential", "information"], tmp_path, pg_schema_url)
    assert found.returncode == 0 and "document 4" in found.stdout


def test_sample_transcript_and_markdown(tmp_path):
    out = run(["ingest", str(SAMPLES / "board-meeting-transcript.txt")], tmp_path)
    assert out.returncode == 0, out.stderr
    view = show(1, tmp_path)
    assert_grounded(view)
    assert view["kind"] == "transcript"
    actions = [f for f in view["findings"] if f["field"] == "action_items"]
    assert actions and all(f["extra"]["owner"] for f in actions)
    md = run(["show", "1"], tmp_path).stdout
    assert "## Brief" in md and "## Findings" in md


def test_doctor_reports_model_context_database_offline(tmp_path):
    out = run(["doctor"], tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53" in out.stdout
    assert "n_ctx 8192" in out.stdout and "KV" in out.stdout
    assert "DO_NOT_TRACK=1" in out.stdout


def test_pinned_hash_mismatch_refuses_to_start(tmp_path):
    env_pin = {"DOCPIPE_MODEL_SHA256": "0" * 64}
    out = subprocess.run(DOCPIPE + ["doctor"], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "DOCPIPE_DATA_DIR": str(tmp_path), **env_pin}, timeout=120)
    assert out.returncode != 0
    assert "sha256 mismatch" in out.stdout + out.stderr
