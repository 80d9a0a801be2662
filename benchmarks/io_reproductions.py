"""IO reproductions (issue 8, part 3): a Tohoku-2011-type shock and the removal of Taiwan's
electrical and optical equipment (c14) from the 2011 world table. Prints the figures and every
assumption; the RESULTS section quotes this output.

    .venv/bin/python benchmarks/io_reproductions.py [SHARED_SUPPLY_FOLDER]

1. Tohoku: the disaster area (Iwate, Miyagi, Fukushima: 3.94 % of Japan's 2010 real GDP,
   20.2 of 512.5 trillion yen, e-Stat figures as tabulated in PMC5370211 table 1) is split out
   of Japan with the same technology and sales proportions in every sector; its output is cut
   for 30 days and recovers linearly over 90 days (Japan's industrial production fell 15.3 %
   m/m in March 2011 and was back near February's level by July: METI, via BLS). Losses are a
   share of Japan's annual value added. Published: Carvalho, Nirei, Saito & Tahbaz-Salehi (2021,
   QJE 136:1255) 0.47 pp lower real GDP growth in the following year (direct + propagation);
   Tokui, Kawasaki & Miyagawa (2017, Japan & World Economy 41:59; RIETI DP 15-E-094) at most
   0.41 % of GDP lost through supply-chain disruptions (indirect only).
2. TWN c14 removed from WIOD 2011: world output loss share and the top 10 regions, Leontief
   (= total hypothetical extraction for a 100 % cut) vs the bottleneck model with 0, 30 and 60
   days of inventory, for a one-year and a 90-day removal.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from econsec.datasets.io_tables import read_japan_io, read_wiod
from econsec.know.io import IOTable, ShockResult, shock, split_region

ROOT = Path(__file__).resolve().parents[1]
SUPPLY = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "supply"
TOHOKU_SHARE = 20.2 / 512.5  # Iwate 4.4 + Miyagi 8.2 + Fukushima 7.6 of Japan 512.5 (2010)
CUT_DAYS, RECOVERY_DAYS = 30, 90


def japan_va_share(result: ShockResult, regions: tuple[str, ...]) -> float:
    """Value-added loss as a share of the named regions' annual value added (%)."""
    return 100 * result.region_loss(regions)[1]


def tohoku(table: IOTable, region: str, label: str) -> None:
    split = split_region(table, region, TOHOKU_SHARE, "TOH")
    both = (region, "TOH")
    print(f"\n## Tohoku-type shock on {label} ({split.n} rows after the split)")
    print(f"area share {TOHOKU_SHARE:.2%} of every {region} sector; depth x cut days + recovery")
    for depth in (1.0, 0.5, 0.25):
        cut = [("TOH", "*", depth)]
        # Linear model: a linear 90-day recovery costs the same as 45 days of full cut.
        equivalent = CUT_DAYS + RECOVERY_DAYS / 2
        leo = shock(split, cut, "leontief", duration_days=equivalent)
        direct = (
            100
            * float(leo.value_added_loss[leo.extracted].sum())
            / float(split.v[[r in both for r in split.regions]].sum())
        )
        print(
            f"depth {depth:.0%}: direct VA loss {direct:.3f} % of Japan's VA; "
            f"Leontief total {japan_va_share(leo, both):.3f} % "
            f"(indirect {japan_va_share(leo, both) - direct:.3f} %)"
        )
        for days in (0, 10, 30):
            start = time.perf_counter()
            bot = shock(
                split,
                cut,
                "bottleneck",
                inventory_days=days,
                duration_days=CUT_DAYS,
                recovery_days=RECOVERY_DAYS,
                horizon_days=365,
            )
            print(
                f"   bottleneck, {days:>2} days of stock: {japan_va_share(bot, both):.3f} % of "
                f"Japan's VA (indirect {japan_va_share(bot, both) - direct:.3f} %) "
                f"[{time.perf_counter() - start:.2f} s]"
            )


def taiwan(wiod: IOTable) -> None:
    print("\n## TWN c14 (Electrical and optical equipment) removed from WIOD 2011")
    for days in (365, 90):
        runs: list[tuple[str, ShockResult]] = [
            ("Leontief", shock(wiod, ["TWN:c14"], "leontief", duration_days=days)),
            ("extraction total", shock(wiod, ["TWN:c14"], "extraction", duration_days=days)),
            (
                "extraction backward",
                shock(wiod, ["TWN:c14"], "extraction", kind="backward", duration_days=days),
            ),
            (
                "extraction forward",
                shock(wiod, ["TWN:c14"], "extraction", kind="forward", duration_days=days),
            ),
            ("Ghosh", shock(wiod, ["TWN:c14"], "ghosh", duration_days=days)),
        ]
        for stock in (0, 30, 60):
            runs.append(
                (
                    f"bottleneck {stock} d",
                    shock(
                        wiod,
                        ["TWN:c14"],
                        "bottleneck",
                        inventory_days=stock,
                        duration_days=days,
                        horizon_days=days if days == 365 else days + 90,
                    ),
                )
            )
        print(f"\n### removal for {days} days (losses over the period, share of annual output)")
        for name, res in runs:
            d = res.to_dict()
            top = ", ".join(
                f"{r['region']} {100 * r['output_loss_share']:.3f}"
                for r in d["losses_by_region"][:10]
            )
            print(
                f"{name:>20}: world {100 * d['world_output_loss_share']:.3f} % "
                f"(VA {100 * d['world_value_added_loss_share']:.3f} %); "
                f"direct {d['direct_output_loss']:,.0f}, indirect {d['indirect_output_loss']:,.0f} "
                f"M USD; top 10 (% of own output): {top}"
            )


def sensitivity(wiod: IOTable) -> None:
    print("\n### bottleneck sensitivity: critical-input threshold (365-day removal, 30 d stock)")
    for threshold in (0.01, 0.03, 0.05, 0.1):
        res = shock(
            wiod,
            ["TWN:c14"],
            "bottleneck",
            inventory_days=30,
            duration_days=365,
            horizon_days=365,
            threshold=threshold,
        )
        print(f"threshold {threshold:>4}: world {100 * res.world_output_loss_share:.3f} %")


def main() -> None:
    wiod = read_wiod(SUPPLY / "wiod2013_2011")
    japan = read_japan_io(SUPPLY / "io_japan_2011_13sector" / "iotable_13sector_2011_wider.csv")
    tohoku(wiod, "JPN", "WIOD 2011 (JPN region)")
    tohoku(japan, "JPN", "Japan 2011, 13 sectors (domestic flows)")
    taiwan(wiod)
    sensitivity(wiod)
    print("\nAssumptions of the bottleneck runs:")
    res = shock(wiod, ["TWN:c14"], "bottleneck", duration_days=5, horizon_days=5)
    for line in res.assumptions:
        print(" -", line)


if __name__ == "__main__":
    main()
