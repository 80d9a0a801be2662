"""Loader for the International Patent Classification (IPC) scheme: sections to subgroups.

The patent non-disclosure system (ESPA Chapter 5) names its technology fields by IPC symbol, so
screening needs the scheme to check and describe those symbols. The file econsec reads is a
compilation (``ipc_scheme.csv``, see the PROVENANCE.md beside it) of WIPO's 2006.01 core level
with about-2023 titles and subclasses laid over it.

Symbols keep the WIPO spacing of the file: ``A``, ``A01``, ``A01B``, ``A01B 1/00`` (main group),
``A01B 1/02`` (subgroup). ``depth`` is the file's hierarchy depth: 0 section, 1 class, 2 subclass,
3 main group, 3 + dots for subgroups.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

from econsec.datasets.base import Column, DatasetSpec, StageContext, Staged
from econsec.datasets.tabular import Field, integer, one_of, read_table, stage_arrow, text
from econsec.errors import DataError

LEVELS = ("section", "class", "subclass", "main_group", "subgroup")

#: Symbol shape per level. Group numbers have no leading zero; a subgroup never ends in /00.
SYMBOL = {
    "section": re.compile(r"[A-H]"),
    "class": re.compile(r"[A-H]\d\d"),
    "subclass": re.compile(r"[A-H]\d\d[A-Z]"),
    "main_group": re.compile(r"[A-H]\d\d[A-Z] [1-9]\d{0,3}/00"),
    "subgroup": re.compile(r"[A-H]\d\d[A-Z] [1-9]\d{0,3}/(?!00$)\d{2,6}"),
}
_SHAPE = {
    "section": "a section letter A-H",
    "class": "a class such as A01",
    "subclass": "a subclass such as A01B",
    "main_group": "a main group such as 'A01B 1/00'",
    "subgroup": "a subgroup such as 'A01B 1/02' (not ending in /00)",
}
#: Allowed depth per level (subgroups: 3 + number of dots; some sources give 3).
_DEPTH = {"section": (0, 0), "class": (1, 1), "subclass": (2, 2), "main_group": (3, 3)}
_SUBGROUP_DEPTH = (3, 20)
_DERIVED = ("section", "class", "subclass", "main_group")
_STRINGS = pa.string()


def _expected_parent(symbol: str, level: str) -> str:
    """The parent a symbol may name: the level above; for a subgroup its subclass or a group."""
    if level == "subgroup":
        return f"{symbol[:4]} or a group of {symbol.split('/')[0]}/"
    return {"class": symbol[:1], "subclass": symbol[:3], "main_group": symbol[:4]}[level]


def _is_parent(symbol: str, level: str, parent: str) -> bool:
    if level == "subgroup":
        group = symbol.split("/")[0] + "/"
        return parent == symbol[:4] or (parent != symbol and parent.startswith(group))
    return parent == _expected_parent(symbol, level)


class _Rows:
    """Cross-row state gathered while reading: where each symbol and parent sits."""

    def __init__(self, ctx: StageContext) -> None:
        self.path = ctx.path
        self.lines: dict[str, int] = {}
        self.links: list[tuple[int, str, str, str]] = []

    def check(self, line: int, row: dict[str, Any]) -> None:
        symbol, level, parent = row["symbol"], row["level"], row["parent"]
        if not SYMBOL[level].fullmatch(symbol):
            raise DataError(
                f"symbol does not fit level {level}",
                path=self.path,
                line=line,
                field="symbol",
                got=symbol,
                expected=_SHAPE[level],
            )
        low, high = _DEPTH.get(level, _SUBGROUP_DEPTH)
        if not low <= row["depth"] <= high:
            raise DataError(
                f"depth does not fit level {level}",
                path=self.path,
                line=line,
                field="depth",
                got=str(row["depth"]),
                expected=f"{low}" if low == high else f"{low}..{high}",
            )
        if level == "section":
            if parent is not None:
                raise DataError(
                    "a section has no parent", path=self.path, line=line, field="parent", got=parent
                )
        elif parent is None:
            raise DataError("empty value", path=self.path, line=line, field="parent")
        elif not _is_parent(symbol, level, parent):
            raise DataError(
                "parent is not an ancestor of the symbol",
                path=self.path,
                line=line,
                field="parent",
                got=parent,
                expected=_expected_parent(symbol, level),
            )
        else:
            self.links.append((line, symbol, level, parent))
        self.lines.setdefault(symbol, line)

    def orphans(self) -> list[str]:
        """Check every parent is in the file; return notes on tolerated gaps.

        Classes added to the IPC after 2006 (G16, H10) have subclasses in the file but no class
        row of their own; a subclass whose class is absent is kept and reported. Any other
        missing parent is an error naming the first orphan's line.
        """
        missing: dict[str, list[str]] = {}
        for line, symbol, level, parent in self.links:
            if parent in self.lines:
                continue
            if level == "subclass":
                missing.setdefault(parent, []).append(symbol)
                continue
            raise DataError(
                f"parent {parent} of {symbol} is not in the file",
                path=self.path,
                line=line,
                field="parent",
                got=parent,
                expected="a symbol listed in the file",
            )
        return [
            f"class {cls} is not in the file; its subclasses {', '.join(subs)} are kept with "
            f"parent {cls}"
            for cls, subs in sorted(missing.items())
        ]


def _derived(symbols: list[str], levels: list[str]) -> dict[str, list[str | None]]:
    """Section, class, subclass and main group of each symbol (None above that level)."""
    out: dict[str, list[str | None]] = {c: [] for c in _DERIVED}
    for symbol, level in zip(symbols, levels, strict=True):
        rank = LEVELS.index(level)
        out["section"].append(symbol[0])
        out["class"].append(symbol[:3] if rank >= 1 else None)
        out["subclass"].append(symbol[:4] if rank >= 2 else None)
        out["main_group"].append(symbol.split("/")[0] + "/00" if rank >= 3 else None)
    return out


def _stage_ipc(ctx: StageContext) -> Staged:
    fields = [
        Field("symbol", "symbol", text),
        Field("level", "level", one_of(*LEVELS)),
        Field("depth", "depth", integer(0, 127)),
        Field("parent", "parent", text, required=False),
        Field("title", "title", text),
        Field("ipc_version", "ipc_version", text),
        Field("source", "source", text),
    ]
    schema = pa.schema(
        [
            ("symbol", _STRINGS),
            ("level", _STRINGS),
            ("depth", pa.int8()),
            ("parent", _STRINGS),
            ("title", _STRINGS),
            ("ipc_version", _STRINGS),
            ("source", _STRINGS),
        ]
    )
    rows = _Rows(ctx)
    ctx.report("read", 0.0)
    data = read_table(ctx.path, fields, schema, key=("symbol",), check=rows.check)
    notes = rows.orphans()
    ctx.report("read", 1.0)
    for name, values in _derived(data["symbol"].to_pylist(), data["level"].to_pylist()).items():
        data = data.append_column(name, pa.array(values, _STRINGS))
    stage_arrow(ctx.con, ctx.table, data.select(list(IPC.column_names)))
    placeholders = sum(1 for t in data["title"].to_pylist() if t == "Definitions")
    if placeholders:
        notes.append(
            f"{placeholders} entries have the title 'Definitions', a placeholder left by the "
            "source compilation where the real title is missing"
        )
    versions = sorted(set(data["ipc_version"].to_pylist()))
    return Staged(release=" + ".join(versions), notes=notes)


IPC = DatasetSpec(
    name="ipc",
    area="policy",
    title="International Patent Classification scheme (sections to subgroups, English titles)",
    publisher="WIPO (IPC titles), compiled from two public GitHub repositories",
    licence=(
        "WIPO IPC titles (public classification data); compiled from github:wzyjerry/ipcr-taxonomy "
        "(MIT) and github:thxare/IPCcodes (no licence file), so not shipped in data/"
    ),
    formats=("csv", "csv.gz"),
    columns=(
        Column("symbol", "VARCHAR", "IPC symbol as in the file, e.g. 'A01B 1/00'"),
        Column("level", "VARCHAR", "section, class, subclass, main_group or subgroup"),
        Column("depth", "TINYINT", "0 section, 1 class, 2 subclass, 3 main group, 3+dots subgroup"),
        Column("parent", "VARCHAR", "Parent symbol as in the file (a subgroup's is its subclass)"),
        Column("section", "VARCHAR", "Section letter A-H"),
        Column("class", "VARCHAR", "Class, e.g. 'A01' (NULL for sections)"),
        Column("subclass", "VARCHAR", "Subclass, e.g. 'A01B' (NULL above subclass level)"),
        Column("main_group", "VARCHAR", "Main group, e.g. 'A01B 1/00' (NULL above group level)"),
        Column("title", "VARCHAR", "English title"),
        Column("ipc_version", "VARCHAR", "IPC edition the title comes from, e.g. 2006.01-core"),
        Column("source", "VARCHAR", "Where the record was compiled from"),
    ),
    stage=_stage_ipc,
    key=("symbol",),
    source_url="https://www.wipo.int/classifications/ipc/en/ITsupport/",
    cadence="IPC is revised every January; replace with WIPO's EN_ipc_title_list when available",
    description=(
        "Columns symbol,level,depth,parent,title,ipc_version,source (ipc_scheme.csv, 18,624 "
        "entries: WIPO 2006.01 core level with c. 2023 titles and subclasses). The compilation "
        "includes a repository without a licence file, so econsec does not ship it in data/. "
        "Subgroup parents in the file are subclasses, not the group one dot up. Classes G16 and "
        "H10 have no row of their own; their subclasses are kept and the gap noted."
    ),
)

SPECS = (IPC,)
