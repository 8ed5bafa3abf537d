"""What every export format says about a network: flat node and edge records, titles, time spans.

The writers (``xml``, ``json``, ``tables``) turn these records into their syntax; keeping the fields
here means a column added once appears in every format.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from graph.explore import Edge, EdgeType, Network, Node

Scalar = str | int | float | bool
CREATOR = "cnrs-kg (https://w3id.org/cnrs-kg/)"
NODE_FIELDS = [
    "id",
    "label",
    "kind",
    "types",
    "country",
    "region",
    "ror",
    "hal",
    "openalex",
    "seed",
    "hops",
    "degree",
    "weighted_degree",
    "betweenness",
    "pagerank",
    "community",
    "url",
]
EDGE_FIELDS = [
    "id",
    "source",
    "target",
    "type",
    "weight",
    "first_year",
    "last_year",
    "internal",
    "instruments",
    "sources",
]


def node_record(node: Node) -> dict[str, Scalar | list[str] | None]:
    """One node's fields, in ``NODE_FIELDS`` order (None: unknown; lists stay lists)."""
    m = node.metrics
    return {
        "id": node.iri,
        "label": node.label,
        "kind": node.kind,
        "types": list(node.types),
        "country": node.country,
        "region": node.region,
        "ror": node.ror,
        "hal": node.hal,
        "openalex": node.openalex,
        "seed": node.seed,
        "hops": node.hops,
        "degree": m.degree,
        "weighted_degree": m.weighted_degree,
        "betweenness": m.betweenness,  # rounded where computed (graph.explore.metrics)
        "pagerank": m.pagerank,
        "community": m.community,
        "url": node.iri,  # entity IRIs dereference (w3id.org redirects to the linked-data pages)
    }


def edge_id(index: int) -> str:
    return f"e{index}"


def edge_record(index: int, edge: Edge) -> dict[str, Scalar | list[str] | None]:
    """One edge's fields, in ``EDGE_FIELDS`` order; the yearly weights are ``yearly(edge)``."""
    return {
        "id": edge_id(index),
        "source": edge.source,
        "target": edge.target,
        "type": edge.type.value,
        "weight": edge.weight,
        "first_year": edge.first_year,
        "last_year": edge.last_year,
        "internal": edge.internal,
        "instruments": list(edge.instruments),
        "sources": list(edge.sources),
    }


def yearly(edge: Edge) -> list[tuple[int, float]]:
    """The edge's weight per year, by year, years of zero weight left out."""
    return [(year, weight) for year, weight in sorted(edge.years.items()) if weight]


def flat(value: Scalar | list[str] | None) -> Scalar | None:
    """A field for formats whose values are scalars: lists joined by spaces (IRIs hold none)."""
    if isinstance(value, list):
        return " ".join(value)
    return value


def number(value: float) -> int | float:
    """An integral weight as an int (``3`` rather than ``3.0`` in text formats)."""
    return int(value) if float(value).is_integer() else value


def title(network: Network) -> str:
    seeds = [node.label for node in network.nodes if node.seed] or network.seeds
    return f"Collaboration network of {', '.join(seeds)}" if seeds else "Collaboration network"


def description(network: Network) -> str:
    """One paragraph: what was asked for and what the file holds."""
    window = network.window
    if window.start is None and window.end is None:
        years = "all years"
    else:
        years = f"years {window.start if window.start is not None else '...'}-{window.end or '...'}"
    kinds = ", ".join(t.value for t in network.include) or "none"
    return (
        f"{title(network)} ({', '.join(network.seeds)}): {years}, {network.counting.value} counting, "
        f"edge types {kinds}; {len(network.nodes)} nodes, {len(network.edges)} edges"
        f"{_omitted(network)}. "
        f"Exported by {CREATOR} from the CNRS international cooperation knowledge graph; "
        "each node's url is its linked-data page, each edge's sources the graphs stating it."
    )


def _omitted(network: Network) -> str:
    """What pruning left out, if anything.

    >>> from graph.explore import Counting, Window
    >>> _omitted(Network([], [], [], Counting.FULL, Window(), [], omitted=12, max_nodes=200))
    ' (12 more nodes left out: the 200 with the strongest ties are kept)'
    """
    if not network.omitted:
        return ""
    return f" ({network.omitted} more nodes left out: the {network.max_nodes} with the strongest ties are kept)"


