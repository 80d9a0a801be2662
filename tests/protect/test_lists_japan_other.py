"""List readers for Japan's lists and for the CSL, UK, FollowTheMoney and watchlist formats.

Japan, on the real files in ../shared/data/screening (PROVENANCE.md sections 4 and 6): the METI
export-ban lists (text of the PDF notices), the METI End User List and the MOF asset-freeze
workbook. PROVENANCE counts "≈ address lines" for the METI texts (548 Russia, 26 Belarus); the
lists number 561 and 27 entries without a gap: 12 Russian addresses and 1 Belarusian are glued
onto the line before (``...JSC所在地:...``, colon full-width) and one is spelt ``所 在 地``.

No real CSL or UK file is available (PROVENANCE "Not obtained": both exceed 4 MiB), so the
fixtures under fixtures/ are SYNTHETIC, with invented names, and follow the published layouts:

- ``csl_synthetic.csv``: trade.gov ``consolidated.csv``; the 29-column header as downloaded in
  edx/ecommerce's SDN-fallback tests, the value formats (``'; '`` lists, ``CH, X0906223,
  Passport`` ids, addresses ending in a country code, blank ``type`` on Commerce lists) from the
  rows of the live file quoted in moov-io/watchman ``pkg/csl/csl_test.go``.
- ``uk_conlist_synthetic.csv``: OFSI ``ConList.csv`` (2022 format): ``Last Updated,DD/MM/YYYY``
  then the 36-column header ``Name 6,Name 1..5,Title,...,Group Type,Alias Type,Alias Quality,
  Regime,Listed On,UK Sanctions List Date Designated,Last Updated,Group ID``; field meanings and
  values (``Primary name``/``AKA``/``FKA``, ``Good``/``Low quality``, ``00/00/YYYY`` dates) as in
  OpenSanctions' ``datasets/gb/hmt_sanctions/crawler.py`` (the XML twin of the same list).
- ``ftm_synthetic.ftm.json``: FollowTheMoney entity dicts (``EntityProxy.to_dict``) with the
  fields OpenSanctions adds to ``entities.ftm.json`` (``datasets``, ``target``, ``first_seen``).
- ``watchlist_synthetic.csv``: our own ``id,name[,schema,country,birth_date,aliases]`` layout.
"""

from __future__ import annotations

import shutil
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from followthemoney import model
from followthemoney.proxy import EntityProxy

from econsec.errors import DataError
from econsec.protect.lists import csl, ftm, meti, meti_eul, mof, uk, watchlist
from econsec.protect.lists.base import Publication, slug
from tests.conftest import shared_file

FIXTURES = Path(__file__).parent / "fixtures"
METI = "screening/jp_meti/"
RUSSIA = METI + "250912_list_russia_tokutei.pdf.txt"
THIRD = METI + "250912_list_daisangoku_tokutei.pdf.txt"
BELARUS = METI + "list_belarus_tokutei.pdf.txt"
EUL = "screening/jp_official/jp_meti_end_user_list_2025-09-29.xlsx"
MOF = "screening/jp_official/jp_mof_asset_freeze_list_2026-03-05.xlsx"
Found = tuple[Publication, dict[str, EntityProxy]]


def entities(publication: Publication, topics: set[str] | None = None) -> dict[str, EntityProxy]:
    """Every record, checked for what every reader promises; keyed by source id."""
    out: dict[str, EntityProxy] = {}
    for record in publication.records:
        entity = record.entity
        assert record.source_id.strip() and record.source_id not in out, record.source_id
        assert entity.get("name"), record.source_id
        assert entity.id == f"{slug(publication.name)}-{slug(record.source_id)}"
        assert set(entity.get("topics")) <= (topics or {"sanction", "export.control"})
        data = entity.to_dict()
        assert model.get_proxy(data, cleaned=False).to_dict() == data  # valid for its schema
        out[record.source_id] = entity
    return out


def read(reader: Callable[..., Publication], path: Path) -> Found:
    """A publication and its entities."""
    publication = reader([path])
    return publication, entities(publication)


@pytest.fixture(scope="module")
def russia() -> Found:
    return read(meti.read, shared_file(RUSSIA))


@pytest.fixture(scope="module")
def eul() -> Found:
    return read(meti_eul.read, shared_file(EUL))


@pytest.fixture(scope="module")
def asset_freeze() -> Found:
    return read(mof.read, shared_file(MOF))


