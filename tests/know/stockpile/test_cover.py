"""Days of cover of a stockpile under a consumption series, checked by hand."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from econsec.errors import InvalidInput
from econsec.know.stockpile import days_of_cover, stock_cover


def test_constant_consumption() -> None:
    assert days_of_cover(100, 10) == 10
    assert days_of_cover(100, 10, 6) == 25  # 6/day still arrives
    assert days_of_cover(100, 0) == math.inf
    assert days_of_cover(0, 5) == 0


def test_series_runs_out_part_way_through_a_day() -> None:
    cover = stock_cover(10, [3, 3, 3, 3, 3])
    # 9 units used in days 0-2, 1 left covers a third of day 3
    assert cover.days == pytest.approx(3 + 1 / 3)
    assert cover.runs_out
    assert cover.stock.tolist() == pytest.approx([7, 4, 1, 0, 0])
    assert cover.drawn.tolist() == pytest.approx([3, 3, 3, 1, 0])
    assert cover.shortfall.tolist() == pytest.approx([0, 0, 0, 2, 3])
    assert cover.total_shortfall == pytest.approx(5)
    assert cover.first_shortfall_day == 3
    assert days_of_cover(10, np.array([3.0, 3, 3, 3, 3])) == cover.days


def test_exhausted_exactly_at_the_end_of_a_day() -> None:
    cover = stock_cover(6, [3, 3, 0, 1])
    assert cover.days == 2.0
    assert cover.first_shortfall_day == 3
    assert cover.shortfall.tolist() == [0, 0, 0, 1]


def test_scenario_consumption_that_falls_with_output() -> None:
    # normal use 100/day; a propagation model leaves output fractions 1, 0.5, 0.2, 0.2, ...;
    # 30 % of normal supply still arrives
    fractions = np.array([1.0, 0.5, 0.2, 0.2, 0.2, 0.2])
    cover = stock_cover(120, 100 * fractions, 30.0)
    # needs 70, 20, 0, 0 ... (supply covers use from day 2): the stock lasts the horizon
    assert cover.days == math.inf
    assert not cover.runs_out
    assert cover.stock.tolist() == pytest.approx([50, 30, 30, 30, 30, 30])
    data = json.loads(json.dumps(cover.to_dict()))
    assert data["days_of_cover"] is None
    assert data["horizon_days"] == 6
    refilled = stock_cover(120, 100 * fractions, 30.0, refill=True)
    assert refilled.stock.tolist() == pytest.approx([50, 30, 40, 50, 60, 70])
    capped = stock_cover(120, 100 * fractions, 30.0, refill=True, capacity=45)
    assert capped.stock.tolist() == pytest.approx([50, 30, 40, 45, 45, 45])


def test_constant_series_with_a_horizon() -> None:
    cover = stock_cover(5, 2.0, horizon=4)
    assert cover.days == 2.5
    assert cover.shortfall.tolist() == [0, 0, 1, 2]


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((-1, [1, 2]), {}, "stock is -1"),
        ((10, [1, -2]), {}, r"consumption_per_day\[1\] is -2.0"),
        ((10, [1, 2], [1, 2, 3]), {}, "consumption_per_day: 2 days, expected 3"),
        ((10, 2.0), {}, "needs a horizon"),
        ((10, [1, math.nan]), {}, "expected >= 0"),
    ],
)
def test_invalid_inputs(args: tuple[object, ...], kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        stock_cover(*args, **kwargs)  # type: ignore[arg-type]
