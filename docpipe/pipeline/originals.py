"""The originals at rest: sealed per matter with the matter's key, opened only into a
private temporary folder for as long as a parser or the page renderer needs them."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from docpipe.errors import CONFIG_ERROR, DocpipeError
from docpipe.settings import Settings
from docpipe.store import blobs, crypto, keys
from docpipe.store.db import session_scope


def master_key(settings: Settings) -> bytes:
    """The master key. On a database that holds no matter key yet (a new installation) a
    missing key file is made; once keys exist, a missing or wrong key refuses to go on."""
    path = settings.resolved_master_key_file
    if not path.exists():
        with session_scope(settings.resolved_database_url) as s:
            wrapped = keys.any_wrapped(s)
        if wrapped is not None:
            raise DocpipeError(f"no master key at {path}, but this database holds encrypted matter keys: "
                               "restore the key file (or set DOCPIPE_MASTER_KEY_FILE)", code=CONFIG_ERROR)
        try:
            crypto.create_master_key(path)
        except FileExistsError:  # another process made it first
            pass
    return crypto.read_master_key(path)


def check_master(settings: Settings) -> None:
    """Refuse to start with a master key that does not open this database's matter keys."""
    master = master_key(settings)
    with session_scope(settings.resolved_database_url) as s:
        wrapped = keys.any_wrapped(s)
    if wrapped is not None:
        crypto.unwrap(master, wrapped)


def check_all_keys(settings: Settings) -> int:
    """Unwrap every matter key with the master key; returns how many (raises on the first
    that does not open)."""
    master = master_key(settings)
    with session_scope(settings.resolved_database_url) as s:
        wrapped = keys.all_wrapped(s)
    for key in wrapped:
        crypto.unwrap(master, key)
    return len(wrapped)


def store_original(settings: Settings, path: Path, *, matter: str) -> str:
    """Seal the file into the matter's store; returns its sha256."""
    sha = blobs.sha256_file(path)
    master = master_key(settings)
    with session_scope(settings.resolved_database_url) as s:
        matter_id, key = keys.matter_key(s, matter=matter, master=master)
    blobs.put_sealed(settings.objects_dir, matter_id, key, path, sha)
    return sha


@contextmanager
def open_original(settings: Settings, document_id: int) -> Iterator[Path]:
    """A plaintext copy of the document's original, removed when the block ends."""
    master = master_key(settings)
    with session_scope(settings.resolved_database_url) as s:
        matter_id, sha, key = keys.document_key(s, document_id=document_id, master=master)
    with blobs.plaintext(settings.objects_dir, matter_id, key, sha, scratch=settings.data_dir / "tmp") as path:
        yield path


def rotate_master(settings: Settings) -> int:
    """A new master key: every matter key rewrapped in one transaction, then the new key file
    moved into place (the old one kept beside it as .old until the operator removes it)."""
    path = settings.resolved_master_key_file
    old = crypto.read_master_key(path)
    fresh = path.with_name(path.name + ".new")
    fresh.unlink(missing_ok=True)
    crypto.create_master_key(fresh)
    new = crypto.read_master_key(fresh)
    with session_scope(settings.resolved_database_url) as s:
        count = keys.rewrap_all(s, old=old, new=new)
    path.replace(path.with_name(path.name + ".old"))
    fresh.replace(path)
    return count
