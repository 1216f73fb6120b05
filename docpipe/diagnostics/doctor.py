"""`docpipe doctor`: what an operator checks before trusting a host."""
from __future__ import annotations

import importlib.util
from collections.abc import Iterator

from docpipe import offline
from docpipe.errors import DocpipeError
from docpipe.llm.planner import CACHE_BYTES
from docpipe.settings import STAGES, Settings

Check = tuple[str, bool, str]
KV_TABLE_TOKENS = (32_768, 131_072, 262_144)


def _model_checks(settings: Settings) -> Iterator[Check]:
    from docpipe.pipeline.engines import engine_for

    seen = set()
    for stage in STAGES:
        spec = settings.model_for(stage)
        if spec.name in seen:
            continue
        seen.add(spec.name)
        try:
            engine = engine_for(settings, stage)
        except DocpipeError as exc:
            yield "model", False, f"{spec.name}: {exc}"
            continue
        m = engine.config.model
        pin = "pinned, matches" if spec.sha256 else "not pinned (set DOCPIPE_MODEL_SHA256)"
        yield "model", True, f"{spec.name}: {m.path} ({m.size / 1e6:.0f} MB) sha256 {m.sha256} [{pin}]"
        shape, ctx = engine.shape, engine.context
        yield "context", True, (
            f"{spec.name}: n_ctx {ctx.n_ctx} ({ctx.reason}); {shape.layers} layers, "
            f"{shape.kv_heads} KV heads x {shape.head_dim}; KV {ctx.kv_bytes_per_token / 1024:.1f} KiB/token, "
            f"{ctx.kv_bytes / 2**20:.0f} MiB at n_ctx ({settings.kv_cache_type}, budget {settings.kv_memory_mb} MiB)")
        yield "kv memory", True, f"{spec.name}: {kv_table(shape)}"
        chat = getattr(engine, "chat", None)
        if chat is not None:
            yield "chat", True, f"{spec.name}: {chat.name} ({chat.reason})"


def kv_table(shape) -> str:
    """KV cache memory of this model's attention shape at 32K, 128K and 256K tokens, per
    cache type (what a window of that size would need; the trained context may be smaller)."""
    cells = []
    for tokens in KV_TABLE_TOKENS:
        sizes = ", ".join(f"{kind} {_gib(shape.kv_bytes_per_token(kind) * tokens)}" for kind in CACHE_BYTES)
        cells.append(f"{tokens // 1024}K: {sizes}")
    return "; ".join(cells) + f" (trained context {shape.trained_ctx})"


def _gib(size: float) -> str:
    return f"{size / 2**30:.1f} GiB" if size >= 2**30 else f"{size / 2**20:.0f} MiB"


def _database_check(settings: Settings) -> Check:
    from docpipe.store.db import current_revision, head_revision

    url = settings.resolved_database_url
    safe = url.split("@")[-1] if "@" in url else url
    try:
        current, head = current_revision(url), head_revision(url)
    except Exception as exc:  # any driver error is a failed check, shown in one line
        return "database", False, f"{safe}: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    state = "up to date" if current == head else f"at {current or 'empty'}, head {head}: run `docpipe db upgrade`"
    return "database", current == head or settings.auto_upgrade, f"{safe}: {state}"


def keys_check(settings: Settings) -> Check:
    """The master key opens every matter key (encryption at rest of the originals)."""
    from docpipe.pipeline.originals import check_all_keys
    from docpipe.store.db import current_revision, head_revision

    path = settings.resolved_master_key_file
    try:
        if current_revision(settings.resolved_database_url) != head_revision(settings.resolved_database_url):
            return "keys", True, f"{path}: checked once the database is migrated"
        opened = check_all_keys(settings)
    except Exception as exc:  # a wrong or missing key, or an unreachable database: one line
        return "keys", False, f"{path}: {str(exc).splitlines()[0]}"
    return "keys", True, f"{path}: opens {opened} matter key(s)"


def _offline_check() -> Check:
    env = offline.report()
    missing = [k for k, v in env.items() if v != offline.OFFLINE_ENV[k]]
    bundled_cli = importlib.util.find_spec("llm") is not None or importlib.util.find_spec("openai") is not None
    detail = "telemetry opt-outs set" if not missing else f"not set: {', '.join(missing)}"
    if bundled_cli:
        detail += "; WARNING: the 'llm'/'openai' packages are installed (not needed, remove them)"
    return "offline", not missing, detail


def run_checks(settings: Settings, *, egress: bool = False, full: bool = False) -> list[Check]:
    """Model files and hashes, context and KV memory, database, offline settings; with
    ``egress`` the offline self-test too (``full``: the whole pipeline under the guard)."""
    checks = [*_model_checks(settings), _database_check(settings), keys_check(settings), _offline_check()]
    if egress:
        from docpipe.diagnostics.egress import self_test

        checks += self_test(settings, analyse=full)
    return checks
