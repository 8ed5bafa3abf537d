"""Agreement gaps: the partners that co-publish most with the CNRS in a window, yet take part in no
cooperation instrument with it that is active in that window; each with its co-publication trend.

**Partners** are the CNRS's co-publication ties in the network index (``graph.links``, counted by
the rules of its docstring; ``graph.explore.partners`` reads the same ties), internal ties (an
organisation with its own parent or unit) left out: at the institution level the institutions, at
the country level the countries (the CNRS's institution-country links: the countries of its works
other than France). Their weight is their co-publications with the CNRS over the window, under the
counting asked; those under ``min_works`` are left out.

**Covered** partners are left out too. An instrument is active in the window when its active span
(``graph.analytics.instruments``: the explorer's rule) meets the window; an undated one only for a
window unbounded on both sides. An institution is covered when it is a partner party of such an
instrument (any instrument of the store: each has the CNRS or CNRS labs on its side), or a unit
below one in the hierarchy (``org:subOrganizationOf`` or ``kg:supervisingBody``, one step or more:
a university's institute is covered by the university's IRL). A country is covered when such an
instrument is located there (``kg:country``) or one of its partner parties is.

**Places**: ``places_in`` (country, M49 region or group IRIs) keeps, at the institution level, the
partners located there (the organisations ``graph.explore.places.members`` gives a place), at the
country level the countries among them or in them (``places.countries``).

**Ranking**: most co-publications first, then by IRI; ``first`` of them, with ``total`` the number of
gaps in all. **Trend**: the partner's co-publications with the CNRS each year of the window (the
years with none are absent), and their least-squares slope in works per year over the window's
years of data (each year without works counts 0), positive when the ties grow.

>>> slope({2014: 1.0, 2016: 3.0}, (2014, 2016))
1.0
>>> slope({}, (2014, 2014))
0.0
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from graph import Queryable
from graph.analytics.instruments import CNRS, catalogue, data_years
from graph.errors import BadArgument
from graph.explore import places
from graph.explore import queries as q
from graph.explore.edges import YearRows, ties, year_rows
from graph.explore.types import Counting, Level, Window
from graph.links import index_of
from graph.links.fields import within

__all__ = ["Gap", "Gaps", "covered", "gaps", "slope"]


@dataclass(frozen=True)
class Gap:
    partner: str  # an institution or a country IRI
    works: float  # co-publications with the CNRS over the window, under the counting asked
    per_year: dict[int, float]
    slope: float


class Gaps(list[Gap]):
    """Gaps, most co-publications first: the ``first`` asked for, and ``total``, how many there are in all."""

    def __init__(self, found: list[Gap], total: int) -> None:
        super().__init__(found)
        self.total = total


def slope(per_year: dict[int, float], years: tuple[int, int]) -> float:
    """The least-squares slope of ``per_year`` over the years ``years`` (both included; 0 for one year)."""
    first, last = years
    if last <= first:
        return 0.0
    xs = np.arange(first, last + 1, dtype=np.float64)
    ys = np.array([per_year.get(int(x), 0.0) for x in xs], dtype=np.float64)
    return round(float(np.polyfit(xs - xs.mean(), ys, 1)[0]), 6)


def covered(queries: Queryable, window: Window, level: Level) -> set[str]:
    """The partners that an instrument active in ``window`` covers (module docstring)."""
    found: set[str] = set()
    known = catalogue(queries)
    for instrument in known.instruments.values():
        span = instrument.span()
        if span.start is None and window.bounded:
            continue  # undated: only an unbounded window can hold it
        if span.start is not None and not window.overlaps(span.start, span.end):
            continue
        found.update(instrument.countries if level is Level.COUNTRY else instrument.partners)
    if level is Level.INSTITUTION:
        found.update(known.below(found))
    return found


def _placed(queries: Queryable, candidates: set[str], level: Level, where: Sequence[str]) -> set[str]:
    if not where:
        return candidates
    if level is Level.COUNTRY:
        inside = set().union(*places.countries(queries, list(where)).values())
        return candidates & inside
    # The organisations of the places, read once: cheaper than the candidates (thousands) as VALUES.
    return candidates & set().union(*places.members(queries, list(where)).values())


def _trends(rows: YearRows, partners: list[str]) -> dict[str, dict[int, float]]:
    """Each partner's co-publications with the CNRS per year, from the rows around the CNRS."""
    index = rows.index
    numbers = {index.nodes.find(p): p for p in partners}
    cnrs = index.nodes.find(CNRS)
    sums: dict[str, dict[int, float]] = {p: defaultdict(float) for p in partners}
    wanted = np.array([n for n in numbers if n is not None], dtype=np.int64)
    keep = ((rows.sources == cnrs) & np.isin(rows.targets, wanted)) | (
        (rows.targets == cnrs) & np.isin(rows.sources, wanted)
    )
    far = np.where(rows.sources[keep] == cnrs, rows.targets[keep], rows.sources[keep])
    for year, node, weight in zip(
        rows.years[keep].tolist(), far.tolist(), np.round(rows.weights[keep], 6).tolist(), strict=True
    ):
        sums[numbers[node]][year] += weight
    return {p: {year: round(value, 6) for year, value in sorted(years.items())} for p, years in sums.items()}


def gaps(
    queries: Queryable,
    *,
    level: Level = Level.INSTITUTION,
    places_in: Sequence[str] = (),
    window: Window | None = None,
    counting: Counting = Counting.FULL,
    min_works: float = 1.0,
    first: int | None = 20,
    field: str | None = None,
) -> Gaps:
    """The CNRS's partners in no instrument active in ``window``, most co-publications first (see the
    module docstring): at most ``first`` (all when None), ``Gaps.total`` counting them all.
    ``field``: a research field (``graph.links.fields.field_iri``): the co-publications of its works only."""
    if first is not None and first < 0:
        raise BadArgument(f"first={first}: give a number of partners, 0 or more")
    if min_works < 0:
        raise BadArgument(f"minWorks={min_works}: give a number of works, 0 or more")
    window = window or Window()
    with within(field):
        index = index_of(queries)
    rows = year_rows(index, {CNRS}, window, counting, within=False)
    tied = ties(rows, {CNRS}, min_weight=min_works)
    is_country = level is Level.COUNTRY
    weights = {
        index.nodes.iris[far]: weight
        for far, weight, internal in zip(tied.far.tolist(), tied.weights.tolist(), tied.internal.tolist(), strict=True)
        if not internal and weight > 0 and index.nodes.iris[far].startswith(q.COUNTRY_BASE) is is_country
    }
    kept = _placed(queries, set(weights), level, places_in) - covered(queries, window, level)
    ranked = sorted(kept, key=lambda p: (-weights[p], p))
    chosen = ranked if first is None else ranked[:first]
    trends = _trends(rows, chosen)
    bounds = data_years(index) or (0, 0)
    years = (
        bounds[0] if window.start is None else max(window.start, bounds[0]),
        bounds[1] if window.end is None else min(window.end, bounds[1]),
    )
    found = [Gap(p, round(weights[p], 6), trends[p], slope(trends[p], years)) for p in chosen]
    return Gaps(found, len(ranked))
