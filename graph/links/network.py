"""Keeping the network in step with the publications: its status, a recount, an increment, and
the RDF patch that writes only the links that changed.

- ``refresh_network``: every work counted again (``works.contributions`` over ``every_work``),
  against the network as it is (the index when it is current, else the RDF links read back).
- ``update_network``: the network plus an increment (what a load's works make now, minus what
  they made before it), for a load into a current network whose hierarchy did not move.

Both write the year graphs and the all-years graph from the same year table (all years are its
sums), as a patch per graph (``Backend.patch_graphs``): the links
gone or changed are removed, the new or changed ones added, a graph's description rewritten only
when it changed. Then the index is saved with the version of that write.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Sequence, Set
from dataclasses import dataclass
from functools import cache
from itertools import islice

import numpy as np
import pyoxigraph as ox

from graph import sparql
from graph.backend import Backend, GraphChange, GraphPatch
from graph.links.index import LinkIndex, current_index, network_version, read_links, save_index
from graph.links.queries import (
    ALL_YEARS,
    KIND_TERMS,
    KINDS,
    NETWORK_KIND,
    NETWORK_PREFIX,
    PERIOD_NAME,
    RETRIEVED,
    network_graph,
)
from graph.links.rules import COUNTING_RULES
from graph.links.table import LinkTable, Nodes, aggregate, combine, diff, unpack
from graph.links.works import Context, KnownFacts, contributions, every_work, read_context
from ontology import DCTERMS, KG, RDF, XSD, iris
from ontology.provenance import SourceInfo, describe_source

log = logging.getLogger("cnrs_kg.links")

UNKNOWN_BASIS = -1  # recorded by ``Backend.patch_graphs`` while a patch runs


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
    none recorded); ``derived_from``: the one the network was computed from (None: never; -1: a
    write of it was cut short).
    """

    publications: int
    derived_from: int | None
    stale: bool
    rules: str | None = COUNTING_RULES  # the counting rules the network was made by (None: unknown)

    @property
    def message(self) -> str:
        """One line for ``cnrs-kg stats`` and ``/health``.

        >>> NetworkStatus(7, 4, True).message
        'network derived from generation 4, publications at 7: stale; run cnrs-kg network --refresh'
        >>> NetworkStatus(7, -1, True).message
        'network write cut short, publications at 7: stale; run cnrs-kg network --refresh'
        >>> NetworkStatus(7, 7, True, None).message  # doctest: +ELLIPSIS
        'network counted by older rules than https://w3id.org/cnrs-kg/rules/counting/2: stale; run ...'
        """
        derived = "never derived" if self.derived_from is None else f"derived from generation {self.derived_from}"
        derived = "network write cut short" if self.derived_from == UNKNOWN_BASIS else f"network {derived}"
        state = "stale; run cnrs-kg network --refresh" if self.stale else "current"
        if self.rules != COUNTING_RULES and self.derived_from not in (None, UNKNOWN_BASIS):
            return f"network counted by older rules than {COUNTING_RULES}: {state}"
        return f"{derived}, publications at {self.publications}: {state}"


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
    cut_short = derived_from == UNKNOWN_BASIS
    rules = _rules(store) if network else COUNTING_RULES
    older = derived_from is not None and not cut_short and rules != COUNTING_RULES
    stale = relevant and (cut_short or older or publications > (derived_from or 0))
    return NetworkStatus(publications, derived_from, stale, rules)


def _rules(store: Backend) -> str | None:
    """The counting rules the all-years graph says it was made by (one index lookup)."""
    graph = network_graph(ALL_YEARS)
    for quad in store.match(graph, DCTERMS.conformsTo, None, graph):
        if isinstance(quad.object, ox.NamedNode):
            return quad.object.value
    return None


def trusted_index(store: Backend) -> LinkIndex | None:
    """The index, when it says what the RDF links say and the network is current: the basis of an increment."""
    if network_status(store).stale:
        return None
    return current_index(store)


# --- the tables of every graph ----------------------------------------------------------------------


