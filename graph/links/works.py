"""The links the works make, read from the store one work at a time, in bounded memory.

A work's links depend on the work (its earliest year, its affiliations and countries, from every
source that states them) and on the ``Context``: the organisation hierarchy and each
organisation's country, with every organisation reconciled as one with a ROR organisation
(``graph.reconcile``: a HAL structure, an OpenAlex institution) counted as that organisation, under
the hierarchy of both. ``contributions`` counts a set of works (all of them for a recount, or
those a load changes, as they were and as they are) into a ``LinkTable``, a chunk of works at a
time: memory holds one chunk's links and the table so far, never the works.

Each work is read with index lookups (``Backend.match``), not SPARQL joins: its years, its
institutions, its countries, and its research fields for the field tables (``graph.links.fields``).
A store on a remote engine (``ReadsSubjects``: one HTTP request per
lookup) is read ``BATCH`` works a query instead, the same statements. ``exclude`` leaves out the
statements of some graphs, which is how a load counts the works it brings as they were before it
(their other sources only).
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence, Set, Sized
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
import pyoxigraph as ox

from graph.backend import Backend
from graph.links.fields import ByField, renumbered
from graph.links.profiles import ProfileCounter, renumbered_profiles
from graph.links.queries import KINDS
from graph.links.rules import Hierarchy, Key, Tally, count_work, read_hierarchy
from graph.links.table import LinkTable, Nodes, combine, pack, renumber
from graph.reconcile.derived import merge, same_as
from graph.store import OxigraphStore
from ontology import FABIO, KG

CHUNK = 20_000  # works counted before their links are folded into the table
PROCESSES = min(4, os.cpu_count() or 1)
PARALLEL_FROM = 50_000  # works: fewer are counted here (starting a process takes a second)
KIND_NUMBERS = {kind: number for number, kind in enumerate(KINDS)}
BATCH = 2_000  # works a query reads from a remote store: a row of VALUES per work and predicate read, ~1 MB
READ = (FABIO.hasPublicationYear, KG.affiliatedInstitution, KG.affiliatedCountry)  # what counting reads of a work
Facts = tuple[str, int | None, set[str], set[str]]  # a work: its IRI, earliest year, institutions, countries
# A work's facts with its research fields, which the field tables count (``graph.links.fields``). Facts
# without them (read elsewhere) leave the field tables unknown, never wrong: a refresh counts them.
FieldFacts = tuple[str, int | None, set[str], set[str], set[str]]
READ_WITH_FIELDS = (*READ, KG.researchField)


@runtime_checkable
class ReadsSubjects(Protocol):
    """A store that reads the statements of many subjects in one request (``RemoteStore``)."""

    def match_subjects(self, subjects: Sequence[ox.NamedNode], predicates: Sequence[ox.NamedNode]) -> Iterator[ox.Quad]:
        """The statements of each subject with each predicate."""
        ...


@dataclass
class Context:
    """What a work's links depend on besides the work itself."""

    hierarchy: Hierarchy
    home: dict[str, set[str]]  # every organisation's own country
    nodes: Nodes = field(default_factory=Nodes)
    same: dict[str, str] = field(default_factory=dict)  # reconciled: the ROR organisation an affiliation counts as
    companies: frozenset[str] = frozenset()  # reconciled organisations of type company (the profiles')

    def spellings(self) -> dict[str, list[str]]:
        """Each ROR organisation and the IRIs reconciled with it (an affiliation may name it by any)."""
        found: dict[str, list[str]] = defaultdict(list)
        for org, ror in self.same.items():
            found[ror].append(org)
        return found

    @property
    def fingerprint(self) -> str:
        """A digest of the hierarchy (its edges with their years, its parents' lifetimes), the
        countries and the reconciled organisations: when it moves, every work may count otherwise."""
        digest = hashlib.blake2b(digest_size=16)
        for child in sorted(self.hierarchy.parents):
            for parent, start, end in sorted(self.hierarchy.parents[child], key=repr):
                digest.update(f"{child} {parent} {start} {end}\n".encode())
        for org in sorted(self.hierarchy.lifetimes):
            first, last = self.hierarchy.lifetimes[org]
            digest.update(f"existed {org} {first} {last}\n".encode())
        for org in sorted(self.home):
            digest.update(f"{org} {' '.join(sorted(self.home[org]))}\n".encode())
        for org in sorted(self.same):
            digest.update(f"same {org} {self.same[org]}\n".encode())
        for org in sorted(self.companies):
            digest.update(f"company {org}\n".encode())
        return digest.hexdigest()


