"""The API's main routes on the real app: upload, list with filters, show, search, export."""
from __future__ import annotations

import io

from tests.web.conftest import MATTER_A, MATTER_B


def test_me_and_matters(door):
    r = door.client.get("/api/v1/me", headers=door.auth("analyst"))
    assert r.status_code == 200 and r.json() == {"name": "analyst-matter-a", "role": "analyst", "matters": [MATTER_A]}
    assert door.client.get("/api/v1/matters", headers=door.auth("viewer", MATTER_B)).json() == [MATTER_B]


def test_upload_then_same_bytes_answer_the_existing_document(door):
    data = b"A short memo about the supply of widgets.\n" * 20
    files = {"file": ("memo.txt", io.BytesIO(data), "text/plain")}
    r = door.client.post("/api/v1/documents", headers=door.auth("uploader"), files=files, data={"matter": MATTER_A})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["matter"] == MATTER_A and body["duplicate"] is False and body["status"] == "pending"
    assert r.headers["location"] == f"/api/v1/documents/{body['id']}"
    again = door.client.post("/api/v1/documents", headers=door.auth("uploader"),
                             files={"file": ("copy.txt", io.BytesIO(data), "text/plain")}, data={"matter": MATTER_A})
    assert again.status_code == 202 and again.json()["id"] == body["id"] and again.json()["duplicate"] is True


def test_list_filters_on_stored_fields(door):
    who = door.auth("analyst")
    everything = door.client.get("/api/v1/documents", headers=who).json()
    assert {row["id"] for row in everything["documents"]} == {door.docs[MATTER_A], door.pdf}
    ny = door.client.get("/api/v1/documents", headers=who, params={"field.governing_law": "new york"}).json()
    assert [row["id"] for row in ny["documents"]] == [door.docs[MATTER_A]]
    row = ny["documents"][0]
    assert any("New York" in c["value"] for c in row["fields"]["governing_law"]), row
    texas = door.client.get("/api/v1/documents", headers=who, params={"field.governing_law": "Texas"}).json()
    assert texas["documents"] == [] and texas["total"] == 0
    soon = door.client.get("/api/v1/documents", headers=who, params={"expires_before": "2027-01-01"}).json()
    assert door.docs[MATTER_A] in [row["id"] for row in soon["documents"]]
    later = door.client.get("/api/v1/documents", headers=who, params={"expires_before": "2026-01-01"}).json()
    assert door.docs[MATTER_A] not in [row["id"] for row in later["documents"]]
    bad = door.client.get("/api/v1/documents", headers=who, params={"expires_before": "soon"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["code"] == "bad_request"


def test_show_is_the_cli_json(door):
    from tests.conftest import view_of

    r = door.client.get(f"/api/v1/documents/{door.docs[MATTER_A]}", headers=door.auth("viewer"))
    assert r.status_code == 200
    assert r.json() == __import__("json").loads(__import__("json").dumps(view_of(door.settings, door.docs[MATTER_A]),
                                                                          default=str))


def test_search_and_exports(door):
    who = door.auth("analyst")
    hits = door.client.get("/api/v1/search", headers=who, params={"q": "invoice"}).json()["hits"]
    assert hits and {h["document_id"] for h in hits} == {door.docs[MATTER_A]}
    csv = door.client.get(f"/api/v1/matters/{MATTER_A}/export", headers=who, params={"format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("id,name,kind,status")
    md = door.client.get(f"/api/v1/documents/{door.docs[MATTER_A]}/export", headers=who, params={"format": "markdown"})
    assert md.status_code == 200 and md.text.startswith("# ")


def test_problem_json_for_unauthenticated_and_other_matter(door):
    r = door.client.get("/api/v1/documents")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    r = door.client.get(f"/api/v1/documents/{door.docs[MATTER_B]}", headers=door.auth("admin", MATTER_A) | {})
    assert r.status_code == 200  # an admin sees every matter
    r = door.client.get(f"/api/v1/documents/{door.docs[MATTER_B]}", headers=door.auth("analyst"))
    assert r.status_code == 404 and r.json()["code"] == "not_found"
