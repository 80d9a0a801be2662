"""First-stage screening of a labelled SYNTHETIC set of patent applications, built from real
IPC symbols, against the real field list (patent_secrecy_fields.yaml as shipped in data/policy):
every field and every rule type (a symbol at each level, AND, alternatives, ranges, versioned
terms, qualifiers, the additional requirement), and near misses. No real patent record is used.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from econsec.cases.ipc import Scheme
from econsec.cases.patents import FieldScreener, Screened, read_applications, read_fields
from econsec.errors import DataError
from tests.conftest import ROOT, shared_file

FIELDS = ROOT / "data" / "policy" / "patent_secrecy_fields.yaml"

#: (id, filing date, IPC symbols, expected fields, expected needs_judgement) - SYNTHETIC.
LABELLED = [
    ("syn-01", "2025-01-31", ["F41H 3/00"], [1], False),
    ("syn-02", "2025-02-03", ["B64U 10/13", "F42B 15/01"], [2, 3], False),
    ("syn-03", "2025-02-03", ["F41G 7/22"], [3, 4], False),
    ("syn-04", "2025-02-03", ["F42B 10/02"], [4], False),
    ("syn-05", "2025-02-03", ["F41B 6/00"], [5], False),
    ("syn-06", "2025-02-03", ["F41H 13/00"], [6], False),
    ("syn-07", "2025-02-03", ["F41H 11/02"], [7], False),
    ("syn-08", "2025-02-03", ["B63C 7/26", "F41A 1/00"], [8], False),
    ("syn-09", "2025-02-03", ["G01S 15/00", "B63G 13/00"], [9], False),  # gloss only
    ("syn-10", "2025-02-03", ["B01D 59/10"], [10], True),  # uranium or plutonium?
    ("syn-11", "2025-02-03", ["G21C 19/44"], [11], False),
    ("syn-11b", "2025-02-03", ["G21F 9/00"], [11], False),
    ("syn-12", "2025-02-03", ["C01B 5/00"], [12], False),
    ("syn-13", "2025-02-03", ["G21J 1/00"], [13], False),
    ("syn-14", "2025-02-03", ["C06D 7/00"], [14], False),
    ("syn-15", "2025-02-03", ["F42B 12/50"], [15], False),
    ("syn-16", "2025-02-03", ["F02K 7/14"], [16], True),  # additional requirement
    ("syn-17", "2025-02-03", ["F02K 9/10"], [17], True),
    ("syn-18", "2025-02-03", ["B63B 3/13"], [18], True),
    ("syn-19", "2025-02-03", ["B63C 11/00"], [19], True),
    ("syn-20", "2025-02-03", ["B64G 1/64"], [20], True),
    ("syn-21", "2025-02-03", ["B64G 3/00"], [21], True),
    ("syn-22a", "2024-06-03", ["H01L 31/0352"], [22], True),  # IPC 2024.01
    ("syn-22b", "2025-03-03", ["H10F 30/00"], [22], True),  # IPC 2025.01
    ("syn-23", "2025-02-03", ["G06F 21/86"], [23], True),
    ("syn-24", "2025-02-03", ["H04K 3/00"], [24], True),
    # Submarines: B63G 8 is fields 8 (qualified), 18 and 19 (range 8/00-8/001).
    ("syn-sub", "2025-02-03", ["B63G 8/00"], [8, 18, 19], True),
    # Near misses.
    ("neg-01", "2025-02-03", ["B01D 53/00"], [], False),  # 53, not 59
    ("neg-02", "2025-02-03", ["G21C 19/40"], [], False),  # below the range 19/42-19/48
    ("neg-03", "2025-02-03", ["B63C 7/26"], [], False),  # AND: neither F41 nor B63G
    ("neg-04", "2025-02-03", ["A01B 63/10"], [], False),  # agriculture
    ("neg-05", "2025-03-03", ["H01L 31/0352"], [], False),  # rule ends with IPC 2024.01
    ("neg-06", "2024-06-03", ["H10F 30/00"], [], False),  # rule starts with IPC 2025.01
    ("neg-07", "2025-02-03", ["B64U 10/13"], [], False),  # a drone without weapons
]


def applications_file(folder: Path) -> Path:
    items = [
        {
            "id": ident,
            "filing_date": filed,
            "applicant": "Synthetic Applicant KK",
            "inventors": [{"name": "Synthetic Inventor", "country": "JP"}],
            "title": f"synthetic application {ident}",
            "abstract": "synthetic",
            "claims": "1. synthetic",
            "ipc": codes,
        }
        for ident, filed, codes, _, _ in LABELLED
    ]
    path = folder / "applications.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


def screened(screener: FieldScreener, folder: Path) -> dict[str, Screened]:
    """The labelled set, screened, by application id."""
    return {s.id: s for s in map(screener.screen, read_applications(applications_file(folder)))}


@pytest.fixture(scope="module")
def screener() -> FieldScreener:
    return FieldScreener(read_fields(FIELDS))


def test_every_field_is_covered_by_the_labelled_set() -> None:
    fields = read_fields(FIELDS)
    assert len(fields) == 25
    with_rules = {f.id for f in fields if f.rules}
    labelled = {n for *_, expected, _ in LABELLED for n in expected[:1] + expected}
    assert with_rules <= labelled, with_rules - labelled
    assert {f.id for f in fields if not f.rules} == {25}  # no IPC given: never matched


def test_the_labelled_set(screener: FieldScreener, tmp_path: Path) -> None:
    results = {
        s.id: s for s in map(screener.screen, read_applications(applications_file(tmp_path)))
    }
    for ident, _filed, _codes, fields, judgement in LABELLED:
        assert results[ident].fields == fields, ident
        assert results[ident].needs_judgement is judgement, ident


def test_deadlines_and_explanations(screener: FieldScreener, tmp_path: Path) -> None:
    results = {
        s.id: s for s in map(screener.screen, read_applications(applications_file(tmp_path)))
    }
    first = results["syn-01"].as_dict()
    # Filed 2025-01-31: 3 months end 2025-04-30, 10 months 2025-11-30 (Civil Code Art. 143).
    assert (first["referral_due"], first["designation_due"]) == ("2025-04-30", "2025-11-30")
    (match,) = first["matches"]
    assert match["rule"] == "F41H 3" and match["symbols"] == ["F41H 3/00"]
    assert match["confidence"] == "low" and match["source"]
    uranium = results["syn-10"].as_dict()["matches"][0]
    assert uranium["qualifiers"] == ["limited to uranium or plutonium"]
    assert uranium["needs_judgement"] and not uranium["additional_requirement"]
    assert results["syn-22a"].ipc_version == "2024.01"


def test_the_scheme_refines_subgroups(tmp_path: Path) -> None:
    scheme = Scheme.read(shared_file("policy/ipc_scheme.csv"))
    screener = FieldScreener(read_fields(FIELDS), scheme)
    results = {
        s.id: s for s in map(screener.screen, read_applications(applications_file(tmp_path)))
    }
    for ident, _filed, _codes, fields, _judgement in LABELLED:
        assert results[ident].fields == fields, ident
    # Titles from the scheme: the symbol's own, or the nearest level above it.
    (uranium,) = results["syn-10"].matches
    assert uranium.titles == (
        "in B01D 59/00: Separation of different isotopes of the same chemical element",
    )
    (camouflage,) = results["syn-01"].matches
    assert camouflage.titles == ("Camouflage, i.e. means or methods for concealment or disguise",)


def test_csv_applications_and_their_errors(tmp_path: Path) -> None:
    good = tmp_path / "applications.csv"
    good.write_text(
        "id,filing_date,applicant,inventors,title,abstract,claims,ipc\n"
        "c1,2025-01-31,Synthetic KK,A Person|JP; B Person|US,t,a,c,B01D 59/10; C01B 5/00\n",
        encoding="utf-8",
    )
    (application,) = read_applications(good)
    assert [str(s) for s in application.ipc] == ["B01D 59/10", "C01B 5/00"]
    assert [(i.name, i.country) for i in application.inventors] == [
        ("A Person", "JP"),
        ("B Person", "US"),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("id,filing_date,ipc\nc1,2025-01-31,B01D 59/10\nc2,31/01/2025,C01B 5\n")
    with pytest.raises(DataError, match=r"bad\.csv, line 3, field 'filing_date'"):
        list(read_applications(bad))
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps([{"id": "j1", "filing_date": "2025-01-31", "ipc": ["X99"]}]))
    with pytest.raises(DataError, match=r"wrong\.json, row 1, field 'ipc'"):
        list(read_applications(wrong))
    (tmp_path / "cols.csv").write_text("id,ipc\n")
    with pytest.raises(DataError, match="missing column"):
        list(read_applications(tmp_path / "cols.csv"))
    assert date(2025, 1, 31) == application.filing_date


ST36 = """<?xml version="1.0" encoding="UTF-8"?>
<patent-documents xmlns:x="urn:synthetic">
  <patent-document lang="en">
    <bibliographic-data>
      <application-reference>
        <document-id><country>JP</country><doc-number>2025-900001</doc-number>
        <date>20250131</date></document-id>
      </application-reference>
      <classifications-ipcr>
        <classification-ipcr>
          <text>B01D  59/10        20060101AFI20250131BHJP</text></classification-ipcr>
        <classification-ipcr>
          <text>C01B   5/00        20060101ALI20250131BHJP</text></classification-ipcr>
      </classifications-ipcr>
      <invention-title lang="en">Synthetic isotope separation cascade</invention-title>
      <parties>
        <applicants><applicant sequence="1"><addressbook><orgname>Synthetic Applicant KK</orgname>
          <address><country>JP</country></address></addressbook></applicant></applicants>
        <inventors><inventor sequence="1"><addressbook><last-name>Synthetic</last-name>
          <first-name>Hanako</first-name><address><country>JP</country></address></addressbook>
        </inventor></inventors>
      </parties>
    </bibliographic-data>
    <abstract><p>A synthetic abstract.</p></abstract>
    <claims><claim num="1"><claim-text>A synthetic claim.</claim-text></claim></claims>
  </patent-document>
  <x:patent-document>
    <x:bibliographic-data>
      <x:application-reference><x:document-id><x:doc-number>2025-900002</x:doc-number>
      <x:date>20250203</x:date></x:document-id></x:application-reference>
      <x:classification-ipc><x:main-classification>A01B 63/10</x:main-classification>
      </x:classification-ipc>
      <x:invention-title>Synthetic plough</x:invention-title>
    </x:bibliographic-data>
  </x:patent-document>
