"""Round trips: every export of the 2-hop CNRS network on the bundled data, read back by an
independent reader (networkx for GEXF and GraphML; json and csv for the others, against their
documented structure), gives the same nodes, edges and weights as the network itself
(``tests/api/test_export.py`` compares them with the GraphQL ``network`` answer too).

The GEXF is also checked element by element against the GEXF 1.3 schema's structure
(gexf.rng and dynamics.rng: which attributes and children each element takes, in which order);
``test_readers`` validates the files against the official schemas themselves and reads them with
the JavaScript readers and igraph.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

from graph import OxigraphStore
from graph import explore as ex
from graph.errors import BadArgument
from graph.explore import EdgeType, Network
from graph.exports import FORMATS, by_suffix, export
from ontology import iris

CNRS = iris.ror_org("02feahw73").value
Key = tuple[str, ...]  # (a, b, type) with a < b: one typed edge; (a, b): one pair of nodes


@dataclass
class ReadBack:
    """What an independent reader finds in an export: node IRIs, and edge weights by typed edge
    (or by pair of nodes, for the formats with one link per pair)."""

    nodes: set[str]
    edges: dict[Key, float]
    per_pair: bool = False


def _typed(a: str, b: str, kind: str) -> Key:
    return (*sorted((a, b)), kind.lower())


def _pair(a: str, b: str) -> Key:
    return tuple(sorted((a, b)))


def read_gexf(content: bytes) -> ReadBack:
    graph = nx.read_gexf(io.BytesIO(content))
    edges = {_typed(u, v, d["type"]): d["weight"] for u, v, d in graph.edges(data=True)}
    return ReadBack(set(graph.nodes), edges)


def read_graphml(content: bytes) -> ReadBack:
    """Node ids are ``n0``, ``n1``...: the IRI is the ``iri`` data key."""
    graph = nx.read_graphml(io.BytesIO(content), edge_key_type=str, force_multigraph=True)
    iri = nx.get_node_attributes(graph, "iri")
    edges = {_typed(iri[u], iri[v], d["type"]): d["weight"] for u, v, d in graph.edges(data=True)}
    return ReadBack(set(iri.values()), edges)


def yearly_of(data: dict[str, object], prefix: str = "weight") -> dict[int, object]:
    """The values of the year attributes (``weight_2019``...) an XML reader found."""
    return {int(name[len(prefix) + 1 :]): value for name, value in data.items() if name.startswith(f"{prefix}_")}


def weighted_years(years: dict[int, float]) -> dict[int, float]:
    """The years a file writes: those with a weight."""
    return {year: weight for year, weight in years.items() if weight}


def read_cytoscape(content: bytes) -> ReadBack:
    elements = json.loads(content)["elements"]
    edges = {
        _typed(e["data"]["source"], e["data"]["target"], e["data"]["type"]): e["data"]["weight"]
        for e in elements["edges"]
    }
    return ReadBack({n["data"]["id"] for n in elements["nodes"]}, edges)


def read_graphology(content: bytes) -> ReadBack:
    document = json.loads(content)
    edges = {
        _typed(e["source"], e["target"], e["attributes"]["type"]): e["attributes"]["weight"] for e in document["edges"]
    }
    return ReadBack({n["key"] for n in document["nodes"]}, edges)


def read_vosviewer(content: bytes) -> ReadBack:
    network = json.loads(content)["network"]
    url = {item["id"]: item["url"] for item in network["items"]}
    edges = {_pair(url[li["source_id"]], url[li["target_id"]]): li["strength"] for li in network["links"]}
    return ReadBack(set(url.values()), edges, per_pair=True)


def read_vosviewer_files(map_file: bytes, network_file: bytes) -> ReadBack:
    rows = [line.split("\t") for line in map_file.decode().splitlines()]
    header, items = rows[0], rows[1:]
    url = {row[0]: row[header.index("url")] for row in items}
    links = [line.split("\t") for line in network_file.decode().splitlines()]
    return ReadBack(set(url.values()), {_pair(url[a], url[b]): float(s) for a, b, s in links}, per_pair=True)


def read_csv_zip(content: bytes) -> ReadBack:
    archive = zipfile.ZipFile(io.BytesIO(content))
    nodes = csv.DictReader(io.TextIOWrapper(archive.open("nodes.csv"), encoding="utf-8"))
    edges = csv.DictReader(io.TextIOWrapper(archive.open("edges.csv"), encoding="utf-8"))
    return ReadBack(
        {n["id"] for n in nodes}, {_typed(e["source"], e["target"], e["type"]): float(e["weight"]) for e in edges}
    )


# The six exports of the issue, each with its independent reader.
READERS = {
    "gexf": read_gexf,
    "graphml": read_graphml,
    "cyjs": read_cytoscape,
    "graphology": read_graphology,
    "vosviewer": read_vosviewer,
    "csv": read_csv_zip,
}


def expected(nodes: Iterable[str], edges: Iterable[tuple[str, str, str, float]], per_pair: bool) -> ReadBack:
    """What a reader should find for these nodes and (source, target, type, weight) edges."""
    found: dict[Key, float] = {}
    for a, b, kind, weight in edges:
        key = _pair(a, b) if per_pair else _typed(a, b, kind)
        found[key] = found.get(key, 0.0) + weight
    return ReadBack(set(nodes), found, per_pair)


def of_network(network: Network, per_pair: bool = False) -> ReadBack:
    edges = [(e.source, e.target, e.type.value, e.weight) for e in network.edges]
    return expected((n.iri for n in network.nodes), edges, per_pair)


def assert_same(read: ReadBack, want: ReadBack) -> None:
    assert read.nodes == want.nodes
    assert read.edges.keys() == want.edges.keys()
    assert read.edges == pytest.approx(want.edges)


@pytest.fixture(scope="module")
def network(bundled_store_path: Path) -> Network:
    """The 2-hop network of the CNRS on the bundled data, every edge type."""
    with OxigraphStore(bundled_store_path, read_only=True) as store:
        found = ex.network(store, [CNRS], hops=2, include=list(EdgeType))
    assert len(found.nodes) > 100
    assert {e.type for e in found.edges} == set(EdgeType)
    return found


@pytest.mark.parametrize("name", sorted(READERS))
def test_each_export_reads_back_to_the_same_nodes_edges_and_weights(network: Network, name: str) -> None:
    read = READERS[name](export(network, name))
    assert_same(read, of_network(network, per_pair=read.per_pair))


def test_vosviewer_map_and_network_files_read_back(network: Network) -> None:
    read = read_vosviewer_files(export(network, "vosviewer-map"), export(network, "vosviewer-network"))
    assert_same(read, of_network(network, per_pair=True))


def test_every_format_has_a_suffix_and_a_media_type() -> None:
    assert set(FORMATS) == {
        "gexf",
        "graphml",
        "cyjs",
        "graphology",
        "vosviewer",
        "vosviewer-map",
        "vosviewer-network",
        "csv",
    }
    for fmt in FORMATS.values():
        assert by_suffix(fmt.suffix) is fmt
    assert by_suffix("exe") is None
    assert {name: set(fmt.variants) for name, fmt in FORMATS.items() if fmt.variants} == {"gexf": {"dynamic"}}


def test_an_unknown_variant_is_refused_naming_the_known_ones(network: Network) -> None:
    with pytest.raises(BadArgument, match=r"^variant: 'static' is not a variant of gexf; give dynamic; or leave it"):
        export(network, "gexf", "static")
    assert export(network, "gexf", "") == export(network, "gexf")


def test_gexf_round_trips_through_networkx(network: Network) -> None:
    graph = nx.read_gexf(io.BytesIO(export(network, "gexf")))
    assert graph.graph["mode"] == "dynamic"
    for node in network.nodes:
        data = graph.nodes[node.iri]
        assert data["label"] == node.label
        assert data.get("ror") == node.ror
        assert data.get("hal") == node.hal
        assert data.get("country") == node.country
        assert data["community"] == node.metrics.community
        assert data["weighted_degree"] == pytest.approx(node.metrics.weighted_degree)


def test_gexf_edges_carry_yearly_weights_and_spells(network: Network) -> None:
    """networkx keeps the total weight and every year's (``weight_2019``...), typed."""
    graph = nx.read_gexf(io.BytesIO(export(network, "gexf")))
    by_id = {d["id"]: d for _, _, d in graph.edges(data=True)}
    for index, edge in enumerate(network.edges):
        data = by_id[f"e{index}"]
        if edge.years:  # one spell per run of consecutive years with a weight
            years = sorted(y for y, w in edge.years.items() if w)
            spells = data["spells"]
            assert [y for start, end in spells for y in range(start, end + 1)] == years
            assert all(later[0] > earlier[1] + 1 for earlier, later in itertools.pairwise(spells))
        assert data.get("first_year") == edge.first_year
        assert data["weight"] == edge.weight
        assert yearly_of(data) == weighted_years(edge.years)
    assert any(yearly_of(data) for data in by_id.values())


