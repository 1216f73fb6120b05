"""PDF: page text from pypdfium2; encryption, metadata and page labels from pypdf.

pypdf is never asked for text: it is slow on table-heavy pages (57 s on one 154-page
contract) and returns runs of no-break spaces where pdfium finds the words. Opening a file
with pypdf and reading its document information and /PageLabels is cheap.
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from docpipe import errors
from docpipe.domain import ParsedDocument, Span
from docpipe.parsers.base import ParserContext
from docpipe.parsers.content import is_pdf

log = logging.getLogger(__name__)

# pdfium is not thread-safe: one call into it at a time per process.
_PDFIUM_LOCK = threading.Lock()
_NBSP_RUN = re.compile(r"[ \t]*\u00a0[ \u00a0\t]*")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.M)
_BLANK_LINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff]")  # keeps \t \n \f \r
_METADATA_KEYS = {"/Title": "title", "/Author": "author", "/Subject": "subject",
                  "/Keywords": "keywords", "/Creator": "creator", "/Producer": "producer",
                  "/CreationDate": "created", "/ModDate": "modified"}


@dataclass
class PdfInfo:
    """What pypdf tells us besides text."""

    encrypted: bool | None = None  # None: pypdf could not tell
    metadata: dict = field(default_factory=dict)
    labels: list[str] | None = None  # one per page, only when the PDF defines /PageLabels


def normalise_page_text(raw: str) -> str:
    """pdfium gives \\r\\n line ends, trailing spaces and runs of no-break spaces (table
    padding); collapse them so quotes match what a reader sees."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text.replace("\x02", "-"))  # pdfium reports some hyphens as 0x02
    text = _NBSP_RUN.sub(" ", text)
    text = _TRAILING_SPACE.sub("", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def read_page_texts(path: Path, ctx: ParserContext) -> list[str]:
    """Normalised text of every page, in order. Raises NeedsPassword or CorruptFile."""
    import pypdfium2 as pdfium

    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            raise _open_error(exc) from exc
        try:
            _check_page_count(len(pdf), ctx)
            return [_page_text(pdf, index) for index in range(len(pdf))]
        finally:
            pdf.close()


def _open_error(exc: Exception) -> errors.InputError:
    import pypdfium2.raw as pdfium_c

    message = str(exc)
    if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD or "password" in message.lower():
        return errors.NeedsPassword("the PDF is encrypted with a user password", pdfium=message)
    return errors.CorruptFile(f"the PDF cannot be read: {message}", pdfium=message)


def _check_page_count(pages: int, ctx: ParserContext) -> None:
    if pages > ctx.max_pages:
        raise errors.InputError(f"the PDF has {pages} pages; the limit is {ctx.max_pages}",
                                code=errors.TOO_LARGE, pages=pages, max_pages=ctx.max_pages)


def _page_text(pdf, index: int) -> str:
    import pypdfium2 as pdfium

    try:
        page = pdf[index]
    except pdfium.PdfiumError as exc:
        raise errors.CorruptFile(f"page {index + 1} of the PDF cannot be read: {exc}",
                                 page=index + 1, pdfium=str(exc)) from exc
    try:
        textpage = page.get_textpage()
        try:
            return normalise_page_text(textpage.get_text_bounded())
        finally:
            textpage.close()
    finally:
        page.close()


def read_pdf_info(path: Path) -> PdfInfo:
    """Encryption, document information and page labels through pypdf. A file pypdf cannot
    read still parses (pdfium opened it and is more forgiving); it just has no metadata or
    labels. pypdf meets untrusted input here, so any failure of it is only logged."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(path)
        info = PdfInfo(encrypted=reader.is_encrypted)
        if reader.is_encrypted and not _decrypts_without_password(reader):
            raise errors.NeedsPassword("the PDF is encrypted with a user password")
        info.metadata = _metadata(reader)
        info.labels = _page_labels(reader)
        return info
    except errors.DocpipeError:
        raise
    except Exception as exc:  # noqa: BLE001 - optional information from a third-party reader
        # the type only: pypdf messages can quote bytes of the file (RELIABILITY case 31)
        log.warning("pypdf could not read metadata of %s: %s", path.name, type(exc).__name__)
        return PdfInfo()


def _decrypts_without_password(reader) -> bool:
    """Owner-password-only PDFs open with the empty user password."""
    from pypdf import PasswordType

    return reader.decrypt("") != PasswordType.NOT_DECRYPTED


def _metadata(reader) -> dict:
    raw = reader.metadata or {}
    found = {}
    for key, name in _METADATA_KEYS.items():
        value = raw.get(key)
        if value is not None and str(value).strip():
            found[name] = str(value).strip()
    return found


def _page_labels(reader) -> list[str] | None:
    root = reader.trailer["/Root"]
    if "/PageLabels" not in root:
        return None
    return list(reader.page_labels)


class PdfParser:
    name = "pdf"

    def score(self, head: bytes, ctx: ParserContext) -> float:
        return 1.0 if is_pdf(head) else 0.0

    def parse(self, path: Path, ctx: ParserContext) -> ParsedDocument:
        texts = read_page_texts(path, ctx)  # first: it refuses user-password PDFs itself
        info = read_pdf_info(path)
        if not texts:
            raise errors.CorruptFile("the PDF has no pages")
        blank = [i + 1 for i, text in enumerate(texts) if not text]
        if len(blank) == len(texts):
            raise errors.NeedsOcr(f"no text layer on any of {len(texts)} pages; OCR is not enabled",
                                  pages=len(texts))
        labels = info.labels if info.labels and len(info.labels) == len(texts) else [None] * len(texts)
        spans = tuple(Span(text=text, page=i + 1, page_label=labels[i]) for i, text in enumerate(texts))
        metadata = dict(info.metadata)
        if info.encrypted is not None:
            metadata["encrypted"] = info.encrypted
        if blank:
            metadata["pages_without_text"] = blank
        return ParsedDocument(format=self.name, spans=spans, page_count=len(texts), metadata=metadata)
