"""Intake: files and folders in, content-addressed originals and document rows out."""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from docpipe.domain import AuditAction
from docpipe.parsers import registry
from docpipe.pipeline.originals import store_original
from docpipe.parsers.registry import HEAD_BYTES
from docpipe.settings import Settings
from docpipe.store import audit, documents
from docpipe.store.db import session_scope

Snapshot = dict[Path, tuple[int, int]]


@dataclass(frozen=True)
class Intake:
    document_id: int
    created: bool  # False: the same bytes were already in this matter
    sha256: str
    name: str
    status: str


def iter_files(paths: list[Path]) -> Iterator[Path]:
    """Files named, and files under folders named (recursively, sorted, hidden ones skipped)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and not any(part.startswith(".") for part in rel.parts):
                    yield child
        else:
            yield path


def check_upload(path: Path, name: str) -> str:
    """The same checks the parsers make first, on an upload before it is stored: raises
    EmptyFile, ContentMismatch or UnsupportedFormat."""
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    return registry.check_upload(head, Path(name).suffix.lower())


def display_name(name: str) -> str:
    """A file name as metadata: control characters (NUL, RTL override) made visible."""
    cleaned = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in name)
    return cleaned[:1000]


def take_in(settings: Settings, path: Path, *, matter: str, original_name: str | None = None,
            actor: str = "local operator") -> Intake:
    """Store the bytes (sha256-addressed) and find or create the document row; the upload is
    audited in the same transaction."""
    sha = store_original(settings, path, matter=matter)
    name = display_name(original_name if original_name is not None else path.name)
    with session_scope(settings.resolved_database_url) as session:
        doc, created = documents.add_document(session, matter=matter, sha256=sha, original_name=name,
                                              size=path.stat().st_size)
        audit.append(session, actor=actor, action=AuditAction.UPLOAD, matter=matter, document_id=doc.id,
                     detail={"sha256": sha, "size": doc.size, "created": created})
    return Intake(document_id=doc.id, created=created, sha256=sha, name=doc.original_name, status=doc.status)


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
    """(stable, waiting): a file is stable when unchanged in size and modification time
    across the settle interval and last modified at least that long ago (a copy still
    being written is left for the next scan). Sleeps one interval when a file is younger."""
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
