"""Japan's 2011 13-sector table (MIC/e-Stat, million yen) read from the real file: balances,
coefficients checked against MIC's published input-coefficient table, multipliers, and the
Leontief/Ghosh identities."""

from __future__ import annotations

import numpy as np
import pytest

from econsec.datasets.io_tables import read_japan_io
from econsec.know.io import shock, split_region
from tests.conftest import shared_file
from tests.know.io import JAPAN_JA, japan


def test_shape_labels_and_balance() -> None:
    t = japan()
    assert t.n == 13 and t.region_list == ("JPN",)
    assert t.sector_names["03"] == "Manufacturing" and t.goods == ("01", "02", "03", "05")
    assert t.final_kinds.count("import") == 3 and t.final_kinds.count("export") == 1
    # x = Z·1 + Y·1 with imports negative equals the column total Z'1 + value added, exactly
    assert np.allclose(t.Z.sum(1) + t.Y.sum(1), t.Z.sum(0) + t.v, rtol=0, atol=0.5)
    assert t.x[2] == pytest.approx(289_904_506)  # manufacturing, million yen
    assert t.v.sum() == pytest.approx(476_905_256)  # gross value added = GDP-side total
    assert np.all(t.A.sum(0) < 1)


def test_input_coefficients_match_mic_published_table() -> None:
    """MIC 2011 input-coefficient table, 37 sectors (e-Stat table 0003120407), column
    01 agriculture, forestry and fishery; its rows 01, 06 mining, 51 commerce and 46+47
    electricity/gas + water are whole 13-sector rows, published to five decimals."""
    a = japan().A
    assert round(a[0, 0], 5) == 0.12102
    assert round(a[1, 0], 5) == 0.00002
    assert round(a[5, 0], 5) == 0.05477
    assert round(a[4, 0], 5) == round(0.00971 + 0.00101, 5)


def test_multipliers_are_plausible() -> None:
    t = japan()
    total = t.L.sum(0)  # (I - A)^-1: imported inputs counted as if domestic
    domestic = t.Ld.sum(0)  # (I - (I - M)A)^-1, MIC's usual multiplier
    assert np.all((total > 1.3) & (total < 3.0))
    assert np.all((domestic > 1.3) & (domestic < 2.3)) and np.all(domestic < total)
    assert domestic.argmax() == 2  # manufacturing has the largest backward linkage
    assert domestic[2] == pytest.approx(2.134, abs=1e-3)
    assert t.import_share[1] == pytest.approx(0.97, abs=0.01)  # mining is almost all imported


def test_leontief_and_ghosh_identities() -> None:
    t = japan()
    assert np.allclose(t.L @ t.Y.sum(1), t.x, rtol=1e-10)  # x = L y
    assert np.allclose(t.v @ t.G, t.x, rtol=1e-10)  # x' = v' G
    assert np.allclose(t.Ld @ t.yd, t.x, rtol=1e-10)  # domestic flows: x = Ld yd
    vd = t.x - t.Zd.sum(0)  # primary inputs incl. imported intermediates
    assert np.allclose(vd @ np.linalg.inv(np.eye(13) - t.Bd), t.x, rtol=1e-10)


def test_japanese_labels_are_kept() -> None:
    t = read_japan_io(shared_file(JAPAN_JA))
    assert t.sector_names["03"] == "製造業"
    assert np.array_equal(t.Z, japan().Z)


def test_shocks_on_the_national_table() -> None:
    t = japan()
    full = shock(t, ["JPN:03"], "leontief")
    assert full.output_loss[2] == pytest.approx(t.x[2])
    assert full.output_loss.sum() >= t.x[2]
    split = split_region(t, "JPN", 0.0394, "TOH")
    res = shock(split, ["TOH:*"], "leontief", duration_days=365)
    direct = split.x[[r == "TOH" for r in split.regions]].sum()
    assert res.to_dict()["direct_output_loss"] == pytest.approx(direct)
    assert res.output_loss.sum() > direct  # the rest of Japan loses the area's purchases
    bottleneck = shock(split, ["TOH:*"], "bottleneck", inventory_days=0, duration_days=60)
    leontief = shock(split, ["TOH:*"], "leontief", duration_days=60)
    assert bottleneck.output_loss.sum() >= leontief.output_loss.sum()
