"""Writing sources into the store: each source's graph replaced atomically, the ontology kept current.

``write_sources`` takes any ``Source``: a ``SourceInfo`` (``ontology.provenance``) and the triples
of its graph. A loader's ``SourceData`` is one as it is, so ``graph`` needs nothing of
``loaders``. A source says itself whether it holds publications (``SourceInfo.publications``); its
graph then describes itself as a ``kg:PublicationSourceGraph``, which is how ``graph.links`` finds
the graphs the collaboration network is derived from, now and in a later ``cnrs-kg network --refresh``.

A load commits its sources in one transaction, then, if publications changed, the collaboration
network derived from them in a second one. One transaction for both is not feasible here: the
network is computed by SPARQL over the store (works of the touched years across every publication
graph, a work in two sources counted once, the hierarchy of all organisations), so it needs the
new publications committed first; computing it from the new contents in memory would be a second
implementation of ``graph.links``. Instead the network records the generation of the
publications it derives from (``graph.meta``): a load killed between the two commits leaves a
network that ``cnrs-kg stats`` and ``/health`` report stale (``graph.links.network_status``), and
the next load or ``cnrs-kg network --refresh`` recomputes it whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from typing import Protocol

import pyoxigraph as ox

from graph.links import network_status, publication_years, refresh_network
from graph.store import Backend, GraphChange, GraphContent
from ontology import ONTOLOGY_GRAPH, ONTOLOGY_IRI, ONTOLOGY_PATH
from ontology.provenance import SourceInfo, describe_source


class Source(Protocol):
    """One source to write: its description, and the complete content of its graph (read once)."""

    @property
    def info(self) -> SourceInfo: ...

    @property
    def triples(self) -> Iterable[ox.Triple]: ...


SKOLEM_BASE = ONTOLOGY_IRI + "/.well-known/genid/"


def ontology_triples() -> Iterator[ox.Triple]:
    """The ontology, its blank nodes skolemised by order of appearance, so reloading changes nothing."""
    names: dict[str, ox.NamedNode] = {}

    def skolem(term: ox.BlankNode) -> ox.NamedNode:
        return names.setdefault(term.value, ox.NamedNode(f"{SKOLEM_BASE}{len(names) + 1}"))

    for quad in ox.parse(path=str(ONTOLOGY_PATH), format=ox.RdfFormat.TURTLE):
        subject = skolem(quad.subject) if isinstance(quad.subject, ox.BlankNode) else quad.subject
        obj = skolem(quad.object) if isinstance(quad.object, ox.BlankNode) else quad.object
        yield ox.Triple(subject, quad.predicate, obj)


def write_sources(store: Backend, sources: Sequence[Source], *, with_ontology: bool = True) -> list[GraphChange]:
    """Replace the graph of every source (its description, then its triples) and the ontology graph
    in one transaction.

    Raises before anything is written if a source fails while its triples are produced. After a
    publication source (``info.publications``), the collaboration network of the years it touched
    is recomputed (of every year if the network was already stale).
    """
    contents = [GraphContent(s.info.graph, chain(describe_source(s.info), s.triples)) for s in sources]
    if with_ontology:
        contents.insert(0, GraphContent(ONTOLOGY_GRAPH, ontology_triples()))
    publications = [source.info.graph for source in sources if source.info.publications]
    touched = publication_years(store, publications)
    stale = network_status(store).stale
    changes = store.replace_graphs(contents)
    if publications or stale:
        touched |= publication_years(store, publications)
        changes += refresh_network(store, None if stale else touched)
    return changes
