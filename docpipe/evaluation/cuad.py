"""Contracts scored against CUAD's clause labels.

CUAD labels 41 categories per contract, each with spans (character offsets into CUAD's
``.txt``) and a normalised answer. docpipe has one contract field per category (see
``docpipe.analysis.fields``: the field's ``cuad``), beside its broader brief fields (term and
renewal, termination, payment, liability, obligations, risks), which no category scores.

Clause detection: each finding's quote is located in the ``.txt`` (see
:func:`docpipe.evaluation.metrics.locate_quote`). For category C answered by field F,
recall is the share of CUAD's spans of C that some located finding of F overlaps; precision
is the share of located findings of F that overlap a span of C. Findings whose quote cannot
be located are left out of precision and counted as "unlocated".

Beside it, CUAD's own position-blind rule (``cuad_rule``): a finding's quote matches a
labelled text at word-level Jaccard >= 0.5 (Parties: also by containment). The overlap
figures are kept for continuity; they flatter long quotes that touch a short label.
"""
from __future__ import annotations

from docpipe.analysis.fields import CUAD_FIELDS
from docpipe.evaluation import cuad_rule, metrics

# CUAD's 41 categories, in the order of its labels file.
CUAD_CATEGORIES = (
    "Document Name", "Parties", "Agreement Date", "Effective Date", "Expiration Date", "Renewal Term",
    "Notice Period To Terminate Renewal", "Governing Law", "Most Favored Nation", "Competitive Restriction Exception",
    "Non-Compete", "Exclusivity", "No-Solicit Of Customers", "No-Solicit Of Employees", "Non-Disparagement",
    "Termination For Convenience", "Rofr/Rofo/Rofn", "Change Of Control", "Anti-Assignment",
    "Revenue/Profit Sharing", "Price Restrictions", "Minimum Commitment", "Volume Restriction",
    "Ip Ownership Assignment", "Joint Ip Ownership", "License Grant", "Non-Transferable License",
    "Affiliate License-Licensor", "Affiliate License-Licensee", "Unlimited/All-You-Can-Eat-License",
    "Irrevocable Or Perpetual License", "Source Code Escrow", "Post-Termination Services", "Audit Rights",
    "Uncapped Liability", "Cap On Liability", "Liquidated Damages", "Warranty Duration", "Insurance",
    "Covenant Not To Sue", "Third Party Beneficiary",
)

# CUAD category -> the docpipe contract field that answers it (one each; defined with the
# fields, docpipe.analysis.fields). The one place.
CATEGORY_FIELDS: dict[str, str | None] = {cat: CUAD_FIELDS.get(cat) for cat in CUAD_CATEGORIES}

# Categories whose CUAD answer is a value docpipe normalises, and how to compare it.
VALUE_KINDS: dict[str, str] = {
    "Parties": "parties",
    "Agreement Date": "date",
    "Expiration Date": "date",
    "Effective Date": "date",
    "Governing Law": "law",
    "Renewal Term": "duration",
    "Notice Period To Terminate Renewal": "duration",
}


def categories_of(field: str) -> list[str]:
    return [cat for cat, f in CATEGORY_FIELDS.items() if f == field]


def locate_findings(view: dict, index: metrics.TextIndex) -> list[dict]:
    """Each finding with its (start, end) in the CUAD text, or None where not found."""
    pages = (view.get("coverage") or {}).get("pages_total") or 0
    out = []
    for f in view["findings"]:
        page = f["citation"].get("page")
        near = (page - 0.5) / pages if page and pages else None
        span = metrics.locate_quote(index, f["citation"]["quote"], near=near)
        out.append({"field": f["field"], "value": f["value"], "normalized": f["normalized"],
                    "quote": f["citation"]["quote"], "span": span})
    return out


def gold_spans(clause: dict) -> list[list[tuple[int, int]]]:
    """CUAD's spans for one category, each as its pieces' (start, end)."""
    return [[(p["start"], p["end"]) for p in span["pieces"]] for span in clause.get("spans", [])]


def _category(category: str, field: str | None, spans: list[list[tuple[int, int]]], located: list[dict],
              txt: str) -> dict:
    row = {"field": field, "gold": len(spans)}
    if field is None:
        return row
    mine = [f["span"] for f in located if f["field"] == field and f["span"] is not None]
    pieces = [p for span in spans for p in span]
    row["found"] = sum(any(metrics.overlaps_any(s, span) for s in mine) for span in spans)
    row["predicted"] = len(mine)
    row["correct"] = sum(metrics.overlaps_any(s, pieces) for s in mine)
    # CUAD's own rule, by text (every finding of the field, located or not)
    labelled = [" ".join(txt[a:b] for a, b in span) for span in spans]
    c = cuad_rule.count([f["quote"] for f in located if f["field"] == field], labelled, category)
    row["cuad"] = [c.tp, c.fp, c.fn]
    return row


