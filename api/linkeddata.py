"""``/id/{path}``: one page per entity, HTML for browsers and RDF for everything else.

A request path maps to the entity IRI ``base + path`` (``base`` is the project's own
``https://w3id.org/cnrs-kg/id/`` unless ``routes()`` is given another), so a server on any host
answers for the canonical IRIs, and links between entities under ``base`` stay on that server.
The path is read as the client sent it, percent-encoding kept (minted IRIs such as DOIs hold
``%28``); the IRI then reaches the store only as a term: the bound ``?entity`` of constant queries
(and, for the labels and sources of what a page shows, terms the store returned, in ``VALUES``).

Reading: a page is a few constant SPARQL queries run by ``request.state.queries`` (the server's
query workers, ``api.workers``), all of them within one time budget: a page over it is a 503, and
the server process only renders what the queries return. A page is bounded:

- the entity's statements ``PAGE`` at a time, from ``?statements=OFFSET``: its types and labels
  first, then its properties with the fewest values (identifiers, names, country), the long lists
  (sub-organisations) last; in HTML with the graphs stating each one;
- in HTML, its incoming links ``PAGE`` at a time, from ``?incoming=OFFSET``, in the store's index
  order (a page costs its offset and length, not the entity's in-degree);
- how many of each there are, counted up to ``COUNT_CAP`` ("more than 10,000" beyond).

Rendered pages are kept (``PAGE_CACHE`` of them, least recently used out) until the store's next
write: a page asked again, such as the CNRS's by many visitors, costs no query.

The RDF formats give the same page of statements, with the labels of the nodes they link to, and
name the next page in a ``Link: <...>; rel="next"`` header (``rel="prev"`` for the one before).

JSON-LD is compacted against the ontology's prefixes (``api.jsonld``). In HTML, links to the
project's other IRIs (graphs, ontology terms, rules) go to this server too (``api.paths``).

Status codes: 400 when the path does not make a valid IRI (or ``?format=`` names no format, or an
offset is not a whole number), 404 when the store says nothing about the entity, 406 when no format
fits ``Accept``, 503 when the page's queries run over the budget, 500 (logged) if a query fails.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api import refs
from api.errors import BadRequest, NotFound
from api.html import Terms
from api.html import page as page_html
from api.jsonld import graph_body
from api.negotiation import GRAPH_TYPES, Format, by_name, negotiated
from api.paths import PROJECT, LocalIris, iri_under, raw_tail, root
from api.workers import Job, QueryRunner
from graph import QueryError, QueryTimeout
from graph.sparql import PROLOGUE, bind
from ontology.iris import ID
from ontology.labels import fallback_label
from ontology.vocab import DCTERMS, PREFIXES, PROV, RDF, RDFS

__all__ = ["COUNT_CAP", "HTML", "OFFERS", "PAGE", "requested", "routes"]

HTML = Format("text/html", "html")
# RDF first: a client that states no preference (curl, a crawler's */*) gets Turtle.
OFFERS = [*GRAPH_TYPES, HTML]
PAGE = 100
PAGE_CACHE = 256
COUNT_CAP = 10_000
MAX_OFFSET = 1_000_000
MAX_TYPES = 50
SOURCE_FIELDS = [
    ("Source", DCTERMS.source),
    ("Primary source", PROV.hadPrimarySource),
    ("Generated", PROV.generatedAtTime),
    ("Licence", DCTERMS.license),
]

# pyoxigraph binds a substituted variable only when the query projects it: every query bound to
# ``?entity`` selects it. The other values are written by ``graph.sparql.bind``: the offsets (whole
# numbers checked by ``_offset``), the limits above, and terms the store returned.
COUNTS = """
SELECT ?entity ?kind (COUNT(*) AS ?n) WHERE {
  { { SELECT DISTINCT ?entity ?p ?o WHERE { ?entity ?p ?o } LIMIT __CAP__ } BIND("statements" AS ?kind) }
  UNION
  { { SELECT DISTINCT ?entity ?s ?p WHERE { ?s ?p ?entity } LIMIT __CAP__ } BIND("incoming" AS ?kind) }
} GROUP BY ?entity ?kind
"""
TYPES = "SELECT DISTINCT ?entity ?type WHERE { ?entity a ?type } LIMIT __LIMIT__"
# The page is chosen by the inner select; the outer one adds the graphs stating each statement.
# Ordering by the object would decode every value of the entity (slow for the CNRS's 2,000
# sub-organisations); within one property the order is the store's index order, which is stable.
STATEMENTS = (
    PROLOGUE
    + """SELECT ?entity ?p ?o ?values ?g WHERE {
  { SELECT DISTINCT ?entity ?p ?o ?values WHERE {
      { SELECT ?entity ?p (COUNT(DISTINCT ?v) AS ?values) WHERE { ?entity ?p ?v } GROUP BY ?entity ?p }
      ?entity ?p ?o
    } ORDER BY (IF(?p = rdf:type, 0, IF(?p = rdfs:label, 1, 2))) ?values ?p LIMIT __LIMIT__ OFFSET __OFFSET__ }
  OPTIONAL { GRAPH ?g { ?entity ?p ?o } }
}"""
)
# In index order, not sorted: a page costs its offset plus its length, whatever the in-degree
# (the CNRS is named by every affiliation of its works: millions of incoming links at scale).
INCOMING = "SELECT DISTINCT ?entity ?s ?p WHERE { ?s ?p ?entity } LIMIT __LIMIT__ OFFSET __OFFSET__"
LABELS = PROLOGUE + "SELECT ?node ?label WHERE { VALUES ?node { __NODES__ } ?node rdfs:label ?label }"
SOURCES = """SELECT ?g ?p ?v WHERE {
  VALUES ?g { __GRAPHS__ } VALUES ?p { __FIELDS__ } GRAPH ?g { ?g ?p ?v }
} LIMIT __LIMIT__"""

_OFFSET = re.compile(r"[0-9]{1,7}")
# The project's IRIs other than entities, which other routes of the server answer for.
ELSEWHERE = {iri: path for iri, path in PROJECT.items() if iri != ID}

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


# --- reading ---------------------------------------------------------------------------------------


@dataclass
class Statement:
    predicate: ox.NamedNode
    object: Term
    values: int  # how many values the entity has for this predicate (the page order)
    graphs: list[ox.NamedNode] = field(default_factory=list)


@dataclass
class Found:
    """One page of what the store says about an entity."""

    entity: ox.NamedNode
    counts: dict[str, int]  # "statements", "incoming": up to COUNT_CAP + 1 (more than the cap)
    statements: list[Statement]
    more_statements: bool
    incoming: list[tuple[Term, ox.NamedNode]] = field(default_factory=list)
    more_incoming: bool = False
    types: list[ox.NamedNode] = field(default_factory=list)
    labels: dict[ox.NamedNode, list[ox.Literal]] = field(default_factory=dict)
    sources: dict[ox.NamedNode, dict[ox.NamedNode, list[Term]]] = field(default_factory=dict)


class _Reader:
    """Runs one page's queries on the query runner, all of them within one deadline."""

    def __init__(self, runner: QueryRunner, entity: ox.NamedNode) -> None:
        self.runner = runner
        self.entity = entity
        self.deadline = None if runner.budget is None else time.monotonic() + runner.budget

    def select(self, sparql: str, *, bound: bool = True) -> list[ox.QuerySolution]:
        timeout = None
        if self.deadline is not None:
            timeout = self.deadline - time.monotonic()
            if timeout <= 0:
                assert self.runner.budget is not None
                raise QueryTimeout(self.runner.budget)
        substitutions = {"entity": self.entity} if bound else None
        answer = self.runner.run(Job.of(sparql, None, None, None, substitutions=substitutions), timeout)
        if answer.form != "solutions":
            raise QueryError(f"a linked-data query answered {answer.form}, not solutions: {sparql[:80]!r}")
        result = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.TSV)
        assert isinstance(result, ox.QuerySolutions)
        return list(result)


