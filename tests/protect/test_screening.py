"""The matcher: normalisation, token similarity, scoring and the in-process index, on the real
UN Security Council and OFAC consolidated lists (the names in the asserts are theirs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from econsec.errors import InvalidInput
from econsec.protect.lists import get_format
from econsec.protect.screening.algorithms import ALGORITHMS, get_algorithm
from econsec.protect.screening.model import Entry, Query
from econsec.protect.screening.normalise import forms, hangul_romaji
from econsec.protect.screening.screener import Screener, compare, compare_entities
from econsec.protect.screening.similarity import kana_fold, token_similarity
from tests.conftest import shared_file


def entries(fmt: str, relative: str) -> list[Entry]:
    publication = get_format(fmt).read([shared_file(relative)])
    return [
        Entry.from_entity(
            r.entity,
            list_name=publication.name,
            version=publication.version or "",
            source_id=r.source_id,
        )
        for r in publication.records
    ]


@pytest.fixture(scope="module")
def screener() -> Screener:
    un = entries("un", "screening/un/consolidated_2026-01-28.xml")
    ofac = entries("ofac", "screening/ofac/consolidated_non_sdn_2026-01-08.xml")
    return Screener(un + ofac)


def texts(name: str, org: bool = False) -> set[str]:
    return {f.text for f in forms(name, org)}


# -- normalisation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "tokens", "legal"),
    [
        ("Admiralty Shipyard JSC", "admiralty shipyard", "jsc"),
        ("Toshiba Co., Ltd.", "toshiba", "ltd"),
        ("Kabushiki Kaisha Toshiba", "toshiba", "kk"),
        ("株式会社東芝", "toushiba", "kk"),
        ("有限会社ヤマト", "yamato", "yk"),
        ("合同会社アルファ", "arufa", "gk"),
        ("\u041e\u041e\u041e Ромашка", "romashka", "llc"),  # OOO in Cyrillic
        ("ПАО «Газпром»", "gazprom", "jsc"),
        ("Siemens GmbH", "siemens", "gmbh"),
        ("ACME LLC", "acme", "llc"),
    ],
)
def test_legal_forms_across_languages(name: str, tokens: str, legal: str) -> None:
    found = {(f.text, f.legal) for f in forms(name, True)}
    assert (tokens, legal) in found, found


def test_japanese_readings_kana_and_kanji() -> None:
    assert "rostek" in texts("ロステック")  # katakana loanword, epenthetic vowels dropped
    assert {"toushiba", "toshiba"} <= texts("東芝")
    assert "usama bin radin" in texts("ウサマ・ビン・ラディン")
    assert "korea general trading" in texts("コリア・ジェネラル・トレーディング", True)


def test_other_scripts_and_order() -> None:
    assert "volodymyr zelenskyy" in texts("Володимир Зеленський")
    assert hangul_romaji("김정은", dprk=True).split() == ["kim", "jong", "un"]
    assert {f.script for f in forms("习近平")} >= {"han", "zh"}
    assert texts("Abdulhai, Salek").pop().split() == ["abdulhai", "salek"]
    assert texts("Brigade Forty-Four", True) == {"brigade 44"}
    assert texts("A.B.C. Company", True) == {"abc"}
    assert texts("Mr. John Smith") == {"john smith"}


def test_kana_fold_blurs_what_katakana_blurs() -> None:
    assert kana_fold("alfabank") == kana_fold("arfabank")
    assert kana_fold("milosevic") == kana_fold("miroshevitchi")
    assert kana_fold("vladimir") == kana_fold("urajimir")


def test_token_similarity() -> None:
    assert token_similarity("mohammed", "muhammad") >= 0.75
    assert token_similarity("lakhal", "lakahl") > 0.8  # a transposition is one edit
    assert token_similarity("jennifer", "janvier") == 0.0  # beyond the typo budget
    assert token_similarity("jong", "yong", "strict") == 0.0  # Korean syllables
    assert token_similarity("bill", "william") >= 0.85  # rigour's nickname data


# -- comparing two names -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name1", "name2", "schema", "match"),
    [
        ("Vladimir Putin", "PUTIN, Vladimir Vladimirovich", "Person", True),
        ("SALEK, ABDULHAI", "ABDULHAI SALEK", "Person", True),
        ("ロステック", "Rostec", "Company", True),
        ("ウラジーミル・プーチン", "Vladimir Putin", "Person", True),
        ("Володимир Зеленський", "Volodymyr Zelenskyy", "Person", True),
        ("PLA", "People's Liberation Army", "Organization", True),
        # METI / MOF Japanese names against their OFAC / UN listings:
        ("株式会社ヴィボルグ造船所", "PUBLIC JOINT STOCK COMPANY VYBORG SHIPYARD", "Company", True),
        ("キム・ジョンシク", "KIM, Jong Sik", "Person", True),
        ("ミロシェヴィッチ・スロボダン", "MILOSEVIC, Slobodan", "Person", True),
        ("アルファバンク", "ALFA-BANK", "Company", True),
        ("ホンダ技研工業株式会社", "TOYOTA MOTOR CORPORATION", "Company", False),
        ("Olga Barynova", "Oleg BARANOV", "Person", False),
        ("Zu Zag Bong 6", "Zu Zag Bong 5", "Vessel", False),
        ("Frost, William G.", "William W Frost", "Person", False),
        ("Angela Merkel", "Angelo Cruz", "Person", False),
    ],
)
def test_compare(name1: str, name2: str, schema: str, match: bool) -> None:
    result = compare(name1, name2, schema=schema)
    assert result.match is match, result.as_dict()
    assert set(result.as_dict()) >= {"score", "match", "features"}
    assert 0.0 <= result.score <= 1.0 and "name" in result.features


def test_secondary_features_change_the_score() -> None:
    base = compare_entities("Person", {"name": "Ali Hassan"}, {"name": "Ali Hassan"})
    dob = compare_entities(
        "Person",
        {"name": "Ali Hassan", "birthDate": "1960"},
        {"name": "Ali Hassan", "birthDate": "1985-04-01"},
    )
    ident = compare_entities(
        "Vessel",
        {"name": "Ocean Star", "imoNumber": "IMO 9187629"},
        {"name": "Ocean Stars", "imoNumber": "9187629"},
    )
    assert base.score == 1.0 and dob.features["dob_year_mismatch"] < 0 and dob.score < 1.0
    assert ident.features.get("identifier_match", 0) > 0
    mixed = compare_entities("Thing", {"name": "Deutsche Bank AG"}, {"name": "Deutsche Bank GmbH"})
    assert mixed.features["legal_form_mismatch"] < 0


def test_every_algorithm_is_registered_with_defaults() -> None:
    assert set(ALGORITHMS) >= {"econsec-v1", "name-fuzzy"}
    for algorithm in ALGORITHMS.values():
        assert 0 < algorithm.threshold <= 1 and algorithm.description
    assert compare("Rosneft", "Rosneft", algorithm="name-fuzzy").score == 1.0
    with pytest.raises(InvalidInput, match="unknown algorithm"):
        get_algorithm("nope")
    with pytest.raises(InvalidInput, match="threshold"):
        compare("a b", "a b", threshold=1.5)


@pytest.mark.parametrize("name", ["", "   ", "---", "x" * 400])
def test_empty_or_absurd_queries_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput):
        Query((name,), "Person")


def test_bad_query_fields_are_refused() -> None:
    with pytest.raises(InvalidInput, match="schema"):
        Query(("Acme",), "Planet")
    with pytest.raises(InvalidInput, match="birth date"):
        Query(("Acme",), "Person", birth_dates=("1974-01-32",))
    with pytest.raises(InvalidInput, match="country"):
        Query(("Acme",), "Person", countries=("Atlantis",))


# -- screening against real lists ---------------------------------------------------------


def test_listed_entities_are_found_with_an_explanation(screener: Screener) -> None:
    un = [e for e in screener.entries if e.list_name == "un-sc" and e.is_person]
    target = next(e for e in un if e.birth_dates and len(e.names[0].split()) >= 3)
    query = Query((target.names[0],), "Person", birth_dates=target.birth_dates[:1])
    results = screener.screen(query, matches_only=True)
    assert results and results[0].entry.id == target.id and results[0].match
    best = results[0].as_dict()
    assert best["source_id"] == target.source_id and best["list"] == "un-sc"
    assert best["explanation"]["matched_name"] and best["features"]["name"] > 0.9
    assert best["features"]["dob_match"] > 0
    json.dumps(best)  # explanations are JSON-ready


def test_typos_reordering_and_original_script(screener: Screener) -> None:
    # UN QDi.006 is listed with its Arabic name; typo'd, reordered and Arabic queries find it.
    target = next(e for e in screener.entries if e.source_id == "QDi.006")
    latin = target.names[0]
    tokens = latin.split()
    reordered = " ".join([*tokens[1:], tokens[0]])
    typo = latin[:3] + latin[4] + latin[3] + latin[5:]
    arabic = next(n for n in target.names if any("\u0600" <= c <= "\u06ff" for c in n))
    for name in (reordered, typo, arabic):
        results = screener.screen(Query((name,), "Person"), matches_only=True)
        assert target.id in {r.entry.id for r in results}, name


def test_japanese_query_finds_latin_only_listing(screener: Screener) -> None:
    # OFAC's consolidated list names ROSTEC only in Latin script; METI writes it ロステック.
    results = screener.screen(Query(("ロステック",), "Company"), matches_only=True)
    assert any("ROSTEC" in r.entry.caption for r in results)


def test_unrelated_names_do_not_match(screener: Screener) -> None:
    for name in ("Yamada Taro", "Maria Lopez Garcia", "東京海上日動火災保険株式会社"):
        assert screener.screen(Query((name,)), matches_only=True) == [], name


def test_lists_filter_and_batch_order(screener: Screener) -> None:
    query = Query(("Rostec",), "Company")
    assert all(r.entry.list_name == "un-sc" for r in screener.screen(query, lists=["un-sc"]))
    names = [e.names[0] for e in screener.entries[:40]]
    batch = list(screener.screen_many((Query((n,)) for n in names), workers=2, chunk=8))
    single = [screener.screen(Query((n,))) for n in names]
    assert [[r.entry.id for r in rs] for rs in batch] == [[r.entry.id for r in rs] for rs in single]


def test_the_index_pickles(screener: Screener, tmp_path: Path) -> None:
    import pickle

    path = tmp_path / "index.pickle"
    path.write_bytes(pickle.dumps(screener))
    again = pickle.loads(path.read_bytes())
    query = Query(("ロステック",), "Company")
    assert [r.entry.id for r in again.screen(query)] == [r.entry.id for r in screener.screen(query)]
