"""A body's collaboration profile: which share of its works, per year and over a window, is
international, national only, institutional only or single, which share is co-published with a
company, and which countries its international works involve.

The definitions are those of SciVal's *Collaboration* metric and the CWTS Leiden Ranking's
collaboration indicators, at the level of organisations:

- SciVal (Elsevier, *Research Metrics Guidebook*, "Collaboration"; also a Snowball Metric) puts each
  publication of an entity in exactly one of four types by a cascading decision on its
  affiliations, so that the four add up to 100 %: **international** (institutions in more than one
  country), else **national** (several institutions, all in the entity's country), else
  **institutional** (several authors, all of the entity), else **single authorship**.
- The Leiden Ranking (CWTS, "Indicators", leidenranking.com/information/indicators) counts P(collab),
  a university's publications co-authored with another organisation, P(int collab), those
  co-authored by two or more countries, and P(industry), those co-authored with an industrial
  organisation; in its fractional counting a publication counts for a university by the share of
  the publication's affiliations that are the university's.

Here, for a body B (the CNRS by default; any institution), with the dated hierarchy and the
reconciliation of ``graph.links`` (``Context``): a work is B's when one of its affiliations is B or
one of B's units that year (B is among the affiliation's organisation set, ``Hierarchy.levels``);
its countries are those it states (``kg:affiliatedCountry``) and those of its affiliations
(``kg:country``). In this order:

1. **international**: one of its countries is not B's own;
2. **single**: one affiliation (SciVal splits institutional and single by authors; the works here
   are counted by affiliations, as the network is, so one affiliation is single);
3. **national only**: several affiliations, one at least not B nor a unit of B;
4. **institutional only**: several affiliations, all B or its units.

Where the data forces a choice:

- a partner affiliation without any known country cannot make a work international: the work is
  counted national only, as the evidence says, and counted in ``without_country`` so that the
  figure can be read with its doubt (SciVal leaves such works out; leaving them out here would
  make the shares depend on which records happen to carry a country);
- a unit of B located abroad (an IRL in Singapore) makes a work international, as its address
  would in the Leiden Ranking;
- B must have a country (``kg:country``): without one, nothing can be told international.

Counting: full counting adds 1 per work; fractional counting adds B's share of the work's
affiliations, k/n (k of its n distinct affiliations are B or B's units), as the fractions of
``graph.links.rules`` give each affiliation 1/n of a work. Each year's four shares sum to 1 in
either counting. **Academic-corporate**: a work with a partner affiliation (not B's) whose
``kg:organisationType`` is ``kg:Company`` (ROR's and OpenAlex's type "company"). **Partner
countries**: each country of an international work other than B's counts the work once (full), or
B's share divided by the number of such countries (fractional, as ``rules`` splits an
institution's country links): over the countries they add up to the international works.

Where the figures come from: the decision (``classify``) is ``graph.links.profiles``'s, and so are
the yearly tallies of every organisation with a country, counted with the network at each load
and refresh (``LinkTable.profiles``): a profile is then the body's rows of the network index (1M
works: milliseconds). Without them (the network stale, or an index written before profiles were
counted) the body's works are read as ``graph.links.works`` reads them, by index lookups, one work
at a time: those naming B or one of its units (every body below B in the hierarchy, any year), unit
by unit; a work reached again through another unit is skipped by its affiliations alone, so memory
holds the yearly tallies and the works of one unit, never all of them. The works behind a figure
(``graph.analytics.works``) are always read that way (``classified_works``). A profile is kept per
store generation and body (``PROFILES`` of them), and the context per store generation: any window
and either counting is then a sum of years, and a write to the store makes the next profile anew.

>>> tally = Tally()
>>> tally.add(Classified(2020, INTERNATIONAL, 0.5, frozenset({"VN"}), corporate=False, without_country=False))
>>> tally.add(Classified(2020, SINGLE, 1.0, frozenset(), corporate=False, without_country=False))
>>> tally.shares(Counting.FULL), tally.shares(Counting.FRACTIONAL)[INTERNATIONAL]
({'international': 0.5, 'single': 0.5, 'national': 0.0, 'institutional': 0.0}, 0.3333333333333333)
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.backend import Backend
from graph.errors import BadArgument
from graph.explore.types import Counting, Window
from graph.links.network import trusted_index
from graph.links.profiles import (
    CORPORATE,
    COUNTRY,
    INSTITUTIONAL,
    INTERNATIONAL,
    KIND,
    KINDS,
    NATIONAL,
    SINGLE,
    WITHOUT_COUNTRY,
    Classified,
    classify,
    profile_rows,
)
from graph.links.rules import Hierarchy
from graph.links.table import unpack
from graph.links.works import Context, earliest_year, read_context, work_objects
from graph.reconcile.derived import same_as
from ontology import KG

__all__ = [
    "INSTITUTIONAL",
    "INTERNATIONAL",
    "KINDS",
    "NATIONAL",
    "PROFILES",
    "SINGLE",
    "Classified",
    "Profile",
    "Tally",
    "classified_works",
    "classify",
    "collaboration_profile",
    "units_of",
]

PROFILES = 8  # profiles kept per store (bodies asked for lately)
EVERY_YEAR = Window()


def _zeros() -> dict[str, float]:
    return dict.fromkeys(KINDS, 0.0)


@dataclass
class Tally:
    """The body's works of a year or a window, by kind, counted full and fractional."""

    full: dict[str, float] = field(default_factory=_zeros)
    fractional: dict[str, float] = field(default_factory=_zeros)
    corporate: dict[Counting, float] = field(default_factory=lambda: dict.fromkeys(Counting, 0.0))
    countries: dict[Counting, dict[str, float]] = field(
        default_factory=lambda: {counting: defaultdict(float) for counting in Counting}
    )
    without_country: int = 0

    def add(self, work: Classified) -> None:
        self.full[work.kind] += 1
        self.fractional[work.kind] += work.share
        if work.corporate:
            self.corporate[Counting.FULL] += 1
            self.corporate[Counting.FRACTIONAL] += work.share
        for country in work.partner_countries:
            self.countries[Counting.FULL][country] += 1
            self.countries[Counting.FRACTIONAL][country] += work.share / len(work.partner_countries)
        self.without_country += work.without_country

    def merge(self, other: Tally) -> None:
        for kind in KINDS:
            self.full[kind] += other.full[kind]
            self.fractional[kind] += other.fractional[kind]
        for counting in Counting:
            self.corporate[counting] += other.corporate[counting]
            for country, value in other.countries[counting].items():
                self.countries[counting][country] += value
        self.without_country += other.without_country

    def counts(self, counting: Counting) -> dict[str, float]:
        return dict(self.full if counting is Counting.FULL else self.fractional)

    def works(self, counting: Counting) -> float:
        """The body's works: each 1 (full), or the body's share of each (fractional)."""
        return sum(self.counts(counting).values())

    def shares(self, counting: Counting) -> dict[str, float]:
        """Each kind's share of the body's works (all 0 without works; else they sum to 1)."""
        total = self.works(counting)
        return {kind: value / total if total else 0.0 for kind, value in self.counts(counting).items()}

    def corporate_share(self, counting: Counting) -> float:
        total = self.works(counting)
        return self.corporate[counting] / total if total else 0.0

    def partner_countries(self, counting: Counting) -> list[tuple[str, float]]:
        """The countries of the international works, most works first (then by IRI)."""
        return sorted(self.countries[counting].items(), key=lambda item: (-item[1], item[0]))


