"""Alembic environment: the URL comes from docpipe's Settings, metadata from its models."""
from __future__ import annotations

from alembic import context

from docpipe.settings import Settings
from docpipe.store.db import get_engine
from docpipe.store.models import Base

config = context.config
url = config.attributes.get("docpipe_url") or Settings().resolved_database_url
target_metadata = Base.metadata


def include_name(name, type_, parent_names) -> bool:
    """Full-text objects are made by hand in 0001 for one dialect each; autogenerate must
    neither drop nor recreate them."""
    return not (name or "").startswith("search_fts") and name != "ix_search_entries_tsv"


def run_offline() -> None:
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      include_name=include_name,
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    with get_engine(url).connect() as connection:
        if connection.dialect.name == "sqlite":
            # batch mode rebuilds tables; with foreign keys on, dropping the old table
            # would cascade into its children
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            context.configure(connection=connection, target_metadata=target_metadata,
                              include_name=include_name,
                              render_as_batch=url.startswith("sqlite"))
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if connection.dialect.name == "sqlite":
                # the connection goes back to the pool: without this every later session on
                # it would run with foreign keys (and their cascades) off
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
