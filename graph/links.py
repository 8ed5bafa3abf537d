"""The materialised collaboration network, derived from the publications in the store.

Network questions (top partners, country matrices) read these links instead of scanning
publications. Links live in derived graphs, like the nodes of a segment tree over time: one per
publication year (``graph/network/2017``), one per five-year period aligned on multiples of five
(``graph/network/2015-2019``) and one over all years (``graph/network/all``); period and all-years
links carry their first and last year. A window such as 2015-2024 is answered from two period
graphs instead of ten year graphs, and any window from at most two partial periods of single years
plus whole periods. After a publication load only the years it touched, and their periods, are
recomputed; the all-years graph is rebuilt from the recomputed years and the stored links of the others.

How a work counts, for the year it was published:

- its affiliated institutions S are expanded with their ancestors (``org:subOrganizationOf``, of
  which ``kg:supervisingBody`` is a sub-property) valid that year, giving E; each organisation of
  E counts once per work, whatever the number of its labs on the byline (once per level);
- two organisations x, y of E are linked when they are reached from *different* affiliations of
  S: a paper by one lab alone does not link the lab to its own CNRS, but a lab with its own
  university on the byline does, and such a link (one end an ancestor of the other) is
  ``kg:internal`` true: a mixed unit with its supervising body, not a partnership;
- an institution is linked to every country of the work other than its own;
- countries are linked pairwise;
- a work whose sources give different years (online and print) counts once, in the earliest;
- full counting adds 1 per work; fractional counting adds 1/(n-1), with n the number of distinct
  affiliations of the work (institution links), of its countries (country links), or of its
  countries other than the institution's (institution-country links).

The publication graphs are found in the store, whatever loader wrote them: the graphs that
describe themselves as ``kg:PublicationSourceGraph`` (a source sets ``SourceInfo.publications``;
see ``ontology.provenance``), and the graphs the network was last derived from, which its all-years
graph cites (``dcterms:source``). The second part keeps a graph that no longer says what it was (one
dropped, or written over HTTP without its description, or written before sources described
themselves so) among them until the network is derived without it.

The network is derived, and written in its own transaction after the publications' (see
``graph.writing``). Its all-years graph records the generation of the newest publication change it
was computed from (``graph.meta``); ``network_status`` compares it with the publications' last
change, so a network left behind (a load killed between the two commits, an update or a drop of a
publication graph over HTTP) is reported stale, and the next load or ``cnrs-kg network --refresh``
recomputes it whole.

The two queries of the concept live here and are the ones everyone asks: ``HIERARCHY`` (the
organisation hierarchy, with its dates and sources; the explorer's hierarchy edges) and ``LINKS``
(the one reader of the stored links: a refresh, the explorer, GraphQL's co-publications).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence, Set
from dataclasses import dataclass, field
from functools import cache
from itertools import chain, combinations, product

import pyoxigraph as ox

from graph import sparql
from graph.store import Backend, GraphChange, GraphContent
from ontology import DCTERMS, FABIO, KG, RDF, XSD, iris
from ontology.literals import decimal, year
from ontology.provenance import SourceInfo, describe_source

NETWORK_KIND = "network"
ALL_YEARS = "all"
PERIOD = 5
PERIOD_NAME = re.compile(r"^\d{4}-\d{4}$")
INST, INST_COUNTRY, COUNTRY = "institution-institution", "institution-country", "country-country"
_KIND_TERMS = {INST: "InstitutionInstitution", INST_COUNTRY: "InstitutionCountry", COUNTRY: "CountryCountry"}

# The organisation hierarchy the roll-up climbs, also the explorer's HIERARCHY edges: each child
# and parent (``org:subOrganizationOf``, or ``kg:supervisingBody``, its sub-property) that
# ``HIERARCHY_EDGES`` names, and their facts (``sparql.Facts``): the graphs stating the edge, and the
# child's dates, between which it holds. Edges are matched in their graphs, whose names the facts
# reuse (matching them in the union first, and their graphs after, took twice as long).
HIERARCHY = """SELECT ?child ?parent (GROUP_CONCAT(DISTINCT ?fact; separator="\\n") AS ?facts) WHERE {
  GRAPH ?g { __EDGES__ }
  FILTER(?child != ?parent)
  { BIND("graph" AS ?tag) } UNION { ?child schema:startDate ?v BIND("start" AS ?tag) }
  UNION { ?child schema:endDate ?v BIND("end" AS ?tag) }
  BIND(CONCAT(?tag, " ", STR(COALESCE(?v, ?g))) AS ?fact)
} GROUP BY ?child ?parent"""
HIERARCHY_EDGES = {
    "around": """VALUES ?f { __AROUND__ } VALUES ?o { __OTHERS__ }
  { ?f org:subOrganizationOf|kg:supervisingBody ?o BIND(?f AS ?child) BIND(?o AS ?parent) }
  UNION { ?o org:subOrganizationOf|kg:supervisingBody ?f BIND(?o AS ?child) BIND(?f AS ?parent) }""",
    "every": "?child org:subOrganizationOf|kg:supervisingBody ?parent",
}
"""Which edges ``HIERARCHY`` reads: those with one end among ``__AROUND__`` and the other among
``__OTHERS__`` (``sparql.ANY``: any), or every edge (without the two directions ``around`` asks:
twice as fast as ``around`` with both ends free)."""


def hierarchy_query(edges: str, around: Sequence[ox.NamedNode] = (), others: Sequence[ox.NamedNode | None] = ()) -> str:
    """``HIERARCHY`` over ``HIERARCHY_EDGES[edges]``, bound, without the prologue (``graph.explore`` nests it)."""
    return sparql.bind(HIERARCHY.replace("__EDGES__", HIERARCHY_EDGES[edges]), AROUND=around, OTHERS=others)


# The stored links, the one reader of the network (``graph.explore``, GraphQL, a refresh): in the
# graphs ?g (``sparql.ANY``: every graph), each link ?l of kind ?kind from ?s to ?t, its counts,
# ``kg:internal`` when stated, its years as ``LINK_SPANS`` names them, and the ends ``LINK_ENDS``
# names. The node VALUES sit inside GRAPH: outside it, Oxigraph 0.5 joins them after scanning every
# link (500x slower).
LINKS = """SELECT DISTINCT ?g ?l ?kind ?s ?t ?year ?first ?full ?frac ?internal WHERE {
  VALUES ?g { __GRAPHS__ }
  GRAPH ?g {
    __ENDS__
    ?l kg:linkSource ?s ; kg:linkTarget ?t ; __SPAN__ ; kg:linkKind ?kind ; kg:fullCount ?full ;
       kg:fractionalCount ?frac .
    OPTIONAL { ?l kg:internal ?internal }
  }
}"""
LINK_ENDS = {
    "around": "VALUES ?f { __NODES__ } { ?l kg:linkSource ?f } UNION { ?l kg:linkTarget ?f }",
    "within": "VALUES ?s { __NODES__ } VALUES ?t { __NODES__ }",
    "all": "",
}
"""Which links of the graphs ``LINKS`` reads: with an end among the nodes (``around``), both ends
among them (``within``), or every one (``all``)."""
# Constant predicates: one bound from VALUES made the explorer's query 30% slower.
LINK_SPANS = {"year": "kg:year ?year", "years": "kg:firstYear ?first ; kg:lastYear ?year"}
"""Which links ``LINKS`` reads, by their years: a year graph's (``year``: ?year), or a period's or all
years' (``years``: ?first, and ?year the last)."""


