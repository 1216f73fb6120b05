"""The door: RELIABILITY cases 34-39 and bad input, each against the real app.

34 an upload cut off mid-stream (a real uvicorn server, a raw socket that stops sending)
35 100 uploads at once through the API on the real PostgreSQL, some the same bytes
36 no key, a wrong key, a revoked user, an ended session -> 401; CSRF; sign-in rate limit
37 matter A asks for anything of matter B, also with hand-made ids and filters
38 malformed parameters and bodies -> 4xx problem+json, never 500, nothing written
39 the database goes away under the running API (a TCP forwarder in front of the real
   PostgreSQL is stopped and started again), and Redis unreachable with a broker set
and bad files at the door: too large, bytes that disagree with the name, empty, hostile names.

Every refusal is application/problem+json with the code the CLI prints, and leaves the store
as it was: no document row, no stored original, no temporary file.
"""
from __future__ import annotations

import hashlib
import io
import socket
import struct
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from docpipe.services import users
from docpipe.errors import Unauthenticated
from docpipe.services.caller import LOCAL_OPERATOR
from docpipe.settings import Settings
from tests.web.conftest import MATTER_A, MATTER_B, PASSWORD, Door

PROBLEM = "application/problem+json"
B_MARKERS = ("supply-matter-b", "Northwind B")  # matter B's document name and distinctive text
TEXT = b"This Agreement is governed by the laws of the State of New York. Payment is due within 30 days.\n"


@pytest.fixture(scope="module")
def door(tmp_path_factory) -> Iterator[Door]:
    """The conftest's door on SQLite, built once for this module (its users, two matters,
    analysed documents): every test here leaves it usable for the next (a test that revokes
    or rate-limits does so to a user or an app of its own)."""
    from docpipe.pipeline.engines import use_engines
    from tests.conftest import FakeEngine
    from tests.web.conftest import build_door

    tmp = tmp_path_factory.mktemp("door")
    engine = FakeEngine()
    with use_engines(lambda _settings, _stage: engine):
        built = build_door(Settings(data_dir=tmp / "data", database_url=None), tmp)
    yield built
    built.client.close()


