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

The Japanese country names (:func:`countries_in`, from ICU's Japanese locale) serve the MOF reader
too.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import icu
import openpyxl
from followthemoney.types import registry

from econsec.errors import DataError
from econsec.protect.lists.base import EXPORT_CONTROL, ListFormat, Publication, Record, files, make
from econsec.protect.lists.watchlist import version_of

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
KATAKANA = "\u30a0-\u30ff"
LATIN = re.compile(r"[A-Za-z]")
EXTRA_COUNTRIES = {
    "北朝鮮": "kp", "朝鮮民主主義人民共和国": "kp", "大韓民国": "kr", "中華人民共和国": "cn",
    "香港": "hk", "英国": "gb", "米国": "us", "ロシア連邦": "ru", "クウェイト": "kw",
    "サウディ・アラビア": "sa", "シリア・アラブ共和国": "sy", "イラン・イスラム共和国": "ir",
    "パレスチナ": "ps", "グルジア": "ge", "コンゴ民主共和国": "cd", "ミャンマー": "mm",
}  # fmt: skip


@cache
def country_names() -> list[tuple[str, str]]:
    """Japanese country names (from ICU, plus usual variants), longest first."""
    locale, names = icu.Locale("ja"), dict[str, str]()
    for code in sorted(registry.country.names):
        if len(code) == 2:
            name = icu.Locale("", code.upper()).getDisplayCountry(locale)
            if name != code.upper():
                names.setdefault(name, code)
                names.setdefault(re.sub(r"\s*\(.*\)", "", name), code)
    names.update(EXTRA_COUNTRIES)
    return sorted(names.items(), key=lambda item: -len(item[0]))


def countries_in(text: str) -> list[str]:
    """Country codes named in a Japanese or English text (a katakana name must not be part of a
    longer katakana word: マリ is not in マリアル)."""
    found: list[str] = []
    for name, code in country_names():
        pattern = rf"(?<![{KATAKANA}]){re.escape(name)}(?![{KATAKANA}])"
        if re.search(pattern, text):
            found.append(code)
            text = re.sub(pattern, " ", text)
    for token in re.split(r"[,()\n、;]", text):
        latin = registry.country.clean(token.strip(" .")) if LATIN.search(token) else None
        found += [latin] if latin else []
    return list(dict.fromkeys(found))


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


def load_book(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet of a workbook as rows of cell values (formulas as written)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # openpyxl: print areas, styles
            book = openpyxl.load_workbook(path, read_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException
        raise DataError("not an Excel workbook", path=path, got=str(exc)) from exc
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book}
    finally:
        book.close()


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
