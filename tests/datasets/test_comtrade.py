"""UN Comtrade as reported: the real critical-materials extract, damaged copies of it, and the
Comtrade API CSV layout rebuilt from its real rows."""

from __future__ import annotations

import csv
import gzip
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from econsec.datasets.catalogue import Catalogue
from econsec.datasets.comtrade import AREAS, COMTRADE
from econsec.datasets.registry import REGISTRY
from econsec.errors import DataError
from econsec.store.analytics import AnalyticsStore
from tests.conftest import shared_file

EXTRACT = "trade/comtrade_raw_critical_materials_2022_2024.parquet"
COUNTRIES = "trade/baci_country_codes_V202301.csv"
#: The Comtrade API v1 ``get`` columns, in the order the API and its CSV export give them.
API_HEADER = (  # noqa: SIM905 - the header line as the API writes it
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,"
    "flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,"
    "classificationCode,classificationSearchCode,isOriginalClassification,cmdCode,cmdDesc,"
    "aggrLevel,isLeaf,customsCode,customsDesc,mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,qty,"
    "isQtyEstimated,altQtyUnitCode,altQtyUnitAbbr,altQty,isAltQtyEstimated,netWgt,"
    "isNetWgtEstimated,grossWgt,isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,"
    "legacyEstimationFlag,isReported,isAggregate"
).split(",")


@pytest.fixture
def trade(store: AnalyticsStore) -> Catalogue:
    """A catalogue that knows ``comtrade``, with the real BACI country codes loaded."""
    catalogue = Catalogue(store, {**REGISTRY, "comtrade": COMTRADE})
    catalogue.load("baci_countries", shared_file(COUNTRIES))
    return catalogue


def _query(catalogue: Catalogue, sql: str) -> list[tuple[object, ...]]:
    with catalogue.store.reader() as con:
        return con.execute(sql).fetchall()


def test_extract_loads_with_iso_and_pseudo_codes(trade: Catalogue) -> None:
    result = trade.load("comtrade", shared_file(EXTRACT))
    assert result.version.rows == 73_052
    assert result.version.parts == [{"year": 2022}, {"year": 2024}]
    assert result.version.notes == []  # every code is known: no --keep-unknown needed
    per_year = _query(
        trade, "SELECT year, count(*), count(DISTINCT reporter) FROM comtrade GROUP BY 1 ORDER BY 1"
    )
    assert per_year == [(2022, 37_722, 162), (2024, 35_330, 136)]  # as PROVENANCE.md says
    japan = _query(
        trade,
        "SELECT sum(value_usd) FROM comtrade "
        "WHERE year = 2024 AND reporter = 'JPN' AND flow = 'M' AND partner = 'WLD'",
    )
    assert japan == [(Decimal("33756639837.642"),)]  # 33.8 bn USD (CIF), PROVENANCE.md
    partners = dict(
        _query(
            trade,
            "SELECT DISTINCT partner_code, partner FROM comtrade WHERE partner_code IN "
            "(0, 10, 156, 234, 336, 490, 527, 568, 577, 581, 636, 837, 838, 839, 899)",
        )
    )
    assert partners == {
        0: "WLD",
        10: "ATA",
        156: "CHN",
        234: "FRO",
        336: "VAT",
        490: "TWN",
        527: "X_OCEANIA_NES",
        568: "X_OTHER_EUROPE_NES",
        577: "X_OTHER_AFRICA_NES",
        581: "UMI",
        636: "X_REST_OF_AMERICA_NES",
        837: "X_BUNKERS",
        838: "X_FREE_ZONES",
        839: "X_SPECIAL_CATEGORIES",
        899: "X_AREAS_NES",
    }
    assert all(code == "WLD" or code.startswith("X_") for code, _ in AREAS.values())
    facts = _query(
        trade,
        "SELECT count(*) FILTER (WHERE partner = 'WLD'), count(*) FILTER (WHERE partner IS NULL "
        "OR reporter IS NULL), count(*) FILTER (WHERE netwgt_kg IS NULL), string_agg(DISTINCT "
        "flow, ',' ORDER BY flow), min(length(hs6)), max(length(hs6)) FROM comtrade",
    )
    assert facts == [(8_366, 0, 1_500, "M,X", 6, 6)]
    magnets = _query(
        trade,
        "SELECT value_usd, netwgt_kg FROM comtrade WHERE year = 2024 AND reporter = 'JPN' "
        "AND partner = 'CHN' AND hs6 = '850511' AND flow = 'M'",
    )
    assert magnets == [(Decimal("157519221.538"), 3_682_183.0)]


