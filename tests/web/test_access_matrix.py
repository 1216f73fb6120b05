"""The access matrix, generated from the app's own route table: every route under /api/v1
(and /metrics) x every role x the caller's own matter and another one, on SQLite and on the
real PostgreSQL.

RULES says, for each route, the action it needs and what it is scoped by. A route in the app
without a rule fails ``test_every_route_has_a_rule``, so a new route cannot land without
saying who may call it. What the roles may do is written out here (ROLE_ACTIONS), not read
from ``docpipe.services.caller``, so a change there has to be made here too.

Expectations, for a caller of matter A:
- own matter, role allowed: the route's answer (2xx, or its documented non-2xx: 409 to
  retry a document that has not failed);
- role not allowed: 403 problem+json ``access_denied``;
- a document (or matter) of matter B: 404 ``not_found`` whatever the role, never 403;
- a list, search or count asked about matter B: 200 and empty, never a row, hit or count;
- no key: 401 ``unauthenticated``.
An admin sees every matter, so matter B is, for an admin, like matter A.
"""
from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from docpipe.services import ingest
from docpipe.services.caller import LOCAL_OPERATOR, Action
from docpipe.settings import Settings
from tests.conftest import SAMPLES, FakeEngine, pg_schema
from tests.web.conftest import MATTER_A, MATTER_B, PASSWORD, Door, build_door

PROBLEM = "application/problem+json"

# What each role may do (the product's rule, written out on purpose).
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    "viewer": frozenset({Action.READ}),
    "analyst": frozenset({Action.READ, Action.SEARCH, Action.EXPORT}),
    "uploader": frozenset({Action.READ, Action.SEARCH, Action.EXPORT, Action.INGEST, Action.RETRY}),
    "admin": frozenset(Action),
}
ROLES = tuple(ROLE_ACTIONS)
# Matter B's bytes that must never reach a caller of matter A (document names, distinctive text).
B_MARKERS = ("supply-matter-b", "Northwind B", "nda-matter-b")


@dataclass(frozen=True)
class Rule:
    action: Action
    scope: str | None  # "document", "matter" (the route names one), "list" (results), None
    # (door, matter whose things to ask for, role) -> (method, url, request kwargs)
    request: Callable[[Door, str, str], tuple[str, str, dict]]
    ok: int = 200  # the answer to an allowed caller on its own matter
    ok_code: str | None = None  # for a non-2xx ``ok``: the problem code


_uploads = itertools.count()


def _upload(door: Door, matter: str, role: str) -> tuple[str, str, dict]:
    data = f"Memo {uuid.uuid4().hex} number {next(_uploads)} about the supply of widgets.\n".encode() * 8
    return "POST", "/api/v1/documents", {"files": {"file": ("memo.txt", data, "text/plain")},
                                         "data": {"matter": matter}}


def _doc(suffix: str = "", **params) -> Callable[[Door, str, str], tuple[str, str, dict]]:
    def build(door: Door, matter: str, role: str) -> tuple[str, str, dict]:
        return "GET", f"/api/v1/documents/{door.docs[matter]}{suffix}", {"params": params}
    return build


def _pdf(suffix: str) -> Callable[[Door, str, str], tuple[str, str, dict]]:
    def build(door: Door, matter: str, role: str) -> tuple[str, str, dict]:
        return "GET", f"/api/v1/documents/{door.pdfs[matter]}{suffix}", {}
    return build


def _hold_then_lift(door: Door, matter: str, role: str) -> tuple[str, str, dict]:
    """A hold placed (by the local operator) on the matter's done document, then lifted."""
    from docpipe.services import governance

    governance.set_hold(door.settings, LOCAL_OPERATOR, document_id=door.docs[matter], reason="to lift")
    return "POST", "/api/v1/holds/lift", {"json": {"document_id": door.docs[matter]}}


RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/api/v1/me"): Rule(Action.READ, None, lambda d, m, r: ("GET", "/api/v1/me", {})),
    ("GET", "/api/v1/matters"): Rule(Action.READ, "list", lambda d, m, r: ("GET", "/api/v1/matters", {})),
    ("POST", "/api/v1/documents"): Rule(Action.INGEST, "matter", _upload, ok=202),
    ("GET", "/api/v1/documents"): Rule(
        Action.READ, "list", lambda d, m, r: ("GET", "/api/v1/documents", {"params": {"matter": m}})),
    ("GET", "/api/v1/documents/{document_id}"): Rule(Action.READ, "document", _doc()),
    ("GET", "/api/v1/documents/{document_id}/pages/{page}.png"): Rule(Action.READ, "document", _pdf("/pages/1.png")),
    ("GET", "/api/v1/documents/{document_id}/pages/{page}"): Rule(Action.READ, "document", _pdf("/pages/1")),
    ("GET", "/api/v1/documents/{document_id}/events"): Rule(Action.READ, "document", _doc("/events")),
    ("GET", "/api/v1/documents/{document_id}/export"): Rule(Action.EXPORT, "document", _doc("/export", format="csv")),
    ("GET", "/api/v1/matters/{matter}/export"): Rule(
        Action.EXPORT, "matter", lambda d, m, r: ("GET", f"/api/v1/matters/{m}/export", {"params": {"format": "json"}})),
    ("POST", "/api/v1/documents/{document_id}/retry"): Rule(
        Action.RETRY, "document", lambda d, m, r: ("POST", f"/api/v1/documents/{d.docs[m]}/retry", {}),
        ok=409, ok_code="not_failed"),  # the fixture's documents are done: only failed ones are retried
    ("GET", "/api/v1/search"): Rule(
        Action.SEARCH, "list", lambda d, m, r: ("GET", "/api/v1/search", {"params": {"q": "Northwind", "matter": m}})),
    ("GET", "/metrics"): Rule(Action.ADMINISTER, None, lambda d, m, r: ("GET", "/metrics", {})),
    # governance: admins only; the held documents keep the matrix from erasing what it asks about
    ("DELETE", "/api/v1/documents/{document_id}"): Rule(
        Action.ADMINISTER, "document", lambda d, m, r: ("DELETE", f"/api/v1/documents/{d.held[m]}", {}),
        ok=409, ok_code="legal_hold"),
    ("GET", "/api/v1/holds"): Rule(Action.ADMINISTER, None, lambda d, m, r: ("GET", "/api/v1/holds", {})),
    ("POST", "/api/v1/holds"): Rule(
        Action.ADMINISTER, "document",
        lambda d, m, r: ("POST", "/api/v1/holds", {"json": {"document_id": d.held[m], "reason": f"matrix {r}"}}),
        ok=201),
    ("POST", "/api/v1/holds/lift"): Rule(Action.ADMINISTER, "document", _hold_then_lift),
    ("GET", "/api/v1/audit"): Rule(Action.ADMINISTER, None, lambda d, m, r: ("GET", "/api/v1/audit", {})),
}
# Rules for routes that other work adds; every other rule must match a route of the app.
OPTIONAL = {("GET", "/metrics")}


def app_routes(app) -> set[tuple[str, str]]:
    """(method, path template) of every API route of the app under /api/v1, and /metrics."""
    try:  # FastAPI >= 0.120 keeps included routers as they are; this walks into them
        from fastapi.routing import iter_route_contexts

        found = [(c.original_route, c.path, c.methods) for c in iter_route_contexts(app.routes)]
    except ImportError:  # older FastAPI: a flat list
        found = [(r, getattr(r, "path", None), getattr(r, "methods", None)) for r in app.routes]
    routes = set()
    for route, path, methods in found:
        if path is None or not (path.startswith("/api/v1/") or path == "/metrics"):
            continue
        if not isinstance(route, APIRoute) and path == "/api/v1/openapi.json":
            continue  # the schema itself: public, like /api/docs
        for method in methods or ():
            if method != "HEAD":
                routes.add((method, path))
    return routes