def read_context(store: Backend, nodes: Nodes | None = None) -> Context:
    """The hierarchy, the organisations' countries and the companies as the store holds them (one
    query, two scans), each reconciled organisation folded into its ROR organisation."""
    home: dict[str, set[str]] = defaultdict(set)
    for quad in store.match(None, KG.country):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
            home[quad.subject.value].add(quad.object.value)
    hierarchy, same = read_hierarchy(store), same_as(store)
    if same:
        parents, lifetimes, home = merge(hierarchy.parents, hierarchy.lifetimes, home, same)
        hierarchy = Hierarchy(parents, lifetimes)
    companies = frozenset(
        same.get(quad.subject.value, quad.subject.value)
        for quad in store.match(None, KG.organisationType, KG.Company)
        if isinstance(quad.subject, ox.NamedNode)
    )
    return Context(hierarchy, dict(home), nodes if nodes is not None else Nodes(), same, companies)


def _year_of(term: object) -> int | None:
    if isinstance(term, ox.Literal) and term.value[:4].isdigit():
        return int(term.value[:4])
    return None


def works_in(store: Backend, graphs: Iterable[ox.NamedNode]) -> set[str]:
    """The works the graphs date (``fabio:hasPublicationYear``)."""
    return {
        quad.subject.value
        for graph in graphs
        for quad in store.match(None, FABIO.hasPublicationYear, None, graph)
        if isinstance(quad.subject, ox.NamedNode)
    }


def every_work(store: Backend) -> list[str]:
    """Every dated work, once, in IRI order (1,000,000 IRIs hold about 130 MB)."""
    works = {
        q.subject.value for q in store.match(None, FABIO.hasPublicationYear) if isinstance(q.subject, ox.NamedNode)
    }
    return sorted(works)


def work_objects(store: Backend, work: ox.NamedNode, predicate: ox.NamedNode, exclude: Set[str]) -> set[str]:
    return {
        quad.object.value
        for quad in store.match(work, predicate)
        if isinstance(quad.object, ox.NamedNode) and quad.graph_name.value not in exclude  # type: ignore[union-attr]
    }


def earliest_year(store: Backend, work: ox.NamedNode, exclude: Set[str]) -> int | None:
    years = [
        when
        for quad in store.match(work, FABIO.hasPublicationYear)
        if quad.graph_name.value not in exclude  # type: ignore[union-attr]
        and (when := _year_of(quad.object)) is not None
    ]
    return min(years) if years else None


@runtime_checkable
class KnownFacts(Protocol):
    """The facts of some works known without reading them back (``graph.links.tapped``): iterated
    once, after which ``taken`` names the works they held."""

    @property
    def taken(self) -> set[str]: ...

    def __iter__(self) -> Iterator[Facts | FieldFacts]: ...

    def shares(self, count: int) -> Sequence[KnownFacts]:
        """The same facts in ``count`` parts or fewer, each picklable, for one process each."""
        ...


def contributions(
    store: Backend,
    works: Iterable[str],
    context: Context,
    *,
    exclude: Set[str] = frozenset(),
    sign: int = 1,
    known: Sequence[KnownFacts] = (),
) -> LinkTable:
    """The year links ``works`` make, each counted ``sign`` times (-1: to take them away), without the
    statements of the graphs ``exclude``; those of ``known`` (works among ``works``) from their facts.

    Many works in a store on disk are counted by ``PROCESSES`` processes at once, each on its share
    and its own read-only view of the store (committed, as this process sees it): counting is
    Python, one core per process.
    """
    if known:
        tables: list[LinkTable] = []
        taken: set[str] = set()
        for facts in known:
            table, names = _count_known(store, facts, context, sign)
            tables.append(table)
            taken |= names
        rest = [work for work in works if work not in taken]
        return combine([*tables, contributions(store, rest, context, exclude=exclude, sign=sign)])
    path = getattr(store, "path", None)
    if isinstance(works, Sized) and len(works) >= PARALLEL_FROM and path is not None and PROCESSES > 1:
        return _in_processes(str(path), list(works), context, exclude, sign)
    return _count(store, works, context, exclude=exclude, sign=sign)


