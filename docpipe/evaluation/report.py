"""An evaluation report as plain-text tables."""
from __future__ import annotations

from collections.abc import Sequence

DASH = "-"


def _cell(value) -> str:
    if value is None:
        return DASH
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence]) -> str:
    """Columns padded to their widest cell; numbers right-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    numeric = [bool(rows) and all(isinstance(row[i], (int, float)) or row[i] is None for row in rows)
               for i in range(len(headers))]

    def line(values):
        return "  ".join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells])


def _frac(part: dict | None, a: str, b: str) -> str:
    if not part or not part.get(b):
        return DASH
    return f"{part[a]}/{part[b]} ({part[a] / part[b]:.0%})"


def _clip(text: str, width: int = 44) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _quality(section: dict) -> list[str]:
    cov = ", ".join(f"{_frac(v, 'processed', 'total')} {unit}s" for unit, v in section["coverage"].items())
    return [f"  runs done:            {_frac(section['runs'], 'done', 'total')}",
            f"  schema valid runs:    {_frac(section['schema'], 'valid', 'total')}"
            f" ({section['schema']['errors']} schema error(s))",
            f"  citations verified:   {_frac(section['citations'], 'verified', 'total')}",
            f"  coverage:             {cov or DASH}",
            f"  kind detected right:  {section['kind_correct']}/{section['runs']['total']}"]


def _categories(c: dict) -> str:
    rows = sorted(c["categories"], key=lambda r: r["field"] is None)
    return table(["CUAD category", "docpipe field", "docs", "spans", "found", "recall",
                  "predicted", "correct", "precision", "CUAD-rule recall", "CUAD-rule precision"],
                 [[r["category"], r["field"] or "(not covered)", r["documents"], r["gold"],
                   r.get("found"), r.get("recall"), r.get("predicted"), r.get("correct"),
                   r.get("precision"), r.get("cuad_recall"), r.get("cuad_precision")] for r in rows])


def _fields(c: dict) -> str:
    return table(["docpipe field", "predicted", "correct", "precision", "unlocated", "CUAD categories"],
                 [[r["field"], r["predicted"], r["correct"], r["precision"], r["unlocated"],
                   ", ".join(r["categories"]) or "(none)"] for r in c["fields"]])


def _values(c: dict) -> str:
    return table(["CUAD category", "docpipe field", "compare", "docs", "first", "any"],
                 [[r["category"], r["field"], r["compare"], r["documents"], r["first"], r["any"]]
                  for r in c["values"]])


def contracts_section(c: dict) -> list[str]:
    if not c["runs"]["total"]:
        return ["Contracts: none evaluated."]
    located = c["quotes_located"]
    covered = c["categories_covered"]
    return ["Contracts", *_quality(c),
            f"  quotes located in CUAD text: {_frac(located, 'located', 'total')}",
            f"  CUAD categories with a docpipe field: {covered['covered']}/{covered['total']}",
            "", "Clause detection per CUAD category (overlap: the finding's quote overlaps a labelled span; "
                "CUAD rule: word-level Jaccard >= 0.5, Parties also by containment)",
            _categories(c), "", "Precision per docpipe field (overlap with any of its categories)",
            _fields(c), "", "Normalised values (share of CUAD answers matched: first finding / any finding)",
            _values(c)]


def transcripts_section(t: dict) -> list[str]:
    if not t["runs"]["total"]:
        return ["Transcripts: none evaluated."]
    rows = [[name, t[key]["documents"], t[key]["gold"], t[key]["found"], t[key]["recall"],
             t[key]["predicted"], t[key]["correct"], t[key]["precision"]]
            for key, name in (("decisions", "AMI decisions"), ("actions", "AMI action items"))]
    rouge = t["rouge"]
    return ["Transcripts", *_quality(t), "",
            f"Decisions and action items (content-word recall >= {t['match_recall']})",
            table(["labels", "docs", "items", "found", "recall", "predicted", "correct", "precision"], rows),
            "", "Brief vs QMSum whole-meeting summary (F1)",
            table(["docs", "ROUGE-1", "ROUGE-2", "ROUGE-L"],
                  [[rouge["documents"], rouge["rouge1"], rouge["rouge2"], rouge["rougeL"]]])]


def cost_section(report: dict) -> list[str]:
    rows = []
    for d in report["documents"]:
        cov = d["coverage"] or {}
        size = f"{cov.get('total')} {cov.get('unit')}s" if cov.get("total") is not None else DASH
        cost = d["cost"]
        rows.append([_clip(d["name"]), d["kind"] or d["expected_kind"], d["status"], size,
                     cost["tokens_document"], cost["tokens_evaluated"], cost["tokens_generated"],
                     cost["llm_seconds"], cost["seconds"]])
    total = report["cost"]
    rows.append(["total", "", "", "", total["tokens_document"], total["tokens_evaluated"],
                 total["tokens_generated"], total["llm_seconds"], total["seconds"]])
    return ["Cost per document",
            table(["document", "kind", "status", "size", "doc tokens", "evaluated", "generated",
                   "llm s", "wall s"], rows)]


def format_table(report: dict) -> str:
    """The report as readable text: header, contracts, transcripts, cost."""
    model = report["model"]
    sha = (model["sha256"] or "")[:16]
    head = [f"docpipe evaluation: model {model['file'] or DASH} (sha256 {sha or DASH}), "
            f"pipeline {report['pipeline_version']}, corpus {report['corpus']}, matter "
            f"'{report['matter']}'" + (f", limit {report['limit']}" if report["limit"] is not None else "")]
    if model.get("others"):
        head.append("  other models seen: " + ", ".join(m["file"] for m in model["others"]))
    parts = [head, contracts_section(report["contracts"]),
             transcripts_section(report["transcripts"]), cost_section(report)]
    return "\n\n".join("\n".join(p) for p in parts) + "\n"