# ------------------------------------------------------------------------- the door, once per backend
@dataclass
class MatrixDoor(Door):
    pdfs: dict[str, int] | None = None  # matter -> a PDF document
    failed: dict[str, int] | None = None  # matter -> a failed document (empty file)
    held: dict[str, int] | None = None  # matter -> a document under a legal hold


def _build(settings: Settings, tmp: Path) -> MatrixDoor:
    from docpipe.pipeline.engines import use_engines

    engine = FakeEngine()
    with use_engines(lambda _settings, _stage: engine):
        base = build_door(settings, tmp)
        door = MatrixDoor(**vars(base), pdfs={MATTER_A: base.pdf}, failed={})
        nda_b = tmp / "nda-matter-b.pdf"
        nda_b.write_bytes((SAMPLES / "short-nda.pdf").read_bytes())
        out = ingest.ingest_file(settings, LOCAL_OPERATOR, nda_b, matter=MATTER_B)
        assert out.status == "done", out
        door.pdfs[MATTER_B] = out.document_id
        for matter in (MATTER_A, MATTER_B):
            empty = tmp / f"empty-{matter}.txt"
            empty.write_bytes(b"")
            out = ingest.ingest_file(settings, LOCAL_OPERATOR, empty, matter=matter)
            assert out.status == "failed" and out.error_code == "empty_file", out
            door.failed[matter] = out.document_id
        from docpipe.services import governance

        door.held = {}
        for matter in (MATTER_A, MATTER_B):
            memo = tmp / f"held-{matter}.txt"
            memo.write_text(f"Litigation hold memo for {matter}: preserve every document.\n" * 5)
            out = ingest.ingest_file(settings, LOCAL_OPERATOR, memo, matter=matter)
            governance.set_hold(settings, LOCAL_OPERATOR, document_id=out.document_id, reason="matrix")
            door.held[matter] = out.document_id
    return door


@pytest.fixture(scope="module")
def pg_module_url():
    """A schema of its own in the real PostgreSQL for this module (like ``pg_schema_url``,
    once per module: the matrix makes hundreds of requests against one set of data)."""
    yield from pg_schema()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def mdoor(request, tmp_path_factory) -> MatrixDoor:
    tmp = tmp_path_factory.mktemp(f"matrix-{request.param}")
    if request.param == "sqlite":
        settings = Settings(data_dir=tmp / "data", database_url=None)
    else:
        settings = Settings(data_dir=tmp / "data", database_url=request.getfixturevalue("pg_module_url"))
    door = _build(settings, tmp)
    yield door
    door.client.close()


# ------------------------------------------------------------------------- the tests
def test_every_route_has_a_rule(mdoor):
    routes = app_routes(mdoor.client.app)
    missing = sorted(routes - set(RULES))
    assert not missing, (f"routes without an access rule: {missing}; add them to RULES in "
                         f"{Path(__file__).name} (the action each needs, and its scope)")
    stale = sorted(set(RULES) - routes - OPTIONAL)
    assert not stale, f"rules for routes the app does not have: {stale}"


def _routes_present(door: MatrixDoor) -> list[tuple[str, str]]:
    return sorted(set(RULES) & app_routes(door.client.app))


def _call(door: MatrixDoor, rule: Rule, role: str | None, matter: str):
    method, url, kwargs = rule.request(door, matter, role or "viewer")
    headers = door.auth(role, MATTER_A) if role else {}
    return door.client.request(method, url, headers=headers, **kwargs)


