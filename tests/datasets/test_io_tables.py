"""IO table readers: the real WIOD and Japan files, the generic long CSV (a lossless round trip
of the real WIOD table), and SYNTHETIC malformed copies written in tmp_path, each of which must
be reported with its file, line and field."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv
import pytest

from econsec.datasets.io_tables import read_io_csv, read_japan_io, read_wiod
from econsec.errors import DataError
from tests.conftest import shared_file
from tests.know.io import JAPAN, wiod

SECTORS = "code,nace_rev1_1,name\nc1,AtB,Agriculture\nc2,C,Mining\n"


def _wiod_folder(tmp_path: Path, z_cell: str = "2", x_label: str = "BBB_c2") -> Path:
    """A SYNTHETIC 2-region x 2-sector table in the WIOD file layout."""
    folder = tmp_path / "wiod"
    folder.mkdir()
    labels = ["AAA_c1", "AAA_c2", "BBB_c1", "BBB_c2"]
    z = [["1", z_cell, "0", "0"], ["1", "1", "1", "0"], ["0", "0", "1", "1"], ["0", "1", "0", "1"]]
    lines = ["row," + ",".join(labels)] + [
        f"{lab}," + ",".join(r) for lab, r in zip(labels, z, strict=True)
    ]
    (folder / "Z_2011.csv.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    finals = ["AAA_CONS_h", "BBB_CONS_h"]
    y = ["row," + ",".join(finals)] + [f"{lab},5,5" for lab in labels]
    (folder / "Y_2011.csv.gz").write_bytes(gzip.compress(("\n".join(y) + "\n").encode()))
    xs = ["row,gross_output", "AAA_c1,13", "AAA_c2,13", "BBB_c1,12", f"{x_label},12"]
    (folder / "x_2011.csv").write_text("\n".join(xs) + "\n")
    (folder / "sectors_wiod2013.csv").write_text(SECTORS)
    return folder


def test_wiod_reader_on_synthetic_folders(tmp_path: Path) -> None:
    t = read_wiod(_wiod_folder(tmp_path))
    assert t.n == 4 and t.region_list == ("AAA", "BBB") and t.year == 2011
    assert t.Z[0, 1] == 2 and t.sector_names["c2"] == "Mining"
    assert t.final_regions == ("AAA", "BBB") and t.final_labels == ("CONS_h", "CONS_h")


@pytest.mark.parametrize(
    ("change", "file", "line", "field"),
    [
        ({"z_cell": "two"}, "Z_2011.csv.gz", 2, "AAA_c2"),
        ({"z_cell": "-3"}, "Z_2011.csv.gz", 2, "AAA_c2"),
        ({"x_label": "BBB_c9"}, "x_2011.csv", 5, "row"),
    ],
)
def test_wiod_errors_name_file_line_field(
    tmp_path: Path, change: dict[str, str], file: str, line: int, field: str
) -> None:
    with pytest.raises(DataError) as err:
        read_wiod(_wiod_folder(tmp_path, **change))
    assert Path(str(err.value.path)).name == file
    assert (err.value.line, err.value.field) == (line, field)
    assert file in err.value.message and f"line {line}" in err.value.message


def test_wiod_missing_files(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="Z_YYYY"):
        read_wiod(tmp_path)
    folder = _wiod_folder(tmp_path)
    (folder / "Y_2011.csv.gz").unlink()
    with pytest.raises(DataError, match="file not found"):
        read_wiod(folder)


def _japan_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = shared_file(JAPAN).read_text(encoding="utf-8-sig")
    assert old in text
    path = tmp_path / "japan.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_japan_reader_real_and_malformed(tmp_path: Path) -> None:
    assert read_japan_io(shared_file(JAPAN)).n == 13
    bad = _japan_copy(tmp_path, "1456611,75,", "1456611,seventy-five,")
    with pytest.raises(DataError) as err:
        read_japan_io(bad)
    assert (err.value.line, err.value.field) == (2, "industry/02_Mining")
    short = _japan_copy(tmp_path, "1456611,75,", "1456611,")
    with pytest.raises(DataError) as err:
        read_japan_io(short)
    assert err.value.line == 2 and "fields" in err.value.message
    label = _japan_copy(tmp_path, '"industry/02_Mining",185', '"industry/07_Mining",185')
    with pytest.raises(DataError) as err:
        read_japan_io(label)
    assert (err.value.line, err.value.field) == (3, "input")
    unbalanced = _japan_copy(tmp_path, "1456611,75,", "1456611,1075,")
    with pytest.raises(DataError, match="row and column totals differ"):
        read_japan_io(unbalanced)


def test_long_csv_round_trips_the_real_world_table(tmp_path: Path) -> None:
    t = wiod()
    path = tmp_path / "wiod_long.csv"
    pacsv.write_csv(t.to_arrow(), path)
    back = read_io_csv(path)
    assert back.regions == t.regions and back.final_labels == t.final_labels
    assert np.array_equal(back.Z, t.Z) and np.array_equal(back.Y, t.Y)
    assert np.array_equal(back.x, t.x) and np.array_equal(back.v, t.v)
    assert back.goods == t.goods and back.year == 2011 and back.source == t.source


MINIMAL = """block,row_region,row_sector,col_region,col_sector,value,text
row,R,a,,,,
row,R,b,,,,
Z,R,a,R,b,2,
Z,R,b,R,a,1,
x,R,a,,,10,
x,R,b,,,8,
"""


def test_long_csv_minimal_and_malformed(tmp_path: Path) -> None:
    path = tmp_path / "io.csv"
    path.write_text(MINIMAL)
    t = read_io_csv(path)
    assert t.Z.tolist() == [[0.0, 2.0], [1.0, 0.0]] and t.v.tolist() == [9.0, 6.0]
    cases = [
        (MINIMAL.replace("Z,R,b,R,a,1,", "Q,R,b,R,a,1,"), 5, "block"),
        (MINIMAL.replace("Z,R,b,R,a,1,", "Z,R,b,R,a,one,"), 5, "value"),
        (MINIMAL.replace("Z,R,b,R,a,1,", "Z,R,c,R,a,1,"), 5, "row_region/row_sector"),
        (MINIMAL.replace("Z,R,a,R,b,2,", "Z,R,a,S,b,2,"), 4, "col_region/col_sector"),
    ]
    for text, line, field in cases:
        path.write_text(text)
        with pytest.raises(DataError) as err:
            read_io_csv(path)
        assert (err.value.line, err.value.field) == (line, field), text
    path.write_text(MINIMAL.replace("block,", "kind,"))
    with pytest.raises(DataError, match="missing column"):
        read_io_csv(path)
