"""Batch folders (nightly drops): take each stable new file once, report what became of
each. Each scan is stored with the outcome of every file: queued or done, failed with its
reason, duplicate, or waiting (still being written; taken by a later scan)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from docpipe.domain import BatchOutcome, DocumentStatus
from docpipe.errors import NOT_A_FOLDER, InputError
from docpipe.pipeline.intake import display_name, stable_files
from docpipe.services import ingest
from docpipe.services.caller import Action, Caller, require, require_matter, visible_matters
from docpipe.services.operations import ready
from docpipe.settings import Settings
from docpipe.store import batches
from docpipe.store.db import session_scope


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


def _process(settings: Settings, caller: Caller, path: Path, folder: Path, matter: str) -> dict:
    name = display_name(str(path.relative_to(folder)))
    took = ingest.receive(settings, caller, path, matter=matter, original_name=path.name)
    entry = {"name": name, "size": path.stat().st_size, "sha256": took.sha256,
             "document_id": took.document_id, "reason": None}
    if not took.created:
        return {**entry, "outcome": BatchOutcome.DUPLICATE, "reason": f"same bytes as document {took.document_id}"}
    outcome = ingest.analyse(settings, took.document_id)
    if outcome.status == DocumentStatus.QUEUED:
        return {**entry, "outcome": BatchOutcome.QUEUED,
                "reason": None if outcome.sent else "broker unreachable; the reconciler will send it"}
    failed = outcome.status == DocumentStatus.FAILED
    return {**entry, "outcome": BatchOutcome.FAILED if failed else BatchOutcome.DONE,
            "reason": f"{outcome.error_code}: {outcome.error_message}" if failed else None}


def scan_folder(settings: Settings, caller: Caller, folder: Path, *, matter: str, wait: bool = True,
                progress: Callable[[str], None] = lambda msg: None) -> BatchReport:
    require(caller, Action.OPERATE)
    require_matter(caller, matter)
    if not folder.is_dir():
        raise InputError(f"not a folder: {folder}", code=NOT_A_FOLDER)
    ready(settings)
    with session_scope(settings.resolved_database_url) as s:
        report = BatchReport(batch_id=batches.start_batch(s, matter=matter, directory=str(folder.resolve())))
    stable, waiting = stable_files(folder, settings.settle_seconds, wait=wait)
    for path in waiting:
        report.files.append({"name": display_name(str(path.relative_to(folder))), "size": path.stat().st_size,
                             "sha256": None, "document_id": None, "outcome": BatchOutcome.WAITING,
                             "reason": "still changing; taken on a later scan once stable"})
    for number, path in enumerate(stable, start=1):
        entry = _process(settings, caller, path, folder, matter)
        report.files.append(entry)
        progress(f"[{number}/{len(stable)}] {entry['name']}: {entry['outcome']}"
                 + (f" ({entry['reason']})" if entry["reason"] else ""))
    with session_scope(settings.resolved_database_url) as s:
        batches.finish_batch(s, batch_id=report.batch_id, files=report.files, counts=report.counts)
    return report


def reports(settings: Settings, caller: Caller, *, matter: str | None = None, limit: int = 50) -> list[dict]:
    """The newest stored scans of the caller's matters (read-only), each with every file's
    outcome and reason."""
    require(caller, Action.READ)
    ready(settings)
    matters = visible_matters(caller)
    if matter:
        matters = [matter] if matters is None or matter in matters else []
    with session_scope(settings.resolved_database_url) as s:
        return batches.list_batches(s, matters=matters, limit=limit)
