"""The questions about a pair of nodes: ``path`` (the shortest ways from one to the other, searched
from both ends) and ``trend`` (their co-publications per year); see ``graph.explore``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import islice

from graph import Queryable
from graph.errors import BadArgument, CostLimitExceeded
from graph.explore import queries as q
from graph.explore.edges import around, year_rows
from graph.explore.types import DEFAULT_EDGE_TYPES, Counting, Edge, EdgeType, Path, PathStep, Window
from graph.links import index_of
from graph.links.fields import within

MAX_PATH_HOPS = 4

_STEP_ORDER = {EdgeType.INSTRUMENT: 0, EdgeType.COPUBLICATION: 1, EdgeType.HIERARCHY: 2, EdgeType.COSUPERVISION: 3}
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
        raise BadArgument(f"max_hops={max_hops}: give 1 to {MAX_PATH_HOPS}")
    source, target = q.checked_iris([source], "source")[0], q.checked_iris([target], "target")[0]
    if source == target:
        return [Path([source], [])]
    window = window or Window()
    kinds = list(dict.fromkeys(include)) if include is not None else list(DEFAULT_EDGE_TYPES)
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


def trend(
    store: Queryable, a: str, b: str, *, counting: Counting = Counting.FULL, field: str | None = None
) -> dict[int, float]:
    """Co-publications per year between ``a`` and ``b`` (institutions or countries), from the network
    index; years with none are absent. No query. ``field``: a research field
    (``graph.links.fields.field_iri``): the co-publications of its works only."""
    a, b = q.checked_iris([a], "node")[0], q.checked_iris([b], "node")[0]
    if a == b:
        return {}
    with within(field):
        index = index_of(store)
    rows = year_rows(index, {a, b}, Window(), counting, within=True)
    per_year: dict[int, float] = defaultdict(float)
    for year, weight in zip(rows.years.tolist(), rows.weights.tolist(), strict=True):
        per_year[year] += round(weight, 6)
    return {year: round(weight, 6) for year, weight in sorted(per_year.items())}
