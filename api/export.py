"""``/export/network.<format>``: any ``graph.explore.network`` selection as a file for visualisation
tools; ``/explore``: the page that draws it (sigma.js), with its search, sources and trend helpers.

Query parameters of ``/export/network.<format>`` (the arguments of ``explore.network`` and of the
GraphQL ``network`` field):

- ``seeds`` (repeatable): references to institutions, countries or publications in any of the forms
  of ``api.refs`` (``https://ror.org/02feahw73``, ``ror:02feahw73``, ``CNRS``, ``VN``, an IRI...); the
  CNRS if none;
- ``hops`` (default 1), ``from`` and ``to`` (years, both included), ``minWeight`` (default 0),
  ``counting`` (``full`` or ``fractional``), ``include`` (repeatable or comma-separated:
  ``copublication``, ``instrument``, ``hierarchy``; all if none), ``maxNodes`` (default 200),
  ``level`` (``institution``, the default: a country, region, group or instrument seed stands for
  its organisations; ``country``: countries are the nodes);
- ``variant``: another file of the format, for a reader the default one does not suit (``gexf``:
  ``dynamic``, Gephi's timeline with dynamic yearly weights; see ``graph.exports``).

Formats: ``gexf``, ``graphml``, ``cyjs``, ``graphology.json``, ``vosviewer.json``,
``vosviewer-map.txt``, ``vosviewer-network.txt``, ``csv.zip`` (see ``graph.exports``).

The parameters become a ``graph.explore.Selection`` (which checks them) once ``api.refs`` has
resolved the seeds to IRIs, in one query, after the other parameters are checked. The explorer's
helpers take references the same way (``/explore/trend``'s ``a`` and ``b``, ``/explore/sources``'s
``entity``).

Refusals are raised and answered by ``api.errors``.
Status codes: 400 for a bad parameter (one line naming it and what to do) or a selection over the
cost limit, 404 for an unknown format, 503 when the queries run over the server's time budget,
422 over its row cap, 500 (logged) for anything else. Refused as bad parameters, as GraphQL
refuses them: a seed that names nothing in the store (it would be a node for nothing), a weight that
is not a finite number of 0 or more, a year that is not a four-digit year, ``from`` after ``to``.

The network is computed on ``request.state.queries`` (the server's query workers) in a thread.

>>> parse_selection({"hops": ["2"], "from": ["2010"]}, ox.Store()).window
Window(start=2010, end=None)
>>> parse_selection({"hops": ["many"]}, ox.Store())
Traceback (most recent call last):
...
graph.errors.BadArgument: hops: 'many' is not a whole number; give 0 to 3 (default 1)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from api import refs
from api.errors import BadRequest, NotFound
from graph import BadArgument, Queryable
from graph import explore as ex
from graph.explore import MAX_NODES, Selection
from graph.exports import FORMATS, ExportFormat, by_suffix
from graph.search import KINDS
from graph.search import search as search_names
from graph.sparql import PROLOGUE, bind, named_nodes

__all__ = [
    "PARAMETERS",
    "build",
    "export_url",
    "instruments",
    "parse_selection",
    "routes",
    "search",
    "sources",
]

PAGE = Path(__file__).resolve().parent / "static" / "explore.html"
PARAMETERS = ("seeds", "hops", "from", "to", "minWeight", "counting", "include", "maxNodes", "level", "variant")
SEARCH_LIMIT = 20
SOURCES_LIMIT = 50


def _whole(name: str, text: str, hint: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise BadArgument(f"{name}: {text!r} is not a whole number; {hint}") from None


def parse_selection(params: Mapping[str, Sequence[str]], queries: Queryable) -> Selection:
    """The selection from query parameters (each a list of values), its seeds resolved on ``queries``
    (blocking: run it in a thread); ``BadArgument`` if one is wrong."""
    unknown = sorted(set(params) - set(PARAMETERS))
    if unknown:
        raise BadArgument(f"{unknown[0]}: unknown parameter; use {', '.join(PARAMETERS)}")

    def one(name: str) -> str | None:
        values = params.get(name, [])
        if len(values) > 1:
            raise BadArgument(f"{name}: given {len(values)} times; give it once")
        return values[0] if values and values[0] != "" else None

    hops, start, end, most = one("hops"), one("from"), one("to"), one("maxNodes")
    weight = one("minWeight")
    try:
        min_weight = float(weight) if weight is not None else 0.0
    except ValueError:
        raise BadArgument(f"minWeight: {weight!r} is not a number; give 0 or more") from None
    return Selection.checked(
        refs.resolving(queries, (s for s in params.get("seeds", []) if s), "seeds"),
        hops=1 if hops is None else _whole("hops", hops, "give 0 to 3 (default 1)"),
        start=None if start is None else _whole("from", start, "give a year such as 2010"),
        end=None if end is None else _whole("to", end, "give a year such as 2020"),
        min_weight=min_weight,
        counting=one("counting") or "full",
        include=params.get("include", []),
        max_nodes=MAX_NODES if most is None else _whole("maxNodes", most, f"give 1 to 2000 (default {MAX_NODES})"),
        level=one("level") or "institution",
    )


def build(queries: Queryable, chosen: Selection, fmt: ExportFormat, variant: str | None = None) -> bytes:
    """The selection's network in one format or its ``variant`` (blocking: run it in a thread)."""
    return fmt.writer(variant)(chosen.network(queries))