def graph_tables(years: LinkTable) -> dict[str, LinkTable]:
    """The links of every network graph, by name: each year's and all years'."""
    tables: dict[str, LinkTable] = {}
    if not len(years):
        return tables
    when = years.years()
    present, starts = np.unique(when, return_index=True)
    bounds = [*starts.tolist(), len(when)]
    for i, y in enumerate(present.tolist()):
        tables[str(y)] = years.take(slice(bounds[i], bounds[i + 1]))
    tables[ALL_YEARS] = aggregate(years, np.zeros(len(years), dtype=np.int64))
    return tables


def stored_tables(store: Backend, nodes: Nodes) -> dict[str, LinkTable]:
    """The links every network graph holds, read back from RDF (when no trusted index says it)."""
    tables: dict[str, LinkTable] = {}
    for graph in store.graph_sizes():
        if not graph.startswith(NETWORK_PREFIX):
            continue
        name = graph.removeprefix(NETWORK_PREFIX)
        span = "year" if name.isdigit() else "years"
        table = read_links(store, [ox.NamedNode(graph)], span, nodes)
        if span == "years" and PERIOD_NAME.match(name) and len(table):
            table.keys = table.keys | (int(name[:4]) << 52)  # keyed as ``graph_tables`` keys a period
        tables[name] = table
    return tables


# --- writing ----------------------------------------------------------------------------------------


@cache
def _terms() -> dict[str, ox.NamedNode]:
    """The link vocabulary, looked up once: millions of links are written."""
    names = ["linkKind", "linkSource", "linkTarget", "fullCount", "fractionalCount", "internal", "year", "firstYear"]
    terms = {name: KG.term(name) for name in [*names, "lastYear", "CollaborationLink"]}
    terms.update({kind: KG.term(term) for kind, term in KIND_TERMS.items()})
    terms["type"], terms["integer"], terms["boolean"] = RDF.type, XSD.integer, XSD.boolean
    return terms


class _Lines:
    """N-Triples lines of links, written as text: millions are written, and the store parses text
    faster than Python builds terms. Every IRI comes from the store or from ``iris`` (valid), every
    literal is a number or a year."""

    def __init__(self, nodes: Nodes) -> None:
        self.nodes = nodes
        self.digests: dict[tuple[int, int], str] = {}  # a pair's link IRIs share its digest
        t = _terms()
        self.kinds = [f"<{t[kind].value}>" for kind in KINDS]
        self.slugs = [iris.link(kind, None, ox.NamedNode("urn:a"), ox.NamedNode("urn:b")).value for kind in KINDS]
        self.slugs = [slug.rsplit("/", 2)[0] + "/" for slug in self.slugs]
        self.p = {name: f"<{t[name].value}>" for name in _PREDICATES}
        self.type = f"<{t['type'].value}> <{t['CollaborationLink'].value}>"
        self.integer, self.boolean = f"^^<{t['integer'].value}>", f"^^<{t['boolean'].value}>"
        self.gyear, self.decimal = f"^^<{XSD.gYear.value}>", f"^^<{XSD.decimal.value}>"

    def link(self, kind: int, span: str, a: int, b: int) -> str:
        """The link's IRI, as ``iris.link`` names it."""
        digest = self.digests.get((a, b))
        if digest is None:
            first, second = sorted((self.nodes.iris[a], self.nodes.iris[b]))
            digest = self.digests[(a, b)] = hashlib.blake2b(f"{first} {second}".encode(), digest_size=10).hexdigest()
        return f"{self.slugs[kind]}{span}/{digest}"

    def subjects(self, name: str, table: LinkTable) -> list[ox.NamedNode]:
        """The links' IRIs (to remove them)."""
        _, kinds, sources, targets = unpack(np.asarray(table.keys))
        rows = zip(kinds.tolist(), sources.tolist(), targets.tolist(), strict=True)
        return [ox.NamedNode(self.link(kind, name, a, b)) for kind, a, b in rows]

    def figures(self, name: str, table: LinkTable) -> Iterator[str]:
        """The statements of the links' figures only (counts, flag, first and last year), one per line."""
        _, kinds, sources, targets = unpack(np.asarray(table.keys))
        full, fractional, internal = table.full.tolist(), table.fractional.tolist(), table.internal.tolist()
        firsts = table.first.tolist() if table.first is not None else []
        lasts = table.last.tolist() if table.last is not None else []
        p = self.p
        for row, (kind, a, b) in enumerate(zip(kinds.tolist(), sources.tolist(), targets.tolist(), strict=True)):
            node = f"<{self.link(kind, name, a, b)}>"
            text = f"{fractional[row]:.6f}".rstrip("0").rstrip(".")
            yield f'{node} {p["fullCount"]} "{full[row]}"{self.integer} .\n'
            yield f'{node} {p["fractionalCount"]} "{"0" if text in ("", "-0") else text}"{self.decimal} .\n'
            if kind == 0:
                yield f'{node} {p["internal"]} "{"true" if internal[row] else "false"}"{self.boolean} .\n'
            if not name.isdigit():
                yield f'{node} {p["firstYear"]} "{firsts[row]:04d}"{self.gyear} .\n'
                yield f'{node} {p["lastYear"]} "{lasts[row]:04d}"{self.gyear} .\n'

    def of(self, name: str, table: LinkTable) -> Iterator[str]:
        """The statements of whole links: what they join (and their year), then their figures."""
        _, kinds, sources, targets = unpack(np.asarray(table.keys))
        year = f'{self.p["year"]} "{name}"{self.gyear} .\n' if name.isdigit() else ""
        p = self.p
        for kind, a, b in zip(kinds.tolist(), sources.tolist(), targets.tolist(), strict=True):
            node = f"<{self.link(kind, name, a, b)}>"
            yield (
                f"{node} {self.type} .\n"
                f"{node} {p['linkKind']} {self.kinds[kind]} .\n"
                f"{node} {p['linkSource']} <{self.nodes.iris[a]}> .\n"
                f"{node} {p['linkTarget']} <{self.nodes.iris[b]}> .\n"
            )
            if year:
                yield f"{node} {year}"
        yield from self.figures(name, table)  # N-Triples lines may come in any order


