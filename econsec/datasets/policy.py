"""Loaders for econsec's policy reference files (``data/policy/*.yaml``): the specified critical
products, the core infrastructure sectors, the patent non-disclosure fields and the critical
technology lists.

Each file is read with the line of every node kept and validated against its schema in
:mod:`econsec.datasets.policy_schemas`; each record becomes one row carrying its ``source`` and
``confidence``. The whole validated document is stored with the version (``Catalogue.document``)
for the rules that are not rows (review periods, deadlines). A problem is a DataError naming the
file, the YAML line and the field path, e.g. ``products[3].name_en`` (indices from 0).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from econsec.datasets import policy_schemas as schema
from econsec.datasets.base import Column, DatasetSpec, StageContext, Staged, StageFn
from econsec.datasets.policy_schemas import Key, Source, dotted, read_yaml, validate
from econsec.datasets.tabular import stage_arrow

Row = dict[str, Any]
_ARROW = {
    "VARCHAR": pa.string(),
    "VARCHAR[]": pa.list_(pa.string()),
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
}


def row(spec: DatasetSpec, item: Any, **values: Any) -> Row:
    """A row of ``spec``: each column from ``values``, else the item's attribute of that name."""
    return {
        c.name: values[c.name] if c.name in values else getattr(item, c.name, None)
        for c in spec.columns
    }


def stage_rows(ctx: StageContext, spec: DatasetSpec, rows: list[Row]) -> None:
    """Stage ``rows`` with the column types ``spec`` declares."""
    arrow = pa.schema([(c.name, _ARROW[c.type]) for c in spec.columns])
    stage_arrow(ctx.con, ctx.table, pa.Table.from_pylist(rows, schema=arrow))


def finish(ctx: StageContext, spec: DatasetSpec, doc: schema.Document, rows: list[Row]) -> Staged:
    """Stage the rows; release from ``as_of``, a note counting unstated confidence, the doc."""
    stage_rows(ctx, spec, rows)
    notes = []
    unstated = sum(1 for r in rows if r["confidence"] == schema.UNSTATED)
    if unstated:
        notes.append(
            f"{unstated} of {len(rows)} records state no confidence and inherit none; "
            "their confidence is 'unstated'"
        )
    document = json.dumps(doc.model_dump(mode="json"), ensure_ascii=False)
    return Staged(release=doc.as_of, notes=notes, document=document)


def unique(source: Source, items: Iterable[tuple[Key, Any]], what: str = "id") -> None:
    """Each value once; a repeat is reported at its own line with the first one's path."""
    seen: dict[Any, Key] = {}
    for key, value in items:
        if value in seen:
            first = seen[value]
            raise source.error(
                f"duplicate {what} {value!r} (first at {dotted(first)}, line {source.line(first)})",
                key,
                expected=f"each {what} once",
            )
        seen[value] = key


def count(source: Source, key: Key, stated: int, actual: int) -> None:
    """A count stated in the file must match the records listed."""
    if stated != actual:
        raise source.error(
            f"the file says {stated} but lists {actual}", key, got=str(stated), expected=str(actual)
        )


# --- critical products ----------------------------------------------------------------------

_COMMENT = re.compile(r"\([^)]*\)")
_CODE = re.compile(r"\d{2}|\d{4}|\d{4}\.?\d{2}")
_RANGE = re.compile(r"(\d{4})\s*-\s*(\d{4})")


def hs_codes(raw: str) -> list[str]:
    """Indicative HS codes of one entry, as digit strings.

    ``"3004.10"`` -> ``["300410"]``; chapters (``"31"``) and headings (``"2941"``) keep 2 and 4
    digits; a parenthesised comment is dropped (``"26 (ores)"`` -> ``["26"]``); a range of
    headings within one chapter is expanded (``"8101-8112"`` -> 8101, 8102, ..., 8112).
    Anything else raises ValueError(expected).
    """
    code = _COMMENT.sub("", raw).strip()
    if _CODE.fullmatch(code):
        return [code.replace(".", "")]
    match = _RANGE.fullmatch(code)
    if match:
        low, high = int(match.group(1)), int(match.group(2))
        if low // 100 == high // 100 and low <= high:
            return [f"{h:04d}" for h in range(low, high + 1)]
    raise ValueError(
        "an HS chapter (31), heading (2941), subheading (3004.10) or range of headings in one "
        "chapter (8101-8112), optionally followed by a comment in parentheses"
    )


