"""Cooperation instruments against co-publications: each instrument's co-publications with each of its
partner parties before, during and after its active span, and the instruments that stay dormant.

**Sides.** An instrument (IRL, IRP, IRN, IEA, agreement... any ``kg:CooperationInstrument``) has
parties (``kg:hasParty`` memberships, ``org:member``). Its **CNRS side** is the CNRS laboratories
party to it (the parties below the CNRS in the hierarchy: ``org:subOrganizationOf`` or
``kg:supervisingBody``, one step or more), else the CNRS as a whole (``org/ror/02feahw73``): an
IRP's French labs, an IRL's or an agreement's CNRS. Its **partners** are its other parties (the
universities, agencies and companies abroad, and the French co-supervisors of an IRL). A party that
is the CNRS itself is on the CNRS side, never a partner.

**Co-publications.** Those of the network index (``graph.links``: the counting rules of its
docstring, organisations rolled up through the hierarchy as it stood each year), read as
``graph.explore.trend`` reads a pair: the year links between a CNRS-side node and the partner, full
and fractional, each year's figure rounded to 6 places. With several CNRS labs on the side, a
partner's figures add each lab's links with it: a work of two of the labs counts once per lab (the
index holds pairs, not works); in fractional counting the sum is the labs' shares, as it should be.

**Phases**, per partner, in whole years:

- the **active span** is the explorer's (``graph.explore``, ``INSTRUMENT`` edges): from the start
  year (else the signature year) to the end year, both included; without an end, to the year before
  its successor (``kg:predecessorInstrument``) starts, else, when ``kg:Ended``, to its last dated
  fact (start or renewal), else **open: active to the last year of data**. The partner's membership
  dates and those of the CNRS-side parties narrow it (the latest start, the earliest end);
- the **years of data** run from the first to the last year the network index holds (any pair);
- **before**: the years of data before the start year; **during**: the years of data from the start
  year to the end year (or the last year of data); **after**: the years of data after the end year
  (none for an open span). Each phase has its number of years (0 when the data do not reach it),
  its full and fractional co-publications, and their rate per year (None for a phase of 0 years);
- an instrument with neither start nor signature date cannot be placed in time: its phases are None
  and its co-publications are only given per year.

**Dormant instruments**: those active in the last year of data L (span started by then and not
ended before it) and active for each of the K years L-K+1..L, whose co-publications over those K
years, full counting, summed over its partners (so an upper bound of its distinct works), are fewer
than N. An instrument started within the K years is too young to be called dormant; one without a
partner party has nothing to count, and is left out.

The instruments and their parties are read in one query (``INSTRUMENT_FACTS``), and the hierarchy
as ``graph.links`` reads it (``read_hierarchy``), once per store generation; the figures come from
the index, in one pass over its rows for every instrument asked.

>>> phase = Phase(first=2015, last=2018, full=6.0, fractional=1.5)
>>> phase.years, phase.rate(), phase.rate(fractional=True)
(4, 1.5, 0.375)
>>> found = phases_of({2010: (1.0, 0.5), 2016: (2.0, 1.0), 2020: (4.0, 2.0)}, Span(2014, 2018), (2010, 2020))
>>> found.before, found.after.rate()
(Phase(first=2010, last=2013, full=1.0, fractional=0.5), 2.0)
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyoxigraph as ox

from graph import Queryable, sparql
from graph.backend import backend_behind
from graph.errors import BadArgument
from graph.explore.edges import _instrument_span, year_rows
from graph.explore.types import Counting, Window
from graph.links import LinkIndex, index_of, read_hierarchy
from graph.sparql import Facts
from ontology import iris

__all__ = [
    "CNRS",
    "INSTRUMENT_FACTS",
    "Catalogue",
    "Dormant",
    "Instrument",
    "PairYears",
    "PartnerCopublications",
    "Phase",
    "Phases",
    "Span",
    "catalogue",
    "data_years",
    "dormant_instruments",
    "instrument_copublications",
    "pair_years",
    "phases_of",
    "read_instruments",
]

CNRS = iris.ror_org(iris.CNRS_ROR).value

# Each instrument's own facts (tagged strings, read back by ``Facts``) and its parties, each with its
# membership dates and its country. The facts are those ``graph.explore.queries.INSTRUMENTS`` reads,
# so the span is the explorer's; "kind" and "country" besides.
INSTRUMENT_FACTS = (
    sparql.PROLOGUE
    + """SELECT ?inst ?facts ?party ?dates WHERE {
  { SELECT ?inst (GROUP_CONCAT(DISTINCT ?fact; separator="\\n") AS ?facts) WHERE {
      VALUES ?inst { __INSTRUMENTS__ }
      ?inst a kg:CooperationInstrument .
      { BIND("instrument yes" AS ?fact) }
      UNION { ?inst kg:instrumentKind ?v BIND(CONCAT("kind ", STR(?v)) AS ?fact) }
      UNION { ?inst kg:country ?v BIND(CONCAT("country ", STR(?v)) AS ?fact) }
      UNION { ?inst schema:startDate ?v BIND(CONCAT("start ", STR(?v)) AS ?fact) }
      UNION { ?inst kg:signatureDate ?v BIND(CONCAT("signed ", STR(?v)) AS ?fact) }
      UNION { ?inst kg:renewalDate ?v BIND(CONCAT("renewed ", STR(?v)) AS ?fact) }
      UNION { ?inst schema:endDate ?v BIND(CONCAT("end ", STR(?v)) AS ?fact) }
      UNION { ?inst kg:status ?v BIND(CONCAT("status ", STR(?v)) AS ?fact) }
      UNION { ?next kg:predecessorInstrument ?inst .
              { ?next schema:startDate ?v } UNION { ?next kg:signatureDate ?v }
              BIND(CONCAT("next ", STR(?v)) AS ?fact) }
    } GROUP BY ?inst }
  OPTIONAL {
    { SELECT ?inst ?party (GROUP_CONCAT(DISTINCT ?date; separator="\\n") AS ?dates) WHERE {
        ?inst kg:hasParty ?m . ?m org:member ?party .
        OPTIONAL { { ?m schema:startDate ?v BIND(CONCAT("party-start ", STR(?v)) AS ?date) }
                   UNION { ?m schema:endDate ?v BIND(CONCAT("party-end ", STR(?v)) AS ?date) }
                   UNION { ?party kg:country ?v BIND(CONCAT("party-country ", STR(?v)) AS ?date) } }
      } GROUP BY ?inst ?party }
  }
}"""
)


@dataclass(frozen=True)
class Span:
    """When an instrument is active, in years, both ends included; ``end`` None: open (to the last
    year of data); ``start`` None: it cannot be placed in time."""

    start: int | None
    end: int | None

    @property
    def dated(self) -> bool:
        return self.start is not None


@dataclass
class Instrument:
    """An instrument's facts and its two sides (see the module docstring)."""

    iri: str
    facts: Facts
    cnrs_side: list[str]
    partners: list[str]
    party_facts: dict[str, Facts] = field(default_factory=dict)

    @property
    def kinds(self) -> list[str]:
        return self.facts.get("kind")

    @property
    def countries(self) -> set[str]:
        """Its own country and its partners' countries."""
        found = set(self.facts.get("country"))
        for partner in self.partners:
            found.update(self.party_facts.get(partner, Facts()).get("party-country"))
        return found

    def span(self, partner: str | None = None) -> Span:
        """Its active span, for one partner (narrowed by the memberships' dates) or for itself."""
        tagged: dict[str, list[str]] = {tag: list(values) for tag, values in self.facts.by_tag.items()}
        for party in [*self.cnrs_side, *([partner] if partner is not None else [])]:
            for tag, values in self.party_facts.get(party, Facts()).by_tag.items():
                if tag in ("party-start", "party-end"):
                    tagged.setdefault(tag, []).extend(values)
        start, end = _instrument_span(Facts(tagged))  # the explorer's rule: its INSTRUMENT edges agree
        return Span(start, end)


