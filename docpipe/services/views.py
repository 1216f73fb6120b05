"""What `docpipe show` prints: one document's latest run as a dict, JSON or Markdown."""
from __future__ import annotations


from docpipe.analysis.findings import category_status
from docpipe.domain import Citation, DocumentKind, Finding
from docpipe.store.records import DocumentRecord, RunRecord, SummaryRecord

_CITATION_EXTRAS = ("page_label", "line", "turn", "speaker", "timestamp")


def _citation(c: Citation) -> dict:
    out = {"page": c.page, "quote": c.quote}
    out.update({k: getattr(c, k) for k in _CITATION_EXTRAS if getattr(c, k) is not None})
    return out


def locator(c: dict) -> str:
    if c.get("page") is not None:
        page = c.get("page_label") or c["page"]
        return f"p. {page}:{c['line']}" if c.get("line") is not None else f"p. {page}"
    bits = ", ".join(str(c[k]) for k in ("speaker", "timestamp") if c.get(k))
    where = f"turn {c['turn']}" if c.get("turn") is not None else "text"
    return f"{where} ({bits})" if bits else where


def _run_view(run: RunRecord) -> dict:
    cov = run.coverage or {}
    doc_tokens = run.document_tokens or 0
    return {
        "id": run.id, "status": run.status, "stage": run.stage, "attempts": run.attempts,
        "pipeline_version": run.pipeline_version, "model": run.model_name,
        "model_sha256": run.model_sha256, "models": run.models, "n_ctx": run.n_ctx,
        "chunks": {"done": run.chunks_done, "total": run.chunks_total},
        "kind_method": cov.get("kind_method"),
        "tokens": {"document": doc_tokens, "prompt": run.tokens_prompt,
                   "evaluated": run.tokens_evaluated, "generated": run.tokens_generated,
                   "efficiency": round(run.tokens_evaluated / (doc_tokens + run.tokens_generated), 3)
                   if doc_tokens else None},
        "llm_seconds": round(run.llm_seconds, 2), "timings": run.timings,
        "error": {"code": run.error_code, "message": run.error_message} if run.error_code else None,
    }


def document_view(doc: DocumentRecord, run: RunRecord | None, summary: SummaryRecord | None,
                  findings: list[Finding]) -> dict:
    """The `show --format json` dict of a document and its latest run."""
    view = {
        "id": doc.id, "matter": doc.matter, "name": doc.original_name, "sha256": doc.sha256,
        "size": doc.size, "format": doc.format, "kind": doc.kind, "status": doc.status,
        "error": {"code": doc.error_code, "message": doc.error_message} if doc.error_code else None,
        "coverage": None, "brief": [], "findings": [], "not_found": [], "conflicts": [], "categories": {}, "alerts": [],
        "verification": None, "run": None,
    }
    if run is None:
        return view
    cov = dict(run.coverage or {})
    view["coverage"] = {k: cov.get(k) for k in (
        "unit", "total", "processed", "pages_total", "pages_processed", "turns_total",
        "turns_processed", "complete", "warnings") if k in cov}
    view["alerts"] = cov.get("alerts") or []
    view["findings"] = [{"field": f.field, "value": f.value, "normalized": f.normalized,
                         "citation": _citation(f.citation), "verified": f.verified,
                         **({"extra": f.extra} if f.extra else {})} for f in findings]
    if summary:
        view["brief"] = [{"text": p["text"], "by": p.get("by"), "field": p.get("field"),
                          "citation": {k: v for k, v in p["citation"].items()
                                       if v is not None and k != "unit_id"},
                          "verified": p["verified"]} for p in summary.brief]
        view["not_found"], view["conflicts"] = summary.not_found, summary.conflicts
        if run.kind in (DocumentKind.CONTRACT, DocumentKind.TRANSCRIPT):
            view["categories"] = category_status(DocumentKind(run.kind), findings, bool(cov.get("complete")))
    view["verification"] = {"verified": sum(f.verified for f in findings), "total": len(findings)}
    view["run"] = _run_view(run)
    return view


def to_markdown(view: dict) -> str:
    lines = [f"# {view['name']}", "",
             f"- id {view['id']}, matter `{view['matter']}`, {view['kind'] or 'unknown kind'}, "
             f"status **{view['status']}**"]
    if view["error"]:
        lines.append(f"- error `{view['error']['code']}`: {view['error']['message']}")
    cov = view.get("coverage") or {}
    if cov.get("total") is not None:
        lines.append(f"- coverage: {cov['processed']}/{cov['total']} {cov['unit']}s")
    ver = view.get("verification")
    if ver:
        lines.append(f"- citations verified: {ver['verified']}/{ver['total']}")
    if view.get("alerts"):
        lines += ["", "## Alerts", ""] + [f"- {a['where']}: {a['message']}: \"{a['quote']}\"" for a in view["alerts"]]
    if view["brief"]:
        lines += ["", "## Brief", ""]
        for p in view["brief"]:
            mark = "" if p["verified"] else " (unverified)"
            lines.append(f"- {p['text']} [{locator(p['citation'])}]{mark}")
    if view["findings"]:
        lines += ["", "## Findings", "", "| field | value | where | quote | verified |", "|---|---|---|---|---|"]
        for f in view["findings"]:
            quote = f["citation"]["quote"].replace("|", "\\|").replace("\n", " ")
            value = str(f["value"]).replace("|", "\\|")
            check = (f.get("extra") or {}).get("check")
            lines.append(f"| {f['field']} | {value} | {locator(f['citation'])} | {quote} | "
                         f"{'yes' if f['verified'] else 'NO'}{f' ({check})' if check else ''} |")
    if view["not_found"]:
        lines += ["", "## Not found", "", ", ".join(view["not_found"])]
    if view["conflicts"]:
        lines += ["", "## Conflicts", ""] + [f"- {c['field']}: {', '.join(c['values'])}"
                                             + (f" ({c['reason']})" if c.get("reason") else "")
                                             for c in view["conflicts"]]
    cuad = {name: c for name, c in (view.get("categories") or {}).items() if c.get("cuad")}
    if cuad:
        lines += ["", "## Clause categories (CUAD)", "", "| category | status | findings (verified) |", "|---|---|---|"]
        for c in cuad.values():
            lines.append(f"| {c['cuad']} | {c['status'].replace('_', ' ')} | {c['findings']} ({c['verified']}) |")
    return "\n".join(lines) + "\n"
