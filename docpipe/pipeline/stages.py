"""The stages, composed. Each stage takes ids, opens its own unit of work and leaves its
result in the store, so the same functions run inline (embedded default) or as units of
work on the fleet; a chunk's result is stored as soon as it is computed.

parse -> plan (units, budget, chunks, kind) -> map (per chunk) -> reduce (merge, verify,
brief) -> done. Bad input fails the document with its reason code; nothing is truncated
silently: a chunk whose answer was cut is re-split, and coverage says what was read.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from docpipe import PIPELINE_VERSION
from docpipe.analysis import brief, checks, findings as found
from docpipe.analysis.classify import classify_by_code, classify_with_model
from docpipe.analysis.fields import Candidate

from docpipe.chunking import plan_chunks
from docpipe.domain import ChunkStatus, DocumentKind, ParsedDocument, Stage
from docpipe.errors import INTERNAL_ERROR, NO_TEXT, DocpipeError, InputError, ModelError
from docpipe.parsers.base import ParserContext
from docpipe.parsers.sandbox import parse_in_child
from docpipe.pipeline.originals import open_original
from docpipe.pipeline.engines import engine_for, stage_models
from docpipe.pipeline.mapping import (
    analyse_chunk, chunk_from_state, coverage_of, instruction_tokens, rendered_cost, units_of, usage_of, where,
)
from docpipe.settings import Settings
from docpipe.store import documents, runs
from docpipe.store.db import session_scope

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def _elapsed(session, run_id: int, stage: str, started: float) -> None:
    runs.add_timing(session, run_id=run_id, stage=stage, seconds=time.perf_counter() - started)


# ---------------------------------------------------------------- stage: parse

def parse_stage(settings: Settings, run_id: int) -> ParsedDocument:
    started = time.perf_counter()
    with session_scope(settings.resolved_database_url) as s:
        runs.enter_stage(s, run_id=run_id, stage=Stage.PARSE)
        doc = runs.run_document(s, run_id=run_id)
    with open_original(settings, doc.id) as path:
        parsed = parse_in_child(path, ParserContext(extension=Path(doc.original_name).suffix.lower()),
                                cpu_seconds=settings.parse_cpu_seconds, memory_mb=settings.parse_memory_mb,
                                wall_seconds=settings.parse_wall_seconds)
    if not any(s.text.strip() for s in parsed.spans):
        raise InputError("the document contains no text", code=NO_TEXT)
    with session_scope(settings.resolved_database_url) as s:
        documents.save_parse(s, document_id=doc.id, spans=parsed.spans, format=parsed.format,
                             page_count=parsed.page_count, turn_count=parsed.turn_count or None,
                             metadata=parsed.metadata)
        _elapsed(s, run_id, "parse", started)
    return parsed


# ---------------------------------------------------------------- stage: plan

def plan_stage(settings: Settings, run_id: int, *, kind: DocumentKind | None,
               progress: Progress = _quiet) -> tuple[DocumentKind, int]:
    started = time.perf_counter()
    engine = engine_for(settings, "map")
    with session_scope(settings.resolved_database_url) as s:
        runs.enter_stage(s, run_id=run_id, stage=Stage.PLAN)
        doc = runs.run_document(s, run_id=run_id)
        spans = documents.load_spans(s, document_id=doc.id)
        units = units_of(engine, spans)
        parsed = ParsedDocument(format=doc.format or "", spans=tuple(spans),
                                kind_hint=DocumentKind.TRANSCRIPT if any(sp.turn is not None for sp in spans) else None)
        method = "override" if kind else "code"
        kind = kind or classify_by_code(parsed)
        if kind is None:
            kind, gen = classify_with_model(engine_for(settings, "classify"), units[:12], spans)
            runs.add_usage(s, run_id=run_id, usage=usage_of([gen]))
            method = "model"
        budget = engine.n_ctx - instruction_tokens(engine, kind) - settings.output_reserve
        if settings.chunk_tokens:
            budget = min(budget, settings.chunk_tokens)
        chunks = plan_chunks(units, spans, budget=budget, rendered_tokens=rendered_cost(engine, spans))
        document_tokens = sum(u.tokens for u in units)
        runs.save_plan(s, run_id=run_id, kind=kind, chunks=chunks, n_ctx=engine.n_ctx,
                       document_tokens=document_tokens, model_label=engine.config.model.label,
                       model_sha256=engine.config.model.sha256, models=stage_models(settings),
                       kind_method=method)
        _elapsed(s, run_id, "plan", started)
    progress(f"plan: {kind.value} ({method}), {document_tokens} tokens, n_ctx {engine.n_ctx}, "
             f"budget {budget}/chunk -> {len(chunks)} chunk(s)")
    return kind, len(chunks)


# ---------------------------------------------------------------- stage: map

def map_stage(settings: Settings, run_id: int, chunk_index: int, *, progress: Progress = _quiet) -> dict:
    """Analyse one chunk and store its result. Idempotent: a stored result is reused."""
    engine = engine_for(settings, "map")
    with session_scope(settings.resolved_database_url) as s:
        state = runs.chunk_state(s, run_id=run_id, index=chunk_index)
        if state.result is not None:
            return state.result
        runs.enter_stage(s, run_id=run_id, stage=Stage.MAP)
        run = runs.get_run(s, run_id=run_id)
        spans = documents.load_spans(s, document_id=run.document_id)
    started = time.perf_counter()
    units = units_of(engine, spans)
    chunk = chunk_from_state(state, units)
    gens: list = []
    result = analyse_chunk(engine, DocumentKind(run.kind), chunk, {u.id: u for u in units}, spans, gens)
    with session_scope(settings.resolved_database_url) as s:
        runs.save_chunk_result(s, run_id=run_id, index=chunk_index, result=result,
                               status=ChunkStatus(result["status"]))
        runs.add_usage(s, run_id=run_id, usage=usage_of(gens))
        _elapsed(s, run_id, "map", started)
    progress(f"map: chunk {chunk_index + 1}/{run.chunks_total} ({where(chunk)}, {chunk.tokens} tokens) "
             f"{result['status']} in {time.perf_counter() - started:.1f}s")
    return result


# ---------------------------------------------------------------- stage: reduce

def reduce_stage(settings: Settings, run_id: int, *, progress: Progress = _quiet) -> None:
    started = time.perf_counter()
    engine = engine_for(settings, "reduce")
    with session_scope(settings.resolved_database_url) as s:
        runs.enter_stage(s, run_id=run_id, stage=Stage.REDUCE)
        run = runs.get_run(s, run_id=run_id)
        doc = runs.run_document(s, run_id=run_id)
        spans = documents.load_spans(s, document_id=doc.id)
        states = runs.chunk_states(s, run_id=run_id)
    kind = DocumentKind(run.kind)
    results = [c.result for c in states]
    units = units_of(engine_for(settings, "map"), spans)
    by_id = {u.id: u for u in units}
    chosen = [r["picks"] for r in results]
    cands = [{f: [Candidate(**c) for c in cs] for f, cs in r["candidates"].items()} for r in results]
    failed = [r.get("failed", {}) for r in results]
    facts = found.build_findings(kind, chosen, cands, by_id, spans, failed)
    facts, crossed = checks.check_document(facts)
    disputes = found.conflicts(facts) + crossed
    disputed = {name for c in disputes for name in c["field"].split("/")}
    sources = brief.brief_sources(facts, [(u, spans[u.span_index]) for u in units[:3]], kind=kind,
                                  disputed=disputed, limit=settings.brief_points)
    alerts = found.injection_alerts(units, spans)
    warnings = [f"chunk {c.index}: {r.get('error')}" for c, r in zip(states, results) if r["status"] != ChunkStatus.DONE]
    try:
        points, gens = brief.run_brief(engine, kind, sources, spans)
        points += brief.conflict_points(disputes, facts, spans)
    except ModelError as exc:
        points, gens = [], []
        warnings.append(f"brief: {exc}")
    coverage = coverage_of(spans, units, results, doc.page_count)
    points = [{**p, "citation": asdict(p["citation"])} for p in points]
    with session_scope(settings.resolved_database_url) as s:
        runs.add_usage(s, run_id=run_id, usage=usage_of(gens))
        runs.finish_run(s, run_id=run_id, findings=facts, brief=points,
                        not_found=found.not_found(kind, facts), conflicts=disputes,
                        coverage={**asdict(coverage), "complete": coverage.complete,
                                  "warnings": warnings, "alerts": alerts})
        _elapsed(s, run_id, "reduce", started)
    verified = sum(f.verified for f in facts)
    progress(f"reduce: {len(facts)} findings ({verified} verified), {len(points)} brief points, "
             f"coverage {coverage.processed}/{coverage.total} {coverage.unit}s"
             + (f", {len(disputes)} conflict(s)" if disputes else "")
             + (f", ALERT: {len(alerts)} passage(s) written to an AI model" if alerts else ""))


# ---------------------------------------------------------------- composition

def start_run(settings: Settings, document_id: int, *, queued: bool = False,
              kind: DocumentKind | None = None) -> int:
    """A new run of the document: started here, or queued for the workers."""
    with session_scope(settings.resolved_database_url) as s:
        return runs.create_run(s, document_id=document_id, pipeline_version=PIPELINE_VERSION,
                               queued=queued, kind=kind)


def record_failure(settings: Settings, run_id: int, error: DocpipeError) -> None:
    with session_scope(settings.resolved_database_url) as s:
        runs.fail_run(s, run_id=run_id, code=error.code, message=str(error))


def analyse_document(settings: Settings, document_id: int, *, kind: DocumentKind | None = None,
                     progress: Progress = _quiet, run_id: int | None = None) -> int:
    """Run every stage inline (in ``run_id``, a run recorded as queued for this process, or
    a new one). Returns the run id; the outcome is in the store.

    Bad input and model faults end the document as failed with a reason; anything else is a
    bug, recorded the same way (``internal_error``) and then re-raised.
    """
    run_id = run_id if run_id is not None else start_run(settings, document_id)
    total = time.perf_counter()
    try:
        parsed = parse_stage(settings, run_id)
        size = f"{parsed.page_count} pages" if parsed.page_count else f"{len(parsed.spans)} spans"
        progress(f"parse: {parsed.format}, {size}")
        kind, n_chunks = plan_stage(settings, run_id, kind=kind, progress=progress)
        for index in range(n_chunks):
            map_stage(settings, run_id, index, progress=progress)
        reduce_stage(settings, run_id, progress=progress)
    except DocpipeError as exc:
        record_failure(settings, run_id, exc)
    except Exception as exc:
        record_failure(settings, run_id, DocpipeError(f"{type(exc).__name__}: {exc}", code=INTERNAL_ERROR))
        raise
    finally:
        with session_scope(settings.resolved_database_url) as s:
            _elapsed(s, run_id, "total", total)
    return run_id
