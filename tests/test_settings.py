"""Settings come from ECONSEC_* variables; the data home defaults to the user data directory."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from econsec.errors import ConfigError
from econsec.settings import Settings, get_settings


def test_defaults_use_the_user_data_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ECONSEC_HOME", raising=False)
    settings = Settings()
    assert settings.home == Path(platformdirs.user_data_dir("econsec", appauthor=False))
    assert settings.analytics_file == settings.home / "analytics.duckdb"
    assert settings.app_database_url == f"sqlite:///{settings.home / 'app.db'}"
    assert settings.engine == "duckdb"


def test_environment_overrides(env_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECONSEC_DUCKDB_MEMORY_LIMIT", "512 mb")
    monkeypatch.setenv("ECONSEC_DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("ECONSEC_ENGINE", "spark")
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.home == env_home
    assert settings.duckdb_memory_limit == "512MB"
    assert settings.app_database_url == "postgresql://u@h/db"
    assert settings.engine == "spark"
    assert get_settings() is settings  # read once per process


@pytest.mark.parametrize(
    ("variable", "value"),
    [("ECONSEC_DUCKDB_MEMORY_LIMIT", "lots"), ("ECONSEC_PORT", "0"), ("ECONSEC_ENGINE", "excel")],
)
def test_invalid_settings_are_config_errors(
    env_home: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    with pytest.raises(ConfigError, match=variable.removeprefix("ECONSEC_").lower()):
        get_settings()
