"""The dependency report of one importer (Know): gathers the tables that
:func:`econsec.reports.html.render` draws (top dependencies, supplier shares, critical products,
trends, the critical-materials panel) with the sources they came from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from econsec.engine.base import Engine
from econsec.errors import Conflict, DataError
from econsec.know import flows, methods
from econsec.know.dependencies import dependencies
from econsec.know.groups import Group
from econsec.know.rollups import rollup
from econsec.know.suppliers import supplier_shares
from econsec.reports.model import ReportData

TOP = 12  # products in the supplier-share chart


def _loaded(engine: Engine, name: str) -> bool:
    try:
        return engine.catalogue.dataset(name).loaded
    except Exception:
        return False


def _descriptions(engine: Engine, products: Sequence[str], edition: str | None) -> dict[str, str]:
    """English descriptions: BACI's product list of the edition, else the HS 2022 nomenclature."""
    if not products:
        return {}
    if edition and _loaded(engine, "baci_products"):
        table = engine.query(
            f"SELECT hs6, description FROM baci_products WHERE hs_edition = '{edition}'",
            ["baci_products"],
        )
        if table.num_rows:
            out = dict(zip(table["hs6"].to_pylist(), table["description"].to_pylist(), strict=True))
            return {p: out[p] for p in products if out.get(p)}
    if _loaded(engine, "hs2022"):
        table = engine.query("SELECT hscode, description FROM hs2022 WHERE level = 6", ["hs2022"])
        out = dict(zip(table["hscode"].to_pylist(), table["description"].to_pylist(), strict=True))
        return {p: out[p] for p in products if p in out}
    return {}


def _trend(table: pa.Table) -> pa.Table:
    rows = []
    for year in sorted(set(table["year"].to_pylist())):
        part = table.filter(pc.equal(table["year"], year))
        dep = part.filter(part["dependent"])
        rows.append(
            {
                "year": year,
                "products": part.num_rows,
                "dependent_products": dep.num_rows,
                "import_value": pc.sum(part["import_value"]).as_py() or 0.0,
                "dependent_import_value": pc.sum(dep["import_value"]).as_py() or 0.0,
            }
        )
    return pa.Table.from_pylist(rows)


def _sources(engine: Engine, names: Sequence[str]) -> list[str]:
    lines = []
    for name in names:
        if not _loaded(engine, name):
            continue
        for v in engine.catalogue.dataset(name).versions:
            release = f", release {v.release}" if v.release else ""
            lines.append(
                f"{v.id}: {v.source_name} (sha256 {v.checksum[:12]}, {v.rows:,} rows"
                f"{release}, loaded {v.loaded_at:%Y-%m-%d})"
            )
    return lines


def gather(
    engine: Engine,
    *,
    importer: str,
    year: int,
    method: str = "geodep",
    thresholds: Mapping[str, float] | None = None,
    extra_groups: Sequence[str | Group] = (),
    concern: str | Sequence[str] | None = None,
    edition: str | None = None,
) -> ReportData:
    """Compute everything the report shows for ``importer`` in ``year``."""
    deps = dependencies(
        engine,
        year=year,
        importers=[importer],
        method=method,
        thresholds=thresholds,
        extra_groups=extra_groups,
        concern=concern,
        edition=edition,
    )
    if deps.num_rows == 0:
        raise Conflict(f"no imports for {importer} in {year}")
    m = methods.method(method)
    notes_first = []
    if thresholds:
        used = ", ".join(f"{k} = {v:g}" for k, v in sorted(m.parameters(thresholds).items()))
        notes_first.append(f"Thresholds differ from the method's defaults: {used}.")
    dependent = deps.filter(deps["dependent"])
    shown = dependent if dependent.num_rows else deps
    top = shown.sort_by([("import_value", "descending")]).slice(0, TOP)["product"].to_pylist()
    src = flows.source("baci")
    parts = flows.available(engine.catalogue, src)
    used_edition = edition or next((e for y, e in parts if y == year), None)
    labels = _descriptions(engine, sorted(set(deps["product"].to_pylist())), used_edition)
    # Every product's suppliers in one query: the chart shows the top ones, and the
    # critical-product rollup sums them per product group.
    every = supplier_shares(
        engine, importer=importer, year=year, extra_groups=extra_groups, edition=edition
    )
    shares = every.filter(pc.is_in(every["product"], pa.array(top, pa.string())))
    shares = shares.append_column(
        "product_label", pa.array([labels.get(p, p) for p in shares["product"].to_pylist()])
    )
    notes: list[str] = notes_first
    critical = None
    if _loaded(engine, "critical_products"):
        critical = rollup(
            engine,
            deps,
            level="critical_product",
            edition=edition,
            extra_groups=extra_groups,
            suppliers=every,
        )
        notes.append(
            "Critical products are matched to HS codes by a working mapping "
            "(confidence mostly low): see the critical_products dataset."
        )
    trend = materials = None
    if _loaded(engine, "baci_materials"):
        panel = dependencies(
            engine,
            years=sorted(
                {y for y, _ in flows.available(engine.catalogue, flows.source("baci_materials"))}
            ),
            importers=[importer],
            method=method,
            thresholds=thresholds,
            extra_groups=extra_groups,
            dataset="baci_materials",
        )
        trend = _trend(panel)
        materials = panel.select(
            [
                "year",
                "product",
                "top_supplier",
                "top_supplier_share",
                "hhi",
                "import_value",
                "dependent",
            ]
        ).rename_columns(
            [
                "year",
                "material",
                "top_supplier",
                "top_supplier_share",
                "hhi",
                "import_value",
                "dependent",
            ]
        )
        notes.append(
            "The trend counts dependencies among 32 critical materials "
            "(BACI summed to materials, 2002-2024), not HS6 products."
        )
    return ReportData(
        importer=importer,
        year=year,
        method=m.name,
        method_title=m.title,
        unit=src.unit,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        dependencies=deps,
        supplier_shares=shares,
        products=labels,
        critical_products=critical,
        trend=trend,
        materials=materials,
        sources=_sources(
            engine,
            [
                "baci",
                "baci_countries",
                "baci_products",
                "hs2022",
                "hs_correlation",
                "critical_products",
                "baci_materials",
            ],
        ),
        notes=notes,
    )


def write(data: ReportData, path: Path) -> Path:
    """Write the report as HTML, or as PDF when ``path`` ends in ``.pdf`` (needs WeasyPrint)."""
    from econsec.reports import html

    if path.suffix.lower() == ".pdf":
        html.render_pdf(data, path)
        return path
    if path.suffix.lower() not in (".html", ".htm"):
        raise DataError("unknown report format", path=path, expected="a .html or .pdf file")
    path.write_text(html.render(data), encoding="utf-8")
    return path
