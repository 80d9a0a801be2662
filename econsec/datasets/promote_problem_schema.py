"""The schema of allocation-problem and scoring files (pydantic), and validation that reports
the first violation at its file line and field path (see :mod:`econsec.datasets.promote_problem`
for the format)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from econsec.datasets.policy_schemas import Key, Source
from econsec.errors import DataError

M = TypeVar("M", bound=BaseModel)
ErrorFn = Callable[..., DataError]


def _number(value: Any) -> Any:
    """Numbers as written; ``"5e11"`` (text to YAML 1.1) too; never ``true``/``false``."""
    if isinstance(value, bool):
        raise ValueError("a number, not true/false")
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise ValueError("a number") from None
    return value


def _text(value: Any) -> Any:
    """Ids and years written as numbers (``id: 7``, ``FY: 2025``) read as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Number = Annotated[float, BeforeValidator(_number), Field(allow_inf_nan=False)]
NonNeg = Annotated[float, BeforeValidator(_number), Field(ge=0, allow_inf_nan=False)]
Id = Annotated[str, BeforeValidator(_text), StringConstraints(strip_whitespace=True, min_length=1)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Yearly = list[NonNeg] | dict[Id, NonNeg]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class OptionIn(_Model):
    cost: NonNeg | None = None
    value: Number
    label: Text | None = None
    yearly: Yearly | None = None
    note: str | None = None


class CandidateIn(_Model):
    id: Id
    area: Id | None = None
    name: Text | None = None
    name_ja: Text | None = None
    note: str | None = None
    source: str | None = None
    jp_areas: list[Id] = []
    options: list[OptionIn] = []
    criteria: dict[Id, Number] = {}


class LimitIn(_Model):
    min: NonNeg = 0.0
    max: NonNeg | None = None
    note: str | None = None


class CriterionIn(_Model):
    id: Id
    name: Text | None = None
    name_ja: Text | None = None
    direction: Literal["benefit", "cost"] = "benefit"
    weight: NonNeg = 1.0
    preference: Literal["usual", "u-shape", "v-shape", "level", "linear", "gaussian"] = "usual"
    q: NonNeg | None = None
    p: NonNeg | None = None
    s: NonNeg | None = None
    scale: str | None = None
    note: str | None = None
    source: str | None = None


class ProblemIn(_Model):
    schema_version: int | None = None
    title: str | None = None
    title_ja: str | None = None
    unit: str | None = None
    value_unit: str | None = None
    note: str | None = None
    source: str | None = None
    assumptions: list[str] | str | None = None
    meta: dict[str, Any] = {}
    budget: NonNeg | None = None
    years: list[Id] = []
    yearly_budget: Yearly | None = None
    carry_over: bool = False
    candidates: Annotated[list[CandidateIn], Field(min_length=1)]
    area_limits: dict[Id, LimitIn] = {}
    must_fund: list[Id] = []
    never_fund: list[Id] = []
    criteria: list[CriterionIn] = []


def check_model(source: Source, model: type[M], error: ErrorFn, *, scoring: bool = False) -> M:
    """``source.data`` as ``model``; the first violation as a DataError at its line and path.

    With ``scoring`` a file without a budget is fine (candidates and criteria are enough)."""
    data = source.data
    if scoring and isinstance(data, dict) and "budget" not in data:
        data = {**data, "budget": 0}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # an unknown key (a typo) explains the "missing" error of the key it was meant to be
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        key = _path(data, first["loc"])
        if first["type"] == "missing":
            raise error(source, "missing required field", key) from None
        if first["type"] == "extra_forbidden":
            raise error(source, "unknown field (check its spelling)", key) from None
        value = first.get("input")
        got = None if isinstance(value, dict | list) else str(value)
        raise error(source, first["msg"], key, got=got) from None


def _path(data: Any, loc: tuple[int | str, ...]) -> Key:
    """The file path of a pydantic error location: parts that are no node of the data (the
    branch names of a union such as ``list[...]``) are skipped."""
    key: Key = ()
    node = data
    for part in loc:
        inside_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if (isinstance(node, dict) and part in node) or inside_list:
            node = node[part]
            key = (*key, part)
        elif isinstance(node, dict) and isinstance(part, str) and "[" not in part:
            return (*key, part)  # a missing or unknown key of this mapping
        elif not isinstance(node, dict | list):
            break
    return key
