"""HS nomenclature, sections, correlation tables and HS→BEC on the real files and damaged copies."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from econsec.datasets.catalogue import Catalogue
from econsec.errors import DataError
from tests.conftest import shared_file

NOMENCLATURE = "trade/hs2022_nomenclature.csv.gz"


def _levels(catalogue: Catalogue) -> dict[int, int]:
    with catalogue.store.reader() as con:
        rows = con.execute("SELECT level, count(*) FROM hs2022 GROUP BY level").fetchall()
    return {int(level): int(n) for level, n in rows}


def test_hs2022_nomenclature(catalogue: Catalogue) -> None:
    catalogue.load("hs2022", shared_file(NOMENCLATURE))
    assert _levels(catalogue) == {2: 97, 4: 1229, 6: 5613}  # the TOTAL root row is left out
    with catalogue.store.reader() as con:
        magnet = con.execute(
            "SELECT parent, section, description FROM hs2022 WHERE hscode = '850511'"
        ).fetchone()
    assert magnet is not None
    assert magnet[:2] == ("8505", "XVI")
    assert "magnet" in magnet[2].lower()


def test_sections(catalogue: Catalogue) -> None:
    catalogue.load("hs_sections", shared_file("trade/hs2022_sections.csv"))
    assert catalogue.dataset("hs_sections").rows == 21


def test_correlations_are_partitioned_by_edition_pair(catalogue: Catalogue) -> None:
    catalogue.load("hs_correlation", shared_file("trade/hs2022_to_hs2017_correlation.csv.gz"))
    catalogue.load("hs_correlation", shared_file("trade/hs2017_to_hs2012_correlation.csv.gz"))
    status = catalogue.dataset("hs_correlation")
    assert status.rows == 15_657 + 6_141
    assert sorted(v.release or "" for v in status.versions) == ["HS17->HS12", "HS22->HS17"]
    with catalogue.store.reader() as con:
        codes = con.execute(
            "SELECT count(DISTINCT from_code) FROM hs_correlation WHERE from_edition = 'HS22'"
        ).fetchone()
    assert codes == (5_613,)


def test_bec_end_use(catalogue: Catalogue) -> None:
    catalogue.load("hs_bec", shared_file("trade/hs2017_to_bec4.csv.gz"))
    with catalogue.store.reader() as con:
        uses = dict(con.execute("SELECT end_use, count(*) FROM hs_bec GROUP BY 1").fetchall())
        distinct = con.execute("SELECT count(DISTINCT hs6) FROM hs_bec").fetchone()
    assert sum(uses.values()) == 5_511
    assert distinct == (5_386,)
    assert set(uses) == {"intermediate", "capital", "consumption", "not_assigned"}
    assert uses["capital"] == 634 + 49  # BEC 41 and 521


def _copy(tmp_path: Path, relative: str, edit: object) -> Path:
    raw = gzip.decompress(shared_file(relative).read_bytes())
    lines = raw.split(b"\n")
    assert callable(edit)
    lines = edit(lines)
    path = tmp_path / Path(relative).name.removesuffix(".gz")
    path.write_bytes(b"\n".join(lines))
    return path


@pytest.mark.parametrize(
    ("edit", "line", "field", "message"),
    [
        (lambda ls: [b"section,code,description,parent,level", *ls[1:]], 1, None, "missing column"),
        (
            lambda ls: [
                *ls[:99],
                ls[99].replace(b",6\r", b",7\r").replace(b",6", b",7"),
                *ls[100:],
            ],
            100,
            "level",
            "invalid value",
        ),
        (
            lambda ls: [*ls[:199], b",".join(ls[199].split(b",")[:2]), *ls[200:]],
            200,
            None,
            "fields",
        ),
        (lambda ls: [*ls[:300], ls[299], *ls[300:]], 301, "hscode", "duplicate key"),
        (
            lambda ls: [*ls[:49], ls[49][:-3] + b"\xe4" + ls[49][-2:], *ls[50:]],
            50,
            None,
            "UTF-8",
        ),
    ],
)
def test_damaged_nomenclature(
    catalogue: Catalogue, tmp_path: Path, edit: object, line: int, field: str | None, message: str
) -> None:
    catalogue.load("hs2022", shared_file(NOMENCLATURE))
    bad = _copy(tmp_path, NOMENCLATURE, edit)
    with pytest.raises(DataError) as err:
        catalogue.load("hs2022", bad)
    assert err.value.line == line
    assert err.value.field == field
    assert message in err.value.message
    assert [v.id for v in catalogue.dataset("hs2022").versions] == ["hs2022@1"]


def test_truncated_gzip(catalogue: Catalogue, tmp_path: Path) -> None:
    cut = tmp_path / "hs2022_nomenclature.csv.gz"
    cut.write_bytes(shared_file(NOMENCLATURE).read_bytes()[:20_000])
    with pytest.raises(DataError, match="gzip data is truncated"):
        catalogue.load("hs2022", cut)


def test_wrong_correlation_header(catalogue: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "corr.csv"
    path.write_text("HS2022,SITC3,Relationship\n010121,00111,1:1\n")
    with pytest.raises(DataError, match="not an HS correlation table") as err:
        catalogue.load("hs_correlation", path)
    assert err.value.line == 1
