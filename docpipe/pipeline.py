"""The stages, composed. Each stage takes ids, opens its own unit of work and leaves its
result in the database, so the same functions run inline (embedded default) or as Celery
tasks; a chunk's result is stored as soon as it is computed.

parse -> plan (units, budget, chunks, kind) -> map (per chunk) -> reduce (merge, verify,
brief) -> done. Bad input fails the document with its reason code; nothing is truncated
silently: a chunk whose answer was cut is re-split, and coverage says what was read.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from docpipe import PIPELINE_VERSION
from docpipe.analysis import checks, extract
from docpipe.analysis.classify import classify_by_code
from docpipe.analysis.fields import Candidate, groups
from docpipe.analysis.prompts import SYSTEM, choose_question, document_block, render_unit
from docpipe.chunking import plan_chunks, split_chunk, split_units
from docpipe.domain import Chunk, Coverage, DocumentKind, ParsedDocument, Span, Unit
from docpipe.errors import DocpipeError, InputError, ModelError
from docpipe.llm.engine import Engine, Generation, RuntimeConfig, get_engine
from docpipe.llm.model_file import resolve_model
from docpipe.parsers.base import ParserContext
from docpipe.parsers.sandbox import parse_in_child
from docpipe.settings import Settings
from docpipe.store import repository as repo
from docpipe.store.blobs import blob_path
from docpipe.store.db import session_scope
from docpipe.store.models import Run, utcnow

log = logging.getLogger(__name__)
RETRY_ALLOWANCE = 240  # tokens a failed check's notes and re-asked fields may add to a pass
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


# ---------------------------------------------------------------- models per stage

def engine_for(settings: Settings, stage: str) -> Engine:
    spec = settings.model_for(stage)
    model = resolve_model(spec, cache_dir=settings.data_dir)
    return get_engine(RuntimeConfig(
        model=model, n_ctx_requested=settings.n_ctx, kv_memory_mb=settings.kv_memory_mb,
        cache_type=settings.kv_cache_type, threads=settings.threads,
        n_gpu_layers=settings.n_gpu_layers, seed=settings.seed))


def check_models(settings: Settings) -> None:
    """Resolve (and hash-check) every stage's model before any document is touched."""
    for stage in ("classify", "map", "reduce"):
        engine_for(settings, stage)


def _account(run: Run, gen: Generation) -> None:
    run.tokens_prompt += gen.prompt_tokens
    run.tokens_evaluated += gen.evaluated_tokens
    run.tokens_generated += gen.generated_tokens
    run.llm_seconds += gen.seconds


def _timed(run: Run, stage: str, started: float) -> None:
    timings = dict(run.timings or {})
    timings[stage] = round(timings.get(stage, 0.0) + time.perf_counter() - started, 3)
    run.timings = timings


# ---------------------------------------------------------------- stage: parse

def parse_stage(settings: Settings, run_id: int) -> ParsedDocument:
    started = time.perf_counter()
    with session_scope(settings.resolved_database_url) as s:
        run = s.get(Run, run_id)
        doc = run.document
        run.stage, doc.status = "parse", "running"
        ext = Path(doc.original_name).suffix.lower()
        path = blob_path(settings.objects_dir, doc.sha256)
    parsed = parse_in_child(path, ParserContext(extension=ext), cpu_seconds=settings.parse_cpu_seconds,
                            memory_mb=settings.parse_memory_mb, wall_seconds=settings.parse_wall_seconds)
    if not any(s.text.strip() for s in parsed.spans):
        raise InputError("the document contains no text", code="no_text")
    with session_scope(settings.resolved_database_url) as s:
        run = s.get(Run, run_id)
        doc = run.document
        repo.save_pages(s, document_id=doc.id, spans=parsed.spans)
        doc.format, doc.page_count = parsed.format, parsed.page_count
        doc.turn_count = parsed.turn_count or None
        doc.meta = {**(doc.meta or {}), **json.loads(json.dumps(parsed.metadata, default=str))}
        _timed(run, "parse", started)
    return parsed


# ---------------------------------------------------------------- stage: plan

@lru_cache(maxsize=4)
def _instruction_tokens(engine: Engine, kind: DocumentKind) -> int:
    """Tokens of everything in a map prompt except the document text, at its largest: the
    longest focused pass, with a retry's error notes on top."""
    worst = 0
    for specs in groups(kind).values():
        options = {s.name: (s.question, [999_999] * 8, s.min_picks, s.max_picks) for s in specs}
        prompt = engine.format_chat(SYSTEM, document_block(kind.value, [], []) + choose_question(options))
        worst = max(worst, engine.tokenizer.count_prompt(prompt))
    return worst + RETRY_ALLOWANCE


