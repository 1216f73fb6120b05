"""Errors over HTTP: application/problem+json (RFC 9457) carrying the same error code the
CLI prints, with the status from ``docpipe.errors.HTTP_STATUS``."""
from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from docpipe.errors import BAD_REQUEST, INTERNAL_ERROR, NOT_FOUND, UNAUTHENTICATED, DocpipeError, http_status

log = logging.getLogger("docpipe.web")
PROBLEM = "application/problem+json"
_TITLES = {400: "Bad request", 401: "Unauthenticated", 403: "Forbidden", 404: "Not found",
           405: "Method not allowed", 409: "Conflict", 413: "Upload too large", 415: "Unsupported media type",
           422: "Unprocessable request", 429: "Too many requests", 500: "Internal error",
           503: "Service unavailable", 504: "Timed out"}


class ProblemResponse(JSONResponse):
    """ASCII-only JSON: application/problem+json has no charset parameter, and a client that
    guesses the encoding (python-requests does, for any type but application/json) would
    misread the UTF-8 of a detail that quotes a non-ASCII name, even into invalid JSON."""

    media_type = PROBLEM

    def render(self, content) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


def problem(status: int, code: str, detail: str, *, headers: dict | None = None, **extra) -> JSONResponse:
    body = {"type": f"urn:docpipe:problem:{code}", "title": _TITLES.get(status, "Error"), "status": status,
            "detail": detail, "code": code, **extra}
    return ProblemResponse(body, status_code=status, headers=headers)


def from_error(exc: DocpipeError) -> JSONResponse:
    status = http_status(exc.code)
    headers = {"WWW-Authenticate": "Bearer"} if exc.code == UNAUTHENTICATED else None
    if status == 503:
        headers = {"Retry-After": "10"}
    return problem(status, exc.code, str(exc), headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(DocpipeError)
    async def _docpipe(_: Request, exc: DocpipeError):
        return from_error(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError):
        where = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()[:5])
        return problem(422, BAD_REQUEST, f"malformed request: {where}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException):
        code = NOT_FOUND if exc.status_code == 404 else BAD_REQUEST
        return problem(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _bug(_: Request, exc: Exception):
        log.exception("unexpected error")
        return problem(500, INTERNAL_ERROR, f"unexpected error ({type(exc).__name__}); see the server log")
