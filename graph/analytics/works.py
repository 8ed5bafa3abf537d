"""The works behind a figure: every work the counting rules count in the link between
two nodes (institutions or countries) over a window, each with the weight it adds under either
counting, so that the number of works listed is the link's full count and their weights add up to
its fractional count.

A figure of the network (``graph.explore``: a partner's or an edge's weight, a trend's years; an
instrument's phases and the agreement gaps, ``graph.analytics``) is a sum of the year links of one
pair of nodes. The link's kind follows from its ends: two institutions (``INST``, a tie), an
institution and a country (``INST_COUNTRY``), two countries (``COUNTRY``). Its works are found in
two steps, the second being the rules themselves, so the list cannot drift from the figures:

1. **Candidates**, by index lookups (``Backend.match``): the works naming, for each end, the country
   (``kg:affiliatedCountry``) or an institution under it (``kg:affiliatedInstitution``: the
   institution, every organisation below it in the hierarchy in any year, and every IRI reconciled
   with one of those). A work counted for the pair names something under both ends, so the works of
   the end with fewer statements are read first, both ends' lookups advancing together until one
   is done: the other end is never read whole (the CNRS's 400,000 works are not read to find its
   works with Viet Nam).
2. **The rules** (``graph.links.rules.count_work``, as ``graph.links.works`` counts): each candidate
   is read as the network's counting reads it (its earliest year, its reconciled affiliations, its
   countries) and counted alone; it is behind the figure when its links hold the pair and its year
   is in the window. Its weight is the link's tally from that work: 1 (full), its fraction
   (fractional).

Works are listed newest first, then by IRI: a stable order to page through. ``explain`` gives the
SPARQL of step 1 for ``/sparql`` (``EXPLAIN``), which lists the candidates; step 2 is what the rules
keep of them (the dated hierarchy, the levels, the ties; its comments say so).

The figures of a collaboration profile (``graph.analytics.profile``: a body's works of a kind, its
academic-corporate works, those with a partner country) are sums over the body's works as the profile
classifies them (``classified_works``, the profile's own reader); ``profile_works`` keeps those behind
one figure, each weighing 1 (full) or what ``profile.Tally`` adds for it (fractional).

A list is kept per store generation and question (``KEPT`` of them, ``KEPT_WORKS`` works in all): the
pages of one edge read it once.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Union

import pyoxigraph as ox

from graph import sparql
from graph.analytics.profile import KINDS as PROFILE_DECISION
from graph.analytics.profile import Classified, classified_works, context_of, units_of
from graph.backend import Backend
from graph.errors import BadArgument
from graph.explore.types import Counting, Window
from graph.links.queries import COUNTRY, INST, INST_COUNTRY
from graph.links.rules import Key, Tally, count_work
from graph.links.works import Context, earliest_year, work_objects
from ontology import KG, XSD, iris

__all__ = [
    "CORPORATE",
    "EXPLAIN",
    "KEPT",
    "PROFILE_KINDS",
    "CountedWork",
    "ProfileWorks",
    "WorksBehind",
    "explain",
    "link_key",
    "profile_works",
    "works_behind",
]

KEPT = 16  # lists kept per store (edges and figures asked for lately)
KEPT_WORKS = 1_000_000  # works kept in all those lists (some 170 MB), the oldest lists dropped first
STEP = 1_000  # statements read from one end before the other end's turn
COUNTRY_PREFIX = iris.ID + "country/"

# Step 1 for a user to run on /sparql: the works naming something under each end, with their earliest
# year, in the window, newest first. ``__A__`` / ``__B__``: the organisations under each end (or the
# country), ``__PA__`` / ``__PB__`` the predicate that names them, ``__WINDOW__`` the first and last year,
# ``__FIELD__`` the research field whose works only are counted (UNDEF: every work).
EXPLAIN = (
    sparql.PROLOGUE
    + """# The candidates behind a co-publication link (graph.analytics.works, step 1): the works naming
