"""The parser seam: a small frozen context in, a ParsedDocument out.

Each parser says how well it fits a file from its leading bytes (and the claimed
extension, which only breaks ties); the registry asks them all and picks the best.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from docpipe.domain import ParsedDocument


@dataclass(frozen=True)
class ParserContext:
    """What a parser may know: never the whole settings, never a user-supplied path."""

    extension: str = ""  # lower-case claimed extension from the original name, e.g. ".pdf"
    max_pages: int = 5000
    max_chars: int = 20_000_000


class Parser(Protocol):
    name: str

    def score(self, head: bytes, ctx: ParserContext) -> float:
        """0 = cannot parse this; higher = better fit. ``head`` is the first 64 KiB."""

    def parse(self, path: Path, ctx: ParserContext) -> ParsedDocument:
        """Parse the stored file at ``path``. Raise docpipe.errors.InputError subclasses."""