# ------------------------------------------------------------------------- helpers
def assert_problem(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, f"expected {status} {code}, got {r.status_code}: {r.text[:400]}"
    assert r.headers["content-type"].startswith(PROBLEM), r.headers["content-type"]
    body = r.json()
    assert body["status"] == status and {"type", "title", "detail", "code"} <= set(body), body
    if code is not None:
        assert body["code"] == code, body
    return body


def assert_no_b(r, where: str = "") -> None:
    for marker in B_MARKERS:
        assert marker not in r.text, f"{where}: matter B's {marker!r} in the answer"


def stored_originals(objects: Path) -> frozenset[str]:
    """sha256 of every original in the store (objects/.../ab/cdef..., whatever lies above)."""
    if not objects.exists():
        return frozenset()
    return frozenset(p.parent.name + p.name for p in objects.rglob("*")
                     if p.is_file() and len(p.parent.name) == 2 and len(p.name) == 62 and not p.name.startswith("."))


def temp_files(settings: Settings) -> list[str]:
    """Temporary files of uploads or of the store still lying around."""
    return sorted(str(p) for p in settings.data_dir.rglob(".*")
                  if p.is_file() and p.name.startswith((".upload-", ".incoming-", ".tmp")))


def document_rows(settings: Settings) -> list[tuple[int, str, str, str]]:
    """(id, matter, sha256, name) of every document."""
    from sqlalchemy import select

    from docpipe.store.db import session_scope
    from docpipe.store.models import Document, Matter

    with session_scope(settings.resolved_database_url) as s:
        return [tuple(row) for row in s.execute(select(Document.id, Matter.name, Document.sha256,
                                                       Document.original_name).join(Matter).order_by(Document.id))]


@dataclass(frozen=True)
class StoreState:
    rows: tuple
    originals: frozenset[str]
    temps: tuple


def store_state(settings: Settings) -> StoreState:
    return StoreState(tuple(document_rows(settings)), stored_originals(settings.objects_dir),
                      tuple(temp_files(settings)))


def assert_consistent(settings: Settings) -> None:
    """Every document row has its original; every original has a row; no temporary file."""
    state = store_state(settings)
    shas = {row[2] for row in state.rows}
    assert not state.temps, f"temporary files left: {state.temps}"
    assert shas == set(state.originals), (f"rows without an original: {sorted(shas - state.originals)}; "
                                          f"originals without a row: {sorted(state.originals - shas)}")


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(app) -> Iterator[int]:
    """The app on a real uvicorn server (HTTP/1.1 over TCP) in a thread; yields its port."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                                           timeout_graceful_shutdown=5))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="uvicorn-door")
    thread.start()
    try:
        wait_for(lambda: server.started or not thread.is_alive(), 30, "uvicorn to start")
        assert server.started, "uvicorn did not start"
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def multipart(boundary: str, *, matter: str | None, filename: str | bytes | None, data: bytes,
              extra: bytes = b"") -> tuple[bytes, bytes, bytes]:
    """(everything before the file's bytes, the bytes, the closing part) of a form."""
    b = boundary.encode()
    head = b""
    if matter is not None:
        head += b"--" + b + b'\r\nContent-Disposition: form-data; name="matter"\r\n\r\n' + matter.encode() + b"\r\n"
    head += extra
    if filename is not None:
        name = filename if isinstance(filename, bytes) else filename.encode()
        head += (b"--" + b + b'\r\nContent-Disposition: form-data; name="file"; filename="' + name
                 + b'"\r\nContent-Type: application/octet-stream\r\n\r\n')
    tail = (b"\r\n" if filename is not None else b"") + b"--" + b + b"--\r\n"
    return head, data, tail


def raw_request_head(port: int, key: str, boundary: str, *, length: int | None) -> bytes:
    lines = ["POST /api/v1/documents HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Authorization: Bearer {key}",
             f"Content-Type: multipart/form-data; boundary={boundary}"]
    lines.append(f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_response(sock: socket.socket, timeout: float = 30) -> tuple[int, bytes]:
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), None)
    while length is not None and len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, body


def upload(client, key_headers: dict, *, name: str = "memo.txt", data: bytes = TEXT, matter: str = MATTER_A):
    return client.post("/api/v1/documents", headers=key_headers, files={"file": (name, io.BytesIO(data), "text/plain")},
                       data={"matter": matter})


# ------------------------------------------------------------------------- 34: cut off mid-stream
@pytest.mark.parametrize("how", ["close", "reset", "chunked"])
def test_34_upload_cut_off_midstream_stores_nothing(door, how):
    """Headers and part of a 1.2 MB body, then the client goes away (FIN, RST, or a chunked
    body that never ends): no document, no original, no temporary file; the server goes on."""
    before = store_state(door.settings)
    boundary = "----docpipe-cut-off"
    head, data, tail = multipart(boundary, matter=MATTER_A, filename="cut.txt", data=TEXT * 12_000)
    with serve(door.client.app) as port:
        sock = socket.create_connection(("127.0.0.1", port))
        try:
            length = None if how == "chunked" else len(head) + len(data) + len(tail)
            sock.sendall(raw_request_head(port, door.keys[("uploader", MATTER_A)], boundary, length=length))
            sent = head + data[:400_000]
            sock.sendall(sent if length is not None else b"%x\r\n%s\r\n" % (len(sent), sent))
            wait_for(lambda: temp_files(door.settings), 15, "the upload to start arriving")
            if how == "reset":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        finally:
            sock.close()
        wait_for(lambda: not temp_files(door.settings), 15, "the temporary upload to be removed")
        assert store_state(door.settings) == before
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:  # the server goes on
            r = upload(client, door.auth("uploader"), data=TEXT + b"after the cut\n")
            assert r.status_code == 202, r.text
    assert_consistent(door.settings)


# ------------------------------------------------------------------------- 35: 100 at once
def test_35_hundred_uploads_at_once(pg_door):
    """100 uploads from 24 client threads against a real server on the real PostgreSQL:
    10 files sent 4 times each (different names, in flight together) and 60 sent once.
    Every answer is 202; each distinct file is exactly one document; its copies answer
    that document's id; nothing is lost; the store is consistent."""
    door = pg_door
    contents = [TEXT + f"Schedule {i}: {hashlib.sha256(str(i).encode()).hexdigest()}\n".encode() * (1 + i % 7)
                for i in range(70)]
    jobs = [(i, f"copy-{i}-{n}.txt") for n in range(4) for i in range(10)]  # copies in flight together
    jobs += [(i, f"single-{i}.txt") for i in range(10, 70)]
    assert len(jobs) == 100
    before = {row[0] for row in document_rows(door.settings)}
    headers = door.auth("uploader")
    with serve(door.client.app) as port, httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120,
                                                      limits=httpx.Limits(max_connections=32)) as client:
        start = threading.Barrier(24)

        def send(job):
            index, name = job
            try:
                start.wait(timeout=1)
            except threading.BrokenBarrierError:
                pass
            r = upload(client, headers, name=name, data=contents[index])
            return index, name, r.status_code, r.json()

        with ThreadPoolExecutor(max_workers=24) as pool:
            results = list(pool.map(send, jobs))
    bad = [(name, status, body) for _, name, status, body in results if status != 202]
    assert not bad, f"{len(bad)} uploads not accepted: {bad[:5]}"
    by_content: dict[int, list[dict]] = {}
    for index, _, _, body in results:
        by_content.setdefault(index, []).append(body)
    for index, bodies in by_content.items():
        ids = {b["id"] for b in bodies}
        assert len(ids) == 1, f"file {index} became documents {ids}"
        assert sum(not b["duplicate"] for b in bodies) == 1, f"file {index}: {bodies}"
    ids = {bodies[0]["id"] for bodies in by_content.values()}
    assert len(ids) == 70
    rows = {row[0]: row for row in document_rows(door.settings)}
    assert set(rows) - before == ids, "documents lost or made twice"
    for index, bodies in by_content.items():
        row = rows[bodies[0]["id"]]
        assert row[1] == MATTER_A and row[2] == hashlib.sha256(contents[index]).hexdigest(), row
    assert_consistent(door.settings)


