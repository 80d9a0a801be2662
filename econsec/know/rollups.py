"""Rollups of dependencies to HS chapters (``hs2``), headings (``hs4``), sections, BEC end use
and the specified critical products of the Economic Security Promotion Act.

Per (importer, year, group): how many of the group's products were imported and how many are
dependencies (by the method used), their import values, and the supplier concentration of the
group as a whole (the indicators recomputed on flows summed over the group's products).

Critical products use the working HS mapping of ``critical_products`` (``hs_codes``: 2, 4 or 6
digit prefixes, confidence mostly low) or a user's mapping file (CSV or YAML with ``id``,
``name_en`` and ``hs_code`` per row; see :func:`read_mapping`). BEC end use comes from the
HS 2017 → BEC table (``hs_bec``) and is matched on the six-digit code as it is: for products of
other editions convert them to HS17 first (``edition="HS17"``).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from econsec.engine.base import Engine
from econsec.errors import DataError, NotFound
from econsec.know.dependencies import entities
from econsec.know.groups import Group
from econsec.know.indicators import indicators

LEVELS = ("hs2", "hs4", "section", "bec", "critical_product")

SCHEMA = pa.schema(
    [
        ("importer", pa.string()),
        ("year", pa.int16()),
        ("level", pa.string()),
        ("group", pa.string()),
        ("label", pa.string()),
        ("products", pa.int64()),
        ("dependent_products", pa.int64()),
        ("import_value", pa.float64()),
        ("dependent_import_value", pa.float64()),
        ("dependent_share", pa.float64()),
        ("group_hhi", pa.float64()),
        ("group_top_supplier", pa.string()),
        ("group_top_supplier_share", pa.float64()),
    ]
)


def read_mapping(path: Path) -> dict[str, tuple[str, list[str]]]:
    """A user's critical-product mapping: ``id -> (name, [HS prefixes])``.

    CSV with columns ``id,name_en,hs_code`` (one row per code) or YAML with
    ``products: [{id, name_en, hs_codes: [...]}]``. Codes may have dots (``8505.11``).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read mapping ({exc})", path=path) from None
    mapping: dict[str, tuple[str, list[str]]] = {}
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            doc = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise DataError(f"invalid YAML ({exc})", path=path) from None
        for n, item in enumerate(doc.get("products", []) if isinstance(doc, dict) else []):
            if not isinstance(item, dict) or "id" not in item:
                raise DataError("product without id", path=path, field=f"products[{n}]")
            codes = [
                _code(path, str(c), f"products[{n}].hs_codes")
                for c in item.get("hs_codes") or item.get("hs_codes_indicative") or []
            ]
            mapping[str(item["id"])] = (str(item.get("name_en", item["id"])), codes)
    else:
        reader = csv.DictReader(io.StringIO(text))
        missing = {"id", "hs_code"} - set(reader.fieldnames or [])
        if missing:
            raise DataError(
                f"missing column(s) {', '.join(sorted(missing))}",
                path=path,
                line=1,
                expected="id,name_en,hs_code",
            )
        for row in reader:
            entry = mapping.setdefault(row["id"], (row.get("name_en") or row["id"], []))
            entry[1].append(_code(path, row["hs_code"], "hs_code", reader.line_num))
    if not mapping:
        raise DataError("no products in mapping", path=path)
    return mapping


def _code(path: Path, raw: str, field: str, line: int | None = None) -> str:
    code = raw.strip().replace(".", "")
    if not code.isdigit() or len(code) not in (2, 4, 6):
        raise DataError(
            "invalid HS code",
            path=path,
            line=line,
            field=field,
            got=raw,
            expected="2, 4 or 6 digits (dots allowed)",
        )
    return code


def _critical_products(engine: Engine) -> dict[str, tuple[str, list[str]]]:
    table = engine.query(
        "SELECT id, name_en, hs_codes FROM critical_products", ["critical_products"]
    )
    return {
        str(i): (str(n), list(c or []))
        for i, n, c in zip(
            table["id"].to_pylist(),
            table["name_en"].to_pylist(),
            table["hs_codes"].to_pylist(),
            strict=True,
        )
    }


