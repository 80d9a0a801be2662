"""MOF asset-freeze list (資産凍結等経済制裁対象者リスト): the Ministry of Finance's Excel workbook.

Sheet ``一覧`` indexes the programs; each other sheet, ``<n>.<title>``, is one program. Program
sheets start with a title and notes, then a header row (found by its words: 告示番号, 日本語表記...)
whose columns differ from sheet to sheet and are mapped by header text, Japanese or English.
An entry is a row with a notice number (告示番号: ``12``, ``*3``, ``1(*186)``); rows without one
continue the entry above (vertically merged cells, long remarks). Rows marked 削除 (delisted) and
sheets marked 【解除】 (program lifted) hold no one and are counted, not read.

Properties: ``name`` (日本語表記 and 英語表記, brackets removed; the text as written and any
``original script`` name become aliases), ``alias``/``previousName``/``weakAlias`` (別名, 旧称,
確定に十分でない別名: split on (a)(b)..., ';', '、' or lines; a Latin name in brackets after a
Japanese one is an alias of its own), ``birthDate`` (Excel dates and serials, ``1964年1月1日``,
``1955年``), ``birthPlace`` and ``birthCountry``, ``nationality``, ``passportNumber``,
``idNumber``, ``address`` and ``country``, ``title``, ``position``, ``phone``, ``createdAt`` (the
designation date) and ``modifiedAt`` (the last 改訂), ``program`` (the index title), ``notes``.
Schema: Person or Organization when the sheet says 個人 or 団体/銀行; on mixed sheets a birth date,
nationality, passport or title means a person, a Japanese name in kanji (foreign people are
written in katakana) or a word such as Company/Bank/Front an organisation; else LegalEntity.
Delisted rows, lifted sheets and a numbered row without a name are counted in the notes.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from followthemoney.proxy import EntityProxy
from openpyxl.utils.datetime import from_excel

from econsec.errors import DataError
from econsec.protect.lists.base import (
    SANCTION,
    ListFormat,
    Publication,
    Record,
    files,
    make,
    version_of,
)
from econsec.protect.lists.japanese import countries_in, groups, strip_groups
from econsec.protect.lists.workbook import load_book

LIST_NAME = "mof-asset-freeze"
INDEX = "一覧"
JP = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
ORGANIZATION = re.compile(
    r"\b(?:co|corp\w*|company|bank|ltd|llc|inc|ag|sa|trust|foundation|organi[sz]ation|front|army"
    r"|group|brigades?|battalion|regiment|movement|network|exchange|committee|authority|cent(?:re|er)"
    r"|hospital|portfolio|province|state|jihad|branch|offices?|federation|union|party)\b",
    re.I,
)
ENUM = re.compile(r"\(\s*[a-zA-Z]\s*\)|©|(?:^|(?<=[\s、,;:]))[1-9a-z]\)")
TAIL = re.compile(r"(?:、|,)?\s*(?:\d{4}年|\bDOB\b|\bborn\b|\bPOB\b|生年月日|出生地|。).*$", re.S)
SCRIPT = re.compile(
    r"\(?\s*orig\w*\s+sc\w*\s*:\s*([^()]*)\)?|\(([^()]*):\s*orig\w*\s+sc\w*\s*\)", re.I
)
LABEL = re.compile(r"^\(?\s*(?:別称|別名|a\.?k\.?a\.?|旧称|f\.?k\.?a\.?)\s*[):、,]?\s*", re.I)
UNKNOWN = {"", "不明", "なし", "無し", "-", "ー", "該当なし", "unknown", "none"}
JP_DATE = re.compile(r"(\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?")
ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
NOTICE_DATE = re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})")
REMARK = re.compile(r"\([^()]*(?:生まれ|番号|旅券|時点|発行|失効)[^()]*\)")
NUMBER = re.compile(r"^[*#]?\s*(\d+)")
DOCUMENT = re.compile(r"(?<![A-Za-z0-9])(?=[A-Z0-9/-]*\d{3})[A-Z0-9][A-Z0-9/-]{3,}(?![A-Za-z0-9])")
#: Field -> its headers (NFKC, lower case, no spaces), Japanese and English; a header that starts
#: with one matches too ("所在地・住所\n登録された事務所の住所" is an address).
FIELDS = {
    "date": "告示日付 noticedate designationdate",
    "number": "告示番号 noticenumber no.",
    "name_ja": "日本語表記 japanesename",
    "name_en": "英語表記 englishname name",
    "alias": "別名 別称 確定可能な別名 別称・旧称 別名・別称 別称・別名 alias aka a.k.a.",
    "previous": "旧称 過去の別名 以前の別名 旧称・以前の呼称 formername fka",
    "weak": "確定に十分でない別名 lowqualityaka weakalias",
    "title": "称号 title",
    "position": "役職 肩書 肩書等 position designation",
    "birth": "生年月日・出生地",
    "dob": "生年月日 dateofbirth dob",
    "pob": "出生地 placeofbirth pob",
    "nationality": "国籍 nationality",
    "passport": "旅券番号 passport passportnumber",
    "id": "id番号 身分登録番号 身分証番号 idnumber nationalid",
    "address": "住所 所在地 住所・所在地 住所等 活動地域・住所 所在地・住所 address",
    "listed": "国連制裁員会による指定日 国連制裁委員会による指定日 リスト掲載日 listedon",
    "un_ref": "国連参照番号 unreference",
    "phone": "電話 電話番号 phone telephone",
    "notes": "その他の情報 詳細 指定の根拠 決議1483上の根拠 fax otherinformation remarks",
}
HEADERS = {header: key for key, headers in FIELDS.items() for header in headers.split()}
REQUIRED = {
    "number": "告示番号",
    "date": "告示日付",
    "name_ja": "日本語表記",
    "name_en": "英語表記",
}
NAMES = {"name_ja", "name_en"}
PERSONAL = ("dob", "birth", "pob", "nationality", "passport", "title")
Fields = dict[str, list[str]]


def text_of(value: Any) -> str:
    """A cell as NFKC text with single spaces in each line."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    text = "".join(c for c in str(value) if unicodedata.category(c) != "Cf")  # bidi marks
    lines = unicodedata.normalize("NFKC", text).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip()