# ------------------------------------------------------------------------- 36: who is asking
def test_36_no_key_wrong_key_revoked_user_are_401(door):
    c = door.client
    doc = door.docs[MATTER_A]
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Bearer nonsense"},
                    {"Authorization": "Bearer dpk_" + "x" * 43}, {"Authorization": "Basic YWRtaW46YWRtaW4="},
                    {"Authorization": door.keys[("admin", MATTER_A)]},  # no scheme
                    {"Authorization": "Bearer " + door.keys[("admin", MATTER_A)][:-1]}):
        for method, url in (("GET", "/api/v1/me"), ("GET", f"/api/v1/documents/{doc}"),
                            ("POST", f"/api/v1/documents/{doc}/retry")):
            r = c.request(method, url, headers=headers)
            assert_problem(r, 401, "unauthenticated")
            assert r.headers["www-authenticate"] == "Bearer"
        assert_problem(upload(c, headers), 401, "unauthenticated")
    from docpipe.web.auth import SESSION_COOKIE

    _, key = users.add_user(door.settings, LOCAL_OPERATOR, "leaving-analyst", role="analyst", matters=[MATTER_A],
                            password=PASSWORD)
    analyst = {"Authorization": f"Bearer {key}"}
    person = users.by_password(door.settings, "leaving-analyst", PASSWORD)
    cookie, _ = c.app.state.sessions.issue(person.user_id)
    assert c.get("/api/v1/me", headers=analyst).status_code == 200
    assert c.get("/api/v1/me", cookies={SESSION_COOKIE: cookie}).status_code == 200
    users.revoke_user(door.settings, LOCAL_OPERATOR, "leaving-analyst")
    assert_problem(c.get("/api/v1/me", headers=analyst), 401, "unauthenticated")
    assert_problem(c.get(f"/api/v1/documents/{doc}", headers=analyst), 401, "unauthenticated")
    assert_problem(c.get("/api/v1/me", cookies={SESSION_COOKIE: cookie}), 401, "unauthenticated")
    page = c.get(f"/documents/{doc}", cookies={SESSION_COOKIE: cookie}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/signin")
    assert c.get("/api/v1/me", headers=door.auth("analyst")).status_code == 200  # the others go on
    with pytest.raises(Unauthenticated):  # and the revoked one cannot sign in again
        users.by_password(door.settings, "leaving-analyst", PASSWORD)


def test_36_ended_or_forged_session_is_401(door):
    """A session past its lifetime (DOCPIPE_SESSION_HOURS), a tampered one and one signed with
    another secret: 401 on the API, the sign-in page for the pages."""
    from docpipe.web.app import create_app
    from docpipe.web.auth import SESSION_COOKIE, Sessions

    short = door.settings.model_copy(update={"session_hours": 1 / 3600})  # one second
    app = create_app(short, run_documents=False)
    person = users.by_password(door.settings, f"viewer-{MATTER_A}", PASSWORD)
    with TestClient(app, raise_server_exceptions=False) as c:
        cookie, _ = app.state.sessions.issue(person.user_id)
        assert c.get("/api/v1/me", cookies={SESSION_COOKIE: cookie}).status_code == 200
        time.sleep(2.2)
        assert_problem(c.get("/api/v1/me", cookies={SESSION_COOKIE: cookie}), 401, "unauthenticated")
        page = c.get("/documents", cookies={SESSION_COOKIE: cookie}, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/signin")
    c = door.client
    fresh, _ = c.app.state.sessions.issue(person.user_id)
    payload, _, signature = fresh.rpartition(".")
    tampered = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    other = door.settings.model_copy(update={"session_secret": "another secret, not this server's " * 2})
    foreign, _ = Sessions(other).issue(person.user_id)
    for bad in (tampered, foreign, "", "not-a-session", fresh + "x"):
        assert_problem(c.get("/api/v1/me", cookies={SESSION_COOKIE: bad}), 401, "unauthenticated")


def test_36_csrf_on_session_writes(door):
    """A session-authenticated POST needs the session's CSRF token in X-CSRF-Token: missing,
    forged or another session's token -> 403 csrf_failed, nothing done or stored. An API key
    needs none (no cookie rides along with it)."""
    from docpipe.web.auth import SESSION_COOKIE

    c = door.client
    uploader = users.by_password(door.settings, f"uploader-{MATTER_A}", PASSWORD)
    cookie, session = c.app.state.sessions.issue(uploader.user_id)
    _, other_session = c.app.state.sessions.issue(uploader.user_id)
    before = store_state(door.settings)
    retry = f"/api/v1/documents/{door.docs[MATTER_A]}/retry"
    for token in (None, "", "forged-token", other_session.csrf, session.csrf + "x", session.csrf.upper()):
        headers = {} if token is None else {"X-CSRF-Token": token}
        r = c.post(retry, headers=headers, cookies={SESSION_COOKIE: cookie})
        assert_problem(r, 403, "csrf_failed")
        r = c.post("/api/v1/documents", headers=headers, cookies={SESSION_COOKIE: cookie},
                   files={"file": ("memo.txt", io.BytesIO(TEXT + b"csrf\n"), "text/plain")}, data={"matter": MATTER_A})
        assert_problem(r, 403, "csrf_failed")
    assert store_state(door.settings) == before
    assert c.get("/api/v1/me", cookies={SESSION_COOKIE: cookie}).status_code == 200  # reads need no token
    r = c.post(retry, headers={"X-CSRF-Token": session.csrf}, cookies={SESSION_COOKIE: cookie})
    assert_problem(r, 409, "not_failed")  # the token let it through to the retry rule
    r = c.post("/api/v1/documents", headers={"X-CSRF-Token": session.csrf}, cookies={SESSION_COOKIE: cookie},
               files={"file": ("memo.txt", io.BytesIO(TEXT + b"csrf ok\n"), "text/plain")}, data={"matter": MATTER_A})
    assert r.status_code == 202, r.text
    # the pages' forms: sign-out without its token, sign-in without the double-submit token
    r = c.post("/signout", data={"csrf": "forged"}, cookies={SESSION_COOKIE: cookie}, follow_redirects=False)
    assert r.status_code == 403
    c.cookies.clear()
    r = c.post("/signin", data={"name": f"uploader-{MATTER_A}", "password": PASSWORD, "csrf": "x" * 40},
               follow_redirects=False)
    assert r.status_code == 403 and SESSION_COOKIE not in r.cookies


def _signin(c: TestClient, name: str, password: str):
    c.cookies.clear()
    form = c.get("/signin")
    assert form.status_code == 200
    token = c.cookies.get("docpipe_csrf")
    assert token
    return c.post("/signin", data={"name": name, "password": password, "csrf": token, "next": "/documents"},
                  follow_redirects=False)


def test_36_signin_is_rate_limited(door):
    """POST /signin: a right password signs in; after DOCPIPE_SIGNIN_ATTEMPTS failures for a
    name, even the right password is refused (429) for that name, and the address that made
    them is refused for any name."""
    from docpipe.web.app import create_app
    from docpipe.web.auth import SESSION_COOKIE

    c = TestClient(create_app(door.settings, run_documents=False), raise_server_exceptions=False)
    ok = _signin(c, f"viewer-{MATTER_A}", PASSWORD)
    assert ok.status_code == 303 and ok.cookies.get(SESSION_COOKIE), ok.text[:300]
    attempts = door.settings.signin_attempts
    for _ in range(attempts):
        r = _signin(c, f"analyst-{MATTER_A}", "wrong password, wrong")
        assert r.status_code == 401 and not r.cookies.get(SESSION_COOKIE)
    r = _signin(c, f"analyst-{MATTER_A}", PASSWORD)
    assert r.status_code == 429 and not r.cookies.get(SESSION_COOKIE), r.status_code
    r = _signin(c, f"uploader-{MATTER_A}", PASSWORD)  # the same address, another name
    assert r.status_code == 429 and not r.cookies.get(SESSION_COOKIE), r.status_code
    c.close()


def test_36_signin_limiter_window(monkeypatch):
    """The limiter itself: per key, ``attempts`` failures in 15 minutes; older ones expire."""
    from docpipe.errors import DocpipeError
    from docpipe.web import auth

    now = [1000.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: now[0])
    limiter = auth.SignInLimiter(3)
    for _ in range(3):
        limiter.check("name:a", "address:x")
        limiter.failed("name:a", "address:x")
    with pytest.raises(DocpipeError) as refused:
        limiter.check("name:a", "address:y")
    assert refused.value.code == "rate_limited"
    with pytest.raises(DocpipeError):
        limiter.check("name:b", "address:x")
    limiter.check("name:b", "address:y")
    now[0] += auth.WINDOW_SECONDS + 1
    limiter.check("name:a", "address:x")


# ------------------------------------------------------------------------- 37: matter B from matter A
def test_37_nothing_of_matter_b_for_matter_a(door):
    """An uploader of matter A (the widest non-admin role) asks for everything of matter B,
    directly and with hand-made ids and filters: 404 or empty, never a byte of B."""
    c, who = door.client, door.auth("uploader")
    b = door.docs[MATTER_B]
    assert MATTER_B not in door.client.get("/api/v1/matters", headers=who).text
    for url, params in ((f"/api/v1/documents/{b}", {}), (f"/api/v1/documents/{b}/pages/1", {}),
                        (f"/api/v1/documents/{b}/pages/1.png", {}),
                        (f"/api/v1/documents/{b}/pages/1.png", {"quote": "Northwind B"}),
                        (f"/api/v1/documents/{b}/pages/1.png", {"finding": 1}),
                        (f"/api/v1/documents/{b}/events", {}),
                        (f"/api/v1/documents/{b}/export", {"format": "json"}),
                        (f"/api/v1/documents/{b}/export", {"format": "csv"}),
                        (f"/api/v1/documents/{b}/export", {"format": "markdown"}),
                        (f"/api/v1/matters/{MATTER_B}/export", {"format": "csv"}),
                        (f"/api/v1/matters/{MATTER_B}/export", {"format": "json"})):
        r = c.get(url, headers=who, params=params)
        assert_problem(r, 404, "not_found")
        assert_no_b(r, url)
    r = c.post(f"/api/v1/documents/{b}/retry", headers=who)
    assert_problem(r, 404, "not_found")
    # hand-made ids: none reaches matter B or fails the server
    for raw in ("0", "-1", str(2**31), str(2**31 - 1), str(2**63), str(2**63 - 1), str(10**30), "-" + str(10**30),
                "abc", "1e3", f"{b}.0", "0x10", f" {b}", f"{b}%20", f"+{b}", f"0{b}", "%00", "1;DROP TABLE documents", "..%2f1", str(b) + "abc"):
        for suffix in ("", "/pages/1", "/pages/1.png", "/events", "/export"):
            r = c.get(f"/api/v1/documents/{raw}{suffix}", headers=who)
            assert r.status_code in (404, 422), f"{raw}{suffix}: {r.status_code} {r.text[:200]}"
            assert_problem(r, r.status_code)
            assert_no_b(r, f"{raw}{suffix}")
        r = c.post(f"/api/v1/documents/{raw}/retry", headers=who)
        assert r.status_code in (404, 422), f"retry {raw}: {r.status_code}"
    for page in ("0", "-1", str(2**63), "abc"):
        r = c.get(f"/api/v1/documents/{door.pdf}/pages/{page}", headers=who)
        assert r.status_code in (404, 422), f"page {page}: {r.status_code} {r.text[:200]}"
    # filters and search: empty, never a row, a hit or a count of B
    filters = [{"matter": MATTER_B}, {"matter": MATTER_B.upper()}, {"matter": MATTER_B + " "},
               {"matter": f"{MATTER_A},{MATTER_B}"}, {"matter": "%"}, {"matter": "*"}, {"matter": "matter-%"},
               {"field.parties": "Northwind B"}, {"field.parties": "%"}, {"field.parties": "_"},
               {"q": "Northwind B"}, {"q": "Northwind", "matter": MATTER_B}, {"q": "*"}, {"q": "\"Northwind\" OR B"},
               {"q": "NEAR(Northwind B)"}, {"status": "done", "matter": MATTER_B},
               {"has": "governing_law", "matter": MATTER_B}]
    for params in filters:
        r = c.get("/api/v1/documents", headers=who, params=params)
        assert r.status_code in (200, 422), f"{params}: {r.status_code} {r.text[:200]}"
        if r.status_code == 200:
            assert all(row["matter"] == MATTER_A for row in r.json()["documents"]), params
            assert r.json()["total"] == len(r.json()["documents"]), params
        assert_no_b(r, f"list {params}")
        search = {"q": "Northwind", **params}
        r = c.get("/api/v1/search", headers=who, params=search)
        assert r.status_code in (200, 422), f"{search}: {r.status_code} {r.text[:200]}"
        if r.status_code == 200:
            assert b not in {h["document_id"] for h in r.json()["hits"]}, search
        assert_no_b(r, f"search {search}")
    r = c.get("/api/v1/documents", headers=who, params=[("matter", MATTER_A), ("matter", MATTER_B)])
    assert r.status_code in (200, 422) and all(row["matter"] == MATTER_A for row in r.json().get("documents", []))
    assert_no_b(r, "two matter params")
    # matter B's own people do see it: the markers are real
    r = c.get(f"/api/v1/documents/{b}/export", headers=door.auth("analyst", MATTER_B), params={"format": "json"})
    assert r.status_code == 200 and "Northwind B" in r.text and "supply-matter-b" in r.text


# ------------------------------------------------------------------------- 38: malformed input
MALFORMED_QUERIES = [
    ("/api/v1/documents", {"expires_before": "2024-13-45"}), ("/api/v1/documents", {"expires_before": "soon"}),
    ("/api/v1/documents", {"expires_before": "2024-02-30"}), ("/api/v1/documents", {"page": "0"}),
    ("/api/v1/documents", {"page": "-1"}), ("/api/v1/documents", {"page": "abc"}),
    ("/api/v1/documents", {"page": str(10**30)}), ("/api/v1/documents", {"per_page": "10000"}),
    ("/api/v1/documents", {"per_page": "0"}), ("/api/v1/documents", {"field.xyz": "1"}),
    ("/api/v1/documents", {"field.governing_law": ""}), ("/api/v1/documents", {"field.governing_law": "   "}),
    ("/api/v1/documents", {"field.": "x"}), ("/api/v1/documents", {"status": "bogus"}),
    ("/api/v1/documents", {"kind": "bogus"}), ("/api/v1/documents", {"has": "bogus"}),
    ("/api/v1/documents", {"sort": "bogus"}), ("/api/v1/documents", {"sort": "-bogus"}),
    ("/api/v1/documents", {"sort": "name; DROP TABLE documents"}), ("/api/v1/documents", {"q": "x" * 501}),
    ("/api/v1/documents", {"matter": "m" * 201}),
    ("/api/v1/search", {}), ("/api/v1/search", {"q": ""}), ("/api/v1/search", {"q": "x" * 501}),
    ("/api/v1/search", {"q": "a", "limit": "0"}), ("/api/v1/search", {"q": "a", "limit": "10000"}),
    ("/api/v1/search", {"q": "a", "has": "bogus"}), ("/api/v1/search", {"q": "a", "expires_before": "later"}),
    ("/api/v1/search", {"q": "a", "status": "bogus"}), ("/api/v1/search", {"q": "a", "field.nope": "x"}),
    ("/api/v1/documents/{doc}/export", {"format": "xml"}), ("/api/v1/documents/{doc}/export", {"format": ""}),
    ("/api/v1/matters/matter-a/export", {"format": "markdown"}),
    ("/api/v1/documents/{pdf}/pages/1.png", {"finding": "-1"}),
    ("/api/v1/documents/{pdf}/pages/1.png", {"finding": "abc"}),
    ("/api/v1/documents/{pdf}/pages/1.png", {"quote": "q" * 2001}),
]


def test_38_malformed_queries_are_422(door):
    c, who = door.client, door.auth("uploader")
    before = store_state(door.settings)
    for url, params in MALFORMED_QUERIES:
        url = url.format(doc=door.docs[MATTER_A], pdf=door.pdf)
        r = c.get(url, headers=who, params=params)
        body = assert_problem(r, 422)
        assert body["code"] in ("bad_request", "bad_format"), (url, params, body)
    assert store_state(door.settings) == before


def _raw_post(c: TestClient, who: dict, body: bytes, content_type: str):
    return c.post("/api/v1/documents", headers={**who, "Content-Type": content_type}, content=body)


def test_38_malformed_upload_bodies_are_refused(door):
    """Not multipart, no boundary, no file part, no matter, an empty or 201-character matter,
    two files, a field too long, garbage: 422 bad_request, nothing written."""
    c, who = door.client, door.auth("uploader")
    before = store_state(door.settings)
    bnd = "b0undary"

    def form(**kw) -> bytes:
        head, data, tail = multipart(bnd, **kw)
        return head + data + tail

    second_file = (b"--" + bnd.encode() + b'\r\nContent-Disposition: form-data; name="file"; filename="two.txt"\r\n\r\n'
                   + TEXT + b"\r\n")
    cases = [
        (b'{"matter": "matter-a", "file": "abc"}', "application/json"),
        (b"matter=matter-a&file=abc", "application/x-www-form-urlencoded"),
        (TEXT, "text/plain"),
        (form(matter=MATTER_A, filename="a.txt", data=TEXT), "multipart/form-data"),  # no boundary
        (form(matter=MATTER_A, filename=None, data=b""), f"multipart/form-data; boundary={bnd}"),  # no file
        (form(matter=None, filename="a.txt", data=TEXT), f"multipart/form-data; boundary={bnd}"),  # no matter
        (form(matter="", filename="a.txt", data=TEXT), f"multipart/form-data; boundary={bnd}"),
        (form(matter="   ", filename="a.txt", data=TEXT), f"multipart/form-data; boundary={bnd}"),
        (form(matter="m" * 201, filename="a.txt", data=TEXT), f"multipart/form-data; boundary={bnd}"),
        (form(matter="m" * 5000, filename="a.txt", data=TEXT), f"multipart/form-data; boundary={bnd}"),
        (form(matter=MATTER_A, filename="a.txt", data=TEXT, extra=second_file), f"multipart/form-data; boundary={bnd}"),
        (b"this is not a multipart body at all", f"multipart/form-data; boundary={bnd}"),
        (b"--" + bnd.encode() + b"\r\ngarbage without headers", f"multipart/form-data; boundary={bnd}"),
        (b"", f"multipart/form-data; boundary={bnd}"),
        (form(matter=MATTER_A, filename="a.txt", data=TEXT).replace(b"--" + bnd.encode() + b"--", b""),
         f"multipart/form-data; boundary={bnd}"),  # never closed
        (form(matter=MATTER_A, filename="a.txt", data=TEXT * 4)[:-200], f"multipart/form-data; boundary={bnd}"),
        # ^ a body that ends inside the file: a shortened file must not become a document
    ]
    for body, ctype in cases:
        r = _raw_post(c, who, body, ctype)
        got = assert_problem(r, 422, "bad_request")
        assert got["detail"], (body[:60], ctype)
    # a file part under another name is not the file
    r = c.post("/api/v1/documents", headers=who, files={"document": ("a.txt", io.BytesIO(TEXT), "text/plain")},
               data={"matter": MATTER_A})
    assert_problem(r, 422, "bad_request")
    assert store_state(door.settings) == before


# ------------------------------------------------------------------------- bad files at the door
def test_oversize_upload_is_413_and_stores_nothing(door):
    from docpipe.web.app import create_app

    small = create_app(door.settings.model_copy(update={"max_upload_mb": 1}), run_documents=False)
    big = TEXT * (2 * (1 << 20) // len(TEXT) + 1)  # 2 MB of real text
    before = store_state(door.settings)
    with TestClient(small, raise_server_exceptions=False) as c:
        r = upload(c, door.auth("uploader"), data=big)  # Content-Length says so at once
        assert_problem(r, 413, "upload_too_large")

        def chunks():  # no Content-Length: counted as it streams
            for i in range(0, len(body), 64 * 1024):
                yield body[i:i + 64 * 1024]

        head, data, tail = multipart("bigbnd", matter=MATTER_A, filename="big.txt", data=big)
        body = head + data + tail
        r = c.post("/api/v1/documents", headers={**door.auth("uploader"),
                                                 "Content-Type": "multipart/form-data; boundary=bigbnd"},
                   content=chunks())
        assert_problem(r, 413, "upload_too_large")
        r = upload(c, door.auth("uploader"), data=TEXT * 100)  # under the limit: fine
        assert r.status_code == 202, r.text
    after = store_state(door.settings)
    assert len(after.rows) == len(before.rows) + 1 and not after.temps


def test_bytes_that_disagree_with_the_name_are_415_and_empty_is_422(door):
    from tests.conftest import SAMPLES

    c, who = door.client, door.auth("uploader")
    before = store_state(door.settings)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
    pdf = (SAMPLES / "short-nda.pdf").read_bytes()
    for name, data, status, code in (
            ("contract.pdf", TEXT, 415, "content_mismatch"),  # text named .pdf
            ("contract.pdf", b"<html><body>hello</body></html>", 415, "content_mismatch"),
            ("scan.txt", png, 415, "unsupported_format"),  # a PNG named .txt: a format docpipe does not read
            ("scan.pdf", png, 415, "content_mismatch"),  # a PNG named .pdf
            ("scan.png", png, 415, "unsupported_format"),
            ("notes.docx", TEXT, 415, "content_mismatch"),
            ("nda.docx", pdf, 415, "content_mismatch"),
            ("blob.bin", bytes(range(256)) * 8, 415, "unsupported_format"),
            ("empty.txt", b"", 422, "empty_file"),
            ("empty.pdf", b"", 422, "empty_file")):
        r = upload(c, who, name=name, data=data)
        assert_problem(r, status, code)
    assert store_state(door.settings) == before


def test_hostile_file_names_are_metadata_only(door, tmp_path):
    """Names with path parts, NUL, RTL override, 5000 characters or only dots: accepted as a
    display name (control characters made visible, length bounded) or refused for their
    extension; never a path: every new file lands under the content store."""
    c, who = door.client, door.auth("uploader")
    data_dir = door.settings.data_dir
    watch = [data_dir.parent, tmp_path]  # the door's folder: where "../../x" from the store would land
    before_files = {p for root in watch for p in root.rglob("*") if p.is_file()}
    accepted, refused = {}, []
    for i, name in enumerate(["../../etc/passwd.txt", "..\\..\\windows\\win.ini.txt", "/etc/shadow.txt",
                              "a\x00b.txt", "invoice\u202etxt.exe.txt", "x" * 5000 + ".txt", "y" * 3000 + ".txt", "....txt",
                              "\r\nX-Injected: 1.txt", "%2e%2e%2fescape.txt", "con.txt", "..", "...", "."]):
        data = TEXT + f"hostile {i}\n".encode()
        head, payload, tail = multipart("hbnd", matter=MATTER_A, filename=name.encode("utf-8"), data=data)
        r = _raw_post(c, who, head + payload + tail, "multipart/form-data; boundary=hbnd")
        if r.status_code == 202:
            shown = r.json()["name"]
            accepted[name] = shown
            assert "\x00" not in shown and "\u202e" not in shown and "\r" not in shown and "\n" not in shown, shown
            assert len(shown) <= 1000
        else:
            assert r.status_code in (415, 422), (name, r.status_code, r.text)
            assert_problem(r, r.status_code)
            refused.append(name)
    assert {"../../etc/passwd.txt", "a\x00b.txt", "invoice\u202etxt.exe.txt", "y" * 3000 + ".txt"} <= set(accepted), \
        accepted
    assert accepted["y" * 3000 + ".txt"] == "y" * 1000  # bounded (a 5000-character one may be refused: 422)
    assert set(refused) <= {"x" * 5000 + ".txt"}, refused  # too long for a multipart header, said plainly
    assert accepted["a\x00b.txt"] == "a\\u0000b.txt" and "\\u202e" in accepted["invoice\u202etxt.exe.txt"]
    after_files = {p for root in watch for p in root.rglob("*") if p.is_file()}
    new = after_files - before_files
    objects = door.settings.objects_dir.resolve()
    strays = [p for p in new if not p.resolve().is_relative_to(objects)
              and not (p.resolve().is_relative_to(data_dir.resolve()) and p.suffix in (".db", ".db-wal", ".db-shm"))]
    assert not strays, f"files written outside the content store: {strays}"
    for escaped in (data_dir.parent / "etc", data_dir / "etc", Path("/etc/passwd.txt"), Path("/etc/shadow.txt"),
                    Path.cwd() / "etc", Path.cwd() / "passwd.txt"):
        assert not escaped.exists(), escaped
    rows = {row[3] for row in document_rows(door.settings)}
    assert set(accepted.values()) <= rows
    assert_consistent(door.settings)


def test_upload_to_a_matter_the_caller_does_not_belong_to_is_404(door):
    c = door.client
    before = store_state(door.settings)
    for role in ("uploader", "viewer", "analyst"):
        for matter in (MATTER_B, "no-such-matter"):
            assert_problem(upload(c, door.auth(role), matter=matter, data=TEXT + b"elsewhere\n"), 404, "not_found")
    assert store_state(door.settings) == before
    r = upload(c, door.auth("admin"), matter="a-new-matter", data=TEXT + b"admin\n")  # an admin: every matter
    assert r.status_code == 202 and r.json()["matter"] == "a-new-matter"


# ------------------------------------------------------------------------- 39: outages
class Forwarder:
    """A TCP forwarder in front of the real PostgreSQL: stop() closes the listening socket
    and every connection through it (the database "goes away"); start() listens again on
    the same port."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.1)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True, name="pg-forwarder")
        self._thread.start()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._conns += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


@dataclass
class Outage:
    direct: Settings  # straight to PostgreSQL: what the test reads the store with
    through: Settings  # through the forwarder: what the app runs on
    forwarder: Forwarder
    who: dict
    doc: int


@pytest.fixture
def outage(pg_settings, fake_engine, tmp_path) -> Iterator[Outage]:
    """Users and an analysed document made directly; the app's settings reach the database
    through a Forwarder."""
    from sqlalchemy.engine import make_url

    from docpipe.services import ingest
    from docpipe.store.db import get_engine

    _, uploader = users.add_user(pg_settings, LOCAL_OPERATOR, "uploader-a", role="uploader", matters=[MATTER_A])
    path = tmp_path / "supply.txt"
    path.write_text(TEXT.decode() * 5)
    doc = ingest.ingest_file(pg_settings, LOCAL_OPERATOR, path, matter=MATTER_A).document_id
    url = make_url(pg_settings.database_url)
    forwarder = Forwarder((url.host or "127.0.0.1", url.port or 5432))
    forwarder.start()
    through = url.set(host="127.0.0.1", port=forwarder.port).render_as_string(hide_password=False)
    settings = pg_settings.model_copy(update={"database_url": through})
    try:
        yield Outage(pg_settings, settings, forwarder, {"Authorization": f"Bearer {uploader}"}, doc)
    finally:
        forwarder.stop()
        get_engine(through).dispose()


def test_39_database_outage_is_503_then_resumes(outage):
    from docpipe.web.app import create_app

    forwarder, who, doc, direct = outage.forwarder, outage.who, outage.doc, outage.direct
    app = create_app(outage.through, run_documents=False)
    with serve(app) as port, httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        assert client.get("/api/v1/documents", headers=who).status_code == 200
        assert client.get(f"/api/v1/documents/{doc}", headers=who).status_code == 200
        assert client.get("/healthz").status_code == 200
        before = store_state(direct)
        forwarder.stop()
        started = time.monotonic()
        for method, url in (("GET", "/api/v1/documents"), ("GET", f"/api/v1/documents/{doc}"),
                            ("GET", "/api/v1/me"), ("GET", "/api/v1/search?q=Agreement"),
                            ("POST", f"/api/v1/documents/{doc}/retry")):
            r = client.request(method, url, headers=who)
            body = assert_problem(r, 503, "store_error")
            assert r.headers["retry-after"].isdigit(), r.headers
            assert "unreachable" in body["detail"] or "database" in body["detail"], body
        r = upload(client, who, data=TEXT + b"while the database is down\n")
        assert_problem(r, 503, "store_error")
        assert r.headers.get("retry-after")
        assert client.get("/healthz").status_code == 503
        assert time.monotonic() - started < 30, "the outage answers must not hang"
        assert stored_originals(direct.objects_dir) == before.originals and not temp_files(direct)
        assert store_state(direct).rows == before.rows
        forwarder.start()  # the same port again
        r = client.get("/api/v1/documents", headers=who)
        assert r.status_code == 200, r.text
        assert client.get(f"/api/v1/documents/{doc}", headers=who).status_code == 200
        assert client.get("/healthz").status_code == 200
        r = upload(client, who, data=TEXT + b"after the database came back\n")
        assert r.status_code == 202, r.text
    assert store_state(direct).rows == before.rows + tuple(
        row for row in document_rows(direct) if row[0] == r.json()["id"])
    assert_consistent(direct)


def test_39_database_lost_during_an_upload_stores_nothing(outage):
    """The caller is known, the body is arriving, then the database goes away: the answer
    is 503 and nothing of the upload stays (no original, no temporary file, no row)."""
    from docpipe.web.app import create_app

    settings, forwarder, who = outage.direct, outage.forwarder, outage.who
    app = create_app(outage.through, run_documents=False)
    before = store_state(settings)
    boundary = "midway"
    head, data, tail = multipart(boundary, matter=MATTER_A, filename="midway.txt", data=TEXT * 6000)
    key = who["Authorization"].split(" ", 1)[1]
    with serve(app) as port:
        sock = socket.create_connection(("127.0.0.1", port))
        try:
            sock.sendall(raw_request_head(port, key, boundary, length=len(head) + len(data) + len(tail)))
            sock.sendall(head + data[:200_000])
            wait_for(lambda: temp_files(settings), 15, "the upload to start arriving")
            forwarder.stop()
            sock.sendall(data[200_000:] + tail)
            status, body = read_response(sock)
        finally:
            sock.close()
        assert status == 503, body[:300]
        assert b'"code":"store_error"' in body.replace(b" ", b"")
        wait_for(lambda: not temp_files(settings), 10, "temporary files to go")
        assert stored_originals(settings.objects_dir) == before.originals, "an original was stored for a 503"
        forwarder.start()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            assert client.get("/api/v1/documents", headers=who).status_code == 200
    assert store_state(settings) == before
    assert_consistent(settings)


def test_39_broker_unreachable_upload_is_queued_not_lost(pg_settings):
    """A broker is configured but Redis is not there: the upload is accepted (202) with its
    document recorded and a queued run, so the reconciler sends it later; never accepted and
    then lost."""
    from docpipe.store import runs
    from docpipe.store.db import session_scope
    from docpipe.web.app import create_app

    settings = pg_settings.model_copy(update={"broker_url": f"redis://127.0.0.1:{free_port()}/0"})
    _, key = users.add_user(settings, LOCAL_OPERATOR, "uploader-a", role="uploader", matters=[MATTER_A])
    who = {"Authorization": f"Bearer {key}"}
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        started = time.monotonic()
        r = upload(c, who, data=TEXT + b"queued while the broker is away\n")
        took = time.monotonic() - started
        assert r.status_code == 202, r.text
        assert r.json()["status"] == "queued" and r.json()["duplicate"] is False, r.json()
        doc = r.json()["id"]
        shown = c.get(f"/api/v1/documents/{doc}", headers=who)
        assert shown.status_code == 200 and shown.json()["status"] == "queued", shown.text
    assert took < 60, f"the upload waited {took:.0f}s for the broker"
    with session_scope(settings.resolved_database_url) as s:
        run = runs.latest_run(s, document_id=doc)
    assert run is not None and run.status == "queued", run
    assert_consistent(settings)
