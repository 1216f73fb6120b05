"""Engines, sessions and migrations."""
from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from docpipe.errors import DatabaseUnavailable, StoreError

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
log = logging.getLogger(__name__)
# PostgreSQL's answers when it is out of connection slots or not yet accepting them: a new
# connection waits (with jittered backoff) for up to CONNECT_WAIT seconds instead of failing
# the request or the unit of work (RELIABILITY case 13). A refused connection (the server
# down) is not waited for here: the API answers 503 at once and workers give their unit back.
BUSY_ANSWERS = ("too many connections", "too many clients", "remaining connection slots",
                "the database system is starting up", "the database system is in recovery mode",
                "the database system is not yet accepting connections")
CONNECT_WAIT = 30.0
_pooled = True


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        pool = {"pool_size": 5, "max_overflow": 5} if _pooled else {"poolclass": NullPool}
        engine = create_engine(url, pool_pre_ping=True, **pool)
        event.listen(engine, "do_connect", _connect_when_a_slot_is_free)
    return engine


def keep_connections_open(pooled: bool) -> None:
    """Whether this process keeps a pool of idle connections (the API: yes). Worker
    processes do not: a unit of work runs for seconds to minutes between a handful of short
    transactions, and idle pooled connections in every worker process would use up the
    server's connection slots for nothing."""
    global _pooled
    _pooled = pooled
    get_engine.cache_clear()


def _connect_when_a_slot_is_free(dialect, _record, cargs, cparams):
    """Open a DBAPI connection; while the server says it has no free slot (or is starting),
    wait and try again, up to CONNECT_WAIT seconds."""
    deadline, pause, waited = time.monotonic() + CONNECT_WAIT, 0.05, False
    while True:
        try:
            conn = dialect.connect(*cargs, **cparams)
        except dialect.loaded_dbapi.OperationalError as exc:
            busy = any(answer in str(exc).lower() for answer in BUSY_ANSWERS)
            if not busy or time.monotonic() >= deadline:
                raise
            if not waited:
                log.warning("waiting for a database connection: %s", str(exc).strip().splitlines()[-1])
                waited = True
            time.sleep(pause * (0.5 + random.random()))
            pause = min(pause * 2, 1.0)
            continue
        if waited:
            log.info("database connection opened after waiting for a slot")
        return conn


def _matters_setting(matters: Collection[str] | None) -> str:
    return json.dumps("*" if matters is None else sorted(matters))


@event.listens_for(Session, "after_begin")
def _set_visible_matters(session: Session, _transaction, connection) -> None:
    """On PostgreSQL, every transaction says which matters' rows it may see (row-level
    security, migration 0007): the session's ``visible_matters``, or every matter."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT set_config('docpipe.matters', %(m)s, true)",
                                   {"m": session.info.get("docpipe.matters", '"*"')})


@contextmanager
def session_scope(url: str, *, matters: Collection[str] | None = None) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error. ``matters`` limits what the
    database itself lets the transaction see on PostgreSQL (None: every matter)."""
    factory = sessionmaker(bind=get_engine(url), expire_on_commit=False)
    session = factory(info={"docpipe.matters": _matters_setting(matters)})
    try:
        yield session
        session.commit()
    except OperationalError as exc:  # the database went away (or refused us): say so, by code
        session.rollback()
        if exc.connection_invalidated or _unreachable(exc):
            raise DatabaseUnavailable(f"the database is unreachable: {str(exc.orig).strip().splitlines()[0]}") from exc
        raise
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def ping(url: str) -> None:
    """One round trip to the database; StoreError when it does not answer."""
    with session_scope(url) as session:
        session.execute(text("SELECT 1"))


def _unreachable(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return any(s in text for s in ("connection", "could not connect", "server closed", "terminating",
                                   "shutting down", "unable to open database", *BUSY_ANSWERS))


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["docpipe_url"] = url
    return cfg


MIGRATION_LOCK = 0x646F6370  # "docp": one migration at a time per PostgreSQL database


@contextmanager
def _migration_lock(url: str) -> Iterator[None]:
    """Several processes started at once on an empty database (workers, the API, an ingest)
    each migrate it; on PostgreSQL they take turns under an advisory lock, and the later
    ones find the schema at head (the race failed one of them with a duplicate type)."""
    if url.startswith("sqlite"):
        yield
        return
    with get_engine(url).connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
        try:
            yield
        finally:
            conn.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
            conn.commit()


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    try:
        with _migration_lock(url):
            command.upgrade(alembic_config(url), revision)
    except OperationalError as exc:
        raise StoreError(f"cannot migrate database: {exc.orig}") from exc


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with get_engine(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(url: str) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def ensure_schema(url: str, *, auto_upgrade: bool) -> None:
    """Bring an empty or old database to head when allowed, else say what to run."""
    try:
        current = current_revision(url)
    except OperationalError as exc:
        raise StoreError(f"cannot reach database: {exc.orig}".strip()) from exc
    if current == head_revision(url):
        return
    if not auto_upgrade:
        raise StoreError(f"database schema is at {current or 'empty'}, needs head: run `docpipe db upgrade`")
    upgrade(url)


def table_names(url: str) -> list[str]:
    return inspect(get_engine(url)).get_table_names()


def database_host(url: str) -> tuple[bool, str | None]:
    """(is SQLite, host) of a database URL, without connecting."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return True, None
    host = parsed.host or parsed.query.get("host")
    return False, host[0] if isinstance(host, tuple) else host
