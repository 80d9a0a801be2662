"""Datasets: what econsec can load, one loader per source format, and the catalogue."""

from econsec.datasets.base import Column, DatasetSpec, Option, StageContext, Staged
from econsec.datasets.catalogue import Catalogue, DatasetStatus, LoadResult
from econsec.datasets.versions import Version

__all__ = [
    "Catalogue",
    "Column",
    "DatasetSpec",
    "DatasetStatus",
    "LoadResult",
    "Option",
    "StageContext",
    "Staged",
    "Version",
]
