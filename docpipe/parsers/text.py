"""Text formats: HTML and Markdown through unstructured (see parsers.office for its
offline setup); plain text by hand."""
from __future__ import annotations

import re
from pathlib import Path

from docpipe import errors
from docpipe.domain import ParsedDocument, Span
from docpipe.parsers.base import ParserContext
from docpipe.parsers.content import decode_text, head_text, looks_like_html, split_paragraphs
from docpipe.parsers.office import elements_to_document, extension_bonus, offline_unstructured

# Marks plain text rarely has (lists and quotes it has): headings, fences, links, bold.
_MD_FEATURE = re.compile(r"^\s{0,3}(#{1,6}\s|```)|\[[^\]]+\]\([^)\s]+\)|\*\*\w", re.M)


class HtmlParser:
    name = "html"

    def score(self, head: bytes, ctx: ParserContext) -> float:
        text = head_text(head)
        if text is None or not looks_like_html(text):
            return 0.0
        return 0.8 + extension_bonus(ctx, (".html", ".htm", ".xhtml"))

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


class MarkdownParser:
    """Markdown through partition_md (markdown -> HTML -> elements): marks are dropped,
    headings, paragraphs, list items and tables become spans."""

    name = "markdown"

    def score(self, head: bytes, ctx: ParserContext) -> float:
        text = head_text(head)
        if text is None:
            return 0.0
        features = len(_MD_FEATURE.findall(text[:65536]))
        return 0.05 + (0.1 if features >= 3 else 0.0) + 3 * extension_bonus(ctx, (".md", ".markdown"))

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
        return 0.1 + extension_bonus(ctx, (".txt", ".text", ""))

    def parse(self, path: Path, ctx: ParserContext) -> ParsedDocument:
        text, encoding = decode_text(path.read_bytes())
        spans = tuple(Span(text=p) for p in split_paragraphs(text))
        return ParsedDocument(format=self.name, spans=spans, metadata={"encoding": encoding})
