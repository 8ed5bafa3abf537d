"""``/graph/{path}``: a named graph of the store, described at its own IRI
``https://w3id.org/cnrs-kg/graph/{path}`` (HTML for browsers, RDF for everything else).

Every source's statements live in a named graph of their own (``graph/ror/<file>``,
``graph/hal/<file>``...), and so do the derived ones (``graph/network/all``,
``graph/reconciliation/ror``). A graph's page gives:

- what the graph says about itself, written with it by its loader: its PROV and DCTERMS
  description (title, sources, date, licence, the rules a derived graph was made by);
- the figures the store keeps of it (``graph.counts``: statements, entities per class), as VoID;
- links to its contents: the Graph Store (``/store?graph=IRI``, ``void:dataDump``, in any RDF
  format) and the VoID description of the whole store, of which it is a ``void:subset``.

Nothing here scans a graph: the description is the graph's statements about its own IRI (at most
``MAX_DESCRIPTION``), the figures are kept by the store. The store's own graphs (journal,
bookkeeping) have no page.

Status codes: 400 when the path does not make a valid IRI (or ``?format=`` names no format), 404
when the store holds no such graph, 406 when no format fits ``Accept``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from itertools import islice
from urllib.parse import urlencode

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.errors import BadRequest, NotFound
from api.html import Terms, page, project_terms
from api.jsonld import graph_body, vocabularies
from api.linkeddata import OFFERS, requested
from api.negotiation import GRAPH_TYPES, Format
from api.paths import iri_under, raw_tail, root
from api.void import VOID, dataset_iri
from graph import OxigraphStore
from graph.counts import GraphStats
from graph.meta import is_reserved
from ontology.iris import GRAPH
from ontology.vocab import DCTERMS, PREFIXES, RDF, RDFS, XSD

__all__ = ["MAX_DESCRIPTION", "Described", "describe", "routes"]

MAX_DESCRIPTION = 1_000  # a source names its pages and sources: a few dozen statements
MAX_LABELS = 3  # per node the description links to
# Vocabulary prefixes only: graph IRIs hold "/", which a prefixed name would have to escape.
PREFIXES_OUT = vocabularies(PREFIXES) | {"void": VOID.base}

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass
class Described:
    """What the store says of one named graph."""

    graph: ox.NamedNode
    statements: list[tuple[ox.NamedNode, Term]]  # the graph's statements about itself
    stats: GraphStats | None  # None: the graph exists, empty
    labels: dict[ox.NamedNode, list[ox.Literal]] = field(default_factory=dict)


def describe(store: OxigraphStore, graph: ox.NamedNode) -> Described | None:
    """The description of ``graph``; None if the store has no such graph (or keeps it for itself).
    Blocking: point look-ups of the store."""
    if is_reserved(graph.value):
        return None
    stats = store.graph_stats().get(graph.value)
    if stats is None and not store.has_graph(graph):
        return None
    quads = islice(store.match(graph, None, None, graph), MAX_DESCRIPTION)
    statements = sorted(((q.predicate, q.object) for q in quads), key=lambda po: (po[0].value, str(po[1])))
    found = Described(graph, statements, stats)
    for node in dict.fromkeys(o for _, o in statements if isinstance(o, ox.NamedNode)):
        labels = [q.object for q in islice(store.match(node, RDFS.label, None, None), MAX_LABELS)]
        found.labels[node] = [label for label in labels if isinstance(label, ox.Literal)]
    return found


@dataclass(frozen=True)
class Links:
    """Where a graph's contents and the store's description are, on the server answering."""

    contents: str  # absolute URL of the graph in the Graph Store
    dataset: ox.NamedNode  # the whole store, in VoID


def _triples(found: Described, links: Links) -> list[ox.Triple]:
    """The graph's description, its VoID figures and links, then the labels of what it links to."""
    graph = found.graph
    triples = [ox.Triple(graph, p, o) for p, o in found.statements]
    triples.append(ox.Triple(graph, RDF.type, VOID.Dataset))
    if found.stats is not None:
        triples += [
            ox.Triple(graph, VOID.triples, ox.Literal(str(found.stats.triples), datatype=XSD.integer)),
            ox.Triple(graph, VOID.classes, ox.Literal(str(len(found.stats.classes)), datatype=XSD.integer)),
        ]
    triples.append(ox.Triple(graph, VOID.dataDump, ox.NamedNode(links.contents)))
    triples.append(ox.Triple(links.dataset, VOID.subset, graph))
    for node, labels in found.labels.items():
        triples += [ox.Triple(node, RDFS.label, label) for label in labels]
    return triples