def _copy(tmp_path: Path, select: str, name: str = "comtrade.parquet") -> Path:
    path = tmp_path / name
    src = f"read_parquet('{shared_file(EXTRACT)}', file_row_number = true)"
    duckdb.connect().execute(f"COPY ({select.format(src=src)}) TO '{path}' (FORMAT parquet)")
    return path


@pytest.mark.parametrize(
    ("select", "row", "field", "message"),
    [
        (
            "SELECT * EXCLUDE (file_row_number, flow) FROM {src}",
            None,
            None,
            "missing column(s) flow",
        ),
        (
            "SELECT * EXCLUDE (file_row_number) REPLACE (CASE WHEN file_row_number = 1000 "
            "THEN 'many' ELSE CAST(value_usd AS VARCHAR) END AS value_usd) FROM {src}",
            1001,
            "value_usd",
            "invalid value: 1 row(s)",
        ),
        (
            "SELECT * EXCLUDE (file_row_number) REPLACE (CASE WHEN file_row_number = 2000 "
            "THEN -1.0 ELSE value_usd END AS value_usd) FROM {src}",
            2001,
            "value_usd",
            "negative value: 1 row(s)",
        ),
        (
            "SELECT * EXCLUDE (file_row_number) REPLACE (CASE WHEN file_row_number = 3000 "
            "THEN 999 ELSE partner_m49 END AS partner_m49) FROM {src}",
            3001,
            "partner_m49",
            "unknown partner: 1 row(s) with code 999 (1 rows)",
        ),
        (
            "SELECT * EXCLUDE (file_row_number) FROM {src} UNION ALL "
            "SELECT * EXCLUDE (file_row_number) FROM {src} WHERE file_row_number = 4",
            73_053,
            "year,reporter_m49,partner_m49,hs6,flow",
            "duplicate flow 2022 20 724 280469 M (2 rows)",
        ),
    ],
)
def test_damaged_extract(
    trade: Catalogue,
    tmp_path: Path,
    select: str,
    row: int | None,
    field: str | None,
    message: str,
) -> None:
    trade.load("comtrade", shared_file(EXTRACT))
    with pytest.raises(DataError) as err:
        trade.load("comtrade", _copy(tmp_path, select))
    assert message in err.value.message
    assert (err.value.row, err.value.field) == (row, field)
    assert [v.id for v in trade.dataset("comtrade").versions] == ["comtrade@1"]


def test_truncated_extract_and_unknown_codes_kept(trade: Catalogue, tmp_path: Path) -> None:
    trade.load("comtrade", shared_file(EXTRACT))
    cut = tmp_path / "cut.parquet"
    data = shared_file(EXTRACT).read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="not a readable Parquet file"):
        trade.load("comtrade", cut)
    assert [v.id for v in trade.dataset("comtrade").versions] == ["comtrade@1"]
    unknown = _copy(
        tmp_path,
        "SELECT * EXCLUDE (file_row_number) REPLACE (CASE WHEN file_row_number = 3000 "
        "THEN 999 ELSE partner_m49 END AS partner_m49) FROM {src}",
    )
    result = trade.load("comtrade", unknown, {"keep_unknown": "true"})
    assert result.version.notes == ["kept 1 row(s) with unknown partner: 999 (1 rows)"]
    assert _query(trade, "SELECT partner FROM comtrade WHERE partner_code = 999") == [(None,)]


# --- the Comtrade API CSV layout, rebuilt from real rows ----------------------------------------


