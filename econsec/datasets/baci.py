"""CEPII BACI: country codes, product codes and bilateral trade flows.

BACI (Gaulier & Zignago 2010) reconciles UN Comtrade declarations into one value per exporter,
importer, HS6 product and year: ``t,i,j,k,v,q`` = year, exporter and importer (BACI numeric
country codes), product (HS6 in the file's HS edition), value in thousand current USD (FOB) and
quantity in metric tonnes. econsec exposes countries as ISO 3166-1 alpha-3 and keeps the BACI
numeric codes beside them. The flow loader itself is in :mod:`econsec.datasets.baci_flows`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyarrow as pa

from econsec.datasets.base import Column, DatasetSpec, Option, StageContext, Staged
from econsec.datasets.tabular import (
    Field,
    decode,
    integer,
    iter_rows,
    pattern,
    read_bytes,
    read_table,
    stage_arrow,
    text,
)
from econsec.errors import DataError

#: BACI numeric codes whose ISO alpha-3 code BACI leaves empty or replaces with a pseudo code.
#: 490 "Other Asia, nes" is how UN Comtrade (and so BACI) reports Taiwan.
ISO_OVERRIDES = {490: ("TWN", "BACI 'Other Asia, nes' (S19): Taiwan")}
#: Alpha-2 codes filled in where a file leaves them empty: Taiwan follows from 490 -> TWN, and
#: Namibia's "NA" was lost as a missing value when the V202301 file was re-saved.
ISO2_FILL = {490: "TW", 516: "NA"}
#: Alpha-2 codes dropped: V202301 gives SACU (711) the code of South Africa alone.
ISO2_DROP = frozenset({711})
#: BACI pseudo codes for groupings that have no ISO 3166-1 code (kept, flagged is_iso = false).
PSEUDO = {697: "R20", 849: "PUS", 711: "ZA1"}
NON_ISO = frozenset({"R20", "PUS", "ZA1", "S19"})
#: Codes BACI files use for these entities, accepted as spellings in extracts.
PSEUDO_ALIASES = {490: "S19", **PSEUDO}

_LAYOUTS = {
    # BACI V202401 and later: country_code,country_name,country_iso2,country_iso3
    ("country_code", "country_name", "country_iso2", "country_iso3"): (
        "country_name",
        None,
        "country_iso2",
        "country_iso3",
    ),
    # BACI V202301: country_code,country_name_abbreviation,country_name_full,iso_2digit_alpha,...
    (
        "country_code",
        "country_name_abbreviation",
        "country_name_full",
        "iso_2digit_alpha",
        "iso_3digit_alpha",
    ): ("country_name_abbreviation", "country_name_full", "iso_2digit_alpha", "iso_3digit_alpha"),
    # Codes only (as re-published in the tradalyze R package): country_code,country_iso3
    ("country_code", "country_iso3"): (None, None, None, "country_iso3"),
}

RELEASE = re.compile(r"V(20\d{4}[a-z]?)", re.IGNORECASE)
EDITION = re.compile(r"HS(92|96|02|07|12|17|22|27)", re.IGNORECASE)


def release_of(path: Path, options: dict[str, str] | None = None) -> str | None:
    """BACI release (``V202401``) from the options or the file name, if either says."""
    if options and options.get("release"):
        return options["release"]
    match = RELEASE.search(path.name)
    return f"V{match.group(1)}" if match else None


def edition_of(path: Path, options: dict[str, str]) -> str | None:
    """HS edition (``HS17``) from the ``hs_edition`` option or the file name."""
    given = options.get("hs_edition")
    if given:
        if not re.fullmatch(r"HS\d\d", given.upper()):
            raise DataError(
                "invalid hs_edition option",
                field="hs_edition",
                got=given,
                expected="HS92, HS96, HS02, HS07, HS12, HS17 or HS22",
            )
        return given.upper()
    match = EDITION.search(path.name)
    return f"HS{match.group(1)}" if match else None


def _iso3(code: int, baci_iso3: str | None) -> tuple[str | None, str | None]:
    """The alpha-3 code econsec exposes for a BACI code, and why it differs from BACI's."""
    if code in ISO_OVERRIDES:
        return ISO_OVERRIDES[code]
    if code == 711:  # SACU before 2000: one BACI code for five countries, not ZAF alone
        return PSEUDO[711], "Southern African Customs Union (BACI 711): no ISO code"
    if baci_iso3:
        return baci_iso3, None
    if code in PSEUDO:
        return PSEUDO[code], "no ISO code; BACI's pseudo code"
    return None, None


