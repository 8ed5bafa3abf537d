"""XML exports: GEXF 1.3 (dynamic, for Gephi's timeline) and GraphML.

GEXF is written here with ElementTree because networkx writes dynamic attributes only in its own
shape; GraphML is networkx's writer, whose output is standard.

The GEXF follows the 1.3 schema (gexf.rng with dynamics.rng): ``<graph mode="dynamic"
timeformat="integer" timerepresentation="interval">``; one ``<attributes>`` block per class and
mode; each node and edge carries ``<attvalues>`` then ``<spells>``; the edge weight per year is
the dynamic attribute titled ``weight``, the title the specification reserves for it.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import networkx as nx

from graph.explore import Network
from graph.exports.base import (
    CREATOR,
    Scalar,
    description,
    edge_id,
    edge_record,
    edge_spells,
    flat,
    metadata,
    node_record,
    node_spells,
    node_yearly,
    time_span,
    title,
    yearly,
)

GEXF_NS = "http://gexf.net/1.3"
# Node and edge fields written as <attvalue>s, with their GEXF types (id, label and weight are XML attributes).
GEXF_NODE_ATTRIBUTES = {
    "kind": "string",
    "types": "string",
    "country": "string",
    "region": "string",
    "ror": "string",
    "hal": "string",
    "openalex": "string",
    "seed": "boolean",
    "hops": "integer",
    "degree": "integer",
    "weighted_degree": "double",
    "betweenness": "double",
    "pagerank": "double",
    "community": "integer",
    "url": "anyURI",
}
GEXF_EDGE_ATTRIBUTES = {
    "type": "string",
    "first_year": "integer",
    "last_year": "integer",
    "internal": "boolean",
    "instruments": "string",
    "sources": "string",
}
GEXF_NODE_DYNAMIC = {"yearly_weighted_degree": "double"}  # the node's weighted degree in each year
GEXF_EDGE_DYNAMIC = {"weight": "double"}  # the edge's weight in each year


def _tag(name: str) -> str:
    return f"{{{GEXF_NS}}}{name}"


def _text(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _declare(graph: ET.Element, cls: str, mode: str, attributes: dict[str, str]) -> None:
    block = ET.SubElement(graph, _tag("attributes"), {"class": cls, "mode": mode})
    for name, kind in attributes.items():
        ET.SubElement(block, _tag("attribute"), {"id": name, "title": name, "type": kind})


def _attvalues(
    parent: ET.Element,
    record: dict[str, Scalar | list[str] | None],
    fields: dict[str, str],
    dynamic: list[tuple[str, int, float]],
) -> None:
    values = ET.SubElement(parent, _tag("attvalues"))
    for name in fields:
        value = flat(record[name])
        if value is not None and value != "":
            ET.SubElement(values, _tag("attvalue"), {"for": name, "value": _text(value)})
    for name, year, weight in dynamic:
        ET.SubElement(
            values, _tag("attvalue"), {"for": name, "value": _text(weight), "start": str(year), "end": str(year)}
        )


def _spells(parent: ET.Element, spells: list[tuple[int, int]] | None) -> None:
    if not spells:
        return
    block = ET.SubElement(parent, _tag("spells"))
    for start, end in spells:
        ET.SubElement(block, _tag("spell"), {"start": str(start), "end": str(end)})


def gexf(network: Network) -> bytes:
    """GEXF 1.3, dynamic: Gephi's timeline plays the network year by year."""
    ET.register_namespace("", GEXF_NS)
    root = ET.Element(_tag("gexf"), {"version": "1.3"})
    meta = ET.SubElement(root, _tag("meta"))
    ET.SubElement(meta, _tag("creator")).text = CREATOR
    ET.SubElement(meta, _tag("keywords")).text = "CNRS, ASEAN, research cooperation, co-publication"
    ET.SubElement(meta, _tag("description")).text = description(network)
    span = time_span(network)
    graph_attributes = {
        "mode": "dynamic",
        "defaultedgetype": "undirected",
        "timeformat": "integer",
        "timerepresentation": "interval",
    }
    if span is not None:
        graph_attributes.update(start=str(span.start), end=str(span.end))
    graph = ET.SubElement(root, _tag("graph"), graph_attributes)
    _declare(graph, "node", "static", GEXF_NODE_ATTRIBUTES)
    _declare(graph, "node", "dynamic", GEXF_NODE_DYNAMIC)
    _declare(graph, "edge", "static", GEXF_EDGE_ATTRIBUTES)
    _declare(graph, "edge", "dynamic", GEXF_EDGE_DYNAMIC)

    nodes = ET.SubElement(graph, _tag("nodes"), {"count": str(len(network.nodes))})
    spells = node_spells(network, span)
    activity = node_yearly(network)
    for node in network.nodes:
        element = ET.SubElement(nodes, _tag("node"), {"id": node.iri, "label": node.label})
        dynamic = [("yearly_weighted_degree", year, w) for year, w in sorted(activity[node.iri].items())]
        _attvalues(element, node_record(node), GEXF_NODE_ATTRIBUTES, dynamic)
        _spells(element, spells[node.iri])

    edges = ET.SubElement(graph, _tag("edges"), {"count": str(len(network.edges))})
    for index, edge in enumerate(network.edges):
        element = ET.SubElement(
            edges,
            _tag("edge"),
            {
                "id": edge_id(index),
                "source": edge.source,
                "target": edge.target,
                "weight": _text(float(edge.weight)),
                "kind": edge.type.value,
                "label": edge.type.value,
            },
        )
        dynamic = [("weight", year, w) for year, w in yearly(edge)]
        _attvalues(element, edge_record(index, edge), GEXF_EDGE_ATTRIBUTES, dynamic)
        _spells(element, edge_spells(edge, span))
    ET.indent(root)
    out = io.BytesIO()
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    return out.getvalue() + b"\n"


def _graph_value(value: Scalar | list[str]) -> Scalar:
    return " ".join(value) if isinstance(value, list) else value


def graphml(network: Network) -> bytes:
    """GraphML (networkx's writer): one key per field, edges keyed by their export id."""
    graph: nx.MultiGraph[str] = nx.MultiGraph()
    graph.graph.update({k: _graph_value(v) for k, v in metadata(network).items()})
    graph.graph["name"] = title(network)
    for node in network.nodes:
        record = node_record(node)
        graph.add_node(node.iri, **{k: flat(v) for k, v in record.items() if k != "id" and flat(v) not in (None, "")})
    for index, edge in enumerate(network.edges):
        record = edge_record(index, edge)
        data = {k: flat(v) for k, v in record.items() if k not in ("id", "source", "target")}
        data = {k: v for k, v in data.items() if v not in (None, "")}
        data["weight"] = float(edge.weight)
        points = yearly(edge)
        if points:
            data["years"] = json.dumps({str(year): weight for year, weight in points})
        graph.add_edge(edge.source, edge.target, key=edge_id(index), **data)
    out = io.BytesIO()
    nx.write_graphml(graph, out, encoding="utf-8", infer_numeric_types=True, named_key_ids=True)
    return out.getvalue()
