"""The door under test: the app from ``create_app`` on SQLite or the real PostgreSQL, users
of every role in two matters, and analysed documents in each matter (the fake engine, so
the door is tested, not the model; the browser tests run the real model)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from docpipe.services import ingest, users
from docpipe.services.caller import LOCAL_OPERATOR, Role
from docpipe.settings import Settings
from tests.conftest import SAMPLES

MATTER_A, MATTER_B = "matter-a", "matter-b"
PASSWORD = "correct horse battery staple"
CONTRACT = """MASTER SUPPLY AGREEMENT

This Master Supply Agreement is entered into as of January 5, 2024 by and between Northwind Parts, Inc.,
a Delaware corporation ("Supplier"), and Harbor Freight Lines LLC, a New York limited liability company ("Buyer").

1. Term. This Agreement expires on December 31, 2026 unless renewed in writing.

2. Payment. Buyer shall pay each invoice within thirty (30) days of receipt.

3. Change of Control. Either party may terminate this Agreement upon a change of control of the other party.

4. Governing Law. This Agreement shall be governed by the laws of the State of New York.
"""


@dataclass
class Door:
    settings: Settings
    client: TestClient
    keys: dict[tuple[str, str], str] = field(default_factory=dict)  # (role, matter) -> API key
    docs: dict[str, int] = field(default_factory=dict)  # matter -> an analysed document
    pdf: int | None = None  # a PDF document of matter A

    def auth(self, role: str, matter: str = MATTER_A) -> dict:
        return {"Authorization": f"Bearer {self.keys[(role, matter)]}"}


def build_door(settings: Settings, tmp_path: Path) -> Door:
    from docpipe.web.app import create_app

    app = create_app(settings, run_documents=False)
    door = Door(settings=settings, client=TestClient(app, raise_server_exceptions=False))
    for matter in (MATTER_A, MATTER_B):
        for role in Role:
            _, key = users.add_user(settings, LOCAL_OPERATOR, f"{role}-{matter}", role=role, matters=[matter],
                                    password=PASSWORD)
            door.keys[(role.value, matter)] = key
        path = tmp_path / f"supply-{matter}.txt"
        path.write_text(CONTRACT.replace("Northwind", f"Northwind {matter[-1].upper()}"))
        outcome = ingest.ingest_file(settings, LOCAL_OPERATOR, path, matter=matter)
        assert outcome.status == "done", outcome
        door.docs[matter] = outcome.document_id
    outcome = ingest.ingest_file(settings, LOCAL_OPERATOR, SAMPLES / "short-nda.pdf", matter=MATTER_A)
    assert outcome.status == "done", outcome
    door.pdf = outcome.document_id
    return door


@pytest.fixture
def door(sqlite_settings, fake_engine, tmp_path) -> Door:
    return build_door(sqlite_settings, tmp_path)


@pytest.fixture
def pg_door(pg_settings, fake_engine, tmp_path) -> Door:
    return build_door(pg_settings, tmp_path)
