"""What a list reader is and returns.

A reader turns the files of one list publication into FollowTheMoney entities
(``followthemoney.model``), so OpenSanctions data and econsec's own readers share one model.
Each entity keeps the list's own record id (``source_id``: OFAC ent_num, UN reference number,
METI entry number...). The list name and publication date travel with the result, so that every
stored entity knows its list and list version.

Readers read whole files, raise :class:`~econsec.errors.DataError` naming the file, line (or row,
sheet) and field of the first problem, and never write anything: storing a list version is the
screening store's job, done in one transaction.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from followthemoney import model
from followthemoney.proxy import EntityProxy

from econsec.errors import DataError

#: Topics (FollowTheMoney ``topics`` values) a list's entities carry.
SANCTION = "sanction"
EXPORT_CONTROL = "export.control"
#: Publishers' pages for ``sourceUrl``: an OFAC record (by ``uid`` or ``ent_num``), the UN list.
OFAC_RECORD_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={}"
UN_LIST_URL = "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list"


@dataclass(slots=True)
class Record:
    """One listed party: its FollowTheMoney entity and the list's own record id."""

    entity: EntityProxy
    source_id: str


@dataclass(slots=True)
class Publication:
    """What a reader found: which list, which publication (date), and its records."""

    name: str  # the list: ofac-sdn, un-sc, meti-eul, ...
    version: str | None  # publication date, YYYY-MM-DD
    records: Iterator[Record]
    notes: list[str] = field(default_factory=list)


Reader = Callable[[Sequence[Path]], Publication]


@dataclass(frozen=True, slots=True)
class ListFormat:
    """A list format econsec reads (``econsec protect lists load FORMAT PATH...``)."""

    name: str
    title: str
    publisher: str
    licence: str
    read: Reader
    description: str = ""
    sample: str = ""  # where a real sample is, or why none is bundled


def slug(text: str) -> str:
    """A stable id fragment: ASCII letters and digits joined by '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def make(schema: str, list_name: str, source_id: str) -> EntityProxy:
    """A new entity of ``schema`` with the id ``<list>-<source id>``."""
    entity = model.make_entity(schema)
    entity.id = f"{slug(list_name)}-{slug(source_id)}"
    return entity


def files(paths: Sequence[Path], *, suffixes: Sequence[str] = ()) -> list[Path]:
    """The files named, folders expanded (sorted); a missing path is a DataError."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.is_file() and (not suffixes or p.suffix.lower() in suffixes)
            )
            out += found
        elif path.is_file():
            out.append(path)
        else:
            raise DataError("file not found", path=path)
    if not out:
        raise DataError("no files to read", path=paths[0] if paths else None)
    return out


def version_of(path: Path) -> str | None:
    """The date in a file name (2026-03-05 or 20260305)."""
    match = re.search(r"(20\d{2})-?(\d{2})-?(\d{2})", path.name)
    return f"{match[1]}-{match[2]}-{match[3]}" if match else None
