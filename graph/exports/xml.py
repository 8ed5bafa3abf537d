"""XML exports: GEXF 1.3 (for Gephi, networkx and graphology-gexf, with a variant for Gephi's
timeline) and GraphML 1.1 (for networkx, igraph, graphology-graphml, yEd and Cytoscape).

Both are written as strings joined once (a network of 200 nodes can have some 20,000 edges and a
million lines), in a fixed order: nodes as the network lists them, edges by their export ids
(``e0``, ``e1``...), attributes as declared, years ascending. No file carries a date, so the same
network gives the same bytes.

GEXF (``gexf``), valid against the GEXF 1.3 schema (gexf.xsd with dynamics.xsd): ``<graph
mode="dynamic" timeformat="integer" timerepresentation="interval">``; one ``<attributes>`` block
per class, because graphology-gexf (sigma.js's reader) keeps only the last block of a class and
refuses a value it finds undeclared; typed values (integer, double, boolean, anyURI); each node and
edge carries ``<attvalues>`` then ``<spells>`` (when it exists, which Gephi's timeline plays).
The yearly values are static attributes, one per year: ``weight_2019``... on edges,
``weighted_degree_2019``... on nodes. A dynamic attribute would not survive the readers:
graphology-gexf keeps one value per attribute (the last year's), and networkx's ``read_gexf``
takes the mode of the block an attribute is declared in (one block for static and dynamic values:
every value read as static, or as dynamic and then failing on a value without a year), and
always reads the id ``weight`` as the edge's static weight.

GEXF for Gephi's timeline (``gexf_dynamic``, variant ``dynamic`` of the ``gexf`` format): the
same nodes and edges, with separate static and dynamic blocks and the edge weight per year as the
dynamic attribute of id ``weight``, which Gephi makes the edge's dynamic weight (its importer
looks the column up by that id). graphology-gexf refuses this file (two blocks per class) and
networkx reads its yearly weights as the one static weight: read the default file with them.

GraphML (``graphml``), valid against the GraphML 1.1 schema (graphml.xsd): node ids are
``xs:NMTOKEN``\\ s, ``n0``, ``n1``... in the network's order, with the IRI as the ``iri`` data
key; edges ``e0``, ``e1``... with the node ids as ``source`` and ``target``. GraphML data are
scalars (``attr.type`` boolean, int, long, float, double or string) and readers cast nothing else:
the weight per year is one double key per year (``weight_2019``...), which networkx, igraph and
graphology-graphml all read as numbers, where a JSON object in a string would reach them as text.
The graph's own data (title, description, seeds...) come first in ``<graph>``, where
graphology-graphml looks for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from xml.sax.saxutils import escape

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
# The yearly values: in the default GEXF and in GraphML one attribute per year, named by these
# prefixes (``weight_2019``); in the Gephi variant one dynamic attribute of these ids.
NODE_YEARLY = "weighted_degree"
EDGE_YEARLY = "weight"
GEXF_NODE_DYNAMIC = "yearly_weighted_degree"  # the node's weighted degree in each year
GEXF_EDGE_DYNAMIC = "weight"  # the id Gephi makes the edge's dynamic weight

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GRAPHML_LOCATION = "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
GRAPHML_TYPES = {"string": "string", "anyURI": "string", "integer": "int", "double": "double", "boolean": "boolean"}

# Characters XML 1.0 does not allow (dropped), and those to escape in attribute values and text.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL = re.compile('[&<>"\r\n\t\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
# ElementTree's escaping of attribute values (quotes and line ends too, as character references).
_ATTRIBUTE_ENTITIES = {'"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"}


def _escape(value: str) -> str:
    """``value`` as an attribute value; most need no escape, which one search tells.

    >>> _escape('a "b" & c\\x0b')
    'a &quot;b&quot; &amp; c'
    """
    return escape(_ILLEGAL.sub("", value), _ATTRIBUTE_ENTITIES) if _SPECIAL.search(value) else value


def _text(value: Scalar) -> str:
    """A value as XML Schema writes it: ``true``/``false``, shortest round-tripping floats."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return _escape(value)
    return str(value)


def _attributes(attributes: Mapping[str, str]) -> str:
    return "".join(f' {name}="{_escape(value)}"' for name, value in attributes.items())


def _element(out: list[str], indent: str, tag: str, attributes: str, children: list[str]) -> None:
    """An element and its children's lines (empty: ``<tag ... />``)."""
    if children:
        out.append(f"{indent}<{tag}{attributes}>\n")
        out.extend(children)
        out.append(f"{indent}</{tag}>\n")
    else:
        out.append(f"{indent}<{tag}{attributes} />\n")


def _present(value: Scalar | list[str] | None) -> Scalar | None:
    """A field's value as written (lists joined by spaces), or None when there is nothing to write."""
    value = flat(value)
    return None if value is None or value == "" else value


