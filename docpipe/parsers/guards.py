"""Cheap checks before any parser opens a file (RELIABILITY cases 16 and 17).

- ZIP packages (DOCX and any other ZIP): the central directory is read, never an entry:
  too many entries, declared sizes that are absurd, a compression ratio over 100:1, or
  entries that overlap (the sum of compressed sizes exceeds the file) -> ``zip_bomb``.
  Python's zipfile never returns more than an entry's declared size, so declared sizes
  bound what python-docx can read.
- PDF: pages larger than 14,400 points (the PDF 1.x maximum), images of absurd pixel
  counts, and Flate streams (nested ones too) that inflate beyond a ratio or a size
  -> ``pdf_bomb``. Streams are inflated incrementally and abandoned at the limit, so the
  check itself stays small; image streams are judged by their declared size, not inflated.

The sandbox child runs :func:`check_file` before parsing, under the same CPU and memory
limits, so a check that is fooled is still bounded.
"""
from __future__ import annotations

import mmap
import re
import zipfile
import zlib
from pathlib import Path

from docpipe import errors
from docpipe.parsers.base import ParserContext
from docpipe.parsers.content import is_pdf

MiB = 1 << 20
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_RATIO = 100
ZIP_RATIO_FLOOR = 1 * MiB  # an entry's ratio counts once it declares more than this
ZIP_MAX_ENTRY = 512 * MiB
ZIP_MAX_TOTAL = 1024 * MiB
PDF_MAX_PAGE_POINTS = 14_400
PDF_MAX_IMAGE_PIXELS = 1 << 28  # 16384 x 16384
PDF_MAX_STREAM_RATIO = 100
PDF_STREAM_RATIO_FLOOR = 64 * MiB
PDF_MAX_STREAM = 256 * MiB
PDF_MAX_INFLATED = 2048 * MiB  # all non-image streams together
_NESTING = 4
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_WIDTH = re.compile(rb"/Width\s+(\d{1,12})(?!\s+\d+\s+R)")
_HEIGHT = re.compile(rb"/Height\s+(\d{1,12})(?!\s+\d+\s+R)")
_ZLIB_HEADERS = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")


def check_file(path: Path, ctx: ParserContext) -> None:
    """Raise InputError (``zip_bomb``, ``pdf_bomb``) when the file is a decompression or
    size bomb. Anything else (corrupt, encrypted, unknown) passes to the parser."""
    with path.open("rb") as handle:
        head = handle.read(1024)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        check_zip(path)
    elif is_pdf(head):
        check_pdf(path, ctx)


# ---------------------------------------------------------------- ZIP / DOCX

def _zip_bomb(message: str, **data) -> errors.InputError:
    return errors.InputError(f"rejected as a ZIP bomb: {message}", code=errors.ZIP_BOMB, **data)


def check_zip(path: Path) -> None:
    size = path.stat().st_size
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return  # corrupt: the parser says so
    if len(infos) > ZIP_MAX_ENTRIES:
        raise _zip_bomb(f"{len(infos)} entries (limit {ZIP_MAX_ENTRIES})", entries=len(infos))
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    for info in infos:
        _check_zip_entry(info)
    if total > ZIP_MAX_TOTAL:
        raise _zip_bomb(f"entries declare {total:,} bytes uncompressed (limit {ZIP_MAX_TOTAL:,})",
                        declared=total)
    if packed > size + 64 * len(infos):
        raise _zip_bomb(f"entries overlap: {packed:,} compressed bytes in a {size:,}-byte file",
                        compressed=packed, size=size)


def _check_zip_entry(info: zipfile.ZipInfo) -> None:
    if info.file_size > ZIP_MAX_ENTRY:
        raise _zip_bomb(f"entry {info.filename!r} declares {info.file_size:,} bytes uncompressed "
                        f"(limit {ZIP_MAX_ENTRY:,})", entry=info.filename, declared=info.file_size)
    if info.file_size > ZIP_RATIO_FLOOR:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > ZIP_MAX_RATIO:
            raise _zip_bomb(f"entry {info.filename!r} expands {ratio:,.0f}:1 "
                            f"({info.compress_size:,} -> {info.file_size:,} bytes; limit "
                            f"{ZIP_MAX_RATIO}:1)", entry=info.filename, ratio=round(ratio))


# ---------------------------------------------------------------- PDF

