"""Intake: files and folders in, content-addressed originals and document rows out."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from docpipe.settings import Settings
from docpipe.store import repository as repo
from docpipe.store.blobs import put_file
from docpipe.store.db import session_scope


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


def display_name(name: str) -> str:
    """A file name as metadata: control characters (NUL, RTL override) made visible."""
    cleaned = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in name)
    return cleaned[:1000]


def take_in(settings: Settings, path: Path, *, matter: str, original_name: str | None = None) -> Intake:
    """Store the bytes (sha256-addressed) and find or create the document row."""
    sha, _ = put_file(settings.objects_dir, path)
    name = display_name(original_name if original_name is not None else path.name)
    with session_scope(settings.resolved_database_url) as session:
        m = repo.get_or_create_matter(session, name=matter)
        doc, created = repo.add_document(session, matter=m, sha256=sha, original_name=name,
                                         size=path.stat().st_size)
        return Intake(document_id=doc.id, created=created, sha256=sha, name=doc.original_name,
                      status=doc.status)
