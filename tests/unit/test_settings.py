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


@pytest.mark.parametrize("variable, value, message", [
    ("DOCPIPE_LEASE_SECONDS", "600", "lease_seconds .600. must exceed task_time_limit .3600."),
    ("DOCPIPE_VISIBILITY_TIMEOUT", "3000", "visibility_timeout .3000. must exceed task_time_limit .3600."),
    ("DOCPIPE_CHAT_FORMAT", "llama2", "chat_format must be one of"),
])
def test_settings_that_would_break_the_fleet_or_the_model_refuse_to_load(monkeypatch, variable, value, message):
    """RELIABILITY case 3: a lease shorter than the task time limit would let another host take
    over a unit whose worker is still running it; load_settings says so as a ConfigError."""
    from docpipe.settings import load_settings

    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=message):
        load_settings()
    monkeypatch.setenv("DOCPIPE_TASK_TIME_LIMIT", "300")
    if variable != "DOCPIPE_CHAT_FORMAT":
        assert load_settings().task_time_limit == 300  # below the value: accepted