</patent-documents>
"""


def test_st36_style_xml(screener: FieldScreener, tmp_path: Path) -> None:
    """SYNTHETIC ST.36-style XML: IPCR texts, a namespaced document, parties and claims."""
    path = tmp_path / "applications.xml"
    path.write_text(ST36, encoding="utf-8")
    first, second = read_applications(path)
    assert (first.id, first.filing_date.isoformat()) == ("2025-900001", "2025-01-31")
    assert [str(s) for s in first.ipc] == ["B01D 59/10", "C01B 5/00"]
    assert first.applicant == "Synthetic Applicant KK"
    assert [(i.name, i.country) for i in first.inventors] == [("Hanako Synthetic", "JP")]
    assert first.claims == "A synthetic claim." and first.title.startswith("Synthetic isotope")
    assert screener.screen(first).fields == [10, 12]
    assert (second.id, [str(s) for s in second.ipc]) == ("2025-900002", ["A01B 63/10"])
    assert screener.screen(second).fields == []
    bad = tmp_path / "bad.xml"
    bad.write_text(ST36.replace("<date>20250131</date>", "<date>2025</date>"), encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.xml, line \d+, field 'filing_date'"):
        list(read_applications(bad))
    entity = tmp_path / "entity.xml"
    entity.write_text('<!DOCTYPE x [<!ENTITY a "b">]><patent-documents/>', encoding="utf-8")
    with pytest.raises(DataError, match="DOCTYPE"):
        list(read_applications(entity))
