"""The links as columns: the network index, and the arithmetic of a refresh.

A ``LinkTable`` holds links as NumPy columns, sorted by one packed integer key per link
(``pack``): its year (or the first year of its period, or 0 for all years), its kind, and its two
ends as numbers in a ``Nodes`` register. Beside the key: the full count, the fractional count
(float64, never rounded: the RDF literal is rounded to 6 places when written, so that sums of
increments equal a recount) and the internal flag; an aggregated table (a period, all years)
adds the first and last year.

The same columns serve three ends:

- **Increments.** A load's contribution (+1 per new work, -1 per work as it was) is a table of
  signed counts; ``combine`` adds tables key by key and drops links whose full count falls to 0.
- **Diffs.** ``diff`` compares the old and new table of a graph and names the links to remove and to
  add, so that a refresh writes only the pairs that changed.
- **The index** (``graph.links.index``): the year links of the whole network, read by
  ``graph.explore`` with array operations instead of SPARQL.

>>> nodes = Nodes()
>>> a, b = nodes.id("https://example.org/a"), nodes.id("https://example.org/b")
>>> t = LinkTable.of([pack(2017, 0, a, b), pack(2017, 0, a, b)], [1, 1], [0.5, 0.25], [False, True])
>>> len(t), int(t.full[0]), float(t.fractional[0]), bool(t.internal[0]), unpack(t.keys)[0].tolist()
(1, 2, 0.75, True, [2017])
>>> gone = combine([t, t.negated()])
>>> len(gone)
0
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from graph.errors import BadArgument

Keys = npt.NDArray[np.int64]
Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]

NODE_BITS = 25  # 33 million nodes
KIND_BITS = 2
YEAR_BITS = 11  # years up to 2047; 0 stands for all years
_NODE_MASK = (1 << NODE_BITS) - 1
_KIND_SHIFT = 2 * NODE_BITS
_YEAR_SHIFT = _KIND_SHIFT + KIND_BITS
MAX_YEAR = (1 << YEAR_BITS) - 1


def pack(year: int, kind: int, a: int, b: int) -> int:
    """One link's key: year, kind, and its two ends (``Nodes`` numbers), in 63 bits.

    >>> pack(2017, 1, 3, 4) >> 52, (pack(2017, 1, 3, 4) >> 50) & 3
    (2017, 1)
    """
    if not 0 <= year <= MAX_YEAR:
        raise BadArgument(f"year {year} cannot be counted in the network: give a year from 1 to {MAX_YEAR}")
    return (year << _YEAR_SHIFT) | (kind << _KIND_SHIFT) | (a << NODE_BITS) | b


def unpack(keys: Keys) -> tuple[Ints, Ints, Ints, Ints]:
    """Years, kinds, first ends and second ends of packed keys."""
    return (
        keys >> _YEAR_SHIFT,
        (keys >> _KIND_SHIFT) & ((1 << KIND_BITS) - 1),
        (keys >> NODE_BITS) & _NODE_MASK,
        keys & _NODE_MASK,
    )


def renumber(keys: Keys, numbers: Ints, *, targets: Flags | None = None) -> Keys:
    """The same links with their ends renumbered: ``numbers[n]`` is the new number of node ``n``;
    ``targets``: the rows whose second end is a node (the others keep it: a profile row's kind)."""
    sources, ends = (keys >> NODE_BITS) & _NODE_MASK, keys & _NODE_MASK
    if targets is None:
        ends = numbers[ends]
    else:
        ends = ends.copy()
        ends[targets] = numbers[ends[targets]]
    out: Keys = (keys & ~((1 << _KIND_SHIFT) - 1)) | (numbers[sources] << NODE_BITS) | ends
    return out


def rekey(keys: Keys, years: Ints) -> Keys:
    """The same links with another year (a period's first year, or 0 for all years)."""
    out: Keys = (keys & ((1 << _YEAR_SHIFT) - 1)) | (years.astype(np.int64) << _YEAR_SHIFT)
    return out


@dataclass
class Nodes:
    """The register of node IRIs: each gets a number, in order of first use."""

    iris: list[str] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)

    def id(self, iri: str) -> int:
        number = self.numbers.get(iri)
        if number is None:
            number = self.numbers[iri] = len(self.iris)
            if number > _NODE_MASK:
                raise BadArgument(f"over {_NODE_MASK + 1:,} nodes: the network index cannot number more")
            self.iris.append(iri)
        return number

    def find(self, iri: str) -> int | None:
        return self.numbers.get(iri)

    @classmethod
    def of(cls, iris: Sequence[str]) -> Nodes:
        return cls(list(iris), {iri: n for n, iri in enumerate(iris)})