def links_query(ends: str, span: str, graphs: Sequence[ox.NamedNode | None], nodes: Sequence[ox.NamedNode] = ()) -> str:
    """``LINKS`` with the ends and span named, bound, without the prologue (``graph.explore`` nests it)."""
    template = LINKS.replace("__ENDS__", LINK_ENDS[ends]).replace("__SPAN__", LINK_SPANS[span])
    return sparql.bind(template, GRAPHS=graphs, NODES=nodes)


@dataclass
class Tally:
    full: int = 0
    fractional: float = 0.0
    internal: bool = False
    first: int = 0
    last: int = 0


Key = tuple[str, str, str]  # kind, source IRI, target IRI


@dataclass
class Hierarchy:
    """Parents of each organisation, with the years each edge holds (from the child's dates)."""

    parents: dict[str, list[tuple[str, int | None, int | None]]] = field(default_factory=dict)
    _cache: dict[tuple[str, int], frozenset[str]] = field(default_factory=dict)

    def ancestors(self, org: str, when: int) -> frozenset[str]:
        key = (org, when)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        found: set[str] = set()
        stack = [org]
        while stack:
            node = stack.pop()
            for parent, start, end in self.parents.get(node, ()):
                if (start is None or start <= when) and (end is None or when <= end) and parent not in found:
                    found.add(parent)
                    stack.append(parent)
        found.discard(org)
        result = self._cache[key] = frozenset(found)
        return result