def test_gexf_for_gephis_timeline_has_the_yearly_weights_as_gephis_dynamic_weight(network: Network) -> None:
    """The ``dynamic`` variant: the attribute of id ``weight`` (Gephi's dynamic edge weight) has a
    value per year, with start and end, in a block of mode dynamic (read with ElementTree: networkx
    reads that id as the static weight, which is why it is not the default file)."""
    root = ET.fromstring(export(network, "gexf", "dynamic"))
    ns = {"g": "http://gexf.net/1.3"}
    modes = {
        (block.get("class"), attribute.get("id")): block.get("mode")
        for block in root.iterfind("g:graph/g:attributes", ns)
        for attribute in block
    }
    assert modes["edge", "weight"] == modes["node", "yearly_weighted_degree"] == "dynamic"
    for element in root.iterfind(".//g:edges/g:edge", ns):
        edge = network.edges[int(element.get("id", "e-1")[1:])]
        yearly = {
            int(v.get("start", "0")): float(v.get("value", "0"))
            for v in element.iterfind("g:attvalues/g:attvalue[@for='weight']", ns)
        }
        assert yearly == weighted_years(edge.years)
        assert all(v.get("start") == v.get("end") for v in element.iterfind("g:attvalues/g:attvalue[@start]", ns))


# GEXF 1.3 (gexf.rng + dynamics.rng): the attributes each element may carry, and its children in order.
GEXF_ATTRIBUTES = {
    "gexf": ({"version"}, {"variant"}),
    "meta": (set(), {"lastmodifieddate"}),
    "graph": (set(), {"defaultedgetype", "idtype", "timeformat", "start", "end", "mode", "timerepresentation"}),
    "attributes": ({"class"}, {"mode"}),
    "attribute": ({"id", "title", "type"}, set()),
    "nodes": (set(), {"count"}),
    "edges": (set(), {"count"}),
    "node": ({"id"}, {"label", "start", "end"}),
    "edge": ({"source", "target"}, {"id", "type", "label", "weight", "kind", "start", "end"}),
    "attvalues": (set(), set()),
    "attvalue": ({"for", "value"}, {"start", "end"}),
    "spells": (set(), set()),
    "spell": (set(), {"start", "end"}),
    "creator": (set(), set()),
    "keywords": (set(), set()),
    "description": (set(), set()),
}
GEXF_CHILDREN = {
    "gexf": ["meta", "graph"],
    "meta": ["creator", "keywords", "description"],
    "graph": ["attributes", "nodes", "edges"],
    "attributes": ["attribute"],
    "nodes": ["node"],
    "edges": ["edge"],
    "node": ["attvalues", "spells"],
    "edge": ["attvalues", "spells"],
    "attvalues": ["attvalue"],
    "spells": ["spell"],
}
GEXF_TYPES = {"integer", "long", "double", "float", "boolean", "string", "liststring", "anyURI"}