# something under each end (an institution, any organisation below it in the hierarchy in any year or
# reconciled with one; or the country), dated by their earliest year, in the window (and in the
# research field ?field, when one is bound).
# Step 2, not in SPARQL: the counting rules (graph.links) keep the works whose links hold the pair
# that year: the hierarchy as it stood then (dated edges, parents that existed), the levels of each
# affiliation, institution ties never within one affiliation's organisation set, the institution's
# own country left out of its country links. Their number is the link's full count.
SELECT ?work ?year ?doi WHERE {
  VALUES (?from ?to) { __WINDOW__ }
  {
    SELECT ?work (MIN(?y) AS ?year) WHERE {
      VALUES ?pa { __PA__ }
      VALUES ?a { __A__ }
      VALUES ?pb { __PB__ }
      VALUES ?b { __B__ }
      GRAPH ?ga { ?work ?pa ?a }
      GRAPH ?gb { ?work ?pb ?b }
      GRAPH ?gy { ?work fabio:hasPublicationYear ?when }
      BIND(xsd:integer(SUBSTR(STR(?when), 1, 4)) AS ?y)
      VALUES ?field { __FIELD__ }
      FILTER(!BOUND(?field) || EXISTS { ?work kg:researchField ?field })
    }
    GROUP BY ?work
  }
  FILTER((!BOUND(?from) || ?year >= ?from) && (!BOUND(?to) || ?year <= ?to))
  OPTIONAL { GRAPH ?gd { ?work bibo:doi ?doi } }
}
ORDER BY DESC(?year) ?work
"""
)


@dataclass(frozen=True)
class CountedWork:
    """A work behind a figure: the year it counts for, and what it adds to the link (full: 1)."""

    iri: str
    year: int
    fractional: float

    def weight(self, counting: Counting) -> float:
        return 1.0 if counting is Counting.FULL else self.fractional


@dataclass(frozen=True)
class WorksBehind:
    """The works behind the link ``key`` over ``window``, newest first, and how many candidates the
    lookups gave (what the rules were applied to)."""

    key: Key
    window: Window
    works: tuple[CountedWork, ...]
    candidates: int
    sides: tuple[tuple[str, ...], tuple[str, ...]]  # what the lookups of each end named (for ``explain``)
    field: str | None = None  # the research field whose works only are counted (None: every work)

    @property
    def full(self) -> int:
        return len(self.works)

    def weight(self, counting: Counting) -> float:
        """The link's weight over the window under ``counting``, as the network index sums it."""
        return round(sum(work.weight(counting) for work in self.works), 6)

    def explain(self) -> str:
        return explain(self.key, self.sides, self.window, self.field)


def is_country(iri: str) -> bool:
    return iri.startswith(COUNTRY_PREFIX)


def link_key(a: str, b: str) -> Key:
    """The key of the network link between two nodes, as ``count_work`` writes it (its ends in order).

    >>> link_key("https://w3id.org/cnrs-kg/id/country/VN", "https://w3id.org/cnrs-kg/id/org/ror/02feahw73")[0]
    'institution-country'
    """
    if a == b:
        raise BadArgument(f"between: both ends are <{a}>; give two different nodes")
    if is_country(a) and is_country(b):
        return (COUNTRY, min(a, b), max(a, b))
    if is_country(a) or is_country(b):
        country, inst = (a, b) if is_country(a) else (b, a)
        return (INST_COUNTRY, inst, country)
    return (INST, min(a, b), max(a, b))


def explain(key: Key, sides: tuple[tuple[str, ...], tuple[str, ...]], window: Window, field: str | None = None) -> str:
    """``EXPLAIN`` for the link ``key``: the organisations named under each end are bound as terms."""
    _, a, b = key

    def predicate(end: str) -> list[sparql.Term | None]:
        return [KG.affiliatedCountry if is_country(end) else KG.affiliatedInstitution]

    years = [(_year(window.start), _year(window.end))]
    return sparql.bind(
        EXPLAIN,
        WINDOW=years,
        PA=predicate(a),
        A=sparql.named_nodes(sides[0]),
        PB=predicate(b),
        B=sparql.named_nodes(sides[1]),
        FIELD=[None if field is None else ox.NamedNode(field)],
    )


def _year(year: int | None) -> ox.Literal | None:
    return None if year is None else ox.Literal(str(year), datatype=XSD.integer)


