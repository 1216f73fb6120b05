"""DOCX, HTML, e-mail and Markdown through unstructured; plain text by hand.

unstructured is imported inside functions only, after ``import docpipe`` has set its
telemetry opt-outs. Only partitioners that need no model are used, and never a strategy
or helper that downloads data (NLTK, spaCy, layout models).
"""
from __future__ import annotations

import functools
import re
import zipfile
import zlib
from pathlib import Path

from docpipe import errors
from docpipe.domain import ParsedDocument, Span
from docpipe.parsers.base import ParserContext
from docpipe.parsers.content import (decode_text, head_text, looks_like_html, normalise_newlines,
                                     sniff, split_paragraphs)

_SKIPPED_CATEGORIES = frozenset({"PageBreak", "Header", "Footer"})
_EMAIL_HEADER = re.compile(r"^([A-Za-z][A-Za-z0-9\-]*):[ \t]")
_EMAIL_KEYS = frozenset({"from", "to", "cc", "subject", "date", "message-id", "mime-version",
                         "received", "return-path", "content-type", "reply-to", "sender"})
# Marks plain text rarely has (lists and quotes it has): headings, fences, links, bold.
_MD_FEATURE = re.compile(r"^\s{0,3}(#{1,6}\s|```)|\[[^\]]+\]\([^)\s]+\)|\*\*\w", re.M)


@functools.lru_cache(maxsize=1)
def _blank_english_pipeline():
    import spacy

    nlp = spacy.blank("en")  # tokenizer and rule-based sentences; no weights, no download
    nlp.add_pipe("sentencizer")
    return nlp


def _refuse_model_download() -> None:
    raise RuntimeError("docpipe: unstructured tried to download a spaCy model; refused")


def offline_unstructured() -> None:
    """unstructured 0.27 sorts elements into categories with spaCy, and on first use it
    downloads en_core_web_sm and installs it into site-packages. Hand it a blank English
    pipeline instead: only the element categories depend on it (a one-sentence paragraph
    without a tagger becomes Text rather than NarrativeText), and docpipe keeps the text.
    Idempotent; call before every partition."""
    from unstructured.nlp import tokenize

    tokenize._get_nlp = _blank_english_pipeline
    tokenize._install_spacy_model = _refuse_model_download


def _bonus(ctx: ParserContext, extensions: tuple[str, ...]) -> float:
    return 0.05 if ctx.extension in extensions else 0.0


def elements_to_document(elements, fmt: str, metadata: dict | None = None) -> ParsedDocument:
    """One span per element. Pages only when unstructured numbers every element (a DOCX
    that Word saved with rendered page breaks); otherwise the document is unpaged."""
    kept = [e for e in elements if e.category not in _SKIPPED_CATEGORIES and (e.text or "").strip()]
    pages = [getattr(e.metadata, "page_number", None) for e in kept]
    paged = bool(pages) and all(isinstance(p, int) for p in pages)
    spans = tuple(Span(text=e.text.strip(), page=p if paged else None) for e, p in zip(kept, pages))
    return ParsedDocument(format=fmt, spans=spans, page_count=max(pages) if paged else None,
                          metadata=metadata or {})


def _corrupt(fmt: str, exc: Exception) -> errors.InputError:
    return errors.CorruptFile(f"the {fmt} file cannot be read: {type(exc).__name__}: {exc}")


def _damaged_docx_errors() -> tuple[type[Exception], ...]:
    """What python-docx and lxml raise on a damaged package (anything else is a bug)."""
    from docx.exceptions import PythonDocxError
    from docx.opc.exceptions import OpcError
    from lxml.etree import LxmlError

    # zlib.error, OSError, EOFError, NotImplementedError: zipfile on damaged members (found by
    # fuzz/fuzz_parse.py: bad deflate data, negative offsets, truncation, unknown zip versions)
    return (KeyError, ValueError, zipfile.BadZipFile, LxmlError, OpcError, PythonDocxError,
            zlib.error, OSError, EOFError, NotImplementedError)


class DocxParser:
    name = "docx"

    def score(self, head: bytes, ctx: ParserContext) -> float:
        kind = sniff(head).kind
        if kind == "docx":
            return 0.95
        return 0.3 if kind == "zip" and ctx.extension == ".docx" else 0.0

    def parse(self, path: Path, ctx: ParserContext) -> ParsedDocument:
        _require_docx_package(path)
        offline_unstructured()
        from unstructured.partition.docx import partition_docx

        try:
            elements = partition_docx(filename=str(path), include_page_breaks=False)
        except _damaged_docx_errors() as exc:
            raise _corrupt("DOCX", exc) from exc
        return elements_to_document(elements, self.name)


