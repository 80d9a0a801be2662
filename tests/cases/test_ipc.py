"""IPC symbols, the hierarchy from the real IPC scheme (../shared/data/policy/ipc_scheme.csv),
and the rules of the patent non-disclosure fields as the real policy file writes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from econsec.cases.ipc import Scheme, Symbol, covers, parse_rule
from econsec.datasets.catalogue import Catalogue
from econsec.errors import DataError, InvalidInput
from tests.conftest import shared_file

S = Symbol.parse


@pytest.mark.parametrize(
    ("text", "level", "shown"),
    [
        ("B", "section", "B"),
        ("B63", "class", "B63"),
        ("b63c", "subclass", "B63C"),
        ("B63C 7", "main_group", "B63C 7/00"),
        ("B63C 7/00", "main_group", "B63C 7/00"),
        ("B63C7/26", "subgroup", "B63C 7/26"),
        ("H01L 31/0352", "subgroup", "H01L 31/0352"),
        ("  F41H   011/02 ", "subgroup", "F41H 11/02"),
    ],
)
def test_symbols_at_every_level(text: str, level: str, shown: str) -> None:
    symbol = S(text)
    assert symbol.level == level and str(symbol) == shown


@pytest.mark.parametrize("text", ["", "Z01", "B6", "B63C 7/2", "B63C 7/26/1", "B63CC", "63C 7"])
def test_not_symbols(text: str) -> None:
    with pytest.raises(InvalidInput):
        S(text)


@pytest.mark.parametrize(
    ("rule", "code", "covered"),
    [
        ("F41", "F41H 11/02", True),
        ("F41H", "F41H 11/02", True),
        ("F41H 11", "F41H 11/02", True),
        ("F41H 11/00", "F41H 11/02", True),
        ("F41H 11/02", "F41H 11/02", True),
        ("F41H 11/02", "F41H 11/00", False),  # a main group is not below its subgroup
        ("F41H 11", "F41H 13/00", False),
        ("F41H", "F41G 7/00", False),
        ("B63C 7/26", "B63C 7/265", True),  # by its digits only (not in the scheme)
        ("B63C 7/26", "B63C 7/28", False),
    ],
)
def test_covers_without_the_scheme(rule: str, code: str, covered: bool) -> None:
    assert (covers(S(rule), S(code)) is not None) is covered


def test_the_scheme_decides_below_a_listed_subgroup() -> None:
    scheme = Scheme.read(shared_file("policy/ipc_scheme.csv"))
    # A01B 63/02 (depth 4) holds 63/10 (5), and 63/10 holds 63/102 and 63/11 (6).
    assert covers(S("A01B 63/10"), S("A01B 63/11"), scheme) is not None
    assert covers(S("A01B 63/02"), S("A01B 63/102"), scheme) is not None
    found = covers(S("A01B 63/10"), S("A01B 63/102"), scheme)
    assert found is not None and not found.inferred
    # Siblings and what comes after are not below: B64G 1/64 and 1/66 are both at depth 5.
    assert covers(S("B64G 1/64"), S("B64G 1/66"), scheme) is None
    assert covers(S("B64G 1/22"), S("B64G 1/66"), scheme) is not None
    # By digits alone, 63/11 would not be below 63/10 (and 1/66 nothing like 1/64).
    assert covers(S("A01B 63/10"), S("A01B 63/11")) is None


def test_a_damaged_scheme_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "scheme.csv"
    bad.write_text(
        "symbol,level,depth,parent,title\n"
        "A01B 1/00,main_group,3,A01B,x\n"
        "A01B 1/x,subgroup,4,A01B,y\n"
    )
    with pytest.raises(DataError, match="line 3"):
        Scheme.read(bad)


def test_rules_as_the_policy_file_writes_them() -> None:
    rule = parse_rule("B63C 7/26 AND F41 (draft Art.12 item 4)")
    assert [tuple(map(str, t.symbols)) for t in rule.terms] == [("B63C 7/26",), ("F41",)]
    assert rule.qualifiers == []  # where it comes from is not a qualifier
    either = parse_rule("B64U (UAV) AND F41/F42 (weapons)")
    assert tuple(map(str, either.terms[1].symbols)) == ("F41", "F42")
    assert either.qualifiers == ["UAV", "weapons"]
    limited = parse_rule("B01D 59 (limited to uranium or plutonium)")
    assert limited.qualifiers == ["limited to uranium or plutonium"]
    ranged = parse_rule("G21C 19/42-19/48").terms[0]
    assert (str(ranged.low), str(ranged.high)) == ("G21C 19/42", "G21C 19/48")
    assert ranged.match([S("G21C 19/44")], None) is not None
    assert ranged.match([S("G21C 19/421")], None) is not None  # 0.421 lies in 0.42-0.48
    assert ranged.match([S("G21C 19/40")], None) is None
    assert ranged.match([S("G21C 19/50")], None) is None
    until = parse_rule("H01L 31/0352 (until IPC 2024.01)").terms[0]
    since = parse_rule("H10F (from IPC 2025.01; exact group per CAO notice)").terms[0]
    assert until.applies("2024.01") and not until.applies("2025.01")
    assert since.applies("2025.01") and not since.applies("2024.01")
    assert since.qualifier == "exact group per CAO notice"
    dashed = parse_rule("B63G 8 (submarines) -- with weapon/defence groups")
    assert dashed.qualifiers == ["submarines; with weapon/defence groups"]
    with pytest.raises(InvalidInput, match="one main group"):
        parse_rule("G21C 19/42-20/48")
    with pytest.raises(InvalidInput, match="not an IPC symbol"):
        parse_rule("B64U AND weapons")


def test_the_loaded_ipc_dataset_gives_the_same_tree(catalogue: Catalogue) -> None:
    path = shared_file("policy/ipc_scheme.csv")
    catalogue.load("ipc", path, {})
    assert Scheme.loaded(catalogue) == Scheme.read(path)
