"""Schemas of econsec's policy YAML files (``data/policy/*.yaml``), as pydantic models.

Every fact in these files is a *record* that must say where it comes from (``source``) and how
sure the compiler was (``confidence``). A record that does not state them inherits them from the
block that encloses it: a US CET technology takes its list's source and confidence, a sector
takes the file's. Where nothing provides a confidence the record gets ``"unstated"``; a level
is never made up.

Confidence is normalised to the leading word of the text (``high``, ``medium``, ``low``,
``unstated``, ``n/a``): ``"medium (date, count); low (items)"`` becomes ``medium``, and the
original text is kept beside it in ``<name>_note`` (``confidence_note``, ``hs_confidence_note``).

Models mirror the YAML structure key for key, so a validation error's location is the path of
the offending node; :func:`read_yaml` keeps every node's line, and the DataError names the file,
the line and the path (``products[3].name_en``, list indices from 0). Unknown keys are kept
(``extra="allow"``) and end up in the stored document, so rules such as the screening review
period remain readable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from econsec.datasets.tabular import decode, read_bytes
from econsec.errors import DataError

CONFIDENCE = ("high", "medium", "low", "unstated", "n/a")
UNSTATED: Literal["unstated"] = "unstated"
_LEADING = re.compile(r"\s*(high|medium|low|unstated|n/a)(?![\w/])", re.IGNORECASE)


def confidence_level(text: str) -> str:
    """The confidence level a text starts with; ValueError(expected) when it starts otherwise."""
    match = _LEADING.match(text)
    if match is None:
        raise ValueError("a confidence starting with " + ", ".join(CONFIDENCE))
    return match.group(1).lower()


def _confidence(value: Any) -> Any:
    return confidence_level(value) if isinstance(value, str) else value


def _text_of(value: Any) -> Any:
    """Years and numbers written without quotes (``since: 2022``) read as text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Confidence = Annotated[
    Literal["high", "medium", "low", "unstated", "n/a"], BeforeValidator(_confidence)
]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
Id = Annotated[int, Field(ge=1)]
Label = Annotated[str, BeforeValidator(_text_of), StringConstraints(min_length=1)]


def _is_confidence(key: str) -> bool:
    return key == "confidence" or key.endswith("_confidence")


def _with_notes(data: dict[str, Any]) -> dict[str, Any]:
    """Add ``<key>_note`` holding the original text of each qualified confidence."""
    notes: dict[str, Any] = {}
    for key, value in data.items():
        if not (_is_confidence(key) and isinstance(value, str)):
            continue
        try:
            level = confidence_level(value)
        except ValueError:
            continue  # the field validator reports it at the field's own location
        if value.strip() != level:
            notes[f"{key}_note"] = value.strip()
    return {**data, **notes}


def inherit(data: Any, keys: tuple[str, ...]) -> Any:
    """Give each record listed under ``keys`` the block's source and confidence it lacks."""
    if not isinstance(data, dict):
        return data
    given = {k: data[k] for k in ("source", "confidence") if k in data}
    if not given or not keys:
        return data
    out = dict(data)
    for key in keys:
        items = data.get(key)
        if isinstance(items, list):
            out[key] = [
                {**item, **{k: v for k, v in given.items() if k not in item}}
                if isinstance(item, dict)
                else item
                for item in items
            ]
        elif isinstance(items, dict):
            out[key] = {**items, **{k: v for k, v in given.items() if k not in items}}
    return out


class Model(BaseModel):
    """Strict types (quoted ``"true"`` is no boolean, ``"1"`` no number); extra keys are kept."""

    model_config = ConfigDict(strict=True, extra="allow")

    #: Keys whose records inherit this block's source and confidence.
    RECORDS: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _inherit(cls, data: Any) -> Any:
        return inherit(data, cls.RECORDS)


