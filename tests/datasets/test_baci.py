"""BACI loaders on the real files in ../shared/data/trade and on damaged copies of them."""

from __future__ import annotations

import gzip
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from econsec.datasets.catalogue import Catalogue
from econsec.errors import DataError
from tests.conftest import SHIPPED, shared_file
from tests.datasets.test_catalogue import COUNTRIES, CRITICAL, flow_csv


def test_country_codes_expose_iso3(catalogue: Catalogue) -> None:
    catalogue.load("baci_countries", shared_file(COUNTRIES))
    rows = {r["code"]: r for r in catalogue.sample("baci_countries", 500).to_pylist()}
    assert len(rows) == 238
    assert rows[392]["iso3"] == "JPN"
    assert rows[392]["name"] == "Japan"
    assert rows[490]["iso3"] == "TWN"
    assert rows[490]["baci_iso3"] is None
    assert rows[711]["iso3"] == "ZA1"
    assert not rows[711]["is_iso"]
    assert rows[711]["iso2"] is None  # the file gives SACU South Africa's ZA
    assert rows[516]["iso2"] == "NA"  # Namibia's code, lost as "missing" in the file
    assert rows[490]["iso2"] == "TW"
    assert rows[842]["iso3"] == "USA"
    assert rows[842]["name_full"].startswith("USA, Puerto Rico")


def test_codes_only_country_layout(catalogue: Catalogue) -> None:
    catalogue.load("baci_countries", SHIPPED / "trade/baci_country_codes_V202401.csv")
    rows = {r["code"]: r for r in catalogue.sample("baci_countries", 500).to_pylist()}
    assert rows[490]["iso3"] == "TWN"
    assert rows[490]["baci_iso3"] == "S19"
    assert rows[697]["iso3"] == "R20"
    assert not rows[697]["is_iso"]


def test_product_codes_per_edition(catalogue: Catalogue) -> None:
    catalogue.load("baci_products", shared_file("trade/baci_product_codes_HS17_V202401.csv.gz"))
    catalogue.load("baci_products", shared_file("trade/baci_product_codes_HS92_V202401.csv.gz"))
    status = catalogue.dataset("baci_products")
    assert status.rows == 5_384 + 5_022
    assert len(status.versions) == 2


def test_critical_materials_extract(countries: Catalogue) -> None:
    countries.load("baci_products", shared_file("trade/baci_product_codes_HS17_V202401.csv.gz"))
    result = countries.load("baci", shared_file(CRITICAL))
    assert result.version.rows == 21_723
    assert result.version.notes == []
    with countries.store.reader() as con:
        total, japan, taiwan = (
            con.execute(
                "SELECT sum(value_kusd), sum(value_kusd) FILTER (WHERE importer = 'JPN'), "
                "count(*) FILTER (WHERE exporter = 'TWN') FROM baci"
            ).fetchone()
            or ()
        )
        unknown = con.execute("SELECT count(*) FROM baci WHERE exporter IS NULL").fetchone()
    assert round(total / 1_000_000, 1) == Decimal("297.6")  # bn USD, as PROVENANCE.md says
    assert round(japan / 1_000_000, 1) == Decimal("30.8")
    assert taiwan > 0  # BACI's S19 'Other Asia, nes' is exposed as TWN
    assert unknown == (0,)


def test_shrimp_extract_keeps_unknown_codes_only_when_asked(countries: Catalogue) -> None:
    shrimp = shared_file("trade/baci_hs12_2018_shrimp_subset.parquet")
    with pytest.raises(DataError) as err:
        countries.load("baci", shrimp)
    assert err.value.row == 558
    assert err.value.field == "importer_iso3c"
    assert "unknown importer: 12 row(s)" in err.value.message
    assert "NEI" in err.value.message
    result = countries.load("baci", shrimp, {"keep_unknown": "true"})
    assert result.version.rows == 8_245
    assert any("NEI" in note and "12 row(s)" in note for note in result.version.notes)


def test_hs92_exports_extract_with_numeric_codes(countries: Catalogue) -> None:
    countries.load("baci_products", shared_file("trade/baci_product_codes_HS92_V202401.csv.gz"))
    result = countries.load("baci", shared_file("trade/baci_hs92_2021_exports_zaf_afg.parquet"))
    assert result.version.rows == 71_192
    assert result.version.parts == [{"hs_edition": "HS92", "year": 2021}]
    with countries.store.reader() as con:
        zaf = con.execute(
            "SELECT count(*), count(DISTINCT importer) FROM baci WHERE exporter = 'ZAF'"
        ).fetchone()
    assert zaf == (68_122, 210)


def test_official_csv_layout_and_gzip(countries: Catalogue, tmp_path: Path) -> None:
    plain = flow_csv(tmp_path)
    packed = tmp_path / "BACI_HS17_Y2024_V202601.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    result = countries.load("baci", packed)
    assert result.version.release == "V202601"
    with countries.store.reader() as con:
        row = con.execute(
            "SELECT exporter, importer, hs6, value_kusd FROM baci WHERE exporter_code = 156 "
            "AND importer_code = 392 AND hs6 = '850511'"
        ).fetchone()
    assert row == ("CHN", "JPN", "850511", Decimal("156879.570"))


