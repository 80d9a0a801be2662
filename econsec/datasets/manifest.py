"""Manifests: YAML files listing dataset files to load in order (``data/manifest.yaml``)::

    datasets:
      - {name: baci_countries, file: trade/baci_country_codes_V202301.csv}
      - {name: baci, file: trade/baci_hs12_2018_shrimp_subset.parquet,
         options: {keep_unknown: true}}

File paths are relative to the manifest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from econsec.errors import DataError


class ManifestEntry(BaseModel):
    """One file of a manifest: which dataset, which file (relative to the manifest), options."""

    model_config = ConfigDict(extra="forbid")

    name: str
    file: str
    options: dict[str, str] = Field(default_factory=dict)

    @field_validator("options", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in value.items()
            }
        return value


class Manifest(BaseModel):
    """``datasets:`` a non-empty list of entries."""

    model_config = ConfigDict(extra="forbid")

    datasets: list[ManifestEntry] = Field(min_length=1)


def read_manifest(path: Path) -> list[ManifestEntry]:
    """The entries of a manifest file; any problem is a DataError naming the entry and field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"cannot read manifest ({exc.strerror})", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError(
            f"invalid YAML ({getattr(exc, 'problem', exc)})",
            path=path,
            line=None if mark is None else mark.line + 1,
        ) from None
    try:
        return Manifest.model_validate(raw).datasets
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DataError(
            f"invalid manifest: {first['msg']}",
            path=path,
            field=where or None,
            expected="datasets: [{name: DATASET, file: PATH, options: {...}}]",
        ) from None
