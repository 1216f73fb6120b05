"""A document's pages for the reader: text with the cited quotes located, and PDF pages
rendered with the quotes highlighted."""
from __future__ import annotations

from docpipe.services.caller import Caller
from docpipe.settings import Settings


def page_text(settings: Settings, caller: Caller, document_id: int, page: int) -> dict:
    raise NotImplementedError


def page_png(settings: Settings, caller: Caller, document_id: int, page: int, *,
             quote: str | None = None, finding: int | None = None) -> bytes:
    raise NotImplementedError
