"""JSON exports: Cytoscape.js (``.cyjs``), graphology's serialised graph (sigma.js), VOSviewer.

- Cytoscape.js: ``{"format_version", "generated_by", "target_cytoscapejs_version", "data",
  "elements": {"nodes": [{"data": {"id", ...}}], "edges": [{"data": {"id", "source", "target", ...}}]}}``,
  which Cytoscape desktop imports as a ``.cyjs`` file and ``cytoscape({elements})`` reads as is.
- graphology: ``{"attributes", "options": {"type": "undirected", "multi", "allowSelfLoops"},
  "nodes": [{"key", "attributes"}], "edges": [{"key", "source", "target", "undirected", "attributes"}]}``,
  what ``Graph.from(data)`` (``graph.import``) takes.
- VOSviewer: ``{"network": {"items", "links"}, "config": {"terminology"}, "info": {"title", "description"}}``
  as VOSviewer's JSON file type documents it: items with integer ids, labels, clusters (1 to 1000),
  weights (non-negative), scores, url and an HTML description; one link per pair of items, its
  strength the sum of the pair's edge weights.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape

from graph.explore import Network, Node
from graph.exports.base import (
    edge_record,
    metadata,
    node_record,
    number,
    pair_weights,
    title,
    yearly,
)

JsonValue = object


def _dump(document: Mapping[str, JsonValue]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def _without_none(record: Mapping[str, JsonValue]) -> dict[str, JsonValue]:
    return {k: v for k, v in record.items() if v is not None}


def _years(network: Network, index: int) -> dict[str, float]:
    return {str(year): weight for year, weight in yearly(network.edges[index])}


def cytoscape(network: Network) -> bytes:
    """Cytoscape.js elements JSON (``.cyjs``); ``name`` is the label, as Cytoscape desktop expects."""
    nodes = []
    for node in network.nodes:
        data = _without_none(node_record(node))
        data["name"] = node.label
        nodes.append({"data": data})
    edges = []
    for index, edge in enumerate(network.edges):
        data = _without_none(edge_record(index, edge))
        data["years"] = _years(network, index)
        data["interaction"] = edge.type.value
        edges.append({"data": data})
    document = {
        "format_version": "1.0",
        "generated_by": "cnrs-kg",
        "target_cytoscapejs_version": "~3.0",
        "data": {"name": title(network), **metadata(network)},
        "elements": {"nodes": nodes, "edges": edges},
    }
    return _dump(document)


def graphology(network: Network) -> bytes:
    """graphology's serialised graph: ``Graph.from(json)`` in the browser, then sigma.js draws it."""
    pairs: set[tuple[str, str]] = set()
    multi = False
    for edge in network.edges:
        pair = (min(edge.source, edge.target), max(edge.source, edge.target))
        multi = multi or pair in pairs
        pairs.add(pair)
    nodes = [
        {"key": node.iri, "attributes": {k: v for k, v in _without_none(node_record(node)).items() if k != "id"}}
        for node in network.nodes
    ]
    edges = []
    for index, edge in enumerate(network.edges):
        record = _without_none(edge_record(index, edge))
        attributes = {k: v for k, v in record.items() if k not in ("id", "source", "target")}
        attributes["years"] = _years(network, index)
        edges.append(
            {
                "key": record["id"],
                "source": edge.source,
                "target": edge.target,
                "undirected": True,
                "attributes": attributes,
            }
        )
    document = {
        "attributes": {"name": title(network), **metadata(network)},
        "options": {"type": "undirected", "multi": multi, "allowSelfLoops": False},
        "nodes": nodes,
        "edges": edges,
    }
    return _dump(document)


def vosviewer_description(node: Node) -> str:
    """The HTML VOSviewer shows for an item: identifiers, country and metrics."""
    rows = [("Kind", node.kind), ("Country", node.country), ("Region", node.region)]
    rows += [("ROR", node.ror), ("HAL", node.hal), ("OpenAlex", node.openalex)]
    m = node.metrics
    rows += [("PageRank", f"{m.pagerank:.4f}"), ("Betweenness", f"{m.betweenness:.4f}")]
    cells = "".join(f"<tr><td>{k}</td><td>{escape(v)}</td></tr>" for k, v in rows if v)
    return f"<div class='description_heading'>{escape(node.label)}</div><table>{cells}</table>"


def vosviewer_ids(network: Network) -> dict[str, int]:
    """Items are numbered from 1 in the network's node order (VOSviewer's map and network files need integers)."""
    return {node.iri: number for number, node in enumerate(network.nodes, start=1)}


def vosviewer_items(network: Network) -> list[dict[str, JsonValue]]:
    ids = vosviewer_ids(network)
    average = _average_years(network)
    items: list[dict[str, JsonValue]] = []
    for node in network.nodes:
        m = node.metrics
        scores: dict[str, JsonValue] = {"PageRank": m.pagerank, "Betweenness": m.betweenness}
        if node.iri in average:
            scores["Avg. year"] = average[node.iri]
        items.append(
            {
                "id": ids[node.iri],
                "label": node.label,
                "cluster": min(max(m.community + 1, 1), 1000),
                "weights": {"Links": m.degree, "Total link strength": number(m.weighted_degree)},
                "scores": scores,
                "url": node.iri,
                "description": vosviewer_description(node),
            }
        )
    return items


def vosviewer_links(network: Network) -> list[dict[str, JsonValue]]:
    ids = vosviewer_ids(network)
    return [
        {"source_id": ids[a], "target_id": ids[b], "strength": number(weight)}
        for (a, b), weight in sorted(pair_weights(network).items(), key=lambda kv: (ids[kv[0][0]], ids[kv[0][1]]))
        if a in ids and b in ids
    ]


def _average_years(network: Network) -> dict[str, float]:
    """Each node's weight-averaged year over its edges' yearly weights (VOSviewer's overlay score)."""
    sums: dict[str, tuple[float, float]] = {}
    for edge in network.edges:
        for year, weight in yearly(edge):
            for end in (edge.source, edge.target):
                total, mass = sums.get(end, (0.0, 0.0))
                sums[end] = (total + year * weight, mass + weight)
    return {iri: round(total / mass, 2) for iri, (total, mass) in sums.items() if mass}


def vosviewer_json(network: Network) -> bytes:
    """VOSviewer (and VOSviewer Online) JSON: items, links, terminology and an info title."""
    document = {
        "network": {"items": vosviewer_items(network), "links": vosviewer_links(network)},
        "config": {
            "terminology": {
                "item": "organisation",
                "items": "organisations",
                "link": "collaboration",
                "links": "collaborations",
                "link_strength": f"weight ({network.counting.value} counting)",
                "total_link_strength": "total weight",
            },
        },
        "info": {"title": title(network), "description": metadata(network)["description"]},
    }
    return _dump(document)
