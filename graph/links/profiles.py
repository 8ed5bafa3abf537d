"""The collaboration profiles, counted with the network: every organisation's works of each year by
kind of collaboration, so that a profile at 1,000,000 works is a slice of columns, not a read of
every work.

**The rule** (``graph.analytics.profile`` states it with its sources, SciVal and the Leiden
Ranking): a work is a body's when one of its affiliations is the body or one of its units that
year; it is then, in this order, **international** (one of its countries, stated or of its
affiliations, is not the body's), **single** (one affiliation), **national only** (several, one at
least not the body's), or **institutional only**. ``classify`` is that rule, the one both the
counting here and the reader of ``graph.analytics.profile`` (which lists the works behind a figure)
apply.

**Which bodies.** Each work counts for every organisation of its affiliations' organisation sets
that year (``Hierarchy.levels``: each affiliation and every body above it), when the store gives
that organisation a country (``kg:country``): without one nothing is international, and
``graph.analytics.profile`` refuses to profile it.

**The rows.** ``LinkTable.profiles``: a table of its own, summed with the network's by
``table.combine`` in every increment and refresh, keyed by ``pack(year, row, body, b)`` (``row``
in the place of a link's kind):

- ``KIND``: ``b`` is the kind's number in ``KINDS``; full is the works, fractional the body's
  share of each (k of its n distinct affiliations are the body's: k/n);
- ``COUNTRY``: ``b`` is a partner country (a ``Nodes`` number); full is the international works
  involving it, fractional the body's share divided among the work's foreign countries;
- ``CORPORATE``: ``b`` is 0; the works with a partner affiliation of type company (both counts);
- ``WITHOUT_COUNTRY``: ``b`` is 0; the works counted national only although a partner affiliation
  has no known country (full only).

They are index-only (``save_profiles``: ``profile-<column>.npy`` beside the index's columns). A
table read back from the RDF links has none (``profiles`` None): a profile is then read from the
works, as before there were tallies.

>>> from graph.links.rules import Hierarchy
>>> lab, cnrs, nus = "urn:lab", "urn:cnrs", "urn:nus"
>>> hierarchy = Hierarchy({lab: [(cnrs, None, None)]})
>>> home = {cnrs: {"FR"}, lab: {"FR"}, nus: {"SG"}}
>>> found = classify(2020, {lab, nus}, set(), cnrs, frozenset({"FR"}), hierarchy, home, frozenset())
>>> found.kind, found.share, found.partner_countries
('international', 0.5, frozenset({'SG'}))
>>> counter = ProfileCounter()
>>> counter.count(2020, {lab, nus}, set(), hierarchy, home, frozenset())
>>> sorted((body, row, b) for (_, row, body, b) in counter.rows)  # doctest: +NORMALIZE_WHITESPACE
[('urn:cnrs', 0, 0), ('urn:cnrs', 1, 'SG'), ('urn:lab', 0, 0), ('urn:lab', 1, 'SG'),
 ('urn:nus', 0, 0), ('urn:nus', 1, 'FR')]
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from graph.links.rules import Hierarchy
from graph.links.table import NODE_BITS, LinkTable, Nodes, combine, pack, renumber, unpack

__all__ = [
    "CORPORATE",
    "COUNTRY",
    "INSTITUTIONAL",
    "INTERNATIONAL",
    "KIND",
    "KINDS",
    "NATIONAL",
    "SINGLE",
    "WITHOUT_COUNTRY",
    "Classified",
    "ProfileCounter",
    "classify",
    "load_profiles",
    "profile_rows",
    "renumbered_profiles",
    "save_profiles",
]

INTERNATIONAL, SINGLE, NATIONAL, INSTITUTIONAL = "international", "single", "national", "institutional"
KINDS = (INTERNATIONAL, SINGLE, NATIONAL, INSTITUTIONAL)  # the order of the decision
KIND, COUNTRY, CORPORATE, WITHOUT_COUNTRY = range(4)  # what a row counts (module docstring)
COLUMNS = ("keys", "full", "fractional")
_KIND_NUMBER = {kind: number for number, kind in enumerate(KINDS)}
_NODE_MASK = (1 << NODE_BITS) - 1


@dataclass(frozen=True)
class Classified:
    """What a profile keeps of one work of the body."""

    year: int
    kind: str
    share: float  # the body's share of the work's affiliations (fractional counting)
    partner_countries: frozenset[str]  # the work's countries other than the body's
    corporate: bool  # a partner affiliation is a company
    without_country: bool  # national only, though a partner affiliation has no known country


def classify(
    when: int,
    affiliations: Set[str],
    countries: Set[str],
    body: str,
    own: frozenset[str],
    hierarchy: Hierarchy,
    home: dict[str, set[str]],
    companies: Set[str],
) -> Classified | None:
    """One work's kind for the body (None: not the body's work that year); ``affiliations``
    reconciled, ``companies`` the (reconciled) organisations of type company."""
    wholes = {org: hierarchy.levels(org, when).whole for org in affiliations}
    return _classified(when, wholes, _located(affiliations, countries, home), body, own, home, companies)


def _located(affiliations: Set[str], countries: Set[str], home: dict[str, set[str]]) -> set[str]:
    """A work's countries: those it states and those of its affiliations."""
    return set(countries).union(*(home.get(org, ()) for org in affiliations))


