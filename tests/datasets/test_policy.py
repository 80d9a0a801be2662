"""The policy YAML loaders on the real files, then on damaged copies of them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from econsec.datasets import policy
from econsec.datasets.catalogue import Catalogue
from econsec.datasets.policy_schemas import confidence_level
from econsec.errors import DataError
from econsec.store.analytics import AnalyticsStore
from tests.conftest import SHIPPED, shared_file

FILES = {
    "critical_products": "critical_products.yaml",
    "infrastructure_sectors": "infrastructure_sectors.yaml",
    "patent_fields": "patent_secrecy_fields.yaml",
    "critical_technologies": "critical_technologies.yaml",
}
LEVELS = {"high", "medium", "low", "unstated", "n/a"}


@pytest.fixture
def loaded(store: AnalyticsStore) -> Catalogue:
    """A catalogue of the policy datasets with the real files loaded."""
    catalogue = Catalogue(store, {spec.name: spec for spec in policy.SPECS})
    for name, file in FILES.items():
        catalogue.load(name, shared_file(f"policy/{file}"))
    return catalogue


def query(catalogue: Catalogue, sql: str) -> list[tuple[object, ...]]:
    with catalogue.store.reader() as con:
        return con.execute(sql).fetchall()


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    return text[: text.index(needle)].count("\n") + 1


# --- the real files ---------------------------------------------------------------------------


def test_critical_products(loaded: Catalogue) -> None:
    rows = query(loaded, "SELECT id, name_en, hs_codes, hs_codes_raw FROM critical_products")
    assert len(rows) == 12
    products = {r[0]: r for r in rows}
    assert products[3][1] == "Permanent magnets"
    assert products[3][2] == ["850511", "850519"]
    assert products[2][2] == ["31", "2510", "283421"]
    minerals = products[10][2]
    assert minerals[:3] == ["26", "280530", "2846"]
    assert [f"{h}" for h in range(8101, 8113)] == minerals[3:15]
    assert "26 (ores)" in products[10][3]
    assert products[8][2] == []
    status = loaded.dataset("critical_products")
    assert status.release == "2025-01"
    # Products state a ministry and HS confidence but no record confidence: never invented.
    assert status.versions[0].notes == [
        "12 of 12 records state no confidence and inherit none; their confidence is 'unstated'"
    ]
    cloud = query(
        loaded, "SELECT hs_confidence, hs_confidence_note FROM critical_products WHERE id = 8"
    )
    assert cloud == [("n/a", "n/a (software/services)")]


def test_infrastructure_sectors(loaded: Catalogue) -> None:
    rows = dict(query(loaded, "SELECT id, since FROM infrastructure_sectors"))
    assert len(rows) == 15
    assert rows["electricity"] == "2022"
    assert rows["port"] == "2024 amendment (in force 2025)"
    confidence = dict(query(loaded, "SELECT id, confidence FROM infrastructure_sectors"))
    assert confidence["port"] == "medium"
    assert confidence["gas"] == "unstated"
    review = loaded.document("infrastructure_sectors")["screening_process"]["review_period"]
    assert review["default_days"] == 30
    assert review["extension_max"] == "4 months from receipt"


def test_patent_fields(loaded: Catalogue) -> None:
    rows = query(loaded, "SELECT id, additional_requirement, ipc FROM patent_fields ORDER BY id")
    assert len(rows) == 25
    assert [r[0] for r in rows if r[1]] == list(range(16, 26))
    assert rows[9][2] == ["B01D 59 (limited to uranium or plutonium)"]
    document = loaded.document("patent_fields")
    assert document["field_counts"]["with_additional_requirement"] == 10
    assert document["procedure"]["first_stage_screening"]["deadline"]["value"] == 3


def test_critical_technologies(loaded: Catalogue) -> None:
    counts = dict(query(loaded, 'SELECT list, count(*) FROM critical_technologies GROUP BY "list"'))
    assert counts == {
        "japan_20_areas": 20,
        "us_cet_2022": 19,
        "us_cet_2024": 18,
        "eu_2023": 10,
        "aspi_tracker": 74,
        "k_program_vision_1": 7,
    }
    areas = {
        r[0]
        for r in query(
            loaded, "SELECT tech_id FROM critical_technologies WHERE list = 'japan_20_areas'"
        )
    }
    crosswalk = query(loaded, "SELECT DISTINCT unnest(crosswalk_jp) FROM critical_technologies")
    assert {r[0] for r in crosswalk} <= areas
    aspi = query(
        loaded,
        "SELECT domain, confidence, confidence_note FROM critical_technologies "
        "WHERE list = 'aspi_tracker' AND tech_id = 'quantum_computing'",
    )
    assert aspi == [("Quantum", "high", "high (names); low (crosswalk)")]
    us = query(
        loaded, "SELECT source, confidence FROM critical_technologies WHERE list = 'us_cet_2024'"
    )
    assert {r[1] for r in us} == {"high"}
    assert all("whitehouse.gov" in r[0] for r in us)


@pytest.mark.parametrize("name", list(FILES))
def test_every_row_has_provenance(loaded: Catalogue, name: str) -> None:
    rows = query(loaded, f"SELECT source, confidence FROM {name}")
    assert rows
    assert all(source and source.strip() for source, _ in rows)
    assert {confidence for _, confidence in rows} <= LEVELS


def test_shipped_copies_load(store: AnalyticsStore) -> None:
    catalogue = Catalogue(store, {spec.name: spec for spec in policy.SPECS})
    for name, file in FILES.items():
        assert catalogue.load(name, SHIPPED / "policy" / file).version.rows > 0


@pytest.mark.parametrize(
    ("raw", "codes"),
    [
        ("3004.10", ["300410"]),
        ("31", ["31"]),
        ("2941", ["2941"]),
        ("26 (ores)", ["26"]),
        ("8101-8103", ["8101", "8102", "8103"]),
    ],
)
def test_hs_codes(raw: str, codes: list[str]) -> None:
    assert policy.hs_codes(raw) == codes


@pytest.mark.parametrize("raw", ["8101-8212", "300", "3004.1", "ores"])
def test_hs_codes_rejects(raw: str) -> None:
    with pytest.raises(ValueError, match="HS chapter"):
        policy.hs_codes(raw)


def test_confidence_level() -> None:
    assert confidence_level("medium (date, count); low (items)") == "medium"
    assert confidence_level("n/a (software/services)") == "n/a"
    with pytest.raises(ValueError, match="confidence"):
        confidence_level("highly likely")


# --- damaged copies ---------------------------------------------------------------------------

Damage = Callable[[str], str | bytes]


def _replace(old: str, new: str) -> Damage:
    return lambda text: text.replace(old, new, 1)


CASES: list[tuple[str, str, Damage, str, str | None, str]] = [
    (
        "infrastructure_sectors",
        "truncated",
        lambda text: text[: text.index("name_en: Railways")],
        "{id: railway",
        None,
        "YAML syntax error",
    ),
    (
        "critical_technologies",
        "syntax error",
        _replace("  - name_en: Directed Energy\n", "  - name_en: Directed: Energy\n"),
        "Directed: Energy",
        None,
        "YAML syntax error",
    ),
    (
        "critical_products",
        "missing name_en",
        _replace("    name_en: Permanent magnets\n", ""),
        "  - id: 3",
        "products[2].name_en",
        "missing required field",
    ),
    (
        "patent_fields",
        "duplicate id",
        _replace("  - id: 12\n", "  - id: 11\n"),
        "  - id: 11\n    name_ja: 重水",
        "fields[11].id",
        "duplicate id 11 (first at fields[10].id",
    ),
    (
        "critical_technologies",
        "unknown crosswalk id",
        _replace(
            "    - hypersonics\n  - name_en: Networked", "    - hypersonic\n  - name_en: Networked"
        ),
        "    - hypersonic\n",
        "us_cet_2022.technologies[13].crosswalk_jp[0]",
        "unknown Japan technology area 'hypersonic'",
    ),
    (
        "infrastructure_sectors",
        "latin-1",
        lambda text: text.encode().replace(b"name_en: Gas,", "name_en: Gaz é,".encode("latin-1")),
        "{id: gas,",
        None,
        "invalid UTF-8 byte 0xe9",
    ),
    (
        "critical_products",
        "control character",  # crashed a load job before (yaml's ReaderError)
        _replace("    name_en: Permanent magnets\n", "    name_en: Permanent\x0f magnets\n"),
        "Permanent\x0f magnets",
        None,
        "YAML error: unacceptable character #x000f: special characters are not allowed",
    ),
    (
        "critical_products",
        "schema version",
        _replace("schema_version: 1", "schema_version: 2"),
        "schema_version",
        "schema_version",
        "Input should be 1",
    ),
    (
        "patent_fields",
        "wrong type",
        _replace("additional_requirement: true", "additional_requirement: 'true'"),
        "additional_requirement: 'true'",
        "fields[15].additional_requirement",
        "valid boolean",
    ),
    (
        "critical_products",
        "wrong structure",
        _replace("products:\n", "products: twelve\nold_products:\n"),
        "products: twelve",
        "products",
        "valid list",
    ),
    (
        "critical_technologies",
        "count mismatch",
        _replace("count: 19", "count: 20"),
        "count: 20\n  source: https://www.whitehouse.gov/wp-content/uploads/2022",
        "us_cet_2022.count",
        "the file says 20 but lists 19",
    ),
]


@pytest.mark.parametrize(
    ("name", "damage", "needle", "field", "message"),
    [(c[0], c[2], c[3], c[4], c[5]) for c in CASES],
    ids=[c[1] for c in CASES],
)
def test_damaged_file(
    loaded: Catalogue,
    tmp_path: Path,
    name: str,
    damage: Damage,
    needle: str,
    field: str | None,
    message: str,
) -> None:
    before = loaded.dataset(name).versions
    damaged = damage(shared_file(f"policy/{FILES[name]}").read_text(encoding="utf-8"))
    path = tmp_path / FILES[name]
    path.write_bytes(damaged if isinstance(damaged, bytes) else damaged.encode())
    with pytest.raises(DataError) as caught:
        loaded.load(name, path)
    error = caught.value
    text = damaged.decode("latin-1") if isinstance(damaged, bytes) else damaged
    assert error.path == path
    assert error.line == line_of(text, needle)
    assert error.field == field
    assert message in error.message
    assert str(path) in str(error)
    assert loaded.dataset(name).versions == before
    assert loaded.sample(name, 3).num_rows == 3
