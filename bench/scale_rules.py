"""The co-publication ties of one organisation, recounted in plain Python from raw publication facts.

``bench.scale`` checks GraphQL's ``partners`` and ``trend`` against these figures. They follow the
counting rules of ``graph.links`` (its module docstring) but share none of its code: the facts are
read over ``/sparql`` as any client would (``read_facts``), and ``ties_of`` recounts them:

- a work counts for its earliest year, once per organisation whatever the number of its labs;
- its affiliations are expanded with their ancestors (``org:subOrganizationOf`` or
  ``kg:supervisingBody``) valid that year (between the child's start and end dates);
- the seed and another organisation are tied when they are reached from different affiliations;
  the tie is internal when one is an ancestor of the other that year (no partnership);
- the seed is tied to every country of the work other than its own.

A lab alone ties its CNRS to nothing (w1); with a university, it ties the CNRS to it (w2), and
with the CNRS itself on the byline, to the lab (internal: no partnership, w3).

>>> facts = Facts(years={"w1": 2020, "w2": 2021, "w3": 2022},
...               affiliations={"w1": {"lab"}, "w2": {"lab", "uni"}, "w3": {"lab", "cnrs"}},
...               countries={"w2": {"FR", "VN"}}, homes={"cnrs": {"FR"}}, parents={"lab": [("cnrs", None, None)]})
>>> sorted((iri, tie.full, tie.internal) for iri, tie in ties_of(facts, "cnrs").items())
[('VN', 1, False), ('lab', 1, True), ('uni', 1, False)]
>>> partners(ties_of(facts, "cnrs"))
[('VN', 1), ('uni', 1)]
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


@dataclass
class Facts:
    """Works' earliest years, affiliated institutions and countries; organisations' own countries
    and parents (with the years each tie holds: None is unbounded)."""

    years: dict[str, int]
    affiliations: dict[str, set[str]]
    countries: dict[str, set[str]]
    homes: dict[str, set[str]]
    parents: dict[str, list[tuple[str, int | None, int | None]]]
    _ancestors: dict[tuple[str, int], frozenset[str]] = field(default_factory=dict)

    def ancestors(self, org: str, when: int) -> frozenset[str]:
        """Every organisation above ``org`` in year ``when`` (not itself)."""
        key = (org, when)
        if key not in self._ancestors:
            found: set[str] = set()
            todo = [org]
            while todo:
                for parent, start, end in self.parents.get(todo.pop(), ()):
                    holds = (start is None or start <= when) and (end is None or when <= end)
                    if holds and parent not in found:
                        found.add(parent)
                        todo.append(parent)
            found.discard(org)
            self._ancestors[key] = frozenset(found)
        return self._ancestors[key]


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
    """The raw facts of every work and organisation in the store (five queries)."""
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
    return Facts(years, affiliations, countries, homes, parents)


def ties_of(facts: Facts, seed: str, start: int | None = None, end: int | None = None) -> dict[str, Tie]:
    """The seed's co-publication ties (institutions and countries) over the works of ``start``-``end``."""
    ties: dict[str, Tie] = defaultdict(Tie)
    for work, when in facts.years.items():
        if (start is not None and when < start) or (end is not None and when > end):
            continue
        reach: dict[str, set[str]] = defaultdict(set)  # organisation -> the affiliations it is reached from
        for affiliation in facts.affiliations.get(work, ()):
            for org in {affiliation, *facts.ancestors(affiliation, when)}:
                reach[org].add(affiliation)
        if seed not in reach:
            continue
        mine = reach[seed]
        for other, theirs in reach.items():
            if other == seed or len(mine | theirs) < 2 or (len(mine) == 1 and mine == theirs):
                continue  # both reached from one single affiliation: not a co-publication
            tie = ties[other]
            tie.full += 1
            tie.per_year[when] += 1
            tie.internal |= other in facts.ancestors(seed, when) or seed in facts.ancestors(other, when)
        for country in facts.countries.get(work, set()) - facts.homes.get(seed, set()):
            ties[country].full += 1
            ties[country].per_year[when] += 1
    return dict(ties)


def partners(ties: dict[str, Tie]) -> list[tuple[str, int]]:
    """The partners (internal ties are none), heaviest first, as (IRI, works)."""
    found = [(iri, tie.full) for iri, tie in ties.items() if tie.full > 0 and not tie.internal]
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))
