"""The HTTP API under /api/v1. Every route takes its caller from ``auth.api_caller`` and
hands it to a service, where the one access check is made: another matter's document is a
404 here exactly as it is ``not_found`` in the CLI."""
from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from docpipe.domain import FINAL
from docpipe.errors import BAD_REQUEST, InputError
from docpipe.services import audit, documents, exports, governance, ingest, listing, pages, users
from docpipe.services.caller import Caller
from docpipe.web.auth import api_caller
from docpipe.web.problems import PROBLEM
from docpipe.web.uploads import receive_file

router = APIRouter(prefix="/api/v1")
Who = Annotated[Caller, Depends(api_caller)]
# Ids the database can hold (SQLite's INTEGER is 64-bit: a larger one was a 500); outside: 422.
DocumentId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the document's id")]
PageNumber = Annotated[int, Path(ge=0, le=1_000_000, description="a page, from 1 (a transcript's turn, from 0)")]
EVENT_POLL_SECONDS = 1.0

_PROBLEM_SCHEMA = {"content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
ERRORS = {status: {"description": text, **_PROBLEM_SCHEMA} for status, text in (
    (401, "no key, a wrong key, an expired session or a revoked user"),
    (403, "the caller's role may not do this"), (404, "no such thing, or not one the caller may see"),
    (422, "a malformed parameter or body"), (503, "the database or the broker is unreachable"))}


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    code: str = Field(description="the error code the CLI prints for the same error")


class Accepted(BaseModel):
    id: int
    status: str
    matter: str
    name: str
    duplicate: bool = Field(description="the same bytes were already a document of this matter")


class Located(BaseModel):
    value: str
    verified: bool
    where: str
    page: int | None = None
    page_label: str | None = None
    line: int | None = None
    turn: int | None = None
    quote: str


class DocumentError(BaseModel):
    code: str
    message: str | None


class DocumentRow(BaseModel):
    id: int
    name: str
    matter: str
    status: str
    kind: str | None
    format: str | None
    pages: int | None
    turns: int | None
    error: DocumentError | None
    created_at: str
    fields: dict[str, list[Located]]


class DocumentList(BaseModel):
    documents: list[DocumentRow]
    total: int
    page: int
    per_page: int


class Hit(BaseModel):
    document_id: int
    document: str | None
    source: str
    ref: str | None
    snippet: str


class Hits(BaseModel):
    hits: list[Hit]


class QuoteSpan(BaseModel):
    finding: int
    field: str
    quote: str
    start: int
    end: int
    verified: bool


class PageText(BaseModel):
    document_id: int
    page: int
    text: str
    quotes: list[QuoteSpan]


class Me(BaseModel):
    name: str
    role: str
    matters: list[str] | None = Field(description="null: every matter (admin)")


def _field_pairs(request: Request) -> list[tuple[str, str]]:
    return [(key[len("field."):], value) for key, value in request.query_params.multi_items()
            if key.startswith("field.")]


def _query(request: Request, *, matter, status, kind, q, has, expires_before, sort, page, per_page):
    return listing.build_query(matter=matter, status=status, kind=kind, q=q, fields=_field_pairs(request),
                               has=has or [], expires_before=expires_before, sort=sort, page=page,
                               per_page=per_page)


@router.get("/me", response_model=Me, responses=ERRORS, summary="Who the key or session belongs to")
def me(who: Who) -> Me:
    return Me(name=who.name, role=who.role, matters=sorted(who.matters) if who.matters is not None else None)


@router.get("/matters", response_model=list[str], responses=ERRORS, summary="The matters the caller sees")
def matters(who: Who, request: Request) -> list[str]:
    return users.matters(request.app.state.settings, who)


@router.post("/documents", status_code=202, response_model=Accepted, responses={
    **ERRORS, 413: {"description": "larger than DOCPIPE_MAX_UPLOAD_MB", **_PROBLEM_SCHEMA},
    415: {"description": "the bytes are not what the name says, or a format docpipe does not read",
          **_PROBLEM_SCHEMA}},
    summary="Upload one file (multipart: file, matter); analysed in the background",
    openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file", "matter"],
        "properties": {"file": {"type": "string", "format": "binary"},
                       "matter": {"type": "string", "minLength": 1, "maxLength": 200}}}}}}})
