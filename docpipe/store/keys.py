"""Matter keys: made on a matter's first original, stored wrapped by the master key,
destroyed when the matter is purged."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from docpipe.errors import UNRECOVERABLE, DocpipeError
from docpipe.store import crypto
from docpipe.store.documents import _matter_row
from docpipe.store.models import Document, Matter


def matter_key(session: Session, *, matter: str, master: bytes) -> tuple[int, bytes]:
    """(matter id, data key) of a matter, both made when it is new."""
    row = _matter_row(session, matter)
    if row.data_key is None:  # set only where still unset: two first uploads of a matter agree on one key
        session.execute(update(Matter).where(Matter.id == row.id, Matter.data_key.is_(None))
                        .values(data_key=crypto.wrap(master, crypto.new_data_key())))
        session.refresh(row)
    return row.id, crypto.unwrap(master, row.data_key)


def document_key(session: Session, *, document_id: int, master: bytes) -> tuple[int, str, bytes]:
    """(matter id, sha256, data key) to read a document's original."""
    row = session.execute(select(Document.matter_id, Document.sha256, Matter.data_key)
                          .join(Matter, Matter.id == Document.matter_id).where(Document.id == document_id)).first()
    if row is None or row.data_key is None:
        raise DocpipeError(f"document {document_id}: its original cannot be read (its matter key is gone)",
                           code=UNRECOVERABLE)
    return row.matter_id, row.sha256, crypto.unwrap(master, row.data_key)


def any_wrapped(session: Session) -> bytes | None:
    return session.scalar(select(Matter.data_key).where(Matter.data_key.is_not(None)).limit(1))


def all_wrapped(session: Session) -> list[bytes]:
    return [bytes(k) for k in session.scalars(select(Matter.data_key).where(Matter.data_key.is_not(None)))]


def rewrap_all(session: Session, *, old: bytes, new: bytes) -> int:
    """Wrap every matter key with ``new`` (unwrapped with ``old``); returns how many."""
    rows = session.scalars(select(Matter).where(Matter.data_key.is_not(None)).with_for_update()).all()
    for row in rows:
        row.data_key = crypto.wrap(new, crypto.unwrap(old, row.data_key))
    session.flush()
    return len(rows)
