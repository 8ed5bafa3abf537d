"""Writing sources into the store: each source's graph replaced atomically, the ontology kept current."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyoxigraph as ox

from graph.store import Backend, GraphChange, GraphContent
from loaders.base import SourceData
from ontology import ONTOLOGY_GRAPH, ONTOLOGY_PATH


def ontology_triples() -> Iterator[ox.Triple]:
    for quad in ox.parse(path=str(ONTOLOGY_PATH), format=ox.RdfFormat.TURTLE):
        yield quad.triple


def write_sources(store: Backend, sources: Sequence[SourceData], *, with_ontology: bool = True) -> list[GraphChange]:
    """Replace the graph of every source (and the ontology graph) in one transaction.

    Raises before anything is written if a source fails while its triples are produced.
    """
    contents = [GraphContent(source.graph, source.all_triples()) for source in sources]
    if with_ontology:
        contents.insert(0, GraphContent(ONTOLOGY_GRAPH, ontology_triples()))
    return store.replace_graphs(contents)