def metadata(network: Network) -> dict[str, Scalar | list[str]]:
    """The selection itself (graph-level attributes)."""
    window = network.window
    meta: dict[str, Scalar | list[str]] = {
        "title": title(network),
        "description": description(network),
        "creator": CREATOR,
        "seeds": list(network.seeds),
        "counting": network.counting.value,
        "include": [t.value for t in network.include],
    }
    if window.start is not None:
        meta["from"] = window.start
    if window.end is not None:
        meta["to"] = window.end
    if network.max_nodes is not None:
        meta["maxNodes"] = network.max_nodes
    meta["omitted"] = network.omitted
    return meta


@dataclass(frozen=True)
class TimeSpan:
    """The years an export's timeline covers: used where an open end must be written as a year."""

    start: int
    end: int


def time_span(network: Network) -> TimeSpan | None:
    """The window, with open ends closed by the earliest and latest year any edge knows; None if no edge has one."""
    years: list[int] = []  # the earliest and latest year seen so far
    for edge in network.edges:
        seen = [year for year, weight in edge.years.items() if weight]
        seen.extend(y for y in (edge.first_year, edge.last_year) if y is not None)
        if seen:
            years = [min(seen), max(seen)] if not years else [min(years[0], *seen), max(years[1], *seen)]
    if not years and network.window.start is None and network.window.end is None:
        return None
    start = network.window.start if network.window.start is not None else min(years, default=network.window.end)
    end = network.window.end if network.window.end is not None else max(years, default=start)
    assert start is not None
    assert end is not None
    return TimeSpan(start, max(start, end))


def runs(years: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Consecutive years as closed intervals.

    >>> list(runs([2019, 2015, 2016, 2017]))
    [(2015, 2017), (2019, 2019)]
    """
    ordered = sorted(set(years))
    if not ordered:
        return
    start = previous = ordered[0]
    for year in ordered[1:]:
        if year != previous + 1:
            yield start, previous
            start = year
        previous = year
    yield start, previous


Points = list[tuple[int, float]]  # an edge's ``yearly`` weights


def edge_spells(edge: Edge, span: TimeSpan | None, points: Points | None = None) -> list[tuple[int, int]] | None:
    """When an edge exists: its years with weight (``points``, when the caller has them), else its
    first to last year; None: always."""
    years = [year for year, _ in (yearly(edge) if points is None else points)]
    if years:
        return list(runs(years))
    if (edge.first_year is None and edge.last_year is None) or span is None:
        return None
    start = edge.first_year if edge.first_year is not None else span.start
    end = edge.last_year if edge.last_year is not None else span.end
    return [(start, max(start, end))]


def node_spells(
    network: Network, span: TimeSpan | None, points: Sequence[Points] | None = None
) -> dict[str, list[tuple[int, int]] | None]:
    """When each node exists: the union of its edges' spells; None (always) for seeds, isolated
    nodes and nodes with an edge that is always there. ``points``: the edges' ``yearly`` weights,
    in their order, when the caller has them."""
    years: dict[str, set[int] | None] = {node.iri: set() for node in network.nodes}
    every: Sequence[Points | None] = [None] * len(network.edges) if points is None else points
    for edge, own in zip(network.edges, every, strict=True):
        spells = edge_spells(edge, span, own)
        covered = None if spells is None else [y for start, stop in spells for y in range(start, stop + 1)]
        for end in (edge.source, edge.target):
            known = years.get(end)
            if known is None:
                continue
            if covered is None:
                years[end] = None
            else:
                known.update(covered)
    seeds = {node.iri for node in network.nodes if node.seed}
    return {
        iri: None if found is None or not found or iri in seeds else list(runs(found)) for iri, found in years.items()
    }


def node_yearly(network: Network, points: Sequence[Points] | None = None) -> dict[str, dict[int, float]]:
    """Each node's weighted degree per year (the sum of its edges' yearly weights: ``points``, in
    the edges' order, when the caller has them)."""
    totals: dict[str, dict[int, float]] = {node.iri: {} for node in network.nodes}
    for index, edge in enumerate(network.edges):
        own = yearly(edge) if points is None else points[index]
        for end in (edge.source, edge.target):
            node = totals.get(end)
            if node is not None:
                for year, weight in own:
                    node[year] = node.get(year, 0.0) + weight
    return totals


def pair_weights(network: Network) -> dict[tuple[str, str], float]:
    """Edges merged per unordered pair of nodes (the sum of their weights), for formats with one link per pair."""
    merged: dict[tuple[str, str], float] = {}
    for edge in network.edges:
        a, b = sorted((edge.source, edge.target))
        merged[a, b] = merged.get((a, b), 0.0) + edge.weight
    return merged


def edge_types(network: Network) -> list[EdgeType]:
    return sorted({edge.type for edge in network.edges}, key=lambda t: t.value)
