"""Multi-criteria scoring against published worked examples, the sensitivity analysis, and the
scoring of the real-based example (K Program first R&D vision technologies)."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from econsec.datasets.policy import slug
from econsec.datasets.promote_problem import example_path, read_candidates
from econsec.errors import InvalidInput
from econsec.promote.portfolio import (
    Alternatives,
    Criterion,
    parse_weights,
    score,
    with_directions,
)
from econsec.promote.portfolio_sensitivity import rank_stability, report, tornado
from tests.conftest import shared_file

# Papathanasiou & Ploskas (2018), Multiple Criteria Decision Aid (Springer), the worked example
# of chapters 1 (TOPSIS) and 3 (PROMETHEE): six alternatives, four benefit criteria.
BOOK = np.array(
    [[8, 7, 2, 1], [5, 3, 7, 5], [7, 5, 6, 4], [9, 9, 7, 3], [11, 10, 3, 7], [6, 9, 5, 4]],
    dtype=np.float64,
)
BOOK_WEIGHTS = (0.4, 0.3, 0.1, 0.2)


def book(**pref: object) -> Alternatives:
    criteria = tuple(
        Criterion(f"c{j + 1}", weight=w, **pref)  # type: ignore[arg-type]
        for j, w in enumerate(BOOK_WEIGHTS)
    )
    return Alternatives(tuple(f"a{i + 1}" for i in range(6)), criteria, BOOK)


def test_topsis_reproduces_the_published_closeness() -> None:
    result = score(book(), "topsis")
    assert np.round(result.scores, 3).tolist() == [0.387, 0.327, 0.391, 0.615, 0.868, 0.493]
    assert result.ranks.tolist() == [5, 6, 4, 2, 1, 3]


def test_promethee_reproduces_the_published_net_flows() -> None:
    result = score(book(preference="linear", q=1.0, p=2.0), "promethee")
    assert np.round(result.scores, 2).tolist() == [-0.26, -0.52, -0.22, 0.36, 0.70, -0.06]
    assert result.scores.sum() == pytest.approx(0.0)  # net flows always sum to zero


def test_weighted_sum_by_hand() -> None:
    criteria = (Criterion("gain", weight=3), Criterion("cost", "cost", weight=1))
    alts = Alternatives(("a", "b", "c"), criteria, np.array([[1.0, 10], [3, 30], [2, 10]]))
    result = score(alts, "weighted")
    # gain normalised 0, 1, 0.5; cost 1, 0, 1 -> 0.75*gain + 0.25*cost
    assert result.scores.tolist() == pytest.approx([0.25, 0.75, 0.625])
    assert result.ranks.tolist() == [3, 1, 2]
    # equal weights: a = 0.5 * 0 + 0.5 * 1 ties with b = 0.5 * 1 + 0.5 * 0
    assert score(alts, "weighted", {"cost": 3}).ranks.tolist() == [2, 2, 1]


def test_ties_share_the_better_rank() -> None:
    alts = Alternatives(("a", "b", "c"), (Criterion("x"),), np.array([[2.0], [2.0], [1.0]]))
    for method in ("weighted", "topsis", "promethee"):
        assert score(alts, method).ranks.tolist() == [1, 1, 3]


def test_weights_and_methods_are_checked() -> None:
    with pytest.raises(InvalidInput, match="no criterion 'nope'"):
        score(book(), "weighted", {"nope": 1})
    with pytest.raises(InvalidInput, match="at least one weight"):
        score(book(), "weighted", {"c1": 0, "c2": 0, "c3": 0, "c4": 0})
    with pytest.raises(InvalidInput, match="unknown scoring method"):
        score(book(), "electre")
    with pytest.raises(InvalidInput, match="bad weight"):
        parse_weights(["c1=-1"])
    assert parse_weights(["c1=2,c2=0.5", "c3=1"]) == {"c1": 2.0, "c2": 0.5, "c3": 1.0}
    with pytest.raises(InvalidInput, match="direction"):
        with_directions(book(), {"c1": "up"})


def test_rank_stability_is_seeded_and_bounded() -> None:
    alts = book()
    first = rank_stability(alts, "topsis", draws=3000, seed=7)
    again = rank_stability(alts, "topsis", draws=3000, seed=7)
    assert np.array_equal(first.kept_rank_share, again.kept_rank_share)
    for share in (first.kept_rank_share, first.top_k_share, first.first_share):
        assert np.all((share >= 0) & (share <= 1))
    assert first.first_share.sum() >= 1.0  # someone ranks first in every draw (ties count)
    assert first.kept_rank_share[4] > 0.99  # a5 dominates: it stays first
    assert np.all(first.rank_p05 <= first.rank_p95)
    assert np.all((first.mean_rank >= 1) & (first.mean_rank <= 6))
    # a huge concentration barely moves the weights: every rank is kept
    still = rank_stability(alts, "weighted", draws=200, concentration=1e9, seed=1)
    assert still.kept_rank_share.tolist() == [1.0] * 6


def test_tornado_moves_each_weight() -> None:
    rows = tornado(book(), "weighted", swing=0.2)
    assert len(rows) == 6 * 4 and rows[0]["id"] == "a5"
    c1 = next(r for r in rows if r["id"] == "a1" and r["criterion"] == "c1")
    assert c1["weight_low"] == pytest.approx(0.32 / 0.92)
    assert c1["weight_high"] == pytest.approx(0.48 / 1.08)
    a5 = [r["swing"] for r in rows if r["id"] == "a5"]
    assert a5 == sorted(a5, reverse=True)
    with pytest.raises(InvalidInput, match="swing"):
        tornado(book(), swing=1.5)


def test_example_uses_the_real_vision_technologies() -> None:
    policy = yaml.safe_load(shared_file("policy/critical_technologies.yaml").read_text("utf-8"))
    vision = policy["k_program"]["visions"][0]
    assert vision["technology_count"] == 27
    real = {(t["en"], t["ja"]) for t in vision["example_technologies"]}
    example = yaml.safe_load(example_path().read_text("utf-8"))
    assert {(c["name"], c["name_ja"]) for c in example["candidates"]} == real
    # ids are the taxonomy's ids in list k_program_vision_1 (a slug of the English name)
    assert all(c["id"] == slug(c["name"]) for c in example["candidates"])
    assert example["budget"] * 1e9 == policy["k_program"]["budget"][-1]["cumulative_jpy"]
    assert "illustrative" in example["assumptions"][0]


def test_example_scores_and_value_formula() -> None:
    alts = read_candidates(example_path())
    assert len(alts.ids) == 7 and [c.id for c in alts.criteria][-1] == "cost"
    assert alts.criteria[-1].direction == "cost"
    for method in ("weighted", "topsis", "promethee"):
        data = report(alts, method, draws=500, seed=3, swing=0.1)
        ranks = [row["rank"] for row in data["candidates"]]
        assert ranks == sorted(ranks) and ranks[0] == 1
        assert sum(data["weights"].values()) == pytest.approx(1.0)
        assert all(0 <= row["kept_rank_share"] <= 1 for row in data["candidates"])
        assert len(data["tornado"]) == 7 * 6
    # the file states each option's value as 100 x S x level factor (S on fixed scales)
    doc = yaml.safe_load(example_path().read_text("utf-8"))
    weight = {c["id"]: c["weight"] for c in doc["criteria"]}
    for cand in doc["candidates"]:
        x = cand["criteria"]
        s = sum(weight[k] * (x[k] - 1) / 4 for k in ("importance", "chokepoint", "jp_strength"))
        s += (
            weight["breadth"] * (x["breadth"] - 1) / 4
            + weight["maturity"] * (x["maturity"] - 1) / 8
        )
        s /= 1 - weight["cost"]
        values = [o["value"] for o in cand["options"]]
        assert values == pytest.approx([100 * s * f for f in (0.35, 0.75, 1.0)], abs=0.051)
        assert cand["options"][-1]["cost"] == x["cost"]