def _api_rows(reporters: tuple[int, ...] = (392, 757), year: int = 2024) -> list[dict[str, str]]:
    """Real extract rows of ``reporters`` in ``year`` as Comtrade API records (totals only).

    Codes, product, flow, value and weight are the extract's; ISO codes and names come from
    BACI's country list; columns econsec ignores get the API's total-row constants or stay empty.
    """
    con = duckdb.connect()
    rows = con.execute(
        f"""SELECT t.year, t.reporter_m49, r.iso_3digit_alpha, r.country_name_abbreviation,
               t.flow, t.partner_m49, p.iso_3digit_alpha, p.country_name_abbreviation, t.hs6,
               t.netwgt_kg, t.value_usd
        FROM read_parquet('{shared_file(EXTRACT)}') t
        LEFT JOIN read_csv('{shared_file(COUNTRIES)}') r ON r.country_code = t.reporter_m49
        LEFT JOIN read_csv('{shared_file(COUNTRIES)}') p ON p.country_code = t.partner_m49
        WHERE t.year = ? AND t.reporter_m49 IN ({", ".join(map(str, reporters))})
        ORDER BY t.reporter_m49, t.flow, t.hs6, t.partner_m49""",
        [year],
    ).fetchall()
    out = []
    for yr, rep, rep_iso, rep_name, flow, par, par_iso, par_name, hs6, wgt, value in rows:
        record = dict.fromkeys(API_HEADER, "")
        world = par == 0
        record |= {
            "typeCode": "C", "freqCode": "A", "refPeriodId": f"{yr}0101", "refYear": str(yr),
            "refMonth": "52", "period": str(yr), "reporterCode": str(rep),
            "reporterISO": rep_iso or "", "reporterDesc": rep_name or "", "flowCode": flow,
            "flowDesc": "Import" if flow == "M" else "Export", "partnerCode": str(par),
            "partnerISO": "W00" if world else par_iso or "",
            "partnerDesc": "World" if world else par_name or "", "partner2Code": "0",
            "partner2ISO": "W00", "partner2Desc": "World", "classificationCode": "H6",
            "classificationSearchCode": "HS", "cmdCode": hs6, "aggrLevel": "6",
            "customsCode": "C00", "mosCode": "0", "motCode": "0", "qtyUnitCode": "8",
            "qtyUnitAbbr": "kg", "netWgt": "" if wgt is None else repr(wgt),
            "cifvalue": repr(value) if flow == "M" else "",
            "fobvalue": repr(value) if flow == "X" else "", "primaryValue": repr(value),
        }  # fmt: skip
        out.append(record)
    return out