def _groups(
    engine: Engine,
    level: str,
    products: Sequence[str],
    mapping: Mapping[str, tuple[str, list[str]]] | None,
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """product -> group ids, and group id -> label."""
    groups: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, str] = {}
    if level in ("hs2", "hs4"):
        n = 2 if level == "hs2" else 4
        for p in products:
            groups[p].append(p[:n])
        names = engine.query(
            f"SELECT hscode, description FROM hs2022 WHERE level = {n}", ["hs2022"]
        )
        labels = dict(
            zip(names["hscode"].to_pylist(), names["description"].to_pylist(), strict=True)
        )
    elif level == "section":
        chapters = engine.query(
            "SELECT c.hscode, c.section, s.name FROM hs2022 c LEFT JOIN hs_sections s "
            "ON s.section = c.section WHERE c.level = 2",
            ["hs2022", "hs_sections"],
        )
        section = dict(
            zip(chapters["hscode"].to_pylist(), chapters["section"].to_pylist(), strict=True)
        )
        labels = dict(
            zip(chapters["section"].to_pylist(), chapters["name"].to_pylist(), strict=True)
        )
        for p in products:
            if p[:2] in section:
                groups[p].append(section[p[:2]])
    elif level == "bec":
        bec = engine.query("SELECT DISTINCT hs6, end_use FROM hs_bec", ["hs_bec"])
        for p, use in zip(bec["hs6"].to_pylist(), bec["end_use"].to_pylist(), strict=True):
            if use not in groups[p]:
                groups[p].append(use)
        labels = {
            u: u.replace("_", " ")
            for u in ("intermediate", "capital", "consumption", "not_assigned")
        }
        groups = defaultdict(list, {p: groups[p] for p in products if p in groups})
    elif level == "critical_product":
        items = mapping if mapping is not None else _critical_products(engine)
        for gid, (name, codes) in items.items():
            labels[gid] = name
            for p in products:
                if any(p.startswith(c) for c in codes):
                    groups[p].append(gid)
    else:
        raise NotFound(f"unknown rollup level {level!r}; levels: {', '.join(LEVELS)}")
    return dict(groups), labels


def _concentration(
    suppliers: pa.Table, groups: Mapping[str, Sequence[str]]
) -> dict[tuple[str, int, str], dict[str, object]]:
    """HHI and top supplier of each group from per-product supplier values."""
    totals: dict[tuple[str, int, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for importer, year, product, supplier, value in zip(
        *(suppliers[c].to_pylist() for c in ("importer", "year", "product", "supplier", "value")),
        strict=True,
    ):
        for group in groups.get(product, []):
            totals[(importer, year, group)][supplier] += value
    out: dict[tuple[str, int, str], dict[str, object]] = {}
    for key, values in totals.items():
        total = sum(values.values())
        top = max(values, key=lambda s: (values[s], s))
        out[key] = {
            "hhi": sum((v / total) ** 2 for v in values.values()) if total else None,
            "top_supplier": top,
            "top_supplier_share": values[top] / total if total else None,
        }
    return out


def rollup(
    engine: Engine,
    deps: pa.Table,
    *,
    level: str,
    mapping: Mapping[str, tuple[str, list[str]]] | None = None,
    edition: str | None = None,
    dataset: str = "baci",
    extra_groups: Sequence[str | Group] = (),
    suppliers: pa.Table | None = None,
) -> pa.Table:
    """Roll a :func:`~econsec.know.dependencies.dependencies` result up to ``level``.

    ``suppliers`` (a :func:`~econsec.know.suppliers.supplier_shares` result covering every
    product of ``deps``) saves a query: the groups' concentration is computed from it.
    """
    products = sorted(set(deps["product"].to_pylist()))
    groups, labels = _groups(engine, level, products, mapping)
    counts: dict[tuple[str, int, str], list[float]] = defaultdict(lambda: [0, 0, 0.0, 0.0])
    for importer, year, product, value, dependent in zip(
        *(
            deps[c].to_pylist()
            for c in ("importer", "year", "product", "import_value", "dependent")
        ),
        strict=True,
    ):
        for group in groups.get(product, []):
            acc = counts[(importer, year, group)]
            acc[0] += 1
            acc[2] += value
            if dependent:
                acc[1] += 1
                acc[3] += value
    if not counts:
        return SCHEMA.empty_table()
    if suppliers is not None:
        concentration = _concentration(suppliers, groups)
    else:
        years = sorted({int(y) for y in deps["year"].to_pylist()})
        names = sorted({str(i) for i in deps["importer"].to_pylist()})
        grouped = indicators(
            engine,
            years=years,
            importers=entities(names, extra_groups),
            edition=edition,
            dataset=dataset,
            product_groups=groups,
        )
        concentration = {(r["importer"], r["year"], r["product"]): r for r in grouped.to_pylist()}
    rows = []
    for (importer, year, group), (n, dep, value, dep_value) in sorted(counts.items()):
        c = concentration.get((importer, year, group), {})
        rows.append(
            {
                "importer": importer,
                "year": year,
                "level": level,
                "group": group,
                "label": labels.get(group, group),
                "products": int(n),
                "dependent_products": int(dep),
                "import_value": round(value, 3),
                "dependent_import_value": round(dep_value, 3),
                "dependent_share": dep_value / value if value else None,
                "group_hhi": c.get("hhi"),
                "group_top_supplier": c.get("top_supplier"),
                "group_top_supplier_share": c.get("top_supplier_share"),
            }
        )
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    order = pc.sort_indices(
        table,
        [
            ("importer", "ascending"),
            ("year", "ascending"),
            ("dependent_import_value", "descending"),
        ],
    )
    return table.take(order)
