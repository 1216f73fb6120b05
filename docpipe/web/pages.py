"""The web pages: server-rendered Jinja2, a little vanilla JavaScript, every asset served by
docpipe itself (no CDN, no external font or URL; the Content-Security-Policy says 'self').

People sign in with a name and password (a double-submit token guards the sign-in form) and
get the session cookie of ``docpipe.web.auth``; every other form carries the session's CSRF
token, and the pages' own calls to the API send it as ``X-CSRF-Token``. Every page asks the
service layer with the signed-in caller, so another matter's document is a plain 404 page
here exactly as it is a 404 in the API. Errors render as HTML pages inside the routes (the
app's problem+json handlers stay for the API)."""
from __future__ import annotations

import json
import logging
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from docpipe.domain import FINAL, DocumentKind, DocumentStatus
from docpipe.errors import (
    BAD_REQUEST, NOT_FOUND, RATE_LIMITED, DocpipeError, InputError, NotFound, Unauthenticated, http_status,
)
from docpipe.services import audit, batches, documents, exports, listing, users
from docpipe.services import pages as page_service
from docpipe.services.caller import ALLOWED, Action, Caller
from docpipe.services.views import locator
from docpipe.settings import Settings
from docpipe.web.auth import SESSION_COOKIE, Session, check_csrf, page_session, same_token

log = logging.getLogger("docpipe.web.pages")
HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))
STATIC_DIR = HERE / "static"
SIGNIN_CSRF_COOKIE = "docpipe_csrf"
PER_PAGE = 25
HOME = "/documents"
SORTABLE = ("name", "status", "kind", "pages", "created")
# The pages load nothing from anywhere but this server.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; script-src 'self'; style-src 'self'; "
                               "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

# A document's failure code in plain words (the stored message follows it).
PLAIN_ERRORS = {
    "empty_file": "The file is empty.",
    "unsupported_format": "docpipe does not read this kind of file (PDF, DOCX, text, Markdown and transcripts are read).",
    "content_mismatch": "The file's contents do not match its name (for example, text or HTML named .pdf).",
    "needs_password": "The PDF is locked with a password.",
    "needs_ocr": "The PDF has no text layer (it is a scan); it needs OCR before docpipe can read it.",
    "corrupt_file": "The file is damaged and cannot be opened.",
    "no_text": "No readable text was found in the file.",
    "undecodable_text": "The text's character encoding could not be read.",
    "too_large": "The document is larger than docpipe accepts.",
    "zip_bomb": "The file expands to far more data than it holds (a ZIP bomb); it was not opened.",
    "pdf_bomb": "The PDF expands to far more data than it holds; it was not opened.",
    "parse_timeout": "Reading the file took too long and was stopped.",
    "parse_memory": "Reading the file needed too much memory and was stopped.",
    "parse_crashed": "The file reader crashed on this file.",
    "parse_failed": "The file could not be read.",
    "bad_input": "The file could not be read.",
    "model_error": "The language model failed while analysing the document.",
    "over_context": "A part of the document did not fit in the model's context.",
    "output_truncated": "The model's answer was cut off.",
    "schema_invalid": "The model's answer was not in the expected form.",
    "poison": "The analysis failed again on every attempt and was stopped.",
    "timed_out": "The analysis took too long and was stopped.",
    "internal_error": "docpipe hit an unexpected error (see the server log).",
}


def plain_error(error: dict | None) -> str:
    if not error:
        return ""
    words = PLAIN_ERRORS.get(error.get("code") or "", "The document could not be analysed.")
    message = (error.get("message") or "").strip()
    return f"{words} ({message})" if message and message not in words else words


# ---------------------------------------------------------------------------- helpers

def link(path: str, **params) -> str:
    """``path`` with the non-empty ``params`` as its query (lists repeat the key)."""
    pairs = []
    for key, value in params.items():
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if v not in (None, ""):
                pairs.append((key.replace("__", "."), str(v)))
    return f"{path}?{urlencode(pairs)}" if pairs else path


