"""``/.well-known/void``: a VoID description of the store (Turtle unless ``Accept`` asks otherwise).

The whole store is one ``void:Dataset`` with one ``void:subset`` per named graph; each subset is
the graph's own IRI, so the title, source and licence it states about itself are copied onto it,
with a ``void:classPartition`` per class it types. The figures are the ones the store counts when
a graph is written (``graph.counts``), never a scan at request time; the description is made
again when the store's write generation moves, so a write over the server shows at once.

The dataset's IRI is ``/.well-known/void#cnrs-kg`` on the server (``dataset_iri``): the SPARQL
service description names it as its default dataset (``api.sparql``), and each subset's IRI
resolves to a page of its own (``api.graph_page``). JSON-LD is compacted (``api.jsonld``).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from urllib.parse import urljoin

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.jsonld import graph_body, vocabularies
from api.negotiation import GRAPH_TYPES, Format, negotiated
from graph import OxigraphStore
from ontology.iris import BASE, ID
from ontology.vocab import DCTERMS, PREFIXES, RDF, XSD, Vocabulary

__all__ = ["VOID", "VoidStats", "compute_void_stats", "dataset_iri", "routes", "void_triples"]

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
        "dataDump",
    ],
)
FORMATS = "http://www.w3.org/ns/formats/"
FEATURES = ["Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG"]
TITLE = "cnrs-kg"
DESCRIPTION = "A knowledge graph of CNRS international research cooperation, one named graph per source."

DESCRIBING = (DCTERMS.title, DCTERMS.description, DCTERMS.source, DCTERMS.license)


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
    """The figures the store keeps per graph, and each graph's description of itself (a few quads each)."""
    stats = store.graph_stats()
    graphs = {g: s.triples for g, s in stats.items()}
    classes = {g: dict(s.classes) for g, s in stats.items()}
    descriptions: dict[str, list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]]] = {}
    for g in graphs:
        node = ox.NamedNode(g)
        found = [
            (quad.predicate, quad.object)
            for predicate in DESCRIBING
            for quad in store.match(node, predicate, None, node)
            if isinstance(quad.object, ox.NamedNode | ox.Literal)
        ]
        descriptions[g] = sorted(found, key=str)
    # Longest first, so a namespace nested in another is found before it.
    known = sorted((ns for ns in PREFIXES.values() if not ns.startswith(BASE) or "#" in ns), key=len, reverse=True)
    terms = {term for s in stats.values() for term in (*s.predicates, *s.classes)}
    vocabularies = {namespace for term in terms if (namespace := _namespace(term, known))}
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
    for number, (graph, size) in enumerate(stats.graphs.items()):
        subset = ox.NamedNode(graph)
        classes = sorted(stats.classes[graph].items())
        # Blank nodes named by position, so that an unchanged store is described in the same bytes.
        partitions = [(ox.BlankNode(f"g{number}c{i}"), cls, n) for i, (cls, n) in enumerate(classes)]
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
    """Statistics per store, made again when its write generation moves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stats: weakref.WeakKeyDictionary[OxigraphStore, tuple[int, VoidStats]] = weakref.WeakKeyDictionary()

    def get(self, store: OxigraphStore) -> VoidStats:
        with self._lock:
            cached = self._stats.get(store)
            if cached is None or cached[0] != store.generation:
                generation = store.generation  # read first: a write meanwhile makes the next request redo it
                cached = self._stats[store] = (generation, compute_void_stats(store))
            return cached[1]


def dataset_iri(base_url: str) -> ox.NamedNode:
    """The IRI of the whole store as a dataset, on the server at ``base_url``: a fragment of the VoID
    document, so that it dereferences to its description (the service description names it)."""
    return ox.NamedNode(urljoin(base_url, ".well-known/void#cnrs-kg"))


def _answer(cache: _Cache, store: OxigraphStore, fmt: Format, base_url: str) -> Response:
    """Query and serialise in one thread: pyoxigraph results cannot cross threads."""
    stats = cache.get(store)
    sparql = ox.NamedNode(urljoin(base_url, "sparql"))
    # Vocabulary prefixes only: graph IRIs hold "/", which a prefixed name would have to escape.
    prefixes = vocabularies(PREFIXES) | {"void": VOID.base}
    dataset = dataset_iri(base_url)
    out = graph_body(void_triples(stats, dataset, sparql), fmt, prefixes, first=dataset)
    return Response(out, media_type=fmt.media_type, headers={"Vary": "Accept"})


def routes() -> list[Route]:
    """The VoID route, with its own cache of the store's statistics."""
    cache = _Cache()

    async def void_description(request: Request) -> Response:
        fmt = negotiated(request.headers.get("accept"), GRAPH_TYPES, "VoID")
        store: OxigraphStore = request.state.store
        return await run_in_threadpool(_answer, cache, store, fmt, str(request.base_url))

    return [Route("/.well-known/void", void_description, methods=["GET"], name="void_description")]
