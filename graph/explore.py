"""Network selections: the partners, networks, paths and trends that GraphQL, the exports and the
explorer page all show, computed once here over any ``Queryable`` (the store, or the server's pool).

Nodes are entity IRIs: institutions (``https://w3id.org/cnrs-kg/id/org/ror/02feahw73``...) and
countries (``https://w3id.org/cnrs-kg/id/country/SG``). Edge types:

- ``COPUBLICATION``: a link of the materialised network (``graph.network``) between two
  institutions, an institution and a country, or two countries. Read from the year graphs
  (``graph/network/<year>``) of the window: ``years`` holds the count of each year under the
  counting asked for, ``weight`` their sum. A link between an organisation and its own parent is
  ``internal``. Sources: the year graphs (each cites the publication graphs it derives from).
- ``INSTRUMENT``: two parties (``org:member`` of a ``kg:hasParty`` membership) of the same
  cooperation instrument. An instrument is active from its start date (its signature date when it
  has no start) to its end date; with no end date, until the year before its successor
  (``kg:predecessorInstrument``) starts, else, when it is ``kg:Ended``, until its last dated fact
  (start or renewal), else open-ended. A party's own membership dates narrow that span. An
  instrument with neither start nor signature date cannot be placed in time: it counts only when
  the window is unbounded on both sides, and has no years. ``weight``: the instruments the two
  share that are active in the window; ``years``: how many are active each year of the window, up
  to the current year. Sources: the graphs stating the memberships (the CNRS table, seed documents).
- ``HIERARCHY``: a child organisation and its parent (``org:subOrganizationOf`` or
  ``kg:supervisingBody``), ``source`` the child, valid over the child's ``schema:startDate`` /
  ``schema:endDate`` (a missing date is unbounded, as in ``graph.network``); weight 1, ``years``
  each year of the window it holds, when that can be counted. Sources: ROR, HAL or CNRS graphs.

``network()`` expands breadth-first from the seeds, ``hops`` times (0 to 3), through the edges
of the included types whose weight is at least ``min_weight`` (edges of weight 0 never count); the
nodes are the seeds and what those edges reach, and the edges are *every* edge of the included
types among them, not only those of the search tree. A node's label is its English
``skos:prefLabel``, else English ``rdfs:label``, else a preferred label without or in another
language, else any label, else the IRI's last segment.

Node metrics, on the undirected graph: ``degree`` and ``weighted_degree`` count the typed edges;
betweenness (normalised as networkx does, counting hops: a weight is a strength, not a distance),
PageRank (by weight) and Louvain communities (fixed seed, numbered by size, the largest 0) see one
edge per pair, weighted by the sum of its typed edges; igraph computes them (``graph._explore_metrics``).

Cost, in SPARQL queries: one per level. A level asks the edges of every included type around a
set of nodes (their ``VALUES``), and what else it needs, as one query (``_explore_queries.batch``):

- ``network``: one per hop, then one for the edges among the outermost ring (which no hop
  reaches) and the nodes' details: ``hops + 1`` (3 for two hops); fewer when a hop reaches no one
  new. ``CostLimitExceeded`` for ``hops > 3`` or more than ``max_nodes`` nodes.
- ``partners``: one for the edges, one for the partners' details.
- ``path``: one per expansion, at most ``max_hops``; no details.
- ``trend``: one.

Errors: ``CostLimitExceeded`` (a ``ValueError``) for a request over a limit; ``ValueError`` for a
malformed IRI or argument; the store's ``QueryError`` / ``QueryTimeout`` / ``ResultTooLarge`` pass
through.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice

import pyoxigraph as ox

from graph import _explore_queries as q
from graph._explore_edges import Found, Key, around
from graph._explore_metrics import compute
from graph._explore_types import (
    CostLimitExceeded,
    Counting,
    Edge,
    EdgeType,
    Metrics,
    Network,
    Node,
    Partner,
    Path,
    PathStep,
    Window,
)
from graph.store import Queryable

__all__ = [
    "MAX_HOPS",
    "MAX_PATH_HOPS",
    "CostLimitExceeded",
    "Counting",
    "Edge",
    "EdgeType",
    "Metrics",
    "Network",
    "Node",
    "Partner",
    "Path",
    "PathStep",
    "Window",
    "network",
    "partners",
    "path",
    "trend",
]

MAX_HOPS = 3
MAX_PATH_HOPS = 4


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
            label=info.label or _tail(iri),
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


def _checked(iris: list[str], what: str) -> list[str]:
    out = list(dict.fromkeys(iris))
    for iri in out:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise ValueError(f"{what} {iri!r} is not an IRI; give an entity IRI such as {q.COUNTRY_BASE}SG") from None
    return out


def _heavy(level: Found, min_weight: float) -> Iterator[tuple[Key, Edge]]:
    """The edges of a level that count in a network: of weight over 0 and at least ``min_weight``."""
    return ((key, edge) for key, edge in level.edges.items() if edge.weight > 0 and edge.weight >= min_weight)


# --- the four questions --------------------------------------------------------------------------


def network(
    store: Queryable,
    seeds: list[str],
    *,
    hops: int = 1,
    window: Window | None = None,
    min_weight: float = 0.0,
    counting: Counting = Counting.FULL,
    include: list[EdgeType] | None = None,
    max_nodes: int = 2000,
    with_metrics: bool = True,
    details: Iterable[str] | None = None,
) -> Network:
    """The network around ``seeds`` up to ``hops`` away (see the module docstring).

    ``with_metrics=False`` leaves every node's ``metrics`` at zero, for callers that do not show
    them (betweenness is the costliest step of a large network). ``details``: the groups of node
    details to read besides labels and classes (``q.DETAIL_GROUPS``: ``country``, ``ids``,
    ``region``; all when None); the others stay None.
    """
    if hops > MAX_HOPS:
        raise CostLimitExceeded(f"hops={hops} is over the limit of {MAX_HOPS}; ask for {MAX_HOPS} hops or fewer")
    if hops < 0:
        raise ValueError(f"hops={hops}: give 0 to {MAX_HOPS}")
    seeds = _checked(seeds, "seed")
    if not seeds:
        raise ValueError("no seed: give at least one institution or country IRI")
    window = window or Window()
    kinds = list(dict.fromkeys(include)) if include is not None else list(EdgeType)
    if len(seeds) > max_nodes:
        raise CostLimitExceeded(f"{len(seeds)} seeds are over max_nodes={max_nodes}; give fewer seeds")
    distance = dict.fromkeys(seeds, 0)
    found = Found()
    ring = set(seeds)
    for hop in range(1, hops + 1):
        reached: set[str] = set()
        level, _ = around(store, kinds, ring, window, counting)
        for key, edge in _heavy(level, min_weight):
            found.edges.setdefault(key, edge)
            reached.update(end for end in (edge.source, edge.target) if end not in distance)
        if len(distance) + len(reached) > max_nodes:
            raise CostLimitExceeded(
                f"the network would have {len(distance) + len(reached)} nodes at hop {hop}, over "
                f"max_nodes={max_nodes}; ask for fewer hops, a higher min_weight, a narrower window or fewer "
                f"edge types, or raise max_nodes"
            )
        distance.update(dict.fromkeys(sorted(reached), hop))
        ring = reached
        if not ring:
            break
    # The last level: the edges between two nodes of the outermost ring (no hop has asked for them),
    # and every node's details.
    outermost = ring if len(ring) >= 2 else set()
    level, (info,) = around(
        store, kinds, outermost, window, counting, within=True, also=[q.details(q.nodes(distance), details)]
    )
    for key, edge in _heavy(level, min_weight):
        found.edges.setdefault(key, edge)
    nodes = _nodes(info, distance, set(seeds))
    edges = sorted(found.edges.values(), key=lambda e: (e.type.value, e.source, e.target))
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
    return Network(ordered, edges, seeds, counting, window, kinds)


def partners(
    store: Queryable,
    of: str,
    *,
    kinds: list[EdgeType] | None = None,
    window: Window | None = None,
    counting: Counting = Counting.FULL,
    first: int | None = None,
    details: Iterable[str] | None = None,
) -> list[Partner]:
    """The neighbours of ``of``, heaviest first (ties by label).

    ``kinds`` defaults to co-publications and instruments. A partner's weight is the sum of its
    edges' weights; its sources are the edges' graphs and its instruments' web pages. Hierarchy
    edges and internal co-publications (an organisation with its own parent or child) make no
    partner unless ``kinds`` holds ``HIERARCHY``. ``details``: as for ``network``. Two
    queries: the edges of all the kinds, then the partners' details.
    """
    (of,) = _checked([of], "node")
    window = window or Window()
    kinds = list(dict.fromkeys(kinds)) if kinds is not None else [EdgeType.COPUBLICATION, EdgeType.INSTRUMENT]
    if first is not None and first < 0:
        raise ValueError(f"first={first}: give a number of partners, 0 or more")
    found, _ = around(store, kinds, {of}, window, counting)
    by_partner: dict[str, list[Edge]] = defaultdict(list)
    for edge in found.edges.values():
        if edge.weight <= 0 or (edge.internal and EdgeType.HIERARCHY not in kinds):
            continue
        by_partner[edge.target if edge.source == of else edge.source].append(edge)
    info = q.ask(store, q.details(q.nodes(by_partner), details)) if by_partner else {}
    nodes = _nodes(info, dict.fromkeys(by_partner, 1), set())
    out = []
    for iri, edges in by_partner.items():
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
    return out if first is None else out[:first]


_STEP_ORDER = {EdgeType.INSTRUMENT: 0, EdgeType.COPUBLICATION: 1, EdgeType.HIERARCHY: 2}
Hop = tuple[str, Edge]  # the node one step nearer the side's origin, and the edge to it


def path(
    store: Queryable,
    source: str,
    target: str,
    *,
    max_hops: int = 3,
    include: list[EdgeType] | None = None,
    window: Window | None = None,
    limit: int = 20,
    max_nodes: int = 20000,
) -> list[Path]:
    """The shortest paths from ``source`` to ``target``, at most ``max_hops`` steps (4 at most).

    Breadth-first from both ends, always expanding the smaller side. Each step is one typed edge
    (a pair joined by two types gives one path per type); an instrument step names the instrument
    in ``via`` (the first by IRI when they share several). A shared partner is the middle node of
    a two-step path: ``Path.nodes[1]``, each of its steps naming the instrument it goes through.
    At most ``limit`` paths, those with instrument steps first; none when no path is that short.
    """
    if max_hops > MAX_PATH_HOPS:
        raise CostLimitExceeded(f"max_hops={max_hops} is over the limit of {MAX_PATH_HOPS}; ask for 4 or fewer")
    if max_hops < 1:
        raise ValueError(f"max_hops={max_hops}: give 1 to {MAX_PATH_HOPS}")
    source, target = _checked([source], "source")[0], _checked([target], "target")[0]
    if source == target:
        return [Path([source], [])]
    window = window or Window()
    kinds = list(dict.fromkeys(include)) if include is not None else list(EdgeType)
    distance: tuple[dict[str, int], dict[str, int]] = ({source: 0}, {target: 0})
    back: tuple[dict[str, list[Hop]], dict[str, list[Hop]]] = (defaultdict(list), defaultdict(list))
    rings = [{source}, {target}]
    depth = [0, 0]
    while depth[0] + depth[1] < max_hops:
        side = 0 if len(rings[0]) <= len(rings[1]) else 1
        reached: set[str] = set()
        level, _ = around(store, kinds, rings[side], window, Counting.FULL)
        for edge in level.edges.values():
            for near, far in ((edge.source, edge.target), (edge.target, edge.source)):
                if near in rings[side] and distance[side].get(far, depth[side] + 1) == depth[side] + 1:
                    distance[side][far] = depth[side] + 1
                    back[side][far].append((near, edge))
                    reached.add(far)
        depth[side] += 1
        rings[side] = reached
        if len(distance[0]) + len(distance[1]) > max_nodes:
            raise CostLimitExceeded(f"the path search reached over max_nodes={max_nodes} nodes; ask for fewer hops")
        meeting = sorted(n for n in rings[side] if n in distance[1 - side])
        if meeting:
            return _paths(source, meeting, back, limit)
        if not reached:
            return []
    return []


def _paths(
    source: str,
    meeting: list[str],
    back: tuple[dict[str, list[Hop]], dict[str, list[Hop]]],
    limit: int,
) -> list[Path]:
    def walk(node: str, side: int) -> Iterator[list[tuple[str, str, Edge]]]:
        """Every way from the side's origin to ``node``, as (from, to, edge) steps from that origin."""
        if not back[side].get(node):
            yield []
            return
        for near, edge in sorted(back[side][node], key=lambda h: (_STEP_ORDER[h[1].type], h[0])):
            for steps in walk(near, side):
                yield [*steps, (near, node, edge)]

    def candidates() -> Iterator[list[tuple[str, str, Edge]]]:
        for middle in meeting:
            for head in walk(middle, 0):
                for tail in walk(middle, 1):
                    yield head + [(b, a, edge) for a, b, edge in reversed(tail)]

    out = [
        Path([source] + [b for _, b, _ in steps], [PathStep(a, b, e.type, _via(e)) for a, b, e in steps])
        for steps in islice(candidates(), limit * 4)  # instrument steps come first; the rest is sorted below
    ]
    out.sort(key=lambda p: (sum(_STEP_ORDER[s.type] for s in p.steps), p.nodes, [s.type.value for s in p.steps]))
    return out[:limit]


def _via(edge: Edge) -> str | None:
    return edge.instruments[0] if edge.instruments else None


def trend(store: Queryable, a: str, b: str, *, counting: Counting = Counting.FULL) -> dict[int, float]:
    """Co-publications per year between ``a`` and ``b`` (institutions or countries), from the year
    graphs; years with none are absent. One query."""
    a, b = _checked([a], "node")[0], _checked([b], "node")[0]
    if a == b:
        return {}
    per_year: dict[int, float] = defaultdict(float)
    for link in q.ask(store, q.copublications(q.nodes([a, b]), None, within=True)):
        if {link.source, link.target} == {a, b}:
            per_year[link.year] += link.full if counting is Counting.FULL else link.fractional
    return {year: round(weight, 6) for year, weight in sorted(per_year.items())}
