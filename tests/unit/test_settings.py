import pytest

from docpipe.errors import ConfigError
from docpipe.settings import Settings


def test_defaults_one_model_for_every_stage(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCPIPE_DATA_DIR", str(tmp_path))
    s = Settings()
    assert s.resolved_database_url == f"sqlite:///{(tmp_path / 'docpipe.sqlite3').resolve()}"
    assert {s.model_for(st).name for st in ("classify", "map", "reduce")} == {"default"}
    assert s.model_for("map").path is None  # the bundled model


def test_stage_routing_from_environment(monkeypatch):
    monkeypatch.setenv("DOCPIPE_MODELS", '{"small": "/m/small.gguf", "big": {"path": "/m/big.gguf", "sha256": "ab"}}')
    monkeypatch.setenv("DOCPIPE_STAGE_MODELS", '{"map": "small", "reduce": "big"}')
    s = Settings()
    assert s.model_for("map").path == "/m/small.gguf"
    assert s.model_for("reduce").sha256 == "ab"
    assert s.model_for("classify").name == "default"


def test_unknown_stage_model_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("DOCPIPE_STAGE_MODELS", '{"map": "missing"}')
    with pytest.raises(ConfigError, match="missing"):
        Settings().model_for("map")


def test_bad_cache_type_rejected(monkeypatch):
    monkeypatch.setenv("DOCPIPE_KV_CACHE_TYPE", "f32")
    with pytest.raises(Exception, match="kv_cache_type"):
        Settings()
