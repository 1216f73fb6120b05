"""The committed openapi.json is the schema the app serves: a route, a parameter or a
response model changed without regenerating it fails here (run scripts/openapi)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from docpipe.settings import Settings
from docpipe.web.app import create_app
from tests.conftest import ROOT

COMMITTED = ROOT / "openapi.json"


def rendered(app) -> str:
    """The one stable form of the schema (scripts/openapi writes the same)."""
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_committed_openapi_is_what_the_app_serves(tmp_path):
    app = create_app(Settings(data_dir=tmp_path / "data", database_url=None), run_documents=False)
    assert COMMITTED.exists(), "openapi.json is missing: run scripts/openapi and commit it"
    current = rendered(app)
    committed = COMMITTED.read_text(encoding="utf-8")
    if committed != current:
        old, new = json.loads(committed), json.loads(current)
        paths = sorted(set(old.get("paths", {})) ^ set(new.get("paths", {})))
        changed = sorted(p for p in set(old.get("paths", {})) & set(new.get("paths", {}))
                         if old["paths"][p] != new["paths"][p])
        schemas = sorted(k for k in set(old.get("components", {}).get("schemas", {}))
                         | set(new.get("components", {}).get("schemas", {}))
                         if old.get("components", {}).get("schemas", {}).get(k)
                         != new.get("components", {}).get("schemas", {}).get(k))
        raise AssertionError(
            "openapi.json differs from the schema the app serves: run scripts/openapi and commit "
            f"openapi.json (paths added/removed: {paths}; changed: {changed}; schemas changed: {schemas})")


def test_served_schema_is_the_committed_one(tmp_path):
    """GET /api/v1/openapi.json serves the same document, with the Problem schema that every
    problem+json response refers to."""
    from fastapi.testclient import TestClient

    app = create_app(Settings(data_dir=tmp_path / "data", database_url=None), run_documents=False)
    with TestClient(app) as client:
        served = client.get("/api/v1/openapi.json").json()
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert served == committed, "the served schema differs from openapi.json: run scripts/openapi"
    assert set(committed["components"]["schemas"]["Problem"]["required"]) == {"type", "title", "status", "detail",
                                                                             "code"}
    for path, operations in committed["paths"].items():
        for method, op in operations.items():
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")):
                    ref = response["content"]["application/problem+json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/Problem", (method, path, status)


def test_scripts_openapi_check_agrees():
    script = ROOT / "scripts" / "openapi"
    done = subprocess.run([str(script), "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert Path(script).stat().st_mode & 0o111, "scripts/openapi must be executable"
