"""Domain objects shared by every layer. No I/O here.

A parsed document is a sequence of :class:`Span` objects: the smallest pieces of source
text that carry their own location (a PDF page, a transcript turn, a numbered deposition
line). Everything later (units, chunks, citations) points back into spans, which is how a
citation survives chunking and map-reduce.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class DocumentKind(StrEnum):
    CONTRACT = "contract"
    TRANSCRIPT = "transcript"


class DocumentStatus(StrEnum):
    """Where a document stands; ``done`` and ``failed`` are final for its latest run."""

    PENDING = "pending"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


FINAL = (DocumentStatus.DONE, DocumentStatus.FAILED)


class Stage(StrEnum):
    """A run's stage, in order; ``reduce_queued`` is set once every chunk has a result."""

    QUEUED = "queued"
    PARSE = "parse"
    PLAN = "plan"
    MAP = "map"
    REDUCE_QUEUED = "reduce_queued"
    REDUCE = "reduce"
    DONE = "done"


class ChunkStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"  # every pass answered
    PARTIAL = "partial"  # re-split, and some parts could not be read
    INCOMPLETE = "incomplete"  # could not be read at all


class WorkUnit(StrEnum):
    """The units of distributed work: parse (run-level), map (one per chunk), reduce (run-level)."""

    PARSE = "parse"
    MAP = "map"
    REDUCE = "reduce"


class BatchOutcome(StrEnum):
    QUEUED = "queued"
    DONE = "done"
    FAILED = "failed"
    DUPLICATE = "duplicate"
    WAITING = "waiting"


@dataclass(frozen=True)
class Span:
    """One located piece of source text.

    ``page`` is the 1-based physical page (PDF, deposition) or None; ``page_label`` the
    printed label when the PDF defines one; ``line`` the first line number on that page
    (depositions); ``turn`` the 0-based turn index (transcripts); ``speaker`` and
    ``timestamp`` where the source gives them.
    """

    text: str
    page: int | None = None
    page_label: str | None = None
    line: int | None = None
    turn: int | None = None
    speaker: str | None = None
    timestamp: str | None = None


@dataclass(frozen=True)
class ParsedDocument:
    """What a parser returns: located text plus what it learned about the file."""

    format: str  # pdf, docx, html, eml, markdown, text, transcript, webvtt, srt, deposition
    spans: tuple[Span, ...]
    page_count: int | None = None  # physical pages, when the format has them
    kind_hint: DocumentKind | None = None  # a parser may know (transcript formats do)
    metadata: dict = field(default_factory=dict)

    @property
    def turn_count(self) -> int:
        return len({s.turn for s in self.spans if s.turn is not None})

    @property
    def is_paged(self) -> bool:
        return self.page_count is not None

    def text(self) -> str:
        return "\n\n".join(s.text for s in self.spans)


@dataclass(frozen=True)
class Unit:
    """A citable piece of text (about a sentence) inside one span, numbered per document."""

    id: int
    span_index: int
    text: str
    tokens: int


@dataclass(frozen=True)
class Chunk:
    index: int
    unit_ids: tuple[int, ...]
    tokens: int  # tokens of the rendered chunk text as the model sees it
    first_page: int | None
    last_page: int | None
    first_turn: int | None
    last_turn: int | None


@dataclass(frozen=True)
class Citation:
    quote: str
    page: int | None = None
    page_label: str | None = None
    line: int | None = None
    turn: int | None = None
    speaker: str | None = None
    timestamp: str | None = None
    unit_id: int | None = None

    def locator(self) -> str:
        """Human form: 'p. 12', 'p. 4:17', 'turn 31 (Jane Doe, 00:04:12)'."""
        if self.page is not None:
            page = self.page_label or str(self.page)
            return f"p. {page}:{self.line}" if self.line is not None else f"p. {page}"
        bits = [b for b in (self.speaker, self.timestamp) if b]
        where = f"turn {self.turn}" if self.turn is not None else "text"
        return f"{where} ({', '.join(bits)})" if bits else where


@dataclass(frozen=True)
class Finding:
    field: str
    value: str
    citation: Citation
    normalized: str | None = None
    verified: bool = False
    extra: dict = field(default_factory=dict)  # owner, due date, ... per field


@dataclass(frozen=True)
class Coverage:
    unit: str  # "page" or "turn"
    total: int
    processed: int
    pages_total: int | None
    pages_processed: int | None
    turns_total: int | None
    turns_processed: int | None

    @property
    def complete(self) -> bool:
        return self.processed >= self.total


@dataclass(frozen=True)
class Usage:
    """Model cost of some work: tokens in the prompts, evaluated, generated, and seconds."""

    prompt: int = 0
    evaluated: int = 0
    generated: int = 0
    seconds: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.prompt + other.prompt, self.evaluated + other.evaluated,
                     self.generated + other.generated, self.seconds + other.seconds)


class AuditAction(StrEnum):
    """What an audit entry records (docpipe/store/audit.py)."""

    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    UPLOAD = "upload"
    VIEW = "view"
    VIEW_PAGE = "view_page"
    SEARCH = "search"
    EXPORT = "export"
    RETRY = "retry"
    PURGE = "purge"
    HOLD_SET = "hold_set"
    HOLD_LIFTED = "hold_lifted"
    USER_ADDED = "user_added"
    USER_REVOKED = "user_revoked"
    PASSWORD_SET = "password_set"
    KEY_CREATED = "key_created"
    MATTER_GRANTED = "matter_granted"
    MATTER_REVOKED = "matter_revoked"