def _int(term: object) -> int:
    return int(term.value) if isinstance(term, ox.Literal) else 0


def _statements(reader: _Reader, offset: int, total: int) -> tuple[list[Statement], bool]:
    """A page of statements, in page order, and whether more follow (``total``: their count, capped).

    The outer join of ``STATEMENTS`` returns the page's rows in no useful order, so the page holds
    exactly ``PAGE`` statements (a 101st row could not be told from the others) and the count says
    whether more follow; past the cap, a full page is taken to have a next one."""
    found: dict[tuple[ox.NamedNode, Term], Statement] = {}
    for row in reader.select(bind(STATEMENTS, LIMIT=PAGE, OFFSET=offset)):
        p, o, g = row["p"], row["o"], row["g"]
        if not isinstance(p, ox.NamedNode) or o is None:
            continue
        statement = found.setdefault((p, o), Statement(p, o, _int(row["values"])))
        if isinstance(g, ox.NamedNode) and g not in statement.graphs:
            statement.graphs.append(g)
    order = {RDF.type: 0, RDFS.label: 1}
    ordered = sorted(
        found.values(), key=lambda s: (order.get(s.predicate, 2), s.values, s.predicate.value, str(s.object))
    )
    for statement in ordered:
        statement.graphs.sort(key=lambda g: g.value)
    more = offset + len(ordered) < total or (total > COUNT_CAP and len(ordered) == PAGE)
    return ordered, more