def _problem(r, status: int, code: str, where: str) -> None:
    assert r.status_code == status, f"{where}: expected {status} {code}, got {r.status_code}: {r.text[:300]}"
    assert r.headers["content-type"].startswith(PROBLEM), f"{where}: {r.headers['content-type']}"
    body = r.json()
    assert body["code"] == code and body["status"] == status, f"{where}: {body}"
    assert {"type", "title", "detail"} <= set(body), f"{where}: {body}"


def _no_b(door: MatrixDoor, r, where: str) -> None:
    for marker in B_MARKERS:
        assert marker not in r.text, f"{where}: matter B's {marker!r} in the answer: {r.text[:300]}"


def _b_ids(door: MatrixDoor) -> set[int]:
    return {door.docs[MATTER_B], door.pdfs[MATTER_B], door.failed[MATTER_B], door.held[MATTER_B]}


def _check_ok(door: MatrixDoor, key: tuple[str, str], r, matter: str, where: str) -> None:
    """The allowed answer, exactly, for a caller that sees ``matter``."""
    rule = RULES[key]
    if rule.ok_code:
        _problem(r, rule.ok, rule.ok_code, where)
        return
    assert r.status_code == rule.ok, f"{where}: expected {rule.ok}, got {r.status_code}: {r.text[:300]}"
    path = key[1]
    ctype = r.headers["content-type"]
    if path.endswith(".png"):
        assert ctype == "image/png" and r.content.startswith(b"\x89PNG"), where
    elif path.endswith("/pages/{page}"):
        assert r.json()["document_id"] == door.pdfs[matter] and r.json()["page"] == 1, where
    elif path.endswith("/events"):
        assert ctype.startswith("text/event-stream") and "event: end" in r.text, where
        assert f'"id": {door.docs[matter]}' in r.text, where
    elif path.endswith("/{document_id}/export"):
        assert ctype.startswith("text/csv") and r.text.startswith("document_id,"), where
    elif path.endswith("/{matter}/export"):
        assert r.json()["matter"] == matter and door.docs[matter] in [row["id"] for row in r.json()["documents"]]
    elif path == "/api/v1/documents/{document_id}":
        assert r.json()["id"] == door.docs[matter], where
    elif key == ("POST", "/api/v1/documents"):
        body = r.json()
        assert body["matter"] == matter and body["duplicate"] is False and body["status"] == "pending", where
    elif key == ("GET", "/api/v1/documents"):
        ids = [row["id"] for row in r.json()["documents"]]
        assert door.docs[matter] in ids and {row["matter"] for row in r.json()["documents"]} == {matter}, where
        assert r.json()["total"] >= 3, where
    elif path == "/api/v1/search":
        hits = r.json()["hits"]
        assert door.docs[matter] in {h["document_id"] for h in hits}, where
    elif path == "/api/v1/matters":
        assert MATTER_A in r.json(), where
    elif key == ("POST", "/api/v1/holds"):
        assert r.json()["document_id"] == door.held[matter] and r.json()["lifted_at"] is None, where
    elif key == ("POST", "/api/v1/holds/lift"):
        # every hold on it is lifted (the refused callers' builders placed some too)
        assert r.json() and {h["document_id"] for h in r.json()} == {door.docs[matter]}, where
        assert all(h["lifted_at"] for h in r.json()), where
    elif key == ("GET", "/api/v1/holds"):
        assert {h["document_id"] for h in r.json()} >= set(door.held.values()), where
    elif key == ("GET", "/api/v1/audit"):
        assert r.json() and {"upload", "user_added"} <= {e["action"] for e in r.json()}, where
    elif path == "/api/v1/me":
        assert r.json()["name"] == f"{r.json()['role']}-{MATTER_A}", where


def _check_empty(door: MatrixDoor, key: tuple[str, str], r, where: str) -> None:
    """A list asked about matter B by a caller of matter A: 200 and nothing of B."""
    assert r.status_code == 200, f"{where}: {r.status_code} {r.text[:300]}"
    _no_b(door, r, where)
    body = r.json()
    if key == ("GET", "/api/v1/documents"):
        assert body["documents"] == [] and body["total"] == 0, where
    elif key == ("GET", "/api/v1/search"):
        assert body["hits"] == [], where
    elif key == ("GET", "/api/v1/matters"):
        assert body == [MATTER_A], where