def _title(found: Described, terms: Terms) -> str:
    titles = [o for p, o in found.statements if p in (DCTERMS.title, RDFS.label) and isinstance(o, ox.Literal)]
    english = [t for t in titles if t.language in ("en", None)]
    chosen = (english or titles)[:1]
    return chosen[0].value if chosen else terms.compact(found.graph.value)


def _contents_html(found: Described, terms: Terms, contents: str, void: str) -> str:
    stats = found.stats
    size = f"{stats.triples:,} statements" if stats is not None else "No statements"
    rows = "".join(
        f"<tr><td>{terms.link(ox.NamedNode(cls))}</td><td>{n:,}</td></tr>"
        for cls, n in sorted(stats.classes.items() if stats is not None else [])
    )
    classes = (
        f"<table><thead><tr><th>Class</th><th>Entities</th></tr></thead><tbody>{rows}</tbody></table>" if rows else ""
    )
    return f"""<section id="contents"><h2>Contents</h2>
<p>{size}, counted when the graph was last written.</p>
<p><a rel="contents" href="{escape(contents)}">The graph's statements</a> from the Graph Store (Turtle unless
<code>Accept</code> asks for another RDF format; a graph over the server's row cap is read in pages
from <a href="{escape(terms.iris.root)}/sparql">/sparql</a>). The whole store: its
<a href="{escape(void)}">VoID description</a>.</p>
{classes}</section>"""


def _html(found: Described, terms: Terms, contents: str, void: str) -> str:
    rows = "".join(
        f"<tr><td>{terms.link(p, labelled=False)}</td><td>{terms.term(o)}</td></tr>" for p, o in found.statements
    )
    types = [o for p, o in found.statements if p == RDF.type and isinstance(o, ox.NamedNode)]
    description = (
        f"<table><thead><tr><th>Property</th><th>Value</th></tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else "<p>The graph states nothing about itself.</p>"
    )
    alternates = " · ".join(f'<a href="?format={f.name}">{escape(f.media_type)}</a>' for f in GRAPH_TYPES)
    title = _title(found, terms)
    body = f"""<h1>{escape(title)}</h1>
<p>Named graph <code>{escape(found.graph.value)}</code></p>
<p>Types: {", ".join(terms.link(t) for t in types) or "none stated"}</p>
<p>This description as RDF: {alternates}</p>
{_contents_html(found, terms, contents, void)}
<section id="description"><h2>Description</h2>{description}</section>"""
    return page(title, body, root=terms.iris.root, alternates=[("text/turtle", "?format=turtle")])


def _answer(store: OxigraphStore, graph: ox.NamedNode, fmt: Format, links: Links, local: tuple[str, str]) -> Response:
    """Read and render in one thread (pyoxigraph terms stay in the thread that read them)."""
    found = describe(store, graph)
    if found is None:
        raise NotFound(f"no graph <{graph.value}> in this store; /.well-known/void lists the graphs it holds")
    headers = {"Vary": "Accept"}
    if fmt.rdf is None:
        contents, root_path = local
        terms = project_terms(found.labels, root_path)
        html = _html(found, terms, contents, root_path + "/.well-known/void")
        return Response(html, media_type="text/html; charset=utf-8", headers=headers)
    body = graph_body(_triples(found, links), fmt, PREFIXES_OUT, first=graph)
    return Response(body, media_type=fmt.media_type, headers=headers)


def routes() -> list[Route]:
    """``/graph/{path}`` describes the named graph ``https://w3id.org/cnrs-kg/graph/{path}``."""

    async def graph_page(request: Request) -> Response:
        fmt = requested(request, OFFERS, "a graph's description")
        tail = raw_tail(request, request.path_params["path"])
        graph = iri_under(GRAPH, tail)
        if graph is None:
            raise BadRequest(f"{tail!r} does not make a valid IRI under {GRAPH}")
        query = urlencode({"graph": graph.value})
        store_url = request.url_for("graph_store")
        links = Links(f"{store_url}?{query}", dataset_iri(str(request.base_url)))
        local = (f"{store_url.path}?{query}", root(request))
        store: OxigraphStore = request.state.store
        return await run_in_threadpool(_answer, store, graph, fmt, links, local)

    return [Route("/graph/{path:path}", graph_page, methods=["GET"], name="graph_page")]