def _incoming(reader: _Reader, offset: int) -> tuple[list[tuple[Term, ox.NamedNode]], bool]:
    links = [
        (row["s"], row["p"])
        for row in reader.select(bind(INCOMING, LIMIT=PAGE + 1, OFFSET=offset))
        if row["s"] is not None and isinstance(row["p"], ox.NamedNode)
    ]
    return links[:PAGE], len(links) > PAGE


def _labels(reader: _Reader, nodes: Sequence[object]) -> dict[ox.NamedNode, list[ox.Literal]]:
    """The ``rdfs:label``s of the IRIs among ``nodes`` (terms the store returned, in VALUES)."""
    iris = list(dict.fromkeys(n for n in nodes if isinstance(n, ox.NamedNode)))
    labels: dict[ox.NamedNode, list[ox.Literal]] = {}
    if not iris:
        return labels
    for row in reader.select(bind(LABELS, NODES=iris), bound=False):
        node, label = row["node"], row["label"]
        if isinstance(node, ox.NamedNode) and isinstance(label, ox.Literal):
            found = labels.setdefault(node, [])
            if label not in found:
                found.append(label)
    return labels


def _sources(reader: _Reader, graphs: Sequence[ox.NamedNode]) -> dict[ox.NamedNode, dict[ox.NamedNode, list[Term]]]:
    """Each source graph's description of itself (title, sources, date, licence)."""
    meta: dict[ox.NamedNode, dict[ox.NamedNode, list[Term]]] = {g: {} for g in graphs}
    if not graphs:
        return meta
    fields = [DCTERMS.title, *(p for _, p in SOURCE_FIELDS)]
    for row in reader.select(bind(SOURCES, GRAPHS=graphs, FIELDS=fields, LIMIT=COUNT_CAP), bound=False):
        g, p, v = row["g"], row["p"], row["v"]
        if isinstance(g, ox.NamedNode) and isinstance(p, ox.NamedNode) and v is not None:
            values = meta.setdefault(g, {}).setdefault(p, [])
            if v not in values:
                values.append(v)
    return meta


def read(
    runner: QueryRunner, entity: ox.NamedNode, *, statements: int = 0, incoming: int | None = None
) -> Found | None:
    """The page of ``entity`` from the ``statements`` offset; with ``incoming`` (an offset), also its
    incoming links, types and sources (what HTML shows). None if the store says nothing about it.
    Blocking: run it in a thread. ``QueryTimeout`` past the runner's budget."""
    reader = _Reader(runner, entity)
    rows = reader.select(bind(COUNTS, CAP=COUNT_CAP + 1))
    counts = {row["kind"].value: _int(row["n"]) for row in rows if row["kind"] is not None}
    if not any(counts.values()):
        return None
    page, more = _statements(reader, statements, counts.get("statements", 0))
    found = Found(entity, counts, page, more)
    nodes: list[object] = [s.object for s in page]
    if incoming is not None:
        found.incoming, found.more_incoming = _incoming(reader, incoming)
        types = reader.select(bind(TYPES, LIMIT=MAX_TYPES))
        found.types = [row["type"] for row in types if isinstance(row["type"], ox.NamedNode)]
        nodes += [entity, *found.types, *(s for s, _ in found.incoming)]
        graphs = sorted({g for s in page for g in s.graphs}, key=lambda g: g.value)
        found.sources = _sources(reader, graphs)
    found.labels = _labels(reader, nodes)
    return found


