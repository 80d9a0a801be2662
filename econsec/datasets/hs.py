"""Loaders for the Harmonized System: the HS 2022 nomenclature and sections, the UN correlation
tables between HS editions, and the HS 2017 → BEC Rev. 4 end-use correlation."""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from econsec.datasets.base import Column, DatasetSpec, Option, StageContext, Staged
from econsec.datasets.tabular import (
    Field,
    decode,
    hs_code,
    integer,
    one_of,
    read_bytes,
    read_table,
    stage_arrow,
    text,
)
from econsec.errors import DataError

ROMAN = (
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
    "XXI",
)
RELATIONSHIPS = ("1:1", "1:n", "n:1", "n:n")
_STRINGS = pa.string()


def _stage_nomenclature(ctx: StageContext) -> Staged:
    fields = [
        Field("hscode", "hscode", lambda c: c if c == "TOTAL" else hs_code((2, 4, 6))(c)),
        Field("level", "level", integer(2, 6)),
        Field("parent", "parent", text),
        Field("section", "section", lambda c: c if c == "TOTAL" else one_of(*ROMAN)(c)),
        Field("description", "description", text),
    ]
    schema = pa.schema(
        [
            ("hscode", _STRINGS),
            ("level", pa.int8()),
            ("parent", _STRINGS),
            ("section", _STRINGS),
            ("description", _STRINGS),
        ]
    )

    def check(line: int, row: dict[str, Any]) -> None:
        if row["hscode"] == "TOTAL":
            return
        if len(row["hscode"]) != row["level"]:
            raise DataError(
                "level does not match the code length",
                path=ctx.path,
                line=line,
                field="level",
                got=str(row["level"]),
                expected=str(len(row["hscode"])),
            )
        parent = "TOTAL" if row["level"] == 2 else row["hscode"][: row["level"] - 2]
        if row["parent"] != parent:
            raise DataError(
                "wrong parent",
                path=ctx.path,
                line=line,
                field="parent",
                got=row["parent"],
                expected=parent,
            )

    data = read_table(ctx.path, fields, schema, key=("hscode",), check=check)
    # The file's single TOTAL row is the root of the tree, not a code; it is left out.
    data = data.filter(pc.not_equal(data["hscode"], "TOTAL"))
    stage_arrow(ctx.con, ctx.table, data)
    missing = ctx.con.execute(
        f'SELECT c.hscode, c.parent FROM "{ctx.table}" c WHERE c.level > 2 AND c.parent NOT IN '
        f'(SELECT hscode FROM "{ctx.table}") ORDER BY c.hscode LIMIT 1'
    ).fetchone()
    if missing:
        raise DataError(
            f"code {missing[0]} has parent {missing[1]}, which is not in the file",
            path=ctx.path,
            field="parent",
        )
    return Staged(release="HS 2022")


def _stage_sections(ctx: StageContext) -> Staged:
    fields = [Field("section", "section", one_of(*ROMAN)), Field("name", "name", text)]
    schema = pa.schema([("section", _STRINGS), ("name", _STRINGS)])
    stage_arrow(ctx.con, ctx.table, read_table(ctx.path, fields, schema, key=("section",)))
    return Staged(release="HS 2022")


_EDITION_HEADER = re.compile(r"^HS ?(\d{4})$")


def _edition(year: str) -> str:
    return f"HS{year[2:]}"


def _stage_correlation(ctx: StageContext) -> Staged:
    first = decode(ctx.path, read_bytes(ctx.path)).split("\n", 1)[0].strip().split(",")
    editions = [m.group(1) for h in first[:2] if (m := _EDITION_HEADER.match(h.strip()))]
    if len(first) < 3 or len(editions) != 2 or first[2].strip() != "Relationship":
        raise DataError(
            "not an HS correlation table",
            path=ctx.path,
            line=1,
            got=",".join(first),
            expected="header HSyyyy,HSyyyy,Relationship (e.g. HS2022,HS2017)",
        )
    source, target = first[0].strip(), first[1].strip()
    fields = [
        Field(source, "from_code", hs_code((6,), pad=True)),
        Field(target, "to_code", hs_code((6,), pad=True)),
        Field("Relationship", "relationship", one_of(*RELATIONSHIPS)),
    ]
    schema = pa.schema([("from_code", _STRINGS), ("to_code", _STRINGS), ("relationship", _STRINGS)])
    data = read_table(ctx.path, fields, schema, key=("from_code", "to_code"))
    data = data.append_column("from_edition", pa.array([_edition(editions[0])] * len(data)))
    data = data.append_column("to_edition", pa.array([_edition(editions[1])] * len(data)))
    stage_arrow(ctx.con, ctx.table, data.select(list(HS_CORRELATION.column_names)))
    return Staged(release=f"{_edition(editions[0])}->{_edition(editions[1])}")


#: BEC Rev. 4 basic classes grouped into the SNA end-use categories (UN BEC Rev. 4 manual,
#: table 1). 51 (passenger cars), 321 (motor spirit) and codes not split further are not assigned.
END_USE = {
    **dict.fromkeys(("111", "121", "21", "22", "31", "322", "42", "53"), "intermediate"),
    **dict.fromkeys(("41", "521"), "capital"),
    **dict.fromkeys(("112", "122", "522", "61", "62", "63"), "consumption"),
}
BEC_CODES = (
    "111",
    "112",
    "121",
    "122",
    "21",
    "22",
    "31",
    "32",
    "321",
    "322",
    "41",
    "42",
    "51",
    "52",
    "521",
    "522",
    "53",
    "61",
    "62",
    "63",
    "7",
)


