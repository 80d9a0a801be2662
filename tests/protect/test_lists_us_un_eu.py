"""List readers for OFAC, the UN Security Council and the EU, on the real files in ../shared/data.

Counts are those of ``shared/data/screening/PROVENANCE.md``. Damaged copies are written to
tmp_path; each must fail with a DataError naming the file and the line.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from followthemoney import model
from followthemoney.proxy import EntityProxy

from econsec.errors import DataError
from econsec.protect.lists import eu, ofac, un
from econsec.protect.lists.base import Publication, Reader
from tests.conftest import shared_file

FIXTURES = Path(__file__).parent / "fixtures"
SDN = "screening/ofac/sdn_2024-07-02.csv"
ALT = "screening/ofac/alt_2026-06-02.csv"
ADD = "screening/ofac/add_2026-06-02.csv"
CONS = "screening/ofac/consolidated_non_sdn_2026-01-08.xml"
UN_NEW = "screening/un/consolidated_2026-01-28.xml"
UN_OLD = "screening/un/consolidated_2025-11-29.xml"
AGGREGATE = "screening/aggregate/eu_un_ofaccons_aggregate_2026-01-28.json"


def entities(publication: Publication) -> dict[str, EntityProxy]:
    """Every record, checked for what every reader promises; keyed by source id."""
    out: dict[str, EntityProxy] = {}
    prefix = re.sub(r"[^a-z0-9]+", "-", publication.name)
    for record in publication.records:
        entity = record.entity
        assert record.source_id.strip() and record.source_id not in out
        assert entity.get("name"), record.source_id
        assert entity.id is not None and entity.id.startswith(f"{prefix}-")
        assert entity.get("topics") == ["sanction"]
        assert entity.get("sourceUrl")
        data = entity.to_dict()
        assert model.get_proxy(data, cleaned=False).to_dict() == data  # valid for its schema
        out[record.source_id] = entity
    return out


def schemas(found: dict[str, EntityProxy]) -> Counter[str]:
    return Counter(e.schema.name for e in found.values())


@pytest.fixture(scope="module")
def sdn() -> tuple[Publication, dict[str, EntityProxy]]:
    publication = ofac.read([shared_file(SDN), shared_file(ALT), shared_file(ADD)])
    return publication, entities(publication)


# --- OFAC ------------------------------------------------------------------------------------


def test_ofac_sdn_csv_counts_and_join(sdn: tuple[Publication, dict[str, EntityProxy]]) -> None:
    publication, found = sdn
    assert (publication.name, publication.version) == ("ofac-sdn", "2024-07-02")
    assert len(found) == 15_443
    assert schemas(found) == {"Organization": 7270, "Person": 6927, "Vessel": 872, "Airplane": 374}
    notes = " | ".join(publication.notes)
    # PROVENANCE: 17,885 of 20,260 alias and 19,784 of 24,776 address rows match the 2024 sdn.csv
    assert "2375 of 20260 alias rows" in notes
    assert "4992 of 24776 address rows" in notes
    assert "different dates" in notes
    assert "19 Remarks stop at OFAC's 1,000-character cut" in notes


def test_ofac_sdn_individual(sdn: tuple[Publication, dict[str, EntityProxy]]) -> None:
    zawahiri = sdn[1]["2676"]
    assert zawahiri.schema.name == "Person"
    assert zawahiri.get("name") == ["AL ZAWAHIRI, Dr. Ayman"]
    assert (zawahiri.get("lastName"), zawahiri.get("firstName")) == (["AL ZAWAHIRI"], ["Dr. Ayman"])
    assert zawahiri.get("birthDate") == ["1951-06-19"]
    assert zawahiri.get("birthPlace") == ["Giza, Egypt"]
    assert set(zawahiri.get("passportNumber")) == {"1084010", "19820215"}
    assert zawahiri.get("program") == ["SDGT"]
    assert zawahiri.get("alias")  # joined from alt.csv
    assert "Passport 1084010 (Egypt)" in zawahiri.get("notes")[0]
    husayn = sdn[1]["6905"]
    assert set(husayn.get("weakAlias")) == {"ABU ZUBAIDA", "ABU ZUBAYDAH"}
    assert husayn.get("nationality") == ["ps"] and husayn.get("gender") == ["male"]
    assert husayn.get("passportNumber") == ["484824"]  # "issued 18 Jan 1984" cut off
    assert sdn[1]["6368"].get("weakAlias")[0] == "'ABD-AL-'IZ"  # quotes inside the name kept


def test_ofac_sdn_vessel_aircraft_and_joined_rows(
    sdn: tuple[Publication, dict[str, EntityProxy]],
) -> None:
    artavil = sdn[1]["15036"]
    assert artavil.schema.name == "Vessel"
    assert artavil.get("imoNumber") == ["IMO9187629"]
    assert artavil.get("mmsi") == ["572469210"]
    assert artavil.get("callSign") == ["T2EU4"] and artavil.get("flag") == ["ir"]
    assert artavil.get("tonnage") == ["99144"]
    assert artavil.get("grossRegisteredTonnage") == ["56068"]
    assert set(artavil.get("pastFlags")) == {"mt", "tv", "tz"}
    assert "ALPHA" in artavil.get("previousName")  # f.k.a. in Remarks (more in alt.csv)
    plane = sdn[1]["15432"]
    assert plane.schema.name == "Airplane"
    assert plane.get("model") == ["IL-76TD"] and plane.get("buildDate") == ["1991"]
    bank = sdn[1]["306"]  # BANCO NACIONAL DE CUBA: alias from alt.csv, addresses from add.csv
    assert bank.get("alias") == ["NATIONAL BANK OF CUBA"] and bank.get("weakAlias") == ["BNC"]
    assert "Zweierstrasse 35, Zurich CH-8022, Switzerland" in bank.get("address")
    assert set(bank.get("country")) >= {"ch", "es", "jp"}


def test_ofac_folder_and_version_option(tmp_path: Path) -> None:
    for name, relative in (("sdn.csv", SDN), ("alt.csv", ALT), ("add.csv", ADD)):
        (tmp_path / name).symlink_to(shared_file(relative))
    undated = ofac.read([tmp_path])
    assert (undated.name, undated.version) == ("ofac-sdn", None)
    dated = ofac.read([tmp_path], version="2024-07-02")
    assert dated.version == "2024-07-02"
    assert sum(1 for _ in dated.records) == 15_443
    with pytest.raises(DataError, match="one OFAC publication"):
        ofac.read([shared_file(SDN).parent])  # CSVs and an XML together


def test_ofac_consolidated_xml() -> None:
    publication = ofac.read([shared_file(CONS)])
    assert (publication.name, publication.version) == ("ofac-consolidated", "2026-01-08")
    found = entities(publication)
    assert len(found) == 442
    assert schemas(found) == {"Organization": 363, "Person": 79}
    programs = Counter(p for e in found.values() for p in e.get("program"))
    assert programs["UKRAINE-EO13662"] == 286 and programs["NS-PLC"] == 78
    haniya = found["9639"]
    assert haniya.get("name") == ["HANIYA, Ismail Abdul Salah"]
    assert haniya.get("birthDate") == ["1962"] and haniya.get("birthPlace") == ["Shati"]
    assert set(haniya.get("alias")) == {"HANIYA, Ismail", "HANIYYA, Ismaeel"}
    vankor = found["18274"]
    assert vankor.get("registrationNumber") == ["1042400920077"]
    assert vankor.get("taxNumber") == ["2437261631"]
    assert vankor.get("email") == ["info@vankoroil.ru"]
    assert any("Subject to Directive 2" in n for n in vankor.get("notes"))


def test_ofac_xml_list_told_by_content(tmp_path: Path) -> None:
    renamed = tmp_path / "export.xml"
    renamed.symlink_to(shared_file(CONS))
    publication = ofac.read([renamed])
    assert publication.name == "ofac-consolidated"
    assert "442 of the first 442 entries" in publication.notes[0]
    sdn_like = tmp_path / "list.xml"
    sdn_like.write_text(
        '<?xml version="1.0" standalone="yes"?>\n'
        '<sdnList xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/'
        'exports/XML">\n<publshInformation><Publish_Date>07/02/2024</Publish_Date>'
        "<Record_Count>1</Record_Count></publshInformation>\n"
        "<sdnEntry><uid>900001</uid><lastName>SYNTHETIC TEST VESSEL</lastName>"
        "<sdnType>Vessel</sdnType><programList><program>SDGT</program></programList>"
        "<idList><id><uid>1</uid><idType>Vessel Registration Identification</idType>"
        "<idNumber>IMO 1234567</idNumber></id></idList>"
        "<vesselInfo><callSign>ZZZ0</callSign><vesselFlag>Panama</vesselFlag>"
        "<grossRegisteredTonnage>1,000</grossRegisteredTonnage></vesselInfo></sdnEntry>\n"
        "</sdnList>\n",
        encoding="utf-8",
    )
    publication = ofac.read([sdn_like])
    assert (publication.name, publication.version) == ("ofac-sdn", "2024-07-02")
    vessel = entities(publication)["900001"]
    assert vessel.id == "ofac-sdn-900001"
    assert vessel.get("imoNumber") == ["IMO1234567"] and vessel.get("flag") == ["pa"]
    assert vessel.get("grossRegisteredTonnage") == ["1000"]
    assert ofac.read([sdn_like], list_name="ofac-consolidated").name == "ofac-consolidated"


# --- UN ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "version", "people"),
    [(UN_NEW, "2026-01-28", 726), (UN_OLD, "2025-11-29", 727)],
)
def test_un_counts(relative: str, version: str, people: int) -> None:
    publication = un.read([shared_file(relative)])
    assert (publication.name, publication.version) == ("un-sc", version)
    found = entities(publication)
    assert schemas(found) == {"Person": people, "Organization": 273}


def test_un_records_and_update() -> None:
    found = entities(un.read([shared_file(UN_NEW)]))
    qaida = found["QDe.004"]
    assert qaida.id == "un-sc-qde-004" and qaida.schema.name == "Organization"
    assert qaida.get("name") == ["AL-QAIDA", "القاعدة"]  # NAME_ORIGINAL_SCRIPT, Arabic
    assert "The Base" in qaida.get("alias") and qaida.get("program") == ["Al-Qaida"]
    ghaith = found["QDi.154"]
    assert "سليمان جاسم سليمان علي أبوغيث" in ghaith.get("name")
    assert ghaith.get("birthDate") == ["1965-12-14"] and ghaith.get("passportNumber") == ["849594"]
    assert ghaith.get("nationality") == ["kw"] and ghaith.get("weakAlias") == ["Abo Ghaith"]
    taganda = found["CDi.030"]  # BETWEEN 1973 and 1974, Good and Low quality aliases
    assert taganda.get("birthDate") == ["1973", "1974"]
    assert "Bosco Ntaganda" in taganda.get("alias") and "Terminator" in taganda.get("weakAlias")
    assert taganda.get("createdAt") == ["2005-11-01"] and taganda.get("modifiedAt") == [
        "2023-03-01"
    ]
    assert found["KPi.033"].get("position") == ["DPRK Ministry of State Security Official"]
    older = entities(un.read([shared_file(UN_OLD)]))
    assert set(older) - set(found) == {"IQi.074"} and not set(found) - set(older)


# --- EU ---------------------------------------------------------------------------------------


def test_eu_aggregate() -> None:
    publication = eu.read([shared_file(AGGREGATE)])
    assert (publication.name, publication.version) == ("eu-aggregate", "2026-01-28")
    assert "derived third-party" in publication.notes[0]
    assert "derived third-party" in eu.FORMAT.description
    found = entities(publication)
    assert len(found) == 6_814
    assert schemas(found) == {"Person": 4806, "Organization": 2008}
    assert "6814 entities with 25748 aliases as listed" in publication.notes
    sources = Counter("+".join(e.get("program")) for e in found.values())
    assert sources == {"EU": 5374, "UN": 578, "EU+UN": 420, "OFAC": 441, "EU+OFAC": 1}
    saddam = found["13"]
    assert saddam.get("birthDate") == ["1937-04-28"] and saddam.get("program") == ["EU", "UN"]
    assert found["QDi.154"].get("passportNumber") == ["849594"]
    # the aggregate's OFAC birth dates include uids ('4696-01-01') and 'true': dropped
    assert found["9639"].get("birthDate") == ["1962-01-01"]
    assert any("unusable birth dates" in n for n in publication.notes)


def test_eu_fsf_synthetic_fixture() -> None:
    """The official FSF XML layout, on a SYNTHETIC file (the real one is over the size limit).

    Layout taken from: a verbatim excerpt of a real export (generationDate 2018-12-21,
    globalFileId 118887) quoted in a public PHP project's ``SanctionsList\\Resource\\ES`` class;
    OpenSanctions' reader ``opensanctions/opensanctions: zavod/zavod/shed/fsf.py`` and
    ``datasets/eu/fsf/eu_fsf.yml`` (subjectType codes, identificationTypeCode values, contactInfo
    keys, designationDate); and ``ammitto/ammitto: lib/ammitto/sources/eu/*.rb`` (birthdate
    ``yearRangeFrom``/``yearRangeTo``, the ``generationDate``/``globalFileId`` root attributes).
    """
    publication = eu.read([FIXTURES / "eu_fsf_synthetic.xml"])
    assert (publication.name, publication.version) == ("eu-fsf", "2026-01-28")
    found = entities(publication)
    assert schemas(found) == {"Person": 2, "Organization": 1}
    person = found["900001"]
    assert person.id == "eu-fsf-900001"
    assert person.get("name") == ["Quintavius Zorblax TESTPERSON"]
    assert person.get("alias") == ["Квинтавиус Зорбакс ТЕСТПЕРСОН"]
    assert person.get("weakAlias") == ["Q. Z. Testperson"]
    assert person.get("lastName") == ["TESTPERSON"] and person.get("gender") == ["male"]
    assert person.get("birthDate") == ["1971-03-14", "1969", "1970"]
    assert person.get("nationality") == ["ru"] and person.get("passportNumber") == ["XX0000001"]
    assert person.get("idNumber") == ["SYN-ID-0042"]
    assert person.get("email") == ["quintavius@example.invalid"]
    assert person.get("program") == ["RUS"] and person.get("createdAt") == ["2022-03-15"]
    assert "EU reference: EU.9001.01" in person.get("notes")
    company = found["900002"]
    assert company.get("imoNumber") == ["IMO1234567"]
    assert company.get("registrationNumber") == ["0000000000000"]
    assert company.get("website") == ["https://example.invalid/widgets"]
    assert found["900003"].get("birthDate") == ["1980-05"]


# --- damaged copies ---------------------------------------------------------------------------


def _consume(read: Reader, path: Path) -> None:
    for _ in read([path]).records:
        pass


def _fails(read: Reader, path: Path, line: int | None = None) -> DataError:
    with pytest.raises(DataError) as caught:
        _consume(read, path)
    error = caught.value
    assert error.path == path and path.name in str(error)
    assert error.line is not None and f"line {error.line}" in str(error)
    if line is not None:
        assert error.line == line, str(error)
    return error


def _line_of(data: bytes, needle: bytes) -> int:
    return data[: data.index(needle)].count(b"\n") + 1


@pytest.mark.parametrize(("relative", "reader"), [(UN_NEW, un.read), (CONS, ofac.read)])
def test_truncated_xml(tmp_path: Path, relative: str, reader: Reader) -> None:
    data = shared_file(relative).read_bytes()
    damaged = tmp_path / Path(relative).name
    damaged.write_bytes(data[: len(data) // 2])
    error = _fails(reader, damaged)
    assert "malformed XML" in str(error)


def test_csv_row_with_wrong_column_count(tmp_path: Path) -> None:
    lines = shared_file(SDN).read_bytes().split(b"\n")
    lines[99] = lines[99].replace(b",-0- ,", b",", 1)
    damaged = tmp_path / "sdn_2024-07-02.csv"
    damaged.write_bytes(b"\n".join(lines))
    error = _fails(ofac.read, damaged, line=100)
    assert "columns" in str(error)


def test_unparseable_dates(tmp_path: Path) -> None:
    data = shared_file(UN_NEW).read_bytes()
    damaged = tmp_path / "un.xml"
    damaged.write_bytes(data.replace(b"<DATE>1978-04-28</DATE>", b"<DATE>1978-13-45</DATE>", 1))
    error = _fails(un.read, damaged, line=_line_of(data, b"<DATE>1978-04-28</DATE>"))
    assert error.field == "DATE"
    sdn_data = shared_file(SDN).read_bytes()
    bad_sdn = tmp_path / "sdn.csv"
    bad_sdn.write_bytes(sdn_data.replace(b"DOB 19 Jun 1951", b"DOB 19 Jux 1951", 1))
    error = _fails(ofac.read, bad_sdn, line=_line_of(sdn_data, b"DOB 19 Jun 1951"))
    assert error.field == "Remarks"
    cons = shared_file(CONS).read_bytes()
    bad_cons = tmp_path / "consolidated.xml"
    old = b"<dateOfBirth>1962</dateOfBirth>"
    bad_cons.write_bytes(cons.replace(old, b"<dateOfBirth>sometime</dateOfBirth>", 1))
    assert _fails(ofac.read, bad_cons, line=_line_of(cons, old)).field == "dateOfBirth"


def test_invalid_utf8(tmp_path: Path) -> None:
    for relative, reader, needle in (
        (SDN, ofac.read, b"AEROCARIBBEAN"),
        (UN_NEW, un.read, b"BADEGE"),
        (AGGREGATE, eu.read, b"Saddam"),
    ):
        data = shared_file(relative).read_bytes()
        damaged = tmp_path / Path(relative).name
        damaged.write_bytes(data.replace(needle, needle + b"\xff\xfe", 1))
        _fails(reader, damaged, line=_line_of(data, needle))


def test_damaged_eu_files(tmp_path: Path) -> None:
    fixture = (FIXTURES / "eu_fsf_synthetic.xml").read_bytes()
    damaged = tmp_path / "eu.xml"
    damaged.write_bytes(fixture.replace(b'code="enterprise"', b'code="spaceship"'))
    error = _fails(eu.read, damaged, line=_line_of(fixture, b'euReferenceNumber="EU.9001.02"'))
    assert error.field == "subjectType"
    aggregate = tmp_path / "aggregate.json"
    doc = json.loads(shared_file(AGGREGATE).read_text(encoding="utf-8"))
    doc["entities"][4]["type"] = "spaceship"
    aggregate.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataError, match=r"row 5, field 'type'"):
        eu.read([aggregate])
    aggregate.write_text('{"metadata": {},\n "entities": [,]}', encoding="utf-8")
    _fails(eu.read, aggregate, line=2)