# --- rendering --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paging:
    """Where a request is in an entity's pages, and the links to the others.

    >>> Paging("/id/country/VN", 0, 100, "html").neighbours("incoming", more=False)
    {'prev': '/id/country/VN?format=html'}
    """

    path: str  # the request's path, as the client sent it
    statements: int
    incoming: int
    format: str | None  # the ``format`` parameter, kept in the links

    def ref(self, **changes: int) -> str:
        offsets = {"statements": self.statements, "incoming": self.incoming, **changes}
        params: dict[str, str | int] = {k: v for k, v in offsets.items() if v}
        if self.format is not None:
            params["format"] = self.format
        return self.path + (f"?{urlencode(params)}" if params else "")

    def neighbours(self, name: str, more: bool) -> dict[str, str]:
        """The ``prev`` and ``next`` pages of ``name`` (statements or incoming) around this one."""
        at = self.statements if name == "statements" else self.incoming
        links = {}
        if at > 0:
            links["prev"] = self.ref(**{name: max(0, at - PAGE)})
        if more:
            links["next"] = self.ref(**{name: at + PAGE})
        return links


def _count(n: int) -> str:
    return f"more than {COUNT_CAP:,}" if n > COUNT_CAP else f"{n:,}"


def _shown(kind: str, offset: int, shown: int, total: int) -> str:
    if total == 0:
        return "<p>None.</p>"
    if shown == 0:
        return f"<p>No {kind} from number {offset + 1}; there are {_count(total)}.</p>"
    return f"<p>{kind.capitalize()} {offset + 1:,}&ndash;{offset + shown:,} of {_count(total)}.</p>"


def _nav(paging: Paging, name: str, more: bool) -> str:
    words = {"prev": f"previous {PAGE}", "next": f"next {PAGE}"}
    links = [
        f'<a rel="{rel}" href="{escape(ref)}">{words[rel]}</a>' for rel, ref in paging.neighbours(name, more).items()
    ]
    return f'<p class="pages">{" · ".join(links)}</p>' if links else ""


def _sources_html(page: Terms, meta: dict[ox.NamedNode, dict[ox.NamedNode, list[Term]]]) -> str:
    items = []
    for number, (graph, fields) in enumerate(meta.items(), 1):
        titles = [t for t in fields.get(DCTERMS.title, []) if isinstance(t, ox.Literal)]
        title = escape(titles[0].value) if titles else escape(page.compact(graph.value))
        rows = []
        for name, predicate in SOURCE_FIELDS:
            values = sorted(fields.get(predicate, []), key=str)
            if not values:
                continue
            cells = ", ".join(page.term(v) for v in values)
            if len(values) > 5:
                cells = f"<details><summary>{len(values)} pages</summary>{cells}</details>"
            rows.append(f"<dt>{name}</dt><dd>{cells}</dd>")
        href = page.href(graph.value) or graph.value
        items.append(
            f'<li id="source-{number}"><a href="{escape(href)}">{title}</a>'
            f" <small>{escape(graph.value)}</small><dl>{''.join(rows)}</dl></li>"
        )
    return f'<section id="sources"><h2>Sources</h2><ol>{"".join(items)}</ol></section>'


