"""The questions about what lies around nodes: ``network`` (breadth-first from seeds) and
``partners`` (the neighbours of one node); ``graph.explore`` says what they answer and cost."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from graph import Queryable
from graph.errors import BadArgument, CostLimitExceeded
from graph.explore import places
from graph.explore import queries as q
from graph.explore.edges import Found, Key, Ties, YearRows, around, copublications, members, pair_of, ties, year_rows
from graph.explore.metrics import compute
from graph.explore.types import (
    DEFAULT_EDGE_TYPES,
    Counting,
    Edge,
    EdgeType,
    Level,
    Metrics,
    Network,
    Node,
    Partner,
    Partners,
    Window,
)
from graph.links import LinkIndex, index_of
from graph.links.fields import within
from ontology.labels import fallback_label

MAX_HOPS = 3
MAX_NODES = 200  # a network's nodes unless asked otherwise: the strongest ties are kept


# --- nodes ---------------------------------------------------------------------------------------


def _tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _nodes(found: dict[str, q.Details], distances: dict[str, int], seeds: set[str]) -> dict[str, Node]:
    """The nodes with their details (``q.details``)."""
    nodes = {}
    for iri, hops in distances.items():
        info = found.get(iri, q.Details())
        country = iri.startswith(q.COUNTRY_BASE) or "https://w3id.org/cnrs-kg/ontology#Country" in info.types
        code: str | None
        if country:
            code = min(info.alpha2) if info.alpha2 else _tail(iri)
            region = min(info.regions) if info.regions else None
        else:
            code = _tail(min(info.countries)) if info.countries else None
            region = min(info.country_regions) if info.country_regions else None
        nodes[iri] = Node(
            iri=iri,
            label=info.label or fallback_label(iri),
            kind="country" if country else "institution",
            types=sorted(info.types),
            country=code,
            ror=min(info.ror) if info.ror else None,
            hal=min(info.hal) if info.hal else None,
            openalex=min(info.openalex) if info.openalex else None,
            region=region,
            seed=iri in seeds,
            hops=hops,
        )
    return nodes


def _heavy(level: Found, min_weight: float) -> Iterator[tuple[Key, Edge]]:
    """The edges of a level that count in a network: of weight over 0 and at least ``min_weight``."""
    return ((key, edge) for key, edge in level.edges.items() if edge.weight > 0 and edge.weight >= min_weight)


_TYPE_NAMES = {kind: kind.value for kind in EdgeType}


def _add_ties(strength: dict[str, float], index: LinkIndex, tied: Ties, distance: dict[str, int]) -> None:
    """Adds to ``strength`` the weight of each tie to a node not yet reached, in the ties' order (a
    node's strength is the same float as when added one by one: ``np.add.at`` adds in order)."""
    known = members(index, index.numbers(list(distance)))
    new = ~known[tied.far]
    far, weights = tied.far[new], tied.weights[new]
    totals = np.zeros(len(index.nodes.iris), dtype=np.float64)
    for node in list(strength):  # the other kinds' ties come first
        number = index.nodes.find(node)
        if number is not None:
            totals[number] = strength.pop(node)
    np.add.at(totals, far, weights)
    iris = index.nodes.iris
    for number, total in zip(np.flatnonzero(totals).tolist(), totals[totals != 0].tolist(), strict=True):
        strength[iris[number]] = total


def _stand_ins(store: Queryable, seeds: list[str], level: Level) -> tuple[list[str], list[str]]:
    """The nodes the seeds are: (the seeds kept as they are, the nodes standing for the others).

    At the institution level a country, region, group or instrument seed stands for its
    organisations (``places.members``), or is kept as it is when it has none; at the country level
    every seed stands for its countries (``places.countries``).
    """
    if level is Level.COUNTRY:
        found = places.countries(store, seeds)
        standing = sorted(set().union(*found.values()))
        if not standing:
            raise BadArgument("seeds: no country is known for these seeds; give countries, regions or institutions")
        return [], standing
    found = places.members(store, seeds)
    given = [seed for seed in seeds if not found.get(seed)]
    return given, sorted({org for orgs in found.values() for org in orgs} - set(given))


