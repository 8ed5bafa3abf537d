"""Round trips: every export of the CNRS network on the bundled data, read back by an independent
reader (networkx for GEXF and GraphML, json/csv for the others against their documented structure),
gives the same nodes, edges and weights as the network itself.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from graph import OxigraphStore
from graph.explore import Counting, Edge, EdgeType, Metrics, Network, Node, Window
from graph.exports import FORMATS, by_suffix, export
from ontology import PREFIXES, iris

CNRS = iris.ror_org("02feahw73").value
PREAMBLE = "".join(f"PREFIX {p}: <{i}>\n" for p, i in PREFIXES.items())
COPUBLICATIONS = (
    PREAMBLE
    + """SELECT DISTINCT ?cnrs ?s ?t ?year ?full ?frac ?g WHERE { GRAPH ?g {
  ?l kg:linkKind kg:InstitutionInstitution ; kg:linkSource ?s ; kg:linkTarget ?t ; kg:year ?year ;
     kg:fullCount ?full ; kg:fractionalCount ?frac } FILTER(?s = ?cnrs || ?t = ?cnrs) }"""
)
INSTRUMENTS = (
    PREAMBLE
    + """SELECT DISTINCT ?cnrs ?i ?other ?start ?end WHERE { ?i kg:hasParty ?m1, ?m2 . ?m1 org:member ?cnrs .
  ?m2 org:member ?other . FILTER(?other != ?cnrs) OPTIONAL { ?i schema:startDate ?start }
  OPTIONAL { ?i schema:endDate ?end } }"""
)
DESCRIBE = (
    PREAMBLE
    + """SELECT ?org ?label ?country ?ror WHERE { OPTIONAL { ?org rdfs:label ?label }
  OPTIONAL { ?org kg:country/skos:notation ?country FILTER(STRLEN(?country) = 2) }
  OPTIONAL { ?org schema:sameAs ?ror FILTER(STRSTARTS(STR(?ror), "https://ror.org/")) } } LIMIT 1"""
)


def _rows(store: OxigraphStore, query: str, **bound: ox.NamedNode) -> Iterator[ox.QuerySolution]:
    result = store.query(query, substitutions=bound)
    assert isinstance(result, ox.QuerySolutions)
    yield from result


def _year(term: object) -> int | None:
    return int(term.value[:4]) if isinstance(term, ox.Literal) else None


def _local_network(store: OxigraphStore) -> Network:
    """The CNRS's co-publication and instrument partners, read from the store by two small queries
    (a stand-in for graph.explore.network while it is being written)."""
    cnrs = ox.NamedNode(CNRS)
    edges: dict[tuple[str, EdgeType], Edge] = {}
    for row in _rows(store, COPUBLICATIONS, cnrs=cnrs):
        other = row["t"].value if row["s"] == cnrs else row["s"].value
        year = _year(row["year"])
        assert year is not None
        edge = edges.setdefault(
            (other, EdgeType.COPUBLICATION), Edge(CNRS, other, EdgeType.COPUBLICATION, 0, None, None)
        )
        if year not in edge.years:
            edge.years[year] = float(row["full"].value)
            edge.sources.append(row["g"].value)
    for row in _rows(store, INSTRUMENTS, cnrs=cnrs):
        other = row["other"].value
        edge = edges.setdefault((other, EdgeType.INSTRUMENT), Edge(CNRS, other, EdgeType.INSTRUMENT, 0, None, None))
        if row["i"].value not in edge.instruments:
            edge.instruments.append(row["i"].value)
            start, end = _year(row["start"]), _year(row["end"])
            edge.first_year = min(y for y in (edge.first_year, start) if y is not None) if start else edge.first_year
            edge.last_year = max(y for y in (edge.last_year, end) if y is not None) if end else edge.last_year
    for edge in edges.values():
        edge.weight = sum(edge.years.values()) if edge.years else float(len(edge.instruments))
        if edge.years:
            edge.first_year, edge.last_year = min(edge.years), max(edge.years)
    nodes = [_node(store, iri) for iri in [CNRS, *sorted({e.target for e in edges.values()})]]
    nodes[0].seed = True
    _metrics(nodes, list(edges.values()))
    return Network(nodes, list(edges.values()), [CNRS], Counting.FULL, Window(), [EdgeType.COPUBLICATION])


def _node(store: OxigraphStore, iri: str) -> Node:
    node = Node(iri, iri.rsplit("/", 1)[-1], "institution", hops=0 if iri == CNRS else 1)
    for row in _rows(store, DESCRIBE, org=ox.NamedNode(iri)):
        node.label = row["label"].value if row["label"] else node.label
        node.country = row["country"].value if row["country"] else None
        node.ror = row["ror"].value.removeprefix("https://ror.org/") if row["ror"] else None
    if iri.startswith(iris.ID + "org/hal/"):
        node.hal = iri.rsplit("/", 1)[-1]
    return node


def _metrics(nodes: list[Node], edges: list[Edge]) -> None:
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(n.iri for n in nodes)
    for e in edges:
        previous = graph.get_edge_data(e.source, e.target, {}).get("weight", 0.0)
        graph.add_edge(e.source, e.target, weight=previous + e.weight)
    betweenness = nx.betweenness_centrality(graph)
    communities = nx.community.louvain_communities(graph, seed=1)
    for node in nodes:
        node.metrics = Metrics(
            degree=graph.degree(node.iri),
            weighted_degree=float(graph.degree(node.iri, weight="weight")),
            betweenness=betweenness[node.iri],
            pagerank=1 / len(nodes),
            community=next(i for i, c in enumerate(communities) if node.iri in c),
        )


@pytest.fixture(scope="module")
def network(bundled_store_path: Path) -> Network:
    with OxigraphStore(bundled_store_path, read_only=True) as store:
        built = _local_network(store)
    assert len(built.nodes) > 10
    assert {e.type for e in built.edges} == {EdgeType.COPUBLICATION, EdgeType.INSTRUMENT}
    return built


def _expected_edges(network: Network) -> dict[tuple[str, ...], float]:
    return {(*sorted((e.source, e.target)), e.type.value): e.weight for e in network.edges}


def _expected_pairs(network: Network) -> dict[tuple[str, str], float]:
    pairs: dict[tuple[str, str], float] = {}
    for e in network.edges:
        a, b = sorted((e.source, e.target))
        pairs[a, b] = pairs.get((a, b), 0.0) + e.weight
    return pairs


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


def test_gexf_round_trips_through_networkx(network: Network) -> None:
    graph = nx.read_gexf(io.BytesIO(export(network, "gexf")))
    assert graph.graph["mode"] == "dynamic"
    assert set(graph.nodes) == {n.iri for n in network.nodes}
    read = {(*sorted((u, v)), d["type"]): d["weight"] for u, v, d in graph.edges(data=True)}
    assert read == pytest.approx(_expected_edges(network))
    for node in network.nodes:
        data = graph.nodes[node.iri]
        assert data["label"] == node.label
        assert data.get("ror") == node.ror
        assert data.get("hal") == node.hal
        assert data.get("country") == node.country
        assert data["community"] == node.metrics.community
        assert data["weighted_degree"] == pytest.approx(node.metrics.weighted_degree)


def test_gexf_edges_carry_yearly_weights_and_spells(network: Network) -> None:
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
    # networkx keeps the static weight; the dynamic "weight" attvalues are read with ElementTree
    root = ET.fromstring(export(network, "gexf"))
    ns = {"g": "http://gexf.net/1.3"}
    for element in root.iterfind(".//g:edges/g:edge", ns):
        edge = network.edges[int(element.get("id", "e-1")[1:])]
        yearly = {
            int(v.get("start", "0")): float(v.get("value", "0"))
            for v in element.iterfind("g:attvalues/g:attvalue[@for='weight']", ns)
        }
        assert yearly == edge.years
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


def test_gexf_is_a_dynamic_gexf_13_document(network: Network) -> None:
    """The structure the GEXF 1.3 schema (gexf.rng, dynamics.rng) allows, checked element by element,
    and spells and yearly values that are valid integer intervals inside the graph's time span."""
    root = ET.fromstring(export(network, "gexf"))
    _check_gexf_element(root)
    ns = {"g": "http://gexf.net/1.3"}
    graph = root.find("g:graph", ns)
    assert graph is not None
    assert graph.attrib["mode"] == "dynamic"
    assert graph.attrib["timeformat"] == "integer"
    assert graph.attrib["timerepresentation"] == "interval"
    start, end = int(graph.attrib["start"]), int(graph.attrib["end"])
    declared: dict[tuple[str, str], str] = {}
    for block in graph.iterfind("g:attributes", ns):
        assert block.attrib["class"] in ("node", "edge")
        assert block.attrib["mode"] in ("static", "dynamic")
        for attribute in block:
            assert attribute.attrib["type"] in GEXF_TYPES
            declared[block.attrib["class"], attribute.attrib["id"]] = block.attrib["mode"]
    assert declared["edge", "weight"] == "dynamic"  # the title GEXF reserves for the dynamic weight
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
    assert set(graph.nodes) == {n.iri for n in network.nodes}
    read = {(*sorted((u, v)), d["type"]): d["weight"] for u, v, d in graph.edges(data=True)}
    assert read == pytest.approx(_expected_edges(network))
    by_key = {k: d for _, _, k, d in graph.edges(keys=True, data=True)}
    for index, edge in enumerate(network.edges):
        data = by_key[f"e{index}"]
        assert (data.get("first_year"), data.get("last_year")) == (edge.first_year, edge.last_year)
        assert json.loads(data.get("years", "{}")) == {str(y): w for y, w in edge.years.items()}
    for node in network.nodes:
        data = graph.nodes[node.iri]
        assert (data.get("ror"), data.get("hal"), data.get("country")) == (node.ror, node.hal, node.country)
        assert data["pagerank"] == pytest.approx(node.metrics.pagerank)


