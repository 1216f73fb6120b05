"""Encryption at rest of the originals: AES-256-GCM with a data key per matter; the matter
keys are stored wrapped (AES-256-GCM) by a master key kept in a file outside the database
(``DOCPIPE_MASTER_KEY_FILE``, mode 600). Destroying a matter's key makes every copy of its
originals, on disk or on a backup, unreadable (crypto-erasure).

An original is written as segments of 1 MiB, each sealed on its own with a nonce made of a
random file prefix and the segment number, and bound (as associated data) to the
document's sha256 and to whether it is the last segment, so segments cannot be swapped,
dropped or cut off without the tag failing.
"""
from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from docpipe.errors import CONFIG_ERROR, UNRECOVERABLE, DocpipeError

MAGIC = b"DPE1"
SEGMENT = 1 << 20
_TAG = 16
_WRAP_AAD = b"docpipe matter key"


def create_master_key(path: Path) -> None:
    """A new random master key in ``path`` (mode 600); refuses to overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # written whole to a private temporary name, then linked into place: a process starting
    # at the same moment never reads a created but still empty key file (FileExistsError
    # for the one that lost the race, as before)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_master_key(path: Path) -> bytes:
    try:
        raw = path.read_text().strip()
    except FileNotFoundError:
        raise DocpipeError(f"no master key at {path}: run `docpipe keys init` (or set DOCPIPE_MASTER_KEY_FILE)",
                           code=CONFIG_ERROR) from None
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise DocpipeError(f"the master key in {path} is not 32 bytes of base64", code=CONFIG_ERROR)
    return key


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def wrap(master: bytes, data_key: bytes) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(master).encrypt(nonce, data_key, _WRAP_AAD)


def unwrap(master: bytes, wrapped: bytes) -> bytes:
    try:
        return AESGCM(master).decrypt(wrapped[:12], wrapped[12:], _WRAP_AAD)
    except InvalidTag:
        raise DocpipeError("the master key does not open the matter keys: is DOCPIPE_MASTER_KEY_FILE the key "
                           "this database was written with?", code=CONFIG_ERROR) from None


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + index.to_bytes(4, "big")


def _aad(sha256: str, last: bool) -> bytes:
    return sha256.encode() + (b"\x01" if last else b"\x00")


def encrypt_file(key: bytes, sha256: str, source: Path, out) -> None:
    """Write ``source`` sealed to the open binary file ``out``."""
    aes, prefix = AESGCM(key), secrets.token_bytes(8)
    out.write(MAGIC + prefix)
    with source.open("rb") as src:
        block, index = src.read(SEGMENT), 0
        while True:
            following = src.read(SEGMENT)
            last = not following
            out.write(aes.encrypt(_nonce(prefix, index), block, _aad(sha256, last)))
            if last:
                return
            block, index = following, index + 1


def decrypt_segments(key: bytes, sha256: str, path: Path) -> Iterator[bytes]:
    """The plaintext of a sealed original, segment by segment; a wrong key, a changed byte or
    a cut file raise DocpipeError(unrecoverable)."""
    aes = AESGCM(key)
    with path.open("rb") as fh:
        head = fh.read(len(MAGIC) + 8)
        if head[:4] != MAGIC:
            raise DocpipeError("the stored original is not in docpipe's sealed format", code=UNRECOVERABLE)
        prefix, index = head[4:], 0
        sealed = fh.read(SEGMENT + _TAG)
        while True:
            following = fh.read(SEGMENT + _TAG)
            last = not following
            try:
                yield aes.decrypt(_nonce(prefix, index), sealed, _aad(sha256, last))
            except InvalidTag:
                raise DocpipeError("the stored original does not decrypt (altered, cut off, or its matter key "
                                   "is not the one it was sealed with)", code=UNRECOVERABLE) from None
            if last:
                return
            sealed, index = following, index + 1
