"""The map work on one chunk, and what the plan and reduce stages need to rebuild chunks
from their stored form: units, their rendered cost, coverage."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from functools import lru_cache

from docpipe.analysis.fields import groups
from docpipe.analysis.passes import map_requests, run_pass
from docpipe.analysis.prompts import SYSTEM, choose_question, document_block, render_unit
from docpipe.chunking import split_chunk, split_units
from docpipe.domain import Chunk, ChunkStatus, Coverage, DocumentKind, ParsedDocument, Span, Unit, Usage
from docpipe.errors import OUTPUT_TRUNCATED, OVER_CONTEXT, ModelError
from docpipe.llm.engine import Engine, Generation
from docpipe.store.records import ChunkState

RETRY_ALLOWANCE = 240  # tokens a failed check's notes and re-asked fields may add to a pass
MAX_SPLITS = 3  # a chunk whose prompt or answer does not fit is halved at most this deep


def usage_of(gens: Sequence[Generation]) -> Usage:
    return Usage(prompt=sum(g.prompt_tokens for g in gens), evaluated=sum(g.evaluated_tokens for g in gens),
                 generated=sum(g.generated_tokens for g in gens), seconds=sum(g.seconds for g in gens))


@lru_cache(maxsize=4)
def instruction_tokens(engine: Engine, kind: DocumentKind) -> int:
    """Tokens of everything in a map prompt except the document text, at its largest: the
    longest focused pass, with a retry's error notes on top."""
    worst = 0
    for specs in groups(kind).values():
        options = {s.name: (s.question, [999_999] * 8, s.min_picks, s.max_picks) for s in specs}
        prompt = engine.format_chat(SYSTEM, document_block(kind.value, [], []) + choose_question(options))
        worst = max(worst, engine.tokenizer.count_prompt(prompt))
    return worst + RETRY_ALLOWANCE


def units_of(engine: Engine, spans: list[Span]) -> list[Unit]:
    return split_units(ParsedDocument(format="stored", spans=tuple(spans)), engine.tokenizer.count)


def rendered_cost(engine: Engine, spans: list[Span]):
    """A unit's tokens as the model sees it: its text plus its rendered label."""
    def cost(unit: Unit) -> int:
        label = render_unit(unit, spans[unit.span_index])[: -len(unit.text) - 1] or " "
        return unit.tokens + engine.tokenizer.count(label)
    return cost


def chunk_from_state(state: ChunkState, units: list[Unit]) -> Chunk:
    members = [u for u in units if state.first_unit <= u.id <= state.last_unit]
    return Chunk(index=state.index, unit_ids=tuple(u.id for u in members), tokens=state.tokens,
                 first_page=state.first_page, last_page=state.last_page,
                 first_turn=state.first_turn, last_turn=state.last_turn)


def where(chunk: Chunk) -> str:
    if chunk.first_page is not None:
        return f"pages {chunk.first_page}-{chunk.last_page}"
    if chunk.first_turn is not None:
        return f"turns {chunk.first_turn}-{chunk.last_turn}"
    return f"units {chunk.unit_ids[0]}-{chunk.unit_ids[-1]}"


def analyse_chunk(engine: Engine, kind: DocumentKind, chunk: Chunk, by_id: dict[int, Unit],
                  spans: list[Span], gens: list[Generation], depth: int = 0) -> dict:
    """Map one chunk: each focused pass in turn (they share the chunk's evaluated tokens).
    Halve the chunk and start again when a prompt or an answer does not fit."""
    units = [by_id[i] for i in chunk.unit_ids]
    requests = map_requests(kind, units, spans)
    result = {"status": ChunkStatus.DONE.value, "picks": {}, "candidates": {}, "failed": {}, "retried": [],
              "passes": len(requests)}
    if not requests:
        return {**result, "note": "no candidates"}
    mine: list[Generation] = []
    try:
        for request in requests:
            outcome = run_pass(engine, request)
            mine.extend(outcome.gens)
            result["picks"].update(outcome.picks)
            result["failed"].update({f: {str(k): v for k, v in e.items()} for f, e in outcome.failed.items()})
            result["retried"] += outcome.retried
            result["candidates"].update({f: [asdict(c) for c in cs] for f, cs in request.candidates.items()})
    except ModelError as exc:
        gens.extend(mine)  # the tokens were spent either way
        if exc.code in (OVER_CONTEXT, OUTPUT_TRUNCATED) and depth < MAX_SPLITS and len(units) > 1:
            parts = split_chunk(chunk, by_id, spans, lambda u: u.tokens)
            return merge_parts([analyse_chunk(engine, kind, p, by_id, spans, gens, depth + 1) for p in parts])
        return {"status": ChunkStatus.INCOMPLETE.value, "picks": {}, "candidates": {},
                "error": f"{exc.code}: {exc}", "unit_ids": list(chunk.unit_ids)}
    gens.extend(mine)
    return result


def merge_parts(results: list[dict]) -> dict:
    merged = {"status": ChunkStatus.DONE.value, "picks": {}, "candidates": {}, "failed": {}, "retried": [],
              "parts": len(results)}
    incomplete = [uid for r in results if r["status"] != ChunkStatus.DONE for uid in r.get("unit_ids", [])]
    for r in results:
        for f, ids in r["picks"].items():
            merged["picks"].setdefault(f, []).extend(ids)
        for f, cs in r["candidates"].items():
            merged["candidates"].setdefault(f, []).extend(cs)
        for f, errors in r.get("failed", {}).items():
            merged["failed"].setdefault(f, {}).update(errors)
        merged["retried"] += r.get("retried", [])
    if incomplete:
        merged.update(status=ChunkStatus.PARTIAL.value, unit_ids=incomplete,
                      error="; ".join(r["error"] for r in results if r.get("error")))
    return merged


def coverage_of(spans: list[Span], units: list[Unit], results: list[dict], parsed_pages: int | None) -> Coverage:
    """What was read: pages (or turns) every unit of which reached a finished chunk."""
    missing_units = {uid for r in results if r["status"] != ChunkStatus.DONE for uid in r.get("unit_ids", [])}
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