ROUTE_KEYS = sorted(RULES)


@pytest.mark.parametrize("key", ROUTE_KEYS, ids=[f"{m} {p}" for m, p in ROUTE_KEYS])
def test_route_matrix(mdoor, key):
    """Every role, own matter and matter B, and no key at all, for one route."""
    if key not in app_routes(mdoor.client.app):
        pytest.skip(f"{key} is not a route of the app yet")
    rule = RULES[key]
    before = {p.name for p in mdoor.settings.objects_dir.rglob("*")}
    r = _call(mdoor, rule, None, MATTER_A)
    _problem(r, 401, "unauthenticated", f"{key} without a key")
    assert r.headers.get("www-authenticate") == "Bearer"
    for role in ROLES:
        allowed = rule.action in ROLE_ACTIONS[role]
        for matter in (MATTER_A, MATTER_B):
            where = f"{key[0]} {key[1]} as {role} of {MATTER_A}, asking about {matter}"
            r = _call(mdoor, rule, role, matter)
            sees = matter == MATTER_A or role == "admin"
            if sees or rule.scope is None:
                if allowed:
                    _check_ok(mdoor, key, r, matter, where)
                else:
                    _problem(r, 403, "access_denied", where)
            elif rule.scope in ("document", "matter"):
                _problem(r, 404, "not_found", where)  # never 403: B's existence does not leak
                _no_b(mdoor, r, where)
            elif rule.scope == "list":
                if allowed:
                    _check_empty(mdoor, key, r, where)
                else:
                    _problem(r, 403, "access_denied", where)
            else:  # pragma: no cover - a scope this test does not know
                raise AssertionError(f"unknown scope {rule.scope!r}")
            if role != "admin":
                _no_b(mdoor, r, where)  # whatever was asked, nothing of matter B comes back
    if key != ("POST", "/api/v1/documents"):  # only uploads store anything
        assert {p.name for p in mdoor.settings.objects_dir.rglob("*")} == before


def test_special_answers(mdoor):
    """The documented non-2xx answers, exactly: a PNG of a text document is 404; a page past
    the end is 404; retrying a failed document is 202 (it stays failed here: nothing runs);
    an upload by a viewer stores nothing."""
    who = mdoor.auth("uploader")
    r = mdoor.client.get(f"/api/v1/documents/{mdoor.docs[MATTER_A]}/pages/1.png", headers=who)
    _problem(r, 404, "not_found", "PNG of a text document")
    r = mdoor.client.get(f"/api/v1/documents/{mdoor.pdfs[MATTER_A]}/pages/999.png", headers=who)
    _problem(r, 404, "not_found", "PNG of a page past the end")
    r = mdoor.client.get(f"/api/v1/documents/{mdoor.pdfs[MATTER_A]}/pages/999", headers=who)
    _problem(r, 404, "not_found", "text of a page past the end")
    r = mdoor.client.post(f"/api/v1/documents/{mdoor.failed[MATTER_A]}/retry", headers=who)
    assert r.status_code == 202 and r.json()["id"] == mdoor.failed[MATTER_A], r.text
    r = mdoor.client.post(f"/api/v1/documents/{mdoor.failed[MATTER_B]}/retry", headers=who)
    _problem(r, 404, "not_found", "retry of matter B's failed document")
    for role in ("viewer", "analyst"):
        r = mdoor.client.post(f"/api/v1/documents/{mdoor.failed[MATTER_A]}/retry", headers=mdoor.auth(role))
        _problem(r, 403, "access_denied", f"retry by {role}")


