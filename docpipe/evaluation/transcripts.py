"""Transcripts scored against QMSum summaries and AMI's abstractive annotations.

Decisions and action items: only the AMI meetings (ES2006c, ES2008b, TS3011c, TS3012b)
have them, as third-person sentences ("The industrial designer will work on look and
feel."). A labelled item counts as found when some finding of the matching field
(``decisions``, ``action_items``) contains at least MATCH_RECALL of the item's content
words (ROUGE-1 recall with stop words left out, over the finding's quote and value). A
finding counts as correct when it matches some labelled item the same way. Owners are not
scored: AMI names roles, the transcript names speakers by the same roles, and a word match
on role names would reward any turn by that speaker.

Summary: ROUGE-1/2/L F1 of the brief (its points joined) against QMSum's whole-meeting
answer (the first ``summary_general`` entry). The brief restates findings, one sentence
each; it is not written as a summary, so these figures are a floor for what a summary
stage would need to beat.
"""
from __future__ import annotations

from docpipe.evaluation import metrics

MATCH_RECALL = 0.3
LABELLED = {"decisions": "decisions", "actions": "action_items"}  # AMI key -> docpipe field


def _finding_text(finding: dict) -> str:
    return f"{finding['citation']['quote']} {finding.get('value') or ''}"


def _matches(item: str, finding: dict) -> bool:
    return metrics.content_recall(item, _finding_text(finding)) >= MATCH_RECALL


def _items(values: list[str]) -> list[str]:
    return [v for v in values if metrics.content_words(v) and v.strip(" .*").upper() != "NA"]


def score_items(items: list[str], findings: list[dict]) -> dict:
    """Recall of labelled items and precision of our findings for one field."""
    found = sum(any(_matches(item, f) for f in findings) for item in items)
    correct = sum(any(_matches(item, f) for item in items) for f in findings)
    return {"gold": len(items), "found": found, "predicted": len(findings), "correct": correct}


def brief_text(view: dict) -> str:
    return " ".join(p["text"] for p in view["brief"])


def reference_summary(labels: dict) -> str | None:
    general = labels.get("summary_general") or []
    return general[0]["answer"] if general and general[0].get("answer") else None


def score_transcript(view: dict, labels: dict) -> dict:
    """One transcript's scores; keys are absent where the labels cannot score them."""
    out: dict = {}
    ami = labels.get("ami_abstractive") or {}
    for key, field in LABELLED.items():
        items = _items(ami.get(key) or [])
        if items:
            mine = [f for f in view["findings"] if f["field"] == field]
            out[key] = score_items(items, mine)
    reference = reference_summary(labels)
    if reference:
        out["rouge"] = metrics.rouge(brief_text(view), reference)
    return out


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def aggregate(scores: list[dict]) -> dict:
    out: dict = {"documents": len(scores), "match_recall": MATCH_RECALL}
    for key in LABELLED:
        per_doc = [s[key] for s in scores if key in s]
        totals = {k: sum(d[k] for d in per_doc) for k in ("gold", "found", "predicted", "correct")}
        out[key] = {"documents": len(per_doc), **totals,
                    "recall": _ratio(totals["found"], totals["gold"]),
                    "precision": _ratio(totals["correct"], totals["predicted"])}
    rouges = [s["rouge"] for s in scores if "rouge" in s]
    out["rouge"] = {"documents": len(rouges),
                    **{k: _ratio(sum(r[k] for r in rouges), len(rouges))
                       for k in ("rouge1", "rouge2", "rougeL")}}
    return out
