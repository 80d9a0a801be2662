"""METI End User List (外国ユーザーリスト): METI's own Excel workbook.

One sheet, ``ユーザーリスト``: a header row, then one row per entity. Columns (matched by header
text, Japanese or English): ``No.`` (a formula, ``=ROW()-1``, so the number is computed from the
row), country (``イラン\\nIran``: Japanese and English on two lines), company (the English name,
sometimes with the Japanese or Chinese name in brackets, inline or on a line of its own), aliases
(``・``-bulleted, one a line; a bracketed line is the Japanese name of the alias above), type of
WMD concern (``ミサイル、核\\nM,N``: written as ``M、N``, ``ミサイルM``, a full-width N or left
blank) and conventional weapons (``通常兵器\\nCW`` or blank).

Properties: ``name`` (English and Japanese/Chinese names), ``alias``, ``country`` (ISO code from
the English country name, else the Japanese one), ``classification`` (``WMD:B``, ``WMD:C``,
``WMD:M``, ``WMD:N``: biological, chemical, missile, nuclear; ``CW``: conventional weapons),
``program``, ``topics``.

Countries named in Japanese are found with
:func:`~econsec.protect.lists.japanese.countries_in`, which the MOF reader shares.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from followthemoney.types import registry

from econsec.errors import DataError
from econsec.protect.lists.base import (
    EXPORT_CONTROL,
    ListFormat,
    Publication,
    Record,
    files,
    make,
    version_of,
)
from econsec.protect.lists.japanese import countries_in
from econsec.protect.lists.workbook import load_book

LIST_NAME = "meti-eul"
SHEET = "ユーザーリスト"
PROGRAM = "METI End User List (外国ユーザーリスト)"
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
CODE = re.compile(r"(?<![A-Za-z])[BCMN](?![A-Za-z])")
LABELS = {"生物": "B", "化学": "C", "ミサイル": "M", "核": "N"}
#: Column key -> words that identify its header (Japanese or English, lower-cased).
COLUMNS = {
    "no": ("no.",),
    "country": ("country", "国名"),
    "name": ("company", "企業名"),
    "alias": ("also known", "別名"),
    "wmd": ("type of wmd", "懸念区分"),
    "cw": ("conventional", "通常兵器"),
}
REQUIRED = ("country", "name", "wmd")


def cell_text(value: Any) -> str:
    """A cell as NFKC text ('' for empty)."""
    return "" if value is None else unicodedata.normalize("NFKC", str(value)).strip()


def split_name(text: str) -> tuple[list[str], list[str]]:
    """The English name(s) and the bracketed Japanese/Chinese names of a name cell."""
    local = [g for g in re.findall(r"\(([^()]*)\)", text) if CJK.search(g)]
    for group in local:
        text = text.replace(f"({group})", " ")
    english = " ".join(text.split())
    if CJK.search(english) and not local:  # a Japanese name only (セソン技術貿易)
        return [], [english]
    return ([english] if english else []), local


def split_aliases(text: str) -> list[str]:
    """Bulleted aliases; unbulleted lines continue the alias above unless they are a name in
    Japanese script (bracketed or not) or the first line."""
    items: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("・") or not items or CJK.search(line):
            items.append(line.lstrip("・ "))
        else:
            items[-1] += " " + line
    out: list[str] = []
    for item in items:
        english, local = split_name(item)
        out += english + local
    return out


def wmd_codes(text: str, where: dict[str, Any]) -> list[str]:
    """B/C/M/N from the code line, else from the Japanese labels; blank gives none."""
    if not text:
        return []
    codes = set(CODE.findall(text.split("\n")[-1])) or set(CODE.findall(text))
    if not codes:
        codes = {code for label, code in LABELS.items() if label in text}
    if not codes:
        raise DataError("unknown type of WMD", field="type of WMD", got=text, **where)
    return sorted(codes)


def header_map(row: Sequence[Any]) -> dict[str, int]:
    """Column key -> index, found by header words."""
    found: dict[str, int] = {}
    for index, value in enumerate(row):
        text = cell_text(value).lower()
        for key, words in COLUMNS.items():
            if key not in found and any(word in text for word in words):
                found[key] = index
    return found


def read(paths: Sequence[Path]) -> Publication:
    """Read the METI End User List workbook into Organization entities."""
    found = files(paths, suffixes=(".xlsx",))
    if len(found) != 1:
        raise DataError(f"one workbook per load; got {len(found)}", path=found[0])
    path = found[0]
    book = load_book(path)
    if SHEET not in book:
        raise DataError(f"no sheet {SHEET!r}", path=path, got=", ".join(book), expected=SHEET)
    rows = book[SHEET]
    head = next((i for i, row in enumerate(rows[:10]) if "name" in header_map(row)), None)
    if head is None:
        raise DataError(
            f"sheet {SHEET!r}: no header row", path=path, expected="'Company or Organization'"
        )
    columns = header_map(rows[head])
    for key in REQUIRED:
        if key not in columns:
            raise DataError(
                f"sheet {SHEET!r}: missing column",
                path=path,
                row=head + 1,
                field=COLUMNS[key][0],
                expected=" / ".join(COLUMNS[key]),
            )
    records: list[Record] = []
    countries: Counter[str] = Counter()
    flagged = blank = 0
    for index, row in enumerate(rows[head + 1 :], start=head + 2):
        values = {key: cell_text(row[i]) if i < len(row) else "" for key, i in columns.items()}
        if not any(v for k, v in values.items() if k != "no"):
            continue
        where: dict[str, Any] = {"path": path, "row": index}
        number = values.get("no", "")
        source_id = number if number.isdigit() else str(index - head - 1)
        english, local = split_name(values["name"])
        if not english and not local:
            raise DataError(f"sheet {SHEET!r}: no company name", field="company", **where)
        country_name = values["country"].split("\n")[-1]
        code = registry.country.clean(country_name) or next(
            iter(countries_in(values["country"])), None
        )
        if code is None:
            raise DataError(
                f"sheet {SHEET!r}: unknown country", field="country", got=values["country"], **where
            )
        codes = wmd_codes(values["wmd"], where)
        weapons = "CW" in values.get("cw", "") or "通常兵器" in values.get("cw", "")
        entity = make("Organization", LIST_NAME, source_id)
        entity.add("name", english + local)
        entity.add("alias", split_aliases(values.get("alias", "")))
        entity.add("country", code)
        entity.add("classification", [f"WMD:{c}" for c in codes] + (["CW"] if weapons else []))
        entity.add("program", PROGRAM)
        entity.add("topics", EXPORT_CONTROL)
        records.append(Record(entity, source_id))
        countries[country_name] += 1
        flagged += weapons
        blank += not codes
    version = version_of(path)
    notes = [
        f"{len(records)} entries in sheet {SHEET!r}",
        "by country: " + ", ".join(f"{c} {n}" for c, n in countries.most_common()),
        f"{flagged} flagged for conventional weapons; {blank} with no type of WMD",
    ]
    if version is None:
        notes.append("no date in the file name: version unknown")
    return Publication(LIST_NAME, version, iter(records), notes)


FORMAT = ListFormat(
    name="meti-eul",
    title="METI End User List (外国ユーザーリスト)",
    publisher="Ministry of Economy, Trade and Industry (METI), Japan",
    licence="Japanese Government Standard Terms of Use (CC BY 4.0 compatible)",
    read=read,
    description="METI's Excel download of the End User List (https://www.meti.go.jp/policy/anpo/).",
    sample="../shared/data/screening/jp_official/jp_meti_end_user_list_2025-09-29.xlsx",
)
