"""Writing sources into the store: each source's graph replaced atomically, the ontology kept current."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyoxigraph as ox

from graph.network import PUBLICATION_KINDS, publication_years, refresh_network
from graph.store import Backend, GraphChange, GraphContent
from loaders.base import SourceData
from ontology import ONTOLOGY_GRAPH, ONTOLOGY_IRI, ONTOLOGY_PATH

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


def write_sources(store: Backend, sources: Sequence[SourceData], *, with_ontology: bool = True) -> list[GraphChange]:
    """Replace the graph of every source (and the ontology graph) in one transaction.

    Raises before anything is written if a source fails while its triples are produced. After a
    publication source, the collaboration network of the years it touched is recomputed.
    """
    contents = [GraphContent(source.graph, source.all_triples()) for source in sources]
    if with_ontology:
        contents.insert(0, GraphContent(ONTOLOGY_GRAPH, ontology_triples()))
    publications = [source.graph for source in sources if source.info.kind in PUBLICATION_KINDS]
    touched = publication_years(store, publications)
    changes = store.replace_graphs(contents)
    if publications:
        # The network is derived: a crash between the two writes leaves it stale, and the next
        # refresh (any publication load, or `cnrs-kg network --refresh`) brings it up to date.
        touched |= publication_years(store, publications)
        changes += refresh_network(store, touched)
    return changes
