"""Edges of one type around a set of nodes, as a ``Part`` of a level's query (see ``graph.explore``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
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


def year_rows(index: LinkIndex, around: set[str], window: Window, counting: Counting, *, within: bool) -> YearRows:
    """The year links with an end among ``around`` (both ends when ``within``) in the window."""
    numbers = index.numbers(sorted(around))
    every_year, every_source, every_target = index.columns()
    if within:  # both ends among the nodes: one pass over the columns
        rows = np.flatnonzero(np.isin(every_source, numbers) & np.isin(every_target, numbers))
    else:
        rows = index.rows_around(numbers)
    years, sources, targets = every_year[rows], every_source[rows], every_target[rows]
    keep = np.ones(len(years), dtype=np.bool_)
    if window.start is not None:
        keep &= years >= window.start
    if window.end is not None:
        keep &= years <= window.end
    rows = rows[keep]
    counts = index.years.full if counting is Counting.FULL else index.years.fractional
    return YearRows(
        index,
        years[keep],
        sources[keep],
        targets[keep],
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


def ties(rows: YearRows, around: set[str], min_weight: float = 0.0) -> Ties:
    """Each pair's weight in ``rows`` (of weight over 0 and at least ``min_weight``), seen from ``around``.

    A pair with both ends in ``around`` is given once each way round.
    """
    pairs = rows.pairs()
    unique, inverse = np.unique(pairs, return_inverse=True)
    totals = np.round(np.bincount(inverse, weights=np.round(rows.weights, 6), minlength=len(unique)), 6)
    internal = np.bincount(inverse, weights=rows.internal.astype(np.float64), minlength=len(unique)) > 0
    heavy = (totals > 0) & (totals >= min_weight)
    low, high = unique[heavy] >> NODE_BITS, unique[heavy] & ((1 << NODE_BITS) - 1)
    totals, internal = totals[heavy], internal[heavy]
    numbers = rows.index.numbers(sorted(around))
    low_in, high_in = np.isin(low, numbers), np.isin(high, numbers)
    return Ties(
        np.concatenate([low[low_in], high[high_in]]),
        np.concatenate([high[low_in], low[high_in]]),
        np.concatenate([totals[low_in], totals[high_in]]),
        np.concatenate([internal[low_in], internal[high_in]]),
    )


@cache
def _year_graph(year: int) -> str:
    return network_graph(str(year)).value


def copublications(rows: YearRows, only: set[tuple[str, str]] | None = None) -> Found:
    """The co-publication edges of the rows, one per pair (those of ``only`` when given)."""
    found = Found()
    if not len(rows.years):
        return found
    pairs = rows.pairs()
    order = np.lexsort((rows.years, pairs))
    pairs, years = pairs[order], rows.years[order]
    weights, internal = rows.weights[order], rows.internal[order]
    sources, targets = rows.sources[order], rows.targets[order]
    starts = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]])
    ends = np.r_[starts[1:], len(pairs)]
    iris = rows.index.nodes.iris
    # One row per pair and year (a link's key holds both): the year's weight is the row's.
    weights = np.round(weights, 6)
    totals = np.round(np.add.reduceat(weights, starts), 6).tolist() if len(starts) else []
    flagged = np.logical_or.reduceat(internal, starts).tolist() if len(starts) else []
    year_list, weight_list = years.tolist(), weights.tolist()
    source_list, target_list = sources[starts].tolist(), targets[starts].tolist()
    for i, (start, end) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        source, target = iris[source_list[i]], iris[target_list[i]]
        key = pair_of(source, target)
        if only is not None and key not in only:
            continue
        in_years = year_list[start:end]
        found.edges[(EdgeType.COPUBLICATION, *key)] = Edge(
            source=source,
            target=target,
            type=EdgeType.COPUBLICATION,
            weight=totals[i],
            first_year=in_years[0],
            last_year=in_years[-1],
            years=dict(zip(in_years, weight_list[start:end], strict=True)),
            internal=bool(flagged[i]),
            sources=[_year_graph(y) for y in in_years],  # years in order: their graphs' IRIs sort alike
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
            found.edges[(EdgeType.INSTRUMENT, a, b)] = Edge(
                source=a,
                target=b,
                type=EdgeType.INSTRUMENT,
                weight=float(len(active)),
                first_year=min(years) if years else None,
                last_year=max(years) if years else None,
                years=dict(sorted(years.items())),
                instruments=active,
                sources=sorted(sources),
            )
    return found


def _hierarchy(links: list[q.Parent], window: Window) -> Found:
    found = Found()
    for link in links:
        starts, ends = link.facts.years("start"), link.facts.years("end")
        start, end = (starts[0] if starts else None), (ends[-1] if ends else None)
        if not window.overlaps(start, end):
            continue
        years = _span_years(start, end, window)
        found.edges[(EdgeType.HIERARCHY, link.child, link.parent)] = Edge(
            source=link.child,
            target=link.parent,
            type=EdgeType.HIERARCHY,
            weight=1.0,
            first_year=min(years) if years else None,
            last_year=max(years) if years else None,
            years=years,
            sources=link.facts.get("graph"),
        )
    return found


def typed_edges(kind: EdgeType, around: set[str], window: Window, *, within: bool = False) -> q.Part[Found]:
    """The instrument or hierarchy edges with an end in ``around`` (both ends when ``within``), as a query part."""
    terms = q.nodes(around)
    others = terms if within else None
    if kind is EdgeType.INSTRUMENT:
        pairs = q.instruments(terms, others)
        return q.Part(pairs.select, lambda rows: _instrument(pairs.read(rows), window))
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