async def upload(request: Request, who: Who) -> JSONResponse:
    settings = request.app.state.settings
    async with receive_file(request, directory=settings.objects_dir, limit_bytes=settings.max_upload_mb << 20) as up:
        matter = (up.fields.get("matter") or "").strip()
        if not matter or len(matter) > 200:
            raise InputError("form field 'matter' is required (1-200 characters)", code=BAD_REQUEST)
        took = await run_in_threadpool(ingest.receive_upload, settings, who, up.path, matter=matter,
                                       original_name=up.filename)
    status = took.status
    if took.created:
        status = await run_in_threadpool(request.app.state.start_analysis, took.document_id)
    body = Accepted(id=took.document_id, status=status, matter=matter, name=took.name, duplicate=not took.created)
    return JSONResponse(body.model_dump(), status_code=202,
                        headers={"Location": f"/api/v1/documents/{took.document_id}"})


@router.get("/documents", response_model=DocumentList, responses=ERRORS, summary=(
    "Documents the caller sees, filtered: also field.<name>=<value> (a finding of that field "
    "contains the value), repeatable"))
def list_documents(
    request: Request, who: Who,
    matter: str | None = Query(None, max_length=200), status: str | None = None, kind: str | None = None,
    q: str | None = Query(None, max_length=500, description="full text"),
    has: list[str] | None = Query(None, description="a finding of this field exists"),
    expires_before: str | None = Query(None, description="YYYY-MM-DD"),
    sort: str = Query("id", description="id, name, status, kind, pages, created; -name descending"),
    page: int = Query(1, ge=1, le=1_000_000), per_page: int = Query(50, ge=1, le=listing.MAX_PER_PAGE),
) -> dict:
    query = _query(request, matter=matter, status=status, kind=kind, q=q, has=has, expires_before=expires_before,
                   sort=sort, page=page, per_page=per_page)
    found = listing.find(request.app.state.settings, who, query)
    return {"documents": found.rows, "total": found.total, "page": found.page, "per_page": found.per_page}


@router.get("/documents/{document_id}", responses=ERRORS, summary="The document as `docpipe show --format json`")
def show(document_id: DocumentId, who: Who, request: Request) -> dict[str, Any]:
    return documents.show(request.app.state.settings, who, document_id)


@router.get("/documents/{document_id}/pages/{page}.png", responses={
    **ERRORS, 200: {"content": {"image/png": {}}, "description": "the page, cited quotes highlighted"}},
    response_class=Response, summary="A PDF page rendered, the quote (or the finding's quote) highlighted")
def page_png(document_id: DocumentId, page: PageNumber, who: Who, request: Request,
             quote: str | None = Query(None, max_length=2000),
             finding: int | None = Query(None, ge=0, le=100_000)) -> Response:
    image = pages.page_png(request.app.state.settings, who, document_id, page, quote=quote, finding=finding)
    return Response(image, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})


@router.get("/documents/{document_id}/pages/{page}", response_model=PageText, responses=ERRORS,
            summary="A page's text with the cited quotes located (character offsets)")
def page_text(document_id: DocumentId, page: PageNumber, who: Who, request: Request) -> dict:
    return pages.page_text(request.app.state.settings, who, document_id, page)


@router.get("/documents/{document_id}/events", responses={
    **ERRORS, 200: {"content": {"text/event-stream": {}}, "description": "progress events until done or failed"}},
    response_class=StreamingResponse, summary="Server-sent events: stage, chunks done/total, attempts")
