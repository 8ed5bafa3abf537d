"""``/.well-known/void``: a VoID description of the store (Turtle unless ``Accept`` asks otherwise).

The whole store is one ``void:Dataset`` with one ``void:subset`` per named graph; each subset is
the graph's own IRI, so the title, source and licence it states about itself are copied onto it,
with a ``void:classPartition`` per class it types. The figures come from aggregate queries over
the store (no request input reaches them) and are computed once per app and store: the API never
writes, and a load elsewhere is refused while the server holds the store's lock.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from urllib.parse import urljoin

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from api.formats import GRAPH_TYPES, Format, negotiate
from graph import OxigraphStore
from ontology.iris import BASE, GRAPH, ID
from ontology.vocab import DCTERMS, PREFIXES, RDF, XSD, Vocabulary

__all__ = ["VOID", "VoidStats", "compute_void_stats", "routes", "void_triples"]

VOID = Vocabulary(
    "void",
    "http://rdfs.org/ns/void#",
    [
        "Dataset",
        "triples",
        "sparqlEndpoint",
        "uriSpace",
        "vocabulary",
        "subset",
        "classPartition",
        "class",
        "entities",
        "classes",
        "feature",
    ],
)
FORMATS = "http://www.w3.org/ns/formats/"
FEATURES = ["Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG"]
TITLE = "cnrs-kg"
DESCRIPTION = "A knowledge graph of CNRS international research cooperation, one named graph per source."

CLASS_PARTITIONS = """
SELECT ?g ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?class } } GROUP BY ?g ?class
"""
GRAPH_DESCRIPTIONS = """
SELECT ?g ?p ?o WHERE {
  VALUES ?p {
    <http://purl.org/dc/terms/title> <http://purl.org/dc/terms/description>
    <http://purl.org/dc/terms/source> <http://purl.org/dc/terms/license>
  }
  GRAPH ?g { ?g ?p ?o }
}
"""
USED_TERMS = """
SELECT DISTINCT ?term WHERE { { ?s ?term ?o } UNION { ?s a ?term } }
"""


@dataclass(frozen=True)
class VoidStats:
    """What the description reports: statements per graph, entities per class per graph, graph
    descriptions, and the namespaces of the properties and classes in use."""

    graphs: dict[str, int]
    classes: dict[str, dict[str, int]]
    descriptions: dict[str, list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]]]
    vocabularies: list[str]

    @property
    def total(self) -> int:
        return sum(self.graphs.values())


def _namespace(iri: str, known: list[str]) -> str | None:
    for namespace in known:
        if iri.startswith(namespace):
            return namespace
    if iri.startswith(ID):
        return None
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > len("https://") else None


def compute_void_stats(store: OxigraphStore) -> VoidStats:
    graphs = store.graph_sizes()
    classes: dict[str, dict[str, int]] = {g: {} for g in graphs}
    result = store.query(CLASS_PARTITIONS)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        g, cls, n = row["g"], row["class"], row["n"]
        if isinstance(g, ox.NamedNode) and g.value in graphs and isinstance(cls, ox.NamedNode):
            assert isinstance(n, ox.Literal)
            classes[g.value][cls.value] = int(n.value)

    descriptions: dict[str, list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]]] = {g: [] for g in graphs}
    result = store.query(GRAPH_DESCRIPTIONS)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        g, p, o = row["g"], row["p"], row["o"]
        if not (isinstance(g, ox.NamedNode) and g.value in graphs and isinstance(p, ox.NamedNode)):
            continue
        if isinstance(o, ox.NamedNode | ox.Literal):
            descriptions[g.value].append((p, o))

    # Longest first, so a namespace nested in another is found before it.
    known = sorted((ns for ns in PREFIXES.values() if not ns.startswith(BASE) or "#" in ns), key=len, reverse=True)
    vocabularies: set[str] = set()
    result = store.query(USED_TERMS)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        term = row["term"]
        if isinstance(term, ox.NamedNode) and (namespace := _namespace(term.value, known)):
            vocabularies.add(namespace)
    for values in descriptions.values():
        values.sort(key=str)
    return VoidStats(graphs, classes, descriptions, sorted(vocabularies))


def void_triples(stats: VoidStats, dataset: ox.NamedNode, sparql: ox.NamedNode) -> list[ox.Triple]:
    """The VoID description of ``stats`` for the dataset IRI and SPARQL endpoint of one server."""
    triples = [
        ox.Triple(dataset, RDF.type, VOID.Dataset),
        ox.Triple(dataset, DCTERMS.title, ox.Literal(TITLE)),
        ox.Triple(dataset, DCTERMS.description, ox.Literal(DESCRIPTION, language="en")),
        ox.Triple(dataset, VOID.triples, ox.Literal(str(stats.total), datatype=XSD.integer)),
        ox.Triple(dataset, VOID.sparqlEndpoint, sparql),
        ox.Triple(dataset, VOID.uriSpace, ox.Literal(ID)),
    ]
    triples += [ox.Triple(dataset, VOID.vocabulary, ox.NamedNode(ns)) for ns in stats.vocabularies]
    triples += [ox.Triple(dataset, VOID.feature, ox.NamedNode(FORMATS + name)) for name in FEATURES]
    triples += [ox.Triple(dataset, VOID.subset, ox.NamedNode(graph)) for graph in stats.graphs]
    # Each node's statements together, so that Turtle writes each node as one block.
    for graph, size in stats.graphs.items():
        subset = ox.NamedNode(graph)
        classes = sorted(stats.classes[graph].items())
        partitions = [(ox.BlankNode(), cls, entities) for cls, entities in classes]
        triples += [
            ox.Triple(subset, RDF.type, VOID.Dataset),
            ox.Triple(subset, VOID.triples, ox.Literal(str(size), datatype=XSD.integer)),
            ox.Triple(subset, VOID.classes, ox.Literal(str(len(classes)), datatype=XSD.integer)),
        ]
        triples += [ox.Triple(subset, p, o) for p, o in stats.descriptions[graph]]
        triples += [ox.Triple(subset, VOID.classPartition, node) for node, _, _ in partitions]
        for node, cls, entities in partitions:
            triples += [
                ox.Triple(node, VOID.term("class"), ox.NamedNode(cls)),
                ox.Triple(node, VOID.entities, ox.Literal(str(entities), datatype=XSD.integer)),
            ]
    return triples


class _Cache:
    """Statistics per store, computed once (the first requests wait for the same computation)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stats: weakref.WeakKeyDictionary[OxigraphStore, VoidStats] = weakref.WeakKeyDictionary()

    def get(self, store: OxigraphStore) -> VoidStats:
        with self._lock:
            stats = self._stats.get(store)
            if stats is None:
                stats = self._stats[store] = compute_void_stats(store)
            return stats


