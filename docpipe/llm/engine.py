"""llama.cpp through llama-cpp-python: one model per process, loaded lazily, cached by its
configuration. Output is constrained by a JSON-schema grammar and parsed here; validation
against the pydantic model happens in the analysis layer (fail closed twice).

Token accounting comes from llama.cpp's own performance counters, so "tokens evaluated"
is what the model really computed: a prefix reused from the previous call costs nothing.
"""
from __future__ import annotations

import atexit
import json
import os
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from docpipe.errors import OVER_CONTEXT, ModelError
from docpipe.llm.chat import ChatFormat, choose_format
from docpipe.llm.model_file import ResolvedModel
from docpipe.llm.planner import ContextChoice, ModelShape, choose_n_ctx

CACHE_TYPES = {"f16": 1, "q4_0": 2, "q8_0": 8}  # ggml type ids
Prompt = str | list[int]  # text (tokenized by the engine) or the token ids themselves


@contextmanager
def _quiet_stderr():
    """llama.cpp prints a context warning from C when loading a vocabulary only; keep the
    CLI's stderr for messages meant for people."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


@dataclass(frozen=True)
class RuntimeConfig:
    """Everything that decides how a model is loaded; the cache key of a loaded model."""

    model: ResolvedModel
    n_ctx_requested: int | None
    kv_memory_mb: int
    cache_type: str
    threads: int | None
    n_gpu_layers: int
    seed: int
    chat_format: str = "auto"


@dataclass(frozen=True)
class Generation:
    text: str
    data: dict | None
    finish_reason: str
    prompt_tokens: int
    evaluated_tokens: int
    generated_tokens: int
    seconds: float
    prompt_ms: float
    eval_ms: float


class Tokenizer:
    """The model's own tokenizer, loaded without weights (vocab_only)."""

    def __init__(self, model: ResolvedModel):
        from llama_cpp import Llama

        with _quiet_stderr():
            self._vocab = Llama(model_path=str(model.path), vocab_only=True, verbose=False)
        self.metadata: dict[str, str] = dict(self._vocab.metadata)
        self._lock = threading.Lock()

    def count(self, text: str) -> int:
        return len(self.ids(text))

    def count_prompt(self, prompt: Prompt) -> int:
        return len(prompt) if isinstance(prompt, list) else len(self.ids(prompt, add_bos=True, special=True))

    def ids(self, text: str, add_bos: bool = False, special: bool = False) -> list[int]:
        """Token ids of ``text``; ``special`` parses control tokens written in it, ``add_bos``
        adds the BOS when the model's vocabulary asks for one."""
        with self._lock:
            return self._vocab.tokenize(text.encode("utf-8"), add_bos=add_bos, special=special)

    @property
    def bos(self) -> int | None:
        token = self._vocab.token_bos()
        return token if token >= 0 else None

    def control_id(self, piece: str) -> int | None:
        """The id of ``piece`` when it is one control token of this vocabulary (as "[INST]" is
        for Mistral v3 and later), else None."""
        special = self.ids(piece, special=True)
        if len(special) != 1 or len(self.ids(piece)) == 1:
            return None
        return special[0]


class Engine(Protocol):
    """What the pipeline needs of a model: its tokenizer, its context, its chat format and
    schema-constrained generation. ``LlamaEngine`` is the real one; tests hand the pipeline
    a fake through ``docpipe.pipeline.engines.use_engines``."""

    tokenizer: Tokenizer
    context: ContextChoice
    config: RuntimeConfig

    @property
    def n_ctx(self) -> int: ...

    def format_chat(self, system: str, user: str) -> Prompt: ...

    def complete_json(self, prompt: Prompt, schema: dict, *, max_tokens: int) -> Generation: ...


