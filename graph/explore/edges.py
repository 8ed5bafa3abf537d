"""Edges of one type around a set of nodes, as a ``Part`` of a level's query (see ``graph.explore``)."""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from graph import Queryable
from graph.explore import queries as q
from graph.explore.types import Counting, Edge, EdgeType, Window
from graph.links import LinkIndex, index_of, network_graph
from graph.links.table import NODE_BITS
from graph.sparql import Facts

Key = tuple[EdgeType, str, str]


@dataclass
class Found:
    edges: dict[Key, Edge] = field(default_factory=dict)
    pages: dict[str, list[str]] = field(default_factory=dict)  # instrument IRI -> its source web pages

    def update(self, other: Found) -> None:
        for key, edge in other.edges.items():
            self.edges.setdefault(key, edge)
        self.pages.update(other.pages)


def _this_year() -> int:
    return dt.date.today().year


def _span_years(start: int | None, end: int | None, window: Window) -> dict[int, float]:
    """Each year of a span within the window, up to this year (empty when the first year is unknown)."""
    first = start if window.start is None else window.start if start is None else max(start, window.start)
    last = min(y for y in (end, window.end, _this_year()) if y is not None)
    return {} if first is None else {y: 1.0 for y in range(first, last + 1)}


def pair_of(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True)
class YearRows:
    """Year links of the index around some nodes, within a window, as columns (one row per link-year)."""

    index: LinkIndex
    years: npt.NDArray[np.int64]
    sources: npt.NDArray[np.int64]  # node numbers
    targets: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float64]  # under the counting asked for
    internal: npt.NDArray[np.bool_]

    def pairs(self) -> npt.NDArray[np.int64]:
        """One number per unordered pair of ends."""
        low, high = np.minimum(self.sources, self.targets), np.maximum(self.sources, self.targets)
        return (low << NODE_BITS) | high


def members(index: LinkIndex, numbers: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """A flag per node number of the index: whether it is among ``numbers``."""
    flags = np.zeros(len(index.nodes.iris), dtype=np.bool_)
    flags[numbers] = True
    return flags


def year_rows(index: LinkIndex, around: set[str], window: Window, counting: Counting, *, within: bool) -> YearRows:
    """The year links with an end among ``around`` (both ends when ``within``) in the window."""
    numbers = index.numbers(sorted(around))
    every_year, every_source, every_target = index.columns()
    if within:  # both ends among the nodes: a look-up of each end, cheaper than np.isin or the rows around
        flags = members(index, numbers)
        rows = np.flatnonzero(flags[every_source] & flags[every_target])
    else:
        rows = index.rows_around(numbers)
    years = every_year[rows]
    if window.bounded:
        keep = np.ones(len(years), dtype=np.bool_)
        if window.start is not None:
            keep &= years >= window.start
        if window.end is not None:
            keep &= years <= window.end
        rows, years = rows[keep], years[keep]
    counts = index.years.full if counting is Counting.FULL else index.years.fractional
    return YearRows(
        index,
        years,
        every_source[rows],
        every_target[rows],
        np.asarray(counts[rows], dtype=np.float64),
        np.asarray(index.years.internal[rows]),
    )


@dataclass(frozen=True)
class Ties:
    """The co-publication ties of some nodes, one per pair, summed over the window: ``near`` among
    the nodes asked about, ``far`` the other end (node numbers), ``internal`` if a year says so."""

    near: npt.NDArray[np.int64]
    far: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float64]
    internal: npt.NDArray[np.bool_]


def _summed(bins: npt.NDArray[np.int64], weights: npt.NDArray[np.float64], size: int) -> npt.NDArray[np.float64]:
    return np.bincount(bins, weights=weights, minlength=size).astype(np.float64, copy=False)


DENSE_CELLS = 2_000_000  # (near, far) cells summed in one array (16 MB); beyond, the cells are sorted


