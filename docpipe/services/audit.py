"""Who did what: every service that reads or changes documents, users or membership writes
an audit entry in the same transaction as the action (``record``). Admins list the log and
verify its hash chain. No entry holds document text: ids, names of people and matters,
formats, counts and (for a search) the query the person typed."""
from __future__ import annotations

from datetime import datetime

from docpipe.domain import AuditAction
from docpipe.services.caller import Action, Caller, require
from docpipe.services.operations import ready
from docpipe.settings import Settings
from docpipe.store import audit as log
from docpipe.store.audit import AuditRecord
from docpipe.store.db import session_scope

def record(session, caller: Caller | str, action: AuditAction, *, matter: str | None = None,
           document_id: int | None = None, **detail) -> None:
    """Append an entry in ``session`` (the action's own transaction, from ``session_scope``)."""
    actor = caller if isinstance(caller, str) else caller.name
    log.append(session, actor=actor, action=action, matter=matter, document_id=document_id,
               detail={k: v for k, v in detail.items() if v is not None})


def entries(settings: Settings, caller: Caller, *, matter: str | None = None, user: str | None = None,
            since: datetime | None = None, limit: int = 1000) -> list[AuditRecord]:
    require(caller, Action.ADMINISTER)
    ready(settings)
    with session_scope(settings.resolved_database_url) as s:
        return log.entries(s, matter=matter, actor=user, since=since, limit=limit)


def verify(settings: Settings, caller: Caller) -> tuple[int, str | None]:
    """(entries checked, None when the chain is whole, else its first broken link)."""
    require(caller, Action.ADMINISTER)
    ready(settings)
    with session_scope(settings.resolved_database_url) as s:
        return log.verify(s)
