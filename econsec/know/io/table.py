"""The input-output table model: :class:`IOTable` and the coefficient matrices derived from it.

Notation (Miller & Blair 2009, the same letters as pymrio's ``iomath``), n = regions x sectors
rows/columns in the table's order, f = final-demand columns, all values in ``units`` per year:

* ``Z`` (n x n) intermediate use: row = supplying (region, sector), column = using one;
* ``Y`` (n x f) final use of each row's output; ``x`` (n) gross output; ``v`` (n) value added
  (as read, or x - column sums of Z);
* ``A = Z x̂⁻¹`` input (technical) coefficients, ``L = (I - A)⁻¹`` the Leontief inverse;
* ``B = x̂⁻¹ Z`` allocation (output) coefficients, ``G = (I - B)⁻¹`` the Ghosh inverse.

Rows with zero output (22 in WIOD 2011) get zero coefficients instead of 0/0, so ``A``, ``B``,
``L`` and ``G`` never hold NaN or inf; in ``L`` and ``G`` such a row/column is a unit vector.

**Competitive-import tables** (a national table where imports are a negative final-demand
column, e.g. Japan's MIC tables) hold imported inputs inside ``Z``. The shock models use the
*domestic* flows ``Zd = (I - M̂) Z`` with import shares ``m_i = M_i / (Σ_j z_ij + Σ domestic
final use_i)`` (the MIC convention: every user imports the same share of a product), so that a
fall in demand for an imported input is not counted as lost domestic output. For a multi-regional
table (no import columns) ``Zd`` is ``Z``. ``Ad``, ``Bd``, ``yd`` and the Leontief solver use it.

pymrio (GPL-3) is *not* a dependency (econsec is Apache-2.0); :meth:`IOTable.to_arrays` and
:meth:`IOTable.from_arrays` exchange plain numpy arrays under pymrio's names (``Z``, ``Y``,
``x``, ``A``, ``L``) with (region, sector) and (region, category) label arrays, which is all a
pymrio ``IOSystem`` needs (``pymrio.IOSystem(Z=DataFrame(Z, index=MultiIndex(...)), ...)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.linalg as sla

from econsec.errors import InvalidInput

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

FINAL_KINDS = ("domestic", "export", "import")


def _safe_div(num: Floats, den: Floats) -> Floats:
    """num / den with 0 where den is 0 (zero-output sectors have zero coefficients)."""
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=np.broadcast_to(den != 0, out.shape))
    return out


def _similar(inverse: Floats, x: Floats) -> Floats:
    """x̂⁻¹ M x̂ on the rows/columns with x > 0; identity elsewhere (zero-output sectors)."""
    pos = x > 0
    out = np.eye(len(x))
    block = np.ix_(pos, pos)
    out[block] = inverse[block] * x[pos][None, :] / x[pos][:, None]
    return out


@dataclass(frozen=True, eq=False)
class IOTable:
    """An input-output table (see the module docstring for the notation and units).

    ``regions`` and ``sectors`` are parallel label arrays of the n rows (= columns); a national
    table uses one region (e.g. "JPN"). ``final_labels``/``final_regions``/``final_kinds`` label
    the f final-demand columns (kind: domestic, export or import). ``goods`` lists the sector
    codes whose products are physical inputs (goods and utilities): the bottleneck model treats
    only those as possibly critical. ``source`` says file, publisher, licence and year.
    """

    name: str
    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    Z: Floats
    Y: Floats
    x: Floats
    v: Floats
    final_labels: tuple[str, ...]
    final_regions: tuple[str, ...]
    final_kinds: tuple[str, ...]
    sector_names: Mapping[str, str] = field(default_factory=dict)
    goods: tuple[str, ...] = ()
    units: str = ""
    source: str = ""
    year: int | None = None

    def __post_init__(self) -> None:
        n, f = len(self.regions), len(self.final_labels)
        if len(self.sectors) != n:
            raise InvalidInput(f"{len(self.sectors)} sector labels for {n} region labels")
        shapes = {"Z": (n, n), "Y": (n, f), "x": (n,), "v": (n,)}
        for key, shape in shapes.items():
            arr = getattr(self, key)
            if arr.shape != shape:
                raise InvalidInput(f"{key} has shape {arr.shape}, expected {shape}")
            if not np.all(np.isfinite(arr)):
                raise InvalidInput(f"{key} holds NaN or infinite values")
        if len(self.final_regions) != f or len(self.final_kinds) != f:
            raise InvalidInput("final_regions and final_kinds must match final_labels")
        bad = sorted(set(self.final_kinds) - set(FINAL_KINDS))
        if bad:
            raise InvalidInput(f"unknown final-demand kind(s) {bad}; expected {FINAL_KINDS}")
        if len(set(zip(self.regions, self.sectors, strict=True))) != n:
            raise InvalidInput("(region, sector) labels are not unique")
        if np.any(self.x < 0):
            raise InvalidInput("gross output x has negative entries")

    @classmethod
    def build(
        cls,
        name: str,
        regions: Sequence[str],
        sectors: Sequence[str],
        Z: npt.ArrayLike,
        Y: npt.ArrayLike,
        *,
        x: npt.ArrayLike | None = None,
        v: npt.ArrayLike | None = None,
        final_labels: Sequence[str] | None = None,
        final_regions: Sequence[str] | None = None,
        final_kinds: Sequence[str] | None = None,
        **meta: Any,
    ) -> IOTable:
        """A table from arrays; ``x`` defaults to Z·1 + Y·1 and ``v`` to x - 1'Z."""
        z = np.asarray(Z, dtype=np.float64)
        n = len(regions)
        if z.shape != (n, n):
            raise InvalidInput(f"Z has shape {z.shape}, expected {(n, n)} for {n} labels")
        y = np.asarray(Y, dtype=np.float64).reshape(n, -1)
        out = z.sum(1) + y.sum(1) if x is None else np.asarray(x, dtype=np.float64)
        va = out - z.sum(0) if v is None else np.asarray(v, dtype=np.float64)
        f = y.shape[1]
        labels = (
            tuple(final_labels) if final_labels is not None else tuple(f"Y{i}" for i in range(f))
        )
        return cls(
            name=name,
            regions=tuple(regions),
            sectors=tuple(sectors),
            Z=z,
            Y=y,
            x=out,
            v=va,
            final_labels=labels,
            final_regions=tuple(final_regions) if final_regions is not None else ("",) * f,
            final_kinds=tuple(final_kinds) if final_kinds is not None else ("domestic",) * f,
            **meta,
        )

    # --- labels ---------------------------------------------------------------------------

    @property
    def n(self) -> int:
        """Number of (region, sector) rows."""
        return len(self.regions)

    @cached_property
    def region_list(self) -> tuple[str, ...]:
        """Distinct regions in table order."""
        return tuple(dict.fromkeys(self.regions))

    @cached_property
    def sector_list(self) -> tuple[str, ...]:
        """Distinct sector codes in table order."""
        return tuple(dict.fromkeys(self.sectors))

    @cached_property
    def _index(self) -> dict[tuple[str, str], int]:
        return {key: i for i, key in enumerate(zip(self.regions, self.sectors, strict=True))}

    def index(self, region: str, sector: str) -> int:
        """Row number of (region, sector); InvalidInput naming the valid choices if unknown."""
        try:
            return self._index[(region, sector)]
        except KeyError:
            if region not in self.region_list:
                raise InvalidInput(
                    f"unknown region {region!r} in table {self.name}; valid: "
                    + ", ".join(self.region_list),
                    valid=list(self.region_list),
                ) from None
            raise InvalidInput(
                f"unknown sector {sector!r} for region {region} in table {self.name}; valid: "
                + ", ".join(self.sector_list),
                valid=[f"{s} ({self.sector_names.get(s, s)})" for s in self.sector_list],
            ) from None

    @cached_property
    def region_of(self) -> Ints:
        """Region number (position in :attr:`region_list`) of each row."""
        pos = {r: i for i, r in enumerate(self.region_list)}
        return np.array([pos[r] for r in self.regions], dtype=np.int64)

    @cached_property
    def sector_of(self) -> Ints:
        """Sector number (position in :attr:`sector_list`) of each row."""
        pos = {s: i for i, s in enumerate(self.sector_list)}
        return np.array([pos[s] for s in self.sectors], dtype=np.int64)

    # --- coefficients (pymrio names; total flows) -----------------------------------------

    @cached_property
    def A(self) -> Floats:
        """Input coefficients a_ij = z_ij / x_j (0 where x_j = 0)."""
        return _safe_div(self.Z, self.x[None, :])

    @cached_property
    def B(self) -> Floats:
        """Allocation coefficients b_ij = z_ij / x_i (0 where x_i = 0)."""
        return _safe_div(self.Z, self.x[:, None])

    @cached_property
    def L(self) -> Floats:
        """Leontief inverse (I - A)⁻¹ of the total coefficients."""
        if self.Zd is self.Z:
            return self.Ld
        return np.asarray(sla.inv(np.eye(self.n) - self.A))

    @cached_property
    def G(self) -> Floats:
        """Ghosh inverse (I - B)⁻¹ of the total coefficients, = x̂⁻¹ L x̂ (unit rows and
        columns where x = 0), so it costs no second inversion."""
        return _similar(self.L, self.x)

    # --- domestic flows (what the shock models use) ---------------------------------------

    @cached_property
    def import_share(self) -> Floats:
        """m_i = imports_i / (Σ_j z_ij + domestic final use_i); zeros without import columns."""
        kinds = np.array(self.final_kinds)
        if not np.any(kinds == "import"):
            return np.zeros(self.n)
        imports = -self.Y[:, kinds == "import"].sum(1)
        demand = self.Z.sum(1) + self.Y[:, kinds == "domestic"].sum(1)
        return np.clip(_safe_div(imports, demand), 0.0, 1.0)

    @cached_property
    def Zd(self) -> Floats:
        """Domestic intermediate flows (I - M̂) Z (``Z`` itself without import columns)."""
        m = self.import_share
        if not np.any(m):
            return self.Z
        return (1.0 - m)[:, None] * self.Z

    @cached_property
    def Ad(self) -> Floats:
        """Domestic input coefficients Zd x̂⁻¹."""
        return self.A if self.Zd is self.Z else _safe_div(self.Zd, self.x[None, :])

    @cached_property
    def Bd(self) -> Floats:
        """Domestic allocation coefficients x̂⁻¹ Zd (the IIM's A* = x̂⁻¹ Ad x̂)."""
        return self.B if self.Zd is self.Z else _safe_div(self.Zd, self.x[:, None])

    @cached_property
    def yd(self) -> Floats:
        """Final demand for domestic output, x - Zd·1 (absorbs the table's rounding residual)."""
        return np.asarray(self.x - self.Zd.sum(1), dtype=np.float64)

    @cached_property
    def va_coef(self) -> Floats:
        """Value added per unit of output, v / x (0 where x = 0)."""
        return _safe_div(self.v, self.x)

    @cached_property
    def lu(self) -> tuple[Floats, npt.NDArray[np.int32]]:
        """LU factors of (I - Ad), computed once (about 0.2 s for 1,435 rows)."""
        factors = sla.lu_factor(np.eye(self.n) - self.Ad, check_finite=False)
        return (np.asarray(factors[0]), np.asarray(factors[1]))

    def leontief_solve(self, b: npt.ArrayLike, *, transpose: bool = False) -> Floats:
        """Ld b (or Ldᵀ b) with Ld = (I - Ad)⁻¹, from the cached LU factors."""
        return np.asarray(
            sla.lu_solve(self.lu, np.asarray(b, dtype=np.float64), trans=int(transpose))
        )

    @cached_property
    def Ld(self) -> Floats:
        """Leontief inverse of the domestic coefficients (= ``L`` for an MRIO table)."""
        return self.leontief_solve(np.eye(self.n))

    def leontief_columns(self, cols: Ints) -> Floats:
        """Ld[:, cols] without the full inverse (one triangular solve per column)."""
        if "Ld" in self.__dict__:
            return np.asarray(self.Ld[:, cols])
        rhs = np.zeros((self.n, len(cols)))
        rhs[cols, np.arange(len(cols))] = 1.0
        return self.leontief_solve(rhs)

    def leontief_rows(self, rows: Ints) -> Floats:
        """Ld[rows, :] (|rows| x n) without the full inverse."""
        if "Ld" in self.__dict__:
            return np.asarray(self.Ld[rows, :])
        rhs = np.zeros((self.n, len(rows)))
        rhs[rows, np.arange(len(rows))] = 1.0
        return self.leontief_solve(rhs, transpose=True).T

    # --- conversions --------------------------------------------------------------------

    def to_arrays(self) -> dict[str, Any]:
        """Plain arrays under pymrio's names: Z, Y, x, A, L (total flows), v, and labels.

        ``index`` is a list of (region, sector) pairs (pymrio's row MultiIndex), ``final`` a
        list of (region, category) pairs (Y's column MultiIndex).
        """
        return {
            "Z": self.Z,
            "Y": self.Y,
            "x": self.x,
            "v": self.v,
            "A": self.A,
            "L": self.L,
            "index": list(zip(self.regions, self.sectors, strict=True)),
            "final": list(zip(self.final_regions, self.final_labels, strict=True)),
        }

    @classmethod
    def from_arrays(
        cls,
        name: str,
        Z: npt.ArrayLike,
        Y: npt.ArrayLike,
        index: Sequence[tuple[str, str]],
        final: Sequence[tuple[str, str]],
        *,
        x: npt.ArrayLike | None = None,
        **meta: Any,
    ) -> IOTable:
        """Inverse of :meth:`to_arrays` (e.g. from a pymrio system's ``Z.values``, ...)."""
        return cls.build(
            name,
            [r for r, _ in index],
            [s for _, s in index],
            Z,
            Y,
            x=x,
            final_labels=[c for _, c in final],
            final_regions=[r for r, _ in final],
            **meta,
        )

    def to_arrow(self) -> Any:
        """Lossless long form (non-zero cells only); see :mod:`econsec.know.io.arrow`."""
        from econsec.know.io.arrow import table_to_arrow

        return table_to_arrow(self)

    @classmethod
    def from_arrow(cls, data: Any) -> IOTable:
        """Inverse of :meth:`to_arrow`."""
        from econsec.know.io.arrow import table_from_arrow

        return table_from_arrow(data)

    def with_changes(self, **changes: Any) -> IOTable:
        """A copy with some fields replaced (caches are not carried over)."""
        return replace(self, **changes)
