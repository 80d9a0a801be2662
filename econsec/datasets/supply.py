"""Readers of supply networks into :class:`~econsec.know.network.model.SupplyNetwork`.

* :func:`read_willems_raw`: a Willems (2008) chain as the original MSOM export (``NN.csv`` or
  ``NN.csv.gz``: line 1 ``/chain``, line 2 the flattened XML header, then one arc and/or one
  stage per line).
* :func:`read_willems_gsm`: a Willems chain in the GSM-ready form (``willems_NN.csv``: one stage
  per line, ``up_stages`` as ``upstream, quantity`` pairs).
* :func:`read_eto`: the CSET/ETO advanced-semiconductor supply chain folder (``inputs.csv``,
  ``providers.csv``, ``provision.csv``, ``sequence.csv``). **CC BY-NC 4.0**: non-commercial
  use only; econsec never ships it.
* :func:`econsec.datasets.network_file.read_network_file`: the generic format for a user's own
  network (see ``docs/networks.md``): a nodes CSV and an edges CSV, or one JSON document
  ``{"nodes": [...], "edges": [...]}``, with the columns of
  :data:`~econsec.know.network.model.NODES_SCHEMA` and
  :data:`~econsec.know.network.model.EDGES_SCHEMA`.

Every reader raises :class:`~econsec.errors.DataError` naming the file, line and field of the
first problem.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from scipy.special import ndtr

from econsec.errors import DataError, InvalidInput
from econsec.know.network.model import NetworkSource, SupplyNetwork

WILLEMS_CITATION = (
    "Willems, S. P. (2008). Data Set: Real-World Multiechelon Supply Chains Used for Inventory "
    "Optimization. Manufacturing & Service Operations Management 10(1):19-23."
)
ETO_CITATION = (
    "Emerging Technology Observatory, Center for Security and Emerging Technology (CSET), "
    "Georgetown University: Advanced Semiconductor Supply Chain Dataset (eto-chip-explorer)."
)
ETO_LICENCE = "CC BY-NC 4.0 (non-commercial use only; attribution required)"
_RAW = "/stages/stage/@"
#: Columns of a Willems chain in the GSM-ready form (``up_stages``: the pairs that follow).
GSM_HEADER = (
    "stage_id",
    "lead_time",
    "max_s_time",
    "cost_rate",
    "risk_pool",
    "ext_demand_mean",
    "ext_demand_std",
    "ext_demand_thres",
    "up_stages",
)


def open_text(path: Path) -> TextIO:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read the file: {exc.strerror}", path=path) from None
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DataError(f"not a readable gzip file: {exc}", path=path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError("not UTF-8 text", path=path, line=line) from None
    return io.StringIO(text, newline="")


def number(
    value: str | None, path: Path, line: int | None, field: str, *, required: bool = False
) -> float:
    """A non-negative number, NaN when empty (unless required)."""
    text = (value or "").strip()
    if not text or text.upper() in {"NA", "NAN"}:
        if required:
            raise DataError("a value is required", path=path, line=line, field=field)
        return math.nan
    try:
        number = float(text)
    except ValueError:
        raise DataError("not a number", path=path, line=line, field=field, got=text) from None
    if not math.isfinite(number) or number < 0:
        raise DataError(
            "not a finite non-negative number", path=path, line=line, field=field, got=text
        )
    return number


def _rows(reader: csv.DictReader[str], first_line: int) -> Iterator[tuple[int, dict[str, str]]]:
    """``(physical line, row)`` pairs; ``first_line`` is the header's line number."""
    for row in reader:
        yield first_line + reader.line_num - 1, row


def build_network(
    name: str,
    path: Path,
    nodes: list[dict[str, Any]],
    edges: list[dict[str, Any]],
    src: NetworkSource,
) -> SupplyNetwork:
    try:
        return SupplyNetwork.build(name, nodes, edges, src)
    except InvalidInput as exc:
        raise DataError(exc.message, path=path) from None


# -- Willems (2008) ---------------------------------------------------------------------------