def _check_gexf_element(element: ET.Element) -> None:
    namespace, _, name = element.tag[1:].partition("}")
    assert namespace == "http://gexf.net/1.3", element.tag
    required, optional = GEXF_ATTRIBUTES[name]
    assert required <= set(element.attrib) <= required | optional, (name, element.attrib)
    children = [child.tag.partition("}")[2] for child in element]
    order = GEXF_CHILDREN.get(name, [])
    assert all(child in order for child in children), (name, children)
    assert [order.index(c) for c in children] == sorted(order.index(c) for c in children), (name, children)
    for child in element:
        _check_gexf_element(child)


@pytest.mark.parametrize("variant", [None, "dynamic"])
def test_gexf_is_a_dynamic_gexf_13_document(network: Network, variant: str | None) -> None:
    """The structure the GEXF 1.3 schema (gexf.rng, dynamics.rng) allows, checked element by element,
    and spells and yearly values that are valid integer intervals inside the graph's time span; the
    default file declares one block per class (graphology-gexf reads only the last), the variant a
    static and a dynamic one."""
    root = ET.fromstring(export(network, "gexf", variant))
    _check_gexf_element(root)
    ns = {"g": "http://gexf.net/1.3"}
    graph = root.find("g:graph", ns)
    assert graph is not None
    assert graph.attrib["mode"] == "dynamic"
    assert graph.attrib["timeformat"] == "integer"
    assert graph.attrib["timerepresentation"] == "interval"
    start, end = int(graph.attrib["start"]), int(graph.attrib["end"])
    declared: dict[tuple[str, str], str] = {}
    blocks = []
    for block in graph.iterfind("g:attributes", ns):
        assert block.attrib["class"] in ("node", "edge")
        assert block.attrib["mode"] in ("static", "dynamic")
        blocks.append((block.attrib["class"], block.attrib["mode"]))
        for attribute in block:
            assert attribute.attrib["type"] in GEXF_TYPES
            assert attribute.attrib["title"] == attribute.attrib["id"]  # networkx keys by title, graphology by id
            declared[block.attrib["class"], attribute.attrib["id"]] = block.attrib["mode"]
    if variant is None:
        assert blocks == [("node", "static"), ("edge", "static")]
        assert ("edge", "weight") not in declared  # networkx would read it as the static weight
    else:
        assert blocks == [("node", "static"), ("node", "dynamic"), ("edge", "static"), ("edge", "dynamic")]
        assert declared["edge", "weight"] == "dynamic"  # the id Gephi makes the edge's dynamic weight
    ids = {n.attrib["id"] for n in graph.iterfind("g:nodes/g:node", ns)}
    assert len(ids) == len(network.nodes) == int(graph.find("g:nodes", ns).attrib["count"])  # type: ignore[union-attr]
    spells = 0
    for cls, path in (("node", "g:nodes/g:node"), ("edge", "g:edges/g:edge")):
        for element in graph.iterfind(path, ns):
            if cls == "edge":
                assert {element.attrib["source"], element.attrib["target"]} <= ids
                float(element.attrib["weight"])
            for value in element.iterfind("g:attvalues/g:attvalue", ns):
                mode = declared[cls, value.attrib["for"]]
                assert ("start" in value.attrib) == (mode == "dynamic")
                if mode == "dynamic":
                    assert start <= int(value.attrib["start"]) <= int(value.attrib["end"]) <= end
            for spell in element.iterfind("g:spells/g:spell", ns):
                assert start <= int(spell.attrib["start"]) <= int(spell.attrib["end"]) <= end
                spells += 1
    assert spells > 0


