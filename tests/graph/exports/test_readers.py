"""The GEXF and GraphML exports as the tools of the field take them, with no option and no fix-up.

Three networks of the bundled data: the CNRS at one hop and at two hops (up to 1,000 nodes), and
Viet Nam's (the seed ``VN``). Each file is validated against the official schemas with ``xmllint``
(``tests/fixtures/schemas``: GEXF 1.3 XSD and RELAX NG, GraphML 1.1 XSD), then read by networkx
and igraph in this process and by graphology-gexf, graphology-graphml and cytoscape in ``node``
(``read_graph.mjs``, the packages of ``package-lock.json``). Every reader must find the nodes
(by IRI), the edges, their weights and every yearly weight that the graphology JSON export of the
same network states, with numbers and booleans typed.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import igraph as ig
import networkx as nx
import pytest

from graph import OxigraphStore
from graph import explore as ex
from graph.explore import MAX_NODES
from graph.exports import export
from ontology import iris

HERE = Path(__file__).resolve().parent
SCHEMAS = HERE.parents[1] / "fixtures" / "schemas"
READ_GRAPH = HERE / "read_graph.mjs"
CNRS = iris.ror_org("02feahw73").value

# name -> (seeds, hops, max_nodes): the networks of the acceptance (issue 20)
NETWORKS = {
    "cnrs-1-hop": ([CNRS], 1, MAX_NODES),
    "cnrs-2-hops": ([CNRS], 2, 1000),
    "vn": ([iris.country("VN").value], 1, MAX_NODES),
}

Years = dict[int, float]


@dataclass(frozen=True)
class Expected:
    """What the graphology JSON export of a network says: node IRIs, and per edge id its ends,
    weight and weight per year."""

    nodes: set[str]
    edges: dict[str, tuple[frozenset[str], float, Years]]


@dataclass(frozen=True)
class Exported:
    name: str
    folder: Path
    expected: Expected

    def file(self, suffix: str) -> Path:
        return self.folder / f"{self.name}.{suffix}"


def _expected(graphology_json: bytes) -> Expected:
    document = json.loads(graphology_json)
    edges = {
        e["key"]: (
            frozenset((e["source"], e["target"])),
            e["attributes"]["weight"],
            {int(year): weight for year, weight in e["attributes"]["years"].items()},
        )
        for e in document["edges"]
    }
    return Expected({n["key"] for n in document["nodes"]}, edges)


@pytest.fixture(scope="module")
def exported(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Exported]:
    """Each network written as ``<name>.gexf``, ``<name>.dynamic.gexf``, ``<name>.graphml`` and ``<name>.cyjs``."""
    folder = tmp_path_factory.mktemp("exports")
    found = {}
    with OxigraphStore(bundled_store_path, read_only=True) as store:
        for name, (seeds, hops, most) in NETWORKS.items():
            network = ex.network(store, seeds, hops=hops, max_nodes=most)
            for suffix, fmt, variant in [
                ("gexf", "gexf", None),
                ("dynamic.gexf", "gexf", "dynamic"),
                ("graphml", "graphml", None),
                ("cyjs", "cyjs", None),
            ]:
                (folder / f"{name}.{suffix}").write_bytes(export(network, fmt, variant))
            found[name] = Exported(name, folder, _expected(export(network, "graphology")))
    assert len(found["cnrs-2-hops"].expected.nodes) > 600  # over what PageRank computes in one thread
    assert all(any(years for _, _, years in e.expected.edges.values()) for e in found.values())
    return found


def _tool(name: str, hint: str) -> str:
    path = shutil.which(name)
    assert path is not None, f"{name} is not installed: {hint}"
    return path


def _xmllint(*args: str) -> subprocess.CompletedProcess[str]:
    command = [_tool("xmllint", "run make xmllint (Debian's libxml2-utils)"), "--noout", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _valid(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stderr.strip().endswith("validates")


# --- the official schemas --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(NETWORKS))
@pytest.mark.parametrize("suffix", ["gexf", "dynamic.gexf"])
def test_gexf_is_valid_against_the_gexf_13_xsd_and_relax_ng(
    exported: dict[str, Exported], name: str, suffix: str
) -> None:
    path = str(exported[name].file(suffix))
    _valid(_xmllint("--schema", str(SCHEMAS / "gexf-1.3" / "gexf.xsd"), path))
    _valid(_xmllint("--relaxng", str(SCHEMAS / "gexf-1.3" / "gexf.rng"), path))


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_graphml_is_valid_against_the_graphml_11_xsd(exported: dict[str, Exported], name: str) -> None:
    _valid(_xmllint("--schema", str(SCHEMAS / "graphml-1.1" / "graphml.xsd"), str(exported[name].file("graphml"))))


def test_the_schema_check_refuses_what_the_graphml_once_was(exported: dict[str, Exported], tmp_path: Path) -> None:
    """An IRI as a node id (what the GraphML export once wrote) is not an ``xs:NMTOKEN``: the check bites."""
    text = exported["vn"].file("graphml").read_text(encoding="utf-8")
    broken = tmp_path / "iri-ids.graphml"
    broken.write_text(text.replace('<node id="n0">', f'<node id="{CNRS}">', 1), encoding="utf-8")
    result = _xmllint("--schema", str(SCHEMAS / "graphml-1.1" / "graphml.xsd"), str(broken))
    assert result.returncode != 0
    assert "NMTOKEN" in result.stderr


# --- Python readers ----------------------------------------------------------------------------------


def _years(data: dict[str, object]) -> Years:
    """The ``weight_<year>`` values a reader found (igraph: NaN where an edge has no such year)."""
    found = {}
    for name, value in data.items():
        if name.startswith("weight_"):
            assert isinstance(value, float), (name, value)
            if not math.isnan(value):
                found[int(name.removeprefix("weight_"))] = value
    return found


def _check_edge(expected: Expected, key: str, ends: frozenset[str], weight: object, years: Years) -> None:
    want_ends, want_weight, want_years = expected.edges[key]
    assert (ends, weight, years) == (want_ends, want_weight, want_years), key


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_networkx_reads_the_gexf_with_every_yearly_weight(exported: dict[str, Exported], name: str) -> None:
    expected = exported[name].expected
    graph = nx.read_gexf(exported[name].file("gexf"))
    assert set(graph.nodes) == expected.nodes
    assert graph.number_of_edges() == len(expected.edges)
    for u, v, data in graph.edges(data=True):
        _check_edge(expected, data["id"], frozenset((u, v)), data["weight"], _years(data))
    node = next(iter(graph.nodes.values()))
    assert (type(node["pagerank"]), type(node["seed"]), type(node["hops"])) == (float, bool, int)


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_networkx_reads_the_graphml_with_every_yearly_weight(exported: dict[str, Exported], name: str) -> None:
    expected = exported[name].expected
    graph = nx.read_graphml(exported[name].file("graphml"), force_multigraph=True)
    assert isinstance(graph, nx.MultiGraph)  # some pairs have ties of several types
    iri = nx.get_node_attributes(graph, "iri")
    assert set(iri.values()) == expected.nodes
    assert len(iri) == graph.number_of_nodes()
    assert graph.number_of_edges() == len(expected.edges)
    for u, v, key, data in graph.edges(keys=True, data=True):
        _check_edge(expected, key, frozenset((iri[u], iri[v])), data["weight"], _years(data))
    assert graph.graph["title"].startswith("Collaboration network of")
    node = next(iter(graph.nodes.values()))
    assert (type(node["pagerank"]), type(node["seed"]), type(node["hops"])) == (float, bool, int)


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_igraph_reads_the_graphml_with_every_yearly_weight(exported: dict[str, Exported], name: str) -> None:
    """igraph keeps the edges in the file's order (``e0``, ``e1``...) but not their ids."""
    expected = exported[name].expected
    graph = ig.Graph.Read_GraphML(str(exported[name].file("graphml")))
    iri = graph.vs["iri"]
    assert set(iri) == expected.nodes
    assert len(iri) == graph.vcount()
    assert graph.ecount() == len(expected.edges)
    for index, edge in enumerate(graph.es):
        _check_edge(
            expected,
            f"e{index}",
            frozenset((iri[edge.source], iri[edge.target])),
            edge["weight"],
            _years(edge.attributes()),
        )
    assert graph["title"].startswith("Collaboration network of")


