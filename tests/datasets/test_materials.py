"""The critical-materials panel (BACI summed to 32 materials, 2002-2024) and damaged copies."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from econsec.datasets.catalogue import Catalogue
from econsec.errors import DataError
from tests.conftest import shared_file

PANEL = "trade/baci_critical_materials_bilateral_2002_2024.parquet"


def _query(catalogue: Catalogue, sql: str) -> list[tuple[object, ...]]:
    with catalogue.store.reader() as con:
        return con.execute(sql).fetchall()


def test_panel_loads_with_iso3_codes(countries: Catalogue) -> None:
    with pytest.raises(DataError) as err:
        countries.load("baci_materials", shared_file(PANEL))
    assert err.value.field == "exporter_iso2"
    assert "TF (1 rows)" in err.value.message  # French Southern Territories: not a BACI country
    assert err.value.row is not None
    result = countries.load("baci_materials", shared_file(PANEL), {"keep_unknown": "true"})
    assert result.version.rows == 345_731
    assert result.version.release == "V202601"
    assert any("TF" in note for note in result.version.notes)
    total = _query(countries, "SELECT sum(value_kusd) FROM baci_materials WHERE year = 2024")
    assert round(total[0][0] / 1_000_000, 1) == Decimal("297.2")  # bn USD, see PROVENANCE.md
    magnets = _query(
        countries,
        "SELECT exporter, sum(value_kusd) / sum(sum(value_kusd)) OVER () FROM baci_materials "
        "WHERE year = 2024 AND material = 'magnets' GROUP BY 1 ORDER BY 2 DESC LIMIT 2",
    )
    assert [m[0] for m in magnets] == ["CHN", "JPN"]
    assert round(float(magnets[0][1]), 2) == 0.64  # type: ignore[arg-type]
    renamed = dict(
        _query(
            countries,
            "SELECT exporter, count(*) FROM baci_materials "
            "WHERE exporter IN ('SCG', 'CSK', 'TWN', 'NAM') GROUP BY 1",
        )
    )
    assert renamed["SCG"] == 98 and "CSK" not in renamed  # CS in 2002-2005 is Serbia-Montenegro
    assert renamed["TWN"] > 1000 and renamed["NAM"] > 200
    editions = _query(countries, "SELECT DISTINCT hs_edition FROM baci_materials ORDER BY 1")
    assert editions == [("HS02",), ("HS17",)]


def _copy(tmp_path: Path, select: str) -> Path:
    path = tmp_path / "panel.parquet"
    duckdb.connect().execute(
        f"COPY ({select.format(src=f'read_parquet({str(shared_file(PANEL))!r})')}) "
        f"TO '{path}' (FORMAT parquet)"
    )
    return path


@pytest.mark.parametrize(
    ("select", "field", "message"),
    [
        ("SELECT * EXCLUDE (material) FROM {src}", None, "missing column(s) material"),
        (
            "SELECT * REPLACE (CASE WHEN year = 2010 AND material = 'cobalt' THEN 'many' "
            "ELSE CAST(value_usd AS VARCHAR) END AS value_usd) FROM {src}",
            "value_usd",
            "invalid value",
        ),
        (
            "SELECT * REPLACE (CASE WHEN year = 2011 AND material = 'lithium' THEN -1.0 "
            "ELSE value_usd END AS value_usd) FROM {src}",
            None,
            "negative amount",
        ),
        (
            "SELECT * FROM {src} UNION ALL (SELECT * FROM {src} WHERE year = 2020 LIMIT 1)",
            "year,material,exporter_iso2,importer_iso2",
            "duplicate flow",
        ),
    ],
)
def test_damaged_panel(
    countries: Catalogue, tmp_path: Path, select: str, field: str | None, message: str
) -> None:
    countries.load("baci_materials", shared_file(PANEL), {"keep_unknown": "true"})
    bad = _copy(tmp_path, select)
    with pytest.raises(DataError) as err:
        countries.load("baci_materials", bad, {"keep_unknown": "true"})
    assert err.value.field == field
    assert message in err.value.message
    if "missing column" not in message:
        assert err.value.row is not None
    assert [v.id for v in countries.dataset("baci_materials").versions] == ["baci_materials@1"]