def test_cytoscape_json_has_the_documented_structure(network: Network) -> None:
    document = json.loads(export(network, "cyjs"))
    assert document["format_version"] == "1.0"
    nodes, edges = document["elements"]["nodes"], document["elements"]["edges"]
    assert {n["data"]["id"] for n in nodes} == {n.iri for n in network.nodes}
    ids = {n["data"]["id"] for n in nodes}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)
    read = {
        (*sorted((e["data"]["source"], e["data"]["target"])), e["data"]["type"]): e["data"]["weight"] for e in edges
    }
    assert read == pytest.approx(_expected_edges(network))
    assert len({e["data"]["id"] for e in edges}) == len(edges)
    cnrs = next(n["data"] for n in nodes if n["data"]["id"] == CNRS)
    assert (cnrs["ror"], cnrs["seed"], cnrs["name"]) == ("02feahw73", True, cnrs["label"])


def test_graphology_json_is_a_serialised_graph(network: Network) -> None:
    document = json.loads(export(network, "graphology"))
    assert document["options"]["type"] == "undirected"
    assert {n["key"] for n in document["nodes"]} == {n.iri for n in network.nodes}
    edges = document["edges"]
    assert all(e["undirected"] is True for e in edges)
    read = {(*sorted((e["source"], e["target"])), e["attributes"]["type"]): e["attributes"]["weight"] for e in edges}
    assert read == pytest.approx(_expected_edges(network))
    pairs = [tuple(sorted((e["source"], e["target"]))) for e in edges]
    assert document["options"]["multi"] == (len(set(pairs)) < len(pairs))
    years = {e["key"]: e["attributes"]["years"] for e in edges}
    assert years == {f"e{i}": {str(y): w for y, w in e.years.items()} for i, e in enumerate(network.edges)}


