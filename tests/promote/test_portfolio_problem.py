"""Reading allocation problems and scoring candidates: the issue's format in YAML and JSON,
the extensions, and malformed files named by file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from econsec.datasets.promote_problem import (
    body_source,
    example_path,
    read_candidates,
    read_problem,
    to_problem,
)
from econsec.errors import DataError

ISSUE = {
    "budget": 100,
    "candidates": [
        {"id": "a", "area": "x", "options": [{"cost": 40, "value": 50}, {"cost": 70, "value": 80}]},
        {"id": "b", "area": "y", "options": [{"cost": 30, "value": 45}]},
    ],
    "area_limits": {"x": {"min": 10, "max": 80}},
}


def test_the_issue_format_reads_from_json_and_yaml(tmp_path: Path) -> None:
    as_json = tmp_path / "p.json"
    as_json.write_text(json.dumps(ISSUE, indent=2), encoding="utf-8")
    as_yaml = tmp_path / "p.yaml"
    as_yaml.write_text(
        "budget: 100\ncandidates:\n"
        "  - {id: a, area: x, options: [{cost: 40, value: 50}, {cost: 70, value: 80}]}\n"
        "  - {id: b, area: y, options: [{cost: 30, value: 45}]}\n"
        "area_limits: {x: {min: 10, max: 80}}\n",
        encoding="utf-8",
    )
    for path in (as_json, as_yaml):
        p = read_problem(path)
        assert p.budget == 100 and [c.id for c in p.candidates] == ["a", "b"]
        assert p.candidates[0].options[1].cost == 70 and p.area_limits["x"].max == 80
        assert p.area_limits["x"].min == 10 and p.years == ()


def test_extensions_yearly_costs_and_rules(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "years: [FY2025, FY2026]\nyearly_budget: {FY2025: 30, FY2026: 40}\ncarry_over: true\n"
        "must_fund: [a]\nnever_fund: [7]\nunit: JPY bn\n"
        "candidates:\n"
        "  - id: a\n    options:\n      - {value: 5, yearly: [10, 20]}\n"
        "      - {cost: 5e1, value: 9, yearly: {FY2026: 50}}\n"
        "  - id: 7\n    options: [{cost: 3, value: 1, yearly: [1, 2]}]\n",
        encoding="utf-8",
    )
    p = read_problem(path)
    assert p.budget == 70 and p.carry_over
    assert list(p.yearly_budget) == [30.0, 40.0]
    assert p.candidates[0].options[0].cost == 30  # the sum of the yearly costs
    assert list(p.candidates[0].options[1].yearly) == [0.0, 50.0]
    assert p.must_fund == {"a"} and p.never_fund == {"7"} and p.unit == "JPY bn"


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        (
            "budget: 10\ncandidates:\n  - id: a\n    options:\n      - {cost: ten, value: 1}\n",
            5,
            "candidates[0].options[0].cost",
            "a number",
        ),
        (
            "budget: 10\ncandidates:\n  - id: a\n    option: [{cost: 1, value: 1}]\n",
            4,
            "candidates[0].option",
            "unknown field",
        ),
        (
            "candidates:\n  - id: a\n    options: [{cost: 1, value: 1}]\n",
            1,
            "budget",
            "missing required field",
        ),
        (
            "budget: 10\ncandidates:\n  - {id: a, options: [{cost: 1, value: 1}]}\n"
            "  - {id: a, options: [{cost: 1, value: 1}]}\n",
            4,
            "candidates[1].id",
            "duplicate candidate id",
        ),
        (
            "budget: 10\nmust_fund: [zz]\ncandidates:\n"
            "  - {id: a, options: [{cost: 1, value: 1}]}\n",
            2,
            "must_fund[0]",
            "no candidate 'zz'",
        ),
        (
            "budget: 10\narea_limits:\n  x: {min: 5, max: 2}\n"
            "candidates:\n  - {id: a, area: x, options: [{cost: 1, value: 1}]}\n",
            3,
            "area_limits.x.min",
            "min 5 > max 2",
        ),
        (
            "budget: 10\nyears: [A, B]\ncandidates:\n"
            "  - id: a\n    options:\n      - {cost: 4, value: 1, yearly: [1, 2]}\n",
            6,
            "candidates[0].options[0].cost",
            "differs from the sum",
        ),
        (
            "budget: 10\ncandidates:\n  - {id: a, options: []}\n",
            3,
            "candidates[0].options",
            "no funding options",
        ),
        (
            "budget: -1\ncandidates:\n  - {id: a, options: [{cost: 1, value: 1}]}\n",
            1,
            "budget",
            "greater than or equal to 0",
        ),
        (
            "budget: 10\ncandidates:\n  - {id: a, options: [{cost: 1, value: .inf}]}\n",
            3,
            "candidates[0].options[0].value",
            "finite",
        ),
    ],
)
def test_malformed_files_name_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, message: str
) -> None:
    path = tmp_path / "problem.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as exc:
        read_problem(path)
    assert exc.value.line == line and exc.value.field == field, exc.value.message
    assert message in exc.value.message and str(path) in exc.value.message


def test_json_errors_carry_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"budget": 5,\n "candidates": [\n  {"id": "a", "options": [}\n]}', "utf-8")
    with pytest.raises(DataError, match="JSON syntax error") as exc:
        read_problem(path)
    assert exc.value.line == 3
    bad = dict(ISSUE, candidates=[{"id": "a", "options": [{"cost": "x", "value": 1}]}])
    path.write_text(json.dumps(bad, indent=1), "utf-8")
    with pytest.raises(DataError) as exc:
        read_problem(path)
    assert exc.value.field == "candidates[0].options[0].cost" and exc.value.line == 8


def test_bodies_are_checked_without_lines() -> None:
    with pytest.raises(DataError) as exc:
        to_problem(body_source({"budget": 1, "candidates": [{"id": "a", "optons": []}]}))
    assert exc.value.line is None and exc.value.field == "candidates[0].optons"
    with pytest.raises(DataError, match="not a JSON object"):
        body_source([1, 2])


def test_csv_candidates(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,name,area,importance,cost\nq,Quantum,cyber,5,120\nai,AI,cyber,4,40\n")
    alts = read_candidates(path)
    assert alts.ids == ("q", "ai") and [c.direction for c in alts.criteria] == ["benefit", "cost"]
    assert alts.values.tolist() == [[5, 120], [4, 40]] and alts.names == ("Quantum", "AI")
    path.write_text("id,importance\nq,5\nai,high\n")
    with pytest.raises(DataError) as exc:
        read_candidates(path)
    assert exc.value.line == 3 and exc.value.field == "importance"


def test_scoring_file_criteria_must_be_complete(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "criteria: [{id: a}, {id: b, direction: cost}]\ncandidates:\n"
        "  - {id: x, criteria: {a: 1, b: 2}}\n  - {id: y, criteria: {a: 1}}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="missing criterion 'b'") as exc:
        read_candidates(path)
    assert exc.value.line == 4 and exc.value.field == "candidates[1].criteria"


def test_the_shipped_example_reads() -> None:
    p = read_problem(example_path())
    assert p.years == ("FY2023", "FY2024", "FY2025", "FY2026", "FY2027") and p.carry_over
    assert all(len(o.yearly) == 5 for c in p.candidates for o in c.options)
    assert {c.area for c in p.candidates} == set(p.area_limits)