def _stage_bec(ctx: StageContext) -> Staged:
    edition = ctx.options.get("hs_edition", "HS17")
    fields = [
        Field("HS 2017", "hs6", hs_code((6,), pad=True)),
        Field("BEC", "bec", one_of(*BEC_CODES)),
        Field("Relationship", "relationship", one_of(*RELATIONSHIPS)),
    ]
    schema = pa.schema([("hs6", _STRINGS), ("bec", _STRINGS), ("relationship", _STRINGS)])
    data = read_table(ctx.path, fields, schema, key=("hs6", "bec"))
    end_use = [END_USE.get(b, "not_assigned") for b in data["bec"].to_pylist()]
    data = data.append_column("end_use", pa.array(end_use))
    data = data.append_column("hs_edition", pa.array([edition] * len(data)))
    stage_arrow(ctx.con, ctx.table, data.select(list(HS_BEC.column_names)))
    return Staged(release="BEC Rev. 4")


UNSD = "UN Statistics Division"

HS2022 = DatasetSpec(
    name="hs2022",
    area="nomenclature",
    title="HS 2022 nomenclature (chapters, headings, subheadings)",
    publisher="World Customs Organization, via UN Comtrade (datasets/harmonized-system)",
    licence="ODC-PDDL-1.0",
    formats=("csv", "csv.gz"),
    columns=(
        Column("hscode", "VARCHAR", "HS code: 2 (chapter), 4 (heading) or 6 (subheading) digits"),
        Column("level", "TINYINT", "2, 4 or 6"),
        Column("parent", "VARCHAR", "Code one level up ('TOTAL' for chapters)"),
        Column("section", "VARCHAR", "HS section, Roman numeral I-XXI"),
        Column("description", "VARCHAR", "Official English description"),
    ),
    stage=_stage_nomenclature,
    key=("hscode",),
    source_url="https://github.com/datasets/harmonized-system",
    cadence="every 5 years (HS 2027 next)",
    description="Columns section,hscode,description,parent,level; the TOTAL root row is dropped.",
)

HS_SECTIONS = DatasetSpec(
    name="hs_sections",
    area="nomenclature",
    title="HS 2022 sections",
    publisher="World Customs Organization, via UN Comtrade (datasets/harmonized-system)",
    licence="ODC-PDDL-1.0",
    formats=("csv",),
    columns=(
        Column("section", "VARCHAR", "Roman numeral I-XXI"),
        Column("name", "VARCHAR", "Section title"),
    ),
    stage=_stage_sections,
    key=("section",),
    source_url="https://github.com/datasets/harmonized-system",
    cadence="every 5 years",
)

HS_CORRELATION = DatasetSpec(
    name="hs_correlation",
    area="nomenclature",
    title="HS correlation tables between editions (2022→2017, 2017→2012, ...)",
    publisher=UNSD,
    licence="UN data, free to use with attribution (copied from an Apache-2.0 repository)",
    formats=("csv", "csv.gz"),
    columns=(
        Column("from_edition", "VARCHAR", "Newer HS edition, e.g. HS22"),
        Column("from_code", "VARCHAR", "HS6 code in from_edition"),
        Column("to_edition", "VARCHAR", "Older HS edition, e.g. HS17"),
        Column("to_code", "VARCHAR", "HS6 code in to_edition"),
        Column("relationship", "VARCHAR", "1:1, 1:n, n:1 or n:n"),
    ),
    stage=_stage_correlation,
    key=("from_edition", "to_edition", "from_code", "to_code"),
    partition_by=("from_edition", "to_edition"),
    source_url="https://unstats.un.org/unsd/classifications/Econ",
    cadence="with each HS edition",
    description="Header HSyyyy,HSyyyy,Relationship; each file replaces its own pair of editions.",
)

HS_BEC = DatasetSpec(
    name="hs_bec",
    area="nomenclature",
    title="HS 2017 → BEC Rev. 4 correlation with SNA end use",
    publisher=UNSD,
    licence="UN data, free to use with attribution",
    formats=("csv", "csv.gz"),
    columns=(
        Column("hs_edition", "VARCHAR", "HS edition of hs6 (HS17)"),
        Column("hs6", "VARCHAR", "HS6 code"),
        Column("bec", "VARCHAR", "BEC Rev. 4 basic class"),
        Column("end_use", "VARCHAR", "intermediate, capital, consumption or not_assigned"),
        Column("relationship", "VARCHAR", "n:1 or n:n"),
    ),
    stage=_stage_bec,
    key=("hs6", "bec"),
    options=(Option("hs_edition", "HS edition of the file's HS codes (default HS17)"),),
    source_url="https://unstats.un.org/unsd/trade/classifications/correspondence-tables.asp",
    cadence="with each HS edition",
)

SPECS = (HS2022, HS_SECTIONS, HS_CORRELATION, HS_BEC)
