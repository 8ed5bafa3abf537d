"""XML exports: GEXF 1.3 (dynamic, for Gephi's timeline) and GraphML.

GEXF is written here because networkx writes dynamic attributes only in its own shape: as strings,
in the layout of ElementTree's ``indent`` (the writer it replaced, five times slower on the 63 MB of
a 200-node network); GraphML is networkx's writer, whose output is standard.

The GEXF follows the 1.3 schema (gexf.rng with dynamics.rng): ``<graph mode="dynamic"
timeformat="integer" timerepresentation="interval">``; one ``<attributes>`` block per class and
mode; each node and edge carries ``<attvalues>`` then ``<spells>``; the edge weight per year is
the dynamic attribute titled ``weight``, the title the specification reserves for it.
"""

from __future__ import annotations

import io
import json
import re
from xml.sax.saxutils import escape

import networkx as nx

from graph.explore import Network
from graph.exports.base import (
    CREATOR,
    Points,
    Scalar,
    TimeSpan,
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


# ElementTree's escaping of attribute values (quotes and line ends too, as character references).
_ATTRIBUTE_ENTITIES = {'"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"}


_SPECIAL = re.compile('[&<>"\r\n\t]')


def _escape(value: str) -> str:
    """``value`` as an attribute value; most need no escape, which one search tells."""
    return escape(value, _ATTRIBUTE_ENTITIES) if _SPECIAL.search(value) else value


def _text(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _attributes(attributes: dict[str, str]) -> str:
    return "".join(f' {name}="{_escape(value)}"' for name, value in attributes.items())


def _element(out: list[str], indent: str, tag: str, attributes: str, children: list[str]) -> None:
    """An element and its children's lines, laid out as ``ElementTree.indent`` does (empty: ``<tag ... />``)."""
    if children:
        out.append(f"{indent}<{tag}{attributes}>\n")
        out.extend(children)
        out.append(f"{indent}</{tag}>\n")
    else:
        out.append(f"{indent}<{tag}{attributes} />\n")


def _declare(out: list[str], cls: str, mode: str, attributes: dict[str, str]) -> None:
    lines = [f'      <attribute id="{name}" title="{name}" type="{kind}" />\n' for name, kind in attributes.items()]
    _element(out, "    ", "attributes", f' class="{cls}" mode="{mode}"', lines)


def _attvalues(
    out: list[str],
    record: dict[str, Scalar | list[str] | None],
    fields: dict[str, str],
    dynamic: str,
    points: Points,
) -> None:
    """The fields, then the dynamic attribute ``dynamic`` in each year of ``points``."""
    lines = []
    for name in fields:
        value = flat(record[name])
        if value is not None and value != "":
            text = _escape(value) if isinstance(value, str) else _text(value)
            lines.append(f'          <attvalue for="{name}" value="{text}" />\n')
    lines += [
        f'          <attvalue for="{dynamic}" value="{weight!r}" start="{year}" end="{year}" />\n'  # floats: _text
        for year, weight in points
    ]
    _element(out, "        ", "attvalues", "", lines)


def _spells(out: list[str], spells: list[tuple[int, int]] | None) -> None:
    if spells:
        lines = [f'          <spell start="{start}" end="{end}" />\n' for start, end in spells]
        _element(out, "        ", "spells", "", lines)


def gexf(network: Network) -> bytes:
    """GEXF 1.3, dynamic: Gephi's timeline plays the network year by year.

    Written as strings joined once (a network of 200 nodes has some 20,000 edges and a million
    lines), in the layout ElementTree gives with ``indent``: the same document, several times faster.
    """
    out = [
        "<?xml version='1.0' encoding='utf-8'?>\n",
        f'<gexf xmlns="{GEXF_NS}" version="1.3">\n',
        "  <meta>\n",
        f"    <creator>{escape(CREATOR)}</creator>\n",
        f"    <keywords>{escape('CNRS, ASEAN, research cooperation, co-publication')}</keywords>\n",
        f"    <description>{escape(description(network))}</description>\n",
        "  </meta>\n",
    ]
    span = time_span(network)
    graph_attributes = {
        "mode": "dynamic",
        "defaultedgetype": "undirected",
        "timeformat": "integer",
        "timerepresentation": "interval",
    }
    if span is not None:
        graph_attributes.update(start=str(span.start), end=str(span.end))
    out.append(f"  <graph{_attributes(graph_attributes)}>\n")
    _declare(out, "node", "static", GEXF_NODE_ATTRIBUTES)
    _declare(out, "node", "dynamic", GEXF_NODE_DYNAMIC)
    _declare(out, "edge", "static", GEXF_EDGE_ATTRIBUTES)
    _declare(out, "edge", "dynamic", GEXF_EDGE_DYNAMIC)
    points = [yearly(edge) for edge in network.edges]  # read four times: made once
    _element(out, "    ", "nodes", f' count="{len(network.nodes)}"', _nodes(network, span, points))
    _element(out, "    ", "edges", f' count="{len(network.edges)}"', _edges(network, span, points))
    out.append("  </graph>\n</gexf>\n")
    return "".join(out).encode("utf-8", "xmlcharrefreplace")


def _nodes(network: Network, span: TimeSpan | None, points: list[Points]) -> list[str]:
    out: list[str] = []
    spells = node_spells(network, span, points)
    activity = node_yearly(network, points)
    for node in network.nodes:
        out.append(f"      <node{_attributes({'id': node.iri, 'label': node.label})}>\n")
        yearly_degree = sorted(activity[node.iri].items())
        _attvalues(out, node_record(node), GEXF_NODE_ATTRIBUTES, "yearly_weighted_degree", yearly_degree)
        _spells(out, spells[node.iri])
        out.append("      </node>\n")
    return out


def _edges(network: Network, span: TimeSpan | None, points: list[Points]) -> list[str]:
    out: list[str] = []
    for index, (edge, own) in enumerate(zip(network.edges, points, strict=True)):
        kind = edge.type.value
        attributes = {"id": edge_id(index), "source": edge.source, "target": edge.target}
        out.append(
            f'      <edge{_attributes(attributes)} weight="{float(edge.weight)!r}" kind="{kind}" label="{kind}">\n'
        )
        _attvalues(out, edge_record(index, edge), GEXF_EDGE_ATTRIBUTES, "weight", own)
        _spells(out, edge_spells(edge, span, own))
        out.append("      </edge>\n")
    return out


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