def _count(
    store: Backend,
    works: Iterable[str],
    context: Context,
    *,
    exclude: Set[str] = frozenset(),
    sign: int = 1,
    facts: Iterable[Facts | FieldFacts] | None = None,
) -> LinkTable:
    """The links of ``works`` read from ``store``, or of the works ``facts`` gives."""
    tables: list[LinkTable] = []
    chunk: dict[int, dict[Key, Tally]] = defaultdict(dict)
    counted = 0
    if facts is None:
        if isinstance(store, ReadsSubjects):
            facts = _read_in_batches(store, works, exclude)
        else:
            facts = _read_each(store, works, exclude)
    by_field, home, hierarchy = ByField(), context.home, context.hierarchy
    profiles = ProfileCounter()
    for fact in facts:
        _, when, institutions, countries = fact[:4]
        fields = fact[4] if len(fact) > 4 else by_field.unknown()
        if when is None:
            continue
        affiliations = {context.same.get(org, org) for org in institutions}
        count = partial(
            count_work, when=when, affiliations=affiliations, countries=countries, home=home, hierarchy=hierarchy
        )
        by_field.count(chunk[when], when, fields, count)
        profiles.count(when, affiliations, countries, hierarchy, home, context.companies)
        counted += 1
        if counted % CHUNK == 0:
            tables = [combine([*tables, _fielded(chunk, by_field, profiles, context.nodes, sign)])]
            chunk = defaultdict(dict)
    return combine([*tables, _fielded(chunk, by_field, profiles, context.nodes, sign)])


def _fielded(
    chunk: dict[int, dict[Key, Tally]], by_field: ByField, profiles: ProfileCounter, nodes: Nodes, sign: int
) -> LinkTable:
    """The chunk's links as a table, with its links in each field (``graph.links.fields``) and its
    profile rows (``graph.links.profiles``)."""
    table = _table(chunk, nodes, sign)
    table.fields = by_field.tables(lambda links: _table(links, nodes, sign))
    table.profiles = profiles.table(nodes, sign)
    return table


def _read_each(store: Backend, works: Iterable[str], exclude: Set[str]) -> Iterator[FieldFacts]:
    """Each work by its own index lookups (the embedded store: microseconds each)."""
    for iri in works:
        work = ox.NamedNode(iri)
        when = earliest_year(store, work, exclude)
        if when is None:
            yield iri, None, set(), set(), set()
            continue
        institutions = work_objects(store, work, KG.affiliatedInstitution, exclude)
        countries = work_objects(store, work, KG.affiliatedCountry, exclude)
        yield iri, when, institutions, countries, work_objects(store, work, KG.researchField, exclude)


def _read_in_batches(store: ReadsSubjects, works: Iterable[str], exclude: Set[str]) -> Iterator[FieldFacts]:
    """The works ``BATCH`` a request, in their order, read as ``_read_each`` reads them."""
    iris = iter(works)
    while batch := list(itertools.islice(iris, BATCH)):
        years: dict[str, list[int]] = defaultdict(list)
        objects: dict[tuple[str, str], set[str]] = defaultdict(set)
        for quad in store.match_subjects([ox.NamedNode(iri) for iri in batch], READ_WITH_FIELDS):
            if not isinstance(quad.subject, ox.NamedNode) or quad.graph_name.value in exclude:  # type: ignore[union-attr]
                continue
            work, predicate = quad.subject.value, quad.predicate.value
            if predicate == FABIO.hasPublicationYear.value:
                if (when := _year_of(quad.object)) is not None:
                    years[work].append(when)
            elif isinstance(quad.object, ox.NamedNode):
                objects[work, predicate].add(quad.object.value)
        for iri in batch:
            when = min(years[iri]) if iri in years else None
            institutions = objects.get((iri, KG.affiliatedInstitution.value), set())
            countries = objects.get((iri, KG.affiliatedCountry.value), set())
            yield iri, when, institutions, countries, objects.get((iri, KG.researchField.value), set())


