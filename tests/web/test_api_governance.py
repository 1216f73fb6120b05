"""Holds and erasure over HTTP, for admins: a held document refuses DELETE with legal_hold
(409), the hold is lifted through the API, then DELETE erases it and it is gone everywhere
(detail, list, search, original); the audit shows who did each step."""
from __future__ import annotations

from tests.web.conftest import MATTER_A


def test_hold_lift_and_erase_over_http(door):
    admin, doc = door.auth("admin"), door.docs[MATTER_A]
    held = door.client.post("/api/v1/holds", headers=admin, json={"document_id": doc, "reason": "subpoena 24-117"})
    assert held.status_code == 201 and held.json()["reason"] == "subpoena 24-117"
    refused = door.client.delete(f"/api/v1/documents/{doc}", headers=admin)
    assert refused.status_code == 409 and refused.json()["code"] == "legal_hold"
    assert "subpoena 24-117" in refused.json()["detail"]
    assert door.client.get(f"/api/v1/documents/{doc}", headers=admin).status_code == 200  # nothing removed
    both = door.client.post("/api/v1/holds", headers=admin, json={"document_id": doc, "matter": MATTER_A})
    assert both.status_code == 422 and both.json()["code"] == "bad_request"
    lifted = door.client.post("/api/v1/holds/lift", headers=admin, json={"document_id": doc})
    assert lifted.status_code == 200 and lifted.json()[0]["lifted_by"] == "admin-matter-a"
    assert door.client.delete(f"/api/v1/documents/{doc}", headers=door.auth("uploader")).status_code == 403
    erased = door.client.delete(f"/api/v1/documents/{doc}", headers=admin)
    assert erased.status_code == 200 and erased.json() == {"matter": MATTER_A, "documents": [doc]}
    assert door.client.get(f"/api/v1/documents/{doc}", headers=admin).status_code == 404
    listed = door.client.get("/api/v1/documents", headers=admin, params={"matter": MATTER_A}).json()["documents"]
    assert doc not in [row["id"] for row in listed]
    hits = door.client.get("/api/v1/search", headers=admin, params={"q": "invoice"}).json()["hits"]
    assert doc not in {h["document_id"] for h in hits}
    assert door.client.delete(f"/api/v1/documents/{doc}", headers=admin).status_code == 404
    log = door.client.get("/api/v1/audit", headers=admin, params={"user": "admin-matter-a"}).json()
    assert [e["action"] for e in log if e["document_id"] == doc] == ["hold_set", "view", "hold_lifted", "purge"]
    assert door.client.get("/api/v1/audit", headers=door.auth("analyst")).status_code == 403