def _product_codes(source: Source, i: int, product: schema.Product) -> list[str]:
    codes: list[str] = []
    for j, raw in enumerate(product.hs_codes_indicative):
        try:
            codes += [c for c in hs_codes(raw) if c not in codes]
        except ValueError as exc:
            key: Key = ("products", i, "hs_codes_indicative", j)
            raise source.error("not an HS code", key, got=raw, expected=str(exc)) from None
    return codes


def _stage_products(ctx: StageContext) -> Staged:
    source = read_yaml(ctx.path)
    doc = validate(source, schema.ProductsFile)
    unique(source, ((("products", i, "id"), p.id) for i, p in enumerate(doc.products)))
    rows = [
        row(
            CRITICAL_PRODUCTS,
            p,
            ministry_ja=p.ministry.ja,
            ministry_en=p.ministry.en,
            hs_codes=_product_codes(source, i, p),
            hs_codes_raw=p.hs_codes_indicative,
        )
        for i, p in enumerate(doc.products)
    ]
    return finish(ctx, CRITICAL_PRODUCTS, doc, rows)


# --- infrastructure sectors and patent fields -----------------------------------------------


def _stage_sectors(ctx: StageContext) -> Staged:
    source = read_yaml(ctx.path)
    doc = validate(source, schema.SectorsFile)
    unique(source, ((("sectors", i, "id"), s.id) for i, s in enumerate(doc.sectors)))
    rows = [row(INFRASTRUCTURE_SECTORS, s) for s in doc.sectors]
    return finish(ctx, INFRASTRUCTURE_SECTORS, doc, rows)


def _stage_patent_fields(ctx: StageContext) -> Staged:
    source = read_yaml(ctx.path)
    doc = validate(source, schema.PatentFieldsFile)
    unique(source, ((("fields", i, "id"), f.id) for i, f in enumerate(doc.fields)))
    if doc.field_counts is not None:
        stated, total = doc.field_counts, len(doc.fields)
        extra = sum(1 for f in doc.fields if f.additional_requirement)
        for name, listed in (
            ("total", total),
            ("with_additional_requirement", extra),
            ("without_additional_requirement", total - extra),
        ):
            count(source, ("field_counts", name), getattr(stated, name), listed)
    rows = [row(PATENT_FIELDS, f) for f in doc.fields]
    return finish(ctx, PATENT_FIELDS, doc, rows)


# --- critical technologies ------------------------------------------------------------------