class _Ends:
    """The IRIs a work names for each end of a link, and the lookups that find its candidates."""

    def __init__(self, store: Backend, context: Context, key: Key) -> None:
        self.store, self.context, self.key = store, context, key
        self.spellings = context.spellings()
        self.sides = (self.under(key[1]), self.under(key[2]))
        self.named = (frozenset(self.sides[0]), frozenset(self.sides[1]))

    def under(self, end: str) -> tuple[str, ...]:
        """The country, or every IRI an affiliation crediting the institution can be written with."""
        if is_country(end):
            return (end,)
        return self.written(self.context, end, self.spellings)

    @staticmethod
    def written(context: Context, org: str, spellings: dict[str, list[str]]) -> tuple[str, ...]:
        """Every IRI an affiliation crediting ``org`` can be written with: it, every organisation below
        it in any year, and the IRIs reconciled with those (``spellings``)."""
        found: list[str] = []
        for unit in units_of(context.hierarchy, org):
            found.extend((unit, *sorted(spellings.get(unit, ()))))
        return tuple(dict.fromkeys(found))

    def lookups(self, side: tuple[str, ...]) -> Iterator[str]:
        """The works naming one of ``side``, each once per statement (a work may come again)."""
        predicate = KG.affiliatedCountry if len(side) == 1 and is_country(side[0]) else KG.affiliatedInstitution
        for iri in side:
            for quad in self.store.match(None, predicate, ox.NamedNode(iri)):
                if isinstance(quad.subject, ox.NamedNode):
                    yield quad.subject.value

    def names_both(self, named: set[str]) -> bool:
        """Whether a work naming ``named`` names something under each end (what ``EXPLAIN`` asks)."""
        return not named.isdisjoint(self.named[0]) and not named.isdisjoint(self.named[1])

    def candidates(self) -> set[str]:
        """The works of the end that runs out of statements first (see the module docstring): those
        that also name something under the other end are the candidates."""
        streams = [self.lookups(self.sides[0]), self.lookups(self.sides[1])]
        found: list[set[str]] = [set(), set()]
        while True:
            for number, stream in enumerate(streams):
                chunk = list(itertools.islice(stream, STEP))
                found[number].update(chunk)
                if len(chunk) < STEP:
                    return found[number]


@dataclass(frozen=True)
class Read:
    """A candidate as the network's counting reads it: its earliest year, affiliations (as stated) and countries."""

    iri: str
    year: int
    institutions: set[str]
    countries: set[str]


def read(store: Backend, work: str, window: Window, field: str | None = None) -> Read | None:
    """The candidate's facts (None: undated, dated outside the window, or not in ``field``, when one
    is given: its other facts are not read)."""
    node = ox.NamedNode(work)
    when = earliest_year(store, node, frozenset())
    if when is None or not window.contains(when):
        return None
    if field is not None and field not in work_objects(store, node, KG.researchField, frozenset()):
        return None
    institutions = work_objects(store, node, KG.affiliatedInstitution, frozenset())
    return Read(work, when, institutions, work_objects(store, node, KG.affiliatedCountry, frozenset()))


def counted(context: Context, work: Read, key: Key) -> CountedWork | None:
    """The work as the rules count it for the link ``key`` (None: it is not behind it)."""
    affiliations = {context.same.get(org, org) for org in work.institutions}
    table: dict[Key, Tally] = {}
    count_work(table, work.year, affiliations, work.countries, context.home, context.hierarchy)
    tally = table.get(key)
    return None if tally is None else CountedWork(work.iri, work.year, tally.fractional)