def _units(engine: Engine, spans: list[Span]) -> list[Unit]:
    return split_units(ParsedDocument(format="stored", spans=tuple(spans)), engine.tokenizer.count)


def _rendered_cost(engine: Engine, spans: list[Span]):
    def cost(unit: Unit) -> int:
        return unit.tokens + engine.tokenizer.count(render_unit(unit, spans[unit.span_index])[: -len(unit.text) - 1] or " ")
    return cost


def plan_stage(settings: Settings, run_id: int, *, kind: DocumentKind | None,
               progress: Progress = _quiet) -> tuple[DocumentKind, int]:
    started = time.perf_counter()
    engine = engine_for(settings, "map")
    with session_scope(settings.resolved_database_url) as s:
        run = s.get(Run, run_id)
        run.stage = "plan"
        doc = run.document
        spans = repo.load_spans(s, document_id=doc.id)
        units = _units(engine, spans)
        parsed = ParsedDocument(format=doc.format or "", spans=tuple(spans),
                                kind_hint=DocumentKind.TRANSCRIPT if any(sp.turn is not None for sp in spans) else None)
        method = "override" if kind else "code"
        kind = kind or classify_by_code(parsed)
        if kind is None:
            kind, gen = extract.classify_with_model(engine_for(settings, "classify"), units[:12], spans)
            _account(run, gen)
            method = "model"
        budget = engine.n_ctx - _instruction_tokens(engine, kind) - settings.output_reserve
        if settings.chunk_tokens:
            budget = min(budget, settings.chunk_tokens)
        chunks = plan_chunks(units, spans, budget=budget, rendered_tokens=_rendered_cost(engine, spans))
        repo.save_chunks(s, run_id=run_id, chunks=chunks)
        run.kind = doc.kind = kind.value
        run.n_ctx, run.chunks_total = engine.n_ctx, len(chunks)
        run.document_tokens = sum(u.tokens for u in units)
        run.model_name, run.model_sha256 = engine.config.model.label, engine.config.model.sha256
        run.models = {stage: {"name": settings.model_for(stage).name,
                              "file": engine_for(settings, stage).config.model.label,
                              "sha256": engine_for(settings, stage).config.model.sha256}
                      for stage in ("classify", "map", "reduce")}
        run.coverage = {"kind_method": method}
        _timed(run, "plan", started)
        progress(f"plan: {kind.value} ({method}), {run.document_tokens} tokens, n_ctx {engine.n_ctx}, "
                 f"budget {budget}/chunk -> {len(chunks)} chunk(s)")
        return kind, len(chunks)


# ---------------------------------------------------------------- stage: map

def _chunk_from_record(rec, units: list[Unit], spans: list[Span]) -> Chunk:
    members = [u for u in units if rec.first_unit <= u.id <= rec.last_unit]
    return Chunk(index=rec.index, unit_ids=tuple(u.id for u in members), tokens=rec.tokens,
                 first_page=rec.first_page, last_page=rec.last_page,
                 first_turn=rec.first_turn, last_turn=rec.last_turn)


def _analyse_chunk(engine: Engine, kind: DocumentKind, chunk: Chunk, by_id: dict[int, Unit],
                   spans: list[Span], gens: list[Generation], depth: int = 0) -> dict:
    """Map one chunk: each focused pass in turn (they share the chunk's evaluated tokens).
    Halve the chunk and start again when a prompt or an answer does not fit."""
    units = [by_id[i] for i in chunk.unit_ids]
    requests = extract.map_requests(kind, units, spans)
    result = {"status": "done", "picks": {}, "candidates": {}, "failed": {}, "retried": [],
              "passes": len(requests)}
    if not requests:
        return {**result, "note": "no candidates"}
    mine: list[Generation] = []
    try:
        for request in requests:
            outcome = extract.run_pass(engine, request)
            mine.extend(outcome.gens)
            result["picks"].update(outcome.picks)
            result["failed"].update({f: {str(k): v for k, v in e.items()} for f, e in outcome.failed.items()})
            result["retried"] += outcome.retried
            result["candidates"].update({f: [asdict(c) for c in cs] for f, cs in request.candidates.items()})
    except ModelError as exc:
        gens.extend(mine)  # the tokens were spent either way
        if exc.code in ("over_context", "output_truncated") and depth < 3 and len(units) > 1:
            parts = split_chunk(chunk, by_id, spans, lambda u: u.tokens)
            results = [_analyse_chunk(engine, kind, p, by_id, spans, gens, depth + 1) for p in parts]
            return _merge_parts(results)
        return {"status": "incomplete", "picks": {}, "candidates": {}, "error": f"{exc.code}: {exc}",
                "unit_ids": list(chunk.unit_ids)}
    gens.extend(mine)
    return result