def _year_of(term: object) -> int | None:
    if isinstance(term, ox.Literal) and term.value[:4].isdigit():
        return int(term.value[:4])
    return None


def read_hierarchy(store: Backend) -> Hierarchy:
    """Every edge of the hierarchy, with the years it holds (the child's dates)."""
    hierarchy = Hierarchy()
    result = store.query(sparql.PROLOGUE + hierarchy_query("every"))
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        child, parent, text = row["child"], row["parent"], row["facts"]
        if isinstance(child, ox.NamedNode) and isinstance(parent, ox.NamedNode):
            facts = sparql.Facts.parse(text.value if isinstance(text, ox.Literal) else "")
            edges = hierarchy.parents.setdefault(child.value, [])
            for start, end in product(_years(facts, "start"), _years(facts, "end")):
                if (parent.value, start, end) not in edges:
                    edges.append((parent.value, start, end))
    return hierarchy


def _years(facts: sparql.Facts, tag: str) -> list[int | None]:
    """The years of the dates ``tag`` (None for one without a year), or [None] (no bound) without any."""
    return [int(d[:4]) if d[:4].isdigit() else None for d in facts.get(tag)] or [None]


def _work_years(store: Backend) -> dict[str, int]:
    """The earliest year of every work, whichever source gives it (native index scan, no SPARQL join)."""
    earliest: dict[str, int] = {}
    for quad in store.match(None, FABIO.hasPublicationYear):
        work, when = _iri(quad.subject), _year_of(quad.object)
        if work is not None and when is not None and when < earliest.get(work, 10_000):
            earliest[work] = when
    return earliest


def _pairs(store: Backend, predicate: ox.NamedNode) -> Iterator[tuple[str, str]]:
    """(subject, object) IRIs of every triple with ``predicate``."""
    for quad in store.match(None, predicate):
        subject, obj = _iri(quad.subject), _iri(quad.object)
        if subject is not None and obj is not None:
            yield subject, obj


def _iri(term: object) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


def count_links(store: Backend, years: set[int]) -> dict[int, dict[Key, Tally]]:
    """Links of the given years, computed from the publications in the store."""
    if not years:
        return {}
    work_year = {work: when for work, when in _work_years(store).items() if when in years}
    affiliations: dict[str, set[str]] = defaultdict(set)
    for work, inst in _pairs(store, KG.affiliatedInstitution):
        if work in work_year:
            affiliations[work].add(inst)
    countries: dict[str, set[str]] = defaultdict(set)
    for work, country in _pairs(store, KG.affiliatedCountry):
        if work in work_year:
            countries[work].add(country)
    home: dict[str, set[str]] = defaultdict(set)  # every organisation's own country, ancestors included
    for org, country in _pairs(store, KG.country):
        home[org].add(country)
    hierarchy = read_hierarchy(store)
    links: dict[int, dict[Key, Tally]] = {y: {} for y in years}
    for work, when in work_year.items():
        count_work(links[when], when, affiliations.get(work, set()), countries.get(work, set()), home, hierarchy)
    return links


def _add(table: dict[Key, Tally], key: Key, weight: float, internal: bool = False) -> None:
    tally = table.get(key)
    if tally is None:
        tally = table[key] = Tally()
    tally.full += 1
    tally.fractional += weight
    tally.internal = tally.internal or internal


