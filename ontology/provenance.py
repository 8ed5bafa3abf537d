"""Who says it: a source (``SourceInfo``) and the description its named graph gives of itself.

Every source graph describes itself with PROV-O and DCTERMS (``describe_source``): a
``kg:SourceGraph`` with its title, the loader that wrote it (``kg:sourceKind``), its primary
source, licence and retrieval date. A source of publications is also a
``kg:PublicationSourceGraph``: the store tells the graphs the collaboration network is derived
from by that class (``graph.links``), not by the name of the loader that wrote them.

>>> info = SourceInfo("hal", "page.xml", "HAL export", "https://hal.science", "2024-05-01",
...                   "https://creativecommons.org/licenses/by/4.0/", publications=True)
>>> info.graph.value
'https://w3id.org/cnrs-kg/graph/hal/page.xml'
>>> ox.Triple(info.graph, RDF.type, KG.PublicationSourceGraph) in set(describe_source(info))
True
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from ontology.iris import source_graph
from ontology.literals import date_literal
from ontology.vocab import DCTERMS, KG, PROV, RDF, RDFS, XSD


@dataclass(frozen=True)
class SourceInfo:
    """One source, described in its own named graph with PROV-O and DCTERMS.

    ``publications``: the source holds publications (works, authorships, affiliations), from
    which the collaboration network is derived. ``conforms_to``: the IRI of the rules a derived
    graph was made by (``dcterms:conformsTo``), so a graph made by older rules can be told.
    """

    kind: str
    name: str
    title: str
    origin: str
    retrieved: str
    license: str
    description: str = ""
    cited: tuple[str, ...] = ()
    synthetic: bool = False
    publications: bool = False
    conforms_to: str | None = None

    @property
    def graph(self) -> ox.NamedNode:
        return source_graph(self.kind, self.name)


def describe_source(info: SourceInfo) -> Iterator[ox.Triple]:
    """The graph's description of itself. Deterministic, so reloading the same file changes nothing."""
    g = info.graph
    yield ox.Triple(g, RDF.type, KG.SourceGraph)
    if info.publications:
        yield ox.Triple(g, RDF.type, KG.PublicationSourceGraph)
    yield ox.Triple(g, RDF.type, PROV.Entity)
    yield ox.Triple(g, RDFS.label, ox.Literal(info.title, language="en"))
    yield ox.Triple(g, DCTERMS.title, ox.Literal(info.title, language="en"))
    yield ox.Triple(g, KG.sourceKind, ox.Literal(info.kind))
    if info.description:
        yield ox.Triple(g, DCTERMS.description, ox.Literal(info.description, language="en"))
    origin: ox.NamedNode | ox.Literal = ox.NamedNode(info.origin) if _is_url(info.origin) else ox.Literal(info.origin)
    yield ox.Triple(g, PROV.hadPrimarySource, origin)
    yield ox.Triple(g, DCTERMS.source, origin)
    for url in info.cited:
        yield ox.Triple(g, DCTERMS.source, ox.NamedNode(url))
    yield ox.Triple(g, DCTERMS.license, ox.NamedNode(info.license))
    yield ox.Triple(g, PROV.generatedAtTime, date_literal(info.retrieved))
    yield ox.Triple(g, DCTERMS.date, date_literal(info.retrieved))
    yield ox.Triple(g, KG.synthetic, ox.Literal("true" if info.synthetic else "false", datatype=XSD.boolean))
    if info.conforms_to:
        yield ox.Triple(g, DCTERMS.conformsTo, ox.NamedNode(info.conforms_to))


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))