def read_willems_raw(path: Path, name: str | None = None) -> SupplyNetwork:
    """A Willems chain from its MSOM export: every arc is a bill-of-materials edge (a stage
    needs all of its upstream stages); stages carry lead time (``stageTime``, days), cost
    added (``stageCost``), external demand (mean and standard deviation per day), maximum
    service time and service level; stages with external demand are the finished products."""
    path = Path(path)
    name = name or f"willems_{_chain_number(path)}"
    with open_text(path) as fh:
        first = fh.readline()
        if not first.lstrip("\ufeff").startswith("/chain"):
            raise DataError(
                "not a Willems MSOM export", path=path, line=1, expected="'/chain' on line 1"
            )
        reader = csv.DictReader(fh)
        fields = reader.fieldnames or []
        for need in ("/arcs/arc/@from", "/arcs/arc/@to", _RAW + "stageName"):
            if need not in fields:
                raise DataError("missing column", path=path, line=2, field=need)
        nodes: list[dict[str, Any]] = []
        edges: list[dict[str, Any]] = []
        company = sic = ""
        for line, row in _rows(reader, 2):
            company = company or row.get("/@company") or ""
            sic = sic or (row.get("/@sicDescription") or "")
            arc_from, arc_to = (
                (row.get("/arcs/arc/@from") or "").strip(),
                (row.get("/arcs/arc/@to") or "").strip(),
            )
            if arc_from or arc_to:
                if not (arc_from and arc_to):
                    field = "/arcs/arc/@to" if arc_from else "/arcs/arc/@from"
                    raise DataError("an arc needs both ends", path=path, line=line, field=field)
                edges.append({"source": arc_from, "target": arc_to, "kind": "bom"})
            stage = (row.get(_RAW + "stageName") or "").strip()
            if stage:
                nodes.append(_willems_stage(stage, row, path, line))
    if not nodes:
        raise DataError("no stages", path=path)
    known = {n["id"] for n in nodes}
    for arc, edge in enumerate(edges, 1):
        for end in ("source", "target"):
            if edge[end] not in known:
                raise DataError(
                    f"arc {arc} names stage {edge[end]!r}, which has no stage row",
                    path=path,
                    field="/arcs/arc/@from" if end == "source" else "/arcs/arc/@to",
                )
    source = NetworkSource(
        loader="willems",
        path=str(path),
        title=_willems_title(path, sic),
        licence="academic data set (MSOM); redistributed under MIT (durianh96/InvNet-GSM)",
        citation=WILLEMS_CITATION,
    )
    return build_network(name, path, nodes, edges, source)


def _willems_stage(stage: str, row: Mapping[str, str], path: Path, line: int) -> dict[str, Any]:
    def value(field: str) -> float:
        return number(row.get(_RAW + field), path, line, _RAW + field)

    demand = value("avgDemand")
    classification = (row.get(_RAW + "stageClassification") or "").strip() or None
    return {
        "id": stage,
        "kind": "stage",
        "name": stage,
        "group": classification,
        "final": bool(demand > 0),
        "lead_time": value("stageTime"),
        "cost": value("stageCost"),
        "demand_mean": demand,
        "demand_std": value("stDevDemand"),
        "max_service_time": value("maxServiceTime"),
        "service_level": value("serviceLevel"),
    }


def read_willems_gsm(path: Path, name: str | None = None) -> SupplyNetwork:
    """A Willems chain in the GSM-ready form: ``up_stages`` become bill-of-materials edges
    with their quantities; ``cost_rate`` is the cost added, ``max_s_time`` the maximum service
    time; stages with external demand are the finished products."""
    path = Path(path)
    name = name or f"willems_{_chain_number(path)}"
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    with open_text(path) as fh:
        reader = csv.reader(fh)
        if next(reader, None) != list(GSM_HEADER):
            raise DataError("unexpected header", path=path, line=1, expected=",".join(GSM_HEADER))
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            stage = gsm_stage(cells, path, line)
            demand = number(cells[5], path, line, "ext_demand_mean")
            threshold = number(cells[7], path, line, "ext_demand_thres")
            nodes.append(
                {
                    "id": stage,
                    "kind": "stage",
                    "name": stage,
                    "group": stage.split("_", 1)[0] if "_" in stage else None,
                    "final": bool(demand > 0),
                    "lead_time": number(cells[1], path, line, "lead_time", required=True),
                    "max_service_time": number(cells[2], path, line, "max_s_time"),
                    "cost": number(cells[3], path, line, "cost_rate"),
                    "demand_mean": demand,
                    "demand_std": number(cells[6], path, line, "ext_demand_std"),
                    # The safety factor z is given; the model keeps the level it stands for.
                    "service_level": float(ndtr(threshold)) if threshold == threshold else None,
                }
            )
            for upstream, quantity in gsm_upstream(cells, path, line):
                edges.append(
                    {"source": upstream, "target": stage, "kind": "bom", "quantity": quantity}
                )
    if not nodes:
        raise DataError("no stages", path=path)
    known = {n["id"] for n in nodes}
    for edge in edges:
        if edge["source"] not in known:
            raise DataError(
                f"stage {edge['target']!r} lists upstream {edge['source']!r}, which has no row",
                path=path,
                field="up_stages",
            )
    source = NetworkSource(
        loader="willems-gsm",
        path=str(path),
        title=_willems_title(path, "") + " (GSM form)",
        licence=(
            "academic data set (MSOM); redistributed under Apache-2.0 "
            "(stochasticnetworkcontrol/snc)"
        ),
        citation=WILLEMS_CITATION,
    )
    return build_network(name, path, nodes, edges, source)


