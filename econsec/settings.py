"""One settings object, read from ``ECONSEC_*`` environment variables.

The data home defaults to the user's data directory (``platformdirs``); ``ECONSEC_HOME``
overrides it. Every field is documented in ``docs/cli.md`` (a test checks this).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from econsec.errors import ConfigError


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("econsec", appauthor=False))


class Settings(BaseSettings):
    """Runtime configuration. Read once per process with :func:`get_settings`."""

    model_config = SettingsConfigDict(env_prefix="ECONSEC_", extra="ignore", frozen=True)

    home: Path = Field(default_factory=_default_home, description="Data home directory.")
    env: Literal["development", "production", "test"] = Field(
        "development", description="Deployment environment."
    )
    database_url: str | None = Field(
        None,
        description="App store URL (SQLAlchemy). Default: SQLite file app.db in the data home.",
    )
    analytics_path: Path | None = Field(
        None, description="Analytics store (DuckDB file). Default: analytics.duckdb in the home."
    )
    duckdb_memory_limit: str = Field("1GB", description="DuckDB memory limit, e.g. '1GB'.")
    duckdb_threads: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, description="DuckDB worker threads."
    )
    engine: Literal["duckdb", "spark"] = Field("duckdb", description="Analytics engine.")
    spark_master: str = Field("local[*]", description="Spark master URL for the spark engine.")
    spark_memory: str = Field("2g", description="Spark driver memory for the spark engine.")
    host: str = Field("127.0.0.1", description="Address `econsec serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `econsec serve` listens on.")
    store_wait_seconds: float = Field(
        5.0, ge=0, description="How long a reader waits for a busy analytics store."
    )
    screen_algorithm: str = Field(
        "econsec-v1", description="Default screening algorithm (`econsec protect algorithms`)."
    )
    screen_threshold: float | None = Field(
        None, gt=0, le=1, description="Default match threshold; unset: the algorithm's own."
    )
    secret_key: SecretStr | None = Field(
        None,
        description=(
            "Master key (at least 32 characters) for document encryption, the search index, "
            "the audit chain and sign-in tokens. Required outside development."
        ),
    )
    classification_levels: str = Field(
        "public,internal,confidential,secret,top_secret",
        description="Classification levels, lowest first, comma-separated.",
    )
    login_max_failures: int = Field(5, ge=1, description="Failed sign-ins before a lockout.")
    login_lockout_minutes: float = Field(15, gt=0, description="Length of a sign-in lockout.")
    token_hours: float = Field(12, gt=0, description="Lifetime of a sign-in session or token.")
    sign_in_per_minute: int = Field(
        10, ge=1, description="Web sign-in attempts allowed per client address per minute."
    )
    smtp_host: str | None = Field(None, description="SMTP server for e-mail notifications.")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP port.")
    smtp_from: str = Field("econsec@localhost", description="Sender of e-mail notifications.")
    smtp_user: str | None = Field(None, description="SMTP user name (with smtp_password).")
    smtp_password: str | None = Field(None, description="SMTP password.")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")

    @field_validator("duckdb_memory_limit")
    @classmethod
    def _check_memory(cls, value: str) -> str:
        text = value.strip().upper().replace(" ", "")
        units = ("KB", "MB", "GB", "TB", "KIB", "MIB", "GIB", "TIB", "B")
        number = next((text[: -len(u)] for u in units if text.endswith(u)), None)
        try:
            if number is None or float(number) <= 0:
                raise ValueError
        except ValueError:
            raise ValueError(f"expected a size such as '1GB' or '512MB', got {value!r}") from None
        return text

    @field_validator("classification_levels")
    @classmethod
    def _check_levels(cls, value: str) -> str:
        levels = [v.strip() for v in value.split(",")]
        if len(levels) < 2 or any(not v.isidentifier() for v in levels):
            raise ValueError(f"expected two or more names, lowest first, got {value!r}")
        if len(set(levels)) != len(levels):
            raise ValueError(f"a level is named twice in {value!r}")
        return ",".join(levels)

    @property
    def levels(self) -> tuple[str, ...]:
        """The classification levels, lowest first."""
        return tuple(self.classification_levels.split(","))

    @property
    def analytics_file(self) -> Path:
        """Path of the DuckDB analytics store."""
        return self.analytics_path or self.home / "analytics.duckdb"

    @property
    def app_database_url(self) -> str:
        """SQLAlchemy URL of the app store."""
        return self.database_url or f"sqlite:///{self.home / 'app.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    try:
        return Settings()
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        raise ConfigError(f"invalid ECONSEC_* setting: {exc}") from exc
