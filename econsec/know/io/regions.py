"""Split a region of a table in two, e.g. Japan into the Tohoku disaster area and the rest.

The new region takes the share w_s of every (region, s) cell; it has the same input structure
(technology) as the parent and sells to every user in the same proportions, the usual
assumption when a sub-region's own IO table is not at hand:

    z[(new,i),(new,j)] = w_i w_j z_ij      z[(new,i),(old,j)] = w_i (1 - w_j) z_ij
    z[(old,i),(new,j)] = (1 - w_i) w_j z_ij   (other regions' rows and columns split by w too)
    y[(new,i), ·] = w_i y_i;  x_new = w x;  v_new = w v

Row and column totals stay consistent: Σ over the split cells gives back the parent's flows.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from econsec.errors import InvalidInput
from econsec.know.io.table import IOTable


def split_region(
    table: IOTable,
    region: str,
    share: float | Mapping[str, float],
    new_region: str,
) -> IOTable:
    """A table in which ``new_region`` holds ``share`` (one number, or per sector code) of
    every ``region`` cell; the new rows follow right after the parent region's rows."""
    if region not in table.region_list:
        raise InvalidInput(f"unknown region {region!r}", valid=list(table.region_list))
    if new_region in table.region_list:
        raise InvalidInput(f"region {new_region!r} already exists in table {table.name}")
    parent = np.flatnonzero(np.array(table.regions) == region)
    alpha = np.array(
        [
            share.get(table.sectors[i], 0.0) if isinstance(share, Mapping) else float(share)
            for i in parent
        ]
    )
    if np.any((alpha < 0) | (alpha > 1)):
        raise InvalidInput("split shares must be between 0 and 1", got=str(alpha.tolist()))
    n, k = table.n, len(parent)
    # Build a splitting matrix P (n + k) x n: row p of the new table = P[p] · old rows.
    p = np.zeros((n + k, n))
    order = list(range(parent[-1] + 1)) + [n + j for j in range(k)] + list(range(parent[-1] + 1, n))
    weights = np.ones(n)
    weights[parent] = 1.0 - alpha
    p[np.arange(n), np.arange(n)] = weights
    p[n + np.arange(k), parent] = alpha
    p = p[order]
    z = p @ table.Z @ p.T
    regions = [table.regions[i] for i in range(n)] + [new_region] * k
    sectors = [table.sectors[i] for i in range(n)] + [table.sectors[i] for i in parent]
    return IOTable(
        name=f"{table.name}+{new_region}",
        regions=tuple(regions[i] for i in order),
        sectors=tuple(sectors[i] for i in order),
        Z=z,
        Y=p @ table.Y,
        x=p @ table.x,
        v=p @ table.v,
        final_labels=table.final_labels,
        final_regions=table.final_regions,
        final_kinds=table.final_kinds,
        sector_names=table.sector_names,
        goods=table.goods,
        units=table.units,
        source=f"{table.source}; {new_region} split from {region} (same technology and "
        "sales proportions)",
        year=table.year,
    )
