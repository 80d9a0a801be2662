"""The WIOD 2011 world table (41 regions x 35 industries, million USD) from the real files:
dimensions, rounding, zero-output rows, the TWN c14 extraction, and the models' invariants."""

from __future__ import annotations

import numpy as np
import pytest

from econsec.know.io import iim_inoperability, resolve_cut, shock
from econsec.know.io.models import diim_path, resilience
from tests.know.io import wiod


def test_dimensions_labels_and_rounding() -> None:
    t = wiod()
    assert t.n == 1435 and len(t.region_list) == 41 and len(t.sector_list) == 35
    assert t.Y.shape == (1435, 205) and t.final_regions[:2] == ("AUS", "AUS")
    assert t.final_labels[:5] == ("CONS_h", "CONS_np", "CONS_g", "GFCF", "INVEN")
    assert t.sector_names["c14"] == "Electrical and Optical Equipment"
    assert int(np.count_nonzero(t.Z)) == 413_525
    assert t.x.sum() == pytest.approx(141.77e6, rel=1e-4)  # million USD (PROVENANCE §3)
    # Cells are whole millions: a row is off by at most half a unit per cell it sums.
    gap = np.abs(t.x - t.Z.sum(1) - t.Y.sum(1))
    assert np.all(gap <= 0.5 * (t.n + t.Y.shape[1]))
    rel = gap / np.maximum(t.x, 1.0)
    assert np.median(rel) < 0.005
    zero = t.x == 0
    assert zero.sum() == 22
    for m in (t.A, t.B):
        assert np.all(np.isfinite(m)) and np.all(m[:, zero] == 0 if m is t.A else m[zero] == 0)
    assert np.all(t.v >= 0) and t.v.sum() == pytest.approx(69.33e6, rel=1e-3)


def test_taiwan_electronics_extraction() -> None:
    t = wiod()
    twn = t.index("TWN", "c14")
    leo = shock(t, ["TWN:c14"], "leontief")
    ext = shock(t, ["TWN:c14"], "extraction")
    assert np.allclose(leo.output_loss, ext.output_loss)  # 100 % cut: mixed model = extraction
    d = leo.to_dict()
    assert d["direct_output_loss"] == pytest.approx(t.x[twn]) == pytest.approx(156_187)
    assert d["world_output_loss_share"] == pytest.approx(0.003084, abs=1e-6)
    regions = [r["region"] for r in d["losses_by_region"][:4]]
    assert regions == ["TWN", "CHN", "RoW", "JPN"]
    back = shock(t, ["TWN:c14"], "extraction", kind="backward").output_loss
    assert back.sum() < ext.output_loss.sum()
    forward = shock(t, ["TWN:c14"], "extraction", kind="forward").to_dict()
    assert forward["losses_by_region"][0]["region"] == "CHN"  # TWN's main customer


@pytest.mark.parametrize("model", ["leontief", "ghosh", "iim", "extraction"])
def test_full_cut_loses_at_least_the_sectors_output(model: str) -> None:
    t = wiod()
    for cell in ("JPN:c15", "DEU:c9", "USA:c28"):
        res = shock(t, [cell], model)
        i = resolve_cut(t, [cell]).index[0]
        assert res.output_loss.sum() >= t.x[i] * (1 - 1e-9), (model, cell)
        assert res.output_loss.min() >= 0


def test_iim_zero_and_diim_convergence() -> None:
    t = wiod()
    assert not np.any(iim_inoperability(t, np.zeros(t.n)))
    c = resolve_cut(t, ["KOR:c14:0.2"]).full(t.n)
    static = iim_inoperability(t, c)
    path = diim_path(t, lambda _: c, np.zeros(t.n), 600, resilience(t, 30))
    assert np.abs(path[-1] - static).max() < 1e-6
    assert np.abs(path[30] - static).max() > 1e-3  # still on its way after 30 days


def test_bottleneck_against_leontief_and_inventories() -> None:
    t = wiod()
    leo = shock(t, ["TWN:c14"], "leontief", duration_days=60).output_loss.sum()
    none = shock(t, ["TWN:c14"], "bottleneck", inventory_days=0, duration_days=60, horizon_days=60)
    assert none.output_loss.sum() > leo  # the hard cut-off also stops TWN's customers
    assert none.daily is not None and none.daily.shape == (60, t.n)
    assert none.daily[-1, t.index("TWN", "c14")] == 0
    short = [
        shock(t, ["TWN:c14"], "bottleneck", inventory_days=n, duration_days=20).output_loss.sum()
        for n in (0, 10, 30)
    ]
    assert short[0] > short[1] > short[2]  # stocks absorb a short disruption
    assert short[2] == pytest.approx(
        shock(t, ["TWN:c14"], "leontief", duration_days=20).output_loss.sum(), rel=0.2
    )  # once stocks outlast the cut only the demand-side (Leontief) loss is left
