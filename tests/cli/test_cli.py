"""The command line on real files: in-process through ``econsec.cli.main`` and, to prove the
console entry works, through ``python -m econsec`` in a subprocess."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from econsec import __version__
from econsec.cli import main
from econsec.datasets.registry import REGISTRY
from econsec.errors import DataError
from tests.conftest import SHIPPED, shared_file

COUNTRIES = "trade/baci_country_codes_V202301.csv"
CRITICAL = "trade/baci_hs17_2024_critical_materials.parquet"
SHRIMP = "trade/baci_hs12_2018_shrimp_subset.parquet"
MANIFEST = """\
datasets:
  - {name: baci_countries, file: trade/baci_country_codes_V202301.csv}
  - name: baci_products
    file: trade/baci_product_codes_HS22_V202401.csv.gz
    options: {release: V202401}
"""


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich sizes tables from COLUMNS (or the terminal): fix it so output does not vary."""
    monkeypatch.setenv("COLUMNS", "200")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, str]:
    """Run a command that must succeed (return, or exit 0); its stdout and stderr."""
    code: object = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    assert code in (0, None), captured.err
    return captured.out, captured.err


def fail(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run a command that must exit non-zero; its exit code, stdout and stderr."""
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    captured = capsys.readouterr()
    assert isinstance(exit_.value.code, int)
    return exit_.value.code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    return json.loads(run(capsys, *args)[0])


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--version") == (f"econsec {__version__}\n", "")


def test_list_table_and_json(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = run_json(capsys, "data", "list", "--json")
    assert [r["name"] for r in rows] == list(REGISTRY)
    assert all(not r["loaded"] and r["rows"] == 0 for r in rows)
    assert set(rows[0]) >= {"area", "format", "publisher", "licence", "version", "loaded_at"}
    table, _ = run(capsys, "data", "list")
    for name in REGISTRY:
        assert f" {name} " in table
    assert "publisher" in table
    assert "CEPII (BACI)" in table


def test_load_real_files_then_unchanged(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = run(capsys, "data", "load", "baci_countries", str(shared_file(COUNTRIES)))
    assert out.startswith(
        "baci_countries: loaded baci_country_codes_V202301.csv as baci_countries@1 - 238 rows"
    )
    out, _ = run(capsys, "data", "load", "baci", str(shared_file(CRITICAL)))
    assert "baci: loaded baci_hs17_2024_critical_materials.parquet as baci@1 - 21,723 rows" in out
    out, _ = run(capsys, "data", "load", "baci", str(shared_file(CRITICAL)))
    assert out.startswith("baci: unchanged - baci_hs17_2024_critical_materials.parquet")
    assert "already loaded as baci@1 (21,723 rows)" in out
    again = run_json(capsys, "data", "load", "baci", str(shared_file(CRITICAL)), "--json")
    assert again["changed"] is False
    assert again["version"]["id"] == "baci@1"
    listed = {r["name"]: r for r in run_json(capsys, "data", "list", "--json")}
    assert (listed["baci_countries"]["rows"], listed["baci"]["rows"]) == (238, 21_723)


def test_show_json_and_text(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "data", "load", "baci_countries", str(shared_file(COUNTRIES)))
    run(capsys, "data", "load", "baci", str(shared_file(CRITICAL)))
    info = run_json(capsys, "data", "show", "baci", "--json", "--rows", "3")
    assert info["publisher"] == "CEPII (BACI)"
    assert info["licence"].startswith("Etalab Open Licence 2.0")
    assert info["source_url"].startswith("https://www.cepii.fr/")
    assert info["requires"] == ["baci_countries"]
    assert [c["name"] for c in info["schema"]] == list(REGISTRY["baci"].column_names)
    assert [v["id"] for v in info["versions"]] == ["baci@1"]
    assert info["versions"][0]["rows"] == 21_723
    assert info["versions"][0]["parts"] == [{"hs_edition": "HS17", "year": 2024}]
    assert len(info["sample"]) == 3
    assert {row["_version"] for row in info["sample"]} == {"baci@1"}
    assert {row["year"] for row in info["sample"]} == {2024}
    text, _ = run(capsys, "data", "show", "baci_countries")
    assert text.startswith("baci_countries - BACI country codes")
    assert "version baci_countries@1: baci_country_codes_V202301.csv sha256 " in text
    assert "schema" in text
    assert "sample" in text
    assert " JPN " not in text  # five sample rows: AFG ... ASM
    unloaded, _ = run(capsys, "data", "show", "hs2022")
    assert "not loaded: econsec data load hs2022 FILE" in unloaded


def test_history_newest_first(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "data", "load", "baci_countries", str(shared_file(COUNTRIES)))
    codes_only = SHIPPED / "trade/baci_country_codes_V202401.csv"
    run(capsys, "data", "load", "baci_countries", str(codes_only))
    versions = run_json(capsys, "data", "history", "baci_countries", "--json")
    assert [(v["id"], v["status"], v["release"]) for v in versions] == [
        ("baci_countries@2", "active", "V202401"),
        ("baci_countries@1", "superseded", "V202301"),
    ]
    table, _ = run(capsys, "data", "history", "baci_countries")
    assert table.index("baci_countries@2") < table.index("baci_countries@1")
    assert "superseded" in table


def test_remove(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "data", "load", "baci_countries", str(shared_file(COUNTRIES)))
    run(capsys, "data", "load", "baci", str(shared_file(CRITICAL)))
    code, _, err = fail(capsys, "data", "remove", "baci_countries", "--yes")
    assert code == 1
    assert err == "error: baci needs 'baci_countries'; remove baci first\n"
    assert run(capsys, "data", "remove", "baci", "--yes")[0] == "baci: removed 1 version(s)\n"
    assert run(capsys, "data", "remove", "baci", "--yes")[0] == "baci: not loaded\n"
    history = run_json(capsys, "data", "history", "baci", "--json")
    assert [(v["id"], v["status"]) for v in history] == [("baci@1", "removed")]


def test_keep_unknown(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "data", "load", "baci_countries", str(shared_file(COUNTRIES)))
    shrimp = str(shared_file(SHRIMP))
    code, out, err = fail(capsys, "data", "load", "baci", shrimp)
    assert code == 1
    assert out == ""
    assert err.startswith(f"error: {shrimp}, row 558, field 'importer_iso3c': unknown importer")
    assert "--keep-unknown" in err  # the message says how to go on
    assert "Traceback" not in err
    out, err = run(capsys, "data", "load", "baci", shrimp, "--keep-unknown")
    assert "as baci@1 - 8,245 rows" in out
    assert "note:" in err
    assert "NEI" in err
    with pytest.raises(DataError) as raised:  # --debug lets the error through, traceback and all
        main(["--debug", "data", "load", "baci", shrimp, "-o", "keep_unknown=false"])
    assert raised.value.field == "importer_iso3c"


def test_bad_option_and_unknown_dataset(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = fail(capsys, "data", "load", "baci_countries", "x.csv", "-o", "release")
    assert (code, err) == (1, "error: invalid --option; got 'release'; expected KEY=VALUE\n")
    code, _, err = fail(capsys, "data", "show", "nope")
    assert code == 1
    assert err.startswith("error: unknown dataset 'nope'; known datasets: baci, baci_countries")


def test_load_manifest(env_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    (folder / "trade").mkdir(parents=True)
    shutil.copy(shared_file(COUNTRIES), folder / "trade")
    shutil.copy(SHIPPED / "trade/baci_product_codes_HS22_V202401.csv.gz", folder / "trade")
    manifest = folder / "manifest.yaml"
    manifest.write_text(MANIFEST)
    out, _ = run(capsys, "data", "load-manifest", str(manifest))
    assert out.splitlines()[0].startswith("baci_countries: loaded baci_country_codes_V202301.csv")
    assert out.splitlines()[1].startswith("baci_products: loaded baci_product_codes_HS22")
    listed = {r["name"]: r for r in run_json(capsys, "data", "list", "--json")}
    assert listed["baci_products"]["rows"] == 5_609  # HS22 V202401, as PROVENANCE.md says
    assert listed["baci_products"]["version"] == "V202401"
    out, _ = run(capsys, "data", "load-manifest", str(manifest))
    assert [line.split(" ")[1] for line in out.splitlines()] == ["unchanged", "unchanged"]
    broken = tmp_path / "broken.yaml"
    broken.write_text("files: []\n")
    code, _, err = fail(capsys, "data", "load-manifest", str(broken))
    assert code == 1
    assert err.startswith(f"error: {broken}, field 'datasets': invalid manifest")
    assert "Field required; expected datasets: [{name: DATASET, file: PATH" in err


def test_db_upgrade_and_status(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{env_home / 'app.db'}"
    before = f"app store {url} at revision none (run econsec db upgrade)\n"
    assert run(capsys, "db", "status")[0] == before
    assert run(capsys, "db", "upgrade")[0] == f"app store {url} at revision 0009\n"
    assert run(capsys, "db", "upgrade")[0] == f"app store {url} at revision 0009\n"
    assert run(capsys, "db", "status")[0] == f"app store {url} at revision 0009\n"


def test_settings_json(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "settings")
    assert data["home"] == str(env_home)
    assert data["analytics_file"] == str(env_home / "analytics.duckdb")
    assert data["app_database_url"] == f"sqlite:///{env_home / 'app.db'}"
    assert data["duckdb_threads"] == 2  # from ECONSEC_DUCKDB_THREADS


# --- known bugs (strict: they start failing once fixed, then drop the marker) ------------------


def test_remove_asks_first(
    env_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, "data", "load", "baci_countries", str(shared_file(COUNTRIES)))
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, _, err = fail(capsys, "data", "remove", "baci_countries")
    assert (code, err.splitlines()[-1].lower().rstrip("!.")) == (1, "aborted")
    assert run_json(capsys, "data", "show", "baci_countries", "--json")["loaded"] is True


@pytest.mark.parametrize("args", [[], ["data"], ["data", "load"], ["data", "bogus"]])
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = fail(capsys, *args)
    assert code == 2
    assert "Usage: econsec" in out + err  # help (no arguments) goes to stdout
    assert "Traceback" not in err


def test_long_error_is_one_line(
    env_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    run(capsys, "data", "load", "baci_countries", str(shared_file(COUNTRIES)))
    _, _, err = fail(capsys, "data", "load", "baci", str(shared_file(SHRIMP)))
    assert len(err.splitlines()) == 1


def test_error_text_is_not_markup(env_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = fail(capsys, "data", "load", "baci_countries", "x.csv", "-o", "[/x]")
    assert (code, err) == (1, "error: invalid --option; got '[/x]'; expected KEY=VALUE\n")


def test_manifest_entry_without_file(
    env_home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("datasets:\n  - name: baci_countries\n")
    code, _, err = fail(capsys, "data", "load-manifest", str(manifest))
    assert code == 1
    assert err.startswith(f"error: {manifest}, field 'datasets.0.file': invalid manifest")
    manifest.write_text("datasets:\n")
    code, _, err = fail(capsys, "data", "load-manifest", str(manifest))
    assert "field 'datasets'" in err


def test_list_table_fits_80_columns(
    env_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    table, _ = run(capsys, "data", "list")
    assert all(f" {name} " in table for name in REGISTRY)


# --- the console entry in a real process -------------------------------------------------------


def econsec(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m econsec ARGS`` with a fresh environment whose data home is ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECONSEC_")}
    env |= {"ECONSEC_HOME": str(home), "ECONSEC_DUCKDB_THREADS": "2", "COLUMNS": "200"}
    command = [sys.executable, "-m", "econsec", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_console_entry_loads_and_lists(tmp_path: Path) -> None:
    home = tmp_path / "home"
    loaded = econsec(home, "data", "load", "baci_countries", str(shared_file(COUNTRIES)))
    assert loaded.returncode == 0, loaded.stderr
    assert "as baci_countries@1 - 238 rows" in loaded.stdout
    listed = econsec(home, "data", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {r["name"]: r for r in json.loads(listed.stdout)}
    assert (rows["baci_countries"]["loaded"], rows["baci_countries"]["rows"]) == (True, 238)
    assert (home / "analytics.duckdb").is_file()


def test_console_entry_errors_and_debug(tmp_path: Path) -> None:
    home = tmp_path / "home"
    countries = econsec(home, "data", "load", "baci_countries", str(shared_file(COUNTRIES)))
    assert countries.returncode == 0, countries.stderr
    plain = econsec(home, "data", "load", "baci", str(shared_file(SHRIMP)))
    assert plain.returncode == 1
    assert plain.stderr.startswith("error: ")
    assert "row 558, field 'importer_iso3c'" in plain.stderr
    assert "Traceback" not in plain.stderr
    debug = econsec(home, "--debug", "data", "load", "baci", str(shared_file(SHRIMP)))
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert "econsec.errors.DataError" in debug.stderr
