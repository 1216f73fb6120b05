"""Uploads are analysed after the request, never inside it: without a broker by the
server's one background thread, with one by the fleet (queued). Progress streams as
server-sent events until the document ends; a failed document is retried over the API."""
from __future__ import annotations

import io
import time

import pytest
from fastapi.testclient import TestClient

from docpipe.services import users
from docpipe.services.caller import LOCAL_OPERATOR, Role
from tests.web.conftest import CONTRACT


def _client(settings, **kw) -> tuple[TestClient, dict]:
    from docpipe.web.app import create_app

    _, key = users.add_user(settings, LOCAL_OPERATOR, "up", role=Role.UPLOADER, matters=["m"])
    return TestClient(create_app(settings, **kw)), {"Authorization": f"Bearer {key}"}


def _wait_final(client, who, document_id, timeout=60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc = client.get(f"/api/v1/documents/{document_id}", headers=who).json()
        if doc["status"] in ("done", "failed"):
            return doc
        time.sleep(0.2)
    raise AssertionError(f"document {document_id} still {doc['status']} after {timeout}s")


def _events(client, who, document_id) -> list[tuple[str, str]]:
    out = []
    with client.stream("GET", f"/api/v1/documents/{document_id}/events", headers=who) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                out.append((event, line[6:]))
    return out


def test_without_a_broker_the_server_thread_analyses_the_upload(sqlite_settings, fake_engine):
    client, who = _client(sqlite_settings)
    with client:  # the lifespan starts the runner
        r = client.post("/api/v1/documents", headers=who, data={"matter": "m"},
                        files={"file": ("supply.txt", io.BytesIO(CONTRACT.encode()), "text/plain")})
        assert r.status_code == 202 and r.json()["status"] == "queued"
        doc = _wait_final(client, who, r.json()["id"])
        assert doc["status"] == "done" and doc["findings"]
        events = _events(client, who, doc["id"])
        assert events[0][0] == "progress" and '"status": "done"' in events[0][1]
        assert events[-1] == ("end", '{"status": "done"}')


def test_a_failed_document_is_retried_as_a_new_run(sqlite_settings, fake_engine):
    client, who = _client(sqlite_settings)
    with client:
        r = client.post("/api/v1/documents", headers=who, data={"matter": "m"},
                        files={"file": ("broken.pdf", io.BytesIO(b"%PDF-1.4\n" + b"\x00garbage" * 200),
                                        "application/pdf")})
        assert r.status_code == 202
        doc = _wait_final(client, who, r.json()["id"])
        assert doc["status"] == "failed" and doc["error"]["code"] == "corrupt_file"
        first_run = doc["run"]["id"]
        retried = client.post(f"/api/v1/documents/{doc['id']}/retry", headers=who)
        assert retried.status_code == 202, retried.text
        again = _wait_final(client, who, doc["id"])
        assert again["run"]["id"] > first_run and again["error"]["code"] == "corrupt_file"
        done_twice = client.post(f"/api/v1/documents/{doc['id']}/retry", headers={"Authorization": "Bearer x"})
        assert done_twice.status_code == 401


@pytest.mark.redis
def test_with_a_broker_the_upload_is_queued_for_the_fleet(pg_settings):
    import redis

    client_redis = redis.Redis(host="127.0.0.1", port=6379, db=13)
    try:
        client_redis.ping()
    except Exception as exc:
        pytest.fail(f"Redis unreachable: {exc}")
    client_redis.flushdb()
    settings = pg_settings.model_copy(update={"broker_url": "redis://127.0.0.1:6379/13"})
    client, who = _client(settings)
    with client:
        r = client.post("/api/v1/documents", headers=who, data={"matter": "m"},
                        files={"file": ("supply.txt", io.BytesIO(CONTRACT.encode()), "text/plain")})
        assert r.status_code == 202 and r.json()["status"] == "queued", r.text
        doc = client.get(f"/api/v1/documents/{r.json()['id']}", headers=who).json()
        assert doc["status"] == "queued" and doc["run"]["status"] == "queued"
    waiting = {k.decode(): client_redis.llen(k) for k in client_redis.keys("*") if client_redis.type(k) == b"list"}
    assert sum(waiting.values()) == 1, waiting  # the parse task, sent to the broker
    client_redis.flushdb()


def test_a_new_server_takes_what_a_stopped_one_left(sqlite_settings, fake_engine):
    """Accepted and queued for a server's runner, then the server stopped: the next server
    analyses both (one never started, one whose run was recorded as queued)."""
    from docpipe.services import ingest

    client, who = _client(sqlite_settings, run_documents=False)  # accepts, runs nothing
    ids = []
    for n in range(2):
        r = client.post("/api/v1/documents", headers=who, data={"matter": "m"},
                        files={"file": (f"s{n}.txt", io.BytesIO(CONTRACT.replace("Northwind", f"North{n}").encode()),
                                        "text/plain")})
        ids.append(r.json()["id"])
    run_id = ingest.queue_here(sqlite_settings, ids[1])  # as a retry would have left it
    assert ingest.pending(sqlite_settings, LOCAL_OPERATOR) == [(ids[0], None), (ids[1], run_id)]
    from docpipe.web.app import create_app

    with TestClient(create_app(sqlite_settings)) as restarted:
        done = [_wait_final(restarted, who, i) for i in ids]
    assert [d["status"] for d in done] == ["done", "done"] and done[1]["run"]["id"] == run_id
