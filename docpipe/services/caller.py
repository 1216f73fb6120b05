"""Who is asking, and the one place that decides what they may see and do.

Every service takes a ``Caller``. A caller sees the documents of its matters only (None:
every matter, as the local operator on the server host does); anything outside them is
NotFound, never "forbidden", so its existence does not leak. What a caller may do follows
from its role.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from docpipe.errors import AccessDenied, NotFound


class Role(StrEnum):
    VIEWER = "viewer"  # read
    ANALYST = "analyst"  # read, search, export
    UPLOADER = "uploader"  # analyst + ingest, retry
    ADMIN = "admin"  # everything, including operating the fleet


class Action(StrEnum):
    READ = "read"
    SEARCH = "search"
    EXPORT = "export"
    INGEST = "ingest"
    RETRY = "retry"
    OPERATE = "operate"  # workers, reconcile, batch folders, evaluation, database
    ADMINISTER = "administer"  # users, matter membership, metrics


ALLOWED: dict[Role, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.READ}),
    Role.ANALYST: frozenset({Action.READ, Action.SEARCH, Action.EXPORT}),
    Role.UPLOADER: frozenset({Action.READ, Action.SEARCH, Action.EXPORT, Action.INGEST, Action.RETRY}),
    Role.ADMIN: frozenset(Action),
}


@dataclass(frozen=True)
class Caller:
    name: str
    role: Role
    matters: frozenset[str] | None = None  # None: every matter
    user_id: int | None = None  # the signed-in user (None: the local operator)

    def sees(self, matter: str) -> bool:
        return self.matters is None or matter in self.matters


LOCAL_OPERATOR = Caller(name="local operator", role=Role.ADMIN)


def require(caller: Caller, action: Action) -> None:
    if action not in ALLOWED[caller.role]:
        raise AccessDenied(f"{caller.name} ({caller.role}) may not {action}")


def visible_matters(caller: Caller) -> Collection[str] | None:
    """The matters a query is limited to (None: all). Every read passes this to the store."""
    return caller.matters


def require_matter(caller: Caller, matter: str) -> None:
    """A matter the caller does not belong to is not found."""
    if not caller.sees(matter):
        raise NotFound(f"no matter {matter!r}")