def test_graphml_round_trips_through_networkx(network: Network) -> None:
    graph = nx.read_graphml(io.BytesIO(export(network, "graphml")), edge_key_type=str, force_multigraph=True)
    assert isinstance(graph, nx.MultiGraph)
    by_key = {k: (u, v, d) for u, v, k, d in graph.edges(keys=True, data=True)}
    ids = {node.iri: f"n{index}" for index, node in enumerate(network.nodes)}  # in the network's order
    for index, edge in enumerate(network.edges):
        source, target, data = by_key[f"e{index}"]
        assert {source, target} == {ids[edge.source], ids[edge.target]}
        assert (data.get("first_year"), data.get("last_year")) == (edge.first_year, edge.last_year)
        assert yearly_of(data) == weighted_years(edge.years)
    assert graph.graph["title"].startswith("Collaboration network of")
    for node in network.nodes:
        data = graph.nodes[ids[node.iri]]
        assert data["iri"] == data["url"] == node.iri
        assert (data.get("ror"), data.get("hal"), data.get("country")) == (node.ror, node.hal, node.country)
        assert (data["pagerank"], data["seed"], data["hops"]) == (node.metrics.pagerank, node.seed, node.hops)


def test_cytoscape_json_has_the_documented_structure(network: Network) -> None:
    document = json.loads(export(network, "cyjs"))
    assert document["format_version"] == "1.0"
    nodes, edges = document["elements"]["nodes"], document["elements"]["edges"]
    ids = {n["data"]["id"] for n in nodes}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)
    assert len({e["data"]["id"] for e in edges}) == len(edges)
    cnrs = next(n["data"] for n in nodes if n["data"]["id"] == CNRS)
    assert (cnrs["ror"], cnrs["seed"], cnrs["name"]) == ("02feahw73", True, cnrs["label"])


