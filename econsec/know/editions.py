"""Reading flows of several HS editions in one edition, through the UN correlation tables.

A year loaded only in another edition is converted code by code along the loaded
``hs_correlation`` tables (both directions, chained: HS22 → HS17 → HS12). Where one code becomes
several, its value is split equally among them (the correlation tables carry no weights); the
split is stated in the method note of every converted result. Codes the tables do not list keep
their code.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from econsec.engine.base import Engine, literal
from econsec.errors import Conflict
from econsec.know.flows import Source, available, describe

SPLIT_NOTE = (
    "HS codes converted between editions with the UN correlation tables; where one code maps to "
    "several, its value is split equally among them."
)


@dataclass(frozen=True, slots=True)
class Plan:
    """Which edition to read each year in, and the edition the results are in."""

    target: str | None
    sources: dict[int, str | None]
    paths: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def converted(self) -> bool:
        """Whether any year is read through a correlation table."""
        return any(e != self.target for e in self.sources.values())


def _edition_year(edition: str) -> int:
    year = int(edition[2:])
    return year + (1900 if year >= 88 else 2000)


def _pairs(engine: Engine) -> set[tuple[str, str]]:
    try:
        versions = engine.catalogue.dataset("hs_correlation").versions
    except Exception:  # not registered or not loaded: no conversion possible
        return set()
    return {(str(p["from_edition"]), str(p["to_edition"])) for v in versions for p in v.parts}


def _path(pairs: set[tuple[str, str]], start: str, goal: str) -> list[tuple[str, str]] | None:
    """The shortest chain of loaded tables from ``start`` to ``goal`` (either direction)."""
    edges: dict[str, set[str]] = {}
    for a, b in pairs:
        edges.setdefault(a, set()).add(b)
        edges.setdefault(b, set()).add(a)
    queue: deque[tuple[str, list[tuple[str, str]]]] = deque([(start, [])])
    seen = {start}
    while queue:
        node, path = queue.popleft()
        if node == goal:
            return path
        for nxt in sorted(edges.get(node, ())):
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, [*path, (node, nxt)]))
    return None


def plan(engine: Engine, src: Source, years: Iterable[int], edition: str | None) -> Plan:
    """The reading plan for ``years``; a Conflict lists what is loaded when none exists."""
    parts = available(engine.catalogue, src)
    wanted = sorted(set(years))
    have = {y for y, _ in parts}
    missing = [y for y in wanted if y not in have]
    if missing:
        raise Conflict(
            f"year(s) {', '.join(map(str, missing))} not loaded in {src.dataset}; "
            f"available: {describe(parts)}"
        )
    if not src.edition:
        return Plan(None, dict.fromkeys(wanted))
    loaded: Mapping[int, set[str]] = {
        y: {str(e) for yy, e in parts if yy == y and e is not None} for y in wanted
    }
    if edition is None:
        common = set.intersection(*(loaded[y] for y in wanted))
        if common:
            target = max(common, key=_edition_year)
            return Plan(target, dict.fromkeys(wanted, target))
        edition = max((e for y in wanted for e in loaded[y]), key=_edition_year)
    pairs = _pairs(engine)
    sources: dict[int, str | None] = {}
    paths: dict[str, list[tuple[str, str]]] = {}
    for y in wanted:
        if edition in loaded[y]:
            sources[y] = edition
            continue
        options = [(e, _path(pairs, e, edition)) for e in sorted(loaded[y], key=_edition_year)]
        usable = [(e, p) for e, p in options if p is not None]
        if not usable:
            raise Conflict(
                f"{y} is loaded as {', '.join(sorted(loaded[y]))}, which cannot be converted to "
                f"{edition} with the loaded hs_correlation tables (load them, e.g. "
                "hs2022_to_hs2017_correlation.csv.gz); available: " + describe(parts)
            )
        source, path = min(usable, key=lambda item: len(item[1] or []))
        sources[y] = source
        paths[source] = path or []
    return Plan(edition, sources, paths)


def mapping_sql(path: Sequence[tuple[str, str]]) -> str:
    """``(src, dst, w)``: each source code's share going to each target code along ``path``."""
    steps = []
    for n, (a, b) in enumerate(path):
        steps.append(f"""s{n} AS (
            SELECT src, dst, 1.0 / COUNT(*) OVER (PARTITION BY src) AS w FROM (
                SELECT DISTINCT from_code AS src, to_code AS dst FROM hs_correlation
                WHERE from_edition = {literal(a)} AND to_edition = {literal(b)}
                UNION
                SELECT DISTINCT to_code AS src, from_code AS dst FROM hs_correlation
                WHERE from_edition = {literal(b)} AND to_edition = {literal(a)}
            ) pairs
        )""")
    select = "SELECT src, dst, w FROM s0"
    for n in range(1, len(path)):
        select = (
            f"SELECT c.src, s{n}.dst, SUM(c.w * s{n}.w) AS w FROM ({select}) c "
            f"JOIN s{n} ON s{n}.src = c.dst GROUP BY c.src, s{n}.dst"
        )
    return f"WITH {', '.join(steps)} {select}"


def read_sql(
    src: Source, p: Plan, select: str, where: str, alternatives: Sequence[str] = ()
) -> str:
    """The flows of every planned year, converted to the target edition where needed.

    ``select`` lists the columns with ``{product}`` for the product expression and ``{v}`` for
    the value; ``where`` filters rows (year and edition are added here). ``alternatives`` are
    disjoint conditions read as separate scans: simple conditions DuckDB pushes into the scan
    beat one condition with OR.
    """
    parts = []
    by_edition: dict[str | None, list[int]] = {}
    for year, edition in p.sources.items():
        by_edition.setdefault(edition, []).append(year)
    for edition, years, alternative in (
        (e, ys, a)
        for e, ys in sorted(by_edition.items(), key=lambda kv: str(kv[0]))
        for a in (alternatives or [""])
    ):
        filters = [where, f"year IN {literal(tuple(years))}"]
        if alternative:
            filters.append(alternative)
        if edition is not None:
            filters.append(f"hs_edition = {literal(edition)}")
        condition = " AND ".join(filters)
        if edition == p.target:
            body = select.format(product=src.product, v="CAST(value_kusd AS DOUBLE)")
            parts.append(f"SELECT {body} FROM {src.relation} WHERE {condition}")
            continue
        mapping = mapping_sql(p.paths[str(edition)])
        body = select.format(
            product=f"COALESCE(m.dst, r.{src.product})",
            v="CAST(r.value_kusd AS DOUBLE) * COALESCE(m.w, 1.0)",
        )
        parts.append(
            f"SELECT {body} FROM (SELECT * FROM {src.relation} WHERE {condition}) r "
            f"LEFT JOIN ({mapping}) m ON m.src = r.{src.product}"
        )
    return " UNION ALL ".join(parts)


def datasets(src: Source, p: Plan) -> list[str]:
    """The datasets a query over this plan reads."""
    return [src.relation, "hs_correlation"] if p.converted else [src.relation]