def _merge_parts(results: list[dict]) -> dict:
    merged = {"status": "done", "picks": {}, "candidates": {}, "failed": {}, "retried": [],
              "parts": len(results)}
    incomplete = [uid for r in results if r["status"] != "done" for uid in r.get("unit_ids", [])]
    for r in results:
        for f, ids in r["picks"].items():
            merged["picks"].setdefault(f, []).extend(ids)
        for f, cs in r["candidates"].items():
            merged["candidates"].setdefault(f, []).extend(cs)
        for f, errors in r.get("failed", {}).items():
            merged["failed"].setdefault(f, {}).update(errors)
        merged["retried"] += r.get("retried", [])
    if incomplete:
        merged.update(status="partial", unit_ids=incomplete,
                      error="; ".join(r["error"] for r in results if r.get("error")))
    return merged


def map_stage(settings: Settings, run_id: int, chunk_index: int, *, progress: Progress = _quiet) -> dict:
    """Analyse one chunk and store its result. Idempotent: a stored result is reused."""
    engine = engine_for(settings, "map")
    with session_scope(settings.resolved_database_url) as s:
        run = s.get(Run, run_id)
        rec = next(r for r in repo.chunk_records(s, run_id=run_id) if r.index == chunk_index)
        if rec.result is not None:
            return rec.result
        run.stage = "map"
        spans = repo.load_spans(s, document_id=run.document_id)
        kind = DocumentKind(run.kind)
    started = time.perf_counter()
    units = _units(engine, spans)
    by_id = {u.id: u for u in units}
    chunk = _chunk_from_record(rec, units, spans)
    gens: list[Generation] = []
    result = _analyse_chunk(engine, kind, chunk, by_id, spans, gens)
    with session_scope(settings.resolved_database_url) as s:
        run = s.get(Run, run_id)
        rec = next(r for r in repo.chunk_records(s, run_id=run_id) if r.index == chunk_index)
        rec.result, rec.status = result, result["status"]
        for gen in gens:
            _account(run, gen)
        run.chunks_done = sum(1 for r in repo.chunk_records(s, run_id=run_id) if r.result is not None)
        _timed(run, "map", started)
        where = _where(chunk)
        progress(f"map: chunk {chunk_index + 1}/{run.chunks_total} ({where}, {chunk.tokens} tokens) "
                 f"{result['status']} in {time.perf_counter() - started:.1f}s")
    return result


def _where(chunk: Chunk) -> str:
    if chunk.first_page is not None:
        return f"pages {chunk.first_page}-{chunk.last_page}"
    if chunk.first_turn is not None:
        return f"turns {chunk.first_turn}-{chunk.last_turn}"
    return f"units {chunk.unit_ids[0]}-{chunk.unit_ids[-1]}"


# ---------------------------------------------------------------- stage: reduce

def _coverage(spans: list[Span], units: list[Unit], results: list[dict], parsed_pages: int | None) -> Coverage:
    missing_units = {uid for r in results if r["status"] != "done" for uid in r.get("unit_ids", [])}
    missing_spans = {u.span_index for u in units if u.id in missing_units}
    pages = {s.page for s in spans if s.page is not None}
    bad_pages = {spans[i].page for i in missing_spans if spans[i].page is not None}
    turns = {s.turn for s in spans if s.turn is not None}
    bad_turns = {spans[i].turn for i in missing_spans if spans[i].turn is not None}
    pages_total = parsed_pages if parsed_pages is not None else (len(pages) or None)
    pages_done = (pages_total - len(bad_pages)) if pages_total is not None else None
    turns_total = len(turns) or None
    turns_done = (turns_total - len(bad_turns)) if turns_total else None
    if pages_total is not None:
        unit, total, done = "page", pages_total, pages_done
    elif turns_total:
        unit, total, done = "turn", turns_total, turns_done
    else:
        unit, total, done = "span", len(spans), len(spans) - len(missing_spans)
    return Coverage(unit=unit, total=total, processed=done, pages_total=pages_total,
                    pages_processed=pages_done, turns_total=turns_total, turns_processed=turns_done)


