"""Exports of a ``graph.explore.Network`` for visualisation tools: pure functions ``Network -> bytes``.

| name | file | for | writer |
|---|---|---|---|
| ``gexf`` | ``.gexf`` | Gephi, networkx, graphology-gexf: GEXF 1.3 (spells, one weight per year) | ``gexf`` |
| ``gexf``, variant ``dynamic`` | ``.gexf`` | Gephi's timeline: GEXF 1.3, dynamic yearly weights | ``gexf_dynamic`` |
| ``graphml`` | ``.graphml`` | networkx, igraph, graphology-graphml, yEd, Cytoscape | ``graphml`` |
| ``cyjs`` | ``.cyjs`` | Cytoscape.js and Cytoscape desktop | ``cytoscape`` |
| ``graphology`` | ``.graphology.json`` | graphology / sigma.js (the ``/explore`` page) | ``graphology`` |
| ``vosviewer`` | ``.vosviewer.json`` | VOSviewer and VOSviewer Online | ``vosviewer_json`` |
| ``vosviewer-map`` | ``.vosviewer-map.txt`` | VOSviewer map file | ``vosviewer_map`` |
| ``vosviewer-network`` | ``.vosviewer-network.txt`` | VOSviewer network file | ``vosviewer_network`` |
| ``csv`` | ``.csv.zip`` | spreadsheets, pandas, R: nodes, edges, edge years | ``csv_zip`` |

Every node keeps its IRI (the id, and ``url``, its linked-data page), identifiers (ROR, HAL,
OpenAlex), country, region and metrics (degree, weighted degree, betweenness, PageRank,
community); every edge its type, weight under the network's counting, first and last year, weight
per year, instruments and source graphs. Where a format allows one link per pair of nodes
(VOSviewer), the pair's edges are merged and their weights added.

A variant is another file of the same format for a reader that the default file does not suit
(``ExportFormat.writer``; ``xml`` says why GEXF has one). Every writer is a pure function of the
network, whose order and metrics are fixed (``graph.explore``): the same network, the same bytes.

The writers, one module per syntax: ``xml`` (GEXF, GraphML), ``json`` (Cytoscape.js, graphology,
VOSviewer JSON) and ``tables`` (CSV zip, VOSviewer map and network files), all on the flat node and
edge records of ``base``.

>>> sorted(FORMATS)[:3]
['csv', 'cyjs', 'gexf']
>>> FORMATS["gexf"].filename
'cnrs-kg-network.gexf'
>>> FORMATS["gexf"].writer("dynamic") is gexf_dynamic
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from graph.errors import BadArgument
from graph.explore import Network
from graph.exports.json import cytoscape, graphology, vosviewer_json
from graph.exports.tables import csv_zip, vosviewer_map, vosviewer_network
from graph.exports.xml import gexf, gexf_dynamic, graphml

Writer = Callable[[Network], bytes]

__all__ = [
    "FORMATS",
    "ExportFormat",
    "by_suffix",
    "csv_zip",
    "cytoscape",
    "export",
    "gexf",
    "gexf_dynamic",
    "graphml",
    "graphology",
    "vosviewer_json",
    "vosviewer_map",
    "vosviewer_network",
]


@dataclass(frozen=True)
class ExportFormat:
    """One export: its name (CLI ``--format``), file suffix (HTTP ``/export/network.<suffix>``), media type."""

    name: str
    suffix: str
    media_type: str
    write: Writer
    label: str
    variants: Mapping[str, Writer] = field(default_factory=dict, compare=False)  # name (HTTP ``variant``) -> writer

    @property
    def filename(self) -> str:
        return f"cnrs-kg-network.{self.suffix}"

    def writer(self, variant: str | None = None) -> Writer:
        """The writer of ``variant`` (None or empty: the default file); ``BadArgument`` for another name.

        >>> FORMATS["graphml"].writer("dynamic")
        Traceback (most recent call last):
        ...
        graph.errors.BadArgument: variant: 'dynamic' is not a variant of graphml, which has none; or leave it out
        """
        if not variant:
            return self.write
        found = self.variants.get(variant)
        if found is None:
            known = f"; give {' or '.join(self.variants)}" if self.variants else ", which has none"
            raise BadArgument(f"variant: {variant!r} is not a variant of {self.name}{known}; or leave it out")
        return found


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in [
        ExportFormat(
            "gexf",
            "gexf",
            "application/gexf+xml",
            gexf,
            "GEXF 1.3 (Gephi, networkx, graphology)",
            {"dynamic": gexf_dynamic},
        ),
        ExportFormat("graphml", "graphml", "application/graphml+xml", graphml, "GraphML"),
        ExportFormat("cyjs", "cyjs", "application/json", cytoscape, "Cytoscape.js JSON"),
        ExportFormat("graphology", "graphology.json", "application/json", graphology, "graphology JSON (sigma.js)"),
        ExportFormat("vosviewer", "vosviewer.json", "application/json", vosviewer_json, "VOSviewer JSON"),
        ExportFormat(
            "vosviewer-map",
            "vosviewer-map.txt",
            "text/tab-separated-values; charset=utf-8",
            vosviewer_map,
            "VOSviewer map file",
        ),
        ExportFormat(
            "vosviewer-network",
            "vosviewer-network.txt",
            "text/tab-separated-values; charset=utf-8",
            vosviewer_network,
            "VOSviewer network file",
        ),
        ExportFormat("csv", "csv.zip", "application/zip", csv_zip, "CSV (nodes, edges, years) in a zip"),
    ]
}


def by_suffix(suffix: str) -> ExportFormat | None:
    """The format served at ``/export/network.<suffix>``.

    >>> by_suffix("graphology.json").name
    'graphology'
    """
    return next((f for f in FORMATS.values() if f.suffix == suffix), None)


def export(network: Network, name: str, variant: str | None = None) -> bytes:
    """The network in the format ``name`` (a key of ``FORMATS``; ``KeyError`` otherwise), or in its
    ``variant`` (``BadArgument`` for a variant it does not have)."""
    return FORMATS[name].writer(variant)(network)
