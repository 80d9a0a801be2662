"""The Promote charts on the shipped R&D vision example (data/promote/rd_vision_example.yaml):
the Pareto frontier of its allocation and the tornado of its best candidate; edge cases on small
hand-made inputs; and the translatable texts of the landscape charts (SYNTHETIC works sample)."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from econsec.datasets.openalex import read_works
from econsec.datasets.promote_problem import example_path, read_source, to_alternatives, to_problem
from econsec.promote.allocate import allocate
from econsec.promote.landscape import from_works, landscape
from econsec.promote.portfolio_sensitivity import report
from econsec.reports.charts import number
from econsec.reports.landscape_charts import share_bars, share_lines
from econsec.reports.portfolio_charts import frontier_points, pareto_chart, tornado_chart

WORKS = Path(__file__).parents[1] / "promote" / "fixtures" / "openalex_works_synthetic.json"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed, or this raises
    assert root.tag == "svg" and root.get("role") == "img"
    assert "<script" not in svg
    return root


def desc(root: ET.Element) -> str:
    return root.findtext("desc") or ""


def group(root: ET.Element, name: str) -> list[ET.Element]:
    return root.findall(f".//g[@class='{name}']")


# --- Pareto frontier ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def allocation() -> dict[str, Any]:
    return allocate(to_problem(read_source(example_path())), pareto=6).to_dict()


def test_pareto_on_the_real_example(allocation: dict[str, Any]) -> None:
    points = allocation["pareto"]
    chosen = (allocation["total_cost"], allocation["objective"])
    svg = pareto_chart(
        points,
        chosen=chosen,
        budget=allocation["budget"],
        title="Value for money",
        x_label="cost (JPY bn)",
        y_label="value",
        digits=1,
    )
    root = parse(svg)
    solved = [p for p in points if "objective" in p]
    assert len(solved) == 6
    (markers,) = group(root, "points")
    assert len(markers.findall("path")) == len(solved)
    tips = [m.findtext("title") or "" for m in markers.findall("path")]
    for p in sorted(solved, key=lambda p: p["total_cost"]):
        words = f"cost (JPY bn) {number(p['total_cost'], 1)}, value {number(p['objective'], 1)}"
        assert words in desc(root)
    assert tips[0] == (
        f"cost (JPY bn): {number(min(p['total_cost'] for p in solved), 1)}; "
        f"value: {number(min(p['objective'] for p in solved), 1)}"
    )
    (mark,) = group(root, "chosen")
    assert mark.findtext("text") == "chosen" and "449.0" in (mark.findtext("path/title") or "")
    (budget,) = group(root, "budget")
    assert [line.get("stroke-dasharray") for line in budget.findall("line")] == ["6 4"]
    assert budget.findtext("text") == "budget 500.0"
    assert "chosen: cost (JPY bn) 490.0, value 449.0" in desc(root)
    # the staircase runs through every (efficient) point: 2 vertices per step after the first
    (line,) = root.findall(".//polyline[@class='frontier']")
    assert len((line.get("points") or "").split()) == 2 * len(solved) - 1


def test_pareto_skips_unsolved_and_marks_dominated_points() -> None:
    points: list[dict[str, Any]] = [
        {"budget": 100, "status": "infeasible", "cheapest_cost": 90},
        {"budget": 300, "objective": 40.0, "total_cost": 290.0, "efficient": True},
        {"budget": 200, "objective": 30.0, "total_cost": 180.0, "efficient": True},
        {"budget": 250, "objective": 25.0, "total_cost": 240.0, "efficient": False},
    ]
    assert [c for c, _, _ in frontier_points(points)] == [180.0, 240.0, 290.0]
    svg = pareto_chart(
        points,
        chosen=(180.0, 30.0),
        title="R&D <frontier>",
        x_label="cost <&>",
        y_label="value & more",
        chosen_label="選択 <&>",
    )
    root = parse(svg)
    assert root.findtext("title") == "R&D <frontier>"
    assert "R&amp;D &lt;frontier&gt;" in svg and "cost &lt;&amp;&gt;" in svg
    (markers,) = group(root, "points")
    fills = [m.get("fill") for m in markers.findall("path")]
    assert len(fills) == 3 and fills[1] == "#fff"  # the dominated point is hollow
    assert "cost <&> 240, value & more 25 (dominated)" in desc(root)
    (line,) = root.findall(".//polyline[@class='frontier']")
    assert len((line.get("points") or "").split()) == 3  # 180 -> 290, not through 240
    assert group(root, "chosen")[0].findtext("text") == "選択 <&>"
    assert not group(root, "budget")


def test_pareto_without_data() -> None:
    for points in ([], [{"budget": 1.0, "status": "infeasible"}]):
        svg = pareto_chart(points, title="Frontier", x_label="cost", y_label="value")
        root = parse(svg)
        assert root.findtext("title") == "Frontier" and "No data" in desc(root)


def test_pareto_single_point() -> None:
    svg = pareto_chart(
        [{"objective": 5.0, "total_cost": 5.0}], budget=5.0, title="t", x_label="x", y_label="y"
    )
    root = parse(svg)
    assert len(group(root, "points")[0].findall("path")) == 1
    assert not root.findall(".//polyline")


# --- tornado ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def best_rows() -> list[dict[str, Any]]:
    rows = report(to_alternatives(read_source(example_path())), "topsis", {}, swing=0.2)["tornado"]
    return [r for r in rows if r["id"] == rows[0]["id"]]


def test_tornado_on_the_real_example(best_rows: list[dict[str, Any]]) -> None:
    shuffled = best_rows[:]
    random.Random(1).shuffle(shuffled)
    svg = tornado_chart(
        shuffled,
        title="Tornado",
        unit="TOPSIS score",
        low_label="weight -20 %",
        high_label="weight +20 %",
    )
    root = parse(svg)
    expected = [r["criterion"] for r in sorted(best_rows, key=lambda r: -r["swing"])]
    pairs = group(root, "pair")
    assert [g.get("data-criterion") for g in pairs] == expected and len(expected) == 6
    assert all(len(g.findall("rect")) == 2 for g in pairs)
    # the base line at the candidate's score, every bar starting or ending on it
    (base,) = root.findall(".//line[@class='base']")
    x = float(base.get("x1") or "nan")
    score = number(best_rows[0]["score"], 3)
    assert (base.findtext("title") or "").startswith(score)
    for g in pairs:
        for bar in g.findall("rect"):
            left, width = float(bar.get("x") or 0), float(bar.get("width") or 0)
            assert left == pytest.approx(x, abs=0.06) or left + width == pytest.approx(x, abs=0.06)
    top = sorted(best_rows, key=lambda r: -r["swing"])[0]
    texts = [t.text for t in pairs[0].findall("text")]
    assert texts == [number(top["score_low"], 3), number(top["score_high"], 3)]
    words = desc(root)
    assert f"base {score}" in words
    for r in best_rows:
        assert (
            f"{r['criterion']}: weight -20 % {number(r['score_low'], 3)}, "
            f"weight +20 % {number(r['score_high'], 3)}"
        ) in words
    legend = [t.text for t in root.findall("text")][-2:]
    assert legend == ["weight -20 %", "weight +20 %"]
    # the two halves differ in fill pattern, and the high one is hatched
    fills = {bar.get("fill") for bar in pairs[0].findall("rect")}
    assert len(fills) == 2
    patterns = root.findall(".//pattern")
    assert len(patterns) == 2 and patterns[1].find("path") is not None


def test_tornado_escapes_labels() -> None:
    rows = [
        {
            "criterion": "R&D <core>",
            "score": 0.5,
            "score_low": 0.4,
            "score_high": 0.55,
            "swing": 0.15,
        },
        {"criterion": "cost", "score": 0.5, "score_low": 0.52, "score_high": 0.47, "swing": 0.05},
    ]
    svg = tornado_chart(rows, title="T & <t>", unit="score <0-1>", low_label="<low>", digits=2)
    root = parse(svg)
    assert "R&amp;D &lt;core&gt;" in svg and "score &lt;0-1&gt;" in svg
    assert [g.get("data-criterion") for g in group(root, "pair")] == ["R&D <core>", "cost"]
    assert "R&D <core>: <low> 0.40, weight +X % 0.55" in desc(root)


def test_tornado_base_given_and_flat_rows() -> None:
    rows = [{"criterion": "a", "score": 0.5, "score_low": 0.5, "score_high": 0.5, "swing": 0.0}]
    root = parse(tornado_chart(rows, title="t", unit="u", base=0.5))
    assert len(group(root, "pair")) == 1 and "base 0.500" in desc(root)


def test_tornado_without_data() -> None:
    root = parse(tornado_chart([], title="Tornado", unit="score"))
    assert root.findtext("title") == "Tornado" and "No data" in desc(root)


# --- landscape texts ----------------------------------------------------------------------------


def test_landscape_charts_take_translated_texts() -> None:
    result = landscape(from_works(read_works(WORKS)), period=1)
    default = parse(share_lines(result, "ai_ml"))
    assert (default.findtext("title") or "").startswith("ai_ml: share of the top 10 %")
    lines = parse(share_lines(result, "ai_ml", title="AI の推移", y_label="シェア (%)"))
    assert lines.findtext("title") == "AI の推移"
    assert "シェア (%)" in [t.text for t in lines.findall("text")]
    empty = parse(share_lines(result, "nothing", title="空", empty="データなし"))
    assert empty.findtext("title") == "空" and desc(empty) == "データなし"
    assert desc(parse(share_lines(result, "nothing"))).startswith("No share of the top 10 %")
    bars = parse(share_bars(result, "ai_ml", "2020", title="AI 2020 <&>", unit="単位"))
    assert bars.findtext("title") == "AI 2020 <&>" and "単位" in desc(bars)
    assert (parse(share_bars(result, "ai_ml")).findtext("title") or "").startswith("ai_ml, 2020")
    assert desc(parse(share_bars(result, "ai_ml", "1999", empty="なし"))) == "なし"
    assert desc(parse(share_bars(result, "ai_ml", "1999"))) == "No data to show."