@dataclass
class Profile:
    """A body's tallies per year."""

    body: str
    countries: frozenset[str]  # the body's own
    years: dict[int, Tally] = field(default_factory=dict)

    def add(self, work: Classified) -> None:
        tally = self.years.get(work.year)
        if tally is None:
            tally = self.years[work.year] = Tally()
        tally.add(work)

    def rows(self, window: Window = EVERY_YEAR) -> list[tuple[int, Tally]]:
        """The years of the window that have works of the body, oldest first."""
        return [(year, self.years[year]) for year in sorted(self.years) if window.contains(year)]

    def total(self, window: Window = EVERY_YEAR) -> Tally:
        """The body's works over the window."""
        total = Tally()
        for _, tally in self.rows(window):
            total.merge(tally)
        return total


def units_of(hierarchy: Hierarchy, body: str) -> list[str]:
    """The body, then every organisation below it in any year (breadth first): the affiliations that
    can make a work the body's. Which of them are its units in a given year, ``Hierarchy.levels`` says."""
    children: dict[str, list[str]] = defaultdict(list)
    for child, edges in hierarchy.parents.items():
        for parent, _, _ in edges:
            children[parent].append(child)
    found, seen = [body], {body}
    for node in found:  # grows as it is read
        for child in sorted(children.get(node, ())):
            if child not in seen:
                seen.add(child)
                found.append(child)
    return found


class _Reader:
    """The body's works, read by index lookups, each once."""

    def __init__(self, store: Backend, context: Context, body: str) -> None:
        self.store, self.context, self.body = store, context, body
        self.units = units_of(context.hierarchy, body)
        self.rank = {unit: number for number, unit in enumerate(self.units)}
        self.spellings = context.spellings()

    def works(self) -> Iterator[tuple[ox.NamedNode, int]]:
        """Each work naming a unit, with the unit's rank: a work naming several comes once per unit."""
        for number, unit in enumerate(self.units):
            seen: set[str] = set()  # a work's affiliation stated by several sources comes once per source
            for spelling in (unit, *self.spellings.get(unit, ())):
                for quad in self.store.match(None, KG.affiliatedInstitution, ox.NamedNode(spelling)):
                    work = quad.subject
                    if isinstance(work, ox.NamedNode) and work.value not in seen:
                        seen.add(work.value)
                        yield work, number

    def profile(self, own: frozenset[str]) -> Profile:
        profile = Profile(self.body, own)
        for _, found in self.classified(own):
            profile.add(found)
        return profile

    def classified(self, own: frozenset[str]) -> Iterator[tuple[ox.NamedNode, Classified]]:
        """Each of the body's works, once, with its kind: what the profile adds up."""
        for work, number in self.works():
            affiliations = {
                self.context.same.get(org, org)
                for org in work_objects(self.store, work, KG.affiliatedInstitution, frozenset())
            }
            if any(self.rank.get(org, number) < number for org in affiliations):
                continue  # counted when its first unit was read
            when = earliest_year(self.store, work, frozenset())
            if when is None:
                continue
            countries = work_objects(self.store, work, KG.affiliatedCountry, frozenset())
            context = self.context
            found = classify(
                when, affiliations, countries, self.body, own, context.hierarchy, context.home, context.companies
            )
            if found is not None:
                yield work, found


