"""Pick a parser for a file by its content and run it.

Every registered parser scores the first 64 KiB; the highest score wins (the first
registered wins a tie). The claimed extension never overrules the bytes: it only breaks
ties among text formats, and a binary format claimed by the name but absent from the bytes
(text named .pdf) is refused as a content mismatch.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from docpipe import errors
from docpipe.domain import ParsedDocument
from docpipe.parsers.base import Parser, ParserContext
from docpipe.parsers.content import UNDECODABLE, Sniffed, sniff
from docpipe.parsers.mail import EmailParser
from docpipe.parsers.office import DocxParser
from docpipe.parsers.pdf import PdfParser
from docpipe.parsers.text import HtmlParser, MarkdownParser, PlainTextParser
from docpipe.parsers.transcript import (DepositionParser, SpeakerTranscriptParser, SrtParser,
                                        WebVttParser)

HEAD_BYTES = 64 * 1024
# Extensions whose format has a signature: the bytes must carry it.
_SIGNED_EXTENSIONS = {".pdf": "pdf", ".docx": "docx"}
TEXT_EXTENSIONS = frozenset({"", ".txt", ".text", ".md", ".markdown", ".html", ".htm",
                             ".xhtml", ".eml", ".vtt", ".srt"})

PARSERS: tuple[Parser, ...] = (
    PdfParser(),
    DocxParser(),
    HtmlParser(),
    EmailParser(),
    WebVttParser(),
    SrtParser(),
    DepositionParser(),
    SpeakerTranscriptParser(),
    MarkdownParser(),
    PlainTextParser(),
)


def choose_parser(head: bytes, ctx: ParserContext, *,
                  parsers: Sequence[Parser] = PARSERS) -> Parser:
    """The best-fitting parser for a file whose first bytes are ``head``."""
    if not head:
        raise errors.EmptyFile("empty file: 0 bytes")
    sniffed = sniff(head)
    _check_claim(sniffed, ctx.extension)
    if sniffed.kind == "binary" and not sniffed.description.startswith("unrecognised"):
        # a known format we do not parse (image, archive, executable): no parser may guess
        raise errors.UnsupportedFormat(f"unsupported format: the content looks like {sniffed.description}",
                                       looks_like=sniffed.description, extension=ctx.extension)
    best_score, best = 0.0, None
    for parser in parsers:  # strictly higher wins, so the first registered wins a tie
        score = parser.score(head, ctx)
        if score > best_score:
            best_score, best = score, parser
    if best is not None:
        return best
    if sniffed.kind == "binary" and sniffed.description.startswith("unrecognised") \
            and ctx.extension in TEXT_EXTENSIONS - {""}:
        raise errors.InputError(f"file claims {ctx.extension} but its bytes are not text in any "
                                "known encoding", code=UNDECODABLE)
    raise errors.UnsupportedFormat(f"unsupported format: the content looks like {sniffed.description}",
                                   looks_like=sniffed.description, extension=ctx.extension)


def check_upload(head: bytes, extension: str) -> str:
    """At the door, before anything is stored: the bytes are not empty, agree with the
    name's extension, and are not a known format we do not read. Returns what they look like."""
    if not head:
        raise errors.EmptyFile("empty file: 0 bytes")
    sniffed = sniff(head)
    _check_claim(sniffed, extension)
    if sniffed.kind == "binary":
        raise errors.UnsupportedFormat(f"unsupported format: the content looks like {sniffed.description}",
                                       looks_like=sniffed.description, extension=extension)
    return sniffed.description


def _check_claim(sniffed: Sniffed, extension: str) -> None:
    claimed = _SIGNED_EXTENSIONS.get(extension)
    if claimed is None or sniffed.kind == claimed:
        return
    if claimed == "docx" and sniffed.kind == "zip":
        return  # the DOCX parser opens the archive and looks for word/document.xml
    raise errors.ContentMismatch(f"file claims {extension} but its content is {sniffed.description}",
                                 claimed=extension, looks_like=sniffed.description)


def parse_file(path: Path, ctx: ParserContext) -> ParsedDocument:
    """Parse the stored file at ``path`` with the parser its content calls for."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    document = choose_parser(head, ctx).parse(path, ctx)
    _check_result(document, ctx)
    return document


def _check_result(document: ParsedDocument, ctx: ParserContext) -> None:
    chars = sum(len(span.text) for span in document.spans)
    if chars == 0 or not any(span.text.strip() for span in document.spans):
        raise errors.NoText(f"no text found in this {document.format} file", format=document.format)
    if chars > ctx.max_chars:
        raise errors.InputError(f"the document has {chars} characters; the limit is {ctx.max_chars}",
                                code=errors.TOO_LARGE, chars=chars, max_chars=ctx.max_chars)
