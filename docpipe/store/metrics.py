"""Figures for operators (GET /metrics): counts and sums over documents and runs, never a
document's name or text."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docpipe.domain import DocumentStatus, RunStatus
from docpipe.store.models import Document, Run


def documents_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Document.status, func.count()).group_by(Document.status))
    return {status: count for status, count in rows}


def failed_documents_by_code(session: Session) -> dict[str, int]:
    """Documents that stand failed now, by their error code."""
    rows = session.execute(select(Document.error_code, func.count()).where(Document.status == DocumentStatus.FAILED)
                           .group_by(Document.error_code))
    return {code or "unknown": count for code, count in rows}


def failed_runs_by_code(session: Session) -> dict[str, int]:
    """Every run that ended failed (a retried document keeps its failed runs), by code."""
    rows = session.execute(select(Run.error_code, func.count()).where(Run.status == RunStatus.FAILED)
                           .group_by(Run.error_code))
    return {code or "unknown": count for code, count in rows}


def llm_totals(session: Session) -> dict[str, float]:
    """Sums over every run: tokens generated and evaluated, and the seconds the model took."""
    generated, evaluated, seconds = session.execute(select(
        func.coalesce(func.sum(Run.tokens_generated), 0), func.coalesce(func.sum(Run.tokens_evaluated), 0),
        func.coalesce(func.sum(Run.llm_seconds), 0.0))).one()
    return {"generated": int(generated), "evaluated": int(evaluated), "seconds": float(seconds)}


def stage_timings(session: Session) -> list[dict]:
    """The ``timings`` (stage -> seconds) of every run that has ended."""
    rows = session.scalars(select(Run.timings).where(Run.status.in_((RunStatus.DONE, RunStatus.FAILED))))
    return [t for t in rows if isinstance(t, dict) and t]
