"""The tables econsec makes from OpenAlex: the Arrow schemas of works (:class:`WorkSet`, filled
by :func:`econsec.datasets.openalex.read_works`), OpenAlex ids in short form, and two small CSV
inputs read strictly here: group-by counts and concept/topic-to-area maps.

**Group-by counts** are what the OpenAlex API returns for
``works?filter=concepts.id:<C>,publication_year:<Y>&group_by=authorships.institutions.country_code``,
saved as CSV with the columns ``concept, concept_id, year, country_code, works_count`` (the real
file ``openalex_ai_dl_works_by_country_year_2010_2020.csv`` has exactly these). They are whole
counts: a work with authors in two countries is counted by both. One row per concept, year and
country; a concept id always carries the same name.

**Area maps** say which OpenAlex labels stand for which technology area: CSV with the columns
``kind`` (concept, topic, subfield, field or domain), ``id`` (full or short OpenAlex id), ``area``
(an id such as ``ai_ml`` from ``critical_technologies.yaml``) and ``name`` (the label's display
name; may be left empty). One label may feed several areas.

Also here: where the data shipped with econsec lives (``data/`` next to the package in a source
checkout), for the commands and routes that default to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from econsec.datasets.tabular import Field, integer, one_of, pattern, read_table, text
from econsec.errors import DataError, NotFound

_PREFIX = "https://openalex.org/"

WORKS = pa.schema([("work_id", pa.string()), ("year", pa.int32()), ("cited_by_count", pa.int64())])
COUNTRIES = pa.schema(
    [("work_id", pa.string()), ("country", pa.string()), ("fractional", pa.float64())]
)
INSTITUTIONS = pa.schema(
    [
        ("work_id", pa.string()),
        ("institution_id", pa.string()),
        ("institution", pa.string()),
        ("country", pa.string()),
        ("fractional", pa.float64()),
    ]
)
LABELS = pa.schema(
    [
        ("work_id", pa.string()),
        ("kind", pa.string()),
        ("label_id", pa.string()),
        ("name", pa.string()),
        ("score", pa.float64()),
    ]
)


@dataclass(frozen=True, slots=True)
class WorkSet:
    """Works as four tables: ``works`` (one row per work), ``countries`` (work x country, with
    the fractional credit), ``institutions`` (work x institution) and ``labels`` (work x topic,
    subfield, field, domain or concept, with OpenAlex's score)."""

    works: pa.Table
    countries: pa.Table
    institutions: pa.Table
    labels: pa.Table
    files: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def citations(self) -> bool:
        """Whether any work carries a citation count."""
        rows, nulls = int(self.works.num_rows), int(self.works["cited_by_count"].null_count)
        return rows > nulls


def short_id(kind: str, value: Any) -> str:
    """OpenAlex id in short form: ``W123``, ``C154945302``, ``T10017``; subfield, field and
    domain ids as their number (``https://openalex.org/subfields/1702`` -> ``1702``). The
    snapshot sometimes stores those numbers as integers; they are accepted too."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError("an OpenAlex id")
    text = str(value).strip()
    if text.startswith(_PREFIX):
        text = text[len(_PREFIX) :]
    if kind in ("subfield", "field", "domain"):
        text = text.rsplit("/", 1)[-1]
        if not text.isdigit():
            raise ValueError(f"an OpenAlex {kind} id such as {_PREFIX}{kind}s/17")
        return str(int(text))
    if not text or "/" in text or " " in text:
        raise ValueError("an OpenAlex id such as https://openalex.org/W2741809807")
    return text[0].upper() + text[1:]


#: ``data/`` of a source checkout (absent from an installed wheel).
SHIPPED = Path(__file__).resolve().parents[2] / "data"
COUNTS_FILE = "tech/openalex_ai_dl_works_by_country_year_2010_2020.csv"
ASPI_RESULTS_FILE = "policy/aspi_tracker_results.yaml"
TECHNOLOGIES_FILE = "policy/critical_technologies.yaml"
KINDS = ("concept", "topic", "subfield", "field", "domain")

COUNTS = pa.schema(
    [
        ("concept", pa.string()),
        ("concept_id", pa.string()),
        ("year", pa.int32()),
        ("country", pa.string()),
        ("works_count", pa.int64()),
    ]
)
_COUNT_FIELDS = (
    Field("concept", "concept", text),
    Field(
        "concept_id",
        "concept_id",
        pattern(r"(https://openalex\.org/)?C\d+", "an id like C154945302"),
    ),
    Field("year", "year", integer(1000, 2100)),
    Field("country_code", "country", pattern(r"[A-Z]{2}", "an ISO 3166-1 alpha-2 code")),
    Field("works_count", "works_count", integer(0)),
)


@dataclass(frozen=True, slots=True)
class AreaRule:
    """OpenAlex label ``kind``/``label_id`` counts towards technology ``area``; ``name`` is the
    label's OpenAlex display name and ``why`` the reason for the rule (for people, not used)."""

    kind: str
    label_id: str
    area: str
    name: str = ""
    why: str = ""


def shipped(relative: str) -> Path:
    """A file shipped under ``data/``; NotFound saying how to proceed when it is absent."""
    path = SHIPPED / relative
    if not path.exists():
        raise NotFound(
            f"shipped data file {relative} not found under {SHIPPED} (an installed package has "
            "no data/ folder): pass the file explicitly",
            path=str(path),
        )
    return path


def read_counts(path: Path) -> pa.Table:
    """Group-by counts as a table ``concept, concept_id, year, country, works_count``."""
    names: dict[str, tuple[str, int]] = {}

    def check(line: int, row: dict[str, object]) -> None:
        row["concept_id"] = short_id("concept", row["concept_id"])
        concept_id, concept = str(row["concept_id"]), str(row["concept"])
        first = names.setdefault(concept_id, (concept, line))
        if first[0] != concept:
            raise DataError(
                f"concept {concept_id} is named {first[0]!r} on line {first[1]}",
                path=path,
                line=line,
                field="concept",
                got=concept,
                expected="one name per concept_id",
            )

    return read_table(
        path, _COUNT_FIELDS, COUNTS, key=("concept_id", "year", "country"), check=check
    )


_AREA = re.compile(r"[a-z][a-z0-9_]*")


def read_area_map(path: Path) -> tuple[AreaRule, ...]:
    """Rules from an area-map CSV (see the module docstring), in file order."""
    fields = (
        Field("kind", "kind", one_of(*KINDS)),
        Field("id", "label_id", text),
        Field("area", "area", pattern(_AREA.pattern, "an area id such as ai_ml")),
        Field("name", "name", text, required=False),
    )
    schema = pa.schema([(n, pa.string()) for n in ("kind", "label_id", "area", "name")])

    def check(line: int, row: dict[str, object]) -> None:
        try:
            row["label_id"] = short_id(str(row["kind"]), row["label_id"])
        except ValueError as exc:
            raise DataError(
                "invalid OpenAlex id", path=path, line=line, field="id", expected=str(exc)
            ) from None

    table = read_table(path, fields, schema, key=("kind", "label_id", "area"), check=check)
    return tuple(
        AreaRule(r["kind"], r["label_id"], r["area"], r["name"] or "", f"map file {path.name}")
        for r in table.to_pylist()
    )
