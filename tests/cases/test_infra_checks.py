"""The automatic checks of an installation plan: missing information, the sector against the
real policy data, every named party (with officers and owners) screened, countries of concern.
The plan is SYNTHETIC; the screening here is a stand-in recording what it was asked (the real
engine is used in tests/cli/test_cases_cli.py)."""

from __future__ import annotations

from typing import Any

from econsec.cases.infra import check_plan, missing, parties

PLAN: dict[str, Any] = {
    "reference": "PLAN-1",
    "operator": "Synthetic Power KK",
    "sector": "electricity",
    "equipment": "substation control system",
    "role": "grid control",
    "timing": "2025-10",
    "supplier": {
        "name": "Synthetic Controls Ltd",
        "country": "JPN",
        "ownership": [{"name": "Synthetic Holdings", "country": "CHN"}],
        "officers": [{"name": "Taro Synthetic", "nationality": "JPN"}],
    },
    "manufacturers": [{"name": "Synthetic Fab Co", "country": "CHN"}, {"name": "No Country Inc"}],
    "component_suppliers": ["Synthetic Chips"],
    "maintenance": [{"name": "Synthetic Service KK", "country": "JPN"}],
    "risk_measures": ["remote access disabled"],
}


def test_parties_with_officers_and_owners() -> None:
    found = [(p["role"], p["name"], p["schema"], p["country"]) for p in parties(PLAN)]
    assert found == [
        ("supplier", "Synthetic Controls Ltd", "Company", "JPN"),
        ("supplier officer", "Taro Synthetic", "Person", "JPN"),
        ("supplier owner", "Synthetic Holdings", "Company", "CHN"),
        ("manufacturer", "Synthetic Fab Co", "Company", "CHN"),
        ("manufacturer", "No Country Inc", "Company", None),
        ("component_supplier", "Synthetic Chips", "Company", None),
        ("maintenance", "Synthetic Service KK", "Company", "JPN"),
    ]


def test_missing_information() -> None:
    assert missing(PLAN) == ["manufacturers[2].country"]
    sparse = {"reference": "P", "operator": "O", "sector": "gas", "equipment": "valve"}
    assert missing(sparse) == [
        "role",
        "timing",
        "supplier",
        "manufacturers",
        "component_suppliers",
        "maintenance",
        "risk_measures",
    ]


def test_checks_screen_every_party_and_flag_countries_of_concern() -> None:
    asked: list[tuple[str, str]] = []

    def screen(name: str, schema: str) -> list[dict[str, Any]]:
        asked.append((name, schema))
        return [{"caption": "LISTED", "list": "x", "score": 0.9}] if "Fab" in name else []

    checks = check_plan(PLAN, sectors={"electricity", "gas"}, concern={"CHN"}, screen=screen)
    assert len(asked) == 7 and ("Taro Synthetic", "Person") in asked
    flagged = {p["name"]: (p["of_concern"], bool(p["hits"])) for p in checks["parties"]}
    assert flagged["Synthetic Fab Co"] == (True, True)
    assert flagged["Synthetic Holdings"] == (True, False)
    assert flagged["Synthetic Controls Ltd"] == (False, False)
    assert checks["sector_known"] and checks["screened"]
    assert checks["flags"] == 3  # two parties, one missing country
    unknown = check_plan({**PLAN, "sector": "space"}, sectors={"electricity"})
    assert not unknown["sector_known"] and not unknown["screened"]


def test_an_operator_not_designated_is_a_finding() -> None:
    plain = check_plan(PLAN, sectors={"electricity"})
    assert plain["operator_designated"] is None and plain["flags"] == 1  # the missing country
    refused = check_plan(PLAN, sectors={"electricity"}, designated=False)
    assert refused["operator_designated"] is False and refused["flags"] == 2