def export_url(fmt: str, params: Mapping[str, str | int | float | Sequence[str]], *, root: str = "") -> str:
    """The export of a selection, for links (GraphQL, the explorer).

    >>> export_url("gexf", {"seeds": ["ror:02feahw73"], "hops": 2})
    '/export/network.gexf?seeds=ror%3A02feahw73&hops=2'
    """
    query = urlencode({k: v for k, v in params.items() if v is not None and v != []}, doseq=True)
    return f"{root}/export/network.{FORMATS[fmt].suffix}" + (f"?{query}" if query else "")


async def export_network(request: Request) -> Response:
    fmt = by_suffix(request.path_params["suffix"])
    if fmt is None:
        known = ", ".join(f.suffix for f in FORMATS.values())
        raise NotFound(f"no export network.{request.path_params['suffix']}; use network.<{known}>")
    params = {k: request.query_params.getlist(k) for k in request.query_params}
    queries: Queryable = request.state.queries

    def work() -> Response:
        variants = params.get("variant", [])
        if len(variants) > 1:
            raise BadArgument(f"variant: given {len(variants)} times; give it once")
        variant = variants[0] if variants else None
        fmt.writer(variant)  # an unknown variant is refused before any query
        body = build(queries, parse_selection(params, queries), fmt, variant)
        disposition = f'attachment; filename="{fmt.filename}"'
        return Response(body, media_type=fmt.media_type, headers={"Content-Disposition": disposition})

    return await run_in_threadpool(work)


# The kinds the explorer offers as seeds: every kind a seed may be (a place or an instrument stands
# for its organisations, ``graph.explore.places``), each answered with its kind for the page to show.
SEARCH_KINDS = KINDS


def search(queries: Queryable, text: str, limit: int = SEARCH_LIMIT) -> list[dict[str, str]]:
    """Institutions, countries, regions, country groups and instruments whose names, aliases or
    acronyms match the words of ``text`` (at least two characters), most relevant first, each with its
    IRI, label and kind (``graph.search``: the text is never query syntax)."""
    if len(text.strip()) < 2:
        return []
    hits = search_names(queries, text, kinds=SEARCH_KINDS, limit=max(1, min(limit, SEARCH_LIMIT)), argument="q")
    return [{"iri": hit.iri, "label": hit.label, "kind": hit.kind} for hit in hits]


# The graphs ?g, each with its title and sources as it describes itself: the graphs stating
# something about an entity, or the graphs named.
_DESCRIBED = """
  OPTIONAL { GRAPH ?g { ?g dcterms:title ?t } }
  OPTIONAL { GRAPH ?g { ?g dcterms:source ?s } }
  OPTIONAL { GRAPH ?g { ?g prov:hadPrimarySource ?p } }
} GROUP BY ?g ORDER BY ?g LIMIT __LIMIT__
"""
_SOURCES = PROLOGUE + "SELECT ?g (SAMPLE(?t) AS ?title) (SAMPLE(?s) AS ?source) (SAMPLE(?p) AS ?primary) WHERE {"
SOURCES_OF_ENTITY = (
    _SOURCES
    + "{ SELECT DISTINCT ?g WHERE { VALUES ?e { __ENTITY__ } GRAPH ?g { ?e ?p ?o } } LIMIT __LIMIT__ }"
    + _DESCRIBED
)
SOURCES_OF_GRAPHS = _SOURCES + "VALUES ?g { __GRAPHS__ }" + _DESCRIBED


