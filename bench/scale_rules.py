"""The co-publication ties of one organisation, recounted in plain Python from raw publication facts.

``bench.scale`` checks GraphQL's ``partners`` and ``trend`` against these figures. They follow the
counting rules of ``graph.links`` (its package docstring) but share none of its code: the facts are
read over ``/sparql`` as any client would (``read_facts``), and ``ties_of`` recounts them:

- a work counts for its earliest year, each tie once per work;
- an affiliation's levels that year: itself, then the parents of the level below
  (``org:subOrganizationOf`` or ``kg:supervisingBody``) whose edge holds that year (between the
  child's start and end dates) and which existed that year (between their own start, or ROR
  establishment year, and end), a body without such a parent staying itself; its organisation set
  is every level together;
- two affiliations are tied, internally when one is the other's ancestor; above them, a body that
  affiliation a reaches at level k and b's set lacks is tied to one b reaches at level k that a's
  set lacks;
- every organisation of the sets is tied to the work's countries other than its own;
- an organisation matched as one with a ROR organisation (``skos:exactMatch`` in the reconciliation
  graph) counts as that organisation: its affiliations, its parents and children, its countries,
  and its lifetime (the widest either states) are the ROR organisation's (``fold``).

A lab alone ties its CNRS to nothing (w1); with a university, it ties the CNRS to it (w2), and
with the CNRS itself on the byline, to the lab (internal: no partnership, w3). The lab's other
parent, a university created in 2016, gets no credit from its 2015 work with a Vietnamese
university (w4).

>>> facts = Facts(years={"w1": 2020, "w2": 2021, "w3": 2022, "w4": 2015},
...               affiliations={"w1": {"lab"}, "w2": {"lab", "uni"}, "w3": {"lab", "cnrs"}, "w4": {"lab", "vn"}},
...               countries={"w2": {"FR", "VN"}, "w4": {"FR", "VN"}}, homes={"cnrs": {"FR"}, "vn": {"VN"}},
...               parents={"lab": [("cnrs", None, None), ("uga", None, None)]}, lifetimes={"uga": (2016, None)})
>>> sorted((iri, tie.full, tie.internal) for iri, tie in ties_of(facts, "cnrs").items())
[('VN', 2, False), ('lab', 1, True), ('uni', 1, False), ('vn', 1, False)]
>>> ties_of(facts, "uga", 2015, 2015)
{}
>>> partners(ties_of(facts, "cnrs"))
[('VN', 2), ('uni', 1), ('vn', 1)]

Matched with "uni" (a ROR organisation), the HAL node "hal-uni" counts as it (w5):

>>> facts.years["w5"], facts.affiliations["w5"] = 2023, {"lab", "hal-uni"}
>>> partners(ties_of(fold(facts, {"hal-uni": "uni"}), "cnrs"))
[('VN', 2), ('uni', 2), ('vn', 1)]
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

Rows = list[dict[str, dict[str, str]]]
Select = Callable[[str], Rows]
"""Runs a SELECT query and returns all its rows (``bench.scale`` pages through the server's row cap)."""

PREFIXES = """PREFIX kg: <https://w3id.org/cnrs-kg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
# The raw facts, each an (x, y) pair of a query; ORDER BY makes LIMIT/OFFSET pages stable.
YEARS = "SELECT ?x ?y WHERE { ?x fabio:hasPublicationYear ?y } ORDER BY ?x ?y"
AFFILIATIONS = "SELECT ?x ?y WHERE { ?x kg:affiliatedInstitution ?y } ORDER BY ?x ?y"
COUNTRIES = "SELECT ?x ?y WHERE { ?x kg:affiliatedCountry ?y } ORDER BY ?x ?y"
HOMES = "SELECT ?x ?y WHERE { ?x kg:country ?y } ORDER BY ?x ?y"
HIERARCHY = """SELECT ?x ?y ?start ?end WHERE {
  ?x org:subOrganizationOf|kg:supervisingBody ?y FILTER(?x != ?y)
  OPTIONAL { ?x schema:startDate ?start } OPTIONAL { ?x schema:endDate ?end }
} ORDER BY ?x ?y ?start ?end"""
# The dates of the parents: when each existed (a start date or the year ROR says it was established).
PARENT_STARTS = """SELECT DISTINCT ?x ?y WHERE {
  ?c org:subOrganizationOf|kg:supervisingBody ?x . { ?x schema:startDate ?y } UNION { ?x kg:establishmentYear ?y }
} ORDER BY ?x ?y"""
PARENT_ENDS = """SELECT DISTINCT ?x ?y WHERE {
  ?c org:subOrganizationOf|kg:supervisingBody ?x . ?x schema:endDate ?y
} ORDER BY ?x ?y"""
# The organisations matched as one with a ROR organisation, in the graph the reconciliation writes
# (``graph.reconcile``; its name written here, as a client knows it, not imported).
SAME = """SELECT ?x ?y WHERE {
  GRAPH <https://w3id.org/cnrs-kg/graph/reconciliation/ror> { ?x skos:exactMatch ?y }
} ORDER BY ?x ?y"""

Span = tuple[int | None, int | None]


def _within(when: int, first: int | None, last: int | None) -> bool:
    return (first is None or first <= when) and (last is None or when <= last)


@dataclass
class Facts:
    """Works' earliest years, affiliated institutions and countries; organisations' own countries,
    parents (with the years each edge holds) and the years the parents existed (None: unbounded)."""

    years: dict[str, int]
    affiliations: dict[str, set[str]]
    countries: dict[str, set[str]]
    homes: dict[str, set[str]]
    parents: dict[str, list[tuple[str, int | None, int | None]]]
    lifetimes: dict[str, Span] = field(default_factory=dict)
    _climbs: dict[tuple[str, int], list[frozenset[str]]] = field(default_factory=dict)

    def climb(self, org: str, when: int) -> list[frozenset[str]]:
        """The levels of ``org`` in year ``when``: itself, its parents then, theirs..., until one repeats."""
        key = (org, when)
        if key not in self._climbs:
            found = [frozenset([org])]
            while True:
                above: set[str] = set()
                for node in found[-1]:
                    up = [
                        parent
                        for parent, start, end in self.parents.get(node, ())
                        if _within(when, start, end) and _within(when, *self.lifetimes.get(parent, (None, None)))
                    ]
                    above.update(up or [node])
                if frozenset(above) in found:
                    break
                found.append(frozenset(above))
            self._climbs[key] = found
        return self._climbs[key]


@dataclass
class Tie:
    """The works tying the seed to one partner: how many, per year, and whether the tie is internal."""

    full: int = 0
    internal: bool = False
    per_year: Counter[int] = field(default_factory=Counter)


def _year(value: str) -> int | None:
    return int(value[:4]) if value[:4].isdigit() else None


def _pairs(select: Select, query: str) -> list[tuple[str, str]]:
    return [(r["x"]["value"], r["y"]["value"]) for r in select(PREFIXES + query) if r["y"]["type"] != "bnode"]


def read_facts(select: Select) -> Facts:
    """The raw facts of every work and organisation in the store, the organisations matched with
    ROR folded into them (eight queries)."""
    years: dict[str, int] = {}
    for work, text in _pairs(select, YEARS):
        when = _year(text)
        if when is not None and when < years.get(work, 10_000):
            years[work] = when
    affiliations: dict[str, set[str]] = defaultdict(set)
    for work, org in _pairs(select, AFFILIATIONS):
        affiliations[work].add(org)
    countries: dict[str, set[str]] = defaultdict(set)
    for work, country in _pairs(select, COUNTRIES):
        countries[work].add(country)
    homes: dict[str, set[str]] = defaultdict(set)
    for org, country in _pairs(select, HOMES):
        homes[org].add(country)
    parents: dict[str, list[tuple[str, int | None, int | None]]] = defaultdict(list)
    for row in select(PREFIXES + HIERARCHY):
        start = _year(row["start"]["value"]) if "start" in row else None
        end = _year(row["end"]["value"]) if "end" in row else None
        edge = (row["y"]["value"], start, end)
        if edge not in parents[row["x"]["value"]]:
            parents[row["x"]["value"]].append(edge)
    facts = Facts(years, affiliations, countries, homes, parents, _lifetimes(select))
    return fold(facts, dict(_pairs(select, SAME)))


def fold(facts: Facts, same: dict[str, str]) -> Facts:
    """``facts`` with each organisation of ``same`` counted as the one it is matched with."""
    if not same:
        return facts
    parents: dict[str, list[tuple[str, int | None, int | None]]] = defaultdict(list)
    for child, edges in facts.parents.items():
        mine = same.get(child, child)
        for parent, start, end in edges:
            edge = (same.get(parent, parent), start, end)
            if edge[0] != mine and edge not in parents[mine]:
                parents[mine].append(edge)
    lifetimes: dict[str, Span] = {}
    for org, span in facts.lifetimes.items():
        key = same.get(org, org)
        lifetimes[key] = _widest(lifetimes[key], span) if key in lifetimes else span
    homes: dict[str, set[str]] = defaultdict(set)
    for org, places in facts.homes.items():
        homes[same.get(org, org)] |= places
    affiliations = {work: {same.get(org, org) for org in orgs} for work, orgs in facts.affiliations.items()}
    return Facts(facts.years, affiliations, facts.countries, dict(homes), dict(parents), lifetimes)


def _widest(a: Span, b: Span) -> Span:
    """From the earliest start to the latest end that either states (a bound neither states: none)."""
    firsts = [year for year in (a[0], b[0]) if year is not None]
    lasts = [year for year in (a[1], b[1]) if year is not None]
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)


def _lifetimes(select: Select) -> dict[str, Span]:
    """Each parent's first and last year: its earliest start and latest end (a date without a year,
    or none: unbounded)."""
    starts: dict[str, list[int | None]] = defaultdict(list)
    for org, text in _pairs(select, PARENT_STARTS):
        starts[org].append(_year(text))
    ends: dict[str, list[int | None]] = defaultdict(list)
    for org, text in _pairs(select, PARENT_ENDS):
        ends[org].append(_year(text))

    def bound(years: list[int | None], pick: Callable[[list[int]], int]) -> int | None:
        known = [year for year in years if year is not None]
        return pick(known) if known and len(known) == len(years) else None

    return {org: (bound(starts.get(org, []), min), bound(ends.get(org, []), max)) for org in {*starts, *ends}}


def ties_of(facts: Facts, seed: str, start: int | None = None, end: int | None = None) -> dict[str, Tie]:
    """The seed's co-publication ties (institutions and countries) over the works of ``start``-``end``."""
    ties: dict[str, Tie] = defaultdict(Tie)
    for work, when in facts.years.items():
        if (start is not None and when < start) or (end is not None and when > end):
            continue
        affiliations = facts.affiliations.get(work, set())
        climbs = {a: facts.climb(a, when) for a in affiliations}
        sets = {a: frozenset().union(*levels) for a, levels in climbs.items()}
        if not any(seed in found for found in sets.values()):
            continue
        for other, internal in _partners_in_work(seed, climbs, sets).items():
            tie = ties[other]
            tie.full += 1
            tie.per_year[when] += 1
            tie.internal |= internal
        for country in facts.countries.get(work, set()) - facts.homes.get(seed, set()):
            ties[country].full += 1
            ties[country].per_year[when] += 1
    return dict(ties)


def _partners_in_work(
    seed: str, climbs: dict[str, list[frozenset[str]]], sets: dict[str, frozenset[str]]
) -> dict[str, bool]:
    """Whom one work ties the seed to, once each, and whether the tie is internal (level 0 only)."""
    found: dict[str, bool] = {}
    for a, mine in climbs.items():
        for b, theirs in climbs.items():
            if a == b:
                continue
            if a == seed:
                found[b] = found.get(b, False) or b in sets[a] or a in sets[b]
            for level in range(1, max(len(mine), len(theirs))):
                here, there = mine[min(level, len(mine) - 1)], theirs[min(level, len(theirs) - 1)]
                if seed in here and seed not in sets[b]:
                    for other in there - sets[a]:
                        found.setdefault(other, False)
    return found


def partners(ties: dict[str, Tie]) -> list[tuple[str, int]]:
    """The partners (internal ties are none), heaviest first, as (IRI, works)."""
    found = [(iri, tie.full) for iri, tie in ties.items() if tie.full > 0 and not tie.internal]
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))
