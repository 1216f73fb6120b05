"""The originals: one sealed copy per matter, ``objects/m<matter id>/ab/cdef...`` by sha256,
encrypted with that matter's key (docpipe/store/crypto.py). A matter's purge removes its
folder and destroys its key and never touches another matter's copy of the same bytes.

The original file name is never used as a path: it is metadata in the database only.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from docpipe.store import crypto


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def matter_dir(root: Path, matter_id: int) -> Path:
    return root / f"m{matter_id}"


def blob_path(root: Path, matter_id: int, sha256: str) -> Path:
    return matter_dir(root, matter_id) / sha256[:2] / sha256[2:]


def put_sealed(root: Path, matter_id: int, key: bytes, source: Path, sha256: str) -> Path:
    """Seal ``source`` into the matter's store (atomic rename); the same bytes twice in one
    matter are kept once."""
    target = blob_path(root, matter_id, sha256)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            crypto.encrypt_file(key, sha256, source, out)
        os.replace(tmp, target)
        os.chmod(target, 0o440)
        return target
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def plaintext(root: Path, matter_id: int, key: bytes, sha256: str, *, scratch: Path) -> Iterator[Path]:
    """The original decrypted into a private temporary folder under ``scratch`` (mode 700),
    removed on the way out whatever happened."""
    scratch.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=scratch, prefix="open-"))
    try:
        path = folder / "original"
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            for block in crypto.decrypt_segments(key, sha256, blob_path(root, matter_id, sha256)):
                out.write(block)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove(root: Path, matter_id: int, sha256: str) -> bool:
    path = blob_path(root, matter_id, sha256)
    existed = path.exists()
    path.unlink(missing_ok=True)
    return existed


def remove_matter(root: Path, matter_id: int) -> None:
    shutil.rmtree(matter_dir(root, matter_id), ignore_errors=True)