def _require_docx_package(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise errors.CorruptFile(f"the DOCX archive cannot be read: {exc}") from exc
    if "word/document.xml" not in names:
        raise errors.ContentMismatch("file claims .docx but its content is a ZIP archive "
                                     "without word/document.xml", claimed=".docx")


class HtmlParser:
    name = "html"

    def score(self, head: bytes, ctx: ParserContext) -> float:
        text = head_text(head)
        if text is None or not looks_like_html(text):
            return 0.0
        return 0.8 + _bonus(ctx, (".html", ".htm", ".xhtml"))

    def parse(self, path: Path, ctx: ParserContext) -> ParsedDocument:
        offline_unstructured()
        from unstructured.partition.html import partition_html

        text, encoding = decode_text(path.read_bytes())
        try:
            elements = partition_html(text=text)  # lxml recovers from most markup
        except (AttributeError, ValueError, TypeError) as exc:
            # found by fuzzing: markup lxml yields no root for crashes unstructured's parser
            raise errors.CorruptFile(f"the HTML cannot be parsed ({type(exc).__name__})") from exc
        return elements_to_document(elements, self.name, {"encoding": encoding})


class EmailParser:
    """RFC 822 messages. The header block must name at least two well-known fields."""

    name = "eml"

    def score(self, head: bytes, ctx: ParserContext) -> float:
        text = head_text(head)
        if text is None:
            return 0.0
        block = normalise_newlines(text).lstrip().split("\n\n", 1)[0].split("\n")
        names = [m[1].lower() for m in map(_EMAIL_HEADER.match, block) if m]
        continued = sum(1 for line in block if line[:1] in (" ", "\t"))
        if len(names) + continued < len(block) or len(set(names) & _EMAIL_KEYS) < 2:
            return 0.0
        return 0.9 + _bonus(ctx, (".eml",))

    def parse(self, path: Path, ctx: ParserContext) -> ParsedDocument:
        offline_unstructured()
        from unstructured.partition.email import partition_email

        try:
            elements = partition_email(filename=str(path), process_attachments=False)
        except (ValueError, LookupError, UnicodeError) as exc:  # bad headers, unknown charset
            raise _corrupt("e-mail", exc) from exc
        return elements_to_document(elements, self.name, _email_metadata(elements))


def _email_metadata(elements) -> dict:
    found: dict = {}
    for element in elements[:1]:
        meta = element.metadata
        for name, attr in (("subject", "subject"), ("from", "sent_from"), ("to", "sent_to"),
                           ("date", "last_modified")):
            value = getattr(meta, attr, None)
            if value:
                found[name] = ", ".join(value) if isinstance(value, list) else str(value)
    if "subject" in found:
        found["title"] = found["subject"]
    return found


class MarkdownParser:
    """Markdown through partition_md (markdown -> HTML -> elements): marks are dropped,
    headings, paragraphs, list items and tables become spans."""

    name = "markdown"

    def score(self, head: bytes, ctx: ParserContext) -> float:
        text = head_text(head)
        if text is None:
            return 0.0
        features = len(_MD_FEATURE.findall(text[:65536]))
        return 0.05 + (0.1 if features >= 3 else 0.0) + 3 * _bonus(ctx, (".md", ".markdown"))

    def parse(self, path: Path, ctx: ParserContext) -> ParsedDocument:
        offline_unstructured()
        from unstructured.partition.md import partition_md

        text, encoding = decode_text(path.read_bytes())
        elements = partition_md(text=text)
        title = next((e.text.strip() for e in elements if e.category == "Title"), None)
        metadata = {"encoding": encoding} | ({"title": title} if title else {})
        return elements_to_document(elements, self.name, metadata)


class PlainTextParser:
    """Anything that decodes as text: one span per blank-line separated paragraph."""

    name = "text"

    def score(self, head: bytes, ctx: ParserContext) -> float:
        if head_text(head) is None:
            return 0.0
        return 0.1 + _bonus(ctx, (".txt", ".text", ""))

    def parse(self, path: Path, ctx: ParserContext) -> ParsedDocument:
        text, encoding = decode_text(path.read_bytes())
        spans = tuple(Span(text=p) for p in split_paragraphs(text))
        return ParsedDocument(format=self.name, spans=spans, metadata={"encoding": encoding})
