"""A document's pages for the reader: text with the cited quotes located, and PDF pages
rendered with the quotes highlighted.

A "page" is the unit a citation names: the physical page of a paged document (PDF, paged
DOCX, deposition), the turn of a transcript (its number as citations give it, from 0), and
for a document with neither (plain text, Markdown, e-mail) the whole text as page 1.

PDF pages are rendered by pdfium in the parse sandbox (a limited child process, see
``docpipe.parsers.sandbox``), never in the server process: the file is untrusted. The scale
and the bitmap size are bounded, at most ``RENDER_CONCURRENCY`` renders run at once, and a
PDF that cannot be rendered is a DocpipeError with the sandbox's code (422), not a 500.
"""
from __future__ import annotations

import threading

from docpipe.domain import AuditAction, Citation, Finding, Span
from docpipe.errors import WAIT_TIMEOUT, DocpipeError, InputError, NotFound
from docpipe.parsers.sandbox import parse_in_child
from docpipe.services import audit
from docpipe.services.caller import Action, Caller, require, visible_matters
from docpipe.services.operations import ready
from docpipe.services.page_render import RenderRequest, locate
from docpipe.settings import Settings
from docpipe.store import documents, runs
from docpipe.pipeline.originals import open_original
from docpipe.store.db import session_scope
from docpipe.store.records import DocumentRecord

RENDER_SCALE = 1.5  # 612 x 792 pt (US Letter) -> 918 x 1188 px
RENDER_MAX_SIDE = 3000  # pixels, whatever size the page claims
RENDER_MAX_PIXELS = 6_000_000
RENDER_CONCURRENCY = 2  # render children at once per server process
RENDER_WAIT_SECONDS = 60
RENDER_CPU_SECONDS = 20
RENDER_WALL_SECONDS = 30
_RENDER_TARGET = "docpipe.services.page_render:render_page"
_renders = threading.BoundedSemaphore(RENDER_CONCURRENCY)


def _load(settings: Settings, caller: Caller, document_id: int, *, page: int, spans: bool,
          detail: dict) -> tuple[DocumentRecord, list[Span], list[Finding]]:
    """The document (NotFound outside the caller's matters), its spans when asked, and the
    findings of its latest run; the view is audited (page and what was asked, never text)."""
    require(caller, Action.READ)
    ready(settings)
    with session_scope(settings.resolved_database_url, matters=visible_matters(caller)) as s:
        doc = documents.get_document(s, document_id=document_id, matters=visible_matters(caller))
        found = documents.load_spans(s, document_id=doc.id) if spans else []
        run = runs.latest_run(s, document_id=doc.id)
        _, findings = runs.run_results(s, run_id=run.id) if run else (None, [])
        audit.record(s, caller, AuditAction.VIEW_PAGE, matter=doc.matter, document_id=doc.id, page=page, **detail)
    return doc, found, findings


def _unit(spans: list[Span]) -> str:
    if any(sp.page is not None for sp in spans):
        return "page"
    if any(sp.turn is not None for sp in spans):
        return "turn"
    return "text"


def _number(unit: str, where: Span | Citation) -> int | None:
    if unit == "page":
        return where.page
    if unit == "turn":
        return where.turn
    return 1


def _join(spans: list[Span]) -> str:
    """Spans as the parser laid them out: numbered lines (depositions) one per line,
    anything else (a PDF page, paragraphs, a turn) separated by a blank line."""
    return ("\n" if any(sp.line is not None for sp in spans) else "\n\n").join(sp.text for sp in spans)


def page_text(settings: Settings, caller: Caller, document_id: int, page: int) -> dict:
    """{document_id, page, text, quotes}: the page's stored text and, for each finding of
    the latest run cited on it, where its quote lies (``text[start:end]``); ``finding`` is
    the index into the findings of ``documents.show``. A quote not found in the text is
    left out."""
    doc, spans, findings = _load(settings, caller, document_id, page=page, spans=True, detail={"as": "text"})
    unit = _unit(spans)
    chosen = [sp for sp in spans if _number(unit, sp) == page]
    if not chosen:
        raise NotFound(f"document {document_id} has no {'page' if unit == 'text' else unit} {page}")
    text = _join(chosen)
    quotes = []
    for index, f in enumerate(findings):
        if _number(unit, f.citation) != page:
            continue
        span = locate(text, f.citation.quote)
        if span is not None:
            quotes.append({"finding": index, "field": f.field, "quote": f.citation.quote,
                           "start": span[0], "end": span[1], "verified": f.verified})
    return {"document_id": doc.id, "page": page, "text": text, "quotes": quotes}


def page_png(settings: Settings, caller: Caller, document_id: int, page: int, *,
             quote: str | None = None, finding: int | None = None) -> bytes:
    """A PDF page as PNG, with ``quote`` (or the quote of finding number ``finding``)
    highlighted where pdfium finds it on the page. Not a PDF, or no such page: NotFound."""
    doc, _, findings = _load(settings, caller, document_id, page=page, spans=False,
                             detail={"as": "image", "finding": finding, "quote": bool(quote) or None})
    if doc.format != "pdf":
        raise NotFound("no page image: not a PDF")
    if not doc.page_count or not 1 <= page <= doc.page_count:
        raise NotFound(f"document {document_id} has no page {page}")
    if not quote and finding is not None:
        if not 0 <= finding < len(findings):
            raise NotFound(f"document {document_id} has no finding {finding}")
        quote = findings[finding].citation.quote
    request = RenderRequest(extension=".pdf", page=page, quote=quote or None, scale=RENDER_SCALE,
                            max_side=RENDER_MAX_SIDE, max_pixels=RENDER_MAX_PIXELS)
    if not _renders.acquire(timeout=RENDER_WAIT_SECONDS):
        raise DocpipeError("too many pages are being rendered; try again", code=WAIT_TIMEOUT)
    try:
        with open_original(settings, document_id) as path:  # decrypted for the renderer only
            return parse_in_child(path, request, cpu_seconds=min(RENDER_CPU_SECONDS, settings.parse_cpu_seconds),
                                  memory_mb=settings.parse_memory_mb,
                                  wall_seconds=min(RENDER_WALL_SECONDS, settings.parse_wall_seconds),
                                  _target=_RENDER_TARGET)
    except InputError as exc:
        raise DocpipeError(f"page {page} of document {document_id} could not be rendered: {exc}",
                           code=exc.code) from None
    finally:
        _renders.release()
