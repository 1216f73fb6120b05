"""RELIABILITY case 24, the rest: a file created while a scan is running is left for the next
scan, which takes it (and nothing twice); and the beat's nightly task itself, sent by name to
a real worker, scans the folder and stores its report."""
from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import select

from docpipe.fleet import dispatch
from docpipe.services.batches import scan_folder
from docpipe.services.caller import LOCAL_OPERATOR
from docpipe.store.db import ensure_schema, session_scope
from docpipe.store.models import Batch, BatchFile, Document
from tests.integration.test_pipeline_fake import CONTRACT


def _outcomes(report) -> dict[str, str]:
    return {f["name"]: f["outcome"] for f in report.files}


def test_a_file_created_during_a_scan_is_taken_by_the_next_scan(sqlite_settings, fake_engine, tmp_path,
                                                                  monkeypatch):
    from docpipe.pipeline import intake

    settings = sqlite_settings.model_copy(update={"settle_seconds": 1.0})
    ensure_schema(settings.resolved_database_url, auto_upgrade=True)
    folder = tmp_path / "drop"
    folder.mkdir()
    old = folder / "a-old.txt"
    old.write_text(CONTRACT)
    os.utime(old, (time.time() - 60, time.time() - 60))
    (folder / "c-young.txt").write_text(CONTRACT.replace("Texas", "Ohio"))  # makes the scan wait one interval

    class Clock:  # the scan's clock: a file arrives while it waits between its two looks
        time_ns = staticmethod(time.time_ns)

        @staticmethod
        def sleep(seconds: float) -> None:
            (folder / "b-arrives.txt").write_text(CONTRACT.replace("Texas", "Utah"))
            time.sleep(seconds)

    monkeypatch.setattr(intake, "time", Clock)
    first = scan_folder(settings, LOCAL_OPERATOR, folder, matter="nightly")
    monkeypatch.undo()
    assert _outcomes(first) == {"a-old.txt": "done", "c-young.txt": "done", "b-arrives.txt": "waiting"}

    time.sleep(1.1)
    second = scan_folder(settings, LOCAL_OPERATOR, folder, matter="nightly")
    assert _outcomes(second) == {"a-old.txt": "duplicate", "c-young.txt": "duplicate", "b-arrives.txt": "done"}
    with session_scope(settings.resolved_database_url) as s:
        assert len(list(s.scalars(select(Document)))) == 3
        stored = {(f.batch_id, f.name): f.outcome for f in s.scalars(select(BatchFile))}
    assert stored[(first.batch_id, "b-arrives.txt")] == "waiting"
    assert stored[(second.batch_id, "b-arrives.txt")] == "done"


@pytest.mark.model
@pytest.mark.timeout(600)
def test_the_beat_task_scans_a_folder_on_a_real_worker(fleet):
    """What the beat sends each night (`docpipe.batch_scan` with folder and matter), delivered
    to a worker: the scan is stored with every file's outcome, and the work it queues runs."""
    folder = fleet.tmp / "nightly"
    folder.mkdir()
    (folder / "empty.pdf").write_bytes(b"")  # fails at parse: no model call needed
    os.utime(folder / "empty.pdf", (time.time() - 60, time.time() - 60))
    fleet.worker(queues="parse", DOCPIPE_SETTLE_SECONDS="1")
    dispatch.send(fleet.settings, dispatch.BATCH, str(folder), "nightly")
    [doc] = fleet.wait_all(1, timeout=300)
    assert doc.status == "failed" and doc.error_code == "empty_file"
    with session_scope(fleet.settings.resolved_database_url) as s:
        [batch] = list(s.scalars(select(Batch)))
        assert batch.matter == "nightly" and batch.finished_at is not None
        assert batch.counts == {"queued": 1}
        [entry] = list(s.scalars(select(BatchFile)))
        assert (entry.name, entry.outcome, entry.document_id) == ("empty.pdf", "queued", doc.id)
