"""Property tests of the API against the COMMITTED openapi.json (RELIABILITY case 38):
schemathesis generates requests for every operation and sends them to the ASGI app, built
on the door's data (users of every role in two matters, analysed documents, a PDF), with an
uploader's key of matter A. Every answer must be no server error, a documented status, a
documented content type and match its schema (problem+json answers: the Problem schema).
Half of the examples use real document ids, matters and file names, so the answers that
carry data are checked too, not only the 404s and 422s.

Afterwards nothing is half-written: no temporary upload left in the content store, every
document row has its stored original, and every stored original belongs to a row.

The server-sent events route is left out of generation: an upload made here stays pending
(nothing runs the model), and the stream of a pending document lasts until it ends or the
client goes away. Its answers for the fixture's finished documents are checked explicitly.
"""
from __future__ import annotations

import copy
import json
import time

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings, strategies as st  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance, not_a_server_error, response_schema_conformance, status_code_conformance,
)

from docpipe.settings import Settings  # noqa: E402
from tests.conftest import ROOT, FakeEngine  # noqa: E402
from tests.web.conftest import MATTER_A, MATTER_B, Door, build_door  # noqa: E402

MAX_EXAMPLES = 25
RAW = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
EVENTS = "/api/v1/documents/{document_id}/events"
OPERATIONS = sorted((path, method.upper()) for path, ops in RAW["paths"].items() for method in ops
                    if path != EVENTS)
CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)
PROBLEM = "application/problem+json"
# File names the upload examples use besides schemathesis' own ("file"): hostile ones included.
NAMES = ["memo.txt", "notes.md", "contract.pdf", "agreement.docx", "../../etc/passwd", "a\x00b.txt",
         "\u202etxt.exe", "." * 40, "x" * 300 + ".txt", "file"]
TEXT = b"This Agreement is governed by the laws of the State of New York. Payment within 30 days.\n"


@pytest.fixture(scope="module")
def st_door(tmp_path_factory) -> Door:
    from docpipe.pipeline.engines import use_engines

    tmp = tmp_path_factory.mktemp("schemathesis")
    settings_ = Settings(data_dir=tmp / "data", database_url=None, max_upload_mb=1)
    engine = FakeEngine()
    with use_engines(lambda _settings, _stage: engine):
        door = build_door(settings_, tmp)
    yield door
    door.client.close()


@pytest.fixture(scope="module")
def api_schema(st_door):
    from schemathesis import experimental

    experimental.OPEN_API_3_1.enable()  # FastAPI writes OpenAPI 3.1
    return schemathesis.from_dict(copy.deepcopy(RAW), app=st_door.client.app)


def _real_ids(door: Door) -> list[int]:
    return [door.docs[MATTER_A], door.pdf, door.docs[MATTER_B]]


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_operation_conforms_to_the_committed_schema(st_door, api_schema, path, method):
    operation = api_schema[path][method]
    headers = st_door.auth("uploader")
    ids = _real_ids(st_door)
    seen: dict[int, int] = {}

    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck), print_blob=True)
    @given(case=operation.as_strategy(), real=st.booleans(), pick=st.integers(0, 100), name=st.sampled_from(NAMES),
           text=st.booleans())
    def run(case, real, pick, name, text):
        kwargs = {}
        if real and case.path_parameters:
            if "document_id" in case.path_parameters:
                case.path_parameters["document_id"] = ids[pick % len(ids)]
            if "page" in case.path_parameters:
                case.path_parameters["page"] = 1 + pick % 4
            if "matter" in case.path_parameters:
                case.path_parameters["matter"] = (MATTER_A, MATTER_B)[pick % 2]
        if method == "POST" and path == "/api/v1/documents" and isinstance(case.body, dict) and real:
            matter = MATTER_A if pick % 3 else case.body.get("matter", MATTER_A)
            data = case.body.get("file", b"")
            data = data if isinstance(data, bytes) else str(data).encode()
            if text:  # a real text file, distinct bytes or the same ones again
                data = TEXT + data.replace(b"\x00", b"") + f"\nexample {pick % 5}\n".encode()
            case.body = {"file": data, "matter": matter}
            kwargs["files"] = [("file", (name, data)), ("matter", (None, matter.encode()))]
        response = case.call(headers=headers, **kwargs)
        case.validate_response(response, checks=CHECKS)
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
            body = response.json()
            assert body["status"] == response.status_code and body["code"], body
        seen[response.status_code] = seen.get(response.status_code, 0) + 1

    run()
    assert seen, "no example ran"
    if any("document_id" in p.get("name", "") for p in operation.definition.raw.get("parameters", [])):
        # an uploader may not erase: for DELETE a 403 (after the document was found: another
        # matter's is 404) is as far as the key reaches
        reached = (200, 201, 202, 409, 403) if method == "DELETE" else (200, 201, 202, 409)
        assert any(code in reached for code in seen) or path.endswith(".png"), (
            f"no example reached a document: {seen}")


def test_events_of_finished_documents_end_at_once(st_door, api_schema):
    """The stream of a done document: one progress event, then end; documented and quick."""
    operation = api_schema[EVENTS]["GET"]
    for document_id in (st_door.docs[MATTER_A], st_door.pdf):
        case = operation.make_case(path_parameters={"document_id": document_id})
        started = time.monotonic()
        response = case.call(headers=st_door.auth("uploader"))
        assert time.monotonic() - started < 5
        case.validate_response(response, checks=CHECKS)
        assert response.status_code == 200 and "event: end" in response.text, response.text
    for document_id in (st_door.docs[MATTER_B], 0, -1, 2**40):
        case = operation.make_case(path_parameters={"document_id": document_id})
        response = case.call(headers=st_door.auth("uploader"))
        case.validate_response(response, checks=CHECKS)
        assert response.status_code in (404, 422), response.text


def stored_originals(objects) -> dict[str, list]:
    """sha256 -> the stored files of that original (objects/.../ab/cdef...: whatever the layout
    above the two-letter folder)."""
    found: dict[str, list] = {}
    for p in objects.rglob("*"):
        if p.is_file() and len(p.parent.name) == 2 and len(p.name) == 62 and not p.name.startswith("."):
            found.setdefault(p.parent.name + p.name, []).append(p)
    return found


def test_nothing_half_written(st_door):
    """After every example above: no temporary upload file, every document row has its
    original in the store, and every original in the store has its row."""
    from sqlalchemy import select

    from docpipe.store.db import session_scope
    from docpipe.store.models import Document

    objects = st_door.settings.objects_dir
    # one upload that surely reaches the store, whatever the random examples above did (a
    # run whose examples all ended 4xx left only the fixture's three documents)
    sure = st_door.client.post("/api/v1/documents", headers=st_door.auth("uploader"), data={"matter": MATTER_A},
                               files={"file": ("sure.txt", TEXT + b"\nthe upload that reaches the store\n")})
    assert sure.status_code == 202, sure.text
    leftovers = [str(p.relative_to(objects)) for p in objects.rglob(".*") if p.is_file()]
    assert not leftovers, f"temporary files left in the store: {leftovers}"
    with session_scope(st_door.settings.resolved_database_url) as s:
        shas = set(s.scalars(select(Document.sha256)).all())
    assert len(shas) > 3, "no upload was stored"
    stored = stored_originals(objects)
    missing = sorted(shas - set(stored))
    assert not missing, f"document rows without a stored original: {missing}"
    orphans = sorted(set(stored) - shas)
    assert not orphans, f"stored originals without a document: {orphans}"