def gsm_stage(cells: Sequence[str], path: Path, line: int) -> str:
    """The stage id of a row of the GSM-ready form, after checking the row's shape: the 8
    fields of :data:`GSM_HEADER` before ``up_stages``, then ``upstream, quantity`` pairs."""
    if len(cells) < 8 or (len(cells) - 8) % 2:
        raise DataError(
            "expected 8 fields then upstream, quantity pairs",
            path=path,
            line=line,
            got=f"{len(cells)} fields",
        )
    stage = cells[0].strip()
    if not stage:
        raise DataError("a stage needs an id", path=path, line=line, field="stage_id")
    return stage


def gsm_upstream(
    cells: Sequence[str], path: Path, line: int, *, positive: bool = False
) -> Iterator[tuple[str, float]]:
    """The ``(upstream stage, quantity)`` pairs of a row of the GSM-ready form (quantities
    required; with ``positive``, > 0)."""
    for k in range(8, len(cells), 2):
        upstream = cells[k].strip()
        if not upstream:
            raise DataError("empty upstream stage", path=path, line=line, field="up_stages")
        quantity = number(cells[k + 1], path, line, "up_stages", required=True)
        if positive and quantity <= 0:
            raise DataError(
                "quantity must be > 0", path=path, line=line, field="up_stages", got=cells[k + 1]
            )
        yield upstream, quantity


def _willems_title(path: Path, sic: str) -> str:
    """``Willems (2008) chain N: industry``, the industry from the file or from the data set's
    ``index.csv`` (chain, company, SIC code, SIC description) beside or above it."""
    chain = _chain_number(path)
    if not sic or sic == "SIC Description":  # the export's placeholder
        sic = ""
        for index in (path.parent / "index.csv", path.parent.parent / "index.csv"):
            if index.is_file():
                with index.open(encoding="utf-8", newline="") as fh:
                    for row in csv.reader(fh):
                        if len(row) >= 4 and row[0].strip() == chain:
                            sic = f"{row[3].strip()} (SIC {row[2].strip()})"
                break
    return f"Willems (2008) chain {chain}" + (f": {sic}" if sic else "")


def _chain_number(path: Path) -> str:
    digits = "".join(c for c in path.name.split(".")[0] if c.isdigit())
    return digits.lstrip("0") or digits or path.stem


# -- ETO semiconductor supply chain ----------------------------------------------------------