def test_graphology_json_is_a_serialised_graph(network: Network) -> None:
    document = json.loads(export(network, "graphology"))
    assert document["options"]["type"] == "undirected"
    edges = document["edges"]
    assert all(e["undirected"] is True for e in edges)
    pairs = [tuple(sorted((e["source"], e["target"]))) for e in edges]
    assert document["options"]["multi"] == (len(set(pairs)) < len(pairs))
    years = {e["key"]: e["attributes"]["years"] for e in edges}
    assert years == {f"e{i}": {str(y): w for y, w in e.years.items()} for i, e in enumerate(network.edges)}


def test_vosviewer_json_has_the_documented_structure(network: Network) -> None:
    document = json.loads(export(network, "vosviewer"))
    items, links = document["network"]["items"], document["network"]["links"]
    assert document["info"]["title"].startswith("Collaboration network of")
    assert set(document["config"]["terminology"]) >= {"item", "items", "link", "links", "link_strength"}
    ids = {item["id"] for item in items}
    assert len(ids) == len(items) == len(network.nodes)
    assert all({li["source_id"], li["target_id"]} <= ids and li["strength"] >= 0 for li in links)
    for item in items:
        assert isinstance(item["label"], str)
        assert 1 <= item["cluster"] <= 1000
        assert all(v >= 0 for v in item["weights"].values())
        assert all(isinstance(v, int | float) for v in item["scores"].values())


def test_vosviewer_map_file_columns(network: Network) -> None:
    rows = [line.split("\t") for line in export(network, "vosviewer-map").decode().splitlines()]
    header, items = rows[0], rows[1:]
    assert header[:3] == ["id", "label", "cluster"]
    assert "weight<Total link strength>" in header
    assert all(len(row) == len(header) for row in items)
    assert [int(row[0]) for row in items] == list(range(1, len(network.nodes) + 1))


def test_csv_zip_holds_nodes_edges_and_years(network: Network) -> None:
    archive = zipfile.ZipFile(io.BytesIO(export(network, "csv")))
    assert set(archive.namelist()) == {"nodes.csv", "edges.csv", "edge_years.csv", "network.json"}
    nodes = list(csv.DictReader(io.TextIOWrapper(archive.open("nodes.csv"), encoding="utf-8")))
    edges = list(csv.DictReader(io.TextIOWrapper(archive.open("edges.csv"), encoding="utf-8")))
    years = list(csv.DictReader(io.TextIOWrapper(archive.open("edge_years.csv"), encoding="utf-8")))
    assert next(n for n in nodes if n["id"] == CNRS)["ror"] == "02feahw73"
    assert len(edges) == len(network.edges)
    per_edge: dict[str, dict[int, float]] = {}
    for row in years:
        per_edge.setdefault(row["edge"], {})[int(row["year"])] = float(row["weight"])
    assert per_edge == {f"e{i}": e.years for i, e in enumerate(network.edges) if e.years}
    assert json.loads(archive.read("network.json"))["seeds"] == network.seeds


def test_exports_are_deterministic(network: Network) -> None:
    for name, fmt in FORMATS.items():
        for variant in [None, *fmt.variants]:
            assert export(network, name, variant) == export(network, name, variant), (name, variant)
