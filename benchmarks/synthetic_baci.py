"""Write a SYNTHETIC BACI-shaped year for benchmarks (never for analysis).

The file has BACI's columns ``t,i,j,k,v,q`` (year, exporter and importer BACI numeric codes, HS6
product, value in thousand USD, quantity in tonnes) and BACI's size: about 11 M flows between 230
countries over 5,600 HS6 products, with heavy-tailed (Pareto / log-normal) country sizes and flow
values. Country and product codes are real BACI codes (so the file passes econsec's validation);
every flow and every figure is invented. The file name starts with ``SYNTHETIC_`` and a
``.PROVENANCE.md`` file is written beside it.

    python benchmarks/synthetic_baci.py --out /tmp/SYNTHETIC_BACI_HS22_Y2022_V000000.csv
"""

from __future__ import annotations

import argparse
import csv
import gzip
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parents[1]
COUNTRIES = ROOT / "data" / "trade" / "baci_country_codes_V202401.csv"
PRODUCTS = ROOT / "data" / "trade" / "baci_product_codes_HS22_V202401.csv.gz"


def _codes(n_countries: int, n_products: int) -> tuple[np.ndarray, np.ndarray]:
    with COUNTRIES.open(encoding="utf-8") as fh:
        countries = sorted({int(r["country_code"]) for r in csv.DictReader(fh)})
    with gzip.open(PRODUCTS, "rt", encoding="utf-8") as fh:
        products = sorted({r["code"] for r in csv.DictReader(fh)})
    if len(countries) < n_countries or len(products) < n_products:
        raise SystemExit("not enough real codes for the requested shape")
    return np.array(countries[:n_countries]), np.array(products[:n_products])


def generate(rows: int, year: int, seed: int, n_countries: int, n_products: int) -> pa.Table:
    """Return a BACI-shaped table of ``rows`` distinct (i, j, k) flows; deterministic per seed."""
    rng = np.random.default_rng(seed)
    countries, products = _codes(n_countries, n_products)
    size = rng.pareto(1.1, n_countries) + 1.0  # heavy-tailed economy sizes
    p_country = size / size.sum()
    popularity = rng.lognormal(0.0, 1.0, n_products)
    p_product = popularity / popularity.sum()

    keys = np.empty(0, dtype=np.int64)
    while keys.size < rows:
        draw = int((rows - keys.size) * 1.6) + 1000
        i = rng.choice(n_countries, draw, p=p_country)
        j = rng.choice(n_countries, draw, p=np.sqrt(p_country) / np.sqrt(p_country).sum())
        k = rng.choice(n_products, draw, p=p_product)
        fresh = ((i * n_countries + j) * n_products + k)[i != j]
        keys = np.unique(np.concatenate([keys, fresh]))
    keys = rng.permutation(keys)[:rows]
    k = keys % n_products
    ij = keys // n_products
    i, j = ij // n_countries, ij % n_countries

    value = rng.lognormal(1.0, 2.6, rows) * (1 + 50 * p_country[i])
    value = np.maximum(np.round(value, 3), 0.001)
    unit = rng.lognormal(1.5, 1.5, rows)  # thousand USD per tonne
    qty = np.round(value / unit, 3)
    qty_mask = rng.random(rows) < 0.04  # BACI leaves some quantities missing
    return pa.table(
        {
            "t": pa.array(np.full(rows, year, dtype=np.int16)),
            "i": pa.array(countries[i].astype(np.int16)),
            "j": pa.array(countries[j].astype(np.int16)),
            "k": pa.array(products[k]),
            "v": pa.array(value),
            "q": pa.array(qty, mask=qty_mask),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=11_000_000)
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--countries", type=int, default=230)
    parser.add_argument("--products", type=int, default=5600)
    args = parser.parse_args()
    if not args.out.name.startswith("SYNTHETIC_"):
        raise SystemExit("the output file name must start with SYNTHETIC_ (it is invented data)")
    start = time.perf_counter()
    table = generate(args.rows, args.year, args.seed, args.countries, args.products)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.out.suffix == ".parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, args.out)
    else:
        options = pacsv.WriteOptions(include_header=False, quoting_style="none")
        with args.out.open("wb") as sink:
            sink.write(b"t,i,j,k,v,q\n")  # BACI's header is not quoted
            pacsv.write_csv(table, sink, write_options=options)
    args.out.with_name(args.out.name + ".PROVENANCE.md").write_text(
        f"# SYNTHETIC data - not real trade\n\nWritten by benchmarks/synthetic_baci.py "
        f"(seed {args.seed}, {args.rows:,} rows, {args.countries} countries, "
        f"{args.products} products, year {args.year}). Codes are real BACI codes; every flow "
        "and value is invented. For load benchmarks only.\n",
        encoding="utf-8",
    )
    size = args.out.stat().st_size / 1e6
    took = time.perf_counter() - start
    print(f"wrote {args.out} ({table.num_rows:,} rows, {size:.0f} MB) in {took:.1f}s")


if __name__ == "__main__":
    main()
