"""Choosing an engine by setting; Spark is optional and says how to install it."""

from __future__ import annotations

import builtins
from typing import Any

import pytest

from econsec.datasets.catalogue import Catalogue
from econsec.engine import get_engine
from econsec.engine.duckdb import DuckDBEngine
from econsec.errors import MissingDependency
from econsec.settings import Settings


def test_duckdb_is_the_default(catalogue: Catalogue, settings: Settings) -> None:
    assert isinstance(get_engine(catalogue, settings), DuckDBEngine)


def test_spark_without_pyspark_gives_an_install_hint(
    catalogue: Catalogue, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_pyspark(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("pyspark"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyspark)
    spark = settings.model_copy(update={"engine": "spark"})
    with pytest.raises(MissingDependency, match=r"pip install 'econsec\[spark\]'"):
        get_engine(catalogue, spark)
