"""Country groups: importers that act as one (EU27, G7, ASEAN) and groups such as "countries of
concern" whose share of a supply is measured. Members are ISO 3166-1 alpha-3 codes.

Built-in groups list today's members (membership is not dated): a group applied to an earlier
year counts today's members. Users add or override groups with ``NAME=ISO3,ISO3,...``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from econsec.errors import DataError


@dataclass(frozen=True, slots=True)
class Group:
    """A named set of countries and where its membership comes from."""

    name: str
    members: tuple[str, ...]
    source: str = "user-defined"


_EU27 = (
    *("AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN"),
    *("IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP"),
    "SWE",
)

BUILTIN: dict[str, Group] = {
    g.name: g
    for g in (
        Group(
            "EU27",
            _EU27,
            "European Union, the 27 member states since 1 February 2020: "
            "https://european-union.europa.eu/principles-countries-history/eu-countries_en",
        ),
        Group(
            "G7",
            ("CAN", "FRA", "DEU", "ITA", "JPN", "GBR", "USA"),
            "Group of Seven (the EU takes part but is not a member): "
            "https://www.mofa.go.jp/ecm/ec/page24e_000346.html",
        ),
        Group(
            "ASEAN",
            ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM", "TLS"),
            "ASEAN member states; Timor-Leste (TLS) admitted as the 11th at the 47th ASEAN "
            "Summit, 26 October 2025: https://asean.org/member-states/",
        ),
    )
}

_ISO3 = re.compile(r"[A-Z][A-Z0-9]{2}")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")


def parse_group(text: str) -> Group:
    """``NAME=ISO3,ISO3,...`` as a user-defined group; a DataError says what is wrong."""
    name, sep, members = text.partition("=")
    name = name.strip()
    codes = tuple(dict.fromkeys(m.strip().upper() for m in members.split(",") if m.strip()))
    if not sep or not _NAME.fullmatch(name) or not codes:
        raise DataError(
            "invalid group",
            field="group",
            got=text,
            expected="NAME=ISO3,ISO3,... (e.g. concern=CHN,RUS)",
        )
    bad = [c for c in codes if not _ISO3.fullmatch(c)]
    if bad:
        raise DataError(
            f"invalid country code(s) {', '.join(bad)} in group {name}",
            field="group",
            expected="ISO 3166-1 alpha-3 codes",
        )
    return Group(name, codes)


def groups(user: Iterable[str | Group] = ()) -> dict[str, Group]:
    """The built-in groups with the user's added (a user group replaces a built-in one)."""
    result = dict(BUILTIN)
    for item in user:
        group = parse_group(item) if isinstance(item, str) else item
        result[group.name] = group
    return result


def members(names: Iterable[str], known: Mapping[str, Group]) -> dict[str, tuple[str, ...]]:
    """Each requested entity with its member countries: a group name or a single ISO3 code."""
    result: dict[str, tuple[str, ...]] = {}
    for raw in names:
        name = raw.strip()
        match = next((g for key, g in known.items() if key.upper() == name.upper()), None)
        if match is not None:
            result[match.name] = match.members
        elif _ISO3.fullmatch(name.upper()):
            result[name.upper()] = (name.upper(),)
        else:
            raise DataError(
                f"unknown importer or group {name!r}",
                field="importer",
                expected="an ISO 3166-1 alpha-3 code or a group: " + ", ".join(sorted(known)),
            )
    return result
