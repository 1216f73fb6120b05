"""row-level security on PostgreSQL: a second wall behind the service layer

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:30:00

Every row of a document (the document, its pages, runs, chunks, summaries, findings and
full-text rows) is visible only when its matter is among those set for the transaction in
``docpipe.matters``, a JSON value: ``"*"`` (the local operator, workers, admins), or an
array of matter names (a user's matters). docpipe sets it at the start of every transaction
(docpipe/store/db.py); a connection that does not set it sees nothing, even with SQL
written by hand. FORCE applies the policies to the tables' owner too; only a superuser
(or a role with BYPASSRLS) is exempt, so production connects as an ordinary role
(deploy/postgresql.md). SQLite has no row-level security: there the service layer is the
only wall.

``search_fts`` (0005: each entry's stemmed tsvector, keyed by the entry's id, with no
document or matter id) is left without a policy: under one, PostgreSQL may not use its GIN
index before the policy check (the match operator is not leakproof) and a search scanned
every entry, 1.5 s at 10,000 documents. A search reaches text only through
``search_entries``, whose policy applies.
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# The matters this transaction may see: a JSON value, or nothing (unset, or '' after a
# transaction that set it locally has ended) which matches no matter.
_SETTING = "nullif(current_setting('docpipe.matters', true), '')::jsonb"
# Each test is an uncorrelated IN (...): PostgreSQL computes it once per query and hashes
# it, instead of running a function per row (which made a search take seconds). A child
# table's test reads its parent table, whose own policy applies inside it.
_POLICIES = {
    "documents": ("matter_id IN (SELECT m.id FROM matters m, (SELECT " + _SETTING + " AS v) s "
                  "WHERE s.v = '\"*\"'::jsonb OR s.v ? m.name)"),
    "pages": "document_id IN (SELECT d.id FROM documents d)",
    "runs": "document_id IN (SELECT d.id FROM documents d)",
    "findings": "document_id IN (SELECT d.id FROM documents d)",
    "search_entries": "document_id IN (SELECT d.id FROM documents d)",
    "chunks": "run_id IN (SELECT r.id FROM runs r)",
    "summaries": "run_id IN (SELECT r.id FROM runs r)",
}


def _tables() -> dict[str, str]:
    return dict(_POLICIES)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, visible in _tables().items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY docpipe_matters ON {table} USING ({visible}) WITH CHECK ({visible})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _tables():
        op.execute(f"DROP POLICY IF EXISTS docpipe_matters ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
