"""Shared fixtures. Fakes for fast unit tests live here; tests that need the real model or
a real service carry a marker (model, postgres) and CI runs them all."""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest

import docpipe  # noqa: F401  (sets the offline environment before anything else)
from docpipe.settings import Settings

pytest_plugins = ["tests.egress_guard"]  # any non-loopback connect or DNS lookup fails the test

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("DOCPIPE_CORPUS_DIR", ROOT.parent / "shared" / "corpus"))
SAMPLES = ROOT / "samples"
PG_BASE = os.environ.get("DOCPIPE_TEST_PG", "postgresql+psycopg://root@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config, items):
    """Mark every test that needs a real service by the fixtures it uses, so the markers
    cannot be forgotten: `-m "not postgres and not redis"` runs without them."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if "pg_schema_url" in names:
            item.add_marker(pytest.mark.postgres)
        if "redis_url" in names:
            item.add_marker(pytest.mark.redis)


def corpus_file(*parts: str) -> Path:
    """The one place that finds the shared corpus (../shared/corpus or $DOCPIPE_CORPUS_DIR):
    a test without it is skipped, except in CI, where it fails."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        if IN_CI:
            pytest.fail(f"corpus file missing in CI: {path}")
        pytest.skip(f"corpus not available at {CORPUS}")
    return path


@pytest.fixture
def sqlite_settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=None)


def pg_schema():
    """A fresh schema in the real PostgreSQL `test` database: yields its URL, drops it after.

    Skipped when PostgreSQL is unreachable, except in CI, where that fails the run. A
    generator for fixtures of any scope (``yield from pg_schema()``).
    """
    from sqlalchemy import create_engine, text

    schema = f"dp_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_BASE)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL unreachable in CI ({PG_BASE}): {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    yield url
    from docpipe.store.db import get_engine

    get_engine(url).dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def pg_schema_url():
    """A fresh schema per test (see ``pg_schema``)."""
    yield from pg_schema()


@pytest.fixture
def pg_settings(tmp_path, pg_schema_url) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=pg_schema_url)


class FakeTokenizer:
    """Counts words and punctuation: close enough to a BPE tokenizer for unit tests."""

    metadata = {"general.architecture": "llama", "llama.block_count": "4",
                "llama.attention.head_count": "4", "llama.attention.head_count_kv": "2",
                "llama.embedding_length": "256", "llama.context_length": "2048"}

    def count(self, text: str) -> int:
        return len(re.findall(r"\w+|[^\w\s]", text))

    def count_prompt(self, prompt: str) -> int:
        return self.count(prompt) + 1


def fake_answer(schema: dict):
    """The smallest JSON value that satisfies ``schema`` (first enum value, minItems items)."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: fake_answer(sub) for name, sub in schema["properties"].items()}
    if kind == "array":
        return [fake_answer(schema["items"]) for _ in range(max(1, schema.get("minItems", 0)))]
    if kind == "string":
        return "a plain-language point"[: schema.get("maxLength", 40)].ljust(schema.get("minLength", 0), ".")
    if kind == "integer":
        return 0
    raise AssertionError(f"fake_answer cannot satisfy {schema}")


class FakeEngine:
    """Stands in for llama.cpp in fast tests: same interface, schema-valid answers."""

    def __init__(self, n_ctx: int = 2048):
        from types import SimpleNamespace

        from docpipe.llm.planner import ContextChoice

        self.tokenizer = FakeTokenizer()
        self.context = ContextChoice(n_ctx=n_ctx, kv_bytes_per_token=1.0, kv_bytes=n_ctx, reason="fake")
        self.config = SimpleNamespace(model=SimpleNamespace(label="fake.gguf", sha256="0" * 64))
        self.calls = []

    @property
    def n_ctx(self) -> int:
        return self.context.n_ctx

    def format_chat(self, system: str, user: str) -> str:
        return f"<system>{system}</system><user>{user}</user>"

    def complete_json(self, prompt: str, schema: dict, *, max_tokens: int):
        import json

        from docpipe.llm.engine import Generation

        self.calls.append((prompt, schema))
        data = fake_answer(schema)
        text = json.dumps(data)
        n = self.tokenizer.count_prompt(prompt)
        return Generation(text=text, data=data, finish_reason="stop", prompt_tokens=n,
                          evaluated_tokens=n, generated_tokens=len(text) // 3, seconds=0.01,
                          prompt_ms=5.0, eval_ms=5.0)


@pytest.fixture
def fake_engine():
    """Every stage runs on one FakeEngine (through the pipeline's engine seam)."""
    from docpipe.pipeline.engines import use_engines

    engine = FakeEngine()
    with use_engines(lambda settings, stage: engine):
        yield engine


def view_of(settings: Settings, document_id: int) -> dict:
    """What `docpipe show --format json` prints for the document, as the local operator."""
    from docpipe.services import documents
    from docpipe.services.caller import LOCAL_OPERATOR

    return documents.show(settings, LOCAL_OPERATOR, document_id)