def count_work(
    table: dict[Key, Tally],
    when: int,
    affiliations: set[str],
    countries: set[str],
    home: dict[str, set[str]],
    hierarchy: Hierarchy,
) -> None:
    """Add one work's links of one year to ``table`` (see the module docstring for the rules)."""
    reach: dict[str, set[str]] = defaultdict(set)  # organisation -> affiliations it is reached from
    ancestors: dict[str, frozenset[str]] = {}
    for inst in affiliations:
        ancestors[inst] = hierarchy.ancestors(inst, when)
        reach[inst].add(inst)
        for parent in ancestors[inst]:
            reach[parent].add(inst)
    if len(affiliations) >= 2:
        weight = 1.0 / (len(affiliations) - 1)
        for a, b in combinations(sorted(reach), 2):
            ra, rb = reach[a], reach[b]
            if len(ra | rb) < 2 or (len(ra) == 1 and ra == rb):
                continue  # both ends reached from one single affiliation: not a co-publication
            internal = b in hierarchy.ancestors(a, when) or a in hierarchy.ancestors(b, when)
            _add(table, (INST, a, b), weight, internal)
    for inst in reach:
        own = home.get(inst, set())
        others = countries - own
        for country in others:
            _add(table, (INST_COUNTRY, inst, country), 1.0 / len(others))
    if len(countries) >= 2:
        weight = 1.0 / (len(countries) - 1)
        for a, b in combinations(sorted(countries), 2):
            _add(table, (COUNTRY, a, b), weight)


@cache
def _terms() -> dict[str, ox.NamedNode]:
    """The link vocabulary, looked up once: millions of links are written."""
    names = ["linkKind", "linkSource", "linkTarget", "fullCount", "fractionalCount", "internal", "year", "firstYear"]
    terms = {name: KG.term(name) for name in [*names, "lastYear", "CollaborationLink"]}
    terms.update({kind: KG.term(term) for kind, term in _KIND_TERMS.items()})
    terms["type"], terms["integer"], terms["boolean"] = RDF.type, XSD.integer, XSD.boolean
    return terms


def _link_triples(kind: str, source: str, target: str, tally: Tally, when: int | str | None) -> Iterator[ox.Triple]:
    """A link of one year (int), one period ("2015-2019") or all years (None)."""
    t = _terms()
    triple = ox.Triple
    a, b = ox.NamedNode(source), ox.NamedNode(target)
    node = iris.link(kind, when, a, b)
    yield triple(node, t["type"], t["CollaborationLink"])
    yield triple(node, t["linkKind"], t[kind])
    yield triple(node, t["linkSource"], a)
    yield triple(node, t["linkTarget"], b)
    yield triple(node, t["fullCount"], ox.Literal(str(tally.full), datatype=t["integer"]))
    yield triple(node, t["fractionalCount"], decimal(tally.fractional))
    if kind == INST:
        yield triple(node, t["internal"], ox.Literal("true" if tally.internal else "false", datatype=t["boolean"]))
    if isinstance(when, int):
        yield triple(node, t["year"], year(when))
    else:
        yield triple(node, t["firstYear"], year(tally.first))
        yield triple(node, t["lastYear"], year(tally.last))


def network_graph(name: str) -> ox.NamedNode:
    return iris.source_graph(NETWORK_KIND, name)


NETWORK_PREFIX = network_graph(ALL_YEARS).value.removesuffix(ALL_YEARS)


def publication_graphs(store: Backend) -> set[str]:
    """The graphs that describe themselves as sources of publications, and those the network was
    last derived from (dropped since, perhaps): two index lookups, no scan."""
    described = {
        quad.subject.value
        for quad in store.match(None, RDF.type, KG.PublicationSourceGraph)
        if isinstance(quad.subject, ox.NamedNode) and quad.subject == quad.graph_name
    }
    network = network_graph(ALL_YEARS)
    cited = store.match(network, DCTERMS.source, None, network)
    return described | {quad.object.value for quad in cited if isinstance(quad.object, ox.NamedNode)}


