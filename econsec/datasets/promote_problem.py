"""Reader of R&D allocation problems and scoring candidates (YAML or JSON; candidates also CSV).

The issue's format is accepted as is::

    {"budget": B, "candidates": [{"id": ..., "area": ..., "options": [{"cost": c, "value": v}]}],
     "area_limits": {AREA: {"min": m, "max": M}}}

with these extensions (all optional; documented in ``docs/promote-portfolio.md``):

* top level: ``unit`` (of costs and budget, e.g. ``JPY bn``), ``value_unit``, ``title``,
  ``note``, ``source``, ``assumptions`` (text or list), ``meta`` (free mapping),
  ``schema_version``; ``must_fund`` and ``never_fund`` (lists of candidate ids); ``years`` (fiscal
  years, e.g. ``[FY2025, FY2026]``) with ``yearly_budget`` (a list aligned with ``years`` or a
  mapping year -> cap; ``budget`` then defaults to its sum) and ``carry_over`` (true: a year's
  unspent money stays available, so the caps hold for cumulative spending); ``criteria``: a list of
  ``{id, name, name_ja, direction: benefit|cost, weight, preference, q, p, s, note, source}``.
* candidate: ``name``, ``name_ja``, ``note``, ``source``, ``jp_areas`` (ids of Japan's 20
  technology areas), ``criteria`` (mapping criterion id -> number).
* option: ``label``, ``note``, ``yearly`` (costs per fiscal year: a list aligned with ``years``
  or a mapping year -> cost, missing years 0; ``cost`` then defaults to their sum and, if given,
  must equal it).

Unknown keys are refused (a typo such as ``must-fund`` must not be silently ignored). Every
problem is a :class:`~econsec.errors.DataError` naming the file, the line and the field path
(``candidates[3].options[1].cost``, indices from 0). Numbers may be written ``5e11`` (which
YAML 1.1 would read as text). A JSON file is parsed as JSON (its numbers exactly) and its lines
are found by reading it as YAML too.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Literal

import numpy as np

from econsec.datasets.policy_schemas import Key, Source, dotted, read_yaml
from econsec.datasets.promote_problem_schema import CandidateIn, ProblemIn, check_model
from econsec.datasets.tabular import decode, read_bytes
from econsec.errors import DataError
from econsec.promote.allocate import Candidate, Limit, Option, Problem
from econsec.promote.portfolio import Alternatives, Criterion

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "promote" / "rd_vision_example.yaml"
TEXT_COLUMNS = ("id", "name", "name_ja", "name_en", "area", "note", "source")


def example_path() -> Path:
    """The shipped real-based example (R&D vision technologies, illustrative criteria)."""
    return EXAMPLE


def read_source(path: Path) -> Source:
    """Parse a YAML or JSON file (top level a mapping), keeping the line of every node."""
    text = decode(path, read_bytes(path))
    if path.suffix.lower() != ".json" and not text.lstrip().startswith("{"):
        return read_yaml(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"JSON syntax error: {exc.msg}", path=path, line=exc.lineno) from None
    if not isinstance(data, dict):
        raise DataError("top level is not an object", path=path, line=1, expected="a mapping")
    try:
        lines = read_yaml(path)
    except DataError:  # valid JSON that YAML 1.1 refuses (e.g. tabs): no lines beyond the first
        return Source(path, data, {(): 1}, set())
    return Source(path, data, lines.lines, lines.scalars)


def body_source(data: Any, name: str = "request body") -> Source:
    """A :class:`Source` for data that came without a file (an HTTP request body)."""
    if not isinstance(data, dict):
        raise DataError("the body is not a JSON object", path=name, expected="a mapping")
    return Source(Path(name), data, {}, set())


def error(source: Source, message: str, key: Key, **detail: Any) -> DataError:
    """A DataError at ``key``: file, line (when the source has lines) and field path."""
    line = source.line(key) if source.lines else None
    return DataError(message, path=source.path, line=line, field=dotted(key) or None, **detail)


def read_problem(path: Path) -> Problem:
    """An allocation problem from a YAML or JSON file."""
    return to_problem(read_source(path))


def read_candidates(path: Path) -> Alternatives:
    """Scoring candidates from a YAML/JSON problem file or a CSV (see :func:`candidates_csv`)."""
    if path.suffix.lower() in (".csv", ".gz") and not path.name.endswith((".json.gz", ".yaml.gz")):
        return candidates_csv(path)
    return to_alternatives(read_source(path))


def _yearly(source: Source, key: Key, value: Any, years: list[str]) -> tuple[float, ...]:
    if isinstance(value, list):
        if len(value) != len(years):
            raise error(
                source,
                f"{len(value)} yearly values for {len(years)} years",
                key,
                expected=f"one per year of 'years' ({', '.join(years) or 'none given'})",
            )
        return tuple(float(v) for v in value)
    for year in value:
        if year not in years:
            raise error(source, f"unknown year {year!r}", (*key, year), expected=", ".join(years))
    return tuple(float(value.get(y, 0.0)) for y in years)


def _option(source: Source, doc: ProblemIn, key: Key, opt: Any) -> Option:
    years = list(doc.years)
    yearly: tuple[float, ...] = ()
    if opt.yearly is not None:
        if not years:
            raise error(source, "yearly costs need the top-level 'years'", (*key, "yearly"))
        yearly = _yearly(source, (*key, "yearly"), opt.yearly, years)
    elif doc.yearly_budget is not None:
        raise error(source, "no yearly costs, but the problem sets yearly_budget", (*key, "yearly"))
    cost = opt.cost
    if cost is None:
        if not yearly:
            raise error(source, "missing required field", (*key, "cost"))
        cost = math.fsum(yearly)
    elif yearly and abs(cost - math.fsum(yearly)) > 1e-9 * max(1.0, cost):
        raise error(
            source,
            "cost differs from the sum of the yearly costs",
            (*key, "cost"),
            got=f"{cost:g}",
            expected=f"{math.fsum(yearly):g}",
        )
    return Option(cost=float(cost), value=float(opt.value), label=opt.label, yearly=yearly)


def to_problem(source: Source, *, need_options: bool = True) -> Problem:
    """The validated :class:`Problem` of a parsed file or body."""
    doc = check_model(source, ProblemIn, error)
    ids = _unique_ids(source, doc.candidates)
    years = list(doc.years)
    caps: tuple[float, ...] = ()
    if doc.yearly_budget is not None:
        if not years:
            raise error(source, "yearly_budget needs the top-level 'years'", ("yearly_budget",))
        caps = _yearly(source, ("yearly_budget",), doc.yearly_budget, years)
    budget = doc.budget if doc.budget is not None else (math.fsum(caps) if caps else None)
    if budget is None:
        raise error(source, "missing required field", ("budget",))
    candidates = []
    for i, c in enumerate(doc.candidates):
        if need_options and not c.options:
            raise error(source, "no funding options", ("candidates", i, "options"))
        options = tuple(
            _option(source, doc, ("candidates", i, "options", k), o)
            for k, o in enumerate(c.options)
        )
        candidates.append(Candidate(c.id, options, c.area, c.name, c.name_ja, dict(c.criteria)))
    for area, limit in doc.area_limits.items():
        if limit.max is not None and limit.min > limit.max:
            raise error(
                source, f"min {limit.min:g} > max {limit.max:g}", ("area_limits", area, "min")
            )
    for field in ("must_fund", "never_fund"):
        for j, cid in enumerate(getattr(doc, field)):
            if cid not in ids:
                raise error(source, f"no candidate {cid!r}", (field, j))
    for j, cid in enumerate(doc.never_fund):
        if cid in doc.must_fund:
            raise error(source, f"{cid!r} is also in must_fund", ("never_fund", j))
    return Problem(
        budget=float(budget),
        candidates=tuple(candidates),
        area_limits={
            a: Limit(float(v.min), math.inf if v.max is None else float(v.max))
            for a, v in doc.area_limits.items()
        },
        must_fund=frozenset(doc.must_fund),
        never_fund=frozenset(doc.never_fund),
        years=tuple(years) if caps or any(o.yearly for c in candidates for o in c.options) else (),
        yearly_budget=caps,
        carry_over=doc.carry_over,
        unit=doc.unit,
    )


def _unique_ids(source: Source, candidates: list[CandidateIn]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for i, c in enumerate(candidates):
        if c.id in ids:
            raise error(
                source,
                f"duplicate candidate id {c.id!r} (first at candidates[{ids[c.id]}])",
                ("candidates", i, "id"),
            )
        ids[c.id] = i
    return ids


def to_alternatives(source: Source) -> Alternatives:
    """Scoring input of a parsed file or body: its criteria and each candidate's values."""
    doc = check_model(source, ProblemIn, error, scoring=True)
    _unique_ids(source, doc.candidates)
    if doc.criteria:
        criteria = [
            Criterion(c.id, c.direction, float(c.weight), c.name, c.preference, c.q, c.p, c.s)
            for c in doc.criteria
        ]
        seen: dict[str, int] = {}
        for j, c in enumerate(criteria):
            if c.id in seen:
                raise error(source, f"duplicate criterion {c.id!r}", ("criteria", j, "id"))
            seen[c.id] = j
    else:  # criteria named only in the candidates: equal weights, 'cost' columns are costs
        names = list(dict.fromkeys(k for c in doc.candidates for k in c.criteria))
        criteria = [Criterion(k, _direction(k)) for k in names]
    known = {c.id for c in criteria}
    values = np.empty((len(doc.candidates), len(criteria)))
    for i, cand in enumerate(doc.candidates):
        for k in cand.criteria:
            if k not in known:
                raise error(
                    source,
                    f"unknown criterion {k!r}",
                    ("candidates", i, "criteria", k),
                    expected=", ".join(sorted(known)),
                )
        for j, c in enumerate(criteria):
            if c.id not in cand.criteria:
                raise error(source, f"missing criterion {c.id!r}", ("candidates", i, "criteria"))
            values[i, j] = cand.criteria[c.id]
    if not criteria:
        raise error(source, "no criteria to score on", ("candidates",), expected="criteria")
    return Alternatives(
        ids=tuple(c.id for c in doc.candidates),
        criteria=tuple(criteria),
        values=values,
        names=tuple(c.name for c in doc.candidates),
        areas=tuple(c.area for c in doc.candidates),
    )


