"""Each model against a direct dense computation of its formula on a small table, the identities
between models, the extract syntax and the entry point's errors and result contract."""

from __future__ import annotations

import numpy as np
import pytest

from econsec.errors import InvalidInput
from econsec.know.io import (
    MODELS,
    diim,
    hypothetical_extraction,
    iim,
    iim_inoperability,
    leontief,
    parse_extract,
    resolve_cut,
    shock,
)
from econsec.know.io.models import diim_path, ghosh, resilience
from tests.know.io import small

CUTS = [[("A", "s1", 1.0)], [("A", "s2", 0.4)], [("A", "s1", 0.3), ("B", "s1", 0.8)]]


def _mask(n: int, idx: np.ndarray) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    m[idx] = True
    return m


@pytest.mark.parametrize("extract", CUTS)
def test_leontief_is_the_mixed_model(extract: list[tuple[str, str, float]]) -> None:
    t = small()
    cut = resolve_cut(t, extract)
    s = _mask(t.n, cut.index)
    r = ~s
    xs_after = t.x[s] * (1 - cut.fraction)
    a = t.A
    y = t.Y.sum(1)
    x_r = np.linalg.solve(np.eye(r.sum()) - a[np.ix_(r, r)], a[np.ix_(r, s)] @ xs_after + y[r])
    expected = np.zeros(t.n)
    expected[r] = t.x[r] - x_r
    expected[s] = t.x[s] - xs_after
    got = leontief(t, cut)
    assert np.allclose(got.output_loss, expected)
    assert got.period_days == 365
    half = leontief(t, cut, duration_days=73)
    assert np.allclose(half.output_loss, expected / 5)


@pytest.mark.parametrize("extract", CUTS)
def test_ghosh_is_the_mixed_supply_model(extract: list[tuple[str, str, float]]) -> None:
    t = small()
    cut = resolve_cut(t, extract)
    s = _mask(t.n, cut.index)
    r = ~s
    dxs = t.x[s] * cut.fraction
    b = t.B
    expected = np.zeros(t.n)
    expected[r] = dxs @ b[np.ix_(s, r)] @ np.linalg.inv(np.eye(r.sum()) - b[np.ix_(r, r)])
    expected[s] = dxs
    assert np.allclose(ghosh(t, cut).output_loss, expected)


@pytest.mark.parametrize("extract", CUTS)
def test_extraction_matches_dense_inverses(extract: list[tuple[str, str, float]]) -> None:
    t = small()
    cut = resolve_cut(t, extract)
    d = np.diag(1 - cut.full(t.n))
    a, b, y = t.A, t.B, t.Y.sum(1)
    eye = np.eye(t.n)
    total = t.x - np.linalg.inv(eye - d @ a @ d) @ (d @ y)
    backward = t.x - np.linalg.inv(eye - a @ d) @ y
    forward = t.x - t.v @ np.linalg.inv(eye - d @ b)
    for kind, expected in (("total", total), ("backward", backward), ("forward", forward)):
        got = hypothetical_extraction(t, cut, kind=kind)
        assert np.allclose(got.output_loss, np.maximum(expected, 0)), kind
    with pytest.raises(InvalidInput, match="kind"):
        hypothetical_extraction(t, cut, kind="sideways")


def test_full_extraction_equals_leontief() -> None:
    t = small()
    cut = resolve_cut(t, ["A:*"])
    assert np.allclose(hypothetical_extraction(t, cut).output_loss, leontief(t, cut).output_loss)


def test_iim_formula_and_zero_perturbation() -> None:
    t = small()
    astar = np.diag(1 / t.x) @ t.A @ np.diag(t.x)
    c = np.array([0.1, 0.0, 0.05])
    assert np.allclose(iim_inoperability(t, c), np.linalg.solve(np.eye(3) - astar, c))
    assert np.array_equal(iim_inoperability(t, np.zeros(3)), np.zeros(3))
    res = iim(t, resolve_cut(t, ["A:s2:0.2"]))
    q = np.linalg.solve(np.eye(3) - astar, np.array([0.0, 0.2, 0.0]))
    assert np.allclose(res.output_loss, t.x * q)
    assert res.output_loss[1] > 0.2 * t.x[1]  # the cut cell also loses the feedback