def _html(found: Found, paging: Paging, iris: LocalIris) -> str:
    page = Terms(found.labels, iris)
    entity = found.entity
    number = {g: i for i, g in enumerate(found.sources, 1)}
    rows = []
    for statement in found.statements:
        refs = " ".join(f'<a href="#source-{number[g]}">[{number[g]}]</a>' for g in statement.graphs)
        rows.append(
            f"<tr><td>{page.link(statement.predicate, labelled=False)}</td>"
            f"<td>{page.term(statement.object)}</td><td>{refs}</td></tr>"
        )
    in_rows = "".join(
        f"<tr><td>{page.term(s)}</td><td>{page.link(p, labelled=False)}</td></tr>" for s, p in found.incoming
    )
    title = page.label(entity) or fallback_label(entity.value)
    alternates = " · ".join(f'<a href="?format={f.name}">{escape(f.media_type)}</a>' for f in GRAPH_TYPES)
    statements_shown = _shown("statements", paging.statements, len(rows), found.counts.get("statements", 0))
    incoming_shown = _shown("incoming links", paging.incoming, len(found.incoming), found.counts.get("incoming", 0))
    body = f"""<h1>{escape(title)}</h1>
<p><code>{escape(entity.value)}</code></p>
<p>Types: {", ".join(page.link(t) for t in found.types) or "none stated"}</p>
<p>As RDF: {alternates}</p>
<section id="statements"><h2>Statements</h2>{statements_shown}{_nav(paging, "statements", found.more_statements)}
<table><thead><tr><th>Property</th><th>Value</th><th>Sources</th></tr></thead><tbody>
{"".join(rows)}
</tbody></table></section>
<section id="incoming"><h2>Incoming links</h2>{incoming_shown}{_nav(paging, "incoming", found.more_incoming)}
<table><thead><tr><th>Subject</th><th>Property</th></tr></thead><tbody>
{in_rows}
</tbody></table></section>
{_sources_html(page, found.sources)}"""
    return page_html(title, body, root=iris.root, alternates=[("text/turtle", "?format=turtle")])


def _rdf(found: Found, fmt: Format) -> bytes:
    """The page's statements, then the labels of the nodes they link to (each subject's together,
    so Turtle groups them); JSON-LD compacted, the entity's node first."""
    triples = [ox.Triple(found.entity, s.predicate, s.object) for s in found.statements]
    for node in sorted(found.labels, key=lambda n: n.value):
        triples += [ox.Triple(node, RDFS.label, label) for label in found.labels[node]]
    return graph_body(triples, fmt, PREFIXES, first=found.entity)


def _link_header(links: dict[str, str]) -> dict[str, str]:
    if not links:
        return {}
    return {"Link": ", ".join(f'<{ref}>; rel="{rel}"' for rel, ref in links.items())}


def _answer(runner: QueryRunner, entity: ox.NamedNode, fmt: Format, paging: Paging, iris: LocalIris) -> Response:
    """Read and render (blocking: the queries wait for the workers); ``NotFound`` for an unknown entity,
    ``QueryTimeout`` over the budget."""
    found = read(runner, entity, statements=paging.statements, incoming=paging.incoming if fmt is HTML else None)
    if found is None:
        raise NotFound(f"nothing is known about <{entity.value}>; look for it with /sparql")
    headers = {"Vary": "Accept", **_link_header(paging.neighbours("statements", found.more_statements))}
    if fmt is HTML:
        html = _html(found, paging, iris)
        return Response(html, media_type="text/html; charset=utf-8", headers=headers)
    return Response(_rdf(found, fmt), media_type=fmt.media_type, headers=headers)


def requested(request: Request, offers: list[Format], what: str) -> Format:
    """The format a page is asked in: ``?format=`` (a name, for links), else ``Accept``. A name that
    is not offered is a ``BadRequest``; an ``Accept`` that nothing fits, ``NotAcceptable``."""
    name = request.query_params.get("format")
    if name is None:
        return negotiated(request.headers.get("accept"), offers, what)
    fmt = by_name(name, offers)
    if fmt is None:
        raise BadRequest(f"unknown format {name!r}: use one of {', '.join(f.name for f in offers)}")
    return fmt


def _offset(request: Request, name: str) -> int:
    text = request.query_params.get(name, "")
    if not text:
        return 0
    if not _OFFSET.fullmatch(text) or int(text) > MAX_OFFSET:
        raise BadRequest(f"{name}: {text!r} is not an offset; give a whole number from 0 to {MAX_OFFSET:,}")
    return int(text)