async def events(document_id: DocumentId, who: Who, request: Request) -> StreamingResponse:
    settings = request.app.state.settings
    await run_in_threadpool(documents.get_document, settings, who, document_id)  # 404 before streaming
    return StreamingResponse(_event_stream(request, settings, who, document_id), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def progress_event(settings, who: Caller, document_id: int) -> dict:
    rows = documents.progress_rows(settings, who, [document_id])
    if rows:
        run, doc = rows[0]
        return {"id": doc.id, "status": doc.status, "stage": run.stage, "run": run.id,
                "chunks_done": run.chunks_done, "chunks_total": run.chunks_total, "attempts": run.attempts,
                "error": {"code": doc.error_code, "message": doc.error_message} if doc.error_code else None}
    doc = documents.get_document(settings, who, document_id)
    return {"id": doc.id, "status": doc.status, "stage": None, "run": None, "chunks_done": 0,
            "chunks_total": None, "attempts": 0,
            "error": {"code": doc.error_code, "message": doc.error_message} if doc.error_code else None}


async def _event_stream(request: Request, settings, who: Caller, document_id: int):
    last, quiet = None, 0.0
    while True:
        if await request.is_disconnected():
            return
        event = await run_in_threadpool(progress_event, settings, who, document_id)
        if event != last:
            yield f"event: progress\ndata: {json.dumps(event)}\n\n"
            last, quiet = event, 0.0
        if event["status"] in FINAL:
            yield f"event: end\ndata: {json.dumps({'status': event['status']})}\n\n"
            return
        quiet += EVENT_POLL_SECONDS
        if quiet >= 15:
            yield ": still working\n\n"
            quiet = 0.0
        await asyncio.sleep(EVENT_POLL_SECONDS)


_MEDIA = {"json": "application/json", "csv": "text/csv; charset=utf-8", "markdown": "text/markdown; charset=utf-8"}


def _download(text: str, fmt: str, filename: str) -> PlainTextResponse:
    return PlainTextResponse(text, media_type=_MEDIA[fmt],
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/documents/{document_id}/export", response_class=PlainTextResponse, responses={
    **ERRORS, 200: {"content": {m: {} for m in _MEDIA.values()}, "description": "the export"}},
    summary="One document as json, csv (one row per finding) or markdown")
def export_document(document_id: DocumentId, who: Who, request: Request,
                    format: str = Query("json", pattern="^(json|csv|markdown)$")) -> PlainTextResponse:
    text = exports.export_document(request.app.state.settings, who, document_id, fmt=format)
    ext = {"markdown": "md"}.get(format, format)
    return _download(text, format, f"document-{document_id}.{ext}")


@router.get("/matters/{matter}/export", response_class=PlainTextResponse, responses={
    **ERRORS, 200: {"content": {m: {} for m in _MEDIA.values()}, "description": "the export"}},
    summary="Every document of a matter, one row each, one column per field (csv or json)")
def export_matter(matter: str, who: Who, request: Request,
                  format: str = Query("csv", pattern="^(csv|json)$")) -> PlainTextResponse:
    text = exports.export_matter(request.app.state.settings, who, matter, fmt=format)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in matter)[:80]
    return _download(text, format, f"matter-{safe}.{format}")


@router.post("/documents/{document_id}/retry", status_code=202, response_model=Accepted, responses={
    **ERRORS, 409: {"description": "only failed documents are retried", **_PROBLEM_SCHEMA}},
    summary="Run a failed document again (in the background)")
def retry(document_id: DocumentId, who: Who, request: Request) -> dict:
    settings = request.app.state.settings
    doc = documents.check_retry(settings, who, document_id)
    status = request.app.state.start_analysis(document_id)
    return {"id": doc.id, "status": status, "matter": doc.matter, "name": doc.original_name, "duplicate": False}


@router.get("/search", response_model=Hits, responses=ERRORS,
            summary="Full text, within the same filters as the documents list")