def reduce_stage(settings: Settings, run_id: int, *, progress: Progress = _quiet) -> None:
    started = time.perf_counter()
    engine = engine_for(settings, "reduce")
    with session_scope(settings.resolved_database_url) as s:
        run = s.get(Run, run_id)
        run.stage = "reduce"
        doc = run.document
        spans = repo.load_spans(s, document_id=doc.id)
        records = repo.chunk_records(s, run_id=run_id)
        kind = DocumentKind(run.kind)
        results = [r.result for r in records]
        page_count = doc.page_count
    units = _units(engine_for(settings, "map"), spans)
    by_id = {u.id: u for u in units}
    chosen = [r["picks"] for r in results]
    cands = [{f: [Candidate(**c) for c in cs] for f, cs in r["candidates"].items()} for r in results]
    failed = [r.get("failed", {}) for r in results]
    findings = extract.build_findings(kind, chosen, cands, by_id, spans, failed)
    findings, crossed = checks.check_document(findings)
    disputes = extract.conflicts(findings) + crossed
    disputed = {name for c in disputes for name in c["field"].split("/")}
    sources = extract.brief_sources(findings, [(u, spans[u.span_index]) for u in units[:3]], kind=kind,
                                    disputed=disputed, limit=settings.brief_points)
    alerts = extract.injection_alerts(units, spans)
    warnings = [f"chunk {rec.index}: {r.get('error')}" for rec, r in zip(records, results) if r["status"] != "done"]
    try:
        points, gens = extract.run_brief(engine, kind, sources, spans)
        points += extract.conflict_points(disputes, findings, spans)
    except ModelError as exc:
        points, gens = [], []
        warnings.append(f"brief: {exc}")
    coverage = _coverage(spans, units, results, page_count)
    with session_scope(settings.resolved_database_url) as s:
        run = s.get(Run, run_id)
        doc = run.document
        for gen in gens:
            _account(run, gen)
        brief = [{**p, "citation": asdict(p["citation"])} for p in points]
        repo.save_findings(s, run=run, findings=findings)
        repo.save_summary(s, run=run, kind=kind.value, brief=brief,
                          not_found=extract.not_found(kind, findings),
                          conflicts=disputes)
        run.coverage = {**(run.coverage or {}), **asdict(coverage), "complete": coverage.complete,
                        "warnings": warnings, "alerts": alerts}
        run.status, run.stage, run.finished_at = "done", "done", utcnow()
        doc.status, doc.error_code, doc.error_message = "done", None, None
        _timed(run, "reduce", started)
        verified = sum(f.verified for f in findings)
        progress(f"reduce: {len(findings)} findings ({verified} verified), {len(brief)} brief points, "
                 f"coverage {coverage.processed}/{coverage.total} {coverage.unit}s"
                 + (f", {len(disputes)} conflict(s)" if disputes else "")
                 + (f", ALERT: {len(alerts)} passage(s) written to an AI model" if alerts else ""))


# ---------------------------------------------------------------- composition

def start_run(settings: Settings, document_id: int) -> int:
    with session_scope(settings.resolved_database_url) as s:
        return repo.create_run(s, document_id=document_id, pipeline_version=PIPELINE_VERSION).id


def record_failure(settings: Settings, run_id: int, error: DocpipeError) -> None:
    with session_scope(settings.resolved_database_url) as s:
        run = s.get(Run, run_id)
        repo.fail(s, document=run.document, run=run, code=error.code, message=str(error))


def analyse_document(settings: Settings, document_id: int, *, kind: DocumentKind | None = None,
                     progress: Progress = _quiet) -> int:
    """Run every stage inline. Returns the run id; the outcome is in the database.

    Bad input and model faults end the document as failed with a reason; anything else is a
    bug, recorded the same way and then re-raised.
    """
    run_id = start_run(settings, document_id)
    total = time.perf_counter()
    try:
        parsed = parse_stage(settings, run_id)
        where = f"{parsed.page_count} pages" if parsed.page_count else f"{len(parsed.spans)} spans"
        progress(f"parse: {parsed.format}, {where}")
        kind, n_chunks = plan_stage(settings, run_id, kind=kind, progress=progress)
        for index in range(n_chunks):
            map_stage(settings, run_id, index, progress=progress)
        reduce_stage(settings, run_id, progress=progress)
    except DocpipeError as exc:
        record_failure(settings, run_id, exc)
    except Exception as exc:
        record_failure(settings, run_id, DocpipeError(f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        with session_scope(settings.resolved_database_url) as s:
            run = s.get(Run, run_id)
            _timed(run, "total", total)
    return run_id