def read_eto(folder: Path, name: str = "eto_semiconductor") -> SupplyNetwork:
    """The ETO advanced-semiconductor supply chain: inputs (processes, tools, materials, design
    resources; ``ultimate_output`` is the finished product), providers (firms with their head
    office country, and countries), provision shares (percent in the file, 0..1 here) as supply
    edges, the process sequence as bill-of-process edges and ``is_type_of`` as type edges.

    Where an input has shares for several years, the latest year is kept (the others are
    counted in the network's notes)."""
    folder = Path(folder)
    files = {k: folder / f"{k}.csv" for k in ("inputs", "providers", "provision", "sequence")}
    # stages.csv is optional: older copies of the data set lack it
    for path in files.values():
        if not path.is_file():
            raise DataError("missing file of the ETO data set", path=path)
    nodes: list[dict[str, Any]] = []
    for line, row in dict_rows(files["inputs"], ("input_id", "input_name", "type")):
        kind = "product" if row["type"] == "ultimate_output" else "input"
        nodes.append(
            {
                "id": _need(row, "input_id", files["inputs"], line),
                "kind": kind,
                "name": _need(row, "input_name", files["inputs"], line),
                "group": row["type"] or None,
                "final": kind == "product",
            }
        )
    seen: dict[str, tuple[str, str | None]] = {}
    for line, row in dict_rows(
        files["providers"], ("provider_id", "provider_name", "provider_type", "country")
    ):
        ptype = row["provider_type"]
        if ptype not in {"organization", "country"}:
            raise DataError(
                "unknown provider type",
                path=files["providers"],
                line=line,
                field="provider_type",
                got=ptype,
                expected="organization or country",
            )
        pid = _need(row, "provider_id", files["providers"], line)
        pname = _need(row, "provider_name", files["providers"], line)
        country = pname if ptype == "country" else (row["country"] or None)
        if pid in seen:  # the file lists a provider once per alias
            if seen[pid] != (ptype, country):
                raise DataError(
                    f"provider {pid} is listed again with another type or country",
                    path=files["providers"],
                    line=line,
                    field="provider_id",
                )
            continue
        seen[pid] = (ptype, country)
        nodes.append(
            {
                "id": pid,
                "kind": "country" if ptype == "country" else "firm",
                "name": (row.get("alias") or pname) if ptype == "country" else pname,
                "country": country,
                # "Various companies/countries" stand for the rest of a market, not one provider.
                "group": "aggregate" if pname.casefold().startswith("various") else ptype,
                "final": False,
            }
        )
    stages = folder / "stages.csv"
    if stages.is_file():  # country shares are given per stage (Design, Fabrication, ATP) too
        for line, row in dict_rows(stages, ("stage_id", "stage_name")):
            nodes.append(
                {
                    "id": _need(row, "stage_id", stages, line),
                    "kind": "input",
                    "name": _need(row, "stage_name", stages, line),
                    "group": "stage",
                    "final": False,
                }
            )
    known = {n["id"] for n in nodes}
    latest: dict[str, int] = {}
    provision: list[tuple[int, dict[str, str], int]] = []
    for line, row in dict_rows(
        files["provision"], ("provider_id", "provided_id", "share_provided", "year")
    ):
        for field in ("provider_id", "provided_id"):
            if row[field] not in known:
                raise DataError(
                    "names an unknown id",
                    path=files["provision"],
                    line=line,
                    field=field,
                    got=row[field],
                )
        year = int(number(row["year"], files["provision"], line, "year", required=True))
        latest[row["provided_id"]] = max(latest.get(row["provided_id"], 0), year)
        provision.append((line, row, year))
    edges: list[dict[str, Any]] = []
    older = 0
    for line, row, year in provision:
        if year < latest[row["provided_id"]]:
            older += 1
            continue
        share = number(row["share_provided"], files["provision"], line, "share_provided")
        if share > 100:
            raise DataError(
                "a market share above 100 %",
                path=files["provision"],
                line=line,
                field="share_provided",
                got=row["share_provided"],
            )
        edges.append(
            {
                "source": row["provider_id"],
                "target": row["provided_id"],
                "kind": "supply",
                "share": share / 100,
            }
        )
    for line, row in dict_rows(files["sequence"], ("input_id", "goes_into_id", "is_type_of_id")):
        for field, kind in (("goes_into_id", "bom"), ("is_type_of_id", "type")):
            target = row[field]
            if not target:
                continue
            for end in (row["input_id"], target):
                if end not in known:
                    raise DataError(
                        "names an unknown input",
                        path=files["sequence"],
                        line=line,
                        field="input_id" if end == row["input_id"] else field,
                        got=end,
                    )
            edges.append({"source": row["input_id"], "target": target, "kind": kind})
    notes = [f"{older} provision rows of earlier years left out (latest year kept per input)"]
    source = NetworkSource(
        loader="eto",
        path=str(folder),
        title="ETO advanced semiconductor supply chain (CSET)",
        licence=ETO_LICENCE,
        citation=ETO_CITATION,
        notes=tuple(notes),
    )
    return build_network(name, folder, nodes, edges, source)


def dict_rows(path: Path, needed: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    with open_text(path) as fh:
        reader = csv.DictReader(fh)
        for column in needed:
            if column not in (reader.fieldnames or []):
                raise DataError("missing column", path=path, line=1, field=column)
        for line, row in _rows(reader, 1):
            if None in row:
                raise DataError("more fields than the header", path=path, line=line)
            yield line, {k: (v or "").strip() for k, v in row.items()}


def _need(row: Mapping[str, str], field: str, path: Path, line: int) -> str:
    if not row.get(field):
        raise DataError("a value is required", path=path, line=line, field=field)
    return row[field]
