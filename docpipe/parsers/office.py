"""DOCX through unstructured, and the offline setup every unstructured partitioner in
docpipe needs (DOCX here, HTML and Markdown in parsers.text, e-mail in parsers.mail).

unstructured is imported inside functions only, after ``import docpipe`` has set its
telemetry opt-outs. Only partitioners that need no model are used, and never a strategy
or helper that downloads data (NLTK, spaCy, layout models).
"""
from __future__ import annotations

import functools
import zipfile
import zlib
from pathlib import Path

from docpipe import errors
from docpipe.domain import ParsedDocument, Span
from docpipe.parsers.base import ParserContext
from docpipe.parsers.content import sniff

_SKIPPED_CATEGORIES = frozenset({"PageBreak", "Header", "Footer"})


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


def extension_bonus(ctx: ParserContext, extensions: tuple[str, ...]) -> float:
    """A small lift for a text format whose name claims it (only breaks ties)."""
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


def corrupt(fmt: str, exc: Exception) -> errors.InputError:
    """The error for a file of ``fmt`` its library cannot read."""
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
            raise corrupt("DOCX", exc) from exc
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