def _pdf_bomb(message: str, **data) -> errors.InputError:
    return errors.InputError(f"rejected as a PDF bomb: {message}", code=errors.PDF_BOMB, **data)


def check_pdf(path: Path, ctx: ParserContext) -> None:
    _check_page_sizes(path, ctx)
    _check_streams(path)


def _check_page_sizes(path: Path, ctx: ParserContext) -> None:
    import pypdfium2 as pdfium

    from docpipe.parsers.pdf import _PDFIUM_LOCK, _check_page_count

    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError:
            return  # encrypted or corrupt: the parser says which
        try:
            _check_page_count(len(pdf), ctx)
            for index in range(len(pdf)):
                try:
                    width, height = pdf.get_page_size(index)
                except pdfium.PdfiumError:
                    continue  # a broken page: the parser reports it
                if max(width, height) > PDF_MAX_PAGE_POINTS:
                    raise _pdf_bomb(f"page {index + 1} is {width:,.0f} x {height:,.0f} points "
                                    f"(limit {PDF_MAX_PAGE_POINTS:,})", page=index + 1)
        finally:
            pdf.close()


def _check_streams(path: Path) -> None:
    if path.stat().st_size == 0:
        return
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        inflated = 0
        for match in _STREAM.finditer(data):
            start = match.start()
            header = data[max(0, start - 2048):start]
            header = header[header.rfind(b"obj") + 1:]  # the dictionary of this object
            if _IMAGE.search(header):
                _check_image(header, start)
                continue
            inflated += _inflated_size(data, match.end(), start)
            if inflated > PDF_MAX_INFLATED:
                raise _pdf_bomb(f"streams inflate to over {PDF_MAX_INFLATED:,} bytes in all")


def _check_image(header: bytes, offset: int) -> None:
    width, height = _WIDTH.search(header), _HEIGHT.search(header)
    if width and height:
        pixels = int(width[1]) * int(height[1])
        if pixels > PDF_MAX_IMAGE_PIXELS:
            raise _pdf_bomb(f"an image of {int(width[1]):,} x {int(height[1]):,} pixels "
                            f"at byte {offset:,}", offset=offset, pixels=pixels)


def _inflated_size(data, begin: int, offset: int) -> int:
    """Bytes the zlib stream at ``begin`` inflates to, through nested Flate layers; raises
    pdf_bomb past the limits. Streams that are not zlib (images, encrypted) count 0."""
    inflater = _Inflater()
    pos = begin
    while pos < len(data) and not inflater.layers[0].eof:
        chunk = data[pos:pos + 65536]
        pos += len(chunk)
        consumed = pos - begin
        inflater.cap = min(PDF_MAX_STREAM, max(PDF_STREAM_RATIO_FLOOR, PDF_MAX_STREAM_RATIO * consumed))
        try:
            inflater.feed(chunk)
        except zlib.error:
            return inflater.total  # not Flate, or damaged: pdfium decides
        except _Exceeded:
            raise _pdf_bomb(f"a stream at byte {offset:,} inflates to over {inflater.total:,} bytes "
                            f"from {consumed:,} ({len(inflater.layers)} Flate layer(s))",
                            offset=offset, layers=len(inflater.layers)) from None
    return inflater.total


class _Exceeded(Exception):
    pass


class _Inflater:
    """A chain of zlib layers: a layer whose first output opens with a zlib header gets
    one more layer after it (nested Flate), up to a few. Stops past ``cap`` bytes out."""

    def __init__(self) -> None:
        self.layers = [zlib.decompressobj()]
        self.seen = [False]
        self.total = 0
        self.cap = PDF_MAX_STREAM

    def feed(self, chunk: bytes, depth: int = 0) -> None:
        layer = self.layers[depth]
        piece = layer.decompress(chunk, MiB)
        while True:
            if piece:
                if not self.seen[depth]:
                    self.seen[depth] = True
                    if depth + 1 == len(self.layers) < _NESTING and piece[:2] in _ZLIB_HEADERS:
                        self.layers.append(zlib.decompressobj())
                        self.seen.append(False)
                if depth + 1 < len(self.layers):
                    self.feed(piece, depth + 1)
                else:
                    self.total += len(piece)
                    if self.total > self.cap:
                        raise _Exceeded
            if layer.eof or not layer.unconsumed_tail:
                return
            piece = layer.decompress(layer.unconsumed_tail, MiB)
