"""Shared fixtures and helpers for the Protect lifecycle tests (store, CLI, HTTP API).

Everything runs on the real lists in ../shared/data/screening (skipped when absent). What the
tests expect of the UN files is computed here from the XML itself with ElementTree, not through
econsec's reader. Synthetic inputs are built in tmp from a real file and say so in their name.

The CLI and API modules import the helpers below (a conftest here is not visible to them).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from econsec import open_protect
from econsec.protect import compare
from econsec.settings import Settings
from tests.conftest import shared_file
from tests.store.conftest import POSTGRES_URL, fresh_database

UN_OLD = "screening/un/consolidated_2025-11-29.xml"
UN_NEW = "screening/un/consolidated_2026-01-28.xml"
OFAC_CONS = "screening/ofac/consolidated_non_sdn_2026-01-08.xml"
METI_BELARUS = "screening/jp_meti/list_belarus_tokutei.pdf.txt"
#: The UN record the 2026-01-28 file dropped (PROVENANCE.md: 727 -> 726 individuals).
REMOVED = "IQi.074"
#: A UN individual in both files, with an exact date of birth (for --birth-date tests).
LISTED_PERSON = "CDi.006"
#: A UN entity in both files (for Company / Organization queries).
LISTED_ENTITY = "CDe.004"


@dataclass(frozen=True)
class UnRecord:
    """One record of a UN consolidated list file, read independently of econsec."""

    ref: str
    kind: str  # INDIVIDUAL or ENTITY
    name: str  # FIRST_NAME..FOURTH_NAME joined, as printed by the UN
    birth_dates: tuple[str, ...]
    aliases: tuple[str, ...]
    xml: str  # the record's canonical XML: equal text, equal record


@cache
def un_file(path: Path) -> tuple[str, dict[str, UnRecord]]:
    """(publication date, records by reference number) of a UN consolidated list XML file."""
    root = ET.parse(path).getroot()
    records: dict[str, UnRecord] = {}
    for elem in root.iter():
        if elem.tag not in ("INDIVIDUAL", "ENTITY"):
            continue
        ref = (elem.findtext("REFERENCE_NUMBER") or "").strip()
        parts = [(elem.findtext(f"{n}_NAME") or "").strip() for n in ("FIRST", "SECOND")]
        parts += [(elem.findtext(f"{n}_NAME") or "").strip() for n in ("THIRD", "FOURTH")]
        dates = [
            (node.findtext("DATE") or node.findtext("YEAR") or "").strip()
            for node in elem.findall("INDIVIDUAL_DATE_OF_BIRTH")
        ]
        aliases = [
            (node.findtext("ALIAS_NAME") or "").strip()
            for node in elem.findall(f"{elem.tag}_ALIAS")
        ]
        records[ref] = UnRecord(
            ref=ref,
            kind=elem.tag,
            name=" ".join(p for p in parts if p),
            birth_dates=tuple(d for d in dates if d),
            aliases=tuple(a for a in aliases if a),
            xml=ET.canonicalize(ET.tostring(elem), strip_text=True),
        )
    return root.get("dateGenerated", "")[:10], records


def un_diff(old: Path, new: Path) -> tuple[set[str], set[str], set[str]]:
    """(added, removed, changed) reference numbers between two UN files, from the XML."""
    _, before = un_file(old)
    _, after = un_file(new)
    changed = {r for r in before.keys() & after.keys() if before[r].xml != after[r].xml}
    return after.keys() - before.keys(), before.keys() - after.keys(), changed


def truncated_copy(source: Path, folder: Path, keep: int = 6000) -> tuple[Path, int]:
    """A malformed copy of ``source``: its first ``keep`` lines and half of the next one, as a
    failed download leaves it. Returns the copy and the number of its last line."""
    lines = source.read_bytes().splitlines(keepends=True)
    assert len(lines) > keep + 1, f"{source} has only {len(lines)} lines"
    target = folder / source.name
    target.write_bytes(b"".join(lines[:keep]) + lines[keep][: len(lines[keep]) // 2])
    return target, keep + 1


#: The synthetic correction made to IQi.074 (its birth city re-spelt) and the copy's date.
CHANGED_CITY = ("<CITY>Heet</CITY>", "<CITY>Hit</CITY>")
CHANGED_DATE = "2025-12-15"


def changed_copy(source: Path, folder: Path) -> Path:
    """SYNTHETIC: the real 2025-11-29 UN file with one property of IQi.074 changed (its city of
    birth, 'Heet' -> 'Hit') and dateGenerated moved to 2025-12-15, every other byte as published.
    Models a publisher correcting a record between two publications."""
    text = source.read_text(encoding="utf-8")
    start = text.index(f"<REFERENCE_NUMBER>{REMOVED}</REFERENCE_NUMBER>")
    end = text.index("</INDIVIDUAL>", start)
    record = text[start:end]
    assert record.count(CHANGED_CITY[0]) == 1, record
    record = record.replace(*CHANGED_CITY)
    generated = 'dateGenerated="2025-11-29T00:00:06.501Z"'
    assert text.count(generated) == 1
    text = text[:start] + record + text[end:]
    text = text.replace(generated, f'dateGenerated="{CHANGED_DATE}T00:00:00.000Z"')
    target = folder / f"consolidated_{CHANGED_DATE}_synthetic.xml"
    target.write_text(text, encoding="utf-8")
    return target


def warm_matcher() -> None:
    """Run one comparison so the name analyser (rigour) is initialised in this process: it takes
    seconds the first time, and forked screening workers then inherit it instead of each paying."""
    compare("Germain Katanga", "GERMAIN KATANGA", schema="Person")


_HOMES: dict[str, Settings] = {}


def loaded_home(factory: pytest.TempPathFactory) -> Settings:
    """A data home shared read-only by a whole session: UN 2025-11-29 then 2026-01-28 (active),
    OFAC consolidated non-SDN 2026-01-08 and METI Belarus loaded, the screening index built."""
    if "home" not in _HOMES:
        un_old, un_new = shared_file(UN_OLD), shared_file(UN_NEW)
        ofac, meti = shared_file(OFAC_CONS), shared_file(METI_BELARUS)
        home = factory.mktemp("protect-home") / "home"
        settings = Settings(home=home, duckdb_threads=2, duckdb_memory_limit="1GB")
        protect = open_protect(settings)
        for fmt, path in (("un", un_old), ("un", un_new), ("ofac", ofac), ("meti", meti)):
            protect.load(fmt, [path])
        protect.screener()
        protect.store.app.dispose()
        _HOMES["home"] = settings
    return _HOMES["home"]


@pytest.fixture(scope="session")
def matcher_ready() -> None:
    """The name analyser initialised once for the session (see :func:`warm_matcher`)."""
    warm_matcher()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty app store on each backend: a SQLite file, or a fresh PostgreSQL database
    (skipped when the server is absent, failed instead with ECONSEC_REQUIRE_SERVICES=1)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.db'}"
        return
    with fresh_database(POSTGRES_URL) as url:
        yield url
