"""Where trade flows come from and how countries are keyed inside analytics queries.

Indicators group many millions of flows, so countries are integers inside the queries and
become ISO alpha-3 codes only in the (small) results:

* a row with a BACI numeric code is keyed by that code, made canonical where BACI used two codes
  for one country (Belgium 56/58, Germany 276/280, Sudan 729/736: the lowest code);
* a row that only has an ISO code (extracts, the materials panel) is keyed by a negative number
  spelling the code: ``-((c1-48)*43² + (c2-48)*43 + (c3-48))``, decoded by :func:`decode_sql`.

A supplier's identity rides along with its value in one integer (:func:`pack_sql`) so that
the largest supplier of a group is one ``MAX``; ties go to the larger key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from econsec.datasets.catalogue import Catalogue
from econsec.engine.base import Engine, literal
from econsec.errors import Conflict, NotFound

PACK = 262_144  # 2**18: room for a key in -131072..131071
_OFFSET = 131_072
_BASE = 43  # '0'..'Z'


@dataclass(frozen=True, slots=True)
class Source:
    """A flow dataset: the relation to read, its product column and whether it has codes."""

    dataset: str
    relation: str
    product: str
    coded: bool
    edition: bool
    unit: str = "thousand current USD"


SOURCES = {
    "baci": Source("baci", "baci_rows", "hs6", coded=True, edition=True),
    "baci_materials": Source("baci_materials", "baci_materials", "material", False, False),
}


def source(name: str) -> Source:
    """The flow source called ``name``."""
    try:
        return SOURCES[name]
    except KeyError:
        raise NotFound(
            f"unknown flow dataset {name!r}; expected one of {', '.join(SOURCES)}"
        ) from None


def iso_key(iso3: str) -> int:
    """The negative key of an ISO-only country (see the module docstring)."""
    a, b, c = (ord(ch) - 48 for ch in iso3)
    return -(a * _BASE * _BASE + b * _BASE + c)


def _iso_key_sql(column: str) -> str:
    return (
        f"-((ascii(substr({column}, 1, 1)) - 48) * {_BASE * _BASE} + "
        f"(ascii(substr({column}, 2, 1)) - 48) * {_BASE} + (ascii(substr({column}, 3, 1)) - 48))"
    )


@dataclass(frozen=True, slots=True)
class Keys:
    """BACI codes -> canonical code and ISO alpha-3, read once from ``baci_countries``."""

    canonical: dict[int, int]
    iso3: dict[int, str]

    @classmethod
    def load(cls, engine: Engine) -> Keys:
        """The keys of the loaded ``baci_countries`` (read once per change of the store)."""
        return engine.catalogue.memo("know.keys", lambda: cls._read(engine))

    @classmethod
    def _read(cls, engine: Engine) -> Keys:
        table = engine.query("SELECT code, iso3 FROM baci_countries", ["baci_countries"])
        iso3 = {
            int(c): str(i)
            for c, i in zip(table["code"].to_pylist(), table["iso3"].to_pylist(), strict=True)
        }
        first: dict[str, int] = {}
        for code in sorted(iso3):
            first.setdefault(iso3[code], code)
        return cls({code: first[iso] for code, iso in iso3.items()}, iso3)

    def key_sql(self, src: Source, role: str) -> str:
        """SQL for the integer key of the ``role`` (exporter/importer) of a flow row."""
        iso = _iso_key_sql(role)
        if not src.coded:
            return iso
        code = f"{role}_code"
        merged = [(c, k) for c, k in self.canonical.items() if c != k]
        if merged:
            cases = " ".join(f"WHEN {c} THEN {k}" for c, k in sorted(merged))
            code = f"CASE {code} {cases} ELSE {code} END"
        return f"COALESCE({code}, {iso})"

    def raw_filter(self, src: Source, role: str, isos: Sequence[str]) -> list[str]:
        """Disjoint conditions on the stored columns: the ``role`` is one of these countries
        (by BACI code, or by ISO code on rows without one)."""
        names = f"{role} IN {literal(tuple(isos))}"
        if not src.coded:
            return [names]
        codes = tuple(sorted({c for c, i in self.iso3.items() if i in isos})) or (-1,)
        return [f"{role}_code IN {literal(codes)}", f"{role}_code IS NULL AND {names}"]

    def keys_of(self, iso3: str) -> list[int]:
        """Every key a country may have in the flows."""
        codes = sorted({self.canonical[c] for c, i in self.iso3.items() if i == iso3})
        return [*codes, iso_key(iso3)]

    def values_sql(self) -> str:
        """An inline ``(key, iso3)`` table of the canonical codes."""
        rows = sorted({(k, self.iso3[k]) for k in self.canonical.values()})
        return "(VALUES " + ", ".join(f"({k}, {literal(i)})" for k, i in rows) + ")"


def pack_sql(value: str, key: str) -> str:
    """One integer ordering by value (thousandths, exact for BACI's 3 decimals), then key."""
    return f"CAST(ROUND({value} * 1000) AS BIGINT) * {PACK} + ({key} + {_OFFSET})"


def unpack_key_sql(packed: str) -> str:
    """The key carried in a packed value."""
    return f"(({packed}) % {PACK} - {_OFFSET})"


def decode_sql(key: str, alias: str) -> str:
    """ISO alpha-3 of a key; ``alias`` is a LEFT JOIN of :meth:`Keys.values_sql` on the key."""
    k = f"(-{key})"
    return (
        f"CASE WHEN {key} < 0 THEN chr(CAST(48 + FLOOR({k} / {_BASE * _BASE}) AS INT)) || "
        f"chr(CAST(48 + FLOOR({k} / {_BASE}) % {_BASE} AS INT)) || "
        f"chr(CAST(48 + {k} % {_BASE} AS INT)) "
        f"ELSE COALESCE({alias}.iso3, CAST({key} AS STRING)) END"
    )


def available(catalogue: Catalogue, src: Source) -> list[tuple[int, str | None]]:
    """The (year, HS edition) parts of the loaded flows, from the catalogue (no scan)."""
    versions = catalogue.dataset(src.dataset).versions
    if not versions:
        raise Conflict(
            f"dataset {src.dataset!r} is not loaded; load it with "
            f"`econsec data load {src.dataset} FILE`"
        )
    parts = {(int(p["year"]), p.get("hs_edition")) for v in versions for p in v.parts}
    return sorted(parts)


def describe(parts: list[tuple[int, str | None]]) -> str:
    """``2018 (HS12), 2024 (HS17)``."""
    return ", ".join(f"{y} ({e})" if e else str(y) for y, e in parts)
