"""The IOTable model on a hand-checked table: coefficients, inverses, zero-output rows, the long
Arrow form (also through DuckDB), pymrio-named arrays, label errors and region splitting."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from econsec.errors import InvalidInput
from econsec.know.io import IOTable, split_region
from tests.know.io import small


def test_coefficients_and_inverses_by_hand() -> None:
    t = small()
    assert t.x.tolist() == [100.0, 100.0, 40.0]
    assert t.v.tolist() == [70.0, 65.0, 25.0]  # x - column sums of Z
    assert t.A[0, 1] == pytest.approx(20 / 100) and t.A[1, 2] == pytest.approx(10 / 40)
    assert t.B[0, 1] == pytest.approx(20 / 100) and t.B[2, 1] == pytest.approx(10 / 40)
    eye = np.eye(3)
    assert np.allclose(t.L @ (eye - t.A), eye)
    assert np.allclose(t.G @ (eye - t.B), eye)
    assert np.allclose(t.L @ t.Y.sum(1), t.x)  # x = L y
    assert np.allclose(t.v @ t.G, t.x)  # x' = v' G
    # Ghosh and IIM's interdependency matrix: G = diag(x)^-1 L diag(x)
    assert np.allclose(t.G, np.diag(1 / t.x) @ t.L @ np.diag(t.x))
    cols = np.array([2, 0])
    assert np.allclose(t.leontief_columns(cols), t.Ld[:, cols])
    assert np.allclose(t.leontief_rows(cols), t.Ld[cols, :])


def test_zero_output_rows_have_zero_coefficients() -> None:
    z = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [3.0, 0.0, 4.0]])
    t = IOTable.build("zero", ["R"] * 3, ["a", "b", "c"], z, np.array([7.0, 0.0, 3.0]))
    assert t.x[1] == 0
    for m in (t.A, t.B, t.L, t.G, t.Ld):
        assert np.all(np.isfinite(m))
    assert np.all(t.A[:, 1] == 0) and np.all(t.B[1] == 0)
    assert t.L[1, 1] == 1 and t.L[1].sum() == 1  # a unit row/column
    assert np.allclose(t.G @ (np.eye(3) - t.B), np.eye(3))


def test_validation_names_the_problem() -> None:
    with pytest.raises(InvalidInput, match="shape"):
        IOTable.build("bad", ["R", "R"], ["a", "b"], np.ones((2, 3)), np.ones(2))
    with pytest.raises(InvalidInput, match="not unique"):
        IOTable.build("bad", ["R", "R"], ["a", "a"], np.ones((2, 2)), np.ones(2))
    with pytest.raises(InvalidInput, match="NaN"):
        IOTable.build("bad", ["R"], ["a"], np.array([[np.nan]]), np.ones(1))
    t = small()
    with pytest.raises(InvalidInput) as err:
        t.index("C", "s1")
    assert err.value.detail["valid"] == ["A", "B"]
    with pytest.raises(InvalidInput) as err:
        t.index("A", "s9")
    assert "s1 (goods)" in err.value.detail["valid"]


def _same(a: IOTable, b: IOTable) -> None:
    assert a.regions == b.regions and a.sectors == b.sectors
    assert np.array_equal(a.Z, b.Z) and np.array_equal(a.Y, b.Y)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.v, b.v)
    assert a.final_labels == b.final_labels and a.final_regions == b.final_regions
    assert a.final_kinds == b.final_kinds and dict(a.sector_names) == dict(b.sector_names)
    assert (a.name, a.units, a.source, a.year, a.goods) == (
        b.name,
        b.units,
        b.source,
        b.year,
        b.goods,
    )


def test_arrow_round_trip_through_duckdb() -> None:
    t = small()
    data = t.to_arrow()
    assert set(data.column("block").to_pylist()) == {
        "meta",
        "sector",
        "row",
        "final",
        "Z",
        "Y",
        "x",
        "v",
    }
    assert data.filter(data.column("block").to_numpy(zero_copy_only=False) == "Z").num_rows == 8
    _same(IOTable.from_arrow(data), t)
    con = duckdb.connect()
    con.register("long", data)
    con.execute("CREATE TABLE io AS SELECT * FROM long")
    _same(IOTable.from_arrow(con.sql("SELECT * FROM io").to_arrow_table()), t)


def test_arrow_form_rejects_undeclared_labels() -> None:
    data = small().to_arrow()
    rows = data.to_pylist()
    rows.append({**rows[-1], "block": "Z", "row_region": "Q", "col_region": "A", "value": 1.0})
    import pyarrow as pa

    with pytest.raises(InvalidInput, match="Q"):
        IOTable.from_arrow(pa.Table.from_pylist(rows, schema=data.schema))


def test_pymrio_named_arrays_round_trip() -> None:
    t = small()
    arrays = t.to_arrays()
    assert set(arrays) >= {"Z", "Y", "x", "A", "L", "index", "final"}
    assert arrays["index"][2] == ("B", "s1") and arrays["final"][1] == ("B", "CONS")
    back = IOTable.from_arrays("small", arrays["Z"], arrays["Y"], arrays["index"], arrays["final"])
    assert np.array_equal(back.Z, t.Z) and np.array_equal(back.x, t.x)


def test_split_region_keeps_every_total() -> None:
    t = small()
    s = split_region(t, "A", {"s1": 0.25, "s2": 0.5}, "A2")
    assert s.regions == ("A", "A", "A2", "A2", "B")
    assert s.n == 4 + 1
    assert s.x.sum() == pytest.approx(t.x.sum())
    assert np.allclose(s.Z.sum(1) + s.Y.sum(1), s.x)  # rows still balance
    assert np.allclose(s.Z.sum(0) + s.v, s.x)  # columns too
    assert s.x[2] == pytest.approx(25.0) and s.x[0] == pytest.approx(75.0)
    assert np.allclose(s.A[:, 2], np.array([s.Z[i, 2] / 25.0 for i in range(5)]))
    # same technology: the new cell's input coefficients aggregate back to the parent's
    assert s.A[[0, 2], 2].sum() == pytest.approx(t.A[0, 0])
    with pytest.raises(InvalidInput):
        split_region(t, "A", 0.5, "B")