Asked = tuple[int, Key, Window, str | None]  # store generation, question, window, research field
Listed = Union["WorksBehind", "ProfileWorks"]
_CACHE: weakref.WeakKeyDictionary[object, OrderedDict[Asked, Listed]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _kept(store: Backend, asked: Asked) -> Listed | None:
    with _LOCK:
        kept = _CACHE.setdefault(store, OrderedDict())
        found = kept.get(asked)
        if found is not None:
            kept.move_to_end(asked)
        return found


def _keep(store: Backend, asked: Asked, listed: Listed) -> None:
    """Keeps the list, then drops the oldest ones past ``KEPT`` lists or ``KEPT_WORKS`` works in all."""
    with _LOCK:
        kept = _CACHE.setdefault(store, OrderedDict())
        kept[asked] = listed
        while len(kept) > 1 and (len(kept) > KEPT or sum(len(v.works) for v in kept.values()) > KEPT_WORKS):
            kept.popitem(last=False)


def works_behind(store: Backend, a: str, b: str, window: Window | None = None, field: str | None = None) -> WorksBehind:
    """The works behind the co-publication link between ``a`` and ``b`` (entity IRIs: institutions,
    as the network names them, or countries) over ``window``, of the research field ``field`` only
    when one is given (``graph.links.fields.field_iri``: a work counts fully in each of its fields,
    as the field tables count it); ``BadArgument`` for twice the same node."""
    window = window or Window()
    asked = (store.generation, link_key(a, b), window, field)
    if isinstance(kept := _kept(store, asked), WorksBehind):
        return kept
    context = context_of(store)
    key = link_key(context.same.get(a, a), context.same.get(b, b))  # a reconciled organisation counts as its ROR one
    ends = _Ends(store, context, key)
    candidates = [
        facts
        for iri in ends.candidates()
        if (facts := read(store, iri, window, field)) is not None
        and ends.names_both(facts.institutions | facts.countries)
    ]
    found = [work for facts in candidates if (work := counted(context, facts, key)) is not None]
    found.sort(key=lambda work: (-work.year, work.iri))
    result = WorksBehind(key, window, tuple(found), len(candidates), ends.sides, field)
    _keep(store, asked, result)
    return result


# -- the works behind a collaboration profile's figures -------------------------------------------

CORPORATE = "corporate"  # the academic-corporate works (of any kind)
PROFILE_KINDS = (*PROFILE_DECISION, CORPORATE)


# Step 1 of a profile's list for a user to run on /sparql: the body's works (``__UNITS__``: the body,
# every organisation below it in any year, and the IRIs reconciled with those), with their earliest
# year, in the window (``__WINDOW__``), newest first.
PROFILE_EXPLAIN = (
    sparql.PROLOGUE
    + """# The works of a body behind a figure of its collaboration profile (graph.analytics.works, step 1):
# the works naming the body or something under it (an organisation below it in the hierarchy in any
# year, or one reconciled with those), dated by their earliest year, in the window.
# Step 2, not in SPARQL: the profile's decision (graph.links.profiles.classify) keeps the works that are
# the body's that year (an affiliation is the body or its unit under the hierarchy as it stood then)
# and gives each its kind: international (a country of the work or of its affiliations is not the
# body's), else single (one affiliation), else national only (a partner affiliation), else
# institutional only; academic-corporate when a partner affiliation is a company. Their number is
# the figure under full counting.
SELECT ?work ?year ?doi WHERE {
  VALUES (?from ?to) { __WINDOW__ }
  {
    SELECT ?work (MIN(?y) AS ?year) WHERE {
      VALUES ?unit { __UNITS__ }
      GRAPH ?ga { ?work kg:affiliatedInstitution ?unit }
      GRAPH ?gy { ?work fabio:hasPublicationYear ?when }
      BIND(xsd:integer(SUBSTR(STR(?when), 1, 4)) AS ?y)
    }
    GROUP BY ?work
  }
  FILTER((!BOUND(?from) || ?year >= ?from) && (!BOUND(?to) || ?year <= ?to))
  OPTIONAL { GRAPH ?gd { ?work bibo:doi ?doi } }
}
ORDER BY DESC(?year) ?work
"""
)


@dataclass(frozen=True)
class ProfileWorks:
    """The works behind one figure of a body's collaboration profile over ``window``, newest first."""

    body: str
    kind: str | None  # one of ``PROFILE_KINDS``; None: every work of the body
    country: str | None  # a partner country: its international works with the body
    window: Window
    works: tuple[CountedWork, ...]
    units: tuple[str, ...] = ()  # the IRIs naming the body or something under it (for ``explain``)

    @property
    def full(self) -> int:
        return len(self.works)

    def weight(self, counting: Counting) -> float:
        return round(sum(work.weight(counting) for work in self.works), 6)

    def explain(self) -> str:
        """``PROFILE_EXPLAIN`` with the body's units and the window bound."""
        years = [(_year(self.window.start), _year(self.window.end))]
        return sparql.bind(PROFILE_EXPLAIN, WINDOW=years, UNITS=sparql.named_nodes(self.units))


def _profile_weight(found: Classified, kind: str | None, country: str | None) -> float | None:
    """What one of the body's works adds to the figure, fractional (None: it is not behind it), as
    ``profile.Tally.add`` adds it."""
    if country is not None and country not in found.partner_countries:
        return None
    if kind == CORPORATE:
        if not found.corporate:
            return None
    elif kind is not None and found.kind != kind:
        return None
    return found.share / len(found.partner_countries) if country is not None else found.share


def profile_works(
    store: Backend, body: str, window: Window | None = None, *, kind: str | None = None, country: str | None = None
) -> ProfileWorks:
    """The works behind a figure of ``body``'s collaboration profile (``graph.analytics.profile``): its
    works of ``kind`` (international, single, national, institutional, corporate; None: all), those
    with the partner ``country`` when given. ``BadArgument`` for another kind or a body without a country."""
    if kind is not None and kind not in PROFILE_KINDS:
        raise BadArgument(f"kind: {kind!r} is not one of {', '.join(PROFILE_KINDS)}")
    window = window or Window()
    asked = (store.generation, (PROFILE, body, f"{kind} {country}"), window, None)
    if isinstance(kept := _kept(store, asked), ProfileWorks):
        return kept
    found = [
        CountedWork(iri, classified.year, weight)
        for iri, classified in classified_works(store, body)
        if window.contains(classified.year) and (weight := _profile_weight(classified, kind, country)) is not None
    ]
    found.sort(key=lambda work: (-work.year, work.iri))
    context = context_of(store)
    ror = context.same.get(body, body)
    result = ProfileWorks(body, kind, country, window, tuple(found), _Ends.written(context, ror, context.spellings()))
    _keep(store, asked, result)
    return result


PROFILE = "profile"  # the kind of question a profile's list answers, in its key
