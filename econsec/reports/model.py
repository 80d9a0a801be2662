"""What a dependency report shows; filled by :func:`econsec.know.report.gather`."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything :func:`econsec.reports.html.render` needs (tables are Arrow).

    * ``dependencies``: the result of ``econsec.know.dependencies.dependencies`` for the
      importer and year (columns importer, year, product, import_value, n_suppliers, hhi,
      top_supplier, top_supplier_share, top3_share, world_export_hhi, top_exporter,
      top_exporter_share, import_export_ratio, method, dependent, flags, tests, ...).
    * ``supplier_shares``: product, product_label (the HS description, or the code when no
      nomenclature is loaded), supplier, value, share, rank - the suppliers of the products in
      the supplier chart (the top dependencies), ordered by product then rank.
    * ``products``: product -> English description (HS nomenclature), may be empty.
    * ``critical_products``: ``econsec.know.rollups.rollup(level="critical_product")`` result
      (group, label, products, dependent_products, import_value, dependent_import_value,
      group_hhi, group_top_supplier, group_top_supplier_share), may be empty.
    * ``trend``: year, products, dependent_products, import_value, dependent_import_value - one
      row per loaded year, may be empty (then no trend chart).
    * ``materials``: year, material, top_supplier, top_supplier_share, hhi, import_value,
      dependent - the critical-materials panel for the importer, every loaded year (the
      report shows the report year, or the latest), may be empty.
    * ``sources``: one line per dataset version used ("baci@3: file.parquet, V202601, ...").
    """

    importer: str
    year: int
    method: str
    method_title: str
    unit: str
    generated_at: str
    dependencies: pa.Table
    supplier_shares: pa.Table
    products: dict[str, str] = field(default_factory=dict)
    critical_products: pa.Table | None = None
    trend: pa.Table | None = None
    materials: pa.Table | None = None
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
