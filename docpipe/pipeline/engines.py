"""Which model each stage runs on. The one seam between the pipeline and llama.cpp.

``engine_for(settings, stage)`` returns the engine (``docpipe.llm.engine.Engine``) of a
stage's configured model, loaded once per process. ``use_engines`` hands the pipeline
another source of engines for a while: the fast tests' fakes go in here, never by patching
a module attribute.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from docpipe.llm.engine import Engine, RuntimeConfig, get_engine
from docpipe.llm.model_file import resolve_model
from docpipe.settings import STAGES, Settings

EngineSource = Callable[[Settings, str], Engine]


def llama_engine(settings: Settings, stage: str) -> Engine:
    """The real engine: the stage's GGUF (hash-checked when pinned) in llama-cpp-python."""
    spec = settings.model_for(stage)
    model = resolve_model(spec, cache_dir=settings.data_dir)
    return get_engine(RuntimeConfig(
        model=model, n_ctx_requested=settings.n_ctx, kv_memory_mb=settings.kv_memory_mb,
        cache_type=settings.kv_cache_type, threads=settings.threads,
        n_gpu_layers=settings.n_gpu_layers, seed=settings.seed, chat_format=settings.chat_format))


_source: list[EngineSource] = [llama_engine]


def engine_for(settings: Settings, stage: str) -> Engine:
    return _source[-1](settings, stage)


@contextmanager
def use_engines(source: EngineSource) -> Iterator[EngineSource]:
    """Within the block, every stage's engine comes from ``source(settings, stage)``."""
    _source.append(source)
    try:
        yield source
    finally:
        _source.remove(source)


def check_models(settings: Settings) -> None:
    """Resolve (and hash-check) every stage's model before any document is touched."""
    for stage in STAGES:
        engine_for(settings, stage)


def stage_models(settings: Settings) -> dict:
    """What the run records: each stage's model name, file and sha256."""
    out = {}
    for stage in STAGES:
        model = engine_for(settings, stage).config.model
        out[stage] = {"name": settings.model_for(stage).name, "file": model.label, "sha256": model.sha256}
    return out
