"""Runs (one analysis of a document), their chunks, findings and summary.

The pipeline moves a run through its stages only with these functions; a stage's writes
happen inside the caller's unit of work (``store.db.session_scope``), so each is
all-or-nothing.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from docpipe.domain import (
    Chunk, ChunkStatus, Citation, DocumentKind, DocumentStatus, Finding, RunStatus, Stage, Usage,
)
from docpipe.store.documents import document_record
from docpipe.store.models import (
    ChunkRecord, Document, FindingRecord, Matter, Run, SearchEntry, Summary, utcnow,
)
from docpipe.store.records import ChunkState, DocumentRecord, RunRecord, SummaryRecord, record

_CITATION_COLUMNS = ("quote", "page", "page_label", "line", "turn", "speaker", "timestamp", "unit_id")


def _run(session: Session, run_id: int) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise LookupError(f"run {run_id} does not exist")
    return run


def create_run(session: Session, *, document_id: int, pipeline_version: str,
               queued: bool = False, kind: DocumentKind | None = None) -> int:
    """A new run of a document: running here and now, or queued for the workers (the
    document's earlier error is cleared either way). Returns its id."""
    run = Run(document_id=document_id, pipeline_version=pipeline_version,
              status=RunStatus.QUEUED if queued else RunStatus.RUNNING,
              stage=Stage.QUEUED if queued else Stage.PARSE, attempts=0 if queued else 1,
              kind=kind.value if kind else None, models={}, timings={}, coverage={})
    session.add(run)
    doc = session.get(Document, document_id)
    doc.status = DocumentStatus.QUEUED if queued else DocumentStatus.RUNNING
    doc.error_code = doc.error_message = None
    session.flush()
    return run.id


def get_run(session: Session, *, run_id: int) -> RunRecord:
    return record(RunRecord, _run(session, run_id))


def run_document(session: Session, *, run_id: int) -> DocumentRecord:
    return document_record(_run(session, run_id).document)


def latest_run(session: Session, *, document_id: int) -> RunRecord | None:
    run = session.scalar(select(Run).where(Run.document_id == document_id).order_by(Run.id.desc()).limit(1))
    return record(RunRecord, run) if run else None


def latest_runs(session: Session, *, document_ids: Collection[int] | None = None,
                matters: Collection[str] | None = None) -> list[tuple[RunRecord, DocumentRecord]]:
    """The latest run of each document (of those named, in the matters visible), by id."""
    query = (select(Run, Document, Matter.name).join(Document, Run.document_id == Document.id)
             .join(Matter).order_by(Run.id))
    if document_ids:
        query = query.where(Run.document_id.in_(list(document_ids)))
    if matters is not None:
        query = query.where(Matter.name.in_(list(matters)))
    latest = {doc.id: (run, doc, name) for run, doc, name in session.execute(query)}
    return [(record(RunRecord, run), document_record(doc, name)) for run, doc, name in latest.values()]


def enter_stage(session: Session, *, run_id: int, stage: Stage, release_lease: bool = False) -> None:
    """Move a run to ``stage``; its document is running from here on."""
    run = _run(session, run_id)
    run.stage, run.status = stage, RunStatus.RUNNING
    run.document.status = DocumentStatus.RUNNING
    if release_lease:
        run.lease_owner = run.lease_until = None


def add_usage(session: Session, *, run_id: int, usage: Usage) -> None:
    run = _run(session, run_id)
    run.tokens_prompt += usage.prompt
    run.tokens_evaluated += usage.evaluated
    run.tokens_generated += usage.generated
    run.llm_seconds += usage.seconds


def add_timing(session: Session, *, run_id: int, stage: str, seconds: float) -> None:
    run = _run(session, run_id)
    timings = dict(run.timings or {})
    timings[stage] = round(timings.get(stage, 0.0) + seconds, 3)
    run.timings = timings


def save_plan(session: Session, *, run_id: int, kind: DocumentKind, chunks: Sequence[Chunk], n_ctx: int,
              document_tokens: int, model_label: str, model_sha256: str, models: dict,
              kind_method: str) -> None:
    """The plan of a run: its kind, context and chunks (replacing any earlier plan)."""
    run = _run(session, run_id)
    session.execute(delete(ChunkRecord).where(ChunkRecord.run_id == run_id))
    for c in chunks:
        session.add(ChunkRecord(run_id=run_id, index=c.index, first_unit=c.unit_ids[0],
                                last_unit=c.unit_ids[-1], first_page=c.first_page,
                                last_page=c.last_page, first_turn=c.first_turn,
                                last_turn=c.last_turn, tokens=c.tokens, status=ChunkStatus.PENDING))
    run.kind = run.document.kind = kind.value
    run.n_ctx, run.chunks_total, run.document_tokens = n_ctx, len(chunks), document_tokens
    run.model_name, run.model_sha256, run.models = model_label, model_sha256, models
    run.coverage = {"kind_method": kind_method}


def _chunk_rows(session: Session, run_id: int) -> list[ChunkRecord]:
    return list(session.scalars(select(ChunkRecord).where(ChunkRecord.run_id == run_id)
                                .order_by(ChunkRecord.index)))


def chunk_states(session: Session, *, run_id: int) -> list[ChunkState]:
    return [record(ChunkState, rec) for rec in _chunk_rows(session, run_id)]


def chunk_state(session: Session, *, run_id: int, index: int) -> ChunkState:
    rec = session.scalar(select(ChunkRecord).where(ChunkRecord.run_id == run_id, ChunkRecord.index == index))
    if rec is None:
        raise LookupError(f"run {run_id} has no chunk {index}")
    return record(ChunkState, rec)


def save_chunk_result(session: Session, *, run_id: int, index: int, result: dict,
                      status: ChunkStatus) -> tuple[int, int]:
    """Store a chunk's map result; returns (chunks with a result, chunks in the run). The
    run row is locked first, as a claim locks it (``store.claims``): one lock order."""
    if session.bind.dialect.name == "postgresql":
        session.scalar(select(Run).where(Run.id == run_id).with_for_update())
    rows = _chunk_rows(session, run_id)
    for rec in rows:
        if rec.index == index:
            rec.result, rec.status = result, status
    run = _run(session, run_id)
    run.chunks_done = sum(1 for r in rows if r.result is not None)
    return run.chunks_done, run.chunks_total or len(rows)


def finish_run(session: Session, *, run_id: int, findings: Sequence[Finding], brief: list[dict],
               not_found: list[str], conflicts: list[dict], coverage: dict) -> None:
    """The reduce stage's result, stored at once: findings, the summary (and its search
    text), coverage; the run and its document are done."""
    run = _run(session, run_id)
    for f in findings:
        c = f.citation
        session.add(FindingRecord(
            run_id=run.id, document_id=run.document_id, field=f.field, value=f.value,
            normalized=f.normalized, verified=f.verified, extra=f.extra,
            **{k: getattr(c, k) for k in _CITATION_COLUMNS}))
    text = "\n".join(p["text"] for p in brief)
    session.add(Summary(run_id=run.id, kind=run.kind, brief=brief, brief_text=text,
                        not_found=not_found, conflicts=conflicts))
    session.execute(delete(SearchEntry).where(SearchEntry.document_id == run.document_id,
                                              SearchEntry.source == "summary"))
    if text:
        session.add(SearchEntry(document_id=run.document_id, source="summary", ref="brief", text=text))
    run.coverage = {**(run.coverage or {}), **coverage}
    run.status, run.stage, run.finished_at = RunStatus.DONE, Stage.DONE, utcnow()
    _end_leases(session, run)
    doc = run.document
    doc.status, doc.error_code, doc.error_message = DocumentStatus.DONE, None, None


def fail_run(session: Session, *, run_id: int, code: str, message: str) -> None:
    """The run and its document end failed, with the reason."""
    run = _run(session, run_id)
    run.document.status, run.document.error_code, run.document.error_message = DocumentStatus.FAILED, code, message
    run.status, run.error_code, run.error_message = RunStatus.FAILED, code, message
    run.finished_at = utcnow()
    _end_leases(session, run)


def _end_leases(session: Session, run: Run) -> None:
    """A finished run holds no lease: neither its own (parse, reduce) nor its chunks'."""
    run.lease_owner = run.lease_until = None
    for rec in _chunk_rows(session, run.id):
        rec.lease_owner = rec.lease_until = None


def run_results(session: Session, *, run_id: int) -> tuple[SummaryRecord | None, list[Finding]]:
    summary = session.scalar(select(Summary).where(Summary.run_id == run_id))
    rows = session.scalars(select(FindingRecord).where(FindingRecord.run_id == run_id).order_by(FindingRecord.id))
    findings = [Finding(field=f.field, value=f.value, normalized=f.normalized, verified=f.verified,
                        extra=f.extra or {}, citation=Citation(**{k: getattr(f, k) for k in _CITATION_COLUMNS}))
                for f in rows]
    return (record(SummaryRecord, summary) if summary else None), findings