def _field(field: str, clauses: dict, located: list[dict]) -> dict:
    pieces = [p for cat in categories_of(field) for span in gold_spans(clauses.get(cat, {}))
              for p in span]
    mine = [f for f in located if f["field"] == field]
    spans = [f["span"] for f in mine if f["span"] is not None]
    return {"predicted": len(spans), "unlocated": len(mine) - len(spans),
            "correct": sum(metrics.overlaps_any(s, pieces) for s in spans)}


def value_score(kind: str, answer: str, predicted: str | None) -> float | None:
    """How well one predicted normalised value matches CUAD's answer (0..1); None when
    CUAD's answer has no comparable form (blank, '[]/[]/[][]', 'perpetual')."""
    if kind == "date":
        gold = metrics.cuad_date(answer)
        return None if gold is None else float(metrics.dates_match(gold, predicted))
    if kind == "parties":
        gold_names = metrics.cuad_parties(answer)
        names = [n for n in (predicted or "").split(";") if n.strip()]
        return metrics.parties_recall(gold_names, names) if gold_names else None
    if kind == "law":
        return float(metrics.law_matches(answer, predicted)) if answer.strip() else None
    if kind == "duration":
        gold = metrics.cuad_durations(answer)
        return float(metrics.iso_duration_days(predicted) in gold) if gold else None
    raise ValueError(f"unknown value kind {kind!r}")


def _value(category: str, answer: str, findings: list[dict]) -> dict | None:
    kind = VALUE_KINDS[category]
    if value_score(kind, answer, None) is None:
        return None
    field = CATEGORY_FIELDS[category]
    values = [f["normalized"] for f in findings if f["field"] == field and f["normalized"]]
    scores = [value_score(kind, answer, v) for v in values]
    return {"gold": answer, "predicted": values, "first": scores[0] if scores else 0.0,
            "any": max(scores, default=0.0)}


def score_contract(view: dict, clauses: dict, txt: str) -> dict:
    """One contract's scores: per category, per field, per normalised value."""
    located = locate_findings(view, metrics.TextIndex.of(txt))
    categories = {cat: _category(cat, field, gold_spans(clauses.get(cat, {})), located, txt)
                  for cat, field in CATEGORY_FIELDS.items()}
    fields = {f: _field(f, clauses, located) for f in dict.fromkeys(
        [f["field"] for f in located] + [f for f in CATEGORY_FIELDS.values() if f])}
    values = {}
    for cat in VALUE_KINDS:
        scored = _value(cat, (clauses.get(cat) or {}).get("answer") or "", view["findings"])
        if scored is not None:
            values[cat] = scored
    return {"located": sum(f["span"] is not None for f in located), "findings": len(located),
            "categories": categories, "fields": fields, "values": values}


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def _category_rows(scores: list[dict]) -> list[dict]:
    rows = []
    for cat, field in CATEGORY_FIELDS.items():
        per_doc = [s["categories"][cat] for s in scores]
        row = {"category": cat, "field": field, "documents": sum(d["gold"] > 0 for d in per_doc),
               "gold": sum(d["gold"] for d in per_doc)}
        if field is not None:
            for key in ("found", "predicted", "correct"):
                row[key] = sum(d[key] for d in per_doc)
            row["recall"] = _ratio(row["found"], row["gold"])
            row["precision"] = _ratio(row["correct"], row["predicted"])
            if all("cuad" in d for d in per_doc):  # records saved before the rule have none
                tp, fp, fn = (sum(d["cuad"][i] for d in per_doc) for i in range(3))
                row["cuad_recall"], row["cuad_precision"] = _ratio(tp, tp + fn), _ratio(tp, tp + fp)
        rows.append(row)
    return rows


def _field_rows(scores: list[dict]) -> list[dict]:
    names = list(dict.fromkeys(f for s in scores for f in s["fields"]))
    rows = []
    for field in names:
        per_doc = [s["fields"][field] for s in scores if field in s["fields"]]
        row = {"field": field, "categories": categories_of(field)}
        for key in ("predicted", "correct", "unlocated"):
            row[key] = sum(d[key] for d in per_doc)
        row["precision"] = _ratio(row["correct"], row["predicted"]) if row["categories"] else None
        rows.append(row)
    return rows


def _value_rows(scores: list[dict]) -> list[dict]:
    rows = []
    for cat, kind in VALUE_KINDS.items():
        per_doc = [s["values"][cat] for s in scores if cat in s["values"]]
        rows.append({"category": cat, "field": CATEGORY_FIELDS[cat], "compare": kind,
                     "documents": len(per_doc),
                     "first": _ratio(sum(d["first"] for d in per_doc), len(per_doc)),
                     "any": _ratio(sum(d["any"] for d in per_doc), len(per_doc))})
    return rows


def aggregate(scores: list[dict]) -> dict:
    """Totals over the scored contracts (sums of counts, then ratios)."""
    located = sum(s["located"] for s in scores)
    total = sum(s["findings"] for s in scores)
    covered = [c for c, f in CATEGORY_FIELDS.items() if f]
    return {"documents": len(scores), "quotes_located": {"located": located, "total": total},
            "categories_covered": {"covered": len(covered), "total": len(CATEGORY_FIELDS)},
            "categories": _category_rows(scores), "fields": _field_rows(scores),
            "values": _value_rows(scores)}
