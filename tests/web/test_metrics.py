"""GET /metrics: Prometheus text for an admin's key or the server host itself; the figures
match the stored documents and runs, and no document's name, matter or text is in them."""
from __future__ import annotations

import random

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from docpipe.services import documents, ingest, metrics
from docpipe.services.caller import LOCAL_OPERATOR
from docpipe.web.metrics import exposition
from tests.web.conftest import MATTER_A, MATTER_B


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def _failed_document(door, tmp_path) -> int:
    bad = tmp_path / "broken-exhibit.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + b"\x00not really a pdf" * 40)
    outcome = ingest.ingest_file(door.settings, LOCAL_OPERATOR, bad, matter=MATTER_B)
    assert outcome.status == "failed", outcome
    return outcome.document_id


def test_admin_scrape_matches_the_stored_documents(door, tmp_path):
    failed_id = _failed_document(door, tmp_path)
    code = documents.get_document(door.settings, LOCAL_OPERATOR, failed_id).error_code
    r = door.client.get("/metrics", headers=door.auth("admin"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    got = _samples(r.text)
    assert got[("docpipe_documents", (("status", "done"),))] == 3
    assert got[("docpipe_documents", (("status", "failed"),))] == 1
    assert got[("docpipe_documents", (("status", "pending"),))] == 0
    assert got[("docpipe_documents_failed", (("code", code),))] == 1
    assert got[("docpipe_runs_failed_total", (("code", code),))] == 1

    views = [documents.show(door.settings, LOCAL_OPERATOR, i) for i in (*door.docs.values(), door.pdf, failed_id)]
    generated = sum(v["run"]["tokens"]["generated"] for v in views)
    evaluated = sum(v["run"]["tokens"]["evaluated"] for v in views)
    assert generated > 0 and got[("docpipe_llm_tokens_generated_total", ())] == generated
    assert got[("docpipe_llm_tokens_evaluated_total", ())] == evaluated
    seconds = got[("docpipe_llm_seconds_total", ())]
    assert seconds == pytest.approx(sum(v["run"]["llm_seconds"] for v in views), abs=0.05)
    assert got[("docpipe_llm_generated_tokens_per_second", ())] == pytest.approx(generated / seconds)
    assert got[("docpipe_llm_evaluated_tokens_per_second", ())] == pytest.approx(evaluated / seconds)

    parses = [v["run"]["timings"]["parse"] for v in views if "parse" in (v["run"]["timings"] or {})]
    assert len(parses) == 3  # the broken PDF failed inside the parse stage: no parse time kept
    assert got[("docpipe_stage_duration_seconds_count", (("stage", "parse"),))] == 3
    assert got[("docpipe_stage_duration_seconds_sum", (("stage", "parse"),))] == pytest.approx(sum(parses))
    assert got[("docpipe_stage_duration_seconds_bucket", (("le", "+Inf"), ("stage", "parse")))] == 3
    fast = sum(1 for p in parses if p <= 0.5)
    assert got[("docpipe_stage_duration_seconds_bucket", (("le", "0.5"), ("stage", "parse")))] == fast
    maps = sum(1 for v in views if "map" in (v["run"]["timings"] or {}))
    assert got[("docpipe_stage_duration_seconds_count", (("stage", "map"),))] == maps == 3
    assert not any(name.startswith(("docpipe_queue", "docpipe_broker")) for name, _ in got)  # no broker


def test_no_document_name_matter_or_text_in_the_output(door, tmp_path):
    _failed_document(door, tmp_path)
    text = door.client.get("/metrics", headers=door.auth("admin", MATTER_B)).text
    for secret in ("supply-", "short-nda", "broken-exhibit", ".pdf", ".txt", MATTER_A, MATTER_B, "Northwind",
                   "Cobalt", "NON-DISCLOSURE", "Harbor"):
        assert secret not in text, secret
    labels = {k for family in text_string_to_metric_families(text) for s in family.samples for k in s.labels}
    assert labels <= {"status", "code", "stage", "le", "queue"}


def test_only_admins_or_the_server_host(door):
    for role in ("viewer", "analyst", "uploader"):
        r = door.client.get("/metrics", headers=door.auth(role))
        assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json", role
        assert r.json()["code"] == "access_denied"
    r = door.client.get("/metrics")  # the TestClient's host is "testclient", not loopback
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    r = door.client.get("/metrics", headers={"Authorization": "Bearer dpk_wrong"})
    assert r.status_code == 401
    local = TestClient(door.client.app, client=("127.0.0.1", 50123))
    r = local.get("/metrics")
    assert r.status_code == 200 and "docpipe_documents" in r.text
    # a request relayed by a proxy on this host is not the host itself
    assert local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 401
    assert local.get("/metrics", headers=door.auth("analyst")).status_code == 403


def test_service_requires_administer(door):
    from docpipe.errors import AccessDenied
    from docpipe.services import users

    analyst = users.by_key(door.settings, door.keys[("analyst", MATTER_A)])
    with pytest.raises(AccessDenied):
        metrics.snapshot(door.settings, analyst)


def _free_redis_db():
    import redis

    for db in random.sample(range(1, 16), 15):
        client = redis.Redis(host="127.0.0.1", port=6379, db=db, socket_connect_timeout=1)
        try:
            if client.dbsize() == 0:
                return client, db
        except redis.RedisError as exc:
            pytest.skip(f"Redis unreachable: {exc}")
        client.close()
    pytest.skip("no empty Redis database to use")


def test_queue_depth_from_redis(door):
    client, db = _free_redis_db()
    keys = ["parse", "llm", "llm\x06\x163", "unacked"]
    try:
        client.rpush("parse", "a", "b", "c")
        client.rpush("llm", "x")
        client.rpush("llm\x06\x163", "y")  # kombu's key for priority 3 of the llm queue
        client.hset("unacked", "tag", "message")
        settings = door.settings.model_copy(update={"broker_url": f"redis://127.0.0.1:6379/{db}"})
        got = _samples(exposition(metrics.snapshot(settings, LOCAL_OPERATOR)).decode())
    finally:
        client.delete(*keys)
        client.close()
    assert got[("docpipe_broker_up", ())] == 1
    assert got[("docpipe_queue_depth", (("queue", "parse"),))] == 3
    assert got[("docpipe_queue_depth", (("queue", "llm"),))] == 2
    assert got[("docpipe_queue_unacked", ())] == 1


def test_unreachable_broker_is_reported_not_raised(door):
    settings = door.settings.model_copy(update={"broker_url": "redis://127.0.0.1:1/0"})
    got = _samples(exposition(metrics.snapshot(settings, LOCAL_OPERATOR)).decode())
    assert got[("docpipe_broker_up", ())] == 0
    assert not any(name.startswith("docpipe_queue") for name, _ in got)
    assert got[("docpipe_documents", (("status", "done"),))] == 3
