"""Supply-network readers on the real Willems chains and the ETO semiconductor data, and the
errors they give on broken copies (synthetic, written in tmp_path)."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from econsec.datasets.network_file import read_network_file
from econsec.datasets.supply import read_eto, read_willems_gsm, read_willems_raw
from econsec.errors import DataError
from tests.conftest import shared_file

# Stages / arcs per chain as PROVENANCE.md lists them.
SIZES = {1: (8, 10), 13: (108, 452), 24: (334, 1245), 34: (1206, 4063), 38: (2025, 16225)}


def raw(chain: int) -> Path:
    return shared_file(f"supply/willems2008/raw_msom/{chain:02d}.csv.gz")


def gsm(chain: int) -> Path:
    return shared_file(f"supply/willems2008/gsm_stages/willems_{chain:02d}.csv")


@pytest.mark.parametrize(("chain", "size"), SIZES.items())
def test_willems_raw_sizes_match_the_provenance(chain: int, size: tuple[int, int]) -> None:
    network = read_willems_raw(raw(chain))
    assert (network.n_nodes, network.n_edges) == size
    assert network.name == f"willems_{chain}"
    assert set(network.kinds) == {"stage"}
    assert np.all(network.edge_kind == 1)  # every arc is a bill-of-materials edge


def test_all_38_chains_hold_15872_stages_and_43589_arcs_in_both_forms() -> None:
    stages = arcs = 0
    for chain in range(1, 39):
        a, b = read_willems_raw(raw(chain)), read_willems_gsm(gsm(chain))
        assert set(a.ids) == set(b.ids), chain
        pairs_a = {(a.ids[s], a.ids[t]) for s, t in zip(a.src, a.dst, strict=True)}
        pairs_b = {(b.ids[s], b.ids[t]) for s, t in zip(b.src, b.dst, strict=True)}
        assert pairs_a == pairs_b, chain
        stages += a.n_nodes
        arcs += a.n_edges
    assert (stages, arcs) == (15872, 43589)


def test_willems_chain_1_attributes_as_in_the_file() -> None:
    network = read_willems_raw(raw(1))
    part = network.index("Part_0001")
    assert network.groups[part] == "Part"
    assert network.attr("cost")[part] == 12
    assert network.attr("lead_time")[part] == 28
    retail = network.index("Retail_0001")
    assert network.attr("demand_mean")[retail] == 253
    assert network.attr("demand_std")[retail] == pytest.approx(36.62)
    assert network.attr("service_level")[retail] == 0.95
    finals = sorted(network.ids[i] for i in np.flatnonzero(network.final))
    assert finals == ["Retail_0001", "Retail_0002", "Retail_0003"]


def test_willems_gsm_form_keeps_quantities() -> None:
    network = read_willems_gsm(gsm(1))
    assert np.all(network.quantity == 1)
    manuf = network.index("Manuf_0001")
    upstream = {network.ids[s] for s in network.src[network.dst == manuf]}
    assert upstream == {"Part_0001", "Part_0002", "Part_0003"}
    assert network.attr("cost")[manuf] == 39


def test_eto_network_has_providers_inputs_shares_and_the_finished_chip() -> None:
    network = read_eto(shared_file("supply/eto_semiconductor"))
    kinds = network.summary()["node_kinds"]
    # 380 organisations in 403 provider rows (aliases repeat an id), 23 countries.
    assert kinds["country"] == 23
    with shared_file("supply/eto_semiconductor/providers.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    orgs = {r["provider_id"] for r in rows if r["provider_type"] == "organization"}
    assert kinds["firm"] == len(orgs)
    assert [network.ids[i] for i in np.flatnonzero(network.final)] == ["N99"]
    euv = network.index("N20")
    assert network.names[euv] == "EUV lithography tools"
    providers = {
        network.ids[s]: network.share[e]
        for e, s in enumerate(network.src)
        if network.dst[e] == euv and network.edge_kind[e] == 0
    }
    asml = next(i for i, n in enumerate(network.names) if n == "ASML")
    assert providers[network.ids[asml]] == 1.0
    assert network.countries[asml] == "NLD"
    assert network.source.licence.startswith("CC BY-NC")


def test_generic_csv_and_json_round_trip(tmp_path: Path) -> None:
    network = read_willems_gsm(gsm(2))
    edges, nodes = tmp_path / "net.csv", tmp_path / "net_nodes.csv"
    network.edges_table().to_pandas().to_csv(edges, index=False)
    network.nodes_table().to_pandas().to_csv(nodes, index=False)
    again = read_network_file(edges, "copy")
    assert again.ids == network.ids
    assert np.array_equal(again.src, network.src) and np.array_equal(again.final, network.final)
    doc = {
        "nodes": network.nodes_table().to_pylist(),
        "edges": network.edges_table().to_pylist(),
    }
    (tmp_path / "net.json").write_text(json.dumps(doc, default=str), encoding="utf-8")
    from_json = read_network_file(tmp_path / "net.json", "j")
    assert from_json.n_edges == network.n_edges
    assert np.allclose(from_json.attr("cost"), network.attr("cost"), equal_nan=True)


def test_a_malformed_willems_file_names_line_and_field(tmp_path: Path) -> None:
    lines = gzip.decompress(raw(1).read_bytes()).decode("utf-8-sig").splitlines()
    row = lines[12].split(",")  # a stage row (Manuf_0001): line 13 of the file
    assert row[13] == "Manuf_0001"
    row[12] = "lots"  # stageCost
    lines[12] = ",".join(row)
    bad = tmp_path / "01.csv"
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DataError, match=r"01\.csv, line 13, field '/stages/stage/@stageCost'"):
        read_willems_raw(bad)


def test_a_gsm_row_with_an_odd_pair_count_is_refused(tmp_path: Path) -> None:
    text = gsm(1).read_text(encoding="utf-8").splitlines()
    text[2] += ",Part_0009"
    bad = tmp_path / "willems_01.csv"
    bad.write_text("\n".join(text), encoding="utf-8")
    with pytest.raises(DataError, match=r"line 3.*upstream, quantity pairs"):
        read_willems_gsm(bad)


def test_generic_csv_errors_name_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "edges.csv"
    bad.write_text("source,target,kind,share\nA,B,supply,0.5\nC,B,supply,150\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"line 3, field 'share'"):
        read_network_file(bad, "x")
    bad.write_text("source,target,kind\nA,B,maybe\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"line 2, field 'kind'.*supply, bom or type"):
        read_network_file(bad, "x")
    bad.write_text("source,target\nA,\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"line 2, field 'target'"):
        read_network_file(bad, "x")


def test_eto_provision_naming_an_unknown_provider_is_refused(tmp_path: Path) -> None:
    folder = shared_file("supply/eto_semiconductor")
    for f in folder.glob("*.csv"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    provision = (tmp_path / "provision.csv").read_text(encoding="utf-8").splitlines()
    provision[1] = provision[1].replace(",P313,", ",P99999,")
    (tmp_path / "provision.csv").write_text("\n".join(provision), encoding="utf-8")
    with pytest.raises(DataError, match=r"provision\.csv, line 2, field 'provider_id'"):
        read_eto(tmp_path)


def test_the_columnwise_and_the_row_by_row_csv_readers_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from econsec.datasets import network_file

    network = read_eto(shared_file("supply/eto_semiconductor"))
    edges, nodes = tmp_path / "eto.csv", tmp_path / "eto_nodes.csv"
    network.edges_table().to_pandas().to_csv(edges, index=False)
    network.nodes_table().to_pandas().to_csv(nodes, index=False)
    fast = read_network_file(edges, "a")
    monkeypatch.setattr(network_file, "_fast_tables", lambda *_: None)
    slow = read_network_file(edges, "a")
    for a, b in ((fast, slow), (fast, network)):
        for part in ("nodes_table", "edges_table"):
            one, two = getattr(a, part)(), getattr(b, part)()
            for name in one.column_names:
                x, y = one.column(name), two.column(name)
                if pa.types.is_floating(x.type):  # NaN marks unknown numbers
                    assert np.allclose(x.to_numpy(), y.to_numpy(), equal_nan=True), name
                else:
                    assert x.to_pylist() == y.to_pylist(), (part, name)