def _stage_countries(ctx: StageContext) -> Staged:
    first = decode(ctx.path, read_bytes(ctx.path)).split("\n", 1)[0]
    header = tuple(h.strip().strip('"') for h in first.strip().split(","))
    layout = _LAYOUTS.get(header)
    if layout is None:
        raise DataError(
            "not a BACI country code file",
            path=ctx.path,
            line=1,
            got=",".join(header),
            expected="one of: " + " | ".join(",".join(h) for h in _LAYOUTS),
        )
    name_col, full_col, iso2_col, iso3_col = layout
    letters = pattern(r"[A-Z0-9]{3}", "three capital letters or digits")
    fields = [Field("country_code", "code", integer(0, 999))]
    if name_col:
        fields.append(Field(name_col, "name", text))
    if full_col:
        fields.append(Field(full_col, "name_full", text))
    if iso2_col:
        fields.append(Field(iso2_col, "iso2", pattern(r"[A-Z0-9]{2}", "two letters"), False))
    fields.append(Field(iso3_col, "baci_iso3", letters, required=False))
    rows: dict[int, dict[str, Any]] = {}
    for line, row in iter_rows(ctx.path, fields):
        code = int(row["code"])
        if code in rows:
            raise DataError(
                f"duplicate country code {code}",
                path=ctx.path,
                line=line,
                field="country_code",
                expected="unique codes",
            )
        rows[code] = row
    if not rows:
        raise DataError("file has a header but no data rows", path=ctx.path, line=2)
    out: dict[str, list[object]] = {c.name: [] for c in BACI_COUNTRIES.columns}
    for code, row in sorted(rows.items()):
        baci_iso3: str | None = row.get("baci_iso3")
        iso3, note = _iso3(code, baci_iso3)
        if iso3 is None:
            raise DataError(
                f"country code {code} has no ISO alpha-3 code",
                path=ctx.path,
                field=iso3_col,
                expected="an ISO 3166-1 alpha-3 code",
            )
        values = {
            "code": code,
            "iso3": iso3,
            "iso2": None if code in ISO2_DROP else row.get("iso2") or ISO2_FILL.get(code),
            "name": row.get("name"),
            "name_full": row.get("name_full") or row.get("name"),
            "baci_iso3": baci_iso3,
            "is_iso": iso3 not in NON_ISO and iso3.isalpha(),
            "note": note,
        }
        for key, value in values.items():
            out[key].append(value)
    schema = pa.schema(
        [
            ("code", pa.int16()),
            ("iso3", pa.string()),
            ("iso2", pa.string()),
            ("name", pa.string()),
            ("name_full", pa.string()),
            ("baci_iso3", pa.string()),
            ("is_iso", pa.bool_()),
            ("note", pa.string()),
        ]
    )
    stage_arrow(ctx.con, ctx.table, pa.table(out, schema=schema))
    return Staged(release=release_of(ctx.path, dict(ctx.options)))


#: BACI HS6 products: six digits, or CEPII's legacy "not specified" code 9999AA (HS92).
PRODUCT_CODE = r"[0-9]{4}[0-9A-Z]{2}"


def product_code(cell: str) -> str:
    """A BACI product code; five digits get their lost leading zero back."""
    code = "0" + cell if len(cell) == 5 and cell.isdigit() else cell
    if not re.fullmatch(PRODUCT_CODE, code):
        raise ValueError("an HS6 code (6 digits, or 9999AA)")
    return code


def _stage_products(ctx: StageContext) -> Staged:
    edition = edition_of(ctx.path, dict(ctx.options))
    if edition is None:
        raise DataError(
            "cannot tell the HS edition",
            path=ctx.path,
            expected="a file name containing HS92/HS96/HS02/HS07/HS12/HS17/HS22 "
            "or --option hs_edition=HS17",
        )
    fields = [
        Field("code", "hs6", product_code),
        Field("description", "description", text, required=False),
    ]
    schema = pa.schema([("hs6", pa.string()), ("description", pa.string())])
    data = read_table(ctx.path, fields, schema, key=("hs6",))
    data = data.add_column(0, "hs_edition", pa.array([edition] * len(data)))
    stage_arrow(ctx.con, ctx.table, data)
    return Staged(release=release_of(ctx.path, dict(ctx.options)))


CEPII = "CEPII (BACI)"
ETALAB = "Etalab Open Licence 2.0 (cite Gaulier & Zignago 2010)"
_RELEASE_OPTION = Option("release", "BACI release label, e.g. V202401 (default: from file name)")

BACI_COUNTRIES = DatasetSpec(
    name="baci_countries",
    area="trade",
    title="BACI country codes (numeric code → ISO 3166-1 alpha-3)",
    publisher=CEPII,
    licence=ETALAB,
    formats=("csv",),
    columns=(
        Column("code", "SMALLINT", "BACI numeric country code (UN Comtrade code)"),
        Column("iso3", "VARCHAR", "ISO 3166-1 alpha-3 (490 → TWN; pseudo codes where none)"),
        Column("iso2", "VARCHAR", "ISO 3166-1 alpha-2 when the file has it"),
        Column("name", "VARCHAR", "Short English name when the file has it"),
        Column("name_full", "VARCHAR", "Full English name when the file has it"),
        Column("baci_iso3", "VARCHAR", "The alpha-3 code exactly as BACI's file gives it"),
        Column("is_iso", "BOOLEAN", "False for groupings without an ISO code (R20, PUS, ZA1)"),
        Column("note", "VARCHAR", "Why iso3 differs from BACI's file, if it does"),
    ),
    stage=_stage_countries,
    key=("code",),
    options=(_RELEASE_OPTION,),
    source_url="https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
    cadence="yearly, with each BACI release",
    description="Accepts the V202301 and V202401+ official layouts and the codes-only layout.",
)

BACI_PRODUCTS = DatasetSpec(
    name="baci_products",
    area="trade",
    title="BACI product codes (HS6 and description, per HS edition)",
    publisher=CEPII,
    licence=ETALAB,
    formats=("csv", "csv.gz"),
    columns=(
        Column("hs_edition", "VARCHAR", "HS edition: HS92 ... HS22"),
        Column("hs6", "VARCHAR", "HS6 product code (6 characters)"),
        Column("description", "VARCHAR", "CEPII's English description"),
    ),
    stage=_stage_products,
    key=("hs_edition", "hs6"),
    partition_by=("hs_edition",),
    options=(Option("hs_edition", "HS edition (default: from the file name)"), _RELEASE_OPTION),
    source_url="https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
    cadence="yearly, with each BACI release",
    description="One file per HS edition (product_codes_HS17_V202401.csv); each replaces its own.",
)

SPECS = (BACI_COUNTRIES, BACI_PRODUCTS)
