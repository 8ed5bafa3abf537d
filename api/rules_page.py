"""``/rules/{path}``: the rules a derived graph was made by, at their own IRI
``https://w3id.org/cnrs-kg/rules/{path}`` (HTML for browsers, RDF for everything else).

A derived graph names the rules it was computed by (``dcterms:conformsTo``): the collaboration
network its counting rules (``graph.links.rules.COUNTING_RULES``), the reconciliation with ROR its
matching rules (``graph.reconcile.derived.RULES``). Each IRI answers with the rules as the code
states them (the docstring of the package that applies them, the one statement of them kept
current with the code) and the graphs of the store made by them. A change of the rules takes a new
IRI: rules this version does not apply are a 404 naming the ones it does.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from html import escape
from itertools import islice

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.errors import NotFound
from api.html import page, project_terms
from api.jsonld import graph_body, vocabularies
from api.linkeddata import OFFERS, requested
from api.negotiation import GRAPH_TYPES, Format
from api.paths import RULES, root
from graph import OxigraphStore
from graph.links.rules import COUNTING_RULES
from graph.reconcile.derived import RULES as RECONCILIATION_RULES
from ontology.vocab import DCTERMS, PREFIXES, RDFS

__all__ = ["KNOWN", "Rules", "routes"]

MAX_GRAPHS = 1_000  # graphs made by one set of rules: the network's years, a few dozen
PREFIXES_OUT = vocabularies(PREFIXES)  # graph IRIs hold "/", which a prefixed name would have to escape


@dataclass(frozen=True)
class Rules:
    """A set of rules: its IRI, a title, and the package whose docstring states them."""

    iri: str
    title: str
    package: str

    def text(self) -> str:
        doc = importlib.import_module(self.package).__doc__
        return (doc or "").strip()


KNOWN = {
    rules.iri: rules
    for rules in (
        Rules(COUNTING_RULES, "How the collaboration network counts a work", "graph.links"),
        Rules(RECONCILIATION_RULES, "How organisations are reconciled with ROR", "graph.reconcile"),
    )
}


def _graphs(store: OxigraphStore, iri: ox.NamedNode) -> list[ox.NamedNode]:
    """The graphs stating that they conform to ``iri``."""
    quads = islice(store.match(None, DCTERMS.conformsTo, iri, None), MAX_GRAPHS)
    return sorted({q.subject for q in quads if isinstance(q.subject, ox.NamedNode)}, key=lambda g: g.value)


def _triples(rules: Rules, iri: ox.NamedNode, graphs: list[ox.NamedNode]) -> list[ox.Triple]:
    title = ox.Literal(rules.title, language="en")
    triples = [
        ox.Triple(iri, RDFS.label, title),
        ox.Triple(iri, DCTERMS.title, title),
        ox.Triple(iri, DCTERMS.description, ox.Literal(rules.text(), language="en")),
    ]
    return triples + [ox.Triple(graph, DCTERMS.conformsTo, iri) for graph in graphs]


def _html(rules: Rules, iri: ox.NamedNode, graphs: list[ox.NamedNode], root_path: str) -> str:
    terms = project_terms({}, root_path)
    made = ", ".join(terms.link(g) for g in graphs) or "none in this store"
    alternates = " · ".join(f'<a href="?format={f.name}">{escape(f.media_type)}</a>' for f in GRAPH_TYPES)
    body = f"""<h1>{escape(rules.title)}</h1>
<p><code>{escape(iri.value)}</code></p>
<p>As RDF: {alternates}</p>
<p>Graphs made by these rules: {made}</p>
<section id="rules"><h2>The rules</h2>
<pre style="white-space: pre-wrap; font-family: inherit">{escape(rules.text())}</pre></section>"""
    return page(rules.title, body, root=root_path, alternates=[("text/turtle", "?format=turtle")])


def _answer(store: OxigraphStore, rules: Rules, fmt: Format, root_path: str) -> Response:
    iri = ox.NamedNode(rules.iri)
    graphs = _graphs(store, iri)
    headers = {"Vary": "Accept"}
    if fmt.rdf is None:
        html = _html(rules, iri, graphs, root_path)
        return Response(html, media_type="text/html; charset=utf-8", headers=headers)
    body = graph_body(_triples(rules, iri, graphs), fmt, PREFIXES_OUT, first=iri)
    return Response(body, media_type=fmt.media_type, headers=headers)


def routes() -> list[Route]:
    """``/rules/{path}`` states the rules ``https://w3id.org/cnrs-kg/rules/{path}``."""

    async def rules_page(request: Request) -> Response:
        fmt = requested(request, OFFERS, "these rules")
        rules = KNOWN.get(RULES + request.path_params["path"])
        if rules is None:
            raise NotFound(f"no such rules in this version; it applies {', '.join(sorted(KNOWN))}")
        store: OxigraphStore = request.state.store
        return await run_in_threadpool(_answer, store, rules, fmt, root(request))

    return [Route("/rules/{path:path}", rules_page, methods=["GET"], name="rules_page")]