def _direction(name: str) -> Literal["benefit", "cost"]:
    return "cost" if name == "cost" or name.endswith("_cost") else "benefit"


def candidates_csv(path: Path) -> Alternatives:
    """Candidates from a CSV: an ``id`` column, optional text columns (name, name_ja,
    name_en, area, note, source) and one numeric column per criterion (equal weights; a column
    named ``cost`` or ``*_cost`` is a cost criterion, every other a benefit)."""
    import csv
    import io

    text = decode(path, read_bytes(path))
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    if "id" not in header:
        raise DataError("missing column id", path=path, line=1, got=",".join(header))
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise DataError("repeated column", path=path, line=1, field=repeated[0])
    crit = [h for h in header if h not in TEXT_COLUMNS]
    if not crit:
        raise DataError("no criterion columns", path=path, line=1, expected="numeric columns")
    ids: list[str] = []
    names: list[str | None] = []
    areas: list[str | None] = []
    rows: list[list[float]] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise DataError(
                f"{len(row)} cells", path=path, line=line, expected=f"{len(header)} cells"
            )
        cells = dict(zip(header, (c.strip() for c in row), strict=True))
        if not cells["id"] or cells["id"] in ids:
            raise DataError("empty or repeated id", path=path, line=line, field="id")
        ids.append(cells["id"])
        names.append(cells.get("name") or cells.get("name_en") or None)
        areas.append(cells.get("area") or None)
        values = []
        for name in crit:
            try:
                number = float(cells[name])
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise DataError("not a number", path=path, line=line, field=name, got=cells[name])
            values.append(number)
        rows.append(values)
    return Alternatives(
        ids=tuple(ids),
        criteria=tuple(Criterion(c, _direction(c)) for c in crit),
        values=np.array(rows, dtype=np.float64).reshape(len(ids), len(crit)),
        names=tuple(names),
        areas=tuple(areas),
    )
