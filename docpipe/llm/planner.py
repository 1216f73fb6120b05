"""Context planning: how many tokens of context fit in the memory we are given.

KV cache per token = 2 (K and V) x layers x KV heads x head dim x bytes per element.
The planner takes the model's trained context, never goes above 262,144 tokens, and lowers
the window until the cache fits the configured memory budget.
"""
from __future__ import annotations

from dataclasses import dataclass

from docpipe.errors import ConfigError
from docpipe.settings import MAX_CTX

# bytes per element of the KV cache for llama.cpp's cache types (q8_0: 34 bytes per 32)
CACHE_BYTES = {"f16": 2.0, "q8_0": 34 / 32, "q4_0": 18 / 32}
MIN_CTX = 512


@dataclass(frozen=True)
class ModelShape:
    architecture: str
    layers: int
    kv_heads: int
    head_dim: int
    trained_ctx: int

    @classmethod
    def from_metadata(cls, meta: dict[str, str]) -> "ModelShape":
        arch = meta.get("general.architecture", "llama")

        def get(key: str, default=None):
            value = meta.get(f"{arch}.{key}", default)
            if value is None:
                raise ConfigError(f"GGUF metadata lacks {arch}.{key}")
            return int(value)

        heads = get("attention.head_count")
        head_dim = meta.get(f"{arch}.attention.key_length")
        head_dim = int(head_dim) if head_dim else get("embedding_length") // heads
        return cls(
            architecture=arch,
            layers=get("block_count"),
            kv_heads=get("attention.head_count_kv", heads),
            head_dim=head_dim,
            trained_ctx=get("context_length"),
        )

    def kv_bytes_per_token(self, cache_type: str = "f16") -> float:
        return 2 * self.layers * self.kv_heads * self.head_dim * CACHE_BYTES[cache_type]


@dataclass(frozen=True)
class ContextChoice:
    n_ctx: int
    kv_bytes_per_token: float
    kv_bytes: float
    reason: str


def choose_n_ctx(shape: ModelShape, *, memory_mb: int, cache_type: str = "f16",
                 requested: int | None = None) -> ContextChoice:
    per_token = shape.kv_bytes_per_token(cache_type)
    ceiling = min(shape.trained_ctx, MAX_CTX)
    reason = f"trained context {shape.trained_ctx}"
    if requested:
        if requested > ceiling:
            reason = f"requested {requested} capped at {ceiling}"
        else:
            ceiling, reason = requested, f"requested {requested}"
    fits = int(memory_mb * 1024 * 1024 // per_token)
    n_ctx = ceiling
    if fits < ceiling:
        n_ctx = fits // 256 * 256
        reason = f"{reason}, lowered to fit {memory_mb} MiB of {cache_type} KV cache"
    if n_ctx < MIN_CTX:
        raise ConfigError(
            f"KV memory budget {memory_mb} MiB fits only {fits} tokens; need {MIN_CTX}"
        )
    return ContextChoice(n_ctx=n_ctx, kv_bytes_per_token=per_token,
                         kv_bytes=per_token * n_ctx, reason=reason)