def _empty_ints() -> Ints:
    return np.zeros(0, dtype=np.int64)


@dataclass
class LinkTable:
    """Links sorted by key, one row each (see the module docstring)."""

    keys: Keys = field(default_factory=_empty_ints)
    full: Ints = field(default_factory=_empty_ints)
    fractional: Floats = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    internal: Flags = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
    first: Ints | None = None  # aggregated tables only
    last: Ints | None = None
    # The same links counted per research field (``graph.links.fields``): field IRI -> its links.
    # None: not counted by field (a table read back from RDF, an index written before fields were
    # counted); an empty table without it counts as known and empty.
    fields: dict[str, LinkTable] | None = None
    # The collaboration profiles of the same works (``graph.links.profiles``): rows of their own. None:
    # not counted (a table read back from RDF, an index written before profiles were counted).
    profiles: LinkTable | None = None

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def of(
        cls, keys: Iterable[int], full: Iterable[int], fractional: Iterable[float], internal: Iterable[bool]
    ) -> LinkTable:
        """A table from rows that may repeat a key: their counts are summed."""
        return combine(
            [
                cls(
                    np.fromiter(keys, dtype=np.int64),
                    np.fromiter(full, dtype=np.int64),
                    np.fromiter(fractional, dtype=np.float64),
                    np.fromiter(internal, dtype=np.bool_),
                )
            ]
        )

    def negated(self) -> LinkTable:
        fields = None if self.fields is None else {name: t.negated() for name, t in self.fields.items()}
        profiles = None if self.profiles is None else self.profiles.negated()
        return LinkTable(self.keys, -self.full, -self.fractional, self.internal, fields=fields, profiles=profiles)

    def take(self, rows: npt.NDArray[np.intp] | Flags | slice) -> LinkTable:
        first = None if self.first is None else self.first[rows]
        last = None if self.last is None else self.last[rows]
        return LinkTable(self.keys[rows], self.full[rows], self.fractional[rows], self.internal[rows], first, last)

    def years(self) -> Ints:
        return self.keys >> _YEAR_SHIFT


def combine(tables: Sequence[LinkTable]) -> LinkTable:
    """The tables added key by key (full and fractional counts summed, internal if any says so), without
    the links both of whose counts are 0; their field tables likewise, field by field, when every
    table is counted by field (else the sum has none), and their profile rows when every table has
    them."""
    summed = _summed(tables)
    summed.fields = _summed_fields(tables)
    summed.profiles = _summed_profiles(tables)
    return summed


def _summed_profiles(tables: Sequence[LinkTable]) -> LinkTable | None:
    counted = [t for t in tables if t.profiles is not None or len(t)]  # an empty table adds nothing
    if any(t.profiles is None for t in counted):
        return None
    return _summed([t.profiles for t in counted if t.profiles is not None])


def _summed_fields(tables: Sequence[LinkTable]) -> dict[str, LinkTable] | None:
    counted = [t for t in tables if t.fields is not None or len(t)]  # an empty table adds nothing
    if any(t.fields is None for t in counted):
        return None
    names = sorted({name for t in counted for name in t.fields or {}})
    found = {name: _summed([t.fields[name] for t in counted if t.fields and name in t.fields]) for name in names}
    return {name: table for name, table in found.items() if len(table)}