@dataclass(frozen=True)
class Catalogue:
    """The store's instruments by IRI, and the organisation hierarchy downwards (any year)."""

    instruments: dict[str, Instrument]
    children: dict[str, list[str]]

    def below(self, roots: Iterable[str]) -> set[str]:
        """Every organisation below one of ``roots`` in the hierarchy, one step or more, any year."""
        found: set[str] = set()
        ring = list(roots)
        while ring:
            ring = [child for node in ring for child in self.children.get(node, ()) if child not in found]
            found.update(ring)
        return found


_CACHE: weakref.WeakKeyDictionary[object, tuple[int, Catalogue]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _read(queries: Queryable) -> Catalogue:
    children: dict[str, list[str]] = defaultdict(list)
    for child, edges in read_hierarchy(queries).parents.items():  # the hierarchy graph.links reads
        for parent, _, _ in edges:
            children[parent].append(child)
    known = Catalogue({}, dict(children))
    units = known.below([CNRS])
    result = queries.query(sparql.bind(INSTRUMENT_FACTS, INSTRUMENTS=sparql.ANY))
    assert isinstance(result, ox.QuerySolutions)
    facts: dict[str, Facts] = {}
    parties: dict[str, dict[str, Facts]] = defaultdict(dict)
    for row in result:
        inst, party = row["inst"], row["party"]
        if not isinstance(inst, ox.NamedNode):
            continue
        facts[inst.value] = Facts.parse(row["facts"].value if row["facts"] is not None else "")
        if isinstance(party, ox.NamedNode):
            parties[inst.value][party.value] = Facts.parse(row["dates"].value if row["dates"] is not None else "")
    for inst, own in facts.items():
        members = sorted(parties.get(inst, {}))
        labs = [party for party in members if party in units and party != CNRS]
        partners = [party for party in members if party not in units and party != CNRS]
        known.instruments[inst] = Instrument(inst, own, labs or [CNRS], partners, parties.get(inst, {}))
    return known


def catalogue(queries: Queryable) -> Catalogue:
    """The instruments, with their sides, and the hierarchy: read once per store generation."""
    store = backend_behind(queries)
    if store is None:
        return _read(queries)  # a plain endpoint: no generation to key a cache by
    generation = store.generation
    with _LOCK:
        kept = _CACHE.get(store)
    if kept is not None and kept[0] == generation:
        return kept[1]
    found = _read(queries)
    with _LOCK:
        _CACHE[store] = (generation, found)
    return found


def read_instruments(queries: Queryable) -> dict[str, Instrument]:
    """Every instrument of the store by IRI, with its sides (``catalogue``)."""
    return catalogue(queries).instruments


def data_years(index: LinkIndex) -> tuple[int, int] | None:
    """The first and last year the network index holds (None: it holds none)."""
    years, _, _ = index.columns()
    if not len(years):
        return None
    return int(years.min()), int(years.max())


PairYears = dict[int, tuple[float, float]]
"""A pair's co-publications per year: (full, fractional)."""


def pair_years(index: LinkIndex, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], PairYears]:
    """Each pair's co-publications per year, from the index (``graph.explore.trend``'s figures), in
    one pass over the rows among the pairs' nodes; a pair without any has an empty dict."""
    wanted = {pair for pair in pairs if pair[0] != pair[1]}
    found: dict[tuple[str, str], PairYears] = {pair: {} for pair in wanted}
    nodes = {node for pair in wanted for node in pair}
    if not nodes:
        return found
    full = year_rows(index, nodes, Window(), Counting.FULL, within=True)
    fractional = year_rows(index, nodes, Window(), Counting.FRACTIONAL, within=True)  # the same rows
    names = index.nodes.iris
    sums: dict[tuple[str, str], dict[int, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    for year, source, target, one, share in zip(
        full.years.tolist(),
        full.sources.tolist(),
        full.targets.tolist(),
        np.round(full.weights, 6).tolist(),
        np.round(fractional.weights, 6).tolist(),
        strict=True,
    ):
        a, b = names[source], names[target]
        pair = (a, b) if (a, b) in wanted else (b, a)
        if pair in wanted:
            cell = sums[pair][year]
            cell[0] += one
            cell[1] += share
    for pair, years in sums.items():
        found[pair] = {year: (round(v[0], 6), round(v[1], 6)) for year, v in sorted(years.items())}
    return found


@dataclass(frozen=True)
class Phase:
    """The co-publications of a phase: its years of data (``first`` to ``last``; none when
    ``last < first``) and their full and fractional counts."""

    first: int
    last: int
    full: float = 0.0
    fractional: float = 0.0

    @property
    def years(self) -> int:
        return max(self.last - self.first + 1, 0)

    def rate(self, *, fractional: bool = False) -> float | None:
        """Co-publications per year of the phase (None: the phase has no year of data)."""
        if not self.years:
            return None
        return round((self.fractional if fractional else self.full) / self.years, 6)


@dataclass(frozen=True)
class Phases:
    before: Phase
    during: Phase
    after: Phase


def phases_of(per_year: PairYears, span: Span, years: tuple[int, int]) -> Phases | None:
    """The figures of each phase (module docstring) of ``span`` over the years of data ``years``
    (None: the span cannot be placed in time)."""
    if span.start is None:
        return None
    first, last = years
    end = last if span.end is None else span.end
    bounds = {"before": (first, min(span.start - 1, last)), "during": (max(span.start, first), min(end, last))}
    bounds["after"] = (max(end + 1, first), last) if span.end is not None else (last + 1, last)
    sums = {name: [0.0, 0.0] for name in bounds}
    for year, (full, fractional) in per_year.items():
        for name, (low, high) in bounds.items():
            if low <= year <= high:
                sums[name][0] += full
                sums[name][1] += fractional
    made = {
        name: Phase(low, high, round(sums[name][0], 6), round(sums[name][1], 6)) for name, (low, high) in bounds.items()
    }
    return Phases(made["before"], made["during"], made["after"])


@dataclass(frozen=True)
class PartnerCopublications:
    """An instrument's co-publications with one partner: per year, and by phase of its span."""

    instrument: str
    partner: str
    cnrs_side: list[str]
    span: Span
    per_year: PairYears
    phases: Phases | None


def _side_years(found: dict[tuple[str, str], PairYears], side: Sequence[str], partner: str) -> PairYears:
    summed: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for node in side:
        for year, (full, fractional) in found.get((node, partner), {}).items():
            summed[year][0] += full
            summed[year][1] += fractional
    return {year: (round(v[0], 6), round(v[1], 6)) for year, v in sorted(summed.items())}


def instrument_copublications(queries: Queryable, instrument: str) -> list[PartnerCopublications]:
    """The co-publications of ``instrument`` (an IRI) with each of its partners, in partner IRI order
    (none without partners); ``BadArgument`` when the store holds no such instrument."""
    found = read_instruments(queries).get(instrument)
    if found is None:
        raise BadArgument(
            f"instrument: {instrument} is not a cooperation instrument of this store; give one, such as irl-ipal"
        )
    index = index_of(queries)
    years = data_years(index)
    counts = pair_years(index, [(node, partner) for partner in found.partners for node in found.cnrs_side])
    out = []
    for partner in found.partners:
        span = found.span(partner)
        per_year = _side_years(counts, found.cnrs_side, partner)
        phases = phases_of(per_year, span, years) if years is not None else None
        out.append(PartnerCopublications(found.iri, partner, list(found.cnrs_side), span, per_year, phases))
    return out


@dataclass(frozen=True)
class Dormant:
    """An active instrument with few co-publications over the last years of data."""

    instrument: str
    span: Span
    first: int  # the years looked at, both included
    last: int
    full: float  # over those years, summed over its partners
    fractional: float


def dormant_instruments(
    queries: Queryable, *, min_works: float = 1.0, years: int = 3, kinds: Sequence[str] = ()
) -> list[Dormant]:
    """The instruments active over each of the last ``years`` years of data with fewer than
    ``min_works`` co-publications (full counting) in those years, fewest first (then by IRI);
    ``kinds`` (``kg:instrumentKind`` IRIs) keeps those of these kinds (any when empty)."""
    if years < 1:
        raise BadArgument(f"years={years}: give a number of years, 1 or more")
    index = index_of(queries)
    bounds = data_years(index)
    if bounds is None:
        return []
    first, last = max(bounds[1] - years + 1, bounds[0]), bounds[1]
    active = []
    for instrument in read_instruments(queries).values():
        span = instrument.span()
        if kinds and not set(kinds) & set(instrument.kinds):
            continue
        if not instrument.partners or span.start is None or span.start > first:
            continue  # nothing to count, or not placed in time, or too young
        if span.end is not None and span.end < last:
            continue
        active.append((instrument, span))
    pairs = [
        (node, partner) for instrument, _ in active for partner in instrument.partners for node in instrument.cnrs_side
    ]
    counts = pair_years(index, pairs)
    out = []
    for instrument, span in active:
        full = fractional = 0.0
        for partner in instrument.partners:
            for year, (one, share) in _side_years(counts, instrument.cnrs_side, partner).items():
                if first <= year <= last:
                    full += one
                    fractional += share
        if full < min_works:
            out.append(Dormant(instrument.iri, span, first, last, round(full, 6), round(fractional, 6)))
    out.sort(key=lambda d: (d.full, d.instrument))
    return out