def _damage(tmp_path: Path, edit: str, line: int, text: str | None) -> Path:
    """A copy of the real CSV with one line replaced, inserted or the file truncated."""
    lines = flow_csv(tmp_path).read_text().splitlines(keepends=True)
    if edit == "replace":
        lines[line - 1] = f"{text}\n"
    elif edit == "insert":
        lines.insert(line - 1, f"{text}\n")
    elif edit == "truncate":
        cut = "".join(lines[: line - 1]) + lines[line - 1][: len(lines[line - 1]) // 2]
        lines = [cut]
    path = tmp_path / "BACI_HS17_Y2024_V202601_damaged.csv"
    path.write_text("".join(lines))
    return path


@pytest.mark.parametrize(
    ("edit", "line", "text", "field", "message"),
    [
        ("replace", 1, "year,exporter,importer,product,value,qty", None, "not a BACI flow file"),
        ("replace", 500, "2024,4,31,250490,abc,1.0", "v", "Could not convert"),
        ("replace", 501, "2024,4,31,250490,1.0", None, "Expected Number of Columns"),
        ("replace", 502, "2024,4,31,250490,1.0,2.0,9", None, "Expected Number of Columns"),
        ("replace", 503, "2024,4,xx,250490,1.0,2.0", "j", "Could not convert"),
        ("replace", 504, "2024,4,999,250490,1.0,2.0", "j", "unknown importer"),
        ("replace", 505, "2024,4,31,2504901,1.0,2.0", "k", "not an HS6 code"),
        ("replace", 506, "2024,4,31,250490,-1.0,2.0", "v", "negative value"),
        ("replace", 507, "2023,4,31,250490,1.0,2.0", "t", "year differs from the file name"),
        ("truncate", 700, None, None, "Expected Number of Columns"),
    ],
)
def test_damaged_csv_names_line_and_field(
    countries: Catalogue,
    tmp_path: Path,
    edit: str,
    line: int,
    text: str | None,
    field: str | None,
    message: str,
) -> None:
    countries.load("baci", shared_file(CRITICAL))
    bad = _damage(tmp_path, edit, line, text)
    with pytest.raises(DataError) as err:
        countries.load("baci", bad)
    assert err.value.line == line
    assert err.value.field == field
    assert message in err.value.message
    assert str(bad) in err.value.message
    assert [v.id for v in countries.dataset("baci").versions] == ["baci@1"]


def test_duplicate_flow_names_the_second_line(countries: Catalogue, tmp_path: Path) -> None:
    lines = flow_csv(tmp_path).read_text().splitlines(keepends=True)
    path = tmp_path / "dup_HS17.csv"
    path.write_text("".join([*lines[:900], lines[10], *lines[900:]]))
    with pytest.raises(DataError) as err:
        countries.load("baci", path)
    assert err.value.line == 901
    assert "duplicate flow" in err.value.message
    assert "(2 rows)" in err.value.message


def test_invalid_utf8_names_the_line(countries: Catalogue, tmp_path: Path) -> None:
    raw = flow_csv(tmp_path).read_bytes().split(b"\n")
    cells = raw[41].split(b",")
    raw[41] = b",".join([*cells[:3], cells[3][:5] + b"\xff", *cells[4:]])
    path = tmp_path / "latin_HS17.csv"
    path.write_bytes(b"\n".join(raw))
    with pytest.raises(DataError) as err:
        countries.load("baci", path)
    assert err.value.line == 42
    assert "UTF-8" in err.value.message


def test_legacy_padded_na_quantities(countries: Catalogue, tmp_path: Path) -> None:
    """Older BACI releases right-align numbers and write missing quantities as '   NA'."""
    lines = flow_csv(tmp_path).read_text().splitlines()
    padded = [lines[0]] + [
        ",".join(
            f"{c:>12}" if i >= 4 else c
            for i, c in enumerate((line + "NA" if line.endswith(",") else line).split(","))
        )
        for line in lines[1:]
    ]
    path = tmp_path / "BACI_HS17_Y2024_V202001.csv"
    path.write_text("\n".join(padded) + "\n")
    result = countries.load("baci", path)
    assert result.version.rows == len(lines) - 1
    with countries.store.reader() as con:
        missing = con.execute("SELECT count(*) FROM baci WHERE qty_t IS NULL").fetchone()
    assert missing == (sum(1 for line in lines[1:] if line.endswith(",")),)
    assert missing[0] > 900  # the real file lacks about 1,000 quantities


def test_damaged_parquet_names_the_row(countries: Catalogue, tmp_path: Path) -> None:
    countries.load("baci", shared_file(CRITICAL))
    path = tmp_path / "bad_hs17.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT * REPLACE (CASE WHEN hs6 = '850511' AND importer_iso3 = 'JPN' AND "
        f"exporter_iso3 = 'CHN' THEN 'n/a' ELSE CAST(value_kusd AS VARCHAR) END AS value_kusd) "
        f"FROM read_parquet('{shared_file(CRITICAL)}')) TO '{path}' (FORMAT parquet)"
    )
    with pytest.raises(DataError) as err:
        countries.load("baci", path)
    assert err.value.field == "value_kusd"
    assert err.value.row is not None
    assert "n/a" in (err.value.detail["got"] or "")
    truncated = tmp_path / "cut_hs17.parquet"
    truncated.write_bytes(shared_file(CRITICAL).read_bytes()[:50_000])
    with pytest.raises(DataError, match="Parquet"):
        countries.load("baci", truncated)
    assert [v.id for v in countries.dataset("baci").versions] == ["baci@1"]
