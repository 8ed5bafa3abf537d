"""``/id/{path}``: one page per entity, HTML for browsers and RDF for everything else.

A request path maps to the entity IRI ``base + path`` (``base`` is the project's own
``https://w3id.org/cnrs-kg/id/`` unless ``routes()`` is given another), so a server on any host
answers for the canonical IRIs, and links between entities under ``base`` stay on that server.
The path is read as the client sent it, percent-encoding kept (minted IRIs such as DOIs hold
``%28``); the IRI then reaches the store only as a term: through ``match()`` and as the bound
``?entity`` of a constant query, never inside query text.

Status codes: 400 when the path does not make a valid IRI (or ``?format=`` names no format),
404 when the store says nothing about the entity, 406 when no format fits ``Accept``.

>>> _normalise("work/doi/10.1000/abc%281%29")
'work/doi/10.1000/abc%281%29'
>>> _normalise("org/universit%C3%A9-%7e%2f")
'org/université-~%2F'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from itertools import islice
from urllib.parse import quote, unquote

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from api.formats import GRAPH_TYPES, Format, by_name, negotiate
from graph import OxigraphStore
from ontology.iris import ID
from ontology.vocab import DCTERMS, PREFIXES, PROV, RDF, RDFS

__all__ = ["DESCRIBE", "HTML", "OFFERS", "routes"]

HTML = Format("text/html", "html")
# RDF first: a client that states no preference (curl, a crawler's */*) gets Turtle.
OFFERS = [*GRAPH_TYPES, HTML]

DESCRIBE = """
CONSTRUCT { ?entity ?p ?o . ?o <http://www.w3.org/2000/01/rdf-schema#label> ?label }
WHERE {
  ?entity ?p ?o
  OPTIONAL { FILTER(isIRI(?o)) ?o <http://www.w3.org/2000/01/rdf-schema#label> ?label }
}
"""
MAX_STATEMENTS = 2000
MAX_INCOMING = 200
COUNT_CAP = 10_000
SOURCE_FIELDS = [
    ("Source", DCTERMS.source),
    ("Primary source", PROV.hadPrimarySource),
    ("Generated", PROV.generatedAtTime),
    ("Licence", DCTERMS.license),
]
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_LINKABLE = ("http://", "https://", "ftp://", "mailto:")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _error(status: int, message: str) -> Response:
    return PlainTextResponse(message + "\n", status_code=status)


def _normalise(raw: str) -> str:
    """Percent-encoding as minted IRIs hold it (RFC 3987 3.2): upper-case hex, with unreserved and
    non-ASCII characters decoded, so ``%C3%A9`` from a browser finds the IRI spelt with ``é``."""

    def fix(match: re.Match[str]) -> str:
        text = match.group(0)
        try:
            decoded = bytes.fromhex(text.replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:
            return text.upper()
        keep = (c in _UNRESERVED or (ord(c) > 127 and c.isprintable()) for c in decoded)
        return "".join(c if k else quote(c, safe="") for c, k in zip(decoded, keep, strict=True))

    return _PERCENT_RUN.sub(fix, raw)


def _raw_tail(request: Request, decoded: str) -> str:
    """The path parameter as the client sent it: the shortest tail of ``raw_path`` decoding to it."""
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes):
        segments = raw.decode("utf-8", errors="replace").split("/")
        for start in range(len(segments) - 1, -1, -1):
            tail = "/".join(segments[start:])
            if unquote(tail) == decoded:
                return tail
    return quote(decoded, safe="/:@!$&'()*+,;=-._~")


def _entity(base: str, tail: str) -> ox.NamedNode | None:
    """The entity IRI for a raw path tail; None if neither spelling makes a valid IRI."""
    for candidate in dict.fromkeys((_normalise(tail), tail)):
        try:
            return ox.NamedNode(base + candidate)
        except ValueError:
            continue
    return None


class _Page:
    """Renders terms for one page: local links for IRIs under ``base``, labels looked up once."""

    def __init__(self, store: OxigraphStore, base: str, local: str) -> None:
        self.store = store
        self.base = base
        self.local = local
        self._labels: dict[ox.NamedNode, str | None] = {}
        self._prefixes = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))

    def label(self, node: ox.NamedNode) -> str | None:
        """``rdfs:label``, preferring English, then no language, then any."""
        if node not in self._labels:
            best: tuple[int, str] | None = None
            for quad in self.store.match(node, RDFS.label):
                if isinstance(quad.object, ox.Literal):
                    rank = {"en": 0, None: 1}.get(quad.object.language, 2)
                    candidate = (rank, quad.object.value)
                    best = candidate if best is None or candidate < best else best
            self._labels[node] = None if best is None else best[1]
        return self._labels[node]

    def compact(self, iri: str) -> str:
        for prefix, namespace in self._prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace) :]}"
        return iri

    def href(self, iri: str) -> str | None:
        if iri.startswith(self.base):
            return self.local + iri[len(self.base) :]
        return iri if iri.startswith(_LINKABLE) else None

    def link(self, node: ox.NamedNode, *, labelled: bool = True) -> str:
        label = self.label(node) if labelled else None
        short = escape(self.compact(node.value))
        text = f"{escape(label)} <small>{short}</small>" if label else short
        href = self.href(node.value)
        if href is None:
            return text
        return f'<a href="{escape(href)}" title="{escape(node.value)}">{text}</a>'

    def term(self, term: Term) -> str:
        if isinstance(term, ox.NamedNode):
            return self.link(term)
        if isinstance(term, ox.Literal):
            text = escape(term.value)
            if term.language:
                return f'<span lang="{escape(term.language)}">{text}</span> <small>@{escape(term.language)}</small>'
            if term.datatype.value != _XSD_STRING:
                return f"{text} <small>^^{escape(self.compact(term.datatype.value))}</small>"
            return text
        return f"<code>{escape(str(term))}</code>"


def _sort_key(page: _Page, term: Term) -> tuple[int, str]:
    order = {RDF.type: 0, RDFS.label: 1}
    if isinstance(term, ox.NamedNode):
        return (order.get(term, 2), page.compact(term.value))
    return (3, str(term))


def _graph_meta(store: OxigraphStore, graph: ox.NamedNode) -> dict[ox.NamedNode, list[Term]]:
    """A source graph's description of itself (title, sources, date, licence)."""
    meta: dict[ox.NamedNode, list[Term]] = {}
    for quad in store.match(graph, None, None, graph):
        meta.setdefault(quad.predicate, []).append(quad.object)
    return meta


def _sources_html(page: _Page, graphs: list[ox.NamedNode]) -> str:
    items = []
    for number, graph in enumerate(graphs, 1):
        meta = _graph_meta(page.store, graph)
        titles = [t for t in meta.get(DCTERMS.title, []) if isinstance(t, ox.Literal)]
        title = escape(titles[0].value) if titles else escape(page.compact(graph.value))
        rows = []
        for name, predicate in SOURCE_FIELDS:
            values = sorted(meta.get(predicate, []), key=str)
            if not values:
                continue
            cells = ", ".join(page.term(v) for v in values)
            if len(values) > 5:
                cells = f"<details><summary>{len(values)} pages</summary>{cells}</details>"
            rows.append(f"<dt>{name}</dt><dd>{cells}</dd>")
        items.append(
            f'<li id="source-{number}"><a href="{escape(graph.value)}">{title}</a>'
            f" <small>{escape(graph.value)}</small><dl>{''.join(rows)}</dl></li>"
        )
    return f'<section id="sources"><h2>Sources</h2><ol>{"".join(items)}</ol></section>'


def _html(store: OxigraphStore, entity: ox.NamedNode, base: str, local: str) -> str:
    page = _Page(store, base, local)
    statements: dict[tuple[ox.NamedNode, Term], list[ox.NamedNode]] = {}
    for quad in store.match(entity):
        if isinstance(quad.graph_name, ox.NamedNode):
            statements.setdefault((quad.predicate, quad.object), []).append(quad.graph_name)
    graphs = sorted({g for gs in statements.values() for g in gs}, key=lambda g: g.value)
    number = {g: i for i, g in enumerate(graphs, 1)}
    ordered = sorted(statements, key=lambda po: (_sort_key(page, po[0]), _sort_key(page, po[1])))

    title = page.label(entity) or page.compact(entity.value)
    types = [o for p, o in ordered if p == RDF.type and isinstance(o, ox.NamedNode)]
    rows = []
    for predicate, obj in ordered[:MAX_STATEMENTS]:
        refs = " ".join(f'<a href="#source-{number[g]}">[{number[g]}]</a>' for g in statements[predicate, obj])
        rows.append(f"<tr><td>{page.link(predicate, labelled=False)}</td><td>{page.term(obj)}</td><td>{refs}</td></tr>")
    shown = f"<p>First {MAX_STATEMENTS} of {len(ordered)} statements.</p>" if len(ordered) > MAX_STATEMENTS else ""

    incoming: dict[tuple[Term, ox.NamedNode], None] = {}
    total = 0
    for quad in islice(store.match(None, None, entity), COUNT_CAP):
        key = (quad.subject, quad.predicate)
        if key not in incoming:
            total += 1
            if len(incoming) < MAX_INCOMING:
                incoming[key] = None
    links = sorted(incoming, key=lambda sp: (_sort_key(page, sp[1]), _sort_key(page, sp[0])))
    in_rows = "".join(f"<tr><td>{page.term(s)}</td><td>{page.link(p, labelled=False)}</td></tr>" for s, p in links)
    more = (
        f"<p>{len(links)} of {total}{'+' if total >= COUNT_CAP else ''} links shown.</p>" if total > len(links) else ""
    )
    alternates = " · ".join(f'<a href="?format={f.name}">{escape(f.media_type)}</a>' for f in GRAPH_TYPES)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · cnrs-kg</title>
<link rel="alternate" type="text/turtle" href="?format=turtle">
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70rem; margin: 1rem auto; padding: 0 1rem; }}
table {{ border-collapse: collapse; width: 100%; }} td, th {{ border-bottom: 1px solid #ddd; padding: .25rem;
text-align: left; vertical-align: top; }} small {{ color: #666; }} dt {{ font-weight: bold; }}
</style>
</head>
<body>
<h1>{escape(title)}</h1>
<p><code>{escape(entity.value)}</code></p>
<p>Types: {", ".join(page.link(t) for t in types) or "none stated"}</p>
<p>As RDF: {alternates}</p>
<section id="statements"><h2>Statements</h2>{shown}
<table><thead><tr><th>Property</th><th>Value</th><th>Sources</th></tr></thead><tbody>
{"".join(rows)}
</tbody></table></section>
<section id="incoming"><h2>Incoming links</h2>{more}
<table><thead><tr><th>Subject</th><th>Property</th></tr></thead><tbody>
{in_rows}
</tbody></table></section>
{_sources_html(page, graphs)}
</body>
</html>
"""


def _rdf(store: OxigraphStore, entity: ox.NamedNode, fmt: Format) -> bytes:
    result = store.query(DESCRIBE, substitutions={"entity": entity})
    assert isinstance(result, ox.QueryTriples)
    # The entity's own statements first, each subject's together, so Turtle groups them.
    order = {RDF.type: 0, RDFS.label: 1}
    triples: Iterable[ox.Triple] = sorted(
        dict.fromkeys(result),
        key=lambda t: (t.subject != entity, str(t.subject), order.get(t.predicate, 2), str(t.predicate), str(t.object)),
    )
    out = ox.serialize(triples, format=fmt.rdf, prefixes=PREFIXES)
    assert out is not None
    return out


def _exists(store: OxigraphStore, entity: ox.NamedNode) -> bool:
    return any(True for _ in islice(store.match(entity), 1)) or any(
        True for _ in islice(store.match(None, None, entity), 1)
    )


def _answer(store: OxigraphStore, entity: ox.NamedNode, fmt: Format, base: str, local: str) -> Response:
    """Look up and render in one thread: pyoxigraph iterators cannot cross threads."""
    if not _exists(store, entity):
        return _error(404, f"nothing is known about <{entity.value}>")
    headers = {"Vary": "Accept"}
    if fmt is HTML:
        return Response(_html(store, entity, base, local), media_type="text/html; charset=utf-8", headers=headers)
    return Response(_rdf(store, entity, fmt), media_type=fmt.media_type, headers=headers)


def routes(base: str = ID, *, prefix: str = "/id") -> list[Route]:
    """The linked-data route: ``{prefix}/{path}`` describes the entity ``{base}{path}``."""

    async def entity_page(request: Request) -> Response:
        name = request.query_params.get("format")
        if name is not None:
            fmt = by_name(name, OFFERS)
            if fmt is None:
                return _error(400, f"unknown format {name!r}: use one of {', '.join(f.name for f in OFFERS)}")
        else:
            fmt = negotiate(request.headers.get("accept"), OFFERS)
            if fmt is None:
                return _error(406, f"no acceptable format; this page is {', '.join(f.media_type for f in OFFERS)}")
        tail = _raw_tail(request, request.path_params["path"])
        entity = _entity(base, tail)
        if entity is None:
            return _error(400, f"{tail!r} does not make a valid IRI under {base}")
        local = request.scope.get("root_path", "") + prefix + "/"
        store: OxigraphStore = request.state.store
        return await run_in_threadpool(_answer, store, entity, fmt, base, local)

    return [Route(prefix + "/{path:path}", entity_page, methods=["GET"], name="entity_page")]
