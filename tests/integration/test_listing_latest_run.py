"""The documents list filters on the findings of each document's latest run only: a finding
of an earlier run never matches, and a latest run without findings (failed, or queued)
matches no field filter. On SQLite and on the real PostgreSQL."""
from __future__ import annotations

import pytest

from docpipe.domain import Citation, DocumentKind, Finding
from docpipe.services import ingest, listing
from docpipe.services.caller import LOCAL_OPERATOR
from docpipe.services.operations import ready
from docpipe.store import runs
from docpipe.store.db import session_scope
from tests.web.conftest import CONTRACT


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request):
    name = "sqlite_settings" if request.param == "sqlite" else "pg_settings"
    return request.getfixturevalue(name)


def _ids(settings, **filters) -> list[int]:
    query = listing.build_query(**filters)
    return [row["id"] for row in listing.find(settings, LOCAL_OPERATOR, query).rows]


def test_filters_read_the_latest_run_only(settings, fake_engine, tmp_path):
    ready(settings)
    path = tmp_path / "supply.txt"
    path.write_text(CONTRACT)
    outcome = ingest.ingest_file(settings, LOCAL_OPERATOR, path, matter="m")
    assert outcome.status == "done", outcome
    doc = outcome.document_id
    law = [("governing_law", "new york")]
    assert _ids(settings, fields=law) == [doc]
    assert _ids(settings, has=["expiration_date"], expires_before="2027-01-01") == [doc]

    with session_scope(settings.resolved_database_url) as s:  # a second run found Texas law only
        run_id = runs.create_run(s, document_id=doc, pipeline_version="test", kind=DocumentKind.CONTRACT)
        texas = Finding(field="governing_law", value="Texas", normalized="Texas", verified=True,
                        citation=Citation(quote="governed by the laws of the State of Texas"))
        runs.finish_run(s, run_id=run_id, findings=[texas], brief=[], not_found=[], conflicts=[], coverage={})
    assert _ids(settings, fields=law) == []
    assert _ids(settings, fields=[("governing_law", "texas")]) == [doc]
    assert _ids(settings, has=["expiration_date"]) == []
    assert _ids(settings, expires_before="2027-01-01") == []

    with session_scope(settings.resolved_database_url) as s:  # a third run failed: no findings at all
        failed = runs.create_run(s, document_id=doc, pipeline_version="test")
        runs.fail_run(s, run_id=failed, code="model_error", message="test")
    assert _ids(settings, fields=[("governing_law", "texas")]) == []
    assert _ids(settings, has=["governing_law"]) == []
    assert _ids(settings) == [doc]
