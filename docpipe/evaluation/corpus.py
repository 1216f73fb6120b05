"""The labelled corpus and the evaluation report: which documents, in what order, what is
kept of each scored document, and the totals. Running the pipeline on them is the
service's job (``docpipe.services.evaluation``).

The corpus has the shared layout: ``contracts/`` (each CUAD contract as ``.pdf``/``.PDF``
plus CUAD's ``.txt`` that the labels point into; the PDF is what we analyse),
``transcripts/*.txt`` and ``labels/contract_clauses.json``,
``labels/transcript_labels.json``. Every document is taken into the matter (default
"eval") and analysed afresh, so a second run, or a run on another model
(``DOCPIPE_MODEL_PATH``), adds a new run whose scores are its own. Documents go shortest
first, alternating contract and transcript, so ``limit`` picks a quick, mixed sample.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain, zip_longest
from pathlib import Path

from docpipe import PIPELINE_VERSION
from docpipe.domain import DocumentKind, DocumentStatus
from docpipe.evaluation import cuad, transcripts

Progress = Callable[[str], None]
CONTRACT_LABELS = Path("labels") / "contract_clauses.json"
TRANSCRIPT_LABELS = Path("labels") / "transcript_labels.json"


@dataclass(frozen=True)
class CorpusItem:
    kind: DocumentKind
    path: Path  # the file analysed
    label_key: str  # its key in the labels file
    labels: dict | None
    reference_text: Path | None = None  # the CUAD .txt the clause offsets point into


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def corpus_items(corpus_dir: Path) -> list[CorpusItem]:
    """The documents to evaluate, in evaluation order."""
    clause_labels = _read_json(corpus_dir / CONTRACT_LABELS)
    transcript_labels = _read_json(corpus_dir / TRANSCRIPT_LABELS)
    contracts = []
    for pdf in sorted((corpus_dir / "contracts").glob("*")):
        if pdf.suffix.lower() == ".pdf" and pdf.is_file():
            key = pdf.stem + ".txt"
            txt = pdf.with_name(key)
            contracts.append(CorpusItem(DocumentKind.CONTRACT, pdf, key, clause_labels.get(key),
                                        txt if txt.is_file() else None))
    talks = [CorpusItem(DocumentKind.TRANSCRIPT, path, path.name, transcript_labels.get(path.name))
             for path in sorted((corpus_dir / "transcripts").glob("*.txt"))]
    contracts.sort(key=lambda i: ((i.labels or {}).get("txt_words") or i.path.stat().st_size, i.path.name))
    talks.sort(key=lambda i: (i.path.stat().st_size, i.path.name))
    return [i for i in chain.from_iterable(zip_longest(contracts, talks)) if i is not None]


def _schema_errors(view: dict) -> int:
    warnings = (view.get("coverage") or {}).get("warnings") or []
    failed = (view.get("error") or {}).get("code") == "schema_invalid"
    return sum("schema_invalid" in w for w in warnings) + int(failed)


def _cost(run: dict | None) -> dict:
    if not run:
        return {"tokens_document": 0, "tokens_evaluated": 0, "tokens_generated": 0,
                "seconds": 0.0, "llm_seconds": 0.0}
    return {"tokens_document": run["tokens"]["document"] or 0,
            "tokens_evaluated": run["tokens"]["evaluated"] or 0,
            "tokens_generated": run["tokens"]["generated"] or 0,
            "seconds": round((run.get("timings") or {}).get("total", 0.0), 2),
            "llm_seconds": run["llm_seconds"]}


def _scores(item: CorpusItem, view: dict) -> dict | None:
    if item.labels is None:
        return None
    if item.kind is DocumentKind.CONTRACT:
        if item.reference_text is None:
            return None
        txt = item.reference_text.read_text(encoding="utf-8")
        return cuad.score_contract(view, item.labels.get("clauses") or {}, txt)
    return transcripts.score_transcript(view, item.labels)


def document_record(item: CorpusItem, view: dict) -> dict:
    """What the report keeps of one document: outcome, quality, cost and its scores."""
    cov = view.get("coverage") or {}
    run = view.get("run") or {}
    return {
        "name": item.path.name, "document_id": view["id"], "expected_kind": item.kind.value,
        "kind": view["kind"], "status": view["status"], "error": view["error"],
        "model": {"file": run.get("model"), "sha256": run.get("model_sha256")},
        "models": run.get("models"),
        "coverage": {k: cov.get(k) for k in ("unit", "processed", "total")} if cov else None,
        "citations": view["verification"] or {"verified": 0, "total": 0},
        "schema_errors": _schema_errors(view), "cost": _cost(view.get("run")),
        "scores": _scores(item, view),
    }


def _quality(docs: list[dict]) -> dict:
    """What every kind shares: runs done, schema validity, citations, coverage."""
    done = [d for d in docs if d["status"] == DocumentStatus.DONE]
    verified = sum(d["citations"]["verified"] for d in docs)
    cited = sum(d["citations"]["total"] for d in docs)
    units = {}
    for d in docs:
        cov = d["coverage"]
        if cov and cov.get("total") is not None:
            got = units.setdefault(cov["unit"], {"processed": 0, "total": 0})
            got["processed"] += cov["processed"] or 0
            got["total"] += cov["total"]
    return {
        "runs": {"done": len(done), "total": len(docs)},
        "kind_correct": sum(d["kind"] == d["expected_kind"] for d in docs),
        "schema": {"valid": sum(d["schema_errors"] == 0 for d in done), "total": len(docs),
                   "errors": sum(d["schema_errors"] for d in docs)},
        "citations": {"verified": verified, "total": cited,
                      "rate": round(verified / cited, 4) if cited else None},
        "coverage": units,
    }


def _cost_totals(docs: list[dict]) -> dict:
    keys = ("tokens_document", "tokens_evaluated", "tokens_generated", "seconds", "llm_seconds")
    totals = {k: round(sum(d["cost"][k] for d in docs), 2) for k in keys}
    return {"documents": len(docs), **totals,
            "seconds_per_document": round(totals["seconds"] / len(docs), 2) if docs else None}


def _model(docs: list[dict]) -> dict:
    seen = list({(d["model"]["file"], d["model"]["sha256"]): None for d in docs
                 if d["model"]["file"]})
    first = seen[0] if seen else (None, None)
    models = next((d["models"] for d in docs if d["models"]), None)
    return {"file": first[0], "sha256": first[1], "by_stage": models,
            "others": [{"file": f, "sha256": s} for f, s in seen[1:]]}


def build_report(docs: list[dict], *, corpus_dir: Path, matter: str, limit: int | None) -> dict:
    contracts = [d for d in docs if d["expected_kind"] == "contract"]
    talks = [d for d in docs if d["expected_kind"] == "transcript"]
    scored_c = [d["scores"] for d in contracts if d["scores"] is not None]
    scored_t = [d["scores"] for d in talks if d["scores"] is not None]
    return {
        "model": _model(docs), "pipeline_version": PIPELINE_VERSION,
        "corpus": str(corpus_dir), "matter": matter, "limit": limit,
        "contracts": {**_quality(contracts), **cuad.aggregate(scored_c)},
        "transcripts": {**_quality(talks), **transcripts.aggregate(scored_t)},
        "cost": _cost_totals(docs),
        "documents": docs,
    }


def record_path(records: Path, item: CorpusItem) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in item.path.name)
    return records / f"{item.kind.value}-{safe}.json"


def saved_record(records: Path | None, item: CorpusItem, model_sha256: str) -> dict | None:
    """A document's record from an earlier run with the same model and pipeline version."""
    if records is None:
        return None
    path = record_path(records, item)
    if not path.is_file():
        return None
    saved = json.loads(path.read_text(encoding="utf-8"))
    if saved.get("pipeline_version") != PIPELINE_VERSION or saved.get("model_sha256") != model_sha256:
        return None
    return saved["record"]




def save_record(records: Path, item: CorpusItem, record: dict, model_sha256: str) -> None:
    record_path(records, item).write_text(json.dumps(
        {"pipeline_version": PIPELINE_VERSION, "model_sha256": model_sha256, "record": record},
        indent=1, default=str), encoding="utf-8")
