"""METI export-ban lists: entities of Russia, Belarus and third countries (text of the PDF notices).

METI publishes each list as a PDF; we read the text extracted from it (OpenSanctions keeps copies in
``datasets/jp/meti_ru/``). One file is one list. Its header names the MOFA notice (告示), the
designation date (指定日) and the last update (最終更新日); then each entry reads::

    <no> <Japanese name>[(別称、<Japanese aliases>)]
    <English name>[, a.k.a., the following <n> aliases:]
    -<alias>;                              (older entries)
    別称:<Japanese aliases>                 (newer entries: two lines, Japanese then English,
    <English aliases>                        ';'-separated)
    所在地:<address>[; and <address>]

(brackets and colons are full-width in the files). Properties: ``name`` (the Japanese and the
English name), ``alias`` (both lists, and Chinese names in brackets), ``address`` (split on
'; and'), ``country`` (from each address; the list's country when an address names none),
``program`` (the notice title), ``notes`` (the descriptive text of entries such as the
Ministry of Defence), ``topics``.

Extraction artefacts handled: full-width digits and punctuation (NFKC); the next entry glued onto
the last address line (``...Russia.25 株式会社...``) or the English name glued onto the Japanese
one; names, aliases and addresses wrapped over lines (a wrapped line is told from a new one by
its script and by unbalanced brackets); ``所 在 地`` spelt with spaces; the address glued onto an
alias line; repeated page headers and bare page numbers (not in the current files, but PDFs
produce them). Entries are found by their number, which must run 1, 2, 3... so a stray number in
an address is never taken for an entry, and a gap is an error.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from followthemoney.types import registry

from econsec.errors import DataError
from econsec.protect.lists.base import EXPORT_CONTROL, ListFormat, Publication, Record, files, make
from econsec.protect.lists.japanese import groups, strip_groups

JP = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
KANA = re.compile(r"[\u3040-\u30ff]")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
ADDRESS = re.compile(r"所\s*在\s*地\s*:\s*")
ALIASES = re.compile(r"^別\s*称\s*:\s*")
DASH = re.compile(r"^\s*[-\u2010-\u2015]\s*")
AKA = re.compile(r",?\s*\b(?:a\.k\.a\b\.?|the\s*following\b).*$", re.I | re.S)
ANNOUNCED = re.compile(r"following\s*(\w+?)\s*alias", re.I)
PAGE = re.compile(
    r"^(?:[-\u2010-\u2015]\s*\d{1,3}\s*[-\u2010-\u2015]|\d{1,3}\s*/\s*\d{1,3}|\d{1,3})$"
)
DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
QUOTES = "\u201c\u2018"  # opening curly quotes may start an English name
WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
WORDS += ["eleven", "twelve"]

#: Phrase of the notice title -> (list name, country of entities whose address names none).
KINDS = (
    ("ロシア連邦及びベラルーシ共和国以外", "meti-third-countries", None),
    ("ロシア連邦", "meti-russia", "ru"),
    ("ベラルーシ共和国", "meti-belarus", "by"),
)


@dataclass(slots=True)
class Entry:
    """The lines of one numbered entry; the first starts after the number."""

    number: int
    line: int
    lines: list[str] = field(default_factory=list)


def clean(line: str) -> str:
    """NFKC (full-width digits, brackets, colons become ASCII) and single spaces."""
    return " ".join(unicodedata.normalize("NFKC", line).split())


def join(lines: Sequence[str]) -> str:
    """Wrapped lines as one text: Japanese joins without a space, hyphenated words close up."""
    out = ""
    for line in filter(None, (ln.strip() for ln in lines)):
        if out and not out.endswith("-") and not (JP.search(out[-1]) or JP.search(line[0])):
            out += " "
        out += line
    return out.strip()


def variants(name: str) -> list[str]:
    """A name and, split off it, the Chinese names in brackets (``Co Ltd(深圳...公司)``)."""
    chinese = [g for g in groups(name) if HAN.search(g) and not KANA.search(g)]
    for group in chinese:
        name = name.replace(f"({group})", " ")
    found = [" ".join(name.split()).strip(" ,;")]
    found += [v for g in chinese for part in g.split("、") for v in variants(part)]
    return [v for v in found if v]


def first_sentence(text: str) -> str:
    """The text up to the first '。' outside brackets (the rest describes the entity)."""
    depth = 0
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if char == "。" and depth == 0:
            return text[:i]
    return text


def split_jp(text: str) -> list[str]:
    """Japanese aliases: '、' or ';' between names, '及び' before the last one."""
    parts = [p.strip() for p in re.split(r"[、;]", text) if p.strip()]
    if parts and "及び" in parts[-1]:
        parts[-1:] = [p.strip() for p in parts[-1].rsplit("及び", 1) if p.strip()]
    return [v for p in parts for v in variants(p)]


def split_names(text: str) -> tuple[str, str] | None:
    """Split ``<Japanese name><English name>`` at the first place before which brackets are
    balanced (a wrapped Japanese line may be ASCII) and after which no Japanese remains but
    Chinese names in brackets.
    """
    for i in range(1, len(text)):
        char, before = text[i], text[i - 1]
        if not (char.isascii() and (char.isalnum() or char in "\"'(")) and char not in QUOTES:
            continue
        if char == "(" and JP.search(text[i:].split(")")[0]):
            continue
        if not (before == "\n" or JP.match(before) or before in ")」』"):
            continue
        head, tail = text[:i], text[i:]
        if not JP.search(head) or head.count("(") != head.count(")"):
            continue
        if not (JP.search(strip_groups(tail)) or KANA.search(tail) or "別称" in tail):
            return head, tail
    return None


def find_start(line: str, number: int, in_address: bool) -> int | None:
    """Where entry ``number`` starts in ``line``: at its start, or glued after an address."""
    match = re.match(rf"{number}(?!\d)\s*(?![年月日./,)-])(?=\S)", line)
    if match and JP.search(line[match.end() :]):
        return 0
    marker = ADDRESS.search(line)
    if not (in_address or marker):
        return None
    begin = marker.end() if marker else 0
    pattern = rf"(?<=[^\d\s/-]){number}(?!\d)\s*(?=[^\s\d])"
    for match in re.finditer(pattern, line[begin:]):
        if JP.search(line[begin + match.end() :]):
            return begin + match.start()
    return None


def split_entries(
    lines: list[str], first_line: int, path: Path
) -> tuple[list[Entry], Counter[str]]:
    """Cut the body into numbered entries; returns them and counts of the artefacts met."""
    entries: list[Entry] = []
    seen: Counter[str] = Counter()
    in_address = False
    for offset, line in enumerate(lines):
        lineno = first_line + offset
        number = len(entries) + 1
        if not line:
            continue
        if line == str(number) and offset + 1 < len(lines) and JP.search(lines[offset + 1]):
            entries.append(Entry(number, lineno))  # number alone, name on the next line
            seen["entry numbers alone on a line"] += 1
            in_address = False
            continue
        start = find_start(line, number, in_address)
        if start is None and PAGE.match(line):
            seen["page-number lines dropped"] += 1
            continue
        if start is None:
            if not entries:
                raise DataError("text before entry 1", path=path, line=lineno, got=line[:60])
            if in_address and find_start(line, number + 1, False) == 0:
                raise DataError(
                    f"entry {number} is missing", path=path, line=lineno, field="number"
                )
            entries[-1].lines.append(line)
            in_address = in_address or bool(ADDRESS.search(line))
            continue
        if start:
            entries[-1].lines.append(line[:start].rstrip())
            seen["entries glued to the line before"] += 1
        text = line[start:]
        entries.append(Entry(number, lineno, [text[len(str(number)) :].strip()]))
        in_address = bool(ADDRESS.search(text))
    return entries, seen


def wraps(line: str) -> bool:
    """Whether an alias line was wrapped mid-word: it reaches the margin (a bullet line left
    without its ';' is short) and has no ';', '.' or 'and' at its end."""
    return len(line) > 50 and line[-1:].isalpha() and not re.search(r"\band$", line)


def parse_aliases(lines: list[str]) -> list[str]:
    """Dash-bulleted aliases, each possibly wrapped, ending in ';', '; and' or '.'."""
    items: list[list[str]] = []
    glued = re.sub(r"(;\s*(?:and)?)\s*(?=[-\u2010-\u2015])", "\\1\n", "\n".join(lines))
    for line in glued.split("\n"):
        if items and re.match(r"-\w", line) and wraps(items[-1][-1]):
            items[-1][-1] += line  # "...Institute of Solid" + "-State Physics"
        elif DASH.match(line) or not items:
            items.append([DASH.sub("", line)])
        else:
            items[-1].append(line)
    out = []
    for n, item in enumerate(items):
        text = re.sub(r"(?:[\s;,]|\band)+$", "", join(item))
        out += variants(text[:-1] if n == len(items) - 1 and text.endswith(".") else text)
    return out


def parse_entry(entry: Entry, path: Path) -> dict[str, list[str]]:
    """Names, aliases, addresses and notes of one entry."""
    names: list[str] = []
    address: list[str] = []
    for i, line in enumerate(entry.lines):
        if match := ADDRESS.search(line):
            names += [line[: match.start()].strip()] if line[: match.start()].strip() else []
            address = [line[match.end() :], *entry.lines[i + 1 :]]
            break
        names.append(line)
    if not address or not join(address):
        raise DataError(
            f"entry {entry.number} has no address", path=path, line=entry.line, field="所在地"
        )
    text = re.sub(r"(alias(?:es)?\s*:)\s*(?=[-\u2010-\u2015])", "\\1\n", "\n".join(names))
    names = text.split("\n")
    marker = next((i for i, line in enumerate(names) if ALIASES.match(line)), len(names))
    dashed = next((i for i, ln in enumerate(names[1:marker], 1) if DASH.match(ln)), marker)
    split = split_names("\n".join(names[:dashed]))
    if split is None:
        raise DataError(
            f"entry {entry.number} has no English name", path=path, line=entry.line, field="name"
        )
    jp_text, en_text = join(split[0].split("\n")), join(split[1].split("\n"))
    out: dict[str, list[str]] = {"name": [], "alias": [], "notes": [], "announced": []}
    out["english"] = []
    if "。" in jp_text or re.search(r",\s+including\b", en_text):
        out["notes"] += [jp_text, en_text]
    jp_name = first_sentence(jp_text)
    for group in groups(jp_name):
        if jp_name.startswith(f"({group})"):
            continue  # a legal form before the name: (有限会社)...
        if group.startswith("別称"):
            out["alias"] += split_jp(re.sub(r"^別\s*称\s*[、,:]?", "", group))
        elif HAN.search(group) and not KANA.search(group):
            out["alias"] += variants(group)
        elif not KANA.search(group):
            continue  # ASCII abbreviations stay in the name
        jp_name = jp_name.replace(f"({group})", " ")
    out["name"].append(" ".join(jp_name.split()))
    if announced := ANNOUNCED.search(en_text):
        out["announced"].append(announced.group(1).lower())
    en_name = re.split(r",\s+including\b", AKA.sub("", en_text))[0]
    en_variants = variants(en_name)
    out["name"] += en_variants[:1]
    out["alias"] += en_variants[1:]
    out["english"] = parse_aliases(names[dashed:marker])
    out["alias"] += out["english"]
    listed = names[marker:]
    if listed:
        listed[0] = ALIASES.sub("", listed[0])
        jp_lines = [ln for ln in listed if JP.search(ln)]
        en_lines = [ln for ln in listed if not JP.search(ln)]
        out["alias"] += split_jp(join(jp_lines)) if jp_lines else []
        listed_english = [v for a in join(en_lines).split(";") for v in variants(a)]
        out["english"] += listed_english
        out["alias"] += listed_english
    out["address"] = [
        a.strip(" .,") for a in re.split(r";\s*(?:and\s+)?", join(address)) if a.strip(" .,")
    ]
    return out


def country_of(address: str) -> str | None:
    """The country an address ends with (Hong Kong counts as Hong Kong, not China)."""
    if re.search(r"\bHong\s*Kong\b", address, re.I):
        return "hk"
    tokens = [t.strip(" .") for t in address.split(",")]
    for token in reversed(tokens[-2:]):
        words = re.sub(r"[\d-]+", " ", token).split()
        for candidate in (" ".join(words), words[-1] if words else ""):
            if (len(candidate) >= 4 or candidate.isupper()) and (
                code := registry.country.clean(candidate)
            ):
                return code
    return None


def header(lines: list[str], path: Path) -> tuple[str, str | None, int]:
    """The notice title, the last-update date and the index of the first entry line."""
    for i, line in enumerate(lines[:12]):
        if line.startswith("最終更新日"):
            title = join([ln for ln in lines[:i] if not ln.startswith("指定日")]).lstrip("○ ")
            match = DATE.search(line.replace(" ", ""))
            try:
                version = dt.date(*(int(g) for g in match.groups())).isoformat() if match else None
            except ValueError as exc:
                raise DataError(
                    "bad date", path=path, line=i + 1, field="最終更新日", got=line
                ) from exc
            return title, version, i + 1
    raise DataError(
        "not a METI export-ban list: no '最終更新日' (last updated) line in the header",
        path=path,
        expected="the text of a METI list PDF (Russia, Belarus or third countries)",
    )


def version_from_name(path: Path) -> str | None:
    """The date a METI file name starts with (``250912_list_...`` is 2025-09-12)."""
    match = re.match(r"(\d{2})(\d{2})(\d{2})_", path.name)
    return f"20{match[1]}-{match[2]}-{match[3]}" if match else None


def read(paths: Sequence[Path]) -> Publication:
    """Read one METI list (the text of its PDF) into Organization entities."""
    found = files(paths, suffixes=(".txt",))
    if len(found) != 1:
        raise DataError(
            f"one METI list per load; got {len(found)} files",
            path=found[0],
            expected="one of list_russia / list_belarus / list_daisangoku",
        )
    path = found[0]
    try:
        raw = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise DataError("not UTF-8 text", path=path, got=str(exc)) from exc
    lines = [clean(line) for line in raw]
    title, version, body = header(lines, path)
    kind = next((k for k in KINDS if k[0] in title), None)
    if kind is None:
        raise DataError("unknown METI list", path=path, field="title", got=title)
    _, list_name, default_country = kind
    repeated = {ln for ln in lines[: body - 1] if ln}
    body_lines = ["" if ln in repeated else ln for ln in lines[body:]]
    entries, seen = split_entries(body_lines, body + 1, path)
    seen["repeated title lines dropped"] = sum(1 for ln in lines[body:] if ln in repeated)
    notes = [f"{len(entries)} entries in {path.name} ({title})"]
    named = version_from_name(path)
    if named and version and named != version:
        notes.append(f"file name says {named}, text says last updated {version}")
    version = version or named
    notes += [f"{n} {what}" for what, n in sorted(seen.items()) if n]
    records: list[Record] = []
    for entry in entries:
        parsed = parse_entry(entry, path)
        entity = make("Organization", list_name, str(entry.number))
        entity.add("name", parsed["name"])
        entity.add("alias", [a for a in parsed["alias"] if a not in parsed["name"]])
        entity.add("address", parsed["address"])
        countries = [country_of(a) or default_country for a in parsed["address"]]
        entity.add("country", [c for c in countries if c])
        entity.add("notes", parsed["notes"])
        entity.add("program", title)
        entity.add("topics", EXPORT_CONTROL)
        for word in parsed["announced"]:
            if word in WORDS and WORDS.index(word) + 1 != len(parsed["english"]):
                notes.append(
                    f"entry {entry.number}: announces {word} aliases, lists"
                    f" {len(parsed['english'])}"
                )
        records.append(Record(entity, str(entry.number)))
    return Publication(list_name, version, iter(records), notes)


FORMAT = ListFormat(
    name="meti",
    title="METI export-ban lists (Russia, Belarus, third countries)",
    publisher="Ministry of Economy, Trade and Industry (METI), Japan; designations by MOFA notices",
    licence="Japanese Government Standard Terms of Use (CC BY 4.0 compatible)",
    read=read,
    description="Text extracted from the METI PDF notices; one file is one list.",
    sample="../shared/data/screening/jp_meti/ (PROVENANCE.md section 4)",
)
