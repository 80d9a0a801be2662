"""econsec: Japan's economic security system (ESPA 2022, Know / Protect / Promote) as software.

The public Python API. Everything the command line, the HTTP API and the web pages do is
reachable from here::

    import econsec
    catalogue = econsec.open_catalogue()
    catalogue.load("baci_countries", "data/trade/baci_country_codes_V202301.csv")
"""

from __future__ import annotations

from econsec.datasets import Catalogue, DatasetSpec, DatasetStatus, LoadResult, Version
from econsec.errors import (
    AccessDenied,
    ConfigError,
    Conflict,
    DataError,
    EconsecError,
    MissingDependency,
    NotFound,
    StoreBusy,
)
from econsec.settings import Settings, get_settings
from econsec.store.analytics import AnalyticsStore

__version__ = "0.1.0"


def open_catalogue(settings: Settings | None = None) -> Catalogue:
    """The dataset catalogue over the analytics store configured by ``settings``."""
    return Catalogue(AnalyticsStore.from_settings(settings or get_settings()))


__all__ = [
    "AccessDenied",
    "AnalyticsStore",
    "Catalogue",
    "ConfigError",
    "Conflict",
    "DataError",
    "DatasetSpec",
    "DatasetStatus",
    "EconsecError",
    "LoadResult",
    "MissingDependency",
    "NotFound",
    "Settings",
    "StoreBusy",
    "Version",
    "__version__",
    "get_settings",
    "open_catalogue",
]