def test_counts_and_filters_never_count_matter_b(mdoor):
    """Totals, filters and search for a caller of matter A hold nothing of matter B, however
    the question is put; matter B's own callers see their documents with the same filters."""
    a_only = mdoor.auth("analyst")
    b_ids = _b_ids(mdoor)
    questions = [{}, {"matter": MATTER_B}, {"q": "Northwind"}, {"q": "Northwind", "matter": MATTER_B},
                 {"field.governing_law": "new york"}, {"field.parties": "Northwind B"}, {"has": "governing_law"},
                 {"status": "done"}, {"status": "failed"}, {"kind": "contract"}, {"expires_before": "2099-01-01"},
                 {"sort": "-name", "per_page": 500}]
    for params in questions:
        r = mdoor.client.get("/api/v1/documents", headers=a_only, params=params)
        assert r.status_code == 200, (params, r.text)
        rows = r.json()["documents"]
        assert not {row["id"] for row in rows} & b_ids, params
        assert {row["matter"] for row in rows} <= {MATTER_A}, params
        assert r.json()["total"] == len(rows), params  # every row fits on the page: the count is the rows
        _no_b(mdoor, r, f"list {params}")
        search = {k: v for k, v in params.items() if k not in ("sort", "per_page")}
        search.setdefault("q", "Northwind")
        r = mdoor.client.get("/api/v1/search", headers=a_only, params=search)
        assert r.status_code == 200, (search, r.text)
        assert not {h["document_id"] for h in r.json()["hits"]} & b_ids, search
        _no_b(mdoor, r, f"search {search}")
    r = mdoor.client.get("/api/v1/documents", headers=mdoor.auth("analyst", MATTER_B),
                         params={"field.parties": "Northwind B"})
    assert [row["id"] for row in r.json()["documents"]] == [mdoor.docs[MATTER_B]], r.text
    r = mdoor.client.get("/api/v1/matters", headers=mdoor.auth("admin"))
    assert {MATTER_A, MATTER_B} <= set(r.json()), r.text


def test_session_callers_follow_the_same_matrix(mdoor):
    """A signed-in person (session cookie, CSRF header on writes) gets the same answers as
    their key: 404 for matter B, 403 for what the role may not do."""
    from docpipe.services import users

    app = mdoor.client.app
    viewer = users.by_password(mdoor.settings, f"viewer-{MATTER_A}", PASSWORD)
    cookie, session = app.state.sessions.issue(viewer.user_id)
    from docpipe.web.auth import SESSION_COOKIE

    mdoor.client.cookies.set(SESSION_COOKIE, cookie)
    try:
        r = mdoor.client.get(f"/api/v1/documents/{mdoor.docs[MATTER_A]}")
        assert r.status_code == 200, r.text
        r = mdoor.client.get(f"/api/v1/documents/{mdoor.docs[MATTER_B]}")
        _problem(r, 404, "not_found", "session: matter B's document")
        r = mdoor.client.get("/api/v1/search", params={"q": "Northwind"})
        _problem(r, 403, "access_denied", "session: search by a viewer")
        r = mdoor.client.post(f"/api/v1/documents/{mdoor.failed[MATTER_A]}/retry",
                              headers={"X-CSRF-Token": session.csrf})
        _problem(r, 403, "access_denied", "session: retry by a viewer")
        r = mdoor.client.get("/api/v1/documents", params={"matter": MATTER_B})
        _check_empty(mdoor, ("GET", "/api/v1/documents"), r, "session: list of matter B")
        assert json.loads(r.text)["total"] == 0
    finally:
        mdoor.client.cookies.clear()


# ------------------------------------------------------------------------- the pages (HTML)
PUBLIC_PAGES = {"/signin"}  # the sign-in form itself


