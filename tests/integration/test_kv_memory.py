"""The context planner against llama.cpp's real allocation: on a 7B-like attention shape
(32 layers, 8 KV heads, head dim 128: Mistral-7B's, 128 KiB of f16 KV cache per token),
docpipe's engine is loaded at two context sizes, each in a fresh process, and the growth of
the resident memory between them must be within 10% of what the planner predicts for the
extra tokens, for the f16 and the q8_0 cache."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from docpipe.llm.planner import ModelShape
from tests.conftest import ROOT
from tests.mistral_gguf import SEVEN_B_LIKE, build_gguf

pytestmark = [pytest.mark.model, pytest.mark.timeout(600)]

PROBE = textwrap.dedent("""
    import json, sys
    from pathlib import Path

    def rss() -> int:
        return int(Path("/proc/self/statm").read_text().split()[1]) * 4096

    import docpipe
    from docpipe.llm.engine import LlamaEngine, RuntimeConfig
    from docpipe.llm.model_file import resolve_model
    from docpipe.settings import ModelSpec

    path, n_ctx, cache = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    model = resolve_model(ModelSpec(name="probe", path=path), cache_dir=Path(path).parent)
    engine = LlamaEngine(RuntimeConfig(model=model, n_ctx_requested=n_ctx, kv_memory_mb=65536, cache_type=cache,
                                       threads=1, n_gpu_layers=0, seed=7))
    before = rss()
    engine._load()  # llama.cpp allocates (and clears) the KV cache here
    print(json.dumps({"n_ctx": engine.n_ctx, "rss_delta": rss() - before, "kv_bytes": engine.context.kv_bytes}))
""")


def probe(path, n_ctx: int, cache: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, str(path), str(n_ctx), cache], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("cache", ["f16", "q8_0"])
def test_planner_predicts_llama_cpp_kv_allocation_within_10_percent(cache):
    path = build_gguf("v3", **SEVEN_B_LIKE)
    from llama_cpp import Llama

    shape = ModelShape.from_metadata(Llama(model_path=str(path), vocab_only=True, verbose=False).metadata)
    assert (shape.layers, shape.kv_heads, shape.head_dim) == (32, 8, 128)
    assert shape.kv_bytes_per_token("f16") == 128 * 1024
    small, large = probe(path, 2048, cache), probe(path, 6144, cache)
    assert (small["n_ctx"], large["n_ctx"]) == (2048, 6144)
    measured = large["rss_delta"] - small["rss_delta"]
    predicted = large["kv_bytes"] - small["kv_bytes"]
    assert predicted == shape.kv_bytes_per_token(cache) * 4096
    assert abs(measured - predicted) <= 0.10 * predicted, (
        f"{cache}: llama.cpp grew {measured / 2**20:.0f} MiB for 4096 more tokens; "
        f"the planner predicts {predicted / 2**20:.0f} MiB")