def _classified(
    when: int,
    wholes: dict[str, frozenset[str]],
    located: set[str],
    body: str,
    own: frozenset[str],
    home: dict[str, set[str]],
    companies: Set[str],
) -> Classified | None:
    mine = [org for org, whole in wholes.items() if body in whole]
    if not mine:
        return None
    partners = [org for org in wholes if body not in wholes[org]]
    abroad = frozenset(located - own)
    if abroad:
        kind = INTERNATIONAL
    elif len(wholes) == 1:
        kind = SINGLE
    elif partners:
        kind = NATIONAL
    else:
        kind = INSTITUTIONAL
    return Classified(
        when,
        kind,
        len(mine) / len(wholes),
        abroad,
        corporate=any(org in companies for org in partners),
        without_country=kind == NATIONAL and any(not home.get(org) for org in partners),
    )


RowKey = tuple[int, int, str, int | str]  # year, row, body, and the kind's number or a country


class ProfileCounter:
    """The profile rows of the works counted so far, for every body that has a country."""

    def __init__(self) -> None:
        self.rows: dict[RowKey, list[float]] = {}  # [full, fractional]

    def count(
        self,
        when: int,
        affiliations: Set[str],
        countries: Set[str],
        hierarchy: Hierarchy,
        home: dict[str, set[str]],
        companies: Set[str],
    ) -> None:
        """Add one work (its affiliations reconciled) to the profile of each body it counts for."""
        wholes = {org: hierarchy.levels(org, when).whole for org in affiliations}
        located = _located(affiliations, countries, home)
        for body in frozenset[str]().union(*wholes.values()):
            own = home.get(body)
            if not own:
                continue
            found = _classified(when, wholes, located, body, frozenset(own), home, companies)
            if found is not None:
                self._add(body, found)

    def _add(self, body: str, work: Classified) -> None:
        self._row((work.year, KIND, body, _KIND_NUMBER[work.kind]), 1, work.share)
        for country in work.partner_countries:
            self._row((work.year, COUNTRY, body, country), 1, work.share / len(work.partner_countries))
        if work.corporate:
            self._row((work.year, CORPORATE, body, 0), 1, work.share)
        if work.without_country:
            self._row((work.year, WITHOUT_COUNTRY, body, 0), 1, 0.0)

    def _row(self, key: RowKey, full: int, fractional: float) -> None:
        found = self.rows.get(key)
        if found is None:
            self.rows[key] = [full, fractional]
        else:
            found[0] += full
            found[1] += fractional

    def table(self, nodes: Nodes, sign: int) -> LinkTable:
        """The rows so far as a table (each counted ``sign`` times), and a fresh start."""
        keys = [
            pack(year, row, nodes.id(body), nodes.id(b) if isinstance(b, str) else b)
            for year, row, body, b in self.rows
        ]
        full = [sign * int(value[0]) for value in self.rows.values()]
        fractional = [sign * value[1] for value in self.rows.values()]
        self.rows = {}
        return LinkTable.of(keys, full, fractional, [False] * len(keys))


def renumbered_profiles(table: LinkTable | None, numbers: npt.NDArray[np.int64]) -> LinkTable | None:
    """A counting process's rows in the caller's register: the body, and a ``COUNTRY`` row's country,
    renumbered (``numbers[n]``: the caller's number of node n); the other rows' ``b`` is no node."""
    if table is None:
        return None
    _, rows, _, _ = unpack(table.keys)
    keys = renumber(np.asarray(table.keys), numbers, targets=rows == COUNTRY)
    return combine([LinkTable(keys, table.full, table.fractional, table.internal)])


def profile_rows(table: LinkTable, body: int) -> LinkTable:
    """The rows of one body (its ``Nodes`` number)."""
    return table.take(((table.keys >> NODE_BITS) & _NODE_MASK) == body)


def save_profiles(folder: Path, table: LinkTable | None) -> None:
    """Write the rows into an index's folder (nothing when none were counted)."""
    if table is None:
        return
    for column in COLUMNS:
        np.save(folder / f"profile-{column}.npy", np.ascontiguousarray(getattr(table, column)))


def load_profiles(folder: Path) -> LinkTable | None:
    """The rows of an index's folder, mapped (None: it holds none)."""
    try:
        keys, full, fractional = (np.load(folder / f"profile-{column}.npy", mmap_mode="r") for column in COLUMNS)
    except (OSError, ValueError):
        return None
    return LinkTable(keys, full, fractional, np.zeros(len(keys), dtype=np.bool_))