def safe_next(value) -> str:
    """A same-site relative path to go to after sign-in; anything else goes home."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith(("//", "/\\")):
        return HOME
    if any(ord(ch) < 32 or ch == "\\" for ch in value) or len(value) > 2000:
        return HOME
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return HOME
    return value


def human(name: str) -> str:
    return name.replace("_", " ")


def snippet_markup(text: str) -> Markup:
    """A search snippet, escaped, its hit markers ([..] from SQLite, <b>..</b> from
    PostgreSQL) turned into <mark>."""
    safe = str(escape(" ".join(str(text).split())))
    safe = re.sub(r"&lt;b&gt;(.*?)&lt;/b&gt;", r"<mark>\1</mark>", safe)
    safe = re.sub(r"\[([^\[\]]{1,300})\]", r"<mark>\1</mark>", safe)
    return Markup(safe)


def _quote_pattern(quote: str) -> re.Pattern | None:
    words = quote.split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def highlight(text: str, quotes: list[dict], *, quote: str | None = None, finding: int | None = None) -> Markup:
    """The page text escaped, each located quote in <mark> (the chosen one with class
    "current"); overlapping quotes are cut at their boundaries, never nested."""
    spans = [(q["start"], q["end"], (finding is not None and q.get("finding") == finding)
              or (quote is not None and q.get("quote") == quote))
             for q in quotes if 0 <= q.get("start", -1) < q.get("end", -1) <= len(text)]
    if quote and not any(current for _, _, current in spans):
        pattern = _quote_pattern(quote)
        found = pattern.search(text) if pattern else None
        if found:
            spans.append((found.start(), found.end(), True))
    cuts = sorted({0, len(text), *[s for s, _, _ in spans], *[e for _, e, _ in spans]})
    out, first_current = [], True
    for a, b in zip(cuts, cuts[1:]):
        piece = str(escape(text[a:b]))
        covering = [c for s, e, c in spans if s <= a and b <= e]
        if not covering:
            out.append(piece)
        elif any(covering):
            marker = ' id="current-quote"' if first_current else ""
            first_current = False
            out.append(f'<mark class="current"{marker}>{piece}</mark>')
        else:
            out.append(f"<mark>{piece}</mark>")
    return Markup("".join(out))


def _int(value, default: int | None = None) -> int | None:
    if value is None or value == "":
        return default
    if isinstance(value, str) and value.isdigit() and len(value) < 10:
        return int(value)
    raise InputError(f"not a number: {str(value)[:40]!r}", code=BAD_REQUEST)


# ---------------------------------------------------------------------------- context

@dataclass
class Ctx:
    request: Request
    caller: Caller
    session: Session
    settings: Settings
    matters: list[str]
    matter: str | None

    def can(self, action: Action) -> bool:
        return action in ALLOWED[self.caller.role]


def _headers(response: Response) -> Response:
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    return response


TEMPLATES.env.globals.update(link=link, human=human, locator=locator, snippet=snippet_markup, plain_error=plain_error)


def render(request: Request, template: str, *, status: int = 200, ctx: Ctx | None = None, **values) -> HTMLResponse:
    values.update(request=request, ctx=ctx, matter=ctx.matter if ctx else None)
    response = TEMPLATES.TemplateResponse(request, template, values, status_code=status)
    return _headers(response)


def error_page(request: Request, exc: DocpipeError, ctx: Ctx | None = None) -> HTMLResponse:
    status = http_status(exc.code)
    if exc.code == NOT_FOUND:  # never say whose it is, or whether it exists
        return render(request, "error.html", status=404, ctx=ctx, title="Not found",
                      message="There is no such page, or it is not one you can see.")
    titles = {401: "Signed out", 403: "Not allowed", 409: "Conflict", 422: "Cannot do that",
              429: "Too many attempts", 503: "Unavailable"}
    return render(request, "error.html", status=status, ctx=ctx, title=titles.get(status, "Error"),
                  message=str(exc))


def signin_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(link("/signin", next=safe_next(target)), status_code=303)


def _context(request: Request) -> Ctx | None:
    who = page_session(request)
    if who is None:
        return None
    caller, session = who
    settings: Settings = request.app.state.settings
    mine = users.matters(settings, caller)
    wanted = request.query_params.get("matter") or None
    return Ctx(request=request, caller=caller, session=session, settings=settings, matters=mine,
               matter=wanted if wanted in mine else None)


def guarded(request: Request, build: Callable[[Ctx], Response]) -> Response:
    """Run a page for the signed-in caller: no session, a revoked user or an ended session
    goes to the sign-in page; a DocpipeError becomes an HTML error page with its status."""
    ctx = None
    try:
        ctx = _context(request)
        if ctx is None:
            return signin_redirect(request)
        return _headers(build(ctx))
    except Unauthenticated:
        return signin_redirect(request)
    except DocpipeError as exc:
        return error_page(request, exc, ctx)
    except Exception:  # a bug: logged with its traceback, an HTML page that says so
        log.exception("page %s failed", request.url.path)
        return render(request, "error.html", status=500, ctx=ctx, title="Something went wrong",
                      message="docpipe hit an unexpected error; it is in the server log.")


# ---------------------------------------------------------------------------- the routes

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request) -> Response:
    return RedirectResponse(HOME, status_code=303)


def _signin_token(request: Request) -> str:
    token = request.cookies.get(SIGNIN_CSRF_COOKIE) or ""
    return token if re.fullmatch(r"[A-Za-z0-9_-]{32,64}", token) else secrets.token_urlsafe(32)


def _signin_form(request: Request, *, status: int = 200, error: str | None = None, name: str = "",
                 next_url: str = HOME) -> HTMLResponse:
    token = _signin_token(request)
    response = render(request, "signin.html", status=status, error=error, name=name, next_url=next_url,
                      csrf=token)
    response.set_cookie(SIGNIN_CSRF_COOKIE, token, max_age=2 * 3600, httponly=True, samesite="strict",
                        secure=request.app.state.settings.secure_cookies, path="/")
    return response


@router.get("/signin")
def signin_page(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    try:
        if page_session(request) is not None:
            return RedirectResponse(next_url, status_code=303)
    except DocpipeError as exc:
        return error_page(request, exc)
    return _signin_form(request, next_url=next_url)


@router.post("/signin")
async def signin(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    form = await request.form()
    name = str(form.get("name") or "").strip()[:200]
    password = str(form.get("password") or "")[:1024]
    next_url = safe_next(form.get("next"))
    cookie, token = request.cookies.get(SIGNIN_CSRF_COOKIE), form.get("csrf")
    if not cookie or not isinstance(token, str) or not same_token(token, cookie):
        return _signin_form(request, status=403, name=name, next_url=next_url,
                            error="The sign-in form had expired or did not come from this site. Please try again.")
    address = request.client.host if request.client else "unknown"
    keys = (f"name:{name.casefold()}", f"address:{address}")
    limiter = request.app.state.signins
    try:
        limiter.check(*keys)
    except DocpipeError as exc:
        if exc.code != RATE_LIMITED:
            raise
        return _signin_form(request, status=429, name=name, next_url=next_url,
                            error="Too many failed sign-in attempts. Wait 15 minutes, then try again.")
    try:
        caller = await run_in_threadpool(users.by_password, settings, name, password)
    except Unauthenticated:
        limiter.failed(*keys)
        return _signin_form(request, status=401, name=name, next_url=next_url, error="Wrong name or password.")
    except DocpipeError as exc:
        return error_page(request, exc)
    cookie_value, _ = request.app.state.sessions.issue(caller.user_id)
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(SESSION_COOKIE, cookie_value, max_age=request.app.state.sessions.max_age, httponly=True,
                        samesite="strict", secure=settings.secure_cookies, path="/")
    response.delete_cookie(SIGNIN_CSRF_COOKIE, path="/")
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    form = await request.form()
    token = form.get("csrf")
    session = request.app.state.sessions.read(request.cookies.get(SESSION_COOKIE))
    if session is None:
        return RedirectResponse("/signin", status_code=303)
    try:
        check_csrf(session, token if isinstance(token, str) else None)
    except DocpipeError as exc:
        return error_page(request, exc)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- documents table

def _filters(request: Request) -> dict:
    params = request.query_params
    return {"matter": params.get("matter") or "", "status": params.get("status") or "",
            "kind": params.get("kind") or "", "q": (params.get("q") or "").strip(),
            "law": (params.get("field.governing_law") or "").strip(),
            "has": [h for h in params.getlist("has") if h], "expires_before": params.get("expires_before") or ""}


def _field_pairs(request: Request, law: str) -> list[tuple[str, str]]:
    pairs = [(k[len("field."):], v) for k, v in request.query_params.multi_items()
             if k.startswith("field.") and k != "field.governing_law"]
    return ([("governing_law", law)] if law else []) + pairs


def _filter_choices() -> dict:
    return {"statuses": [s.value for s in DocumentStatus], "kinds": [k.value for k in DocumentKind],
            "fields": list(exports.FIELD_ORDER)}


@router.get("/documents")
def documents_page(request: Request) -> Response:
    def build(ctx: Ctx) -> Response:
        f = _filters(request)
        sort = request.query_params.get("sort") or "-created"
        problem, found, status = None, None, 200
        try:
            query = listing.build_query(matter=f["matter"] or None, status=f["status"], kind=f["kind"], q=f["q"],
                                        fields=_field_pairs(request, f["law"]), has=f["has"],
                                        expires_before=f["expires_before"], sort=sort,
                                        page=_int(request.query_params.get("page"), 1), per_page=PER_PAGE)
            found = listing.find(ctx.settings, ctx.caller, query)
        except InputError as exc:
            problem, status = str(exc), http_status(exc.code)
        keep = {"matter": f["matter"], "status": f["status"], "kind": f["kind"], "q": f["q"],
                "field__governing_law": f["law"], "has": f["has"], "expires_before": f["expires_before"]}
        pages = max(1, math.ceil(found.total / found.per_page)) if found else 1
        return render(request, "documents.html", status=status, ctx=ctx, f=f, sort=sort, found=found,
                      problem=problem, keep=keep, pages=pages, sortable=SORTABLE, **_filter_choices())
    return guarded(request, build)


# -- one document

def _document_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 12:
        raise NotFound("no such document")
    return int(raw)


def _groups(view: dict) -> list[dict]:
    """Findings by field, grouped present / absent / not determinable (from categories)."""
    by_field: dict[str, list[tuple[int, dict]]] = {}
    for index, finding in enumerate(view["findings"]):
        by_field.setdefault(finding["field"], []).append((index, finding))
    order = [("present", "Present"), ("not_determinable", "Not determinable"), ("absent", "Absent")]
    groups = {key: {"key": key, "title": title, "items": []} for key, title in order}
    for name, category in (view.get("categories") or {}).items():
        groups[category["status"]]["items"].append({
            "field": name, "label": category.get("cuad") or human(name).capitalize(), "cuad": category.get("cuad"),
            "category": category, "findings": by_field.pop(name, [])})
    if by_field:  # fields without a category (kept, never dropped)
        groups["not_determinable"]["items"] += [{"field": name, "label": human(name).capitalize(), "cuad": None,
                                                 "category": None, "findings": items}
                                                for name, items in by_field.items()]
    return [groups[key] for key, _ in order]


def _panel(ctx: Ctx, view: dict) -> dict | None:
    """The cited page beside the brief, when the link asked for one (no JavaScript needed)."""
    params = ctx.request.query_params
    page = params.get("page")
    if page is None:
        return None
    quote = params.get("quote") or None
    finding = _int(params.get("finding"))
    number = _int(page)
    panel = {"page": number, "quote": quote, "finding": finding, "text": None, "error": None,
             "image": None}
    try:
        data = page_service.page_text(ctx.settings, ctx.caller, view["id"], number)
        panel["text"] = highlight(data["text"], data.get("quotes") or [], quote=quote, finding=finding)
    except NotFound:
        panel["error"] = f"There is no page {number} in this document."
        return panel
    except DocpipeError as exc:
        panel["error"] = str(exc)
    if view.get("format") == "pdf":
        panel["image"] = link(f"/api/v1/documents/{view['id']}/pages/{number}.png", quote=quote,
                              finding=finding if quote is None else None)
    return panel


@router.get("/documents/{document_id}")
def document_page(request: Request, document_id: str) -> Response:
    def build(ctx: Ctx) -> Response:
        view = documents.show(ctx.settings, ctx.caller, _document_id(document_id))
        cited = [f["citation"] for f in view["findings"]] + [p["citation"] for p in view["brief"]]
        has_pages = any(c.get("page") is not None for c in cited) or bool((view.get("coverage") or {}).get("pages_total"))
        return render(request, "document.html", ctx=ctx, view=view, groups=_groups(view), panel=_panel(ctx, view),
                      has_pages=has_pages,
                      final=view["status"] in FINAL, is_pdf=view.get("format") == "pdf",
                      can_retry=ctx.can(Action.RETRY), can_export=ctx.can(Action.EXPORT))
    return guarded(request, build)


# -- upload

@router.get("/upload")
def upload_page(request: Request) -> Response:
    def build(ctx: Ctx) -> Response:
        return render(request, "upload.html", ctx=ctx, can_upload=ctx.can(Action.INGEST),
                      max_mb=ctx.settings.max_upload_mb)
    return guarded(request, build)


# -- matters

@router.get("/matters")
def matters_page(request: Request) -> Response:
    def build(ctx: Ctx) -> Response:
        if ctx.matter:
            return RedirectResponse(link(f"/matters/{ctx.matter}", matter=ctx.matter), status_code=303)
        return render(request, "matters.html", ctx=ctx)
    return guarded(request, build)


MATTER_CELL_VALUES = 3  # values shown per cell (the document page and the exports have them all)
MATTER_CELL_CHARS = 120
_CELL_PAGE = re.compile(r"\(p\. (\d+)(?::\d+)?(?:, unverified)?\)$")


def _matter_cell(document_id: int, matter: str, field: str, values: list[str]) -> dict:
    """A cell of the matter table: each value (shortened) linking to its cited page, or to
    the field on the document page."""
    shown = []
    for value in values[:MATTER_CELL_VALUES]:
        page = _CELL_PAGE.search(value)
        href = (link(f"/documents/{document_id}", matter=matter, page=page.group(1)) + "#cited-page" if page
                else link(f"/documents/{document_id}", matter=matter) + f"#field-{field}")
        short = value if len(value) <= MATTER_CELL_CHARS else value[:MATTER_CELL_CHARS - 1] + "…"
        shown.append({"text": short, "full": value, "href": href})
    return {"values": shown, "more": max(0, len(values) - MATTER_CELL_VALUES),
            "more_href": link(f"/documents/{document_id}", matter=matter) + f"#field-{field}"}


def _matter_table(data: dict) -> tuple[list[str], list[dict]]:
    fixed = set(exports.MATTER_COLUMNS)
    fields = [c for c in data["columns"] if c not in fixed
              and any(d["fields"].get(c) for d in data["documents"])]
    rows = [{**d, "cells": {f: _matter_cell(d["id"], data["matter"], f, d["fields"].get(f) or []) for f in fields}}
            for d in data["documents"]]
    return fields, rows


@router.get("/matters/{name}")
def matter_page(request: Request, name: str) -> Response:
    def build(ctx: Ctx) -> Response:
        if name not in ctx.matters:
            raise NotFound("no such matter")
        ctx.matter = name
        try:
            data = json.loads(exports.export_matter(ctx.settings, ctx.caller, name, fmt="json"))
        except NotFound:
            data = {"matter": name, "columns": [], "documents": []}
        fields, rows = _matter_table(data)
        return render(request, "matter.html", ctx=ctx, name=name, fields=fields, rows=rows)
    return guarded(request, build)


# -- search

@router.get("/search")
def search_page(request: Request) -> Response:
    def build(ctx: Ctx) -> Response:
        f = _filters(request)
        hits, problem, status = None, None, 200
        if f["q"]:
            try:
                pairs = _field_pairs(request, f["law"])
                within = None
                if f["status"] or f["kind"] or f["has"] or f["expires_before"] or pairs:
                    within = listing.build_query(status=f["status"], kind=f["kind"], fields=pairs, has=f["has"],
                                                 expires_before=f["expires_before"])
                hits = documents.search(ctx.settings, ctx.caller, f["q"], limit=50, matter=f["matter"] or None,
                                        within=within)
            except InputError as exc:
                problem, status = str(exc), http_status(exc.code)
        return render(request, "search.html", status=status, ctx=ctx, f=f, hits=hits, problem=problem,
                      **_filter_choices())
    return guarded(request, build)


# -- batch reports

@router.get("/batches")
def batches_page(request: Request) -> Response:
    def build(ctx: Ctx) -> Response:
        reports = batches.reports(ctx.settings, ctx.caller, matter=ctx.matter)
        return render(request, "batches.html", ctx=ctx, reports=reports)
    return guarded(request, build)


# -- audit (admins)

@router.get("/admin/audit")
def audit_page(request: Request) -> Response:
    """The audit log for admins: newest first, filtered by matter and user, with the state
    of the hash chain (whole, or its first broken link)."""
    def build(ctx: Ctx) -> Response:
        user = (request.query_params.get("user") or "").strip()[:200] or None
        matter = (request.query_params.get("in_matter") or "").strip()[:200] or None
        entries = audit.entries(ctx.settings, ctx.caller, matter=matter, user=user, limit=5000)[-500:][::-1]
        checked, broken = audit.verify(ctx.settings, ctx.caller)
        return render(request, "audit.html", ctx=ctx, entries=entries, checked=checked, broken=broken,
                      user=user or "", in_matter=matter or "")
    return guarded(request, build)


def install(app: FastAPI) -> None:
    """Routes of the pages and the static assets."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

