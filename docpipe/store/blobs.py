"""Content-addressed store for originals: objects/ab/cdef... by sha256.

The original file name is never used as a path: it is metadata in the database only.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def blob_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256[2:]


def put_file(root: Path, source: Path) -> tuple[str, Path]:
    """Copy ``source`` into the store (atomic rename); returns (sha256, stored path)."""
    root.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".incoming-")
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            for block in iter(lambda: src.read(1 << 20), b""):
                digest.update(block)
                out.write(block)
        sha = digest.hexdigest()
        target = blob_path(root, sha)
        if target.exists():
            tmp.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
            os.chmod(target, 0o440)
        return sha, target
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