def load_workbook(path: Path) -> openpyxl.Workbook:
    """A workbook to damage (openpyxl warns about the MOF file's print areas)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return openpyxl.load_workbook(path)


# --- METI export-ban lists (text of the PDF notices) --------------------------------------------


@pytest.mark.parametrize(
    ("relative", "name", "version", "count"),
    [
        (RUSSIA, "meti-russia", "2025-09-12", 561),
        (THIRD, "meti-third-countries", "2025-09-12", 56),
        (BELARUS, "meti-belarus", "2022-07-05", 27),
    ],
)
def test_meti_lists(relative: str, name: str, version: str, count: int) -> None:
    publication, found = read(meti.read, shared_file(relative))
    assert (publication.name, publication.version, len(found)) == (name, version, count)
    assert list(found) == [str(n) for n in range(1, count + 1)]
    assert all(e.schema.name == "Organization" and e.get("country") for e in found.values())
    assert all(e.get("topics") == ["export.control"] for e in found.values())
    assert all(len(e.get("name")) == 2 or e.get("name") == ["MPI VOLNA"] for e in found.values())
    assert not [n for n in publication.notes if "announces" in n]  # every a.k.a. count matches


def test_meti_russia_entries(russia: Found) -> None:
    _, found = russia
    amg = found["560"]  # katakana name, English name, both alias lists, one address
    assert amg.get("name") == ["アルファ・マシナリー・グループ", "Alfa Machinery Group"]
    assert set(amg.get("alias")) == {"AMG社", "有限会社 AMG", "LLC Company AMG", "Kompaniya AMG"}
    assert amg.get("address") == [
        "ul. Kuskovskaya, d. 20A, pom. XIIA, komn. 114, Moscow 111141, Russia"
    ]
    assert amg.get("country") == ["ru"]
    assert "ロシア連邦の団体" in amg.first("program")
    fsb = found["6"]  # dash-bulleted alias; two addresses joined by '; and'
    assert fsb.get("name") == ["連邦保安庁", "Federal Security Service (FSB)"]
    assert fsb.get("alias") == ["Federalnaya Sluzhba Bezopasnosti"]
    assert len(fsb.get("address")) == 2
    # entry 10 starts glued to entry 9's address: "...Moscow 127055RU.10 対外諜報庁"
    assert found["9"].get("address") == ["22, Sushchevskaya UI, Moscow 127055RU"]
    assert found["10"].get("name") == ["対外諜報庁", "Foreign Intelligence Service (SVR)"]
    # "所 在 地" spelt with spaces; English name glued to the Japanese one
    assert found["97"].get("address")[0].startswith("1A Sudostroitelnaya Street")
    assert found["18"].get("name")[1] == "JSC Rocket and Space Centre \u2013 Progress"
    # a hyphenated word wrapped onto the next alias line ("...of Solid" / "-State Physics")
    assert any("Institute of Solid-State Physics N.A." in a for a in found["346"].get("alias"))
    # Japanese aliases from (別称、...及び...), the English ones from the dash list
    assert {"MIPT", "MFTI"} <= set(found["24"].get("alias"))
    defence = found["23"]  # a description, not a name: kept as notes
    assert defence.get("name") == ["国防省", "Ministry of Defence of the Russian Federation"]
    assert any("including the Armed Forces" in n for n in defence.get("notes"))


def test_meti_third_countries() -> None:
    _, found = read(meti.read, shared_file(THIRD))
    assert found["53"].get("alias") == ["香港旗速電子有限公司", "香港旗速電子科技有限公司"]
    assert found["17"].get("country") == ["hk"]  # "..., Hong Kong, China"
    assert found["2"].get("name") == found["3"].get("name")  # listed twice, two addresses
    assert found["14"].get("country") == ["in"] and len(found["14"].get("address")) == 5


def test_meti_rejects_the_page_text() -> None:
    path = shared_file(METI + "page_content.txt")
    with pytest.raises(DataError, match="not a METI export-ban list") as caught:
        meti.read([path])
    assert caught.value.path == path


def test_meti_page_artefacts_are_dropped(tmp_path: Path) -> None:
    lines = shared_file(BELARUS).read_text(encoding="utf-8").splitlines()
    title = lines[0]
    lines[40:40] = ["- 2 -", title]  # a page number and the title repeated on a new page
    copy = tmp_path / "list_belarus_tokutei.pdf.txt"
    copy.write_text("\n".join(lines), encoding="utf-8")
    publication, found = read(meti.read, copy)
    assert len(found) == 27
    assert {"1 page-number lines dropped", "1 repeated title lines dropped"} <= set(
        publication.notes
    )
    assert "2 entries glued to the line before" in publication.notes  # "...Belarus7 株式会社..."


def test_meti_bad_date(tmp_path: Path) -> None:
    text = shared_file(BELARUS).read_text(encoding="utf-8")
    copy = tmp_path / "list_belarus_tokutei.pdf.txt"
    copy.write_text(text.replace("2022 年07 月05 日", "2022 年13 月05 日"), encoding="utf-8")
    with pytest.raises(DataError, match="bad date") as caught:
        meti.read([copy])
    assert (caught.value.path, caught.value.line, caught.value.field) == (copy, 4, "最終更新日")


def test_meti_truncated_entry(tmp_path: Path) -> None:
    text = shared_file(BELARUS).read_text(encoding="utf-8")
    copy = tmp_path / "list_belarus_tokutei.pdf.txt"
    copy.write_text(text[: text.rindex("所在地")], encoding="utf-8")  # cut before the last address
    with pytest.raises(DataError, match="entry 27 has no address") as caught:
        meti.read([copy])
    assert caught.value.path == copy and caught.value.line == 121


def test_meti_missing_entry(tmp_path: Path) -> None:
    lines = shared_file(BELARUS).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("\uff15 "))  # full-width 5
    end = next(i for i, line in enumerate(lines) if line.startswith("\uff16 "))
    del lines[start:end]  # entry 5 gone: entry 6 follows entry 4
    copy = tmp_path / "list_belarus_tokutei.pdf.txt"
    copy.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DataError, match="entry 5 is missing") as caught:
        meti.read([copy])
    assert caught.value.line == start + 1


# --- METI End User List ------------------------------------------------------------------------


def test_eul_counts(eul: Found) -> None:
    publication, found = eul
    assert (publication.name, publication.version, len(found)) == ("meti-eul", "2025-09-29", 835)
    assert list(found) == [str(n) for n in range(1, 836)]  # No. = ROW()-1
    countries = Counter(e.first("country") for e in found.values())
    assert countries.most_common(5) == [
        ("ir", 257),
        ("kp", 154),
        ("cn", 127),
        ("pk", 103),
        ("ru", 100),
    ]
    assert countries["hk"] == 22
    classes = Counter(c for e in found.values() for c in e.get("classification"))
    assert classes["CW"] == 240
    assert (
        sum(not any(c.startswith("WMD:") for c in e.get("classification")) for e in found.values())
        == 54
    )
    assert all(e.get("topics") == ["export.control"] for e in found.values())


def test_eul_entries(eul: Found) -> None:
    _, found = eul
    iran = found["39"]
    assert iran.get("name") == ["ADVANCED TECHNOLOGIES COMPANY OF IRAN"]
    assert iran.get("country") == ["ir"] and iran.get("classification") == ["WMD:N"]
    assert {"IATC", "IRAN URANIUM ENRICHMENT COMPANY"} <= set(iran.get("alias"))
    assert found["1"].get("classification") == ["WMD:B", "WMD:C", "WMD:M", "WMD:N", "CW"]
    assert found["300"].get("name") == ["Air Koryo", "高麗航空"]  # Japanese name on its own line
    assert found["447"].get("name") == ["セソン技術貿易"]  # a Japanese name only
    assert "鴨緑江開発銀行" in found["301"].get("alias")  # an alias's Japanese name
    assert found["599"].get("classification") == ["WMD:M", "WMD:N"]  # written "M、N"
    assert found["774"].get("alias")[1].endswith("Uralskiy Zavod Transportnogo Mashinostroeniya")


def test_eul_missing_column(tmp_path: Path) -> None:
    book = load_workbook(shared_file(EUL))
    book.active.delete_cols(5)  # 懸念区分 / Type of WMD
    copy = tmp_path / "eul_2025-09-29.xlsx"
    book.save(copy)
    with pytest.raises(DataError, match="missing column") as caught:
        meti_eul.read([copy])
    assert (caught.value.path, caught.value.row, caught.value.field) == (copy, 1, "type of wmd")


def test_eul_bad_value(tmp_path: Path) -> None:
    book = load_workbook(shared_file(EUL))
    book.active["E10"] = "不明\nX"
    book.active["B12"] = "ナルニア\nNarnia"
    copy = tmp_path / "eul.xlsx"
    book.save(copy)
    with pytest.raises(DataError, match="unknown type of WMD") as caught:
        meti_eul.read([copy])
    assert (caught.value.row, caught.value.detail["got"]) == (10, "不明\nX")
    book.active["E10"] = "核\nN"
    book.save(copy)
    with pytest.raises(DataError, match="unknown country") as caught:
        meti_eul.read([copy])
    assert caught.value.row == 12


# --- MOF asset-freeze workbook -----------------------------------------------------------------

#: Entries per program sheet (the sheet number); lifted sheets 8, 11, 18 and sheet 41 (all five
#: delisted) hold none.
PER_SHEET = {
    "1": 10, "2": 480, "3": 12, "4": 59, "5": 65, "6": 1, "7": 9, "9": 44, "10": 9, "12": 5,
    "13": 16, "14": 75, "15": 80, "16": 75, "17": 84, "19": 43, "20": 78, "21": 24, "22": 2,
    "23": 23, "24": 59, "25": 31, "26": 331, "27": 18, "28": 369, "29": 752, "30": 16, "31": 19,
    "32": 12, "33": 4, "34": 7, "35": 1, "36": 1, "37": 14, "38": 1, "39": 10, "40": 8,
    "42": 9, "43": 4, "44": 2,
}  # fmt: skip


def test_mof_counts(asset_freeze: Found) -> None:
    publication, found = asset_freeze
    assert (publication.name, publication.version) == ("mof-asset-freeze", "2026-03-05")
    assert Counter(key.split("-")[0] for key in found) == PER_SHEET
    assert len(found) == sum(PER_SHEET.values()) == 2862
    assert publication.notes[0] == "2862 entries in 44 program sheets"
    assert "sheet 29.ロシア連邦(個人): 752 entries, 7 delisted rows skipped" in publication.notes
    assert any(n.startswith("sheet 8.【解除】リベリア: program lifted") for n in publication.notes)
    assert any("skipped without a name: row 276 (no. 274)" in n for n in publication.notes)
    schemas = Counter(e.schema.name for e in found.values())
    assert schemas == {"Person": 2009, "Organization": 813, "LegalEntity": 40}
    assert all(e.get("topics") == ["sanction"] and e.get("createdAt") for e in found.values())


def test_mof_people(asset_freeze: Found) -> None:
    _, found = asset_freeze
    putin = found["29-1"]
    assert putin.schema.name == "Person"
    assert putin.get("name") == ["ウラジーミル・プーチン", "Vladimir Putin"]
    assert putin.get("birthDate") == ["1952-10-07"] and putin.get("birthCountry") == ["ru"]
    assert putin.get("position") == ["ロシア連邦大統領", "President of the Russian Federation"]
    assert putin.get("createdAt") == ["2022-03-01"]
    assert putin.get("program") == ["資産凍結等の措置の対象となるロシア連邦の団体及び個人(個人)"]
    omar = found["2-4"]  # Excel-free text dates, an original-script name, a nationality
    assert omar.get("birthDate") == ["1966", "1960", "1953"] and omar.get("nationality") == ["af"]
    assert "محمد عمرغلام نبی" in omar.get("alias") and omar.get("modifiedAt") == ["2018-04-27"]
    yun = found["15-1"]  # a birth date stored as an Excel serial number
    assert yun.get("birthDate") == ["1944-10-13"] and yun.get("alias") == [
        "ユン・ホチン",
        "Yun Ho-chin",
    ]
    kaina = found["9-4"]  # 確定に十分でない別名 -> weakAlias; Japanese alias with its Latin twin
    assert kaina.get("weakAlias") == ["India Queen", "インディア・クイーン"]
    assert kaina.get("alias") == ["イノサン・カイナ大佐", "Colonel Innocent KAINA"]
    assert found["12-2"].get("passportNumber") == ["D014433", "D009889"]


def test_mof_organisations(asset_freeze: Found) -> None:
    _, found = asset_freeze
    bank = found["16-1"]
    assert bank.schema.name == "Organization" and bank.get("country") == ["kp"]
    assert {"FTB", "Mooyokbank", "Korea Trading Bank"} <= set(bank.get("alias"))
    assert "告示番号 1(#47)" in bank.get("notes")
    tanchon = found["14-3"]  # (旧称) labels a former name, and its English line too
    assert tanchon.get("previousName") == [
        "コリア・チャングァン・クレジット・バンク",
        "チャングァン・クレジット・バンク",
        "Korea Changgwang Credit Bank",
        "Changgwang Credit Bank",
    ]
    shabaab = found["21-1"]  # remarks over 13 vertically merged rows, merged into one entry
    assert sum("アル・シャバーブ" in n for n in shabaab.get("notes")) >= 4
    awb = found["7-197"]  # one address a line, each naming its country
    assert len(awb.get("address")) == 3 and awb.get("country") == ["ae", "iq"]


def test_mof_bad_date(tmp_path: Path) -> None:
    book = load_workbook(shared_file(MOF))
    book["29.ロシア連邦(個人)"]["G5"] = "1965年13月1日"
    copy = tmp_path / "mof_2026-03-05.xlsx"
    book.save(copy)
    with pytest.raises(DataError, match=r"sheet '29\.ロシア連邦\(個人\)': bad date") as caught:
        mof.read([copy])
    assert (caught.value.path, caught.value.row, caught.value.field) == (copy, 5, "生年月日")


def test_mof_missing_column(tmp_path: Path) -> None:
    book = load_workbook(shared_file(MOF))
    book["43.イスラエル"]["D2"] = None  # 英語表記
    copy = tmp_path / "mof.xlsx"
    book.save(copy)
    with pytest.raises(DataError, match=r"43\.イスラエル.*missing column") as caught:
        mof.read([copy])
    assert (caught.value.row, caught.value.field) == (2, "英語表記")


def test_mof_english_headers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "1.Example (individuals)"
    sheet.append(["Synthetic program for tests"])
    sheet.append(["Notice date", "Notice number", "Japanese name", "English name", "Date of birth"])
    sheet.append(["2024.1.2", "1", "テスト・タロウ", "Taro TEST (synthetic)", "1980年2月3日"])
    sheet.append([None, None, None, None, "1981年"])  # continues entry 1
    copy = tmp_path / "mof_synthetic_20240102.xlsx"
    book.save(copy)
    publication, found = read(mof.read, copy)
    assert publication.version == "2024-01-02"
    assert found["1-1"].get("birthDate") == ["1980-02-03", "1981"]
    assert found["1-1"].get("name") == ["テスト・タロウ", "Taro TEST"]


# --- US Consolidated Screening List (synthetic) ------------------------------------------------


def test_csl() -> None:
    publication, found = read(csl.read, FIXTURES / "csl_synthetic.csv")
    assert (publication.name, publication.version, len(found)) == ("us-csl", None, 6)
    person = found["99001"]
    assert person.schema.name == "Person"
    assert person.get("birthDate") == ["1970-01-15", "1971"]
    assert person.get("passportNumber") == ["7000000001"] and person.get("taxNumber")
    assert set(person.get("nationality")) == {"ru", "cy"}
    assert person.get("alias") == ["ZYNTOV, Ivan", "SINTHOV, Ivan F."]
    assert person.get("topics") == ["sanction"]
    listed = found["0000synthetic00000000000000000000000000el"]
    assert listed.schema.name == "LegalEntity" and listed.get("topics") == ["export.control"]
    assert listed.get("country") == ["cn", "hk"] and listed.get("createdAt") == ["2024-01-01"]
    assert found["99002"].schema.name == "Vessel" and found["99002"].get("flag") == ["pa"]
    assert found["99003"].get("swiftBic") == ["SYNTRUMM"]  # quoted address over two lines
    isn = found["0000synthetic0000000000000000000000000isn"]
    assert isn.get("topics") == ["sanction"]


def test_csl_errors(tmp_path: Path) -> None:
    lines = (FIXTURES / "csl_synthetic.csv").read_text().splitlines()
    copy = tmp_path / "consolidated.csv"
    copy.write_text("\n".join([lines[0].replace(",name,", ",label,"), *lines[1:]]))
    with pytest.raises(DataError, match="missing column") as caught:
        csl.read([copy])
    assert (caught.value.path, caught.value.line, caught.value.field) == (copy, 1, "name")
    copy.write_text("\n".join(lines).replace("15 Jan 1970", "1970-13-45"))
    with pytest.raises(DataError, match="bad date") as caught:
        entities(csl.read([copy]))
    assert (caught.value.line, caught.value.field) == (2, "dates_of_birth")


# --- UK OFSI ConList (synthetic) ---------------------------------------------------------------


def test_uk() -> None:
    publication, found = read(uk.read, FIXTURES / "uk_conlist_synthetic.csv")
    assert (publication.name, publication.version, len(found)) == ("uk-ofsi", "2026-03-05", 3)
    person = found["90001"]  # its rows are not adjacent
    assert person.get("name") == ["Synthetic Testovich EXAMPLOV"]
    assert set(person.get("alias")) == {"Синтетик Тестович ЭКЗАМПЛОВ", "Synthetic EXAMPLOFF"}
    assert person.get("weakAlias") == ["Sintetik EKZAMPLOV"]
    assert person.get("birthDate") == ["1970-02-14"] and person.get("nationality") == ["ru", "cy"]
    assert person.get("passportNumber") == ["SYN1234567"] and person.get("createdAt") == [
        "2022-03-01"
    ]
    assert found["90002"].get("previousName") == ["SYNTHETIC HOLDINGS (CYPRUS) LIMITED"]
    assert found["90003"].schema.name == "Vessel"


def test_uk_bad_date(tmp_path: Path) -> None:
    text = (FIXTURES / "uk_conlist_synthetic.csv").read_text(encoding="utf-8")
    copy = tmp_path / "ConList.csv"
    copy.write_text(text.replace("14/02/1970", "31/02/1970", 1), encoding="utf-8")
    with pytest.raises(DataError, match="bad date") as caught:
        uk.read([copy])
    assert (caught.value.path, caught.value.line, caught.value.field) == (copy, 3, "DOB")


# --- FollowTheMoney JSON lines (synthetic) -----------------------------------------------------


def test_ftm() -> None:
    publication, found = read(ftm.read, FIXTURES / "ftm_synthetic.ftm.json")
    assert publication.name == "synthetic-example" and list(found) == [
        "syn-person-1",
        "syn-company-1",
        "syn-vessel-1",
    ]
    assert found["syn-person-1"].id == "synthetic-example-syn-person-1"
    assert not found["syn-person-1"].get("addressEntity")  # references dropped
    assert found["syn-company-1"].get("topics") == ["export.control"]
    assert found["syn-vessel-1"].get("topics") == ["sanction"]  # none given
    assert "skipped 1: Sanction (not a screening target)" in publication.notes
    named = ftm.read(
        [FIXTURES / "ftm_synthetic.ftm.json"], list_name="os-test", version="2026-03-05"
    )
    assert (named.name, named.version) == ("os-test", "2026-03-05")


def test_ftm_malformed_line(tmp_path: Path) -> None:
    lines = (FIXTURES / "ftm_synthetic.ftm.json").read_text(encoding="utf-8").splitlines()
    copy = tmp_path / "entities.ftm.json"
    copy.write_text("\n".join([*lines[:3], lines[3][:-5], *lines[4:]]), encoding="utf-8")
    with pytest.raises(DataError, match="malformed JSON") as caught:
        entities(ftm.read([copy]))
    assert (caught.value.path, caught.value.line) == (copy, 4)


# --- Own watchlist CSV (synthetic) -------------------------------------------------------------


def test_watchlist() -> None:
    publication, found = read(watchlist.read, FIXTURES / "watchlist_synthetic.csv")
    assert publication.name == "watchlist-synthetic" and len(found) == 3
    assert found["w-1"].schema.name == "Company" and found["w-1"].get("country") == ["jp"]
    assert found["w-2"].schema.name == "Person" and found["w-2"].get("birthDate") == ["1980-04-01"]
    assert found["w-3"].get("alias") == ["Alias One", "Alias Two"]
    assert "ignored columns: comment" in publication.notes


def test_watchlist_errors(tmp_path: Path) -> None:
    copy = tmp_path / "blocked_parties_2026-01-31.csv"
    copy.write_text("id,label\nw-1,Example\n")
    with pytest.raises(DataError, match="missing column") as caught:
        watchlist.read([copy])
    assert (caught.value.path, caught.value.line, caught.value.field) == (copy, 1, "name")
    shutil.copy(FIXTURES / "watchlist_synthetic.csv", copy)
    copy.write_text(copy.read_text(encoding="utf-8").replace("1980-04-01", "1980-02-30"))
    publication = watchlist.read([copy])
    assert (publication.name, publication.version) == ("blocked-parties", "2026-01-31")
    with pytest.raises(DataError, match="bad date") as caught:
        entities(publication)
    assert (caught.value.line, caught.value.field) == (3, "birth_date")