@dataclass(frozen=True)
class NetworkStatus:
    """Whether the network is derived from the publications as they are now.

    ``publications``: the generation of the last write that changed a publication graph (0:
    none recorded); ``derived_from``: the one the network was computed from (None: never).
    """

    publications: int
    derived_from: int | None
    stale: bool

    @property
    def message(self) -> str:
        """One line for ``cnrs-kg stats`` and ``/health``.

        >>> NetworkStatus(7, 4, True).message
        'network derived from generation 4, publications at 7: stale; run cnrs-kg network --refresh'
        """
        derived = "never derived" if self.derived_from is None else f"derived from generation {self.derived_from}"
        state = "stale; run cnrs-kg network --refresh" if self.stale else "current"
        return f"network {derived}, publications at {self.publications}: {state}"


def publications_generation(store: Backend, graphs: Set[str] | None = None) -> int:
    """The generation of the last write that changed (or may have changed) a publication graph.

    ``graphs``: ``publication_graphs(store)``, if the caller has them.
    """
    book = store.bookkeeping()
    sources = publication_graphs(store) if graphs is None else graphs
    changes = [n for graph, n in book.changed.items() if graph in sources]
    return max([*changes, book.changed_all])


def network_status(store: Backend) -> NetworkStatus:
    """The network against the publications, from the store's bookkeeping and two index lookups (no scan)."""
    graphs = publication_graphs(store)
    publications = publications_generation(store, graphs)
    derived_from = store.bookkeeping().derived.get(network_graph(ALL_YEARS).value)
    network = any(graph.startswith(NETWORK_PREFIX) for graph in store.graph_sizes())
    relevant = bool(graphs) or network  # with neither, nothing to derive
    return NetworkStatus(publications, derived_from, relevant and publications > (derived_from or 0))


def _info(name: str, sources: Sequence[str], retrieved: str, synthetic: bool) -> SourceInfo:
    title = "Collaboration network over all years" if name == ALL_YEARS else f"Collaboration network of {name}"
    if PERIOD_NAME.match(name):
        title = f"Collaboration network of the period {name}"
    return SourceInfo(
        kind=NETWORK_KIND,
        name=name,
        title=f"{title} (derived from the publications)",
        origin="derived by cnrs-kg from the publication graphs (graph.links)",
        retrieved=retrieved,
        license="https://creativecommons.org/licenses/by/4.0/",
        description="Co-publication links between institutions (rolled up their hierarchy), institutions and "
        "countries, and countries, with full and fractional counts; see graph/links.py for the rules.",
        cited=tuple(sources),
        synthetic=synthetic,
    )


def _content(
    name: str, triples: Iterable[ox.Triple], sources: Sequence[str], retrieved: str, synthetic: bool
) -> GraphContent:
    info = _info(name, sources, retrieved, synthetic)
    return GraphContent(info.graph, chain(describe_source(info), triples))


def _stored_links(store: Backend, when: int) -> dict[Key, Tally]:
    """The links of one year as the store holds them."""
    names = {KG.term(term).value: kind for kind, term in _KIND_TERMS.items()}
    table: dict[Key, Tally] = {}
    result = store.query(sparql.PROLOGUE + links_query("all", "year", [network_graph(str(when))]))
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        kind, s, t = row["kind"], row["s"], row["t"]
        full, frac, internal = row["full"], row["frac"], row["internal"]
        if isinstance(kind, ox.NamedNode) and isinstance(s, ox.NamedNode) and isinstance(t, ox.NamedNode):
            assert isinstance(full, ox.Literal)
            assert isinstance(frac, ox.Literal)
            flag = isinstance(internal, ox.Literal) and internal.value == "true"
            table[(names[kind.value], s.value, t.value)] = Tally(int(full.value), float(frac.value), flag)
    return table


def publication_years(store: Backend, graphs: Iterable[ox.NamedNode]) -> set[int]:
    """Every year of the works in the given graphs, whichever source gives it (to know what a load touches)."""
    works = {
        _iri(quad.subject) for graph in graphs for quad in store.match(None, FABIO.hasPublicationYear, None, graph)
    }
    works.discard(None)
    if not works:
        return set()
    return {
        when
        for quad in store.match(None, FABIO.hasPublicationYear)
        if _iri(quad.subject) in works and (when := _year_of(quad.object)) is not None
    }


