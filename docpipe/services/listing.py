"""The documents table: one query, the same rows for `docpipe list --format json|csv`,
`GET /api/v1/documents` and the web pages, with the same filters and the same errors.

Filters: matter, status, kind, full text (``q``), ``field.<name>=<value>`` (a finding of
that field in the latest run contains the value, case-insensitively), ``has=<field>`` (a
finding of that field exists) and ``expires_before=YYYY-MM-DD`` (a stated expiration date
before that day). Every row is limited to the caller's matters.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from docpipe.domain import DocumentKind, DocumentStatus
from docpipe.errors import BAD_REQUEST, InputError
from docpipe.services.caller import Action, Caller, require, visible_matters
from docpipe.services.exports import FIELD_ORDER, csv_text
from docpipe.services.operations import ready
from docpipe.services.views import locator
from docpipe.settings import Settings
from docpipe.store.db import session_scope
from docpipe.store.listing import SORTS, DocumentQuery, find_documents
from docpipe.store.records import DocumentRecord

KEY_FIELDS = ("parties", "governing_law", "effective_date", "expiration_date")
ROW_COLUMNS = ("id", "name", "matter", "status", "kind", "pages", "turns", "error_code",
               "error_message", "created_at") + KEY_FIELDS
MAX_PER_PAGE = 500


@dataclass(frozen=True)
class Listing:
    rows: list[dict]
    total: int
    page: int
    per_page: int


def _bad(message: str) -> InputError:
    return InputError(message, code=BAD_REQUEST)


def _choice(name: str, value: str | None, allowed: Iterable[str]) -> str | None:
    if value in (None, ""):
        return None
    allowed = list(allowed)
    if value not in allowed:
        raise _bad(f"{name} must be one of {', '.join(allowed)} (got {value!r})")
    return value


def _field_name(name: str) -> str:
    if name not in FIELD_ORDER:
        raise _bad(f"no field {name!r}; fields are {', '.join(FIELD_ORDER)}")
    return name


def build_query(*, matter: str | None = None, status: str | None = None, kind: str | None = None,
                q: str | None = None, fields: Iterable[tuple[str, str]] = (), has: Iterable[str] = (),
                expires_before: str | None = None, sort: str = "id", page: int = 1,
                per_page: int = 50) -> DocumentQuery:
    """Check and assemble the filters; anything malformed is InputError(bad_request)."""
    descending = sort.startswith("-")
    sort_key = sort.lstrip("-") or "id"
    _choice("sort", sort_key, SORTS)
    before = None
    if expires_before:
        try:
            before = date.fromisoformat(expires_before)
        except ValueError:
            raise _bad(f"expires_before must be a date like 2027-01-01 (got {expires_before!r})") from None
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise _bad(f"page starts at 1 and per_page is 1-{MAX_PER_PAGE}")
    pairs = tuple((_field_name(name), value) for name, value in fields if value is not None)
    if any(not value.strip() for _, value in pairs):
        raise _bad("a field filter needs a value, e.g. field.governing_law=New York")
    text = (q or "").strip() or None
    if text and len(text) > 500:
        raise _bad("the search text is at most 500 characters")
    return DocumentQuery(matter=matter or None, status=_choice("status", status, [s.value for s in DocumentStatus]),
                         kind=_choice("kind", kind, [k.value for k in DocumentKind]), text=text,
                         fields=pairs, has=tuple(_field_name(h) for h in has if h),
                         expires_before=before, sort=sort_key, descending=descending,
                         page=page, per_page=per_page, key_fields=KEY_FIELDS)


def _cell(found: list[dict]) -> list[dict]:
    return [{**c, "where": locator(c)} for c in found]


def document_row(doc: DocumentRecord, cells: dict[str, list[dict]]) -> dict:
    return {"id": doc.id, "name": doc.original_name, "matter": doc.matter, "status": doc.status,
            "kind": doc.kind, "format": doc.format, "pages": doc.page_count, "turns": doc.turn_count,
            "error": {"code": doc.error_code, "message": doc.error_message} if doc.error_code else None,
            "created_at": doc.created_at.isoformat(),
            "fields": {name: _cell(cells.get(name, [])) for name in KEY_FIELDS}}


def find(settings: Settings, caller: Caller, query: DocumentQuery) -> Listing:
    """One page of documents the caller may see that match ``query``."""
    require(caller, Action.READ)
    if query.text:
        require(caller, Action.SEARCH)
    ready(settings)
    with session_scope(settings.resolved_database_url, matters=visible_matters(caller)) as s:
        docs, total, cells = find_documents(s, query, matters=visible_matters(caller))
    return Listing(rows=[document_row(d, cells.get(d.id, {})) for d in docs], total=total,
                   page=query.page, per_page=query.per_page)


def flat_row(row: dict) -> dict:
    """A row for CSV: each key field's values with where they are, joined by " | "."""
    out = {k: row.get(k) for k in ("id", "name", "matter", "status", "kind", "pages", "turns", "created_at")}
    out["error_code"] = (row["error"] or {}).get("code")
    out["error_message"] = (row["error"] or {}).get("message")
    for name in KEY_FIELDS:
        out[name] = " | ".join(f"{c['value']} ({c['where']}{'' if c['verified'] else ', unverified'})"
                               for c in row["fields"][name])
    return out


def rows_csv(rows: list[dict]) -> str:
    return csv_text(ROW_COLUMNS, [flat_row(r) for r in rows])