# --- JavaScript readers, from package-lock.json -----------------------------------------------------


def _node(path: Path) -> subprocess.CompletedProcess[str]:
    command = [_tool("node", "install Node.js and run make assets (npm ci)"), str(READ_GRAPH), str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("name", sorted(NETWORKS))
@pytest.mark.parametrize(
    ("suffix", "reader"),
    [("gexf", "graphology-gexf"), ("graphml", "graphology-graphml"), ("cyjs", "cytoscape")],
)
def test_javascript_readers_take_each_file_as_it_is(
    exported: dict[str, Exported], name: str, suffix: str, reader: str
) -> None:
    """graphology-gexf and graphology-graphml without options, then cytoscape given what they read
    (its ids and attributes as they are); cytoscape from the ``.cyjs`` export itself."""
    result = _node(exported[name].file(suffix))
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout)
    expected = exported[name].expected
    assert found["reader"] == reader
    assert (found["nodes"], found["edges"]) == (len(expected.nodes), len(expected.edges))
    assert found["cytoscape"] == {"nodes": len(expected.nodes), "edges": len(expected.edges)}
    iri = found["iris"]
    assert set(iri.values()) == expected.nodes
    for key, edge in found["edgeList"].items():
        years = {int(year): weight for year, weight in edge["years"].items()}
        _check_edge(expected, key, frozenset((iri[edge["source"]], iri[edge["target"]])), edge["weight"], years)
    types = found["nodeTypes"]
    assert (types["pagerank"], types["seed"], types["hops"], types["label"]) == (
        "number",
        "boolean",
        "number",
        "string",
    )
    assert found["edgeTypes"]["weight"] == "number"


def test_graphology_gexf_refuses_the_gexf_for_gephis_timeline(exported: dict[str, Exported]) -> None:
    """Why the dynamic GEXF is a variant and not the default file: graphology-gexf keeps only the
    last ``<attributes>`` block of a class, and the dynamic file needs a static and a dynamic one."""
    result = _node(exported["vn"].file("dynamic.gexf"))
    assert result.returncode == 1
    assert 'Found undeclared attribute "kind"' in result.stderr


def test_networkx_reads_the_gexf_for_gephis_timeline_with_node_years(exported: dict[str, Exported]) -> None:
    """networkx reads the variant too: a node's weighted degree in each year (the sum of its edges'
    weights that year) as its dynamic (value, start, end) values."""
    graph = nx.read_gexf(exported["cnrs-1-hop"].file("dynamic.gexf"))
    years = graph.nodes[CNRS]["yearly_weighted_degree"]
    assert all(start == end for _, start, end in years)
    sums: Years = {}
    for ends, _, own in exported["cnrs-1-hop"].expected.edges.values():
        if CNRS in ends:
            for year, weight in own.items():
                sums[year] = sums.get(year, 0.0) + weight
    assert {start: value for value, start, _ in years} == pytest.approx(sums)
    assert len(sums) > 10
