"""List readers: each list format econsec reads, registered by its command-line name.

``econsec protect lists load FORMAT PATH...`` looks the format up here. Readers are imported when
first used, so the command line starts fast.
"""

from __future__ import annotations

from importlib import import_module

from econsec.errors import InvalidInput
from econsec.protect.lists.base import ListFormat

#: Format name -> module holding its ``FORMAT``.
MODULES = {
    "ofac": "ofac",
    "un": "un",
    "eu": "eu",
    "meti": "meti",
    "meti-eul": "meti_eul",
    "mof": "mof",
    "ftm": "ftm",
    "csv": "watchlist",
    "csl": "csl",
    "uk": "uk",
}


def get_format(name: str) -> ListFormat:
    """The list format called ``name``."""
    module = MODULES.get(name)
    if module is None:
        raise InvalidInput(f"unknown list format {name!r} (known: {', '.join(MODULES)})")
    fmt: ListFormat = import_module(f"econsec.protect.lists.{module}").FORMAT
    return fmt


def formats() -> list[ListFormat]:
    """Every registered format, in registry order."""
    return [get_format(name) for name in MODULES]