def _years(points: Iterable[Points]) -> list[int]:
    """Every year any edge has a weight in, ascending: the yearly columns."""
    return sorted({year for own in points for year, _ in own})


def yearly_name(prefix: str, year: int) -> str:
    """The attribute (GEXF) or key (GraphML) of one year's value.

    >>> yearly_name("weight", 2019)
    'weight_2019'
    """
    return f"{prefix}_{year}"


# --- GEXF -----------------------------------------------------------------------------------------


def _declare(out: list[str], cls: str, mode: str, attributes: Mapping[str, str]) -> None:
    lines = [f'      <attribute id="{name}" title="{name}" type="{kind}" />\n' for name, kind in attributes.items()]
    _element(out, "    ", "attributes", f' class="{cls}" mode="{mode}"', lines)


def _attvalues(
    out: list[str],
    record: Mapping[str, Scalar | list[str] | None],
    fields: Mapping[str, str],
    points: Points,
    yearly_as: str,
    dynamic: bool,
) -> None:
    """The fields, then the value of each year of ``points``: as the attribute ``yearly_as`` of that
    year (``dynamic``), else as the year's own attribute."""
    lines = []
    for name in fields:
        value = _present(record[name])
        if value is not None:
            lines.append(f'          <attvalue for="{name}" value="{_text(value)}" />\n')
    if dynamic:
        lines += [
            f'          <attvalue for="{yearly_as}" value="{float(weight)!r}" start="{year}" end="{year}" />\n'
            for year, weight in points
        ]
    else:
        lines += [
            f'          <attvalue for="{yearly_name(yearly_as, year)}" value="{float(weight)!r}" />\n'
            for year, weight in points
        ]
    _element(out, "        ", "attvalues", "", lines)


def _spells(out: list[str], spells: list[tuple[int, int]] | None) -> None:
    if spells:
        lines = [f'          <spell start="{start}" end="{end}" />\n' for start, end in spells]
        _element(out, "        ", "spells", "", lines)


def gexf(network: Network) -> bytes:
    """GEXF 1.3 that Gephi, networkx and graphology-gexf all read: yearly values one attribute per year."""
    return _gexf(network, dynamic=False)


def gexf_dynamic(network: Network) -> bytes:
    """GEXF 1.3 for Gephi's timeline: the edge weight per year as Gephi's dynamic weight."""
    return _gexf(network, dynamic=True)


