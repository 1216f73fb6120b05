"""The child side of rendering a PDF page: runs inside the parse sandbox
(``docpipe.parsers.sandbox``: a forkserver child with CPU, memory and wall-clock limits and
no core files), never in the server process, because the PDF is untrusted and pdfium is
native code. This module is imported by the child, so it imports nothing heavy at the top.

The page is rendered at ``scale`` (bounded so neither side exceeds ``max_side`` pixels and
the image stays under ``max_pixels``), the quote is found with pdfium's text search and
covered by translucent boxes, and the PNG bytes go back to the parent.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

from docpipe import errors
from docpipe.parsers.base import ParserContext

HIGHLIGHT = (255, 214, 0, 96)  # translucent yellow
OUTLINE = (214, 160, 0, 200)
FALLBACK_WORDS = 8


@dataclass(frozen=True)
class RenderRequest(ParserContext):
    """What the child needs (a ParserContext, so the sandbox's guards see the same limits)."""

    page: int = 1  # 1-based physical page
    quote: str | None = None
    scale: float = 1.5
    max_side: int = 3000
    max_pixels: int = 6_000_000


def bounded_scale(width: float, height: float, req: RenderRequest) -> float:
    """``req.scale``, lowered so the bitmap stays within ``max_side`` and ``max_pixels``."""
    if not (math.isfinite(width) and math.isfinite(height)) or width <= 0 or height <= 0:
        raise errors.CorruptFile(f"page {req.page} has no usable size ({width} x {height} points)")
    return min(req.scale, req.max_side / max(width, height), math.sqrt(req.max_pixels / (width * height)))


def _squash(text: str) -> str:
    return " ".join(text.split())


def _normalised(text: str) -> tuple[str, list[int]]:
    """Whitespace runs as one space, case folded; with the index in ``text`` of each char."""
    out: list[str] = []
    where: list[int] = []
    space = True  # drop leading whitespace
    for i, ch in enumerate(text):
        if ch.isspace():
            if not space:
                out.append(" ")
                where.append(i)
            space = True
            continue
        space = False
        for folded in ch.casefold():
            out.append(folded)
            where.append(i)
    return "".join(out), where


def locate(text: str, quote: str) -> tuple[int, int] | None:
    """(start, end) of ``quote`` in ``text``: exact first, then ignoring whitespace and case
    (mapped back to offsets in ``text``); None when it is not there."""
    quote = quote.strip()
    if not quote:
        return None
    start = text.find(quote)
    if start >= 0:
        return start, start + len(quote)
    haystack, where = _normalised(text)
    needle, _ = _normalised(quote)
    needle = needle.strip()
    if not needle:
        return None
    at = haystack.find(needle)
    if at < 0:
        return None
    return where[at], where[at + len(needle) - 1] + 1


def _search(textpage, text: str) -> tuple[int, int] | None:
    searcher = textpage.search(text, match_case=False, match_whole_word=False)
    try:
        return searcher.get_next()
    finally:
        searcher.close()


def quote_chars(textpage, quote: str) -> tuple[int, int] | None:
    """(first char index, char count) of the quote on the page: pdfium's search for the
    whole quote (line breaks as spaces), then a match that ignores whitespace and case
    over the page's characters, then the first few words (a quote that crosses a column or
    a hyphenated line break is at least marked where it starts)."""
    whole = _squash(quote)
    if not whole:
        return None
    found = _search(textpage, whole)
    if found:
        return found
    chars = textpage.count_chars()
    if chars > 0:
        page_text = textpage.get_text_range(0, chars)
        if len(page_text) == chars:  # one char of text per pdfium char: offsets are indices
            span = locate(page_text, quote)
            if span:
                return span[0], span[1] - span[0]
    words = whole.split()
    if len(words) > FALLBACK_WORDS:
        return _search(textpage, " ".join(words[:FALLBACK_WORDS]))
    return None


def _device_box(page, rect, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """A rectangle in page space (points, origin bottom left, any /Rotate) in pixels."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    left, bottom, right, top = rect
    xs, ys = [], []
    for px, py in ((left, bottom), (right, top)):
        dx, dy = ctypes.c_int(), ctypes.c_int()
        pdfium_c.FPDF_PageToDevice(page.raw, 0, 0, size[0], size[1], 0, px, py, ctypes.byref(dx), ctypes.byref(dy))
        xs.append(dx.value)
        ys.append(dy.value)
    return min(xs), min(ys), max(xs), max(ys)


def _draw(page, req: RenderRequest):
    """The page as an RGBA image, and the pixel boxes of the quote (empty: not found)."""
    width, height = page.get_size()
    scale = bounded_scale(width, height, req)
    image = page.render(scale=scale, may_draw_forms=False).to_pil().convert("RGBA")
    boxes: list[tuple[int, int, int, int]] = []
    if req.quote:
        textpage = page.get_textpage()
        try:
            found = quote_chars(textpage, req.quote)
            if found:
                index, count = found
                rects = [textpage.get_rect(i) for i in range(textpage.count_rects(index, count))]
                boxes = [_device_box(page, r, image.size) for r in rects]
        finally:
            textpage.close()
    return image, boxes


def render_page(path: Path, req: RenderRequest) -> bytes:
    """The sandbox target: the page as PNG bytes, the quote highlighted where found."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise errors.CorruptFile(f"the PDF cannot be opened: {exc}") from None
    try:
        if not 1 <= req.page <= len(pdf):
            raise errors.CorruptFile(f"the PDF has no page {req.page}")
        try:
            page = pdf[req.page - 1]
        except pdfium.PdfiumError as exc:
            raise errors.CorruptFile(f"page {req.page} cannot be read: {exc}") from None
        try:
            image, boxes = _draw(page, req)
        finally:
            page.close()
        if boxes:
            overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
            draw = ImageDraw.Draw(overlay)
            for x0, y0, x1, y1 in boxes:
                draw.rectangle((x0 - 2, y0 - 2, x1 + 2, y1 + 2), fill=HIGHLIGHT, outline=OUTLINE)
            image = Image.alpha_composite(image, overlay)
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG")
        return out.getvalue()
    finally:
        pdf.close()
