import pytest

from docpipe.errors import ConfigError
from docpipe.llm.planner import ModelShape, choose_n_ctx

MISTRAL_7B = ModelShape(architecture="llama", layers=32, kv_heads=8, head_dim=128, trained_ctx=32768)
NEMO = ModelShape(architecture="llama", layers=40, kv_heads=8, head_dim=128, trained_ctx=131072)
BIG_WINDOW = ModelShape(architecture="llama", layers=40, kv_heads=8, head_dim=128, trained_ctx=1_048_576)


def test_kv_bytes_per_token_matches_design_figures():
    # DESIGN.md: Mistral-7B-v0.3 128 KiB/token, Nemo 160 KiB/token (f16)
    assert MISTRAL_7B.kv_bytes_per_token("f16") == 128 * 1024
    assert NEMO.kv_bytes_per_token("f16") == 160 * 1024
    assert NEMO.kv_bytes_per_token("q8_0") == pytest.approx(160 * 1024 * 34 / 64)


def test_trained_context_kept_when_memory_allows():
    choice = choose_n_ctx(MISTRAL_7B, memory_mb=4096)
    assert choice.n_ctx == 32768
    assert choice.kv_bytes == 4 * 2**30


def test_context_lowered_to_fit_memory_budget():
    choice = choose_n_ctx(NEMO, memory_mb=2048)
    assert choice.n_ctx == 13056  # 2 GiB / 160 KiB = 13107, rounded down to 256
    assert choice.kv_bytes <= 2048 * 2**20
    assert "lowered" in choice.reason


def test_never_above_256k_even_if_trained_longer():
    choice = choose_n_ctx(BIG_WINDOW, memory_mb=10**6, cache_type="q4_0")
    assert choice.n_ctx == 262144


def test_requested_context_capped_at_trained():
    assert choose_n_ctx(MISTRAL_7B, memory_mb=10**5, requested=100_000).n_ctx == 32768
    assert choose_n_ctx(MISTRAL_7B, memory_mb=10**5, requested=8192).n_ctx == 8192


def test_quantized_cache_fits_more_tokens():
    f16 = choose_n_ctx(NEMO, memory_mb=8192, cache_type="f16").n_ctx
    q8 = choose_n_ctx(NEMO, memory_mb=8192, cache_type="q8_0").n_ctx
    assert q8 > 1.8 * f16


def test_budget_too_small_is_a_config_error():
    with pytest.raises(ConfigError, match="fits only"):
        choose_n_ctx(NEMO, memory_mb=10)


def test_shape_from_gguf_metadata():
    meta = {"general.architecture": "llama", "llama.block_count": "30",
            "llama.attention.head_count": "9", "llama.attention.head_count_kv": "3",
            "llama.embedding_length": "576", "llama.context_length": "8192"}
    shape = ModelShape.from_metadata(meta)
    assert (shape.layers, shape.kv_heads, shape.head_dim, shape.trained_ctx) == (30, 3, 64, 8192)
