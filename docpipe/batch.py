"""Nightly batch folders: take each stable new file once, report what became of each.

A file is taken only once it is stable: unchanged in size and modification time across
the settle interval, and last modified at least that long ago (a copy still being written
is left for the next scan). Bytes already ingested in the matter are skipped as duplicates.
Each scan is stored (batches, batch_files) with the outcome of every file.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from docpipe.intake import display_name, iter_files, take_in
from docpipe.settings import Settings
from docpipe.store.db import session_scope
from docpipe.store.models import Batch, BatchFile, Document, utcnow

Snapshot = dict[Path, tuple[int, int]]


@dataclass
class BatchReport:
    batch_id: int
    files: list[dict] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.files:
            out[f["outcome"]] = out.get(f["outcome"], 0) + 1
        return out


def _snapshot(folder: Path) -> Snapshot:
    snap = {}
    for path in iter_files([folder]):
        try:
            st = path.stat()
        except FileNotFoundError:  # removed while we looked
            continue
        snap[path] = (st.st_size, st.st_mtime_ns)
    return snap


def stable_files(folder: Path, settle_seconds: float, *, wait: bool = True) -> tuple[list[Path], list[Path]]:
    """(stable, waiting). Sleeps one settle interval when a file is younger than it."""
    first = _snapshot(folder)
    now_ns = time.time_ns()
    young = any(now_ns - mtime < settle_seconds * 1e9 for _, mtime in first.values())
    if wait and young:
        time.sleep(settle_seconds)
    second = _snapshot(folder) if wait else first
    now_ns = time.time_ns()
    stable, waiting = [], []
    for path, state in second.items():
        old_enough = now_ns - state[1] >= settle_seconds * 1e9
        (stable if first.get(path) == state and old_enough else waiting).append(path)
    return sorted(stable), sorted(waiting)


def _process(settings: Settings, path: Path, folder: Path, matter: str) -> dict:
    from docpipe import distributed
    from docpipe.pipeline import analyse_document

    name = display_name(str(path.relative_to(folder)))
    took = take_in(settings, path, matter=matter, original_name=path.name)
    entry = {"name": name, "size": path.stat().st_size, "sha256": took.sha256,
             "document_id": took.document_id, "reason": None}
    if not took.created:
        return {**entry, "outcome": "duplicate", "reason": f"same bytes as document {took.document_id}"}
    if settings.broker_url:
        _, sent = distributed.submit(settings, took.document_id)
        return {**entry, "outcome": "queued",
                "reason": None if sent else "broker unreachable; the reconciler will send it"}
    analyse_document(settings, took.document_id)
    with session_scope(settings.resolved_database_url) as s:
        doc = s.get(Document, took.document_id)
        reason = f"{doc.error_code}: {doc.error_message}" if doc.status == "failed" else None
        return {**entry, "outcome": doc.status, "reason": reason}


def scan_folder(settings: Settings, folder: Path, *, matter: str, wait: bool = True,
                progress=lambda msg: None) -> BatchReport:
    if not folder.is_dir():
        from docpipe.errors import InputError

        raise InputError(f"not a folder: {folder}", code="not_a_folder")
    with session_scope(settings.resolved_database_url) as s:
        batch = Batch(matter=matter, directory=str(folder.resolve()), counts={})
        s.add(batch)
        s.flush()
        report = BatchReport(batch_id=batch.id)
    stable, waiting = stable_files(folder, settings.settle_seconds, wait=wait)
    for path in waiting:
        report.files.append({"name": display_name(str(path.relative_to(folder))), "size": path.stat().st_size,
                             "sha256": None, "document_id": None, "outcome": "waiting",
                             "reason": "still changing; taken on a later scan once stable"})
    for number, path in enumerate(stable, start=1):
        entry = _process(settings, path, folder, matter)
        report.files.append(entry)
        progress(f"[{number}/{len(stable)}] {entry['name']}: {entry['outcome']}"
                 + (f" ({entry['reason']})" if entry["reason"] else ""))
    with session_scope(settings.resolved_database_url) as s:
        batch = s.get(Batch, report.batch_id)
        for f in report.files:
            s.add(BatchFile(batch_id=batch.id, **{k: f[k] for k in
                            ("name", "size", "sha256", "document_id", "outcome", "reason")}))
        batch.counts, batch.finished_at = report.counts, utcnow()
    return report