def search(request: Request, who: Who, q: str = Query(..., min_length=1, max_length=500),
           matter: str | None = Query(None, max_length=200), status: str | None = None, kind: str | None = None,
           has: list[str] | None = Query(None), expires_before: str | None = None,
           limit: int = Query(20, ge=1, le=200)) -> dict:
    within = None
    if status or kind or has or expires_before or _field_pairs(request):
        within = _query(request, matter=None, status=status, kind=kind, q=None, has=has,
                        expires_before=expires_before, sort="id", page=1, per_page=50)
    hits = documents.search(request.app.state.settings, who, q, limit=limit, matter=matter, within=within)
    return {"hits": [{"document_id": h["document_id"], "document": h["document"], "source": h["source"],
                      "ref": h["ref"], "snippet": " ".join(str(h["snippet"]).split())} for h in hits]}


# ------------------------------------------------------------------------- governance (admins)
class Hold(BaseModel):
    id: int
    matter: str | None
    document_id: int | None
    reason: str | None
    set_by: str
    set_at: str
    lifted_by: str | None
    lifted_at: str | None


class HoldTarget(BaseModel):
    document_id: int | None = Field(None, ge=1, le=2**63 - 1)
    matter: str | None = Field(None, min_length=1, max_length=200)
    reason: str | None = Field(None, max_length=2000)


class Purged(BaseModel):
    matter: str
    documents: list[int]


class AuditRow(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    matter: str | None
    document_id: int | None
    detail: dict[str, Any]
    hash: str


def _hold(h) -> dict:
    return {"id": h.id, "matter": h.matter, "document_id": h.document_id, "reason": h.reason, "set_by": h.set_by,
            "set_at": h.set_at.isoformat(), "lifted_by": h.lifted_by,
            "lifted_at": h.lifted_at.isoformat() if h.lifted_at else None}


_HOLD_ERRORS = {**ERRORS, 409: {"description": "a legal hold covers it, or it is being analysed", **_PROBLEM_SCHEMA}}


@router.delete("/documents/{document_id}", response_model=Purged, responses=_HOLD_ERRORS,
               summary="Erase a document (admins): original, text, results, search rows; refused under a legal hold")
def purge(document_id: DocumentId, who: Who, request: Request) -> dict:
    erased = governance.purge_document(request.app.state.settings, who, document_id)
    return {"matter": erased.matter, "documents": list(erased.document_ids)}


@router.get("/holds", response_model=list[Hold], responses=ERRORS, summary="Active legal holds (admins)")
def holds(who: Who, request: Request) -> list[dict]:
    return [_hold(h) for h in governance.holds(request.app.state.settings, who)]


@router.post("/holds", status_code=201, response_model=Hold, responses=ERRORS,
             summary="Place a legal hold on a document or a matter (admins)")
def set_hold(target: HoldTarget, who: Who, request: Request) -> dict:
    return _hold(governance.set_hold(request.app.state.settings, who, document_id=target.document_id,
                                     matter=target.matter, reason=target.reason))


@router.post("/holds/lift", response_model=list[Hold], responses=ERRORS,
             summary="Lift the legal holds placed on a document or a matter (admins)")
def lift_hold(target: HoldTarget, who: Who, request: Request) -> list[dict]:
    return [_hold(h) for h in governance.lift_hold(request.app.state.settings, who, document_id=target.document_id,
                                                   matter=target.matter)]


@router.get("/audit", response_model=list[AuditRow], responses=ERRORS, summary="The audit log (admins)")
def audit_log(who: Who, request: Request, matter: str | None = Query(None, max_length=200),
              user: str | None = Query(None, max_length=200), limit: int = Query(200, ge=1, le=5000)) -> list[dict]:
    rows = audit.entries(request.app.state.settings, who, matter=matter, user=user, limit=limit)
    return [{"id": r.id, "at": r.at.isoformat(), "actor": r.actor, "action": r.action, "matter": r.matter,
             "document_id": r.document_id, "detail": r.detail, "hash": r.hash} for r in rows]


def problem_schema() -> dict:
    return Problem.model_json_schema()