def _write(path: Path, rows: list[dict[str, str]], *, delim: str = ",", enc: str = "utf-8") -> Path:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding=enc, newline="") as fh:
        writer = csv.DictWriter(fh, API_HEADER, delimiter=delim, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_api_csv_loads_the_same_values(trade: Catalogue, tmp_path: Path) -> None:
    rows = _api_rows()
    assert len(rows) == 1_214
    trade.load("comtrade", _write(tmp_path / "TradeData_2024.csv", rows))
    expected = (
        duckdb.connect()
        .execute(
            f"SELECT count(*), sum(CAST(value_usd AS DECIMAL(18,3))), sum(netwgt_kg) "
            f"FROM read_parquet('{shared_file(EXTRACT)}') "
            "WHERE year = 2024 AND reporter_m49 IN (392, 757)"
        )
        .fetchall()
    )
    got = "SELECT count(*), sum(value_usd), sum(netwgt_kg) FROM comtrade"
    assert _query(trade, got) == expected
    assert _query(trade, "SELECT DISTINCT reporter FROM comtrade ORDER BY 1") == [
        ("CHE",),
        ("JPN",),
    ]
    # Bulk files: tab-separated and gzipped; a breakdown row (by mode of transport) is dropped,
    # and re-imports are kept as their own flow.
    breakdown = rows[0] | {"motCode": "2100", "motDesc": "Sea"}
    rows[1] |= {"flowCode": "RM", "flowDesc": "Re-import"}
    result = trade.load(
        "comtrade", _write(tmp_path / "bulk.txt.gz", [*rows, breakdown], delim="\t")
    )
    assert result.version.rows == 1_214
    assert result.version.notes == [
        "dropped 1 breakdown row(s) (by customs procedure, transport, partner2)"
    ]
    assert _query(trade, "SELECT count(*) FROM comtrade WHERE flow = 'RM'") == [(1,)]
    assert _query(trade, got) == expected


def test_api_csv_in_latin1(trade: Catalogue, tmp_path: Path) -> None:
    rows = _api_rows((528,))  # the Netherlands trade with Curaçao
    assert {r["partnerDesc"] for r in rows if r["partnerCode"] == "531"} == {"Curaçao"}
    # Names are ignored, so a file in Latin-1 (as the Comtrade website may give) loads too.
    result = trade.load("comtrade", _write(tmp_path / "latin.csv", rows, enc="latin-1"))
    assert result.version.rows == len(rows) == 1_676
    assert _query(trade, "SELECT count(*) FROM comtrade WHERE partner = 'CUW'") == [(4,)]


@pytest.mark.parametrize(
    ("change", "line", "field", "message"),
    [
        ({"primaryValue": "n/a"}, 11, "primaryValue", 'Could not convert string "n/a"'),
        ({"primaryValue": "-5"}, 11, "primaryValue", "negative value: 1 row(s)"),
        ({"flowCode": "DX"}, 11, "flowCode", "unknown flow: 1 row(s)"),
        ({"freqCode": "M"}, 11, "freqCode", "not annual data: 1 row(s)"),
        ({"cmdCode": "TOTAL"}, 11, "cmdCode", "not an HS6 code: 1 row(s)"),
        ({"reporterCode": "97"}, 11, "reporterCode", "unknown reporter: 1 row(s) with code 97"),
        ({"customsCode": "C01"}, 11, "customsCode,motCode,partner2Code", "without their total"),
    ],
)
def test_damaged_api_csv(
    trade: Catalogue, tmp_path: Path, change: dict[str, str], line: int, field: str, message: str
) -> None:
    rows = _api_rows((392,))
    trade.load("comtrade", _write(tmp_path / "good.csv", rows))
    rows[9] |= change  # the tenth record is line 11
    with pytest.raises(DataError) as err:
        trade.load("comtrade", _write(tmp_path / "bad.csv", rows))
    assert message in err.value.message
    assert (err.value.line, err.value.field) == (line, field)
    assert err.value.detail["got"].startswith("C,")  # the line's text
    assert [v.id for v in trade.dataset("comtrade").versions] == ["comtrade@1"]


def test_api_csv_shape_errors(trade: Catalogue, tmp_path: Path) -> None:
    rows = _api_rows((392,))
    good = _write(tmp_path / "good.csv", rows)
    text = good.read_text(encoding="utf-8")
    duplicate = tmp_path / "duplicate.csv"
    duplicate.write_text(text + text.splitlines()[5] + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="duplicate flow 2024 392") as err:
        trade.load("comtrade", duplicate)
    assert err.value.line == len(rows) + 2  # the repeated record, after the header and the rest
    truncated = tmp_path / "truncated.csv"
    truncated.write_text(text[: text.rindex(",", 0, len(text) // 2)], encoding="utf-8")
    with pytest.raises(DataError) as err:
        trade.load("comtrade", truncated)
    assert err.value.line == text[: len(text) // 2].count("\n") + 1
    assert err.value.detail["expected"] == f"{len(API_HEADER)} fields"
    no_product = tmp_path / "no_product.csv"
    no_product.write_text(text.replace("cmdCode", "commodity", 1), encoding="utf-8")
    with pytest.raises(DataError, match=r"missing column\(s\) cmdCode") as err:
        trade.load("comtrade", no_product)
    assert err.value.line == 1
    assert not trade.dataset("comtrade").loaded