def _paging(request: Request, fmt_name: str | None) -> Paging:
    statements = _offset(request, "statements")
    incoming = _offset(request, "incoming")
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else request.url.path
    return Paging(path, statements, incoming, fmt_name)


class _Rendered:
    """Pages answered since the store's last write, keyed by what the request asked; an unknown
    entity's ``NotFound`` is kept as well, and raised again."""

    def __init__(self, size: int = PAGE_CACHE) -> None:
        self.size = size
        self.generation: int | None = None
        self.pages: OrderedDict[tuple[str, ...], tuple[int, bytes, list[tuple[bytes, bytes]]]] = OrderedDict()

    def get(self, generation: int, key: tuple[str, ...]) -> Response | None:
        """The page kept for ``key``, None if there is none; ``NotFound`` if the entity is unknown."""
        if generation != self.generation:
            self.generation = generation
            self.pages.clear()
            return None
        kept = self.pages.get(key)
        if kept is None:
            return None
        self.pages.move_to_end(key)
        status, body, headers = kept
        if status == 404:
            raise NotFound(body.decode())
        page = Response(body, status_code=status)
        page.raw_headers = list(headers)  # a copy: middleware may change the headers it sends
        return page

    def put(self, generation: int, key: tuple[str, ...], page: Response | NotFound) -> None:
        if generation != self.generation:
            return  # a write came meanwhile
        if isinstance(page, NotFound):
            self.pages[key] = (404, str(page).encode(), [])
        else:
            self.pages[key] = (page.status_code, bytes(page.body), list(page.raw_headers))
        if len(self.pages) > self.size:
            self.pages.popitem(last=False)


def routes(base: str = ID, *, prefix: str = "/id", elsewhere: Mapping[str, str] = ELSEWHERE) -> list[Route]:
    """The linked-data route: ``{prefix}/{path}`` describes the entity ``{base}{path}``.

    ``elsewhere``: the other IRI prefixes this server answers for, and their paths (``api.paths``):
    pages link them here rather than to w3id.org."""
    rendered = _Rendered()

    async def entity_page(request: Request) -> Response:
        fmt = requested(request, OFFERS, "this page")
        name = request.query_params.get("format")
        paging = _paging(request, name)
        tail = raw_tail(request, request.path_params["path"])
        entity = iri_under(base, tail)
        if entity is None:
            raise BadRequest(f"{tail!r} does not make a valid IRI under {base}")
        iris = LocalIris.of({**elsewhere, base: prefix + "/"}, root(request))
        generation: int = request.state.store.generation
        key = (entity.value, fmt.media_type, str(paging.statements), str(paging.incoming), iris.root, name or "")
        page = rendered.get(generation, key)
        if page is None:
            runner: QueryRunner = request.state.queries
            try:
                page = await run_in_threadpool(_answer, runner, entity, fmt, paging, iris)
            except NotFound as unknown:
                rendered.put(generation, key, unknown)
                raise
            rendered.put(generation, key, page)
        return page

    async def lookup(request: Request) -> Response:
        """``/lookup?ref=...``: 303 to the page of the entity a reference names, in any form ``api.refs``
        reads (``ror:02feahw73``, ``https://ror.org/02feahw73``, ``hal:441569``, ``VN``, a DOI, a name)."""
        texts = request.query_params.getlist("ref")
        if len(texts) != 1:
            raise BadRequest("ref: give one reference, such as ror:02feahw73, VN or 10.7717/peerj.4375")
        runner: QueryRunner = request.state.queries
        (iri,) = await refs.resolve_async(runner, [refs.parse(texts[0], "ref")])
        if not iri.startswith(base):
            raise NotFound(f"ref: {texts[0]!r} names <{iri}>, which has no page here")
        local = root(request) + prefix + "/" + iri[len(base) :]
        return Response(status_code=303, headers={"Location": local})

    return [
        Route("/lookup", lookup, methods=["GET"], name="lookup"),
        Route(prefix + "/{path:path}", entity_page, methods=["GET"], name="entity_page"),
    ]
