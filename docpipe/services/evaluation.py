"""`docpipe eval`: run the pipeline over a labelled corpus and score what it found.

Every document is taken into the matter (default "eval") and analysed afresh, so a second
run, or a run on another model (``DOCPIPE_MODEL_PATH``), adds a new run whose scores are
its own. The corpus, the order and the report are ``docpipe.evaluation``'s.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from docpipe.errors import NO_INPUT, InputError
from docpipe.evaluation.report import format_table
from docpipe.evaluation.corpus import CorpusItem, build_report, corpus_items, document_record, save_record, saved_record
from docpipe.pipeline.engines import check_models, engine_for
from docpipe.pipeline.intake import take_in
from docpipe.services import documents, ingest
from docpipe.services.caller import Action, Caller, require
from docpipe.services.operations import ready
from docpipe.settings import Settings

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def evaluate_item(settings: Settings, caller: Caller, item: CorpusItem, *, matter: str,
                  progress: Progress = _quiet) -> dict:
    """Analyse one corpus document afresh (inline, a new run) and keep its record."""
    took = take_in(settings, item.path, matter=matter)
    outcome = ingest.run_inline(settings, took.document_id, progress=progress)
    if outcome.error_code and outcome.bug:
        progress(f"FAILED with a bug, recorded on the document: {outcome.error_message}")
    return document_record(item, documents.show(settings, caller, took.document_id))


def run_eval(settings: Settings, caller: Caller, corpus_dir: Path, *, limit: int | None = None,
             progress: Progress = _quiet, matter: str = "eval", records: Path | None = None) -> dict:
    """Analyse the corpus with the configured model and score it; a JSON-able report.

    With ``records``, each document's record is written there as soon as it is scored, and
    a record left by an earlier run with the same model (sha256) and pipeline version is
    reused instead of analysing the document again: a long evaluation can be stopped and
    resumed, or spread over several sessions.
    """
    require(caller, Action.OPERATE)
    corpus_dir = Path(corpus_dir)
    items = corpus_items(corpus_dir)
    if limit is not None:
        items = items[:max(limit, 0)]
    if not items:
        raise InputError(f"no contracts (PDF) or transcripts (.txt) under {corpus_dir}",
                         code=NO_INPUT)
    ready(settings)
    check_models(settings)
    model_sha256 = engine_for(settings, "map").config.model.sha256
    if records is not None:
        records.mkdir(parents=True, exist_ok=True)
    docs = []
    for number, item in enumerate(items, start=1):
        label = f"[{number}/{len(items)}] {item.path.name}"
        saved = saved_record(records, item, model_sha256)
        if saved is not None:
            progress(f"{label}: reused the record in {records}")
            docs.append(saved)
            continue
        progress(f"{label}: {item.kind.value}")
        record = evaluate_item(settings, caller, item, matter=matter,
                               progress=lambda msg, label=label: progress(f"{label}: {msg}"))
        docs.append(record)
        if records is not None:
            save_record(records, item, record, model_sha256)
    return build_report(docs, corpus_dir=corpus_dir, matter=matter, limit=limit)


def main_eval(settings: Settings, caller: Caller, corpus_dir: Path, *, limit: int | None = None,
              as_json: bool = False, progress: Progress = _quiet, records: Path | None = None) -> str:
    """The text `docpipe eval DIR [--limit N] [--json] [--records DIR]` prints."""
    report = run_eval(settings, caller, corpus_dir, limit=limit, progress=progress, records=records)
    return json.dumps(report, indent=2, default=str) if as_json else format_table(report)