def period_of(year: int) -> str:
    """The five-year period a year belongs to, aligned on multiples of five.

    >>> period_of(2015), period_of(2024)
    ('2015-2019', '2020-2024')
    """
    start = year - year % PERIOD
    return f"{start}-{start + PERIOD - 1}"


def _accumulate(target: dict[Key, Tally], table: dict[Key, Tally], when: int) -> None:
    for key, tally in table.items():
        fractional = round(tally.fractional, 6)  # as stored, so sums do not depend on which years were fresh
        total = target.get(key)
        if total is None:
            target[key] = Tally(tally.full, fractional, tally.internal, when, when)
        else:
            total.full += tally.full
            total.fractional += fractional
            total.internal = total.internal or tally.internal
            total.first, total.last = min(total.first, when), max(total.last, when)


def refresh_network(store: Backend, years: set[int] | None = None) -> list[GraphChange]:
    """Recompute the links of ``years`` (all years with publications when None), their periods and all years.

    Only the years given are read again: the caller says that the others are current (a load
    gives the years it touched, and only when the network was current before it).
    """
    sizes = store.graph_sizes()
    graphs = publication_graphs(store)
    basis = publications_generation(store, graphs)
    sources = sorted(g for g in graphs if g in sizes)  # a dropped graph is a source no more
    present = publication_years(store, [ox.NamedNode(g) for g in sources])
    names = [g.removeprefix(NETWORK_PREFIX) for g in sizes if g.startswith(NETWORK_PREFIX)]
    stored = {int(name) for name in names if name.isdigit()}
    stored_periods = {name for name in names if PERIOD_NAME.match(name)}
    touched = (present | stored) if years is None else set(years)
    touched_periods = {period_of(y) for y in touched} | (stored_periods if years is None else set())
    retrieved = _retrieved(store, sources)
    synthetic = _any_synthetic(store, sources)  # derived from synthetic works: synthetic too
    fresh = count_links(store, touched & present)
    contents: list[GraphContent] = []
    periods: dict[str, dict[Key, Tally]] = {name: {} for name in touched_periods}
    totals: dict[Key, Tally] = {}

    def write(name: str, table: dict[Key, Tally], period: int | str | None) -> None:
        if table:  # a lazy content: a first load streams it, never holding millions of triples in a list
            links = (t for key, tally in sorted(table.items()) for t in _link_triples(*key, tally, period))
            contents.append(_content(name, links, sources, retrieved, synthetic))
        elif network_graph(name).value in sizes:
            contents.append(GraphContent(network_graph(name), []))

    for when in sorted(present | stored):
        if when in fresh:
            table = fresh[when]
        elif when in present:
            table = _stored_links(store, when)
        else:
            table = {}  # no publication of that year is left
        if when in touched:
            write(str(when), table, when)
        if period_of(when) in periods:
            _accumulate(periods[period_of(when)], table, when)
        _accumulate(totals, table, when)
    for name in sorted(periods):
        write(name, periods[name], name)
    write(ALL_YEARS, totals, None)
    # Recorded even when no link changed, so that the network is known current again.
    return store.replace_graphs(contents, derived={network_graph(ALL_YEARS).value: basis})


def _any_synthetic(store: Backend, graphs: Sequence[str]) -> bool:
    return any(
        quad.object.value == "true"
        for graph in graphs
        for quad in store.match(ox.NamedNode(graph), KG.synthetic, None, ox.NamedNode(graph))
        if isinstance(quad.object, ox.Literal)
    )


# The newest retrieval date of the graphs ?g (each states its own, ``describe_source``).
RETRIEVED = (
    sparql.PROLOGUE
    + """SELECT (MAX(STR(?d)) AS ?latest) WHERE {
  VALUES ?g { __GRAPHS__ } GRAPH ?g { ?g prov:generatedAtTime ?d }
}"""
)


def _retrieved(store: Backend, graphs: Sequence[str]) -> str:
    """The newest retrieval date of the sources: deterministic, so an unchanged network is not rewritten."""
    result = store.query(sparql.bind(RETRIEVED, GRAPHS=sparql.named_nodes(graphs)))
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        latest = row["latest"]
        if isinstance(latest, ox.Literal) and latest.value:
            return latest.value[:10]
    return "1970-01-01"