@dataclass(frozen=True)
class _LinkLines:
    """New links of one graph as N-Triples lines (``_Lines.of``), and the figures of links that
    stay (``_Lines.figures``), made from plain data: millions of lines, which the store makes in
    another process while it loads them (``graph.produce``)."""

    iris: list[str]
    name: str
    fresh: LinkTable
    replaced: LinkTable

    def __iter__(self) -> Iterator[str]:
        lines = _Lines(Nodes.of(self.iris))
        yield from lines.of(self.name, self.fresh)
        yield from lines.figures(self.name, self.replaced)  # N-Triples lines may come in any order

    def __len__(self) -> int:
        dated = self.name.isdigit()
        return len(self.fresh) * (5 if dated else 4) + self._figures(self.fresh) + self._figures(self.replaced)

    def _figures(self, table: LinkTable) -> int:
        """How many lines ``_Lines.figures`` writes for ``table``: two counts, first and last year in an
        aggregate, the internal flag of an organisation link."""
        _, kinds, _, _ = unpack(np.asarray(table.keys))
        return len(table) * (2 if self.name.isdigit() else 4) + int(np.count_nonzero(kinds == 0))


_PREDICATES = (
    *("linkKind", "linkSource", "linkTarget", "fullCount", "fractionalCount"),
    *("internal", "year", "firstYear", "lastYear"),
)


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
        "countries, and countries, with full and fractional counts; see graph/links for the rules.",
        cited=tuple(sources),
        synthetic=synthetic,
        conforms_to=COUNTING_RULES,
    )


@dataclass(frozen=True)
class _Described:
    sources: list[str]
    retrieved: str
    synthetic: bool


def _described(store: Backend) -> _Described:
    sizes = store.graph_sizes()
    sources = sorted(g for g in publication_graphs(store) if g in sizes)  # a dropped graph is a source no more
    return _Described(sources, _retrieved(store, sources), _any_synthetic(store, sources))


