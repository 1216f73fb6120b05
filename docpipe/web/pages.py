"""The web pages (server-rendered Jinja2; every asset served by docpipe itself)."""
from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Routes of the pages and the static assets (built by the pages work)."""
