"""Batch scans of a folder and what became of each file in them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from docpipe.store.models import Batch, BatchFile, utcnow
from docpipe.store.records import aware

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


def list_batches(session: Session, *, matters=None, limit: int = 50) -> list[dict]:
    """The newest stored scans (of ``matters`` only, when given), each with its files, as
    plain dicts (read-only: the web pages' batch reports)."""
    if matters is not None and not matters:
        return []
    query = select(Batch).order_by(Batch.id.desc()).limit(limit)
    if matters is not None:
        query = query.where(Batch.matter.in_(list(matters)))
    out = []
    for batch in session.scalars(query).all():
        files = session.scalars(select(BatchFile).where(BatchFile.batch_id == batch.id)
                                .order_by(BatchFile.id)).all()
        out.append({"id": batch.id, "matter": batch.matter, "directory": batch.directory,
                    "started_at": aware(batch.started_at), "finished_at": aware(batch.finished_at),
                    "counts": dict(batch.counts or {}),
                    "files": [{k: getattr(f, k) for k in FILE_COLUMNS} for f in files]})
    return out