class LlamaEngine:
    """A GGUF loaded in this process by llama-cpp-python (weights loaded on first use)."""

    def __init__(self, config: RuntimeConfig):
        self.config = config
        self.tokenizer = Tokenizer(config.model)
        self.shape = ModelShape.from_metadata(self.tokenizer.metadata)
        self.context: ContextChoice = choose_n_ctx(
            self.shape, memory_mb=config.kv_memory_mb, cache_type=config.cache_type,
            requested=config.n_ctx_requested)
        self._llm = None
        self._lock = threading.Lock()
        self.chat: ChatFormat = choose_format(self.tokenizer.metadata, self.tokenizer.control_id, config.chat_format)
        self.load_seconds = 0.0

    @property
    def n_ctx(self) -> int:
        return self.context.n_ctx

    def format_chat(self, system: str, user: str) -> list[int]:
        """The prompt's token ids in this model's chat format (``docpipe.llm.chat``)."""
        return self.chat.encode(self.tokenizer.ids, self.tokenizer.bos, system, user)

    def _load(self):
        if self._llm is None:
            from llama_cpp import Llama

            started = time.perf_counter()
            kwargs = {}
            if self.config.cache_type != "f16":
                kwargs.update(type_k=CACHE_TYPES[self.config.cache_type],
                              type_v=CACHE_TYPES[self.config.cache_type], flash_attn=True)
            try:
                self._llm = Llama(
                    model_path=str(self.config.model.path), n_ctx=self.n_ctx,
                    n_threads=self.config.threads or os.cpu_count(),
                    n_gpu_layers=self.config.n_gpu_layers, seed=self.config.seed,
                    verbose=False, **kwargs)
            except (ValueError, RuntimeError) as exc:
                raise ModelError(f"cannot load model {self.config.model.label}: {exc}") from exc
            self.load_seconds = time.perf_counter() - started
        return self._llm

    def complete_json(self, prompt: Prompt, schema: dict, *, max_tokens: int) -> Generation:
        """Greedy generation constrained by ``schema``; the text is parsed as JSON here."""
        from llama_cpp import LlamaGrammar, llama_perf_context, llama_perf_context_reset

        try:
            grammar = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
        except Exception as exc:  # a grammar that fails to build must never mean "unconstrained"
            raise ModelError(f"JSON schema could not be turned into a grammar: {exc}") from exc
        with self._lock:
            llm = self._load()
            prompt_tokens = self.tokenizer.count_prompt(prompt)
            if prompt_tokens + max_tokens > self.n_ctx:
                raise ModelError(f"prompt of {prompt_tokens} tokens + {max_tokens} for the answer "
                                 f"exceeds n_ctx {self.n_ctx}", code=OVER_CONTEXT)
            llama_perf_context_reset(llm._ctx.ctx)
            started = time.perf_counter()
            out = llm.create_completion(prompt=prompt, max_tokens=max_tokens, temperature=0.0,
                                        grammar=grammar, seed=self.config.seed)
            seconds = time.perf_counter() - started
            perf = llama_perf_context(llm._ctx.ctx)
        choice = out["choices"][0]
        text = choice["text"]
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        usage = out.get("usage", {})
        return Generation(
            text=text, data=data if isinstance(data, dict) else None,
            finish_reason=choice.get("finish_reason") or "unknown",
            prompt_tokens=usage.get("prompt_tokens", prompt_tokens),
            evaluated_tokens=int(perf.n_p_eval) + int(perf.n_eval),
            generated_tokens=usage.get("completion_tokens", 0),
            seconds=seconds, prompt_ms=float(perf.t_p_eval_ms), eval_ms=float(perf.t_eval_ms))

    def measure_rates(self, *, prompt_tokens: int = 512, gen_tokens: int = 128) -> tuple[float, float]:
        """The model's prompt (pp) and generation (tg) rates on this host, tokens/s, read
        from llama.cpp's own counters over a fresh prompt and an unconstrained answer."""
        from llama_cpp import llama_perf_context, llama_perf_context_reset

        words = " ".join(f"clause {i} of the agreement applies to the supplier" for i in range(prompt_tokens))
        tokens = self.tokenizer._vocab.tokenize(words.encode(), add_bos=False)[:prompt_tokens]
        prompt = self.tokenizer._vocab.detokenize(tokens).decode("utf-8", "ignore")
        with self._lock:
            llm = self._load()
            llm.reset()
            llama_perf_context_reset(llm._ctx.ctx)
            llm.create_completion(prompt=prompt, max_tokens=gen_tokens, temperature=0.0)
            perf = llama_perf_context(llm._ctx.ctx)
            llm.reset()
        pp = perf.n_p_eval / (perf.t_p_eval_ms / 1000) if perf.t_p_eval_ms else 0.0
        tg = perf.n_eval / (perf.t_eval_ms / 1000) if perf.t_eval_ms else 0.0
        return pp, tg


    def close(self) -> None:
        if self._llm is not None:
            self._llm.close()
            self._llm = None
        self.tokenizer._vocab.close()


@atexit.register
def _close_engines() -> None:
    """Free models while the interpreter is still whole (llama-cpp-python's __del__ at
    shutdown otherwise prints a TypeError)."""
    for engine in list(_ENGINES.values()):
        engine.close()
    _ENGINES.clear()


_ENGINES: dict[RuntimeConfig, LlamaEngine] = {}


def get_engine(config: RuntimeConfig) -> LlamaEngine:
    """One engine per configuration per process (STYLE habit 5)."""
    if config not in _ENGINES:
        _ENGINES[config] = LlamaEngine(config)
    return _ENGINES[config]