def known(text: str) -> bool:
    """Whether a value says something (not 不明, unknown)."""
    return text.strip(" .。").lower() not in UNKNOWN


def field_of(header: str) -> str | None:
    """The field a header maps to."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", header)).lower()
    if key in HEADERS:
        return HEADERS[key]
    return next(
        (HEADERS[k] for k in sorted(HEADERS, key=len, reverse=True) if key.startswith(k)), None
    )


def error(message: str, where: dict[str, Any], **detail: Any) -> DataError:
    """A DataError naming the file, the sheet and the row."""
    sheet = f"sheet {where['sheet']!r}: "
    return DataError(sheet + message, path=where["path"], row=where.get("row"), **detail)


def dates_in(value: Any, where: dict[str, Any], name: str) -> list[str]:
    """Dates in a cell: Excel dates or serials, 1964年1月1日, 1955年, 2022/10/21, 2022-10-21."""
    if isinstance(value, dt.datetime):
        return [value.date().isoformat()]
    if isinstance(value, int | float) and 1 <= value < 80000:
        return [from_excel(value).date().isoformat()]
    text, out = text_of(value), []
    for match in [*JP_DATE.finditer(text), *ISO_DATE.finditer(text)]:
        parts = [int(p) for p in match.groups() if p]
        try:
            dt.date(parts[0], *[*parts[1:], 1, 1][:2])
        except ValueError as exc:
            raise error("bad date", where, field=name, got=match.group(0)) from exc
        out.append("-".join(f"{p:02d}" for p in parts))
    return out


def pieces(text: str, comma: bool = True, lines: bool = True) -> list[str]:
    """The items of a list cell: lines, then ';', (a)(b)... or '、' (outside brackets)."""
    out: list[str] = []
    for line in text.split("\n") if lines else [" ".join(text.split("\n"))]:
        for part in line.split(";"):
            if ENUM.search(part):
                parts = ENUM.split(part)
            else:
                parts = split_top(part, "、") if comma and ";" not in line else [part]
            out += [p.strip(" 、,.") for p in parts if known(p.strip(" 、,."))]
    return out


def joined(part: str) -> list[str]:
    """Full names run together in one item: '、' between katakana names (each with a '・'; a
    lone 'アミン' is a given name after the surname), ', ' between names of three words or more."""
    japanese = split_top(part, "、")
    if len(japanese) > 1 and all("・" in name for name in japanese):
        return japanese
    latin = part.split(", ")
    if len(latin) > 1 and not JP.search(part) and all(len(n.split()) >= 3 for n in latin):
        return latin
    return [part]


def split_top(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside brackets."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += (char in "(「") - (char in ")」")
        if char == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def unwrap(text: str) -> str:
    """The inside of a bracket pair that encloses the whole text; a dangling bracket dropped."""
    text = text.strip()
    if text.startswith("(") and text.endswith(")") and groups(text) == [text[1:-1]]:
        text = text[1:-1].strip()
    while text.count(")") > text.count("(") and text.endswith(")"):
        text = text[:-1].strip()
    while text.count("(") > text.count(")") and text.startswith("(") and not ENUM.match(text):
        text = text[1:].strip()
    return text + ")" * max(0, text.count("(") - text.count(")"))


def scripts(text: str) -> tuple[str, list[str]]:
    """The text without its ``(original script: ...)`` notes, and the names they give."""
    found = [" ".join((a or b).split()) for a, b in SCRIPT.findall(text)]
    return SCRIPT.sub(" ", text), [name for name in found if named(name)]


def named(text: str) -> bool:
    """Whether a name has a letter in it (not '.' or a stray mark)."""
    return any(char.isalpha() for char in text) and len(text.strip()) > 1


def names_in(text: str, kind: str) -> Iterator[tuple[str, str]]:
    """(property, name) pairs of an alias cell. A label (別称, a.k.a., 旧称) sets the kind
    for its line and the unlabelled (translated) lines after it; a Latin name in brackets after
    a Japanese one is a name of its own; remarks in brackets (生まれ, 旅券番号) are dropped."""
    prop, count = kind, 0
    for line in text.split("\n"):
        line = unwrap(line)
        if label := LABEL.match(line):
            prop = "previousName" if re.search(r"旧称|f\.?k\.?a", label[0], re.I) else kind
            line = unwrap(line[label.end() :])
        line, originals = scripts(line)
        yield from ((prop, name) for name in originals)
        parts = pieces(line)
        if not JP.search(line) and count > 1 and len(line.split(", ")) == count:
            parts = line.split(", ")  # the English of a '、'-separated Japanese line
        plain = JP.search(line) and ";" not in line and not ENUM.search(line)
        count = len(parts) if plain else 0
        for part in (name for item in parts for name in joined(item)):
            while (dropped := re.sub(REMARK, "", part)) != part:
                part = dropped
            part = unwrap(
                TAIL.sub("", unwrap(LABEL.sub("", unwrap(re.sub(r"【[^】]*】", "", part)))))
            )
            for group in groups(part):  # a name in another script, in brackets
                latin, japanese = LATIN.search(group), JP.search(group)
                if (JP.search(part) and latin and not japanese) or not (latin or japanese):
                    part = part.replace(f"({group})", " ")
                    yield prop, " ".join(re.sub(r"[()]", " ", LABEL.sub("", group)).split())
            part = " ".join(re.sub(r"\(\s*\)", "", part).split()).strip(" ,、")
            if known(part) and named(part) and not re.search(r"番号|旅券|生まれ", part):
                yield prop, part


def add_names(entity: EntityProxy, text: str) -> None:
    """Names of a name cell, brackets removed; aliases: the text as written, original scripts."""
    for line in text.split("\n"):
        line, originals = scripts(line)
        entity.add("alias", originals)
        for name in filter(named, (n.strip(" ,.") for n in split_top(line, "、"))):
            plain = " ".join(strip_groups(name).split()).strip(" ,")
            entity.add("name", plain or name.strip())
            if plain and plain != name.strip():
                entity.add("alias", name.strip())


def schema_of(titles: Sequence[str], values: Fields) -> str:
    """Person or Organization from the sheet (個人 / 団体, 銀行), else from the row."""
    for title in titles:
        person, group = "個人" in title, "団体" in title or "銀行" in title
        if person != group:
            return "Person" if person else "Organization"
    if any(known(v) for key in PERSONAL for v in values.get(key, [])):
        return "Person"
    if any(HAN.search(name) for name in values.get("name_ja", [])):
        return "Organization"  # foreign people are written in katakana, bodies in kanji
    if any(ORGANIZATION.search(name) for name in values.get("name_en", [])):
        return "Organization"
    return "LegalEntity"


def entity_of(
    values: Fields, raw: dict[str, list[Any]], schema: str, where: dict[str, Any], source_id: str
) -> EntityProxy:
    """One entity from the merged fields of an entry (text and raw cell values)."""
    entity = make(schema, LIST_NAME, source_id)
    for key in ("name_ja", "name_en"):
        for text in values.get(key, []):
            add_names(entity, text)
    for key, prop in (("alias", "alias"), ("previous", "previousName"), ("weak", "weakAlias")):
        for text in values.get(key, []):
            for name_prop, name in names_in(text, prop):
                entity.add(name_prop, name)
    is_person = entity.schema.is_a("Person")
    notes: list[str] = []
    for value in raw.get("dob", []) + raw.get("birth", []):
        entity.add("birthDate" if is_person else "notes", dates_in(value, where, "生年月日"))
    for text in values.get("birth", []):
        place_text = re.sub(r"^.*?日|生$|\n.*", "", text.split("\n")[0]).strip(" 生")
        values.setdefault("pob", []).append(place_text)
    for text in filter(known, values.get("pob", [])):
        entity.add("birthPlace" if is_person else "notes", pieces(text, comma=False) or text)
        entity.add("birthCountry" if is_person else "country", countries_in(text))
    for text in filter(known, values.get("nationality", [])):
        entity.add("nationality" if is_person else "country", countries_in(text))
    for key, prop in (("passport", "passportNumber"), ("id", "idNumber")):
        for text in filter(known, values.get(key, [])):
            found = [t for t in DOCUMENT.findall(text) if not (t.isdigit() and len(t) <= 4)]
            entity.add(prop if (is_person or key == "id") else "notes", found or text)
    for text in filter(known, values.get("address", [])):
        lines = all(countries_in(line) for line in text.split("\n"))  # one address a line
        entity.add("address", pieces(text, comma=False, lines=lines) or text)
        entity.add("country", countries_in(text))
    for key in ("title", "position"):
        for text in filter(known, values.get(key, [])):
            entity.add(key if is_person else "notes", pieces(text) if is_person else text)
    for text in filter(known, values.get("phone", [])):
        entity.add("phone", re.split(r"[,/;、]", text), quiet=True)
    for value in raw.get("listed", []):
        notes += [f"UN listing: {d}" for d in dates_in(value, where, "リスト掲載日")[:1]]
    notes += [f"UN reference: {t}" for t in values.get("un_ref", []) if known(t)]
    notes += [t for t in values.get("notes", []) if known(t)]
    entity.add("notes", notes)
    return entity


def notice_dates(text: str, where: dict[str, Any]) -> list[str]:
    """Designation then revision dates of 告示日付 (``2001.9.22\\n2008.6.25改訂``)."""
    out = []
    for match in NOTICE_DATE.finditer(text):
        y, m, d = (int(p) for p in match.groups())
        try:
            out.append(dt.date(y, m, d).isoformat())
        except ValueError as exc:
            raise error("bad date", where, field="告示日付", got=match.group(0)) from exc
    if not out:
        raise error("no designation date", where, field="告示日付", got=text)
    return out


def find_header(rows: list[tuple[Any, ...]]) -> tuple[int, dict[int, str]] | None:
    """The header row: the first with a notice-number or name column and two more it knows."""
    for index, row in enumerate(rows[:12]):
        fields = {i: f for i, v in enumerate(row) if v is not None and (f := field_of(str(v)))}
        if len(fields) >= 3 and {"number", "name_ja", "name_en"} & set(fields.values()):
            return index, fields
    return None


def read_sheet(
    path: Path, title: str, rows: list[tuple[Any, ...]], program: str, notes: list[str]
) -> list[Record]:
    """The entries of one program sheet."""
    where: dict[str, Any] = {"path": path, "sheet": title}
    found = find_header(rows)
    if found is None:
        if "解除" in title:
            lifted = "; ".join(text_of(r[0]) for r in rows if r and r[0] and "廃止" in str(r[0]))
            notes.append(f"sheet {title}: program lifted, no entries ({lifted})")
            return []
        raise error("no header row", where, expected="告示番号, 日本語表記")
    head, columns = found
    for key, header in REQUIRED.items():
        if key not in columns.values():
            raise error("missing column", {**where, "row": head + 1}, field=header)
    entries: list[tuple[int, dict[str, list[Any]]]] = []
    deleted, nameless = 0, []
    for index, row in enumerate(rows[head + 1 :], start=head + 2):
        cells = {columns[i]: v for i, v in enumerate(row) if i in columns and text_of(v)}
        if not cells:
            continue
        if "number" in cells:
            if "削除" in text_of(cells.get("date")) and not NAMES & cells.keys():
                deleted += 1
                continue
            entries.append((index, {}))
        elif not entries:
            raise error("text before the first entry", {**where, "row": index})
        for key, value in cells.items():  # a row without a number continues the entry above
            entries[-1][1].setdefault(key, []).append(value)
    records, seen = [], set()
    number = m[1] if (m := re.match(r"\s*(\d+)", title)) else title
    for index, raw in entries:
        at = {**where, "row": index}
        values = {key: [text_of(v) for v in cell] for key, cell in raw.items()}
        written = values["number"][0]
        if (match := NUMBER.match(written)) is None:
            raise error("bad notice number", at, field="告示番号", got=written)
        if not NAMES & values.keys():
            nameless.append(f"row {index} (no. {written})")
            continue
        source_id = f"{number}-{int(match[1])}"
        if source_id in seen:
            raise error("duplicate notice number", at, field="告示番号", got=written)
        seen.add(source_id)
        dates = notice_dates(values.get("date", [""])[0], at)
        entity = entity_of(values, raw, schema_of([title, program], values), at, source_id)
        entity.add("notes", f"告示番号 {written}" if written != match[1] else None)
        entity.add("createdAt", dates[0])
        entity.add("modifiedAt", dates[-1] if len(dates) > 1 else None)
        entity.add("program", program)
        entity.add("topics", SANCTION)
        records.append(Record(entity, source_id))
    note = f"sheet {title}: {len(records)} entries"
    note += f", {deleted} delisted rows skipped" if deleted else ""
    note += f", skipped without a name: {', '.join(nameless)}" if nameless else ""
    notes.append(note)
    return records


def read(paths: Sequence[Path]) -> Publication:
    """Read the MOF asset-freeze workbook: every program sheet, entries merged over rows."""
    found = files(paths, suffixes=(".xlsx",))
    if len(found) != 1:
        raise DataError(f"one workbook per load; got {len(found)}", path=found[0])
    path = found[0]
    sheets = load_book(path)
    programs = {
        str(row[0]): text_of(row[1]).replace("\n", " ")
        for row in sheets.pop(INDEX, [])
        if row and len(row) > 1 and isinstance(row[0], int) and row[1]
    }
    notes: list[str] = []
    records: list[Record] = []
    for title, rows in sheets.items():
        number = m[1] if (m := re.match(r"\s*(\d+)", title)) else ""
        program = programs.get(number) or re.sub(r"^\s*\d+\.\s*", "", title).strip()
        records += read_sheet(path, title.strip(), rows, program, notes)
    notes.insert(0, f"{len(records)} entries in {len(sheets)} program sheets")
    return Publication(LIST_NAME, version_of(path), iter(records), notes)


FORMAT = ListFormat(
    name="mof",
    title="MOF asset-freeze list (資産凍結等経済制裁対象者リスト)",
    publisher="Ministry of Finance (財務省 国際局), Japan",
    licence="Japanese Government Standard Terms of Use (CC BY 4.0 compatible)",
    read=read,
    description="The MOF Excel workbook under the Foreign Exchange and Foreign Trade Act (FEFTA).",
    sample="../shared/data/screening/jp_official/jp_mof_asset_freeze_list_2026-03-05.xlsx",
)
