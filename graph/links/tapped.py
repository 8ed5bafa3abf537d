"""What counting reads of the works, taken as a large source is written instead of read back.

Counting a work reads four of its statements (``works.READ_WITH_FIELDS``: its years,
institutions, countries and research fields). After a load of a million works that is four million
index lookups, about a sixth of the load's time. When a source's statements are made in another
process (``graph.produce``), that process also writes those statements to a file as it makes them
(``Tap``), one line each: the work, the predicate's number, the object. Counting then takes the
facts of the works that no other graph states from that file (``TappedFacts``), and reads the
others from the store as before: a work that another source also states has facts there too.

A work whose lines are not together in the file (a record that repeats a work further on) is read
from the store, so the file only ever stands for what the store holds.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Set
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from graph.backend import Backend
from graph.links.works import READ_WITH_FIELDS, FieldFacts
from graph.produce import Producer

__all__ = ["Tap", "TappedFacts", "stated_elsewhere"]

# From this size (about 100,000 works), a tap is counted by several processes.
SHARE_FROM_BYTES = 16 << 20
_NUMBERS = {predicate.value: str(number) for number, predicate in enumerate(READ_WITH_FIELDS)}
_YEAR, _INSTITUTION, _COUNTRY, _FIELD = (str(number) for number in range(len(READ_WITH_FIELDS)))


@dataclass
class Tap:
    """``inner``'s statements, and the ones counting reads written to ``path`` as they pass."""

    inner: Producer
    path: str
    complete: bool = field(default=False, init=False)

    def produce(self) -> Iterator[ox.Triple]:
        numbers = _NUMBERS
        with open(self.path, "w", encoding="utf-8") as out:
            write = out.write
            for triple in self.inner.produce():
                number = numbers.get(triple.predicate.value)
                if number is not None and isinstance(triple.subject, ox.NamedNode):
                    # What counting takes: a year as a literal, institutions and countries as IRIs.
                    obj, kind = triple.object, ox.Literal if number == _YEAR else ox.NamedNode
                    if isinstance(obj, ox.Literal | ox.NamedNode) and isinstance(obj, kind):
                        write(f"{triple.subject.value}\t{number}\t{obj.value}\n")
                yield triple

    def report(self) -> object:
        return self.inner.report()

    def received(self, report: object) -> None:
        self.inner.received(report)
        self.complete = True  # the file holds every statement the graph was given


@dataclass
class TappedFacts:
    """The facts of the works in the file that no graph of ``elsewhere`` states, one work at a time
    in the file's order (memory holds the works' IRIs, not their facts); ``taken`` holds them
    once they are read, so the caller reads every other work from the store. ``share``: (i, n),
    only the works whose IRI's CRC-32 is i modulo n (``shares``: one process counts each)."""

    path: Path
    elsewhere: Set[str]
    share: tuple[int, int] = (0, 1)
    taken: set[str] = field(default_factory=set, init=False)

    def shares(self, count: int) -> list[TappedFacts]:
        """The works split in ``count`` shares; one share when the file is small."""
        if count < 2 or self.path.stat().st_size < SHARE_FROM_BYTES:
            return [self]
        return [TappedFacts(self.path, self.elsewhere, (number, count)) for number in range(count)]

    def __iter__(self) -> Iterator[FieldFacts]:
        split = _split(self.path)
        number, count = self.share
        current: _Work | None = None
        skipping = ""
        for work, predicate, value in _lines(self.path):
            if work == skipping:
                continue
            if current is None or current.iri != work:
                if current is not None:
                    yield current.facts()
                    current = None
                if work in self.elsewhere or work in split or zlib.crc32(work.encode()) % count != number:
                    skipping = work
                    continue
                current = _Work(work)
                self.taken.add(work)
            current.take(predicate, value)
        if current is not None:
            yield current.facts()


@dataclass
class _Work:
    iri: str
    year: int | None = None
    institutions: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    fields: set[str] = field(default_factory=set)

    def take(self, number: str, value: str) -> None:
        if number == _YEAR:
            when = _year(value)
            if when is not None and (self.year is None or when < self.year):
                self.year = when
        elif number == _INSTITUTION:
            self.institutions.add(value)
        elif number == _COUNTRY:
            self.countries.add(value)
        elif number == _FIELD:
            self.fields.add(value)

    def facts(self) -> FieldFacts:
        return self.iri, self.year, self.institutions, self.countries, self.fields


def stated_elsewhere(store: Backend, graphs: Set[str]) -> set[str]:
    """The works that a graph other than ``graphs`` states something of that counting reads."""
    found: set[str] = set()
    for name in store.graph_sizes():
        if name in graphs:
            continue
        graph = ox.NamedNode(name)
        for predicate in READ_WITH_FIELDS:
            found.update(
                q.subject.value
                for q in store.match(None, predicate, None, graph)
                if isinstance(q.subject, ox.NamedNode)
            )
    return found


def _split(path: Path) -> set[str]:
    """The works whose lines are not all together (a record that repeats a work further on)."""
    seen: set[str] = set()
    split: set[str] = set()
    current = None
    for work, _, _ in _lines(path):
        if work != current:
            if work in seen:
                split.add(work)
            seen.add(work)
            current = work
    return split


def _lines(path: Path) -> Iterator[tuple[str, str, str]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            work, number, value = line.rstrip("\n").split("\t", 2)
            yield work, number, value


def _year(value: str) -> int | None:
    """As ``works`` reads a year: its first four digits."""
    return int(value[:4]) if value[:4].isdigit() else None