def _patches(
    store: Backend, old: dict[str, LinkTable], new: dict[str, LinkTable], nodes: Nodes, about: _Described
) -> list[GraphPatch]:
    patches = []
    lines = _Lines(nodes)
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name, LinkTable()), new.get(name, LinkTable())
        change = diff(before, after)
        graph = network_graph(name)
        description = set(describe_source(_info(name, about.sources, about.retrieved, about.synthetic)))
        wanted = description if len(after) else set()
        stored = {quad.triple for quad in store.match(graph, None, None, graph)}
        if not change and wanted == stored:
            continue
        # A link in both tables changed its figures only: those statements are replaced, the rest stays.
        moved = np.intersect1d(change.removed, change.added.keys, assume_unique=True)
        gone_keys = np.setdiff1d(change.removed, moved, assume_unique=True)
        gone = lines.subjects(name, before.take(np.isin(before.keys, gone_keys)))
        subjects = gone + ([graph] if wanted != stored else [])
        added = wanted if wanted != stored else set()
        fresh = change.added.take(~np.isin(change.added.keys, moved))
        replaced = change.added.take(np.isin(change.added.keys, moved))
        stale = lines.figures(name, before.take(np.isin(before.keys, moved)))
        patches.append(
            GraphPatch(
                graph,
                subjects,
                sorted(added, key=str),
                _LinkLines(nodes.iris, name, fresh, replaced),
                removed=_parsed(stale),
            )
        )
    return patches


def _parsed(lines: Iterator[str]) -> Iterator[ox.Triple]:
    """N-Triples lines as triples, parsed 10,000 lines at a time (millions may come)."""
    while text := "".join(islice(lines, 10_000)):
        yield from (quad.triple for quad in ox.parse(text, format=ox.RdfFormat.N_TRIPLES))


def _write(
    store: Backend, old: dict[str, LinkTable], new_years: LinkTable, nodes: Nodes, basis: int
) -> list[GraphChange]:
    """Patch every network graph from ``old`` to the tables of ``new_years``, record ``basis``, save the index."""
    patches = _patches(store, old, graph_tables(new_years), nodes, _described(store))
    log.info("network patch: %d graphs to write", len(patches))
    network = network_graph(ALL_YEARS).value
    if patches:
        changes = store.patch_graphs(patches, derived={network: basis})
    else:
        changes = []
        if store.bookkeeping().derived.get(network) != basis:  # nothing changed: known current again
            store.replace_graphs([], derived={network: basis})
    save_index(store, LinkIndex(network_version(store), nodes, new_years))
    log.info("network written and indexed: %d year links", len(new_years))
    return changes


def _basis(store: Backend) -> int:
    return publications_generation(store)


def refresh_network(
    store: Backend, index: LinkIndex | None = None, *, known: Sequence[KnownFacts] = ()
) -> list[GraphChange]:
    """Count every work again, and write what changed in every network graph.

    ``index``: the index that says what the RDF links hold, when the caller knows it (taken before
    its write); else the trusted index, else the RDF links are read back. ``known``: the facts of
    some works, taken as they were written (``graph.links.tapped``), not read back.
    """
    trusted = index or trusted_index(store)
    nodes = Nodes(list(trusted.nodes.iris), dict(trusted.nodes.numbers)) if trusted else Nodes()
    old = graph_tables(trusted.years) if trusted else stored_tables(store, nodes)
    context = read_context(store, nodes)
    years = contributions(store, every_work(store), context, known=known)
    log.info("every work counted: %d year links", len(years))
    return _write(store, old, years, nodes, _basis(store))


def update_network(store: Backend, index: LinkIndex, increment: LinkTable, context: Context) -> list[GraphChange]:
    """Add ``increment`` (counted with ``context``, whose register extends the index's) to the network."""
    years = combine([index.years, increment])
    return _write(store, graph_tables(index.years), years, context.nodes, _basis(store))


def load_context(index: LinkIndex | None, store: Backend) -> Context:
    """The context for counting against ``index``: its register of nodes, extended as works name new ones."""
    nodes = Nodes(list(index.nodes.iris), dict(index.nodes.numbers)) if index else Nodes()
    return read_context(store, nodes)


def _any_synthetic(store: Backend, graphs: Sequence[str]) -> bool:
    return any(
        quad.object.value == "true"
        for graph in graphs
        for quad in store.match(ox.NamedNode(graph), KG.synthetic, None, ox.NamedNode(graph))
        if isinstance(quad.object, ox.Literal)
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
