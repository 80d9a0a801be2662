"""Rebuild the two tables shipped with the matcher, from the lists loaded in the app store:

    ECONSEC_HOME=... python -m econsec.protect.screening.tables [OUTPUT_FOLDER]

``token_df.json.gz`` (how many names each token appears in: the rarity weights, see
:mod:`~econsec.protect.screening.weights`) and ``token_symbols.json.gz`` (rigour's name symbols
of every token, see :mod:`~econsec.protect.screening.symbols`). Rebuild them when the lists'
vocabulary has moved or the normalisation changed, and commit the result.
"""

from __future__ import annotations

import sys
from pathlib import Path

from econsec.protect.screening import symbols
from econsec.protect.screening.normalise import forms
from econsec.protect.screening.weights import TABLE, build_table, write_table


def main(argv: list[str] | None = None) -> None:
    """Rebuild both tables from the active list versions of the configured app store."""
    from econsec.protect.store import ScreeningStore
    from econsec.settings import get_settings
    from econsec.store.app import open_app_store

    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else Path(__file__).parent
    settings = get_settings()
    store = ScreeningStore(open_app_store(settings.app_database_url))
    entries = store.entries(store.active())
    names = [(n, not e.is_person) for e in entries for n in (*e.names, *e.weak_names)]
    table = build_table(names)
    write_table(table, folder / TABLE)
    print(f"{folder / TABLE}: {table['names']} names, {len(table['df'])} tokens")  # type: ignore[arg-type]
    tokens = {t for name, org in names for form in forms(name, org) for t in form.tokens}
    symbol_table = symbols.build_table(tokens)
    write_table(symbol_table, folder / symbols.TABLE)  # type: ignore[arg-type]
    print(
        f"{folder / symbols.TABLE}: {len(symbol_table['person'])} person tokens, "
        f"{len(symbol_table['org'])} organisation tokens"
    )


if __name__ == "__main__":
    main()