def _answer(cache: _Cache, store: OxigraphStore, fmt: Format, base_url: str) -> Response:
    """Query and serialise in one thread: pyoxigraph results cannot cross threads."""
    stats = cache.get(store)
    dataset = ox.NamedNode(urljoin(base_url, ".well-known/void#cnrs-kg"))
    sparql = ox.NamedNode(urljoin(base_url, "sparql"))
    # Vocabulary prefixes only: graph IRIs hold "/", which a prefixed name would have to escape.
    prefixes = {name: ns for name, ns in PREFIXES.items() if not ns.startswith((ID, GRAPH))} | {"void": VOID.base}
    out = ox.serialize(void_triples(stats, dataset, sparql), format=fmt.rdf, prefixes=prefixes)
    assert out is not None
    return Response(out, media_type=fmt.media_type, headers={"Vary": "Accept"})


def routes() -> list[Route]:
    """The VoID route, with its own cache of the store's statistics."""
    cache = _Cache()

    async def void_description(request: Request) -> Response:
        fmt = negotiate(request.headers.get("accept"), GRAPH_TYPES)
        if fmt is None:
            wanted = ", ".join(f.media_type for f in GRAPH_TYPES)
            return PlainTextResponse(f"no acceptable format; VoID is served as {wanted}\n", status_code=406)
        store: OxigraphStore = request.state.store
        return await run_in_threadpool(_answer, cache, store, fmt, str(request.base_url))

    return [Route("/.well-known/void", void_description, methods=["GET"], name="void_description")]