def _gexf(network: Network, dynamic: bool) -> bytes:
    out = [
        "<?xml version='1.0' encoding='utf-8'?>\n",
        f'<gexf xmlns="{GEXF_NS}" version="1.3">\n',
        "  <meta>\n",
        f"    <creator>{_text(CREATOR)}</creator>\n",
        f"    <keywords>{_text('CNRS, ASEAN, research cooperation, co-publication')}</keywords>\n",
        f"    <description>{_text(description(network))}</description>\n",
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
    points = [yearly(edge) for edge in network.edges]  # read four times: made once
    if dynamic:
        _declare(out, "node", "static", GEXF_NODE_ATTRIBUTES)
        _declare(out, "node", "dynamic", {GEXF_NODE_DYNAMIC: "double"})
        _declare(out, "edge", "static", GEXF_EDGE_ATTRIBUTES)
        _declare(out, "edge", "dynamic", {GEXF_EDGE_DYNAMIC: "double"})
    else:
        years = _years(points)
        _declare(out, "node", "static", {**GEXF_NODE_ATTRIBUTES, **_yearly_columns(NODE_YEARLY, years, "double")})
        _declare(out, "edge", "static", {**GEXF_EDGE_ATTRIBUTES, **_yearly_columns(EDGE_YEARLY, years, "double")})
    _element(out, "    ", "nodes", f' count="{len(network.nodes)}"', _gexf_nodes(network, span, points, dynamic))
    _element(out, "    ", "edges", f' count="{len(network.edges)}"', _gexf_edges(network, span, points, dynamic))
    out.append("  </graph>\n</gexf>\n")
    return "".join(out).encode("utf-8", "xmlcharrefreplace")


def _yearly_columns(prefix: str, years: Iterable[int], kind: str) -> dict[str, str]:
    return {yearly_name(prefix, year): kind for year in years}


def _gexf_nodes(network: Network, span: TimeSpan | None, points: list[Points], dynamic: bool) -> list[str]:
    out: list[str] = []
    spells = node_spells(network, span, points)
    activity = node_yearly(network, points)
    yearly_as = GEXF_NODE_DYNAMIC if dynamic else NODE_YEARLY
    for node in network.nodes:
        out.append(f"      <node{_attributes({'id': node.iri, 'label': node.label})}>\n")
        own = sorted(activity[node.iri].items())
        _attvalues(out, node_record(node), GEXF_NODE_ATTRIBUTES, own, yearly_as, dynamic)
        _spells(out, spells[node.iri])
        out.append("      </node>\n")
    return out


def _gexf_edges(network: Network, span: TimeSpan | None, points: list[Points], dynamic: bool) -> list[str]:
    out: list[str] = []
    yearly_as = GEXF_EDGE_DYNAMIC if dynamic else EDGE_YEARLY
    for index, (edge, own) in enumerate(zip(network.edges, points, strict=True)):
        kind = edge.type.value
        attributes = {"id": edge_id(index), "source": edge.source, "target": edge.target}
        out.append(
            f'      <edge{_attributes(attributes)} weight="{float(edge.weight)!r}" kind="{kind}" label="{kind}">\n'
        )
        _attvalues(out, edge_record(index, edge), GEXF_EDGE_ATTRIBUTES, own, yearly_as, dynamic)
        _spells(out, edge_spells(edge, span, own))
        out.append("      </edge>\n")
    return out


# --- GraphML --------------------------------------------------------------------------------------


def node_id(index: int) -> str:
    """A node's GraphML id: an ``xs:NMTOKEN`` (an IRI is not one), by the node's place in the network."""
    return f"n{index}"


def _graph_key_type(value: Scalar | list[str]) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int"
    return "double" if isinstance(value, float) else "string"


def _graphml_keys(network: Network, years: list[int]) -> dict[tuple[str, str], str]:
    """Every key, (for, name) -> attr.type, in the order written: the graph's, the nodes', the edges'."""
    keys = {("graph", name): _graph_key_type(value) for name, value in metadata(network).items()}
    keys["node", "iri"] = "string"
    keys["node", "label"] = "string"
    keys.update({("node", name): GRAPHML_TYPES[kind] for name, kind in GEXF_NODE_ATTRIBUTES.items()})
    keys["edge", "type"] = "string"
    keys["edge", "weight"] = "double"
    keys.update({("edge", name): GRAPHML_TYPES[kind] for name, kind in GEXF_EDGE_ATTRIBUTES.items()})
    keys.update({("edge", yearly_name(EDGE_YEARLY, year)): "double" for year in years})
    return keys


def _key_id(cls: str, name: str) -> str:
    """A key's id, unique over every class (the schema's ``key_id_key``): its class's initial and its name.

    >>> _key_id("edge", "weight_2019")
    'e_weight_2019'
    """
    return f"{cls[0]}_{name}"


def _data(out: list[str], indent: str, cls: str, values: Mapping[str, Scalar | list[str] | None]) -> None:
    for name, value in values.items():
        written = _present(value)
        if written is not None:
            out.append(f'{indent}<data key="{_key_id(cls, name)}">{_text(written)}</data>\n')


def graphml(network: Network) -> bytes:
    """GraphML 1.1: NMTOKEN ids (``n0``, ``e0``), the IRI as ``iri``, one double key per year's weight."""
    points = [yearly(edge) for edge in network.edges]
    out = [
        "<?xml version='1.0' encoding='utf-8'?>\n",
        f'<graphml xmlns="{GRAPHML_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{GRAPHML_NS} {GRAPHML_LOCATION}">\n',
    ]
    out += [
        f'  <key id="{_key_id(cls, name)}" for="{cls}" attr.name="{name}" attr.type="{kind}" />\n'
        for (cls, name), kind in _graphml_keys(network, _years(points)).items()
    ]
    out.append('  <graph id="network" edgedefault="undirected">\n')
    _data(out, "    ", "graph", metadata(network))
    ids = {node.iri: node_id(index) for index, node in enumerate(network.nodes)}
    for node in network.nodes:
        out.append(f'    <node id="{ids[node.iri]}">\n')
        record = node_record(node)
        _data(out, "      ", "node", {"iri": node.iri, "label": node.label})
        _data(out, "      ", "node", {name: record[name] for name in GEXF_NODE_ATTRIBUTES})
        out.append("    </node>\n")
    for index, (edge, own) in enumerate(zip(network.edges, points, strict=True)):
        out.append(f'    <edge id="{edge_id(index)}" source="{ids[edge.source]}" target="{ids[edge.target]}">\n')
        record = edge_record(index, edge)
        _data(out, "      ", "edge", {"type": edge.type.value, "weight": float(edge.weight)})
        _data(out, "      ", "edge", {name: record[name] for name in GEXF_EDGE_ATTRIBUTES if name != "type"})
        _data(out, "      ", "edge", {yearly_name(EDGE_YEARLY, year): float(weight) for year, weight in own})
        out.append("    </edge>\n")
    out.append("  </graph>\n</graphml>\n")
    return "".join(out).encode("utf-8", "xmlcharrefreplace")