def test_vosviewer_json_has_the_documented_structure(network: Network) -> None:
    document = json.loads(export(network, "vosviewer"))
    items, links = document["network"]["items"], document["network"]["links"]
    assert document["info"]["title"].startswith("Collaboration network of")
    assert set(document["config"]["terminology"]) >= {"item", "items", "link", "links", "link_strength"}
    by_id = {item["id"]: item for item in items}
    assert len(by_id) == len(items) == len(network.nodes)
    assert {item["url"] for item in items} == {n.iri for n in network.nodes}
    for item in items:
        assert isinstance(item["label"], str)
        assert 1 <= item["cluster"] <= 1000
        assert all(v >= 0 for v in item["weights"].values())
        assert all(isinstance(v, int | float) for v in item["scores"].values())
    read = {
        tuple(sorted((by_id[li["source_id"]]["url"], by_id[li["target_id"]]["url"]))): li["strength"] for li in links
    }
    assert read == pytest.approx(_expected_pairs(network))


def test_vosviewer_map_and_network_files(network: Network) -> None:
    rows = [line.split("\t") for line in export(network, "vosviewer-map").decode().splitlines()]
    header, items = rows[0], rows[1:]
    assert header[:3] == ["id", "label", "cluster"]
    assert "weight<Total link strength>" in header
    assert all(len(row) == len(header) for row in items)
    url = {row[0]: row[header.index("url")] for row in items}
    links = [line.split("\t") for line in export(network, "vosviewer-network").decode().splitlines()]
    read = {tuple(sorted((url[a], url[b]))): float(s) for a, b, s in links}
    assert read == pytest.approx(_expected_pairs(network))


def test_csv_zip_holds_nodes_edges_and_years(network: Network) -> None:
    archive = zipfile.ZipFile(io.BytesIO(export(network, "csv")))
    assert set(archive.namelist()) == {"nodes.csv", "edges.csv", "edge_years.csv", "network.json"}
    nodes = list(csv.DictReader(io.TextIOWrapper(archive.open("nodes.csv"), encoding="utf-8")))
    edges = list(csv.DictReader(io.TextIOWrapper(archive.open("edges.csv"), encoding="utf-8")))
    years = list(csv.DictReader(io.TextIOWrapper(archive.open("edge_years.csv"), encoding="utf-8")))
    assert {n["id"] for n in nodes} == {n.iri for n in network.nodes}
    assert next(n for n in nodes if n["id"] == CNRS)["ror"] == "02feahw73"
    read = {(*sorted((e["source"], e["target"])), e["type"]): float(e["weight"]) for e in edges}
    assert read == pytest.approx(_expected_edges(network))
    per_edge: dict[str, dict[int, float]] = {}
    for row in years:
        per_edge.setdefault(row["edge"], {})[int(row["year"])] = float(row["weight"])
    assert per_edge == {f"e{i}": e.years for i, e in enumerate(network.edges) if e.years}
    assert json.loads(archive.read("network.json"))["seeds"] == network.seeds


def test_exports_are_deterministic(network: Network) -> None:
    for name in FORMATS:
        assert export(network, name) == export(network, name), name
