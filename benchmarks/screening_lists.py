"""Shared set-up of the screening benchmarks: load every real list in ../shared into a data home.

    python benchmarks/screening_lists.py HOME     # load (once) and print the versions

The lists are the real files of ``../shared/data/screening`` (see its PROVENANCE.md): OFAC SDN
(2024-07-02 with 2026-06-02 aliases and addresses), the OFAC consolidated non-SDN list, the UN
Security Council list (2026-01-28), the EU/UN/OFAC aggregate (2026-01-28), METI's three
export-ban lists, METI's End User List and the MOF asset-freeze list.
"""

from __future__ import annotations

import sys
from pathlib import Path

from econsec.protect.service import ProtectService
from econsec.settings import Settings
from econsec.store.app import open_app_store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "screening"
OFAC = SHARED / "ofac"
LOADS: list[tuple[str, list[Path]]] = [
    (
        "ofac",
        [OFAC / "sdn_2024-07-02.csv", OFAC / "alt_2026-06-02.csv", OFAC / "add_2026-06-02.csv"],
    ),
    ("ofac", [OFAC / "consolidated_non_sdn_2026-01-08.xml"]),
    ("un", [SHARED / "un" / "consolidated_2026-01-28.xml"]),
    ("eu", [SHARED / "aggregate" / "eu_un_ofaccons_aggregate_2026-01-28.json"]),
    ("meti", [SHARED / "jp_meti" / "250912_list_russia_tokutei.pdf.txt"]),
    ("meti", [SHARED / "jp_meti" / "250912_list_daisangoku_tokutei.pdf.txt"]),
    ("meti", [SHARED / "jp_meti" / "list_belarus_tokutei.pdf.txt"]),
    ("meti-eul", [SHARED / "jp_official" / "jp_meti_end_user_list_2025-09-29.xlsx"]),
    ("mof", [SHARED / "jp_official" / "jp_mof_asset_freeze_list_2026-03-05.xlsx"]),
]


def service(home: Path) -> ProtectService:
    """The Protect service of ``home``, with every real list loaded (skipped if already)."""
    if not SHARED.is_dir():
        sys.exit(f"{SHARED} is missing: the screening benchmarks need ../shared beside the repo")
    settings = Settings(home=home)
    svc = ProtectService(settings, open_app_store(settings.app_database_url))
    loaded = {v.name for v in svc.store.active()}
    if not loaded:
        for fmt, paths in LOADS:
            svc.load(fmt, paths)
    elif len(loaded) < 9:
        sys.exit(f"{home} holds only some of the lists ({sorted(loaded)}); use a new home")
    return svc


if __name__ == "__main__":
    svc = service(Path(sys.argv[1]))
    for version in svc.store.active():
        print(f"{version.name:22} {version.version}  {version.entity_count:>6} entities")