def ties(rows: YearRows, around: set[str], min_weight: float = 0.0) -> Ties:
    """Each pair's weight in ``rows`` (of weight over 0 and at least ``min_weight``), seen from ``around``,
    by near then far node number (so a far node's ties come in the order of their near ends).

    A pair with both ends in ``around`` is given once each way round. A pair seen from a near end
    is a cell ``(near, far)``, summed by ``np.bincount``: in one array when there are few cells (no
    sort, the costly step of a ring of hundreds of nodes over millions of rows), else over the
    sorted cells. A pair's weight, a sum of weights rounded to 6 places rounded again, is the same
    in any order of addition.
    """
    nodes = len(rows.index.nodes.iris)
    numbers = np.unique(rows.index.numbers(sorted(around)))
    size = len(numbers) * nodes
    local = np.full(nodes, -1, dtype=np.int64)
    local[numbers] = np.arange(len(numbers))
    weights = np.round(rows.weights, 6)
    # Each row is a cell from each end among the nodes (``size``: none); a loop is one tie.
    near_source, near_target = local[rows.sources], local[rows.targets]
    from_source = np.where(near_source >= 0, near_source * nodes + rows.targets, size)
    from_target = np.where(
        (near_target >= 0) & (rows.sources != rows.targets), near_target * nodes + rows.sources, size
    )
    flagged_rows = np.flatnonzero(rows.internal)  # few: an organisation and its parent
    flagged_cells = np.concatenate([from_source[flagged_rows], from_target[flagged_rows]])
    if size <= DENSE_CELLS:
        totals = _summed(from_source, weights, size + 1) + _summed(from_target, weights, size + 1)
        found = np.flatnonzero(totals[:size])
        totals = totals[found]
    else:
        cells = np.concatenate([from_source, from_target])
        found, inverse = np.unique(cells, return_inverse=True)
        totals = _summed(inverse, np.concatenate([weights, weights]), len(found))
        totals, found = totals[found < size], found[found < size]
    totals = np.round(totals, 6)
    heavy = (totals > 0) & (totals >= min_weight)
    found, totals = found[heavy], totals[heavy]
    return Ties(numbers[found // nodes], found % nodes, totals, np.isin(found, flagged_cells))


@cache
def _year_graph(year: int) -> str:
    return network_graph(str(year)).value


def _year_graphs(years: npt.NDArray[np.int64]) -> list[str]:
    """The year graph of each row, looked up in a table of the years' range (a few dozen IRIs)."""
    first = int(years.min())
    table = np.array([_year_graph(year) for year in range(first, int(years.max()) + 1)], dtype=object)
    graphs: list[str] = table[years - first].tolist()
    return graphs


@contextmanager
def kept_objects() -> Iterator[None]:
    """Pauses the garbage collector while making objects that are all kept (an answer's edges).

    A collection during such a loop frees nothing, yet tens of thousands of new objects set off
    several, each visiting every object of the process: a third of a network's time. Only the
    thread that paused it resumes it, so concurrent loops leave it as they found it.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def copublications(rows: YearRows, only: set[tuple[str, str]] | None = None) -> Found:
    """The co-publication edges of the rows, one per pair (those of ``only`` when given).

    Tens of thousands of edges for a network of 200 nodes: the rows are grouped by pair in NumPy, and
    each edge is made from slices of lists converted once (its years, weights and graphs).
    """
    found = Found()
    if not len(rows.years):
        return found
    pairs = rows.pairs()
    order = np.lexsort((rows.years, pairs))
    pairs, years = pairs[order], rows.years[order]
    weights, internal = rows.weights[order], rows.internal[order]
    starts = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]])
    ends = np.r_[starts[1:], len(pairs)]
    iris = rows.index.nodes.iris
    # One row per pair and year (a link's key holds both): the year's weight is the row's.
    weights = np.round(weights, 6)
    totals = np.round(np.add.reduceat(weights, starts), 6).tolist()
    flagged = np.logical_or.reduceat(internal, starts).tolist()
    year_list, weight_list, graph_list = years.tolist(), weights.tolist(), _year_graphs(years)
    sources = [iris[n] for n in rows.sources[order][starts].tolist()]
    targets = [iris[n] for n in rows.targets[order][starts].tolist()]
    edges, kind = found.edges, EdgeType.COPUBLICATION
    with kept_objects():
        for source, target, start, end, total, internal_tie in zip(
            sources, targets, starts.tolist(), ends.tolist(), totals, flagged, strict=True
        ):
            key = (kind, source, target) if source <= target else (kind, target, source)
            if only is not None and key[1:] not in only:
                continue
            edges[key] = Edge(
                source,
                target,
                kind,
                total,
                year_list[start],
                year_list[end - 1],
                dict(zip(year_list[start:end], weight_list[start:end], strict=True)),
                [],
                internal_tie,
                graph_list[start:end],  # years in order: their graphs' IRIs sort alike
            )
    return found


def _instrument_span(facts: Facts) -> tuple[int | None, int | None]:
    """When an instrument is active (see ``graph.explore``); start None: it cannot be placed in time."""
    starts = facts.years("start") or facts.years("signed")
    start = starts[0] if starts else None
    ends = facts.years("end")
    end = ends[-1] if ends else None
    if end is None and facts.years("next"):
        end = facts.years("next")[0] - 1
    elif end is None and any(status.endswith("#Ended") for status in facts.get("status")):
        dated = facts.years("renewed") + ([start] if start is not None else [])
        end = max(dated) if dated else None
    if start is not None and end is not None:
        end = max(end, start)
    party_starts, party_ends = facts.years("party-start"), facts.years("party-end")
    if party_starts and start is not None:
        start = max(start, party_starts[-1])
    if party_ends:
        end = party_ends[0] if end is None else min(end, party_ends[0])
    return start, end


def _instrument(pairs: list[q.Shared], window: Window) -> Found:
    per_pair: dict[tuple[str, str], dict[str, Facts]] = defaultdict(dict)
    found = Found()
    for shared in pairs:
        per_pair[pair_of(shared.party, shared.other)][shared.instrument] = shared.facts
        found.pages[shared.instrument] = shared.facts.get("page")
    for (a, b), instruments in per_pair.items():
        active: list[str] = []
        years: dict[int, float] = defaultdict(float)
        sources: set[str] = set()
        for instrument, facts in sorted(instruments.items()):
            start, end = _instrument_span(facts)
            if start is None and window.bounded:
                continue  # undated: only an unbounded window can hold it
            if start is not None and ((end is not None and end < start) or not window.overlaps(start, end)):
                continue
            active.append(instrument)
            sources.update(facts.get("graph"))
            if start is not None:
                for year in _span_years(start, end, window):
                    years[year] += 1.0
        if active:
            edge = _dated(EdgeType.INSTRUMENT, a, b, float(len(active)), years, sorted(sources))
            edge.instruments = active
            found.edges[(EdgeType.INSTRUMENT, a, b)] = edge
    return found


def _dated(
    kind: EdgeType, source: str, target: str, weight: float, years: dict[int, float], sources: list[str]
) -> Edge:
    """An edge of ``kind`` whose first and last years are those of ``years`` (None when it has none)."""
    return Edge(
        source=source,
        target=target,
        type=kind,
        weight=weight,
        first_year=min(years) if years else None,
        last_year=max(years) if years else None,
        years=dict(sorted(years.items())),
        sources=sources,
    )


def _hierarchy(links: list[q.Parent], window: Window) -> Found:
    found = Found()
    for link in links:
        starts, ends = link.facts.years("start"), link.facts.years("end")
        start, end = (starts[0] if starts else None), (ends[-1] if ends else None)
        if not window.overlaps(start, end):
            continue
        years = _span_years(start, end, window)
        found.edges[(EdgeType.HIERARCHY, link.child, link.parent)] = _dated(
            EdgeType.HIERARCHY, link.child, link.parent, 1.0, years, link.facts.get("graph")
        )
    return found


def _cosupervision(units: list[q.Cosupervised], window: Window) -> Found:
    """One edge per pair of bodies: the units they both supervise in the window (their dates: the
    unit's), weight their number, ``years`` how many each year."""
    per_pair: dict[tuple[str, str], dict[str, q.Cosupervised]] = defaultdict(dict)
    for unit in units:
        per_pair[pair_of(unit.body, unit.other)][unit.unit] = unit
    found = Found()
    for (a, b), shared in per_pair.items():
        count = 0
        years: dict[int, float] = defaultdict(float)
        sources: set[str] = set()
        for unit in shared.values():
            starts, ends = unit.facts.years("start"), unit.facts.years("end")
            start, end = (starts[0] if starts else None), (ends[-1] if ends else None)
            if not window.overlaps(start, end):
                continue
            count += 1
            sources.update(unit.facts.get("graph"))
            for year in _span_years(start, end, window):
                years[year] += 1.0
        if count:
            found.edges[(EdgeType.COSUPERVISION, a, b)] = _dated(
                EdgeType.COSUPERVISION, a, b, float(count), years, sorted(sources)
            )
    return found


def typed_edges(kind: EdgeType, around: set[str], window: Window, *, within: bool = False) -> q.Part[Found]:
    """The instrument, hierarchy or co-supervision edges with an end in ``around`` (both ends when
    ``within``), as a query part."""
    terms = q.nodes(around)
    others = terms if within else None
    if kind is EdgeType.INSTRUMENT:
        pairs = q.instruments(terms, others)
        return q.Part(pairs.select, lambda rows: _instrument(pairs.read(rows), window))
    if kind is EdgeType.COSUPERVISION:
        units = q.cosupervision(terms, others)
        return q.Part(units.select, lambda rows: _cosupervision(units.read(rows), window))
    parents = q.hierarchy(terms, others)
    return q.Part(parents.select, lambda rows: _hierarchy(parents.read(rows), window))


def around(
    store: Queryable,
    kinds: list[EdgeType],
    nodes: set[str],
    window: Window,
    counting: Counting,
    *,
    within: bool = False,
    also: list[q.Part[Any]] | None = None,
) -> tuple[Found, list[Any]]:
    """The edges of ``kinds`` around ``nodes``, and the answers of the parts ``also``: co-publications
    from the network index (``graph.links.index``), the other kinds and ``also`` in one query."""
    sparql_kinds = [kind for kind in kinds if kind is not EdgeType.COPUBLICATION]
    parts: list[q.Part[Any]] = (
        [typed_edges(kind, nodes, window, within=within) for kind in sparql_kinds] if nodes else []
    )
    answers = q.batch(store, [*parts, *(also or [])])
    found = Found()
    if nodes and EdgeType.COPUBLICATION in kinds:
        found.update(copublications(year_rows(index_of(store), nodes, window, counting, within=within)))
    for answer in answers[: len(parts)]:
        found.update(answer)
    return found, answers[len(parts) :]
