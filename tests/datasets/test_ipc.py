"""The IPC scheme loader on the real compilation, then on damaged copies of it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from econsec.datasets import ipc
from econsec.datasets.catalogue import Catalogue
from econsec.errors import DataError
from econsec.store.analytics import AnalyticsStore
from tests.conftest import shared_file

LEVEL_COUNTS = {
    "section": 8,
    "class": 130,
    "subclass": 659,
    "main_group": 7133,
    "subgroup": 10694,
}


@pytest.fixture
def scheme() -> Path:
    return shared_file("policy/ipc_scheme.csv")


@pytest.fixture
def loaded(store: AnalyticsStore, scheme: Path) -> Catalogue:
    """A catalogue with the real IPC scheme loaded."""
    catalogue = Catalogue(store, {spec.name: spec for spec in ipc.SPECS})
    catalogue.load("ipc", scheme)
    return catalogue


def query(catalogue: Catalogue, sql: str) -> list[tuple[object, ...]]:
    with catalogue.store.reader() as con:
        return con.execute(sql).fetchall()


def test_real_scheme(loaded: Catalogue) -> None:
    status = loaded.dataset("ipc")
    assert status.rows == 18_624
    assert dict(query(loaded, "SELECT level, count(*) FROM ipc GROUP BY level")) == LEVEL_COUNTS
    assert status.release == "2006.01-core + 2023.01-approx"
    row = query(
        loaded,
        'SELECT level, depth, parent, section, "class", subclass, main_group, title FROM ipc '
        "WHERE symbol = 'A01B 1/00'",
    )
    assert row == [("main_group", 3, "A01B", "A", "A01", "A01B", "A01B 1/00", "Hand tools")]
    sub = query(loaded, "SELECT parent, main_group FROM ipc WHERE symbol = 'A01B 63/02'")
    assert sub == [("A01B", "A01B 63/00")]
    section = query(loaded, "SELECT parent, \"class\", subclass FROM ipc WHERE symbol = 'H'")
    assert section == [(None, None, None)]


def test_every_record_keeps_its_source(loaded: Catalogue) -> None:
    empty = query(loaded, "SELECT count(*) FROM ipc WHERE source IS NULL OR trim(source) = ''")
    assert empty == [(0,)]
    sources = query(loaded, "SELECT DISTINCT split_part(source, ' ', 1) FROM ipc ORDER BY 1")
    assert sources == [("github:thxare/IPCcodes",), ("github:wzyjerry/ipcr-taxonomy",)]


def test_missing_classes_are_noted(loaded: Catalogue) -> None:
    """G16 and H10 postdate the 2006 core: their subclasses are kept, the gap is recorded."""
    orphans = query(
        loaded,
        "SELECT symbol FROM ipc WHERE parent IS NOT NULL AND parent NOT IN "
        "(SELECT symbol FROM ipc) ORDER BY symbol",
    )
    assert [r[0] for r in orphans] == [
        "G16B", "G16C", "G16H", "G16Y", "G16Z", "H10B", "H10K", "H10N"
    ]  # fmt: skip
    notes = loaded.dataset("ipc").versions[0].notes
    assert notes[0].startswith("class G16 is not in the file")
    assert notes[1].startswith("class H10 is not in the file")
    assert notes[2].startswith("59 entries have the title 'Definitions'")


def test_symbol_shapes() -> None:
    assert ipc.SYMBOL["subgroup"].fullmatch("G06V 10/147")
    assert ipc.SYMBOL["main_group"].fullmatch("B64U 101/00")
    assert not ipc.SYMBOL["subgroup"].fullmatch("A01B 1/00")
    assert not ipc.SYMBOL["main_group"].fullmatch("A01B 01/00")
    assert not ipc.SYMBOL["subclass"].fullmatch("I01B")


def test_a_missing_class_row_is_tolerated(
    store: AnalyticsStore, scheme: Path, tmp_path: Path
) -> None:
    lines = scheme.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "ipc.csv"
    path.write_text("".join(line for line in lines if not line.startswith("A01,")), "utf-8")
    catalogue = Catalogue(store, {spec.name: spec for spec in ipc.SPECS})
    version = catalogue.load("ipc", path).version
    assert version.rows == 18_623
    assert version.notes[0].startswith("class A01 is not in the file; its subclasses A01B, A01C")


# --- damaged copies ---------------------------------------------------------------------------

Damage = Callable[[list[str]], list[str]]


def _edit(line: int, old: str, new: str) -> Damage:
    """Replace ``old`` by ``new`` on 1-based ``line``."""

    def damage(lines: list[str]) -> list[str]:
        assert old in lines[line - 1]
        return [*lines[: line - 1], lines[line - 1].replace(old, new, 1), *lines[line:]]

    return damage


def _drop(line: int) -> Damage:
    return lambda lines: lines[: line - 1] + lines[line:]


CASES: list[tuple[str, Damage, int, str | None, str]] = [
    ("wrong header", _edit(1, "symbol,level", "code,level"), 1, None, "missing column(s) symbol"),
    ("bad symbol", _edit(6, "A01B 3/00,", "A01B 3/0,"), 6, "symbol", "does not fit level"),
    (
        "subgroup ending /00",
        _edit(5, "A01B 1/00,main_group,3", "A01B 1/00,subgroup,4"),
        5,
        "symbol",
        "does not fit level subgroup",
    ),
    # Without the A01B row, its first main group (now on line 4) names a parent not in the file.
    ("orphan parent", _drop(4), 4, "parent", "parent A01B of A01B 1/00 is not in the file"),
    ("parent not an ancestor", _edit(6, ",A01B,", ",A01C,"), 6, "parent", "not an ancestor"),
    ("bad depth", _edit(6, "main_group,3,", "main_group,4,"), 6, "depth", "depth does not fit"),
    ("bad level", _edit(6, "main_group", "group"), 6, "level", "invalid value"),
    ("duplicate symbol", _edit(6, "A01B 3/00,", "A01B 1/00,"), 6, "symbol", "duplicate key"),
    ("section with parent", _edit(2, "A,section,0,,", "A,section,0,B,"), 2, "parent", "no parent"),
    ("empty title", _edit(5, ",Hand tools,", ",,"), 5, "title", "empty value"),
    ("short row", _edit(5, ",Hand tools,", ","), 5, None, "row has 6 fields"),
]


@pytest.mark.parametrize(
    ("damage", "line", "field", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_damaged_scheme(
    loaded: Catalogue,
    scheme: Path,
    tmp_path: Path,
    damage: Damage,
    line: int,
    field: str | None,
    message: str,
) -> None:
    before = loaded.dataset("ipc").versions
    lines = scheme.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "ipc_scheme.csv"
    path.write_text("".join(damage(lines)), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        loaded.load("ipc", path)
    error = caught.value
    assert error.path == path
    assert error.line == line
    assert error.field == field
    assert message in error.message
    assert loaded.dataset("ipc").versions == before
    assert loaded.sample("ipc", 3).num_rows == 3


def test_latin1_bytes(loaded: Catalogue, scheme: Path, tmp_path: Path) -> None:
    raw = scheme.read_bytes().replace(b",Hand tools,", b",Outils \xe0 main,", 1)
    path = tmp_path / "ipc_scheme.csv"
    path.write_bytes(raw)
    with pytest.raises(DataError, match="invalid UTF-8 byte 0xe0") as caught:
        loaded.load("ipc", path)
    assert caught.value.line == 5
    assert loaded.dataset("ipc").rows == 18_624