def page_routes(app) -> list[str]:
    """Path templates of the GET page routes (everything outside /api/, /metrics, /healthz)."""
    try:
        from fastapi.routing import iter_route_contexts

        found = [(c.original_route, c.path, c.methods) for c in iter_route_contexts(app.routes)]
    except ImportError:
        found = [(r, getattr(r, "path", None), getattr(r, "methods", None)) for r in app.routes]
    return sorted(path for route, path, methods in found
                  if isinstance(route, APIRoute) and "GET" in (methods or ()) and path
                  and not path.startswith("/api/") and path not in ("/metrics", "/healthz"))


def _page_url(door: MatrixDoor, template: str, matter: str) -> str:
    return template.replace("{document_id}", str(door.docs[matter])).replace("{name}", matter)


def test_pages_without_a_session_go_to_sign_in(mdoor):
    """Every GET page without a session (or with only an API key: pages take sessions) is a
    redirect to the sign-in page, a 401 or a 404, never the page."""
    templates = page_routes(mdoor.client.app)
    if not templates:
        pytest.skip("the app has no pages yet")
    for template in templates:
        if template in PUBLIC_PAGES:
            continue
        for headers in ({}, mdoor.auth("admin")):
            r = mdoor.client.get(_page_url(mdoor, template, MATTER_A), headers=headers, follow_redirects=False)
            where = f"GET {template} {'with an API key' if headers else 'without a session'}"
            assert r.status_code in (303, 302, 307, 401, 404), f"{where}: {r.status_code}"
            if r.status_code in (302, 303, 307) and template == "/":  # home: the documents page, itself guarded
                r = mdoor.client.get(r.headers["location"], headers=headers, follow_redirects=False)
            if r.status_code in (302, 303, 307):
                assert r.headers["location"].startswith("/signin"), f"{where}: {r.headers['location']}"
            _no_b(mdoor, r, where)
            assert "Northwind A" not in r.text, where


def test_pages_of_matter_b_are_not_found(mdoor):
    """A signed-in person of matter A: matter B's document and matter pages are 404, their
    own are 200; lists and search pages show nothing of matter B."""
    from docpipe.services import users
    from docpipe.web.auth import SESSION_COOKIE

    templates = page_routes(mdoor.client.app)
    if "/documents/{document_id}" not in templates:
        pytest.skip("the app has no document page yet")
    analyst = users.by_password(mdoor.settings, f"analyst-{MATTER_A}", PASSWORD)
    cookie, _ = mdoor.client.app.state.sessions.issue(analyst.user_id)
    mdoor.client.cookies.set(SESSION_COOKIE, cookie)
    try:
        for template in templates:
            if "{" not in template:
                continue
            own = mdoor.client.get(_page_url(mdoor, template, MATTER_A), follow_redirects=False)
            assert own.status_code == 200, f"{template} of matter A: {own.status_code}"
            other = mdoor.client.get(_page_url(mdoor, template, MATTER_B), follow_redirects=False)
            assert other.status_code == 404, f"{template} of matter B: {other.status_code}"
            _no_b(mdoor, other, f"{template} of matter B")
        r = mdoor.client.get(f"/documents/{mdoor.pdfs[MATTER_B]}", params={"page": 1})
        assert r.status_code == 404
        _no_b(mdoor, r, "matter B's PDF page panel")
        for url, params in (("/documents", {"matter": MATTER_B}), ("/documents", {"q": "Northwind"}),
                            ("/search", {"q": "Northwind"}), ("/search", {"q": "Northwind", "matter": MATTER_B}),
                            ("/matters", {}), ("/batches", {"matter": MATTER_B})):
            if url not in templates:
                continue
            r = mdoor.client.get(url, params=params, follow_redirects=False)
            assert r.status_code in (200, 303), f"{url} {params}: {r.status_code}"
            _no_b(mdoor, r, f"page {url} {params}")
            if params.get("matter") != MATTER_B:  # (a page may echo the caller's own filter back)
                assert MATTER_B not in r.text, f"page {url} {params} names matter B"
    finally:
        mdoor.client.cookies.clear()
