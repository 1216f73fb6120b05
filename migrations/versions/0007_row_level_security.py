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

_SETTING = "current_setting('docpipe.matters', true)"
_VISIBLE = ("SELECT CASE WHEN coalesce(" + _SETTING + ", '') = '' THEN false ELSE ("
            "SELECT v = '\"*\"'::jsonb OR EXISTS ({rows} AND v ? m.name) "
            "FROM (SELECT (" + _SETTING + ")::jsonb AS v) setting) END")
_FUNCTIONS = tuple(
    f"CREATE FUNCTION {name}({arg} integer) RETURNS boolean LANGUAGE sql STABLE AS $$ "
    + _VISIBLE.format(rows=rows) + " $$"
    for name, arg, rows in (
        ("docpipe_matter_visible", "mid", "SELECT 1 FROM matters m WHERE m.id = mid"),
        ("docpipe_document_visible", "did",
         "SELECT 1 FROM documents d JOIN matters m ON m.id = d.matter_id WHERE d.id = did"),
        ("docpipe_run_visible", "rid",
         "SELECT 1 FROM runs r JOIN documents d ON d.id = r.document_id JOIN matters m ON m.id = d.matter_id "
         "WHERE r.id = rid"),
    ))
# table -> the visibility test of one of its rows
_POLICIES = {
    "documents": "docpipe_matter_visible(matter_id)",
    "pages": "docpipe_document_visible(document_id)",
    "runs": "docpipe_document_visible(document_id)",
    "findings": "docpipe_document_visible(document_id)",
    "search_entries": "docpipe_document_visible(document_id)",
    "chunks": "docpipe_run_visible(run_id)",
    "summaries": "docpipe_run_visible(run_id)",
}


def _tables() -> dict[str, str]:
    return dict(_POLICIES)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in _FUNCTIONS:
        op.execute(statement)
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
    for name in ("docpipe_run_visible", "docpipe_document_visible", "docpipe_matter_visible"):
        op.execute(f"DROP FUNCTION IF EXISTS {name}(integer)")
