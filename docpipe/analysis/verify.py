"""Citation verification: a quote must be found at the place it cites.

Both sides are normalised the same way (Unicode NFKC, curly quotes and dashes folded,
whitespace collapsed) so a line break or a typographic quote does not fail a true citation,
while a quote from another page does.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from docpipe.domain import Citation, Span

_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00ad": None, "\u00a0": " ",
})
_SPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    # a word hyphenated across a line break in the source: "agree-\nment"
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return _SPACE.sub(" ", text).strip()


def cited_text(spans: Sequence[Span], citation: Citation) -> str:
    """All source text at the cited place: the whole page, or the whole turn."""
    if citation.page is not None:
        parts = [s.text for s in spans if s.page == citation.page]
    elif citation.turn is not None:
        parts = [s.text for s in spans if s.turn == citation.turn]
    else:
        parts = [s.text for s in spans]
    return "\n".join(parts)


def verify_citation(spans: Sequence[Span], citation: Citation) -> bool:
    quote = normalize_text(citation.quote)
    if len(quote) < 3:
        return False
    return quote in normalize_text(cited_text(spans, citation))
