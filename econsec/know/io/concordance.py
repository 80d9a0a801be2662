"""HS chapters (HS2, with a few HS4 exceptions) → WIOD 2013 industries c1..c35 (NACE Rev. 1.1).

Source and status: written for econsec from the HS 2017 chapter titles and the NACE Rev. 1.1
division definitions behind WIOD's 35 industries (Timmer et al. 2015, table A1). It is an
approximation, not an official correspondence (the official route, HS → CPA 2002 → NACE Rev.
1.1 through Eurostat's RAMON tables, is not in our data). Every HS chapter of goods is mapped to
the one industry that makes most of it; HS4 exceptions move headings that clearly belong
elsewhere (refined petroleum and coke to c8, electricity to c17, computers to c14, precious
metals to c12). Trade in goods never maps to service industries (c18-c35).
"""

from __future__ import annotations

from econsec.errors import InvalidInput

#: HS2 chapter → WIOD industry code.
HS2_TO_WIOD: dict[str, str] = {
    **dict.fromkeys(("01", "03", "05", "06", "07", "08", "09", "10", "12", "13", "14"), "c1"),
    **dict.fromkeys(("02", "04", "11", "15", "16", "17", "18", "19", "20", "21", "22"), "c3"),
    **dict.fromkeys(("23", "24"), "c3"),
    **dict.fromkeys(("25", "26", "27"), "c2"),
    **{f"{c}": "c9" for c in range(28, 39)},
    "39": "c10",
    "40": "c10",
    **dict.fromkeys(("41", "42", "43", "64"), "c5"),
    **dict.fromkeys(("44", "45", "46"), "c6"),
    **dict.fromkeys(("47", "48", "49"), "c7"),
    **{f"{c}": "c4" for c in range(50, 64)},
    "65": "c4",
    **dict.fromkeys(("66", "67", "71", "92", "94", "95", "96", "97"), "c16"),
    **dict.fromkeys(("68", "69", "70"), "c11"),
    **{f"{c}": "c12" for c in range(72, 84) if c != 77},
    "84": "c13",
    "93": "c13",
    "85": "c14",
    "90": "c14",
    "91": "c14",
    **dict.fromkeys(("86", "87", "88", "89"), "c15"),
}

#: HS4 headings that leave their chapter's industry.
HS4_TO_WIOD: dict[str, str] = {
    "2704": "c8",  # coke
    "2706": "c8",  # tars
    "2707": "c8",
    "2708": "c8",
    "2710": "c8",  # refined petroleum oils
    "2712": "c8",
    "2713": "c8",
    "2714": "c8",
    "2715": "c8",
    "2716": "c17",  # electrical energy
    "7106": "c12",  # silver, unwrought
    "7108": "c12",  # gold, unwrought
    "7110": "c12",  # platinum
    "7112": "c12",  # precious-metal waste and scrap
    "8469": "c14",  # office machines (NACE 30)
    "8470": "c14",
    "8471": "c14",  # computers
    "8472": "c14",
    "8473": "c14",
}

SOURCE = (
    "HS2/HS4 → WIOD c1-c35 concordance written for econsec from HS 2017 chapter titles and "
    "NACE Rev. 1.1 divisions (econsec/know/io/concordance.py); an approximation, not an "
    "official correspondence"
)


def wiod_sector(hs: str) -> str:
    """The WIOD industry of an HS code (2 to 6 digits); InvalidInput when it has none."""
    code = hs.strip()
    if len(code) < 2 or not code[:2].isdigit():
        raise InvalidInput(f"invalid HS code {hs!r}", expected="2 to 6 digits")
    if code[:4] in HS4_TO_WIOD:
        return HS4_TO_WIOD[code[:4]]
    try:
        return HS2_TO_WIOD[code[:2]]
    except KeyError:
        raise InvalidInput(
            f"HS chapter {code[:2]} has no WIOD industry (chapters 77, 98, 99 are reserved or "
            "special)",
            valid=sorted(HS2_TO_WIOD),
        ) from None
