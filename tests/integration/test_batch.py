"""Batch folders (RELIABILITY case 24): a half-written file waits, a duplicate is skipped,
a broken file fails with its reason, a good one is processed; a later scan takes the file
that has become stable and nothing twice. Inline execution with the real model."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.integration.test_workers import contract_text

pytestmark = [pytest.mark.model, pytest.mark.timeout(600)]
BIN = Path(sys.executable).parent


def _keep_writing(path: Path, stop: threading.Event) -> None:
    with path.open("a") as fh:
        while not stop.is_set():
            fh.write("The Supplier shall deliver the Products on time. ")
            fh.flush()
            time.sleep(0.2)


@pytest.mark.parametrize("db", ["sqlite", "postgres"])
def test_batch_folder_half_written_duplicate_broken(tmp_path, db, request):
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "a-good.txt").write_text(contract_text(1))
    (folder / "b-copy-of-good.txt").write_text(contract_text(1))
    (folder / "c-broken.pdf").write_bytes(b"")
    partial = folder / "d-still-copying.txt"
    partial.write_text(contract_text(2)[:200])
    env = {**os.environ, "DOCPIPE_DATA_DIR": str(tmp_path / "data"), "DOCPIPE_SETTLE_SECONDS": "1.5"}
    if db == "postgres":
        env["DOCPIPE_DATABASE_URL"] = request.getfixturevalue("pg_schema_url")
    stop = threading.Event()
    writer = threading.Thread(target=_keep_writing, args=(partial, stop))
    writer.start()
    try:
        first = subprocess.run([str(BIN / "docpipe"), "batch", str(folder), "--matter", "nightly"],
                               env=env, cwd=ROOT, capture_output=True, text=True, timeout=500)
    finally:
        stop.set()
        writer.join()
    assert first.returncode == 1, first.stdout + first.stderr  # one file failed
    names = ["a-good.txt", "b-copy-of-good.txt", "c-broken.pdf", "d-still-copying.txt"]
    lines = {name: line for line in first.stdout.splitlines() for name in names if name in line}
    assert lines["a-good.txt"].split()[0] == "done"
    assert lines["b-copy-of-good.txt"].split()[0] == "duplicate"
    assert lines["c-broken.pdf"].split()[0] == "failed" and "empty_file" in lines["c-broken.pdf"]
    assert lines["d-still-copying.txt"].split()[0] == "waiting"
    assert "done 1" in first.stdout and "duplicate 1" in first.stdout and "waiting 1" in first.stdout

    time.sleep(1.6)  # the copy has finished and settled
    second = subprocess.run([str(BIN / "docpipe"), "batch", str(folder), "--matter", "nightly"],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=500)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "done 1" in second.stdout and "duplicate 3" in second.stdout  # nothing processed twice
    listing = subprocess.run([str(BIN / "docpipe"), "list"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert listing.stdout.count("\n") == 3  # good, broken, the finished copy