def _count_known(store: Backend, facts: KnownFacts, context: Context, sign: int) -> tuple[LinkTable, set[str]]:
    """The links of the works ``facts`` holds, and those works: by ``PROCESSES`` processes, each
    on a share of them, when there are many and a store on disk to read the context from."""
    path = getattr(store, "path", None)
    shares = facts.shares(PROCESSES) if path is not None else [facts]
    if len(shares) < 2:
        return _count(store, (), context, sign=sign, facts=facts), facts.taken
    spawn = multiprocessing.get_context("spawn")  # not fork: the store's threads do not survive it
    with ProcessPoolExecutor(len(shares), mp_context=spawn) as pool:
        done = list(pool.map(_known_share, [str(path)] * len(shares), shares, [sign] * len(shares)))
    taken: set[str] = set()
    tables = []
    for iris, table, names in done:
        tables.append(_renumbered_with_fields(table, np.array([context.nodes.id(i) for i in iris], dtype=np.int64)))
        taken |= names
    facts.taken.update(taken)  # as after counting them here
    return combine(tables), taken


def _known_share(path: str, facts: KnownFacts, sign: int) -> tuple[list[str], LinkTable, set[str]]:
    """In a counting process: the links of a share of known facts, numbered in a register of its own."""
    with OxigraphStore(path, read_only=True) as store:
        context = read_context(store)
        table = _count(store, (), context, sign=sign, facts=facts)
    return context.nodes.iris, table, facts.taken


def _share(path: str, works: list[str], exclude: frozenset[str], sign: int) -> tuple[list[str], LinkTable]:
    """In a counting process: the links of a share of the works, numbered in a register of its own."""
    with OxigraphStore(path, read_only=True) as store:
        context = read_context(store)
        table = _count(store, works, context, exclude=exclude, sign=sign)
    return context.nodes.iris, table


def _in_processes(path: str, works: list[str], context: Context, exclude: Set[str], sign: int) -> LinkTable:
    """``_count`` over ``PROCESSES`` shares of the works, renumbered into ``context.nodes``."""
    shares = [works[i::PROCESSES] for i in range(PROCESSES)]
    spawn = multiprocessing.get_context("spawn")  # not fork: the store's threads do not survive it
    with ProcessPoolExecutor(PROCESSES, mp_context=spawn) as pool:
        done = list(pool.map(_share, [path] * PROCESSES, shares, [frozenset(exclude)] * PROCESSES, [sign] * PROCESSES))
    tables = []
    for iris, table in done:
        tables.append(_renumbered_with_fields(table, np.array([context.nodes.id(iri) for iri in iris], dtype=np.int64)))
    return combine(tables)


def _renumbered_with_fields(table: LinkTable, numbers: npt.NDArray[np.int64]) -> LinkTable:
    """A process's table in the caller's register (``numbers``: the caller's number of each of its nodes)."""
    moved = _renumbered(table, numbers)
    moved.fields = renumbered(table.fields, partial(_renumbered, numbers=numbers))
    moved.profiles = renumbered_profiles(table.profiles, numbers)
    return moved


def _renumbered(table: LinkTable, numbers: npt.NDArray[np.int64]) -> LinkTable:
    return LinkTable(renumber(table.keys, numbers), table.full, table.fractional, table.internal)


def _table(chunk: dict[int, dict[Key, Tally]], nodes: Nodes, sign: int) -> LinkTable:
    keys: list[int] = []
    full: list[int] = []
    fractional: list[float] = []
    internal: list[bool] = []
    for when, links in chunk.items():
        for (kind, a, b), tally in links.items():
            keys.append(pack(when, KIND_NUMBERS[kind], nodes.id(a), nodes.id(b)))
            full.append(sign * tally.full)
            fractional.append(sign * tally.fractional)
            internal.append(tally.internal)
    return LinkTable.of(keys, full, fractional, internal)
