"""The ally comparison on the real critical_technologies.yaml: which lists cover each of Japan's
areas, technologies on one list only, technologies mapped to no area, what changed from the US
CET list of 2022 to 2024, and how names of different lists relate."""

from __future__ import annotations

from typing import Any

import pytest

from econsec.datasets.technologies import read_technologies
from econsec.promote.allies import compare, describe, equivalents, key_words, list_changes
from econsec.promote.taxonomy import Taxonomy, build
from tests.conftest import shared_file

ALLIED = ["k_program_vision_1", "us_cet_2022", "us_cet_2024", "eu_2023", "aspi_tracker"]


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    source = read_technologies(shared_file("policy/critical_technologies.yaml"))
    return build(source.document, source.provenance)


@pytest.fixture(scope="module")
def doc(taxonomy: Taxonomy) -> dict[str, Any]:
    return compare(taxonomy)


def _area(doc: dict[str, Any], area: str) -> dict[str, Any]:
    return next(r for r in doc["areas"] if r["area"] == area)


def test_every_area_says_which_lists_cover_it(doc: dict[str, Any]) -> None:
    assert list(doc["lists"]) == ALLIED
    assert len(doc["areas"]) == 20
    marine = _area(doc, "marine")
    assert marine["present"] == {
        "k_program_vision_1": True,
        "us_cet_2022": False,
        "us_cet_2024": False,
        "eu_2023": False,
        "aspi_tracker": True,
    }
    assert marine["count"]["aspi_tracker"] == 4
    assert marine["missing_from"] == ["us_cet_2022", "us_cet_2024", "eu_2023"]
    medical = _area(doc, "medical_public_health")
    assert [n for n, on in medical["present"].items() if on] == ["eu_2023", "aspi_tracker"]
    quantum = _area(doc, "quantum")
    assert quantum["lists_present"] == 5
    assert [t["name_en"] for t in quantum["technologies"]["eu_2023"]] == ["Quantum technologies"]
    assert quantum["technologies"]["us_cet_2024"][0]["confidence"] == "low"
    # The file's crosswalk gives CBRN to US 2022 (nuclear energy) but to no 2024 technology.
    cbrn = _area(doc, "cbrn")
    assert cbrn["present"]["us_cet_2022"] and not cbrn["present"]["us_cet_2024"]
    assert set(doc["summary"]["areas_on_every_list"]) == {
        "ai_ml",
        "robotics",
        "quantum",
        "surveillance_pnt_sensors",
        "ict_network",
        "space",
        "advanced_materials",
    }
    assert doc["summary"]["areas_on_no_list"] == []


def test_technologies_mapped_to_no_area(doc: dict[str, Any]) -> None:
    assert doc["unmapped"] == {
        "k_program_vision_1": [],
        "us_cet_2022": ["us_cet_2022:directed_energy"],
        "us_cet_2024": ["us_cet_2024:directed_energy"],
        "eu_2023": [],
        "aspi_tracker": [
            "aspi_tracker:directed_energy_technologies",
            "aspi_tracker:geoengineering",
        ],
    }


def test_us_cet_2022_to_2024(doc: dict[str, Any]) -> None:
    changes = doc["us_2022_vs_2024"]
    assert changes["counts"] == {"us_cet_2022": 19, "us_cet_2024": 18}
    assert len(changes["kept"]) == 12
    renamed = {
        r["from"]["name_en"]: (r["to"]["name_en"], r["relation"]) for r in changes["renamed"]
    }
    assert renamed == {
        "Autonomous Systems and Robotics": (
            "Highly Automated, Autonomous, and Uncrewed Systems (UxS), and Robotics",
            "contains",
        ),
        "Communication and Networking Technologies": (
            "Integrated Communication and Networking Technologies",
            "same",
        ),
        "Quantum Information Technologies": (
            "Quantum Information and Enabling Technologies",
            "same",
        ),
        "Renewable Energy Generation and Storage": (
            "Clean Energy Generation and Storage",
            "similar",
        ),
    }
    removed = {r["name_en"]: r["still_covered_by"] for r in changes["removed"]}
    assert set(removed) == {
        "Advanced Nuclear Energy Technologies",
        "Financial Technologies",
        "Networked Sensors and Sensing",
    }
    assert removed["Advanced Nuclear Energy Technologies"] == {
        "energy_storage": ["Clean Energy Generation and Storage"],
        "cbrn": [],
    }
    assert [r["name_en"] for r in changes["added"]] == [
        "Data Privacy, Data Security, and Cybersecurity Technologies",
        "Positioning, Navigation, and Timing (PNT) Technologies",
    ]
    assert (changes["areas_lost"], changes["areas_gained"]) == (["cbrn"], ["cybersecurity"])
    # 19 = 12 kept + 4 renamed + 3 removed; 18 = 12 + 4 + 2 added.
    assert 12 + len(renamed) + len(removed) == 19
    assert 12 + len(renamed) + len(changes["added"]) == 18


def test_one_list_only_and_related_names(taxonomy: Taxonomy, doc: dict[str, Any]) -> None:
    single = {t["key"] for t in doc["one_list_only"]}
    assert "us_cet_2022:financial_technologies" in single
    assert "aspi_tracker:coatings" in single
    assert "us_cet_2024:directed_energy" not in single  # on US 2022 and ASPI too
    related = {
        r.technology.key: r.relation
        for r in equivalents(taxonomy, taxonomy.one("eu:quantum_technologies"))
    }
    assert related["aspi_tracker:quantum_sensors"] == "contains"
    assert related["us_cet_2022:quantum_information_technologies"] == "contains"
    directed = equivalents(taxonomy, taxonomy.one("us2024:directed_energy"))
    assert {r.technology.key: r.relation for r in directed} == {
        "us_cet_2022:directed_energy": "same",
        "aspi_tracker:directed_energy_technologies": "same",
    }
    # No shared area, no relation: the EU's energy area is not "directed energy".
    assert "eu_2023:energy_technologies" not in {r.technology.key for r in directed}
    assert key_words("Space Technologies and Systems") == {"space"}


def test_one_area_and_describe(taxonomy: Taxonomy) -> None:
    marine = compare(taxonomy, "marine")
    assert [r["area"] for r in marine["areas"]] == ["marine"]
    assert all("marine" in t["areas"] for t in marine["one_list_only"])
    assert marine["us_2022_vs_2024"]["removed"] == []
    cbrn = list_changes(taxonomy, "us2022", "us2024", "cbrn")
    assert [r["name_en"] for r in cbrn["removed"]] == ["Advanced Nuclear Energy Technologies"]
    shown = describe(taxonomy, "量子情報科学")
    assert shown["area"]["id"] == "quantum"
    assert [t["key"] for t in shown["technologies"]] == ["japan_20_areas:quantum"]
    assert len(shown["area"]["technologies"]["aspi_tracker"]) == 4
    both = describe(taxonomy, "advanced_computing")
    assert [t["list"] for t in both["technologies"]] == [
        "japan_20_areas",
        "us_cet_2022",
        "us_cet_2024",
    ]
    assert both["area"]["id"] == "advanced_computing"
    assert describe(taxonomy, "us2022:hypersonics")["area"] is None
