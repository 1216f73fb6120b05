"""What the store hands out: plain frozen records, never ORM objects, so no code outside
``store/`` can change a row by setting an attribute. Writes go through repository
functions."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timezone
from typing import TypeVar

R = TypeVar("R")


def aware(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; they are UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def record(cls: type[R], row, **extra) -> R:
    """Copy the columns ``cls`` names from an ORM row into a frozen record."""
    values = {f.name: getattr(row, f.name) for f in fields(cls) if f.name not in extra}
    return cls(**values, **extra)


@dataclass(frozen=True)
class DocumentRecord:
    id: int
    matter: str
    sha256: str
    original_name: str
    size: int
    format: str | None
    kind: str | None
    page_count: int | None
    turn_count: int | None
    status: str
    error_code: str | None
    error_message: str | None
    meta: dict
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class RunRecord:
    id: int
    document_id: int
    pipeline_version: str
    status: str
    stage: str
    kind: str | None
    model_name: str | None
    model_sha256: str | None
    models: dict
    n_ctx: int | None
    chunks_total: int | None
    chunks_done: int
    document_tokens: int | None
    tokens_prompt: int
    tokens_evaluated: int
    tokens_generated: int
    llm_seconds: float
    timings: dict
    coverage: dict
    attempts: int
    error_code: str | None
    error_message: str | None
    created_at: datetime
    finished_at: datetime | None
    parse_attempts: int
    reduce_attempts: int
    enqueued_at: datetime | None
    lease_owner: str | None
    lease_until: datetime | None


@dataclass(frozen=True)
class ChunkState:
    """One chunk of a run: where it lies, and its stored map result (None until analysed)."""

    index: int
    first_unit: int
    last_unit: int
    first_page: int | None
    last_page: int | None
    first_turn: int | None
    last_turn: int | None
    tokens: int
    status: str
    result: dict | None
    attempts: int
    enqueued_at: datetime | None
    lease_owner: str | None
    lease_until: datetime | None


@dataclass(frozen=True)
class SummaryRecord:
    kind: str
    brief: list
    not_found: list
    conflicts: list


@dataclass(frozen=True)
class UserRecord:
    id: int
    name: str
    role: str
    matters: tuple[str, ...]
    has_password: bool
    revoked_at: datetime | None
    created_at: datetime
