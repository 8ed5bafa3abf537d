"""Node metrics of a selected network, with networkx (see ``graph.explore`` for what each one means)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Protocol

import networkx as nx

SEED = 42  # Louvain and betweenness sampling are randomised: a fixed seed gives the same answer twice
EXACT_BETWEENNESS = 500  # above this many nodes, betweenness is estimated from this many sampled sources


class _EdgeLike(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def weight(self) -> float: ...


class NodeMetrics:
    """Plain values per node IRI; ``graph.explore`` copies them into its ``Metrics``."""

    def __init__(self) -> None:
        self.degree: dict[str, int] = {}
        self.weighted_degree: dict[str, float] = {}
        self.betweenness: dict[str, float] = {}
        self.pagerank: dict[str, float] = {}
        self.community: dict[str, int] = {}


def betweenness(graph: nx.Graph[str], sample: int = EXACT_BETWEENNESS) -> dict[str, float]:
    """Normalised betweenness by hops (a weight is a strength, not a distance), as
    ``nx.betweenness_centrality(graph, normalized=True)`` gives it, on plain lists (about ten times faster).

    Exact up to ``sample`` nodes; above, estimated from ``sample`` sources drawn with a fixed seed.

    >>> g = nx.path_graph(["a", "b", "c"])
    >>> betweenness(g)
    {'a': 0.0, 'b': 1.0, 'c': 0.0}
    """
    names = list(graph)
    n = len(names)
    index = {name: i for i, name in enumerate(names)}
    adjacent = [[index[v] for v in graph[u]] for u in names]
    sources = list(range(n))
    if n > sample:
        sources = sorted(random.Random(SEED).sample(sources, sample))
    score = [0.0] * n
    for s in sources:
        # Brandes: count shortest paths breadth-first, then add dependencies back from the farthest.
        distance = [-1] * n
        paths = [0] * n
        distance[s], paths[s] = 0, 1
        order = [s]
        for u in order:  # grows while it is read: a breadth-first queue
            next_distance = distance[u] + 1
            for v in adjacent[u]:
                if distance[v] < 0:
                    distance[v] = next_distance
                    order.append(v)
                if distance[v] == next_distance:
                    paths[v] += paths[u]
        dependency = [0.0] * n
        for w in reversed(order):
            previous = distance[w] - 1
            share = (1.0 + dependency[w]) / paths[w]
            for v in adjacent[w]:
                if distance[v] == previous:
                    dependency[v] += paths[v] * share
            if w != s:
                score[w] += dependency[w]
    scale = 1.0 / ((n - 1) * (n - 2)) * (n / len(sources)) if n > 2 else 0.0
    return {name: score[i] * scale for i, name in enumerate(names)}


def pagerank(graph: nx.Graph[str], alpha: float = 0.85, tolerance: float = 1e-9, rounds: int = 200) -> dict[str, float]:
    """PageRank by weight, by power iteration (``nx.pagerank`` needs SciPy, which the project does not ship).

    As networkx computes it: a node without edges jumps anywhere, and the values sum to 1.

    >>> g = nx.Graph()
    >>> g.add_edge("a", "b", weight=1.0)
    >>> g.add_node("c")
    >>> {n: round(v, 3) for n, v in pagerank(g).items()}
    {'a': 0.465, 'b': 0.465, 'c': 0.07}
    """
    names = list(graph)
    n = len(names)
    if n == 0:
        return {}
    index = {name: i for i, name in enumerate(names)}
    weighted = [[(index[v], d.get("weight", 1.0)) for v, d in graph[u].items()] for u in names]
    strength = [sum(w for _, w in row) for row in weighted]
    lonely = [i for i in range(n) if not strength[i]]
    rank = [1.0 / n] * n
    for _ in range(rounds):
        base = (1.0 - alpha) / n + alpha * sum(rank[i] for i in lonely) / n
        new = [base] * n
        for u, row in enumerate(weighted):
            if strength[u]:
                share = alpha * rank[u] / strength[u]
                for v, w in row:
                    new[v] += share * w
        change = sum(abs(a - b) for a, b in zip(new, rank, strict=True))
        rank = new
        if change < n * tolerance:
            break
    return {name: rank[i] for i, name in enumerate(names)}


def compute(nodes: Sequence[str], edges: Sequence[_EdgeLike]) -> NodeMetrics:
    """Degree and weighted degree count every typed edge; the other metrics see one undirected edge per
    pair of nodes, weighted by the sum of its typed edges' weights."""
    out = NodeMetrics()
    out.degree = dict.fromkeys(nodes, 0)
    out.weighted_degree = dict.fromkeys(nodes, 0.0)
    graph: nx.Graph[str] = nx.Graph()
    graph.add_nodes_from(sorted(nodes))
    for edge in edges:
        for end in (edge.source, edge.target):
            out.degree[end] += 1
            out.weighted_degree[end] = round(out.weighted_degree[end] + edge.weight, 6)
        if graph.has_edge(edge.source, edge.target):
            graph[edge.source][edge.target]["weight"] += edge.weight
        else:
            graph.add_edge(edge.source, edge.target, weight=edge.weight)
    if not nodes:
        return out
    out.betweenness = betweenness(graph)
    out.pagerank = pagerank(graph)
    communities = nx.community.louvain_communities(graph, weight="weight", seed=SEED)
    ordered = sorted((sorted(c) for c in communities), key=lambda members: (-len(members), members[0]))
    for number, members in enumerate(ordered):
        for member in members:
            out.community[member] = number
    return out
