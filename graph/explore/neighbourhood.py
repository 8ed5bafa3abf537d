"""The questions about what lies around nodes: ``network`` (breadth-first from seeds) and
``partners`` (the neighbours of one node); ``graph.explore`` says what they answer and cost."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from graph import Queryable
from graph.errors import BadArgument, CostLimitExceeded
from graph.explore import queries as q
from graph.explore.edges import Found, Key, around
from graph.explore.metrics import compute
from graph.explore.types import Counting, Edge, EdgeType, Metrics, Network, Node, Partner, Window

MAX_HOPS = 3


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


def _heavy(level: Found, min_weight: float) -> Iterator[tuple[Key, Edge]]:
    """The edges of a level that count in a network: of weight over 0 and at least ``min_weight``."""
    return ((key, edge) for key, edge in level.edges.items() if edge.weight > 0 and edge.weight >= min_weight)


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
    max_nodes: int = 2000,
    with_metrics: bool = True,
    details: Iterable[str] | None = None,
) -> Network:
    """The network around ``seeds`` up to ``hops`` away (see ``graph.explore``).

    ``with_metrics=False`` leaves every node's ``metrics`` at zero, for callers that do not show
    them (betweenness is the costliest step of a large network). ``details``: the groups of node
    details to read besides labels and classes (``q.DETAIL_GROUPS``: ``country``, ``ids``,
    ``region``; all when None); the others stay None.
    """
    if hops > MAX_HOPS:
        raise CostLimitExceeded(f"hops={hops} is over the limit of {MAX_HOPS}; ask for {MAX_HOPS} hops or fewer")
    if hops < 0:
        raise BadArgument(f"hops={hops}: give 0 to {MAX_HOPS}")
    seeds = q.checked_iris(seeds, "seed")
    if not seeds:
        raise BadArgument("no seed: give at least one institution or country IRI")
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
    (of,) = q.checked_iris([of], "node")
    window = window or Window()
    kinds = list(dict.fromkeys(kinds)) if kinds is not None else [EdgeType.COPUBLICATION, EdgeType.INSTRUMENT]
    if first is not None and first < 0:
        raise BadArgument(f"first={first}: give a number of partners, 0 or more")
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