def _strongest(
    store: Queryable, nodes: list[str], room: int, kinds: list[EdgeType], window: Window, counting: Counting
) -> list[str]:
    """The ``room`` nodes of the strongest ties of ``kinds`` in the window (then by IRI), leaving out
    those with no tie (unless none has one)."""
    strength: dict[str, float] = defaultdict(float)
    around_them, _ = around(
        store, [kind for kind in kinds if kind is not EdgeType.COPUBLICATION], set(nodes), window, counting
    )
    for edge in around_them.edges.values():
        for end in (edge.source, edge.target):
            strength[end] += edge.weight
    if EdgeType.COPUBLICATION in kinds:
        index = index_of(store)
        tied = ties(year_rows(index, set(nodes), window, counting, within=False), set(nodes))
        totals = np.bincount(tied.near, weights=tied.weights, minlength=len(index.nodes.iris))
        for node in nodes:
            if (number := index.nodes.find(node)) is not None:
                strength[node] += float(totals[number])
    tied_nodes = [node for node in nodes if strength.get(node, 0.0) > 0] or nodes
    return sorted(tied_nodes, key=lambda node: (-strength.get(node, 0.0), node))[:room]


# --- the neighbourhood questions --------------------------------------------------------------------------


def network(
    store: Queryable,
    seeds: list[str],
    *,
    hops: int = 1,
    window: Window | None = None,
    min_weight: float = 0.0,
    counting: Counting = Counting.FULL,
    include: list[EdgeType] | None = None,
    max_nodes: int = MAX_NODES,
    with_metrics: bool = True,
    details: Iterable[str] | None = None,
    level: Level = Level.INSTITUTION,
    field: str | None = None,
) -> Network:
    """The network around ``seeds`` up to ``hops`` away (see ``graph.explore``), at most ``max_nodes``
    nodes: the strongest ties are kept and ``Network.omitted`` counts the nodes left out.

    A seed that is a place or an instrument stands for its organisations (``_stand_ins``): those
    with a tie of the included kinds in the window, the strongest first, at most half of
    ``max_nodes`` (all of it for ``hops=0``) to leave room for what they reach; the others are
    counted in ``omitted``. ``level=COUNTRY``:
    the nodes are countries, the seeds' own, tied by country co-publications only.

    ``with_metrics=False`` leaves every node's ``metrics`` at zero, for callers that do not show
    them (betweenness is the costliest step of a large network). ``details``: the groups of node
    details to read besides labels and classes (``q.DETAIL_GROUPS``: ``country``, ``ids``,
    ``region``; all when None); the others stay None.

    ``field``: a research field (``graph.links.fields.field_iri``): the co-publications of its works
    only. Instruments and the hierarchy have no field: their edges are the same.
    """
    if hops > MAX_HOPS:
        raise CostLimitExceeded(f"hops={hops} is over the limit of {MAX_HOPS}; ask for {MAX_HOPS} hops or fewer")
    if hops < 0:
        raise BadArgument(f"hops={hops}: give 0 to {MAX_HOPS}")
    if max_nodes < 1:
        raise BadArgument(f"max_nodes={max_nodes}: give 1 or more")
    seeds = q.checked_iris(seeds, "seed")
    if not seeds:
        raise BadArgument("no seed: give at least one institution or country IRI")
    window = window or Window()
    kinds = list(dict.fromkeys(include)) if include is not None else list(DEFAULT_EDGE_TYPES)
    if level is Level.COUNTRY:
        kinds = [kind for kind in kinds if kind is EdgeType.COPUBLICATION]
    given, standing = _stand_ins(store, seeds, level)
    if len(given) > max_nodes:
        raise CostLimitExceeded(f"{len(given)} seeds are over max_nodes={max_nodes}; give fewer seeds")
    seed_room = max((max_nodes // 2 if hops else max_nodes) - len(given), 1 if not given else 0)
    omitted = 0
    if standing:
        with within(field):
            strongest = _strongest(store, standing, seed_room, kinds, window, counting)
        omitted, standing = len(standing) - len(strongest), strongest
    start = [*given, *standing]
    with within(field):
        index = index_of(store) if EdgeType.COPUBLICATION in kinds else None
    others: list[EdgeType] = [kind for kind in kinds if kind is not EdgeType.COPUBLICATION]
    distance = dict.fromkeys(start, 0)
    found = Found()
    ring = set(start)
    for hop in range(1, hops + 1):
        strength: dict[str, float] = defaultdict(float)  # of each node reached, its ties to the ring
        around_ring, _ = around(store, others, ring, window, counting)
        for key, edge in _heavy(around_ring, min_weight):
            found.edges.setdefault(key, edge)
            for near, far in ((edge.source, edge.target), (edge.target, edge.source)):
                if near in ring and far not in distance:
                    strength[far] += edge.weight
        if index is not None:
            _add_ties(
                strength,
                index,
                ties(year_rows(index, ring, window, counting, within=False), ring, min_weight),
                distance,
            )
        if level is Level.COUNTRY:  # the institutions tied to the countries are not nodes of this level
            strength = {node: weight for node, weight in strength.items() if node.startswith(q.COUNTRY_BASE)}
        # Pruned as VOSviewer does: the strongest ties first, then by IRI, while there is room.
        room = max(max_nodes - len(distance), 0)
        reached = sorted(strength, key=lambda node: (-strength[node], node))[:room] if room else []
        omitted += len(strength) - len(reached)
        distance.update(dict.fromkeys(sorted(reached), hop))
        ring = set(reached)
        if not ring:
            break
    # The last level: the edges between two nodes of the outermost ring (no hop has asked for them),
    # every co-publication among the nodes, and the nodes' details.
    outermost = ring if len(ring) >= 2 else set()
    around_ring, (info,) = around(
        store, others, outermost, window, counting, within=True, also=[q.details(q.nodes(distance), details)]
    )
    for key, edge in _heavy(around_ring, min_weight):
        found.edges.setdefault(key, edge)
    if index is not None:
        for key, edge in _heavy(
            copublications(year_rows(index, set(distance), window, counting, within=True)), min_weight
        ):
            found.edges.setdefault(key, edge)
    nodes = _nodes(info, distance, set(start))
    kept = [edge for edge in found.edges.values() if edge.source in distance and edge.target in distance]
    edges = sorted(kept, key=lambda e: (_TYPE_NAMES[e.type], e.source, e.target))  # Enum.value is slow
    if with_metrics:
        metrics = compute(list(nodes), edges)
        for iri, node in nodes.items():
            node.metrics = Metrics(
                degree=metrics.degree[iri],
                weighted_degree=metrics.weighted_degree[iri],
                betweenness=metrics.betweenness.get(iri, 0.0),
                pagerank=metrics.pagerank.get(iri, 0.0),
                community=metrics.community.get(iri, 0),
            )
    ordered = sorted(nodes.values(), key=lambda n: (n.hops, n.label.casefold(), n.iri))
    return Network(ordered, edges, seeds, counting, window, kinds, omitted=omitted, max_nodes=max_nodes, level=level)


def _copublication_weights(
    store: Queryable, of: str, window: Window, counting: Counting, with_internal: bool
) -> tuple[YearRows | None, dict[str, float]]:
    """The rows around ``of`` and each co-publication partner's weight (internal ties only when asked)."""
    index = index_of(store)
    rows = year_rows(index, {of}, window, counting, within=False)
    tied = ties(rows, {of})
    weights = {
        index.nodes.iris[far]: weight
        for far, weight, internal in zip(tied.far.tolist(), tied.weights.tolist(), tied.internal.tolist(), strict=True)
        if with_internal or not internal
    }
    return rows, weights


def _chosen(totals: dict[str, float], first: int | None) -> set[str]:
    """The partners that can be among the ``first`` heaviest (ties at the boundary included: labels break them)."""
    if first is None or len(totals) <= first:
        return set(totals)
    if first == 0:
        return set()
    boundary = sorted(totals.values(), reverse=True)[first - 1]
    return {partner for partner, weight in totals.items() if weight >= boundary - 1e-9}


def partners(
    store: Queryable,
    of: str,
    *,
    kinds: list[EdgeType] | None = None,
    window: Window | None = None,
    counting: Counting = Counting.FULL,
    first: int | None = None,
    details: Iterable[str] | None = None,
    located_in: Sequence[str] = (),
    types: Sequence[str] = (),
    field: str | None = None,
) -> Partners:
    """The neighbours of ``of``, heaviest first (ties by label), the ``first`` of them when given
    (``Partners.total`` counts them all).

    ``kinds`` defaults to co-publications and instruments. A partner's weight is the sum of its
    edges' weights; its sources are the edges' graphs and its instruments' web pages. Hierarchy
    edges and internal co-publications (an organisation with its own parent or child) make no
    partner unless ``kinds`` holds ``HIERARCHY``. ``details``: as for ``network``. Co-publications
    are weighed in the network index first; edges and details are made for the partners shown only.

    ``located_in`` (country, region or group IRIs) and ``types`` (``kg:organisationType`` IRIs)
    keep the partners located there and of those types (``places.located``): organisations only,
    countries are not located anywhere.

    ``field``: a research field (``graph.links.fields.field_iri``): the co-publications of its works
    only. Instrument and hierarchy edges have no field: they stay as they are.
    """
    (of,) = q.checked_iris([of], "node")
    window = window or Window()
    kinds = list(dict.fromkeys(kinds)) if kinds is not None else [EdgeType.COPUBLICATION, EdgeType.INSTRUMENT]
    if first is not None and first < 0:
        raise BadArgument(f"first={first}: give a number of partners, 0 or more")
    with_internal = EdgeType.HIERARCHY in kinds
    others: list[EdgeType] = [kind for kind in kinds if kind is not EdgeType.COPUBLICATION]
    found, _ = around(store, others, {of}, window, counting)
    by_partner: dict[str, list[Edge]] = defaultdict(list)
    for edge in found.edges.values():
        if edge.weight <= 0 or (edge.internal and not with_internal):
            continue
        by_partner[edge.target if edge.source == of else edge.source].append(edge)
    rows: YearRows | None = None
    copublished: dict[str, float] = {}
    if EdgeType.COPUBLICATION in kinds:
        with within(field):
            rows, copublished = _copublication_weights(store, of, window, counting, with_internal)
    totals = {
        p: sum(e.weight for e in by_partner.get(p, [])) + copublished.get(p, 0.0) for p in {*by_partner, *copublished}
    }
    if located_in or types:
        kept = places.located(store, totals, located_in, types)
        totals = {partner: weight for partner, weight in totals.items() if partner in kept}
    chosen = _chosen(totals, first)
    if rows is not None:
        wanted = {pair_of(of, partner) for partner in chosen if partner in copublished}
        for edge in copublications(rows, only=wanted).edges.values():
            by_partner[edge.target if edge.source == of else edge.source].append(edge)
    info = q.ask(store, q.details(q.nodes(chosen), details)) if chosen else {}
    nodes = _nodes(info, dict.fromkeys(chosen, 1), set())
    out = []
    for iri in chosen:
        edges = by_partner[iri]
        firsts = [e.first_year for e in edges if e.first_year is not None]
        lasts = [e.last_year for e in edges if e.last_year is not None]
        instruments = sorted({i for e in edges for i in e.instruments})
        pages = {page for i in instruments for page in found.pages.get(i, [])}
        out.append(
            Partner(
                node=nodes[iri],
                weight=round(sum(e.weight for e in edges), 6),
                first_year=min(firsts) if firsts else None,
                last_year=max(lasts) if lasts else None,
                types=[kind for kind in EdgeType if any(e.type is kind for e in edges)],
                instruments=instruments,
                sources=sorted({s for e in edges for s in e.sources} | pages),
            )
        )
    out.sort(key=lambda p: (-p.weight, p.node.label.casefold(), p.node.iri))
    return Partners(out if first is None else out[:first], len(totals))