def test_diim_converges_to_the_static_iim() -> None:
    t = small()
    c = np.array([0.1, 0.0, 0.05])
    path = diim_path(t, lambda _: c, np.zeros(3), 400, resilience(t, 30))
    assert np.allclose(path[-1], iim_inoperability(t, c), atol=1e-8)
    res = diim(t, resolve_cut(t, ["A:s1:0.5"]), duration_days=10, recovery_days=20)
    assert res.daily is not None and res.daily.shape == (50, 3)
    assert res.daily[0, 0] == pytest.approx(0.5)  # q(0) = c* on the cut cell
    assert np.all(res.daily[-1] > 0.99)  # recovered
    with pytest.raises(InvalidInput, match="recovery_days"):
        resilience(t, 2)


def test_parse_extract_and_wildcards() -> None:
    assert parse_extract("TWN:c14") == ("TWN", "c14", 1.0)
    assert parse_extract("JPN:*:0.3") == ("JPN", "*", 0.3)
    assert parse_extract("*:c14:25%") == ("*", "c14", 0.25)
    for bad in ("TWN", "TWN:c14:x", ":c14", "a:b:c:d"):
        with pytest.raises(InvalidInput):
            parse_extract(bad)
    t = small()
    assert resolve_cut(t, ["A:*"]).index.tolist() == [0, 1]
    assert resolve_cut(t, ["*:s1"]).index.tolist() == [0, 2]
    both = resolve_cut(t, ["A:s1:0.2", ("*", "s1", 0.5)])
    assert both.fraction.tolist() == [0.5, 0.5]  # a cell named twice keeps the larger cut


def test_shock_errors_name_the_valid_choices() -> None:
    t = small()
    with pytest.raises(InvalidInput) as err:
        shock(t, ["C:s1"], "leontief")
    assert err.value.detail["valid"] == ["A", "B"]
    with pytest.raises(InvalidInput) as err:
        shock(t, ["A:s3"], "leontief")
    assert "s2 (services)" in err.value.detail["valid"]
    with pytest.raises(InvalidInput) as err:
        shock(t, ["A:s1"], "magic")
    assert err.value.detail["valid"] == list(MODELS)
    with pytest.raises(InvalidInput, match="inventory_days"):
        shock(t, ["A:s1"], "leontief", inventory_days=3)
    with pytest.raises(InvalidInput, match="out of range"):
        shock(t, [("A", "s1", 1.5)], "leontief")
    with pytest.raises(InvalidInput, match="nothing"):
        shock(t, [], "leontief")


@pytest.mark.parametrize("model", list(MODELS))
def test_result_contract(model: str) -> None:
    t = small()
    params = {"duration_days": 20} if model in ("bottleneck", "diim") else {}
    res = shock(t, ["A:s1:0.5"], model, **params)
    d = res.to_dict()
    for key in (
        "model",
        "table",
        "extract",
        "world_output_loss_share",
        "world_value_added_loss_share",
        "losses_by_region",
        "losses_by_sector",
        "top_losses",
        "assumptions",
        "params",
        "direct_output_loss",
        "indirect_output_loss",
    ):
        assert key in d, key
    assert d["model"] == model and d["extract"] == [
        {"region": "A", "sector": "s1", "fraction": 0.5}
    ]
    assert d["world_output_loss_share"] == pytest.approx(res.output_loss.sum() / t.x.sum())
    assert d["direct_output_loss"] + d["indirect_output_loss"] == pytest.approx(
        res.output_loss.sum()
    )
    assert {r["region"] for r in d["losses_by_region"]} == {"A", "B"}
    for r in d["losses_by_region"]:
        assert set(r) >= {
            "region",
            "output_loss",
            "output_loss_share",
            "value_added_loss",
            "value_added_loss_share",
        }
    assert d["losses_by_sector"][0]["name"] in ("goods", "services")
    assert len(d["top_losses"]) == 3 and all(isinstance(a, str) for a in d["assumptions"])
    rows = res.to_arrow()
    assert rows.num_rows == 3 and rows.column("extracted").to_pylist() == [True, False, False]


def test_long_models_report_progress() -> None:
    seen: list[tuple[str, float]] = []
    shock(
        small(), ["A:s1"], "bottleneck", duration_days=40, progress=lambda s, f: seen.append((s, f))
    )
    shock(small(), ["A:s1"], "diim", duration_days=40, progress=lambda s, f: seen.append((s, f)))
    assert {s for s, _ in seen} == {"bottleneck", "diim"}
    assert all(0 <= f < 1 for _, f in seen)
    shock(small(), ["A:s1"], "leontief", progress=lambda s, f: seen.append((s, f)))  # ignored
