"""econsec: Japan's economic security system (ESPA 2022, Know / Protect / Promote) as software.

The public Python API. Everything the command line, the HTTP API and the web pages do is
reachable from here::

    import econsec
    catalogue = econsec.open_catalogue()
    catalogue.load("baci_countries", "data/trade/baci_country_codes_V202301.csv")

    from econsec.protect import Query
    protect = econsec.open_protect()
    protect.load("un", [Path("consolidated.xml")])
    protect.screen(Query(("Rosneft",), "Company"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from econsec.datasets import Catalogue, DatasetSpec, DatasetStatus, LoadResult, Version
from econsec.errors import (
    AccessDenied,
    ConfigError,
    Conflict,
    DataError,
    EconsecError,
    InvalidInput,
    MissingDependency,
    NotFound,
    StoreBusy,
)
from econsec.settings import Settings, get_settings
from econsec.store.analytics import AnalyticsStore

if TYPE_CHECKING:
    from econsec.council.service import Council
    from econsec.know.iotables import IOTables
    from econsec.know.networks import Networks
    from econsec.protect.service import ProtectService
    from econsec.security.service import Security

__version__ = "0.1.0"


def open_catalogue(settings: Settings | None = None) -> Catalogue:
    """The dataset catalogue over the analytics store configured by ``settings``."""
    return Catalogue(AnalyticsStore.from_settings(settings or get_settings()))


def open_security(settings: Settings | None = None) -> Security:
    """Users, clearances and the audit log over the configured app store (refuses to run
    without ``ECONSEC_SECRET_KEY`` outside development)."""
    from econsec.security.service import Security
    from econsec.store.app import open_app_store

    settings = settings or get_settings()
    return Security(settings, open_app_store(settings.app_database_url))


def open_council(settings: Settings | None = None) -> Council:
    """Council workspaces and classified documents over the configured app store."""
    from econsec.council.service import Council

    return Council(open_security(settings))


def open_networks(settings: Settings | None = None) -> Networks:
    """The stored supply networks (Know) in the analytics store configured by ``settings``."""
    from econsec.know.networks import Networks

    return Networks(AnalyticsStore.from_settings(settings or get_settings()))


def open_io_tables(settings: Settings | None = None) -> IOTables:
    """The stored input-output tables (Know) in the configured analytics store."""
    from econsec.know.iotables import IOTables

    return IOTables(AnalyticsStore.from_settings(settings or get_settings()))


def open_protect(settings: Settings | None = None) -> ProtectService:
    """Protect (party screening) over the app store configured by ``settings``."""
    from econsec.protect.service import ProtectService
    from econsec.store.app import open_app_store

    settings = settings or get_settings()
    return ProtectService(settings, open_app_store(settings.app_database_url))


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
    "InvalidInput",
    "LoadResult",
    "MissingDependency",
    "NotFound",
    "Settings",
    "StoreBusy",
    "Version",
    "__version__",
    "get_settings",
    "open_catalogue",
    "open_council",
    "open_io_tables",
    "open_networks",
    "open_protect",
    "open_security",
]
