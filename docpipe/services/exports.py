"""`docpipe export`: one document as JSON, Markdown or CSV; a matter as one table.

CSV cells that a spreadsheet would read as a formula (starting with = + - @, or a tab or
carriage return) are prefixed with a single quote, so document text cannot run as a
formula when the file is opened (OWASP "CSV injection").
"""
from __future__ import annotations

import csv
import io
import json

from docpipe.analysis.fields import CONTRACT_FIELDS, TRANSCRIPT_FIELDS
from docpipe.domain import AuditAction
from docpipe.errors import BAD_FORMAT, InputError, NotFound
from docpipe.services import documents
from docpipe.services.caller import Action, Caller, require, require_matter
from docpipe.services.views import locator, to_markdown
from docpipe.settings import Settings
from docpipe.store.records import DocumentRecord

DOCUMENT_FORMATS = ("json", "markdown", "csv")
MATTER_FORMATS = ("csv", "json")
FINDING_COLUMNS = ("document_id", "document", "field", "value", "normalized", "page",
                   "page_label", "line", "turn", "speaker", "timestamp", "quote", "verified")
# verified and findings are separate numbers: "12/14" in a cell turns into a date in Excel.
MATTER_COLUMNS = ("id", "name", "kind", "status", "pages", "turns", "coverage", "verified",
                  "findings")
# Every field of both kinds, contract fields first, each once, in extraction order.
FIELD_ORDER = tuple(dict.fromkeys([s.name for s in CONTRACT_FIELDS] + ["participants"]
                                  + [s.name for s in TRANSCRIPT_FIELDS]))
SEARCH_COLUMNS = ("document_id", "document", "source", "ref", "snippet")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value):
    """A CSV cell that no spreadsheet evaluates: text starting like a formula gets a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(header: tuple[str, ...], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([defuse("" if row.get(k) is None else row[k]) for k in header])
    return out.getvalue()


def _check(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise InputError(f"unknown export format {fmt!r}; use {', '.join(allowed)}",
                         code=BAD_FORMAT)


def _finding_rows(view: dict) -> list[dict]:
    rows = []
    for f in view["findings"]:
        c = f["citation"]
        rows.append({"document_id": view["id"], "document": view["name"], "field": f["field"],
                     "value": f["value"], "normalized": f["normalized"], "page": c.get("page"),
                     "page_label": c.get("page_label"), "line": c.get("line"),
                     "turn": c.get("turn"), "speaker": c.get("speaker"),
                     "timestamp": c.get("timestamp"), "quote": c["quote"],
                     "verified": "yes" if f["verified"] else "no"})
    return rows


def export_document(settings: Settings, caller: Caller, document_id: int, *, fmt: str) -> str:
    """One document's latest run: the `show` dict as JSON, Markdown, or a CSV with one
    row per finding."""
    documents.get_document(settings, caller, document_id)  # another matter's: not found, whatever the role
    require(caller, Action.EXPORT)
    _check(fmt, DOCUMENT_FORMATS)
    view = documents.show(settings, caller, document_id, audit_action=AuditAction.EXPORT, audit_detail={"format": fmt})
    if fmt == "json":
        return json.dumps(view, indent=2, default=str) + "\n"
    if fmt == "markdown":
        return to_markdown(view)
    return csv_text(FINDING_COLUMNS, _finding_rows(view))


def _located(finding: dict) -> str:
    mark = "" if finding["verified"] else ", unverified"
    return f"{finding['value']} ({locator(finding['citation'])}{mark})"


def _field_cells(view: dict) -> dict[str, list[str]]:
    cells: dict[str, list[str]] = {}
    for f in view["findings"]:
        text = _located(f)
        if text not in cells.setdefault(f["field"], []):
            cells[f["field"]].append(text)
    return cells


def _matter_row(view: dict, doc: DocumentRecord) -> dict:
    cov = view.get("coverage") or {}
    ver = view.get("verification")
    return {
        "id": view["id"], "name": view["name"], "kind": view["kind"], "status": view["status"],
        "pages": doc.page_count, "turns": doc.turn_count,
        "coverage": f"{cov['processed']}/{cov['total']} {cov['unit']}s" if cov.get("total") is not None else None,
        "verified": ver["verified"] if ver else None, "findings": ver["total"] if ver else None,
        "fields": _field_cells(view),
    }


def _field_columns(rows: list[dict]) -> tuple[str, ...]:
    extra = [f for r in rows for f in r["fields"] if f not in FIELD_ORDER]
    return FIELD_ORDER + tuple(dict.fromkeys(extra))


def export_matter(settings: Settings, caller: Caller, matter: str, *, fmt: str = "csv") -> str:
    """Every document of a matter, one row each, one column per field; a cell holds the
    field's values with where they are, e.g. "State of New York (p. 12)", joined by " | "."""
    require_matter(caller, matter)  # first: another matter is not found, whatever the role
    require(caller, Action.EXPORT)
    _check(fmt, MATTER_FORMATS)
    docs = documents.list_documents(settings, caller, matter=matter)
    if not docs:
        raise NotFound(f"no documents in matter {matter!r}")
    rows = [_matter_row(documents.show(settings, caller, doc.id, audit_action=AuditAction.EXPORT,
                                       audit_detail={"format": fmt, "of": "matter"}), doc) for doc in docs]
    fields = _field_columns(rows)
    if fmt == "json":
        return json.dumps({"matter": matter, "columns": list(MATTER_COLUMNS + fields),
                           "documents": rows}, indent=2, default=str) + "\n"
    flat = [{**{k: r[k] for k in MATTER_COLUMNS},
             **{f: " | ".join(r["fields"].get(f, [])) for f in fields}} for r in rows]
    return csv_text(MATTER_COLUMNS + fields, flat)
