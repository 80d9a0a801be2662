"""The technology taxonomy on the real ../shared/data/policy/critical_technologies.yaml: the
lists and their published sizes, the crosswalk's confidence rule, browsing, Japanese and English
search, export; the same lists read from the loaded dataset; bad files named by line and field.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from econsec.datasets.catalogue import Catalogue
from econsec.datasets.technologies import SUPPLEMENT, loaded_technologies, read_technologies
from econsec.errors import DataError, InvalidInput, NotFound
from econsec.promote.taxonomy import Taxonomy, build, fold, same_name
from econsec.promote.taxonomy_export import COLUMNS, export
from econsec.promote.taxonomy_search import reading, search
from tests.conftest import shared_file

REAL = "policy/critical_technologies.yaml"


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    source = read_technologies(shared_file(REAL))
    return build(source.document, source.provenance)


def test_the_lists_have_their_published_sizes(taxonomy: Taxonomy) -> None:
    # Japan's 20 areas; US CET 2022: 19 and 2024: 18 (White House lists); EU C(2023) 6689: 10;
    # ASPI: 64 in 2024 plus 10 added in 2025; the file lists 7 example K Program technologies.
    assert taxonomy.counts() == {
        "japan_20_areas": 20,
        "k_program_vision_1": 7,
        "us_cet_2022": 19,
        "us_cet_2024": 18,
        "eu_2023": 10,
        "aspi_tracker": 74,
    }
    assert len(taxonomy.areas) == 20
    aspi = taxonomy.lists["aspi_tracker"]
    assert aspi.stated == "64 + 10"
    assert sum(1 for t in taxonomy.browse("aspi") if t.added == "2025") == 10
    assert taxonomy.lists["k_program_vision_1"].stated == "27"  # the first vision's size
    assert taxonomy.lists["us_cet_2024"].date == "2024-02"
    assert taxonomy.lists["eu_2023"].date == "2023-10-03"
    assert taxonomy.provenance["as_of"] == "2025-01" and len(taxonomy.provenance["checksum"]) == 64


def test_links_follow_the_file_and_its_confidence_rule(taxonomy: Taxonomy) -> None:
    # "mapping is our judgement (confidence: low) except where a name is identical"
    (hyper,) = taxonomy.resolve("us_cet_2024:hypersonics")
    assert [(k.area, k.confidence, k.origin) for k in hyper.links] == [
        ("hypersonics", "high", "file")
    ]
    (bio,) = taxonomy.resolve("eu:biotechnologies")  # Biotechnologies = Biotechnology
    assert [(k.area, k.confidence) for k in bio.links] == [
        ("biotech", "high"),
        ("medical_public_health", "low"),
    ]
    (ai,) = taxonomy.resolve("us2022:artificial_intelligence")
    assert [(k.area, k.confidence) for k in ai.links] == [("ai_ml", "low")]
    assert same_name("Biotechnologies", "Biotechnology")
    assert not same_name("Space Technologies and Systems", "Space")
    # Japan's areas map to themselves; Directed Energy to none of them, as the file says.
    assert all(t.areas == (t.id,) for t in taxonomy.browse("japan"))
    assert taxonomy.one("us_cet_2024:directed_energy").links == ()


def test_the_supplement_maps_what_the_file_leaves_unmapped(taxonomy: Taxonomy) -> None:
    keys = {t.key for t in taxonomy.technologies}
    assert {f"{name}:{tech}" for name, tech in SUPPLEMENT} <= keys
    for t in taxonomy.browse("k"):
        assert t.links and {k.origin for k in t.links} == {"econsec"}
    (bci,) = taxonomy.resolve("aspi:brain_computer_interfaces")
    assert [(k.area, k.confidence, k.origin) for k in bci.links] == [("bci", "high", "econsec")]
    assert taxonomy.one("aspi:geoengineering").links == ()  # judged to fit no area
    file_links = [k for t in taxonomy.browse("us2024") for k in t.links]
    assert {k.origin for k in file_links} == {"file"}


def test_browse_by_list_and_by_japan_area(taxonomy: Taxonomy) -> None:
    marine = taxonomy.browse(area="marine")
    assert {t.list for t in marine} == {"japan_20_areas", "aspi_tracker", "k_program_vision_1"}
    assert taxonomy.browse("eu", "quantum")[0].name_en == "Quantum technologies"
    members = taxonomy.members("海洋関連技術")  # by the Japanese name
    assert [t.name_en for t in members["aspi_tracker"]] == [
        "Advanced undersea wireless communication",
        "Sonar and acoustic sensors",
        "Air-independent propulsion",
        "Autonomous underwater vehicles",
    ]
    assert members["us_cet_2022"] == members["eu_2023"] == []
    with pytest.raises(NotFound, match="no technology list 'nato'"):
        taxonomy.browse("nato")
    with pytest.raises(NotFound, match="no Japan technology area 'atlantis'"):
        taxonomy.browse(area="atlantis")


def test_ids_resolve_or_say_what_was_meant(taxonomy: Taxonomy) -> None:
    assert [t.key for t in taxonomy.resolve("advanced_computing")] == [
        "japan_20_areas:advanced_computing",
        "us_cet_2022:advanced_computing",
        "us_cet_2024:advanced_computing",
    ]
    with pytest.raises(InvalidInput, match="us_cet_2022:directed_energy, us_cet_2024"):
        taxonomy.one("directed_energy")
    with pytest.raises(NotFound, match=r"did you mean: .*hypersonics"):
        taxonomy.resolve("us2024:hypersonic")


def test_japanese_search_by_kanji_and_by_kana(taxonomy: Taxonomy) -> None:
    kanji = search(taxonomy, "量子")
    assert [h.technology.key for h in kanji[:2]] == [
        "japan_20_areas:quantum",
        "k_program_vision_1:quantum_cryptography_sensing",
    ]
    # The allied lists have English names only: found through the Japan area that matched.
    via = {h.technology.key: h for h in kanji if h.via}
    assert via["us_cet_2024:quantum_information_and_enabling_technologies"].via == "quantum"
    assert "aspi_tracker:quantum_sensors" in via
    assert reading("量子情報科学") == "リョウシジョウホウカガク"
    hiragana = search(taxonomy, "りょうし")  # the reading, typed in hiragana
    assert hiragana[0].technology.key == "japan_20_areas:quantum"
    assert hiragana[0].field == "reading"
    assert search(taxonomy, "うちゅう")[0].technology.key == "japan_20_areas:space"
    drone = search(taxonomy, "ドローン")
    assert [h.technology.key for h in drone] == [
        "k_program_vision_1:autonomous_distributed_control_of_small_drones"
    ]
    # NFKC: half-width katakana "ga" and full-width Latin "AUV" read as usual
    assert fold("\uff76\uff9e \uff21\uff35\uff36") == "ガ auv"


def test_english_search_whole_words_singulars_and_typos(taxonomy: Taxonomy) -> None:
    bio = [h.technology.key for h in search(taxonomy, "Biotechnology")[:4]]
    assert bio == [
        "japan_20_areas:biotech",
        "us_cet_2022:biotechnologies",
        "us_cet_2024:biotechnologies",
        "eu_2023:biotechnologies",
    ]
    ai = {h.technology.key for h in search(taxonomy, "AI") if not h.via}
    assert "aspi_tracker:generative_ai" in ai
    assert "aspi_tracker:advanced_aircraft_engines" not in ai  # "ai" is no hit in "aircraft"
    typo = search(taxonomy, "quantom")
    assert typo and all("quantum" in h.technology.key for h in typo)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "quantum")
    assert search(taxonomy, f"{full_width} sensors")[0].technology.key == (
        "aspi_tracker:quantum_sensors"
    )
    narrowed = search(taxonomy, "energy", list_name="us2024")
    assert {h.technology.list for h in narrowed} == {"us_cet_2024"}
    assert search(taxonomy, "zzzzqqqq") == []
    with pytest.raises(InvalidInput, match="empty"):
        search(taxonomy, "   ")


def test_export_csv_json_yaml(taxonomy: Taxonomy) -> None:
    rows = list(csv.DictReader(io.StringIO(export(taxonomy, "csv"))))
    assert len(rows) == 148 and tuple(rows[0]) == COLUMNS
    eu = next(r for r in rows if r["list"] == "eu_2023" and r["id"] == "biotechnologies")
    assert eu["crosswalk_jp"] == "biotech;medical_public_health"
    assert eu["crosswalk_confidence"] == "high;low"
    doc = json.loads(export(taxonomy, "json"))
    assert doc["schema"] == "econsec.promote.taxonomy/1" and doc["edited"] == 0
    assert [len(x["technologies"]) for x in doc["lists"]] == [20, 7, 19, 18, 10, 74]
    japan = doc["lists"][0]["technologies"]
    assert japan[8]["name_ja"] == "量子情報科学"
    assert yaml.safe_load(export(taxonomy, "yaml")) == doc
    one = json.loads(export(taxonomy, "json", "us2022"))
    assert [x["id"] for x in one["lists"]] == ["us_cet_2022"] and len(one["areas"]) == 20
    with pytest.raises(InvalidInput, match="unknown export format"):
        export(taxonomy, "xml")


def test_the_loaded_dataset_gives_the_same_taxonomy(
    catalogue: Catalogue, taxonomy: Taxonomy
) -> None:
    catalogue.load("critical_technologies", shared_file(REAL))
    source = loaded_technologies(catalogue)
    loaded = build(source.document, source.provenance)
    assert loaded.technologies == taxonomy.technologies
    assert source.provenance["version"] == "critical_technologies@1"
    assert source.provenance["checksum"] == taxonomy.provenance["checksum"]


def test_bad_files_are_named_by_line_and_field(tmp_path: Path) -> None:
    # SYNTHETIC: the real file with one count changed, and with one crosswalk id misspelt.
    text = shared_file(REAL).read_text(encoding="utf-8")
    wrong_count = tmp_path / "count.yaml"
    wrong_count.write_text(text.replace("  count: 19\n", "  count: 20\n", 1), encoding="utf-8")
    with pytest.raises(DataError, match=r"count.yaml, line \d+, field 'us_cet_2022.count'"):
        read_technologies(wrong_count)
    bad_area = tmp_path / "area.yaml"
    bad_area.write_text(text.replace("- hypersonics\n", "- hypersonix\n", 1), encoding="utf-8")
    with pytest.raises(DataError, match="unknown Japan technology area 'hypersonix'"):
        read_technologies(bad_area)
