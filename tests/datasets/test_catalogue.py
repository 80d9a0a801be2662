"""The catalogue: versions, unchanged reloads, partitions, atomic swaps, interrupted loads."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from econsec.datasets.catalogue import Catalogue, file_checksum
from econsec.errors import Conflict, DataError, NotFound
from econsec.store.analytics import AnalyticsStore
from tests.conftest import SHIPPED, shared_file

COUNTRIES = "trade/baci_country_codes_V202301.csv"
CRITICAL = "trade/baci_hs17_2024_critical_materials.parquet"


def test_empty_store_lists_every_dataset_unloaded(catalogue: Catalogue) -> None:
    statuses = catalogue.status()
    assert {s.spec.name for s in statuses} >= {"baci", "baci_countries", "hs2022"}
    assert not any(s.loaded for s in statuses)
    with pytest.raises(Conflict, match="not loaded"):
        catalogue.relation("baci")


def test_unknown_dataset_names_the_known_ones(catalogue: Catalogue) -> None:
    with pytest.raises(NotFound, match="baci_countries"):
        catalogue.spec("nope")


def test_load_records_checksum_source_time_and_rows(catalogue: Catalogue) -> None:
    path = shared_file(COUNTRIES)
    result = catalogue.load("baci_countries", path)
    v = result.version
    assert result.changed
    assert (v.id, v.status, v.rows, v.rows_loaded) == ("baci_countries@1", "active", 238, 238)
    assert v.checksum == file_checksum(path)
    assert v.source_name == "baci_country_codes_V202301.csv"
    assert v.release == "V202301"
    assert v.loaded_at.year >= 2026


def test_loading_the_same_file_again_changes_nothing(catalogue: Catalogue) -> None:
    path = shared_file(COUNTRIES)
    first = catalogue.load("baci_countries", path)
    again = catalogue.load("baci_countries", path)
    assert not again.changed
    assert again.version == first.version
    assert len(catalogue.history("baci_countries")) == 1


def test_a_new_file_supersedes_the_old_version(catalogue: Catalogue) -> None:
    catalogue.load("baci_countries", shared_file(COUNTRIES))
    result = catalogue.load("baci_countries", SHIPPED / "trade/baci_country_codes_V202401.csv")
    assert result.retired == ["baci_countries@1"]
    history = catalogue.history("baci_countries")
    assert [(v.number, v.status) for v in history] == [(2, "active"), (1, "superseded")]
    assert catalogue.dataset("baci_countries").rows == 238


def test_flow_files_replace_only_their_own_edition_and_years(
    countries: Catalogue, tmp_path: Path
) -> None:
    critical = shared_file(CRITICAL)
    shrimp = shared_file("trade/baci_hs12_2018_shrimp_subset.parquet")
    countries.load("baci", critical)
    countries.load("baci", shrimp, {"keep_unknown": "true"})
    status = countries.dataset("baci")
    assert [v.parts for v in status.versions] == [
        [{"hs_edition": "HS17", "year": 2024}],
        [{"hs_edition": "HS12", "year": 2018}],
    ]
    assert status.rows == 21_723 + 8_245
    # The same flows as a CSV: same edition and year, so only the first version is replaced.
    replaced = countries.load("baci", flow_csv(tmp_path))
    assert replaced.retired == ["baci@1"]
    assert [v.id for v in countries.dataset("baci").versions] == ["baci@2", "baci@3"]
    with countries.store.reader() as con:
        left = con.execute(
            "SELECT count(*) FROM duckdb_tables() "
            "WHERE regexp_full_match(table_name, '_data_baci_[0-9]+')"
        ).fetchone()
    assert left == (2,)


def test_failed_load_leaves_the_previous_version(countries: Catalogue, tmp_path: Path) -> None:
    good = shared_file(CRITICAL)
    countries.load("baci", good)
    bad = tmp_path / "BACI_HS17_Y2024_V202601.csv"
    bad.write_text("t,i,j,k,v,q\n2024,4,31,250490,1.5,NA\n2024,4,31,250490,oops,1\n")
    with pytest.raises(DataError, match="line 3"):
        countries.load("baci", bad)
    status = countries.dataset("baci")
    assert [v.id for v in status.versions] == ["baci@1"]
    assert status.rows == 21_723
    assert countries.sample("baci", 3).num_rows == 3
    with countries.store.writer() as con:
        left = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE starts_with(table_name, '_stage_')"
        ).fetchone()
    assert left == (0,)


def test_remove_keeps_history_and_refuses_while_needed(countries: Catalogue) -> None:
    countries.load("baci", shared_file(CRITICAL))
    with pytest.raises(Conflict, match="remove baci first"):
        countries.remove("baci_countries")
    assert countries.remove("baci") == 1
    assert not countries.dataset("baci").loaded
    assert [v.status for v in countries.history("baci")] == ["removed"]
    assert countries.remove("baci") == 0


def test_unknown_option_is_rejected(catalogue: Catalogue) -> None:
    with pytest.raises(DataError, match="unknown option"):
        catalogue.load("baci_countries", shared_file(COUNTRIES), {"colour": "red"})


def test_missing_prerequisite_is_a_conflict(catalogue: Catalogue) -> None:
    with pytest.raises(Conflict, match="baci_countries"):
        catalogue.load("baci", shared_file(CRITICAL))


def test_missing_file_is_a_data_error(catalogue: Catalogue, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        catalogue.load("hs2022", tmp_path / "absent.csv")


def flow_csv(tmp_path: Path, years: int = 1, name: str = "BACI_HS17_Y2024_V202601.csv") -> Path:
    """The real 2024 critical-materials flows written as an official BACI CSV (t,i,j,k,v,q).

    With ``years`` > 1 the same flows are repeated for earlier years (a large file for the
    interrupted-load test; the years are invented, the flows are real).
    """
    path = tmp_path / name
    countries = shared_file(COUNTRIES)
    codes = (
        f"(SELECT iso_3digit_alpha AS iso3, min(country_code) AS code "
        f"FROM read_csv('{countries}') GROUP BY 1)"
    )
    duckdb.connect().execute(f"""
        COPY (
            SELECT 2024 - r.n AS t, e.code AS i, m.code AS j, b.hs6 AS k,
                   b.value_kusd AS v, b.qty_t AS q
            FROM read_parquet('{shared_file(CRITICAL)}') b
            JOIN {codes} e ON e.iso3 = b.exporter_iso3
            JOIN {codes} m ON m.iso3 = b.importer_iso3
            CROSS JOIN range({years}) r(n)
            ORDER BY t DESC, i, j, k
        ) TO '{path}' (HEADER, DELIMITER ',')
    """)
    return path


def test_killed_load_leaves_the_previous_version(tmp_path: Path) -> None:
    """Kill -9 a load in a child process: the previous version stays, a rerun succeeds."""
    store = AnalyticsStore(tmp_path / "a.duckdb", threads=1, memory_limit="512MB")
    catalogue = Catalogue(store)
    catalogue.load("baci_countries", shared_file(COUNTRIES))
    catalogue.load("baci", shared_file(CRITICAL))
    big = flow_csv(tmp_path, years=60, name="BACI_HS17_V202601_REPEATED.csv")
    script = textwrap.dedent(f"""
        from econsec.datasets.catalogue import Catalogue
        from econsec.store.analytics import AnalyticsStore
        store = AnalyticsStore({str(store.path)!r}, threads=1, memory_limit="512MB")
        def progress(stage, fraction):
            if stage == "read":
                print("reading", flush=True)
        Catalogue(store).load("baci", {str(big)!r}, {{"keep_unknown": "true"}}, progress)
    """)
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "reading"
        time.sleep(0.3)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    status = catalogue.dataset("baci")
    assert [v.id for v in status.versions] == ["baci@1"]
    assert status.rows == 21_723
    rerun = catalogue.load("baci", big, {"keep_unknown": "true"})
    assert rerun.changed
    assert rerun.version.rows > 1_000_000
    # The rerun's file holds 2024 too, so it replaced the first version entirely.
    assert rerun.retired == ["baci@1"]
    assert catalogue.dataset("baci").rows == rerun.version.rows
