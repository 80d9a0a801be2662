"""Shared fixtures. Tests read real data from ../shared/data (ECONSEC_SHARED_DATA overrides) and
skip with a stated reason when it is absent; the shipped slices under data/ are always there."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from econsec.datasets.catalogue import Catalogue
from econsec.settings import Settings
from econsec.store.analytics import AnalyticsStore

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data"
SHARED = Path(os.environ.get("ECONSEC_SHARED_DATA", ROOT.parent / "shared" / "data"))


def shared_file(relative: str) -> Path:
    """A file under ../shared/data, or skip the test saying which folder is missing."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"real data not available: {path} (set ECONSEC_SHARED_DATA)")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh data home under tmp_path."""
    return Settings(home=tmp_path / "home", duckdb_threads=2, duckdb_memory_limit="1GB")


@pytest.fixture
def store(tmp_path: Path) -> AnalyticsStore:
    """An empty analytics store."""
    return AnalyticsStore(tmp_path / "analytics.duckdb", threads=2, memory_limit="1GB")


@pytest.fixture
def catalogue(store: AnalyticsStore) -> Catalogue:
    """A catalogue over the empty store, with every registered dataset."""
    return Catalogue(store)


@pytest.fixture
def countries(catalogue: Catalogue) -> Catalogue:
    """The catalogue with the real BACI country codes (V202301, with names) loaded."""
    catalogue.load("baci_countries", shared_file("trade/baci_country_codes_V202301.csv"))
    return catalogue


@pytest.fixture
def env_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """ECONSEC_HOME pointing at a fresh folder, with the settings cache cleared."""
    from econsec.settings import get_settings

    home = tmp_path / "home"
    monkeypatch.setenv("ECONSEC_HOME", str(home))
    monkeypatch.setenv("ECONSEC_DUCKDB_THREADS", "2")
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()
