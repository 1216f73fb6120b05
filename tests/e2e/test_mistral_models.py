"""`docpipe ingest` of a sample contract with a GGUF of each Mistral generation as the model:
the real tokenizer and chat layout of Mistral-7B v0.1/v0.2 (v1), v0.3 (v3), Large 2411 (v7),
Nemo (Tekken v3) and Small 3 (Tekken v7), with random weights. Random weights make no
judgement, but constrained decoding still yields schema-valid answers, so every document
must end done, its findings cited by quotes copied from the source; then two generations
as tiers (a small model for classify and map, a larger one for the brief)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES
from tests.mistral_gguf import build_gguf

pytestmark = [pytest.mark.model, pytest.mark.timeout(900)]
DOCPIPE = Path(sys.executable).parent / "docpipe"
NAMES = {"v1": "Mistral 7B Instruct v0.2", "v3": "Mistral 7B Instruct v0.3", "v7": "Mistral Large Instruct 2411",
         "tekken": "Mistral Nemo Instruct 2407", "tekken-v7": "Mistral Small 24B Instruct 2501"}
FORMATS = {"v1": "mistral-v1", "v3": "mistral-v3", "v7": "mistral-v7", "tekken": "mistral-v3", "tekken-v7": "mistral-v7"}


def docpipe(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(DOCPIPE), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=800)


def base_env(tmp_path: Path) -> dict:
    import os

    return {**os.environ, "DOCPIPE_DATA_DIR": str(tmp_path / "data"), "DOCPIPE_N_CTX": "4096",
            "DOCPIPE_THREADS": "2", "DOCPIPE_BRIEF_POINTS": "3"}


def assert_done_and_grounded(view: dict) -> None:
    assert view["status"] == "done", view["error"]
    assert view["coverage"]["complete"] is True and view["kind"] == "contract"
    assert view["findings"], "a contract with dates, parties and a governing law has candidates"
    for f in view["findings"]:
        # every quote is copied from the source and found at its page; what is unverified
        # failed a value check and says which
        assert f["verified"] or (f.get("extra") or {}).get("check"), f
    assert all(p["citation"]["quote"] for p in view["brief"])


@pytest.mark.parametrize("generation", list(NAMES))
def test_ingest_a_contract_with_each_mistral_generation(tmp_path, generation):
    model = build_gguf(generation, name=NAMES[generation])
    env = {**base_env(tmp_path), "DOCPIPE_MODEL_PATH": str(model)}
    doctor = docpipe("doctor", env=env)
    assert f"chat       default: {FORMATS[generation]}" in doctor.stdout, doctor.stdout + doctor.stderr
    out = docpipe("ingest", str(SAMPLES / "short-nda.pdf"), env=env)
    assert out.returncode == 0, out.stderr
    view = json.loads(docpipe("show", "1", "--format", "json", env=env).stdout)
    assert_done_and_grounded(view)
    assert view["run"]["model"] == model.name


def test_two_generations_as_tiers(tmp_path):
    """Nemo's Tekken v3 for classify and map, a Small-3-shaped Tekken v7 with more layers for
    the brief; the run records which file did which stage."""
    small = build_gguf("tekken", name=NAMES["tekken"])
    large = build_gguf("tekken-v7", name=NAMES["tekken-v7"], layers=4, heads=8, kv_heads=2)
    env = {**base_env(tmp_path),
           "DOCPIPE_MODELS": json.dumps({"small": str(small), "large": str(large)}),
           "DOCPIPE_STAGE_MODELS": json.dumps({"classify": "small", "map": "small", "reduce": "large"})}
    out = docpipe("ingest", str(SAMPLES / "short-nda.pdf"), env=env)
    assert out.returncode == 0, out.stderr
    view = json.loads(docpipe("show", "1", "--format", "json", env=env).stdout)
    assert_done_and_grounded(view)
    models = view["run"]["models"]
    assert models["map"]["file"] == small.name and models["classify"]["file"] == small.name
    assert models["reduce"]["file"] == large.name and models["reduce"]["sha256"] != models["map"]["sha256"]
