"""Uploads streamed from the request body to a temporary file beside the content store,
counted as they arrive: past the limit the request is refused (413) at once, a client that
disconnects leaves nothing behind, and the file is stored only once it has arrived whole."""
from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from docpipe.errors import BAD_REQUEST, UPLOAD_TOO_LARGE, DocpipeError, InputError

MAX_FIELD_BYTES = 4096


@dataclass
class Upload:
    path: Path
    filename: str
    size: int
    fields: dict[str, str] = field(default_factory=dict)


class _Parts:
    """Collects one file part (to disk) and small text fields (in memory)."""

    def __init__(self, fh, limit: int):
        self.fh, self.limit = fh, limit
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self.size = 0
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name: str | None = None
        self._is_file = False
        self._buffer = bytearray()
        self.files = 0
        self.ended = False  # the closing boundary arrived: the form is whole

    def on_part_begin(self) -> None:
        self._headers, self._buffer = {}, bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        self._is_file = b"filename" in options and self._name == "file"
        if self._is_file:
            self.files += 1
            if self.files > 1:
                raise InputError("send one file per request", code=BAD_REQUEST)
            self.filename = options[b"filename"].decode("utf-8", "replace")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._is_file:
            self.size += len(chunk)
            if self.size > self.limit:
                raise DocpipeError(f"the upload is larger than the limit of {self.limit // (1 << 20)} MB",
                                   code=UPLOAD_TOO_LARGE)
            self.fh.write(chunk)
        else:
            self._buffer += chunk
            if len(self._buffer) > MAX_FIELD_BYTES:
                raise InputError(f"form field {self._name!r} is too long", code=BAD_REQUEST)

    def on_part_end(self) -> None:
        if not self._is_file and self._name:
            self.fields[self._name] = self._buffer.decode("utf-8", "replace")

    def on_end(self) -> None:
        self.ended = True


@asynccontextmanager
async def receive_file(request: Request, *, directory: Path, limit_bytes: int) -> AsyncIterator[Upload]:
    """Yield the Upload (a temporary file) once the body has arrived whole; the temporary
    file is removed on the way out whatever happened (a refusal, a disconnect, an error)."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise InputError("send the file as multipart/form-data with a 'file' part", code=BAD_REQUEST)
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit_bytes + 64 * 1024:
        raise DocpipeError(f"the upload is larger than the limit of {limit_bytes // (1 << 20)} MB",
                           code=UPLOAD_TOO_LARGE)
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=directory, prefix=".upload-")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            parts = _Parts(fh, limit_bytes)
            parser = MultipartParser(boundary, {k: getattr(parts, k) for k in (
                "on_part_begin", "on_header_field", "on_header_value", "on_header_end",
                "on_headers_finished", "on_part_data", "on_part_end", "on_end")})
            try:
                async for chunk in request.stream():
                    parser.write(chunk)
                parser.finalize()
            except ClientDisconnect:
                raise InputError("the upload was cut off before it ended; nothing was stored",
                                 code=BAD_REQUEST) from None
            except (DocpipeError, InputError):
                raise
            except Exception as exc:  # the multipart parser's own errors: a malformed body
                raise InputError(f"malformed multipart body: {exc}", code=BAD_REQUEST) from None
        if parts.filename is None:
            raise InputError("no 'file' part in the form", code=BAD_REQUEST)
        if not parts.ended:  # a body that stops inside the form (its closing boundary never came)
            raise InputError("the upload was cut off before the form ended; nothing was stored", code=BAD_REQUEST)
        yield Upload(path=path, filename=parts.filename, size=parts.size, fields=parts.fields)
    finally:
        path.unlink(missing_ok=True)
