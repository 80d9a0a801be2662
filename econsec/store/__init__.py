"""Stores: the analytics store (DuckDB) and the app store (SQLAlchemy)."""

from econsec.store.analytics import AnalyticsStore

__all__ = ["AnalyticsStore"]
