"""Dependency indicators per (importer or group, year, product).

For importer *m*, product *p*, year *t*, with flows x(e→m) in thousand USD:

* ``import_value`` M = Σ_e x(e→m) over suppliers outside the importer (for a group: outside
  the group, i.e. extra-group imports); ``total_import_value`` adds intra-group imports.
* ``n_suppliers``, ``hhi`` = Σ_e s_e² with s_e = x(e→m)/M (0-1; 1/n ≤ HHI ≤ 1),
  ``top_supplier`` and ``top_supplier_share``, ``top3_share``, ``concern_share`` (the share
  from a named country group).
* ``export_value`` X = the importer's exports of the product (a group: to non-members);
  ``import_export_ratio`` = M / X, or 9999 when X = 0 (as in CEPII's GeoDep).
* ``world_export_value`` W = all exports of the product, ``world_export_hhi`` = Σ_e (w_e/W)²
  over exporters' world exports w_e, ``top_exporter`` and ``top_exporter_share``,
  ``world_import_share`` = total imports / W.

Values are in the flow data's unit (BACI: thousand current USD), summed as DOUBLE and rounded to
the data's three decimals, so the order of summation (threads, engines) does not show; shares
and HHIs agree across engines to about 1e-12. World figures are computed once per set of loaded
versions and reused (``Engine.materialize``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pyarrow as pa

from econsec.engine.base import Engine, literal
from econsec.errors import Conflict
from econsec.know import editions, flows
from econsec.know.editions import Plan
from econsec.know.flows import Keys, Source, decode_sql, pack_sql, unpack_key_sql

SCHEMA = pa.schema(
    [
        ("importer", pa.string()),
        ("year", pa.int16()),
        ("product", pa.string()),
        ("import_value", pa.float64()),
        ("total_import_value", pa.float64()),
        ("n_suppliers", pa.int64()),
        ("hhi", pa.float64()),
        ("top_supplier", pa.string()),
        ("top_supplier_share", pa.float64()),
        ("top3_share", pa.float64()),
        ("concern_share", pa.float64()),
        ("export_value", pa.float64()),
        ("import_export_ratio", pa.float64()),
        ("world_export_value", pa.float64()),
        ("world_export_hhi", pa.float64()),
        ("top_exporter", pa.string()),
        ("top_exporter_share", pa.float64()),
        ("world_import_share", pa.float64()),
    ]
)
NO_EXPORTS = 9999.0


#: Products regrouped for rollups: an HS prefix length (2: chapters, 4: headings) or an explicit
#: product -> group labels mapping (a product may belong to several groups).
ProductGroups = int | Mapping[str, Sequence[str]] | None


def flows_sql(
    src: Source,
    keys: Keys,
    plan: Plan,
    product_groups: ProductGroups = None,
    where: str | Sequence[str] = "",
) -> str:
    """The keyed flows: year, product, importer key i, exporter key e, value v (> 0).

    With ``product_groups`` the product is replaced by its group (flows of a product in two
    groups count in both; products in no group are left out). ``where`` filters the stored rows
    before any key is computed (see :meth:`Keys.raw_filter`): a condition, or disjoint
    alternatives read as separate scans.
    """
    select = (
        f"year, {{product}} AS product, {keys.key_sql(src, 'importer')} AS i, "
        f"{keys.key_sql(src, 'exporter')} AS e, {{v}} AS v"
    )
    if isinstance(where, str):
        condition, alternatives = "value_kusd > 0" + (f" AND ({where})" if where else ""), []
    else:
        condition, alternatives = "value_kusd > 0", list(where)
    base = editions.read_sql(src, plan, select, condition, alternatives)
    if product_groups is None and not plan.converted:
        return base  # one row per (year, product, importer, exporter) already: BACI's key
    if product_groups is None:
        regrouped = f"SELECT year, product, i, e, v FROM ({base}) g"
    elif isinstance(product_groups, int):
        regrouped = (
            f"SELECT year, substr(product, 1, {int(product_groups)}) AS product, i, e, v "
            f"FROM ({base}) g"
        )
    else:
        pairs = [(p, g) for p, labels in sorted(product_groups.items()) for g in labels]
        values = ", ".join(f"({literal(p)}, {literal(g)})" for p, g in pairs or [("", "")])
        regrouped = (
            f"SELECT g.year, m.grp AS product, g.i, g.e, g.v FROM ({base}) g "
            f"JOIN (VALUES {values}) AS m(product, grp) ON m.product = g.product"
        )
    # Several source products now share a product: one row per supplier again.
    return (
        f"SELECT year, product, i, e, SUM(v) AS v FROM ({regrouped}) r GROUP BY year, product, i, e"
    )


def world_tables(
    engine: Engine, src: Source, keys: Keys, plan: Plan, product_groups: ProductGroups = None
) -> tuple[str, str]:
    """Materialized per-exporter and per-product world totals for the planned years (cached)."""
    base = flows_sql(src, keys, plan, product_groups)
    reads = editions.datasets(src, plan)
    exporters = engine.materialize(
        f"{src.dataset}_exporters",
        f"SELECT year, product, e, SUM(v) AS x FROM ({base}) f GROUP BY year, product, e",
        reads,
    )
    world = engine.materialize(
        f"{src.dataset}_world",
        f"SELECT year, product, SUM(x) AS world_value, SUM(x * x) AS world_sq, "
        f"MAX(x) AS world_top, MAX({pack_sql('x', 'e')}) AS world_packed "
        f"FROM {exporters} w GROUP BY year, product",
        reads,
    )
    return exporters, world


def _members_sql(entities: Mapping[str, Sequence[str]], keys: Keys) -> str:
    rows = [(name, k) for name, isos in entities.items() for iso in isos for k in keys.keys_of(iso)]
    return "(VALUES " + ", ".join(f"({literal(n)}, {k})" for n, k in rows) + ") AS m(entity, key)"


def indicators(
    engine: Engine,
    *,
    years: Iterable[int],
    importers: Mapping[str, Sequence[str]] | None = None,
    concern: Sequence[str] = (),
    edition: str | None = None,
    dataset: str = "baci",
    product_groups: ProductGroups = None,
) -> pa.Table:
    """Indicators for every (importer, year, product); see the module docstring.

    ``importers`` maps entity names to member ISO codes (a single country: itself; a group: its
    members, with intra-group flows excluded from imports and exports). None means every
    country in the data. ``concern`` lists the countries whose share is ``concern_share``.
    ``product_groups`` computes the same indicators for groups of products instead.
    """
    src = flows.source(dataset)
    years = sorted(set(years))
    plan = editions.plan(engine, src, years, edition)
    keys = Keys.load(engine)
    exporters, world = world_tables(engine, src, keys, plan, product_groups)
    singles = (
        None
        if importers is None
        else {n: m for n, m in importers.items() if len(m) == 1 and m[0] == n}
    )
    groups = (
        {}
        if importers is None
        else {n: m for n, m in importers.items() if n not in (singles or {})}
    )
    concern_keys = [k for iso in concern for k in keys.keys_of(iso)] or [-1]
    parts = []
    if singles is None or singles:
        parts.append(_single_sql(engine, keys, singles, concern_keys, exporters))
    if groups:
        parts.append(_group_sql(engine, keys, groups, concern_keys))
    where: str | list[str] = ""
    if importers is not None:  # read only the rows that can matter (groups: their exports too)
        isos = sorted({iso for members in importers.values() for iso in members})
        where = keys.raw_filter(src, "importer", isos)
        if groups:
            both = [*where, *keys.raw_filter(src, "exporter", isos)]
            where = " OR ".join(f"({w})" for w in both)
    sql = f"""
        WITH flows AS ({flows_sql(src, keys, plan, product_groups, where)}),
        imp AS ({" UNION ALL ".join(parts)})
        SELECT
            imp.entity AS importer, CAST(imp.year AS SMALLINT) AS year, imp.product,
            ROUND(imp.import_value, 3) AS import_value,
            ROUND(imp.total_import_value, 3) AS total_import_value, imp.n_suppliers,
            imp.sq / (imp.import_value * imp.import_value) AS hhi,
            {decode_sql(unpack_key_sql("imp.top_packed"), "ks")} AS top_supplier,
            imp.top_value / imp.import_value AS top_supplier_share,
            imp.top3_value / imp.import_value AS top3_share,
            imp.concern_value / imp.import_value AS concern_share,
            ROUND(COALESCE(imp.export_value, 0), 3) AS export_value,
            CASE WHEN COALESCE(imp.export_value, 0) = 0 THEN {NO_EXPORTS}
                 ELSE imp.import_value / imp.export_value END AS import_export_ratio,
            ROUND(w.world_value, 3) AS world_export_value,
            w.world_sq / (w.world_value * w.world_value) AS world_export_hhi,
            {decode_sql(unpack_key_sql("w.world_packed"), "kw")} AS top_exporter,
            w.world_top / w.world_value AS top_exporter_share,
            imp.total_import_value / w.world_value AS world_import_share
        FROM imp
        JOIN {world} w ON w.year = imp.year AND w.product = imp.product
        LEFT JOIN {keys.values_sql()} AS ks(key, iso3)
            ON ks.key = {unpack_key_sql("imp.top_packed")}
        LEFT JOIN {keys.values_sql()} AS kw(key, iso3)
            ON kw.key = {unpack_key_sql("w.world_packed")}
        ORDER BY importer, year, imp.import_value DESC, product
    """
    table = engine.query(sql, [*editions.datasets(src, plan), "baci_countries"], schema=SCHEMA)
    if importers:
        _check_found(engine, src, table, importers, plan)
    return table


def _check_found(
    engine: Engine,
    src: Source,
    table: pa.Table,
    importers: Mapping[str, Sequence[str]],
    plan: Plan,
) -> None:
    """A requested importer with no imports at all is an error that lists who is there."""
    found = set(table["importer"].to_pylist())
    missing = [name for name in importers if name not in found]
    if not missing:
        return
    keys = Keys.load(engine)
    have = engine.query(
        f"SELECT DISTINCT {decode_sql('f.i', 'k')} AS importer FROM "
        f"({flows_sql(src, keys, plan)}) f "
        f"LEFT JOIN {keys.values_sql()} AS k(key, iso3) ON k.key = f.i ORDER BY 1",
        [*editions.datasets(src, plan), "baci_countries"],
    )
    names = [str(n) for n in have["importer"].to_pylist()]
    shown = ", ".join(names[:40]) + (f" ... ({len(names)} in all)" if len(names) > 40 else "")
    raise Conflict(
        f"no imports for {', '.join(missing)} in {src.dataset} "
        f"{', '.join(map(str, plan.sources))}; importers with data: {shown}"
    )


def _single_sql(
    engine: Engine,
    keys: Keys,
    singles: Mapping[str, Sequence[str]] | None,
    concern_keys: Sequence[int],
    exporters: str,
) -> str:
    """Per-country rows: one aggregate over the flows, exports from the cached totals."""
    where = ""
    if singles is not None:
        wanted = [k for iso in singles for k in keys.keys_of(iso)]
        where = f"WHERE i IN {literal(tuple(wanted))}"
    return f"""
        SELECT a.entity_key AS key, {decode_sql("a.entity_key", "ke")} AS entity, a.year,
               a.product, a.import_value, a.import_value AS total_import_value,
               a.n_suppliers, a.sq, a.top_value, a.top_packed, a.top3_value, a.concern_value,
               x.x AS export_value
        FROM (
            SELECT i AS entity_key, year, product, SUM(v) AS import_value,
                   COUNT(*) AS n_suppliers, SUM(v * v) AS sq, MAX(v) AS top_value,
                   MAX({pack_sql("v", "e")}) AS top_packed, {engine.top_sum("v", 3)} AS top3_value,
                   SUM(CASE WHEN e IN {literal(tuple(concern_keys))} THEN v ELSE 0 END)
                       AS concern_value
            FROM flows {where} GROUP BY i, year, product
        ) a
        LEFT JOIN {exporters} x ON x.year = a.year AND x.product = a.product
            AND x.e = a.entity_key
        LEFT JOIN {keys.values_sql()} AS ke(key, iso3) ON ke.key = a.entity_key
    """


def _group_sql(
    engine: Engine, keys: Keys, groups: Mapping[str, Sequence[str]], concern_keys: Sequence[int]
) -> str:
    """Group rows: suppliers outside the group, pooled over its members."""
    members = _members_sql(groups, keys)
    return f"""
        SELECT NULL AS key, p.entity, p.year, p.product, p.import_value, t.total_import_value,
               p.n_suppliers, p.sq, p.top_value, p.top_packed, p.top3_value, p.concern_value,
               x.export_value
        FROM (
            SELECT entity, year, product, SUM(v) AS import_value, COUNT(*) AS n_suppliers,
                   SUM(v * v) AS sq, MAX(v) AS top_value, MAX({pack_sql("v", "e")}) AS top_packed,
                   {engine.top_sum("v", 3)} AS top3_value,
                   SUM(CASE WHEN e IN {literal(tuple(concern_keys))} THEN v ELSE 0 END)
                       AS concern_value
            FROM (
                SELECT m.entity, f.year, f.product, f.e, SUM(f.v) AS v
                FROM flows f JOIN {members} ON m.key = f.i
                WHERE NOT EXISTS (SELECT 1 FROM {members.replace(" m(", " o(")}
                                  WHERE o.entity = m.entity AND o.key = f.e)
                GROUP BY m.entity, f.year, f.product, f.e
            ) pairs GROUP BY entity, year, product
        ) p
        JOIN (
            SELECT m.entity, f.year, f.product, SUM(f.v) AS total_import_value
            FROM flows f JOIN {members} ON m.key = f.i GROUP BY m.entity, f.year, f.product
        ) t ON t.entity = p.entity AND t.year = p.year AND t.product = p.product
        LEFT JOIN (
            SELECT m.entity, f.year, f.product, SUM(f.v) AS export_value
            FROM flows f JOIN {members} ON m.key = f.e
            WHERE NOT EXISTS (SELECT 1 FROM {members.replace(" m(", " o(")}
                              WHERE o.entity = m.entity AND o.key = f.i)
            GROUP BY m.entity, f.year, f.product
        ) x ON x.entity = p.entity AND x.year = p.year AND x.product = p.product
    """
