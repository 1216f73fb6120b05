"""What GET /metrics reports, for operators: documents by status, failures by error code,
how long each stage takes (from the runs' stored timings), the model's token rates, and,
with a broker, how much work waits in each Celery queue.

Only counts, sums and fixed labels (statuses, error codes, stage and queue names) leave
here: never a document's name, a matter or any text.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from docpipe import errors
from docpipe.domain import DocumentStatus
from docpipe.fleet.dispatch import QUEUES
from docpipe.services.caller import Action, Caller, require
from docpipe.services.operations import ready
from docpipe.settings import Settings
from docpipe.store import metrics as figures
from docpipe.store.db import session_scope

log = logging.getLogger(__name__)

# seconds; a stage of a long contract on a CPU runs for minutes
STAGE_BUCKETS = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
KNOWN_CODES = frozenset(errors.DOCUMENT_CODES + errors.COMMAND_CODES) | {"unknown"}
_STAGE_NAME = re.compile(r"^[a-z_]{1,40}$")
# kombu's Redis transport keeps priorities 3, 6 and 9 of a queue in keys beside it
_PRIORITY_KEYS = ("", "\x06\x163", "\x06\x166", "\x06\x169")
_UNACKED_KEY = "unacked"


@dataclass(frozen=True)
class StageTimes:
    """A histogram of one stage's durations over every run that has ended."""

    buckets: tuple[int, ...]  # cumulative counts for STAGE_BUCKETS, then +Inf
    count: int
    total: float


@dataclass(frozen=True)
class Snapshot:
    documents: dict[str, int]  # status -> documents (every status, 0 included)
    failed_documents: dict[str, int]  # error code -> documents that stand failed
    failed_runs: dict[str, int]  # error code -> runs that ended failed, ever
    stages: dict[str, StageTimes]
    tokens_generated: int
    tokens_evaluated: int
    llm_seconds: float
    broker: bool  # a broker is configured
    broker_up: bool | None = None
    queues: dict[str, int] = field(default_factory=dict)  # queue -> messages waiting
    unacked: int | None = None  # messages delivered to a worker and not yet acknowledged

    @property
    def generated_per_second(self) -> float:
        return self.tokens_generated / self.llm_seconds if self.llm_seconds > 0 else 0.0

    @property
    def evaluated_per_second(self) -> float:
        return self.tokens_evaluated / self.llm_seconds if self.llm_seconds > 0 else 0.0


def _codes(counts: dict[str, int]) -> dict[str, int]:
    """Error codes as labels: known codes only (anything else is counted as "other")."""
    out: dict[str, int] = {}
    for code, count in counts.items():
        key = code if code in KNOWN_CODES else "other"
        out[key] = out.get(key, 0) + count
    return out


def stage_histograms(timings: list[dict]) -> dict[str, StageTimes]:
    values: dict[str, list[float]] = {}
    for entry in timings:
        for stage, seconds in entry.items():
            if isinstance(stage, str) and _STAGE_NAME.match(stage) and isinstance(seconds, (int, float)):
                values.setdefault(stage, []).append(max(0.0, float(seconds)))
    out = {}
    for stage, seen in sorted(values.items()):
        cumulative = tuple(sum(1 for v in seen if v <= bound) for bound in STAGE_BUCKETS) + (len(seen),)
        out[stage] = StageTimes(buckets=cumulative, count=len(seen), total=sum(seen))
    return out


def queue_depths(broker_url: str) -> tuple[dict[str, int], int] | None:
    """(messages waiting per Celery queue, unacknowledged messages) from Redis; None when
    the broker is not Redis or does not answer within a second."""
    if urlsplit(broker_url).scheme not in ("redis", "rediss", "unix"):
        return None
    import redis

    client = redis.Redis.from_url(broker_url, socket_connect_timeout=1, socket_timeout=1)
    try:
        pipe = client.pipeline(transaction=False)
        names = sorted(set(QUEUES.values()))
        for name in names:
            for suffix in _PRIORITY_KEYS:
                pipe.llen(name + suffix)
        pipe.hlen(_UNACKED_KEY)
        answers = pipe.execute()
    except redis.RedisError as exc:
        log.warning("metrics: the broker did not answer: %s", type(exc).__name__)
        return None
    finally:
        client.close()
    per = len(_PRIORITY_KEYS)
    depths = {name: sum(answers[i * per:(i + 1) * per]) for i, name in enumerate(names)}
    return depths, int(answers[-1])


def snapshot(settings: Settings, caller: Caller) -> Snapshot:
    """The figures, for an admin or the local operator (a request from the server host)."""
    require(caller, Action.ADMINISTER)
    ready(settings)
    with session_scope(settings.resolved_database_url) as s:
        statuses = figures.documents_by_status(s)
        failed_documents = figures.failed_documents_by_code(s)
        failed_runs = figures.failed_runs_by_code(s)
        llm = figures.llm_totals(s)
        timings = figures.stage_timings(s)
    broker = bool(settings.broker_url)
    queues = queue_depths(settings.broker_url) if broker else None
    return Snapshot(
        documents={status.value: statuses.get(status.value, 0) for status in DocumentStatus},
        failed_documents=_codes(failed_documents), failed_runs=_codes(failed_runs),
        stages=stage_histograms(timings), tokens_generated=llm["generated"], tokens_evaluated=llm["evaluated"],
        llm_seconds=llm["seconds"], broker=broker, broker_up=(queues is not None) if broker else None,
        queues=queues[0] if queues else {}, unacked=queues[1] if queues else None)
