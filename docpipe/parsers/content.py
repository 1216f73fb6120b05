"""What a file's bytes are, whatever its name says: magic signatures and text decoding.

The registry and every parser look at the same leading bytes through these functions, so
they agree on what a file is. Nothing here trusts the extension.
"""
from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass

from docpipe import errors

# Magic signatures of formats we do not parse, to name them in the error message.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE2 file (legacy .doc/.xls/.msg, or a password-protected Office file)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"%!PS", "a PostScript file"),
    (b"\x7fELF", "an ELF executable"),
    (b"AT&TFORM", "a DjVu document"),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# Entry names seen in the local headers of OOXML / ODF packages.
_ZIP_KINDS: tuple[tuple[bytes, str, str], ...] = (
    (b"word/", "docx", "a DOCX document"),
    (b"xl/", "xlsx", "an XLSX spreadsheet"),
    (b"ppt/", "pptx", "a PPTX presentation"),
    (b"mimetypeapplication/vnd.oasis.opendocument", "odf", "an OpenDocument file"),
    (b"mimetypeapplication/epub+zip", "epub", "an EPUB book"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # \t \n \f \r allowed
_HTML_START = re.compile(r"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html)\b", re.I | re.S)
_HTML_TAG = re.compile(r"<(html|head|body|div|p|table|h[1-6]|span|br|meta|title)\b[^>]*>", re.I)
_HTML_FRAME = re.compile(r"<(html|body)\b", re.I)
UNDECODABLE = errors.UNDECODABLE_TEXT


@dataclass(frozen=True)
class Sniffed:
    """What the leading bytes are. ``kind``: pdf, docx, zip, binary or text."""

    kind: str
    description: str


_PDF_HEADER = re.compile(rb"(?:^|[\r\n])%PDF-\d\.\d")


def is_pdf(head: bytes) -> bool:
    """PDF readers accept the header line anywhere in the first 1024 bytes."""
    return _PDF_HEADER.search(head[:1024]) is not None


def sniff(head: bytes) -> Sniffed:
    if is_pdf(head):
        return Sniffed("pdf", "a PDF document")
    if head.startswith(_ZIP_MAGIC):
        return _sniff_zip(head)
    for magic, description in _MAGIC:
        if head.startswith(magic):
            return Sniffed("binary", description)
    if media := _sniff_media(head):
        return Sniffed("binary", media)
    text = head_text(head)
    if text is None:
        return Sniffed("binary", "unrecognised binary data")
    return Sniffed("text", "HTML" if looks_like_html(text) else "plain text")


def _sniff_zip(head: bytes) -> Sniffed:
    for marker, kind, description in _ZIP_KINDS:
        if marker in head:
            return Sniffed(kind if kind == "docx" else "binary", description)
    return Sniffed("zip", "a ZIP archive")


def _sniff_media(head: bytes) -> str | None:
    if head[4:8] == b"ftyp":
        return "an MP4/QuickTime media file"
    if head.startswith(b"RIFF") and head[8:12] in (b"WAVE", b"AVI ", b"WEBP"):
        return "a RIFF media file (" + head[8:12].decode().strip() + ")"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3"):
        return "an MP3 audio file"
    return None


def looks_like_html(text: str) -> bool:
    """A document that opens as HTML, or a fragment thick with tags; a few inline tags in
    Markdown or plain text do not count."""
    if _HTML_START.match(text[:4096]):
        return True
    sample = text[:65536]
    return bool(_HTML_FRAME.search(sample)) or len(_HTML_TAG.findall(sample)) >= 10


@functools.lru_cache(maxsize=8)
def head_text(head: bytes) -> str | None:
    """The leading bytes decoded as text, or None when they are not text. ``head`` may be
    cut inside a multi-byte character; that is tolerated."""
    try:
        return decode_text(head, partial=True)[0]
    except errors.InputError:
        return None


def decode_text(data: bytes, *, partial: bool = False) -> tuple[str, str]:
    """Decode document bytes: a BOM, else strict UTF-8, else charset-normalizer's best guess.
    Returns (text, encoding). Raises InputError with code UNDECODABLE_TEXT.

    ``partial``: ``data`` may be cut anywhere; a cut multi-byte character is tolerated."""
    if partial and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = _cut_at_last_newline(data)
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = _decode_utf8(data[3:], partial), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = _decode_utf16(data, partial), "utf-16"
    else:
        text, encoding = _decode_utf8(data, partial), "utf-8"
        if text is None:
            text, encoding = _decode_guess(data)
    if text is None or _mostly_control(text):
        raise errors.InputError("the file is not decodable as text in any known encoding",
                                code=UNDECODABLE)
    return text, encoding


def _cut_at_last_newline(data: bytes) -> bytes:
    """0x0A is never part of a multi-byte character in UTF-8, Shift-JIS, EUC or GB18030."""
    cut = data.rfind(b"\n", max(0, len(data) - 4096))
    return data[: cut + 1] if cut > 0 else data


def _decode_utf8(data: bytes, partial: bool) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if partial and exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            return data[: exc.start].decode("utf-8", errors="strict")
        return None


def _decode_utf16(data: bytes, partial: bool) -> str | None:
    body = data[: len(data) // 2 * 2] if partial else data
    try:
        return body.decode("utf-16")
    except UnicodeDecodeError:
        return None


def _decode_guess(data: bytes) -> tuple[str | None, str]:
    if b"\x00" in data:  # no legacy 8-bit or CJK text encoding contains NUL bytes
        return None, ""
    import charset_normalizer

    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        return None, ""
    # Western text with a few accents fits cp1250, cp1252 and cp1257 equally well; the
    # library then picks the first. A tie goes to cp1252, the Windows default for English.
    tied = [m for m in matches if m.chaos <= best.chaos + 0.02 and m.coherence >= best.coherence - 0.01]
    chosen = next((m for m in tied if m.encoding == "cp1252"), best)
    return str(chosen), chosen.encoding


def _mostly_control(text: str) -> bool:
    """Binary data decoded by force is full of C0 control characters; real text is not."""
    sample = text[:65536]
    return bool(sample) and len(_CONTROL.findall(sample)) > max(2, len(sample) // 200)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, each with trailing spaces stripped per line."""
    paragraphs = re.split(r"\n[ \t\f\v]*\n", normalise_newlines(text))
    cleaned = ("\n".join(line.rstrip() for line in p.strip("\n").splitlines()) for p in paragraphs)
    return [p.strip() for p in cleaned if p.strip()]
