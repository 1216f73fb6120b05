"""Batch scans of a folder and what became of each file in them."""
from __future__ import annotations

from sqlalchemy.orm import Session

from docpipe.store.models import Batch, BatchFile, utcnow

FILE_COLUMNS = ("name", "size", "sha256", "document_id", "outcome", "reason")


def start_batch(session: Session, *, matter: str, directory: str) -> int:
    batch = Batch(matter=matter, directory=directory, counts={})
    session.add(batch)
    session.flush()
    return batch.id


def finish_batch(session: Session, *, batch_id: int, files: list[dict], counts: dict[str, int]) -> None:
    """Every file's outcome (queued, done, failed, duplicate, waiting) with its reason."""
    batch = session.get(Batch, batch_id)
    for f in files:
        session.add(BatchFile(batch_id=batch_id, **{k: f[k] for k in FILE_COLUMNS}))
    batch.counts, batch.finished_at = counts, utcnow()
