"""Edges of one type around a set of nodes, as a ``Part`` of a level's query (see ``graph.explore``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graph import Queryable
from graph.explore import queries as q
from graph.explore.types import Counting, Edge, EdgeType, Window
from graph.sparql import Facts

MAX_WINDOW_YEARS = 300  # a bounded window names its year graphs in the query; a wider one filters instead

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


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _copublication(found_links: list[q.YearLink], window: Window, counting: Counting) -> Found:
    per_pair: dict[tuple[str, str], list[q.YearLink]] = defaultdict(list)
    for link in found_links:
        if window.contains(link.year):
            per_pair[_pair(link.source, link.target)].append(link)
    found = Found()
    for (a, b), links in per_pair.items():
        by_year: dict[int, float] = defaultdict(float)
        for link in links:
            by_year[link.year] += link.full if counting is Counting.FULL else link.fractional
        years_weights = {y: round(w, 6) for y, w in sorted(by_year.items())}
        found.edges[(EdgeType.COPUBLICATION, a, b)] = Edge(
            source=links[0].source,
            target=links[0].target,
            type=EdgeType.COPUBLICATION,
            weight=round(sum(years_weights.values()), 6),
            first_year=min(years_weights),
            last_year=max(years_weights),
            years=years_weights,
            internal=any(link.internal for link in links),
            sources=sorted({link.graph for link in links}),
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
        per_pair[_pair(shared.party, shared.other)][shared.instrument] = shared.facts
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


def typed_edges(
    kind: EdgeType,
    around: set[str],
    window: Window,
    counting: Counting,
    *,
    within: bool = False,
) -> q.Part[Found]:
    """The edges of one type with an end in ``around`` (both ends when ``within``), as a query part."""
    terms = q.nodes(around)
    others = terms if within else None
    if kind is EdgeType.COPUBLICATION:
        years = None
        if window.start is not None and window.end is not None and window.end - window.start < MAX_WINDOW_YEARS:
            years = list(range(window.start, window.end + 1))
        links = q.copublications(terms, years, within=within)
        return q.Part(links.select, lambda rows: _copublication(links.read(rows), window, counting))
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
    """The edges of ``kinds`` around ``nodes`` (see ``typed_edges``), and the answers of the parts
    ``also``, in one query."""
    parts: list[q.Part[Any]] = (
        [typed_edges(kind, nodes, window, counting, within=within) for kind in kinds] if nodes else []
    )
    answers = q.batch(store, [*parts, *(also or [])])
    found = Found()
    for answer in answers[: len(parts)]:
        found.update(answer)
    return found, answers[len(parts) :]