def slug(name: str) -> str:
    """Stable id from an English name: ``"Advanced Computing"`` -> ``advanced_computing``."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def technology_rows(doc: schema.TechnologiesFile) -> list[tuple[Key, Row]]:
    """One row per technology of every list, each with the YAML path of its record."""
    spec = CRITICAL_TECHNOLOGIES
    out: list[tuple[Key, Row]] = [
        (
            ("japan_20_areas", "areas", i),
            row(spec, a, list="japan_20_areas", tech_id=a.id, crosswalk_jp=[a.id]),
        )
        for i, a in enumerate(doc.japan_20_areas.areas)
    ]
    values: Row
    lists: list[tuple[str, str, list[schema.Technology], str | None]] = [
        ("us_cet_2022", "technologies", doc.us_cet_2022.technologies, None),
        ("us_cet_2024", "technologies", doc.us_cet_2024.technologies, None),
        ("eu_2023", "areas", doc.eu_2023.areas, "one of the first four, flagged as most sensitive"),
        ("aspi_tracker", "technologies", doc.aspi_tracker.technologies, None),
        ("aspi_tracker", "added_2025", doc.aspi_tracker.added_2025, "added in the 2025 update"),
    ]
    for name, field, techs, flag in lists:
        for i, t in enumerate(techs):
            marked = flag if (t.priority_first_four or field == "added_2025") else None
            note = "; ".join(n for n in (marked, t.note) if n) or None
            values = {
                "list": name,
                "tech_id": slug(t.name_en),
                "domain": t.aspi_domain,
                "note": note,
            }
            out.append(((name, field, i), row(spec, t, **values)))
    visions = doc.k_program.visions if doc.k_program else []
    for v, vision in enumerate(visions):
        for i, item in enumerate(vision.example_technologies):
            values = {
                "list": f"k_program_vision_{v + 1}",
                "tech_id": slug(item.en),
                "name_en": item.en,
                "name_ja": item.ja,
                "crosswalk_jp": [],
                "note": f"example technology of {vision.name_ja} ({vision.date})",
            }
            out.append(
                (("k_program", "visions", v, "example_technologies", i), row(spec, item, **values))
            )
    return out


def _check_technologies(
    source: Source, doc: schema.TechnologiesFile, rows: list[tuple[Key, Row]]
) -> None:
    japan, aspi = doc.japan_20_areas, doc.aspi_tracker
    counts: list[tuple[Key, int, int]] = [
        (("japan_20_areas", "count"), japan.count, len(japan.areas)),
        (("us_cet_2022", "count"), doc.us_cet_2022.count, len(doc.us_cet_2022.technologies)),
        (("us_cet_2024", "count"), doc.us_cet_2024.count, len(doc.us_cet_2024.technologies)),
        (("eu_2023", "count"), doc.eu_2023.count, len(doc.eu_2023.areas)),
        (("aspi_tracker", "count_2024"), aspi.count_2024, len(aspi.technologies)),
        (("aspi_tracker", "count_2025"), aspi.count_2025, len(aspi.technologies + aspi.added_2025)),
    ]
    for key, stated, listed in counts:
        count(source, key, stated, listed)
    unique(
        source, (((*key, "name_en"), (r["list"], r["tech_id"])) for key, r in rows), "technology"
    )
    areas = {a.id for a in japan.areas}
    for key, r in rows:
        for j, area in enumerate(r["crosswalk_jp"]):
            if area not in areas:
                raise source.error(
                    f"unknown Japan technology area {area!r}",
                    (*key, "crosswalk_jp", j),
                    got=area,
                    expected="an id of japan_20_areas.areas",
                )


def _stage_technologies(ctx: StageContext) -> Staged:
    source = read_yaml(ctx.path)
    doc = validate(source, schema.TechnologiesFile)
    areas = doc.japan_20_areas.areas
    unique(source, ((("japan_20_areas", "areas", i, "id"), a.id) for i, a in enumerate(areas)))
    keyed = technology_rows(doc)
    _check_technologies(source, doc, keyed)
    return finish(ctx, CRITICAL_TECHNOLOGIES, doc, [r for _, r in keyed])


# --- specs ----------------------------------------------------------------------------------

PUBLISHER = "econsec compilation from public sources (see each record's source)"
LICENCE = (
    "compiled by econsec; each record cites its source (facts from public law and official pages)"
)
_PROVENANCE = (
    Column("source", "VARCHAR", "Where the record's facts come from (URL or citation)"),
    Column("confidence", "VARCHAR", "high, medium, low, unstated or n/a (see PROVENANCE.md)"),
    Column("confidence_note", "VARCHAR", "Original confidence text where it says more"),
)
_DOCUMENT = (
    "The whole validated file is kept with the version (Catalogue.document). A record without "
    "source/confidence inherits its enclosing block's; confidence is 'unstated' where nothing "
    "gives one."
)


def _spec(
    name: str, title: str, columns: tuple[Column, ...], stage: StageFn, **extra: Any
) -> DatasetSpec:
    return DatasetSpec(
        name=name,
        area="policy",
        title=title,
        publisher=PUBLISHER,
        licence=LICENCE,
        formats=("yaml",),
        columns=(*columns, *_PROVENANCE),
        stage=stage,
        cadence="when the Cabinet Order or the lists change",
        **extra,
    )


CRITICAL_PRODUCTS = _spec(
    "critical_products",
    "Specified critical products (ESPA Art. 7; Enforcement Order Art. 1)",
    (
        Column("id", "INTEGER", "Item number in Enforcement Order Art. 1"),
        Column("name_ja", "VARCHAR", "Product as worded in the Cabinet Order"),
        Column("name_en", "VARCHAR", "Official tentative English translation"),
        Column("ministry_ja", "VARCHAR", "Ministry in charge (Japanese)"),
        Column("ministry_en", "VARCHAR", "Ministry in charge (English abbreviation)"),
        Column("ministry_confidence", "VARCHAR", "Confidence in the ministry"),
        Column("hs_codes", "VARCHAR[]", "Indicative HS codes as 2/4/6 digits, ranges expanded"),
        Column("hs_codes_raw", "VARCHAR[]", "Indicative HS codes as written in the file"),
        Column("hs_confidence", "VARCHAR", "Confidence in the HS mapping (not part of the law)"),
        Column("hs_confidence_note", "VARCHAR", "Original HS confidence text where it says more"),
        Column("limited_to_ja", "VARCHAR[]", "Items the designation is limited to (Japanese)"),
        Column("limited_to_en", "VARCHAR[]", "Items the designation is limited to (English)"),
        Column("note", "VARCHAR", "Compiler's note"),
    ),
    _stage_products,
    key=("id",),
    source_url="https://elaws.jp/view/504CO0000000394",
    description=(
        "critical_products.yaml: one row per product. HS codes are econsec's indicative mapping, "
        "not the legal scope: '3004.10' -> '300410', chapters and headings keep 2/4 digits, "
        "parenthesised comments are dropped ('26 (ores)' -> '26') and a range of headings in "
        "one chapter is expanded ('8101-8112' -> 8101..8112). " + _DOCUMENT
    ),
)

INFRASTRUCTURE_SECTORS = _spec(
    "infrastructure_sectors",
    "Core infrastructure sectors under prior screening of critical equipment (ESPA Art. 50)",
    (
        Column("id", "VARCHAR", "Sector id, e.g. electricity, port"),
        Column("name_ja", "VARCHAR", "Sector as named in the Act"),
        Column("name_en", "VARCHAR", "English name"),
        Column("ministry", "VARCHAR", "Competent ministry"),
        Column("since", "VARCHAR", "When the sector was added, as written (e.g. 2022)"),
        Column("note", "VARCHAR", "Compiler's note"),
    ),
    _stage_sectors,
    key=("id",),
    source_url="https://www.cao.go.jp/keizai_anzen_hosho/",
    description="infrastructure_sectors.yaml: one row per sector; the screening rules (30-day "
    "review, extendable to 4 months) are in the document. " + _DOCUMENT,
)

PATENT_FIELDS = _spec(
    "patent_fields",
    "Specified technology fields of the patent non-disclosure system (ESPA Art. 66)",
    (
        Column("id", "INTEGER", "Field number (1-15 without, 16-25 with additional requirement)"),
        Column("name_ja", "VARCHAR", "Field name as reported"),
        Column("name_en", "VARCHAR", "English name"),
        Column("additional_requirement", "BOOLEAN", "Screened only if the 付加要件 applies"),
        Column(
            "ipc", "VARCHAR[]", "IPC symbols or rules as written (not verified against Art. 12)"
        ),
        Column("ipc_confidence", "VARCHAR", "Confidence in the IPC symbols"),
    ),
    _stage_patent_fields,
    key=("id",),
    source_url="https://www.cao.go.jp/keizai_anzen_hosho/suishinhou/patent/patent.html",
    description="patent_secrecy_fields.yaml: one row per field; the procedure (3 and 10 month "
    "deadlines, designation effects) is in the document. " + _DOCUMENT,
)

CRITICAL_TECHNOLOGIES = _spec(
    "critical_technologies",
    "Critical technology lists: Japan's 20 areas, K Program, US CET, EU, ASPI",
    (
        Column(
            "list",
            "VARCHAR",
            "japan_20_areas, us_cet_2022, us_cet_2024, eu_2023, aspi_tracker or k_program_vision_N",
        ),
        Column("tech_id", "VARCHAR", "Area id for Japan's areas, else a slug of name_en"),
        Column("name_en", "VARCHAR", "English name as listed"),
        Column("name_ja", "VARCHAR", "Japanese name (NULL where the list has none)"),
        Column("domain", "VARCHAR", "ASPI domain (NULL for the other lists)"),
        Column("crosswalk_jp", "VARCHAR[]", "Japan area ids this maps to (our judgement)"),
        Column("note", "VARCHAR", "EU priority area, ASPI 2025 addition, K Program vision"),
    ),
    _stage_technologies,
    key=("list", "tech_id"),
    source_url="https://www.cao.go.jp/keizai_anzen_hosho/",
    description="critical_technologies.yaml: one row per technology of every list; Japan's "
    "areas map to themselves. Stated counts are checked against the lists. " + _DOCUMENT,
)

SPECS = (CRITICAL_PRODUCTS, INFRASTRUCTURE_SECTORS, PATENT_FIELDS, CRITICAL_TECHNOLOGIES)