def sources(queries: Queryable, entity: str | None, graphs: Sequence[str]) -> list[dict[str, str]]:
    """The source graphs stating something about ``entity``, or the ``graphs`` named, each with its
    title and primary source (IRIs reach the query as terms in VALUES, checked by pyoxigraph)."""
    if entity is not None:
        query = bind(SOURCES_OF_ENTITY, ENTITY=ox.NamedNode(entity), LIMIT=SOURCES_LIMIT)
    else:
        named = named_nodes(list(dict.fromkeys(graphs))[:SOURCES_LIMIT])
        if not named:
            return []
        query = bind(SOURCES_OF_GRAPHS, GRAPHS=named, LIMIT=SOURCES_LIMIT)
    result = queries.query(query)
    assert isinstance(result, ox.QuerySolutions)
    found = []
    for row in result:
        if not isinstance(row["g"], ox.NamedNode):
            continue
        item = {"graph": row["g"].value}
        for name in ("title", "source", "primary"):
            value = row[name]
            if value is not None:
                item[name] = value.value
        found.append(item)
    return found


INSTRUMENTS = (
    PROLOGUE
    + """SELECT ?instrument (MIN(?l) AS ?label) (MIN(?k) AS ?kind) (MIN(?kl) AS ?kindLabel) WHERE {
  ?instrument a kg:CooperationInstrument ; rdfs:label ?l .
  OPTIONAL { ?instrument kg:instrumentKind ?k OPTIONAL { ?k rdfs:label ?kl FILTER(LANGMATCHES(LANG(?kl), "en")) } }
} GROUP BY ?instrument ORDER BY ?label LIMIT 5000
"""
)


def instruments(queries: Queryable) -> list[dict[str, str]]:
    """Every cooperation instrument with its label and kind (for the explorer's kind filter)."""
    result = queries.query(INSTRUMENTS)
    assert isinstance(result, ox.QuerySolutions)
    found = []
    for row in result:
        if not isinstance(row["instrument"], ox.NamedNode):
            continue
        item = {"iri": row["instrument"].value}
        for name in ("label", "kind", "kindLabel"):
            value = row[name]
            if value is not None:
                item[name] = value.value
        found.append(item)
    return found


async def explore_page(request: Request) -> Response:
    if not PAGE.is_file():
        raise RuntimeError(f"the explorer page is missing from this installation: {PAGE}")  # ours: a masked 500
    return FileResponse(PAGE, media_type="text/html; charset=utf-8")


async def explore_search(request: Request) -> Response:
    text = request.query_params.get("q", "")
    queries: Queryable = request.state.queries
    return await run_in_threadpool(lambda: JSONResponse(search(queries, text)))


async def explore_sources(request: Request) -> Response:
    entity = request.query_params.get("entity")
    graphs = request.query_params.getlist("graph")
    if entity is None and not graphs:
        raise BadRequest("entity: missing; give entity=IRI (or graph=IRI, repeatable)")
    for graph in graphs:
        try:
            ox.NamedNode(graph)
        except ValueError:
            raise BadRequest(f"graph: {graph!r} is not an absolute IRI") from None
    queries: Queryable = request.state.queries

    def work() -> Response:
        iri = None if entity is None else refs.resolve(queries, [refs.parse(entity, "entity")])[0]
        return JSONResponse(sources(queries, iri, graphs))

    return await run_in_threadpool(work)


async def explore_instruments(request: Request) -> Response:
    queries: Queryable = request.state.queries
    return await run_in_threadpool(lambda: JSONResponse(instruments(queries)))


async def explore_trend(request: Request) -> Response:
    a, b = request.query_params.get("a"), request.query_params.get("b")
    if not a or not b:
        raise BadRequest("a, b: give both ends of the pair (IRIs, CNRS, ROR ids, country codes...)")
    pair = [refs.parse(a, "a"), refs.parse(b, "b")]
    how = Selection.checked(counting=request.query_params.get("counting", "full")).counting
    queries: Queryable = request.state.queries

    def work() -> Response:
        ends = refs.resolve(queries, pair)
        years = ex.trend(queries, *ends, counting=how)
        return JSONResponse({"a": ends[0], "b": ends[1], "counting": how.value, "years": years})

    return await run_in_threadpool(work)


def routes() -> list[Route]:
    return [
        Route("/export/network.{suffix}", export_network, methods=["GET"], name="export_network"),
        Route("/explore", explore_page, methods=["GET"], name="explore"),
        Route("/explore/search", explore_search, methods=["GET"]),
        Route("/explore/sources", explore_sources, methods=["GET"]),
        Route("/explore/trend", explore_trend, methods=["GET"]),
        Route("/explore/instruments", explore_instruments, methods=["GET"]),
    ]
