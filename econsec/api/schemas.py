"""Response models of the HTTP API (with examples for the OpenAPI page)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorBody(BaseModel):
    """Every error: the EconsecError class, its message and details (file, line, field...)."""

    error: str = Field(examples=["DataError"])
    message: str = Field(examples=["baci.csv, line 12, field 'v': invalid value; got 'x'"])
    detail: dict[str, Any] = Field(default_factory=dict)


class StoreHealth(BaseModel):
    ok: bool
    location: str
    detail: str | None = None


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    version: str = Field(examples=["0.1.0"])
    analytics_store: StoreHealth
    app_store: StoreHealth
    datasets_loaded: int


class DatasetSummary(BaseModel):
    """One row of ``econsec data list``."""

    name: str = Field(examples=["baci"])
    area: str = Field(examples=["trade"])
    title: str
    format: str = Field(examples=["csv, csv.gz, parquet"])
    publisher: str = Field(examples=["CEPII (BACI)"])
    licence: str
    version: str | None = Field(examples=["V202401"])
    loaded: bool
    loaded_at: datetime | None
    rows: int = Field(examples=[21723])


class ColumnInfo(BaseModel):
    name: str
    type: str
    description: str


class OptionInfo(BaseModel):
    name: str
    description: str


class VersionInfo(BaseModel):
    """One load of one file: checksum, source file, loaded-at time, rows."""

    id: str = Field(examples=["baci@3"])
    status: str = Field(examples=["active"])
    source_name: str
    checksum: str
    options: dict[str, str]
    release: str | None
    loaded_at: datetime
    ended_at: datetime | None
    rows_loaded: int
    rows: int
    parts: list[dict[str, Any]]
    notes: list[str]


class DatasetDetail(DatasetSummary):
    """``econsec data show``: provenance, schema, versions and sample rows."""

    source_url: str
    cadence: str
    description: str
    requires: list[str]
    options: list[OptionInfo]
    columns: list[ColumnInfo] = Field(alias="schema")
    versions: list[VersionInfo]
    sample: list[dict[str, Any]]

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class JobInfo(BaseModel):
    """A long-running job and its progress (0..1 within ``stage``)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    params: dict[str, Any]
    status: str = Field(examples=["running"])
    stage: str | None = Field(examples=["read"])
    progress: float = Field(examples=[0.42])
    message: str | None
    result: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    rerun_of: int | None