_CACHE: weakref.WeakKeyDictionary[object, OrderedDict[tuple[int, str], Profile]] = weakref.WeakKeyDictionary()
_CONTEXTS: weakref.WeakKeyDictionary[object, tuple[int, Context]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def context_of(store: Backend) -> Context:
    """The store's hierarchy and countries, read once per generation (reading them takes the
    hierarchy query: half a second on the bundled store), shared by the profiles of every body."""
    generation = store.generation
    with _LOCK:
        kept = _CONTEXTS.get(store)
    if kept is not None and kept[0] == generation:
        return kept[1]
    context = read_context(store)
    with _LOCK:
        _CONTEXTS[store] = (generation, context)
    return context


def collaboration_profile(
    store: Backend, body: str, *, context: Context | None = None, from_works: bool = False
) -> Profile:
    """The collaboration profile of ``body`` (an organisation IRI; one reconciled with a ROR
    organisation is that organisation) from the works in ``store``; ``BadArgument`` if the store
    gives the body no country. ``from_works``: read every work of the body, not the rows counted
    with the network (what the rows are checked against), and keep nothing."""
    if from_works:
        reader, own = _reader(store, body, context)
        return reader.profile(own)
    key = (store.generation, body)
    with _LOCK:
        kept = _CACHE.setdefault(store, OrderedDict())
        if key in kept:
            kept.move_to_end(key)
            return kept[key]
    profile = _counted(store, body)
    if profile is None:
        reader, own = _reader(store, body, context)
        profile = reader.profile(own)
    with _LOCK:
        kept = _CACHE.setdefault(store, OrderedDict())
        kept[key] = profile
        while len(kept) > PROFILES:
            kept.popitem(last=False)
    return profile


def _counted(store: Backend, body: str) -> Profile | None:
    """The body's profile from the rows counted with the network (``graph.links.profiles``), when the
    network index is current and holds them; else None. It needs of the context only the body's
    match and countries (the hierarchy's query is for reading works: a second on a large store)."""
    index = trusted_index(store)
    if index is None or index.years.profiles is None:
        return None
    same = same_as(store)
    body = same.get(body, body)
    spellings = [body, *(org for org, ror in same.items() if ror == body)]
    own = frozenset(
        quad.object.value
        for spelling in spellings
        for quad in store.match(ox.NamedNode(spelling), KG.country)
        if isinstance(quad.object, ox.NamedNode)
    )
    _refuse_without_country(body, own)
    profile = Profile(body, own)
    number = index.nodes.find(body)
    if number is None:
        return profile  # no work names it
    rows = profile_rows(index.years.profiles, number)
    years, kinds, _, others = unpack(rows.keys)
    for year, row, other, full, fractional in zip(
        years.tolist(), kinds.tolist(), others.tolist(), rows.full.tolist(), rows.fractional.tolist(), strict=True
    ):
        tally = profile.years.get(year)
        if tally is None:
            tally = profile.years[year] = Tally()
        if row == KIND:
            tally.full[KINDS[other]] += full
            tally.fractional[KINDS[other]] += fractional
        elif row == COUNTRY:
            country = index.nodes.iris[other]
            tally.countries[Counting.FULL][country] += full
            tally.countries[Counting.FRACTIONAL][country] += fractional
        elif row == CORPORATE:
            tally.corporate[Counting.FULL] += full
            tally.corporate[Counting.FRACTIONAL] += fractional
        elif row == WITHOUT_COUNTRY:
            tally.without_country += full
    return profile


def _reader(store: Backend, body: str, context: Context | None) -> tuple[_Reader, frozenset[str]]:
    """The reader of the body's works (one reconciled with a ROR organisation is that organisation),
    and the body's countries; ``BadArgument`` if the store gives it none."""
    context = context if context is not None else context_of(store)
    body = context.same.get(body, body)
    own = frozenset(context.home.get(body, ()))
    _refuse_without_country(body, own)
    return _Reader(store, context, body), own


def _refuse_without_country(body: str, own: frozenset[str]) -> None:
    if not own:
        raise BadArgument(
            f"of: {body} has no country in this store, so no work of it can be told international; "
            "give an institution with a country (kg:country), such as CNRS"
        )


def classified_works(store: Backend, body: str) -> Iterator[tuple[str, Classified]]:
    """Each work of the body, once, with its kind, as its profile counts it (``graph.analytics.works``
    lists them); ``BadArgument`` as ``collaboration_profile``."""
    reader, own = _reader(store, body, None)
    return ((work.value, found) for work, found in reader.classified(own))