def _summed(tables: Sequence[LinkTable]) -> LinkTable:
    keys = np.concatenate([t.keys for t in tables]) if tables else _empty_ints()
    if not len(keys):
        return LinkTable()
    full = np.concatenate([t.full for t in tables])
    fractional = np.concatenate([t.fractional for t in tables])
    internal = np.concatenate([t.internal for t in tables])
    unique, inverse = np.unique(keys, return_inverse=True)
    summed_full = np.zeros(len(unique), dtype=np.int64)
    np.add.at(summed_full, inverse, full)
    summed_fractional = np.bincount(inverse, weights=fractional, minlength=len(unique))
    any_internal = np.bincount(inverse, weights=internal.astype(np.float64), minlength=len(unique)) > 0
    # A work counts 1 in full counting: a link whose full count is 0 has no work left (its
    # fractional count is then 0 up to rounding); one whose full count is 0 in an increment but not
    # its fractional count (a work whose affiliations changed) stays.
    kept = (summed_full != 0) | (np.abs(summed_fractional) > 1e-9)
    return LinkTable(unique[kept], summed_full[kept], summed_fractional[kept], any_internal[kept])


def aggregate(table: LinkTable, buckets: Ints) -> LinkTable:
    """Year links summed into buckets (each row's ``buckets`` value replaces its year: a period's first
    year, or 0 for all years), with their first and last year."""
    if not len(table):
        return LinkTable(first=_empty_ints(), last=_empty_ints())
    years = table.years()
    unique, inverse = np.unique(rekey(table.keys, buckets), return_inverse=True)
    full = np.zeros(len(unique), dtype=np.int64)
    np.add.at(full, inverse, table.full)
    # Rounded per year as stored, so that a bucket sums what the year graphs say.
    fractional = np.bincount(inverse, weights=np.round(table.fractional, 6), minlength=len(unique)).astype(np.float64)
    internal = np.bincount(inverse, weights=table.internal.astype(np.float64), minlength=len(unique)) > 0
    first = np.full(len(unique), MAX_YEAR, dtype=np.int64)
    last = np.zeros(len(unique), dtype=np.int64)
    np.minimum.at(first, inverse, years)
    np.maximum.at(last, inverse, years)
    return LinkTable(unique, full, fractional, internal, first, last)


@dataclass(frozen=True)
class Diff:
    """What turns an old table into a new one: the keys to remove (gone, or changed) and the rows to
    add (new, or changed); a changed link is removed and added whole."""

    removed: Keys
    added: LinkTable

    def __bool__(self) -> bool:
        return bool(len(self.removed) or len(self.added))


def _same(old: LinkTable, new: LinkTable, rows_old: npt.NDArray[np.intp], rows_new: npt.NDArray[np.intp]) -> Flags:
    """Whether the rows agree as stored: full counts, fractional counts to 6 places, flags, years."""
    same: Flags = (old.full[rows_old] == new.full[rows_new]) & (old.internal[rows_old] == new.internal[rows_new])
    same &= np.round(old.fractional[rows_old], 6) == np.round(new.fractional[rows_new], 6)
    for mine, theirs in ((old.first, new.first), (old.last, new.last)):
        if mine is not None and theirs is not None:
            same &= mine[rows_old] == theirs[rows_new]
    return same


def diff(old: LinkTable, new: LinkTable) -> Diff:
    """The links of ``old`` to remove and those of ``new`` to add (see ``Diff``)."""
    common, rows_old, rows_new = np.intersect1d(old.keys, new.keys, assume_unique=True, return_indices=True)
    changed = ~_same(old, new, rows_old, rows_new)
    gone = np.setdiff1d(old.keys, new.keys, assume_unique=True)
    removed = np.union1d(gone, common[changed])
    fresh = ~np.isin(new.keys, old.keys, assume_unique=True)
    fresh[rows_new[changed]] = True
    return Diff(removed, new.take(fresh))