class Record(Model):
    """A fact with its source and confidence (inherited from the enclosing block if absent)."""

    source: Text
    confidence: Confidence
    confidence_note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _confidence_fallback(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        return _with_notes(data if "confidence" in data else {**data, "confidence": UNSTATED})


class Document(Model):
    """A policy file: ``schema_version: 1`` and the month its contents describe."""

    schema_version: Literal[1]
    as_of: Label


# --- reading a file against a schema, with lines ----------------------------------------------

Key = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


class _Loader(yaml.SafeLoader):
    """Safe YAML where dates stay text as written (``2025-01-01`` is not turned into a date)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(slots=True)
class Source:
    """A parsed YAML file with the line of each node, to point errors at the right place."""

    path: Path
    data: dict[str, Any]
    lines: dict[Key, int]
    scalars: set[Key]

    def line(self, key: Key) -> int:
        """Line of ``key``, or of its nearest ancestor present in the file."""
        while key not in self.lines and key:
            key = key[:-1]
        return self.lines.get(key, 1)

    def error(self, message: str, key: Key, **detail: Any) -> DataError:
        """A DataError at the node ``key``."""
        return DataError(message, path=self.path, line=self.line(key), field=dotted(key), **detail)


def dotted(key: Key) -> str:
    """``("products", 3, "name_en")`` -> ``products[3].name_en``."""
    out = ""
    for part in key:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_yaml(path: Path) -> Source:
    """Parse ``path`` (UTF-8 YAML whose top level is a mapping) keeping node lines."""
    text = decode(path, read_bytes(path))
    try:
        loader = _Loader(text)  # refuses control characters YAML does not allow
    except yaml.reader.ReaderError as exc:
        raise DataError(
            f"YAML error: unacceptable character #x{exc.character:04x}: {exc.reason}",
            path=path,
            line=text.count("\n", 0, exc.position) + 1,
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise DataError("file is empty", path=path, line=1, expected="a YAML mapping")
        lines, scalars = _index(path, node)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise DataError(
            f"YAML syntax error: {problem}",
            path=path,
            line=None if mark is None else mark.line + 1,
        ) from None
    except yaml.YAMLError as exc:
        raise DataError(f"YAML error: {exc}", path=path) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise DataError(
            "top level is not a mapping",
            path=path,
            line=lines[()],
            got=type(data).__name__,
            expected="a YAML mapping with schema_version",
        )
    return Source(path, data, lines, scalars)


def _index(path: Path, root: yaml.Node) -> tuple[dict[Key, int], set[Key]]:
    """Line of every key and list item, and which paths are scalars.

    A repeated key in one mapping is a DataError, and so is an alias (``*name``): policy files
    do not need them, and refusing them keeps a "billion laughs" file from expanding.
    """
    lines: dict[Key, int] = {(): root.start_mark.line + 1}
    scalars: set[Key] = set()
    seen: set[int] = set()
    stack: list[tuple[Key, yaml.Node]] = [((), root)]
    while stack:
        key, node = stack.pop()
        if id(node) in seen:
            raise DataError(
                "YAML aliases are not supported", path=path, line=lines[key], field=dotted(key)
            )
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            scalars.add(key)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                child = (*key, str(key_node.value))
                if child in lines:
                    raise DataError(
                        f"duplicate key {key_node.value!r} (first on line {lines[child]})",
                        path=path,
                        line=key_node.start_mark.line + 1,
                        field=dotted(child),
                    )
                lines[child] = key_node.start_mark.line + 1
                stack.append((child, value_node))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[(*key, i)] = item.start_mark.line + 1
                stack.append(((*key, i), item))
    return lines, scalars


def validate(source: Source, model: type[M]) -> M:
    """The document as ``model``; the first schema violation as a DataError at its line."""
    try:
        return model.model_validate(source.data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        key: Key = ()
        for part in error["loc"]:
            if key in source.scalars:
                break  # the rest names pydantic's union branch, not a YAML node
            key = (*key, part)
        if error["type"] == "missing":
            raise source.error("missing required field", key) from None
        value = error.get("input")
        got = None if isinstance(value, dict | list) else str(value)
        raise source.error(error["msg"], key, got=got) from None


# --- critical_products.yaml -------------------------------------------------------------------


class Ministry(Model):
    ja: Text
    en: Text


class Product(Record):
    id: Id
    name_ja: Text
    name_en: Text
    ministry: Ministry
    ministry_confidence: Confidence = UNSTATED
    ministry_confidence_note: str | None = None
    hs_codes_indicative: list[Text]
    hs_confidence: Confidence = UNSTATED
    hs_confidence_note: str | None = None
    limited_to_ja: list[Text] | None = None
    limited_to_en: list[Text] | None = None
    note: str | None = None


class ProductsFile(Document):
    RECORDS = ("products",)
    products: Annotated[list[Product], Field(min_length=1)]


# --- infrastructure_sectors.yaml --------------------------------------------------------------


class Sector(Record):
    id: Slug
    name_ja: Text
    name_en: Text
    ministry: Text
    since: Label
    note: str | None = None


class ReviewPeriod(Model):
    default_days: Id
    shortening_allowed: bool
    extension_max: Text


class ScreeningProcess(Record):
    review_period: ReviewPeriod


class SectorsFile(Document):
    RECORDS = ("sectors", "screening_process")
    sectors: Annotated[list[Sector], Field(min_length=1)]
    screening_process: ScreeningProcess


# --- patent_secrecy_fields.yaml ---------------------------------------------------------------


class PatentField(Record):
    id: Id
    name_ja: Text
    name_en: Text
    additional_requirement: bool
    ipc: list[Text]
    ipc_confidence: Confidence = UNSTATED


class FieldCounts(Model):
    total: int
    without_additional_requirement: int
    with_additional_requirement: int


class PatentFieldsFile(Document):
    RECORDS = ("fields",)
    fields: Annotated[list[PatentField], Field(min_length=1)]
    field_counts: FieldCounts | None = None


# --- critical_technologies.yaml ---------------------------------------------------------------


class Area(Record):
    id: Slug
    name_ja: Text
    name_en: Text


class JapanAreas(Record):
    RECORDS = ("areas",)
    count: int
    areas: Annotated[list[Area], Field(min_length=1)]


class Technology(Record):
    name_en: Text
    name_ja: Text | None = None
    crosswalk_jp: list[Slug] = []
    aspi_domain: Text | None = None
    priority_first_four: bool | None = None
    note: str | None = None


class TechList(Record):
    RECORDS = ("technologies",)
    name: Text
    count: int
    technologies: Annotated[list[Technology], Field(min_length=1)]


class EuList(Record):
    RECORDS = ("areas",)
    name: Text
    count: int
    areas: Annotated[list[Technology], Field(min_length=1)]


class AspiList(Record):
    RECORDS = ("technologies", "added_2025")
    name: Text
    count_2024: int
    count_2025: int
    technologies: Annotated[list[Technology], Field(min_length=1)]
    added_2025: list[Technology] = []


class VisionItem(Record):
    ja: Text
    en: Text


class Vision(Record):
    RECORDS = ("domains", "example_technologies")
    name_ja: Text
    date: Label
    domains: list[VisionItem] = []
    example_technologies: list[VisionItem] = []


class KProgram(Model):
    visions: list[Vision] = []


class TechnologiesFile(Document):
    RECORDS = ("japan_20_areas", "us_cet_2022", "us_cet_2024", "eu_2023", "aspi_tracker")
    japan_20_areas: JapanAreas
    k_program: KProgram | None = None
    us_cet_2022: TechList
    us_cet_2024: TechList
    eu_2023: EuList
    aspi_tracker: AspiList
