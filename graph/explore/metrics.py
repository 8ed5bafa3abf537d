"""Node metrics of a selected network, with igraph (see ``graph.explore`` for what each one means).

igraph computes betweenness, PageRank and Louvain communities in C: the 2-hop network of the
CNRS (about 1,600 nodes) takes milliseconds, where networkx took seconds for betweenness alone
and needs SciPy for PageRank.

The same network gives the same metrics to the last bit, so that an export asked twice is the same
file: betweenness and PageRank are rounded to ``DIGITS`` significant digits (PageRank is an
iterative solution, good to about 1e-10; ten digits keep what it knows), weighted degrees to six
decimals. Rounding alone would not do: igraph's default PageRank solver (PRPACK) sums in parallel
threads and its last digits change from run to run, and a value near a rounding boundary would
still flip. PageRank is therefore asked of ARPACK, which runs in one thread from a start vector
drawn from igraph's random generator, seeded as Louvain's is (``SEED``), under a lock: the
generator is process-wide and a second thread would draw from it meanwhile.

>>> m = compute(["a", "b", "c"], [_Edge("a", "b", 2.0), _Edge("b", "c", 1.0)])
>>> m.degree, m.weighted_degree
({'a': 1, 'b': 2, 'c': 1}, {'a': 2.0, 'b': 3.0, 'c': 1.0})
>>> m.betweenness
{'a': 0.0, 'b': 1.0, 'c': 0.0}
>>> round(sum(m.pagerank.values()), 6)
1.0
"""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import igraph as ig

SEED = 42  # Louvain and ARPACK's start vector are randomised: a fixed seed gives the same answer twice
DIGITS = 10  # significant digits of betweenness and PageRank
_SEEDED = threading.Lock()  # igraph's random generator is one for the process


class _EdgeLike(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def weight(self) -> float: ...


@dataclass(frozen=True)
class _Edge:
    source: str
    target: str
    weight: float


class NodeMetrics:
    """Plain values per node IRI; ``graph.explore`` copies them into its ``Metrics``."""

    def __init__(self) -> None:
        self.degree: dict[str, int] = {}
        self.weighted_degree: dict[str, float] = {}
        self.betweenness: dict[str, float] = {}
        self.pagerank: dict[str, float] = {}
        self.community: dict[str, int] = {}


def compute(nodes: Sequence[str], edges: Sequence[_EdgeLike]) -> NodeMetrics:
    """Degree and weighted degree count every typed edge; the other metrics see one undirected edge per
    pair of nodes, weighted by the sum of its typed edges' weights. Betweenness counts hops (a weight is
    a strength, not a distance) and is normalised as networkx does: by (n-1)(n-2)/2 pairs."""
    out = NodeMetrics()
    names = sorted(nodes)
    out.degree = dict.fromkeys(names, 0)
    out.weighted_degree = dict.fromkeys(names, 0.0)
    index = {name: i for i, name in enumerate(names)}
    pairs: dict[tuple[int, int], float] = {}
    for edge in edges:
        for end in (edge.source, edge.target):
            out.degree[end] += 1
            out.weighted_degree[end] = round(out.weighted_degree[end] + edge.weight, 6)
        a, b = sorted((index[edge.source], index[edge.target]))
        pairs[(a, b)] = pairs.get((a, b), 0.0) + edge.weight
    n = len(names)
    if not n:
        return out
    graph = ig.Graph(n=n, edges=list(pairs), directed=False)
    weights = list(pairs.values())
    scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 0.0
    out.betweenness = {name: significant(value * scale) for name, value in zip(names, graph.betweenness(), strict=True)}
    with _SEEDED:
        ig.set_random_number_generator(random.Random(SEED))
        try:
            ranks = graph.pagerank(weights=weights or None, implementation="arpack")
            clusters = graph.community_multilevel(weights=weights or None)
        finally:
            ig.set_random_number_generator(random)
    out.pagerank = {name: significant(rank) for name, rank in zip(names, ranks, strict=True)}
    ordered = sorted((sorted(members) for members in clusters), key=lambda members: (-len(members), members[0]))
    for number, members in enumerate(ordered):
        for member in members:
            out.community[names[member]] = number
    return out


def significant(value: float, digits: int = DIGITS) -> float:
    """``value`` to ``digits`` significant digits.

    >>> significant(0.11509751495027223)
    0.115097515
    >>> significant(0.0)
    0.0
    """
    return float(f"{value:.{digits}g}")
