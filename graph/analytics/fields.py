"""In which research fields two nodes co-publish, and whether an instrument joins them in each.

``fields(of, with_, window)``: for each field of the network index (``graph.links.fields``: the
OpenAlex fields and top-level HAL domains, a work counting fully in each of its fields), the
co-publications of ``of`` and ``with_`` (institutions or countries: the CNRS and Vietnam are an
institution-country link) in the window, full and fractional, and per year; the fields without
any are left out; most co-publications first, then by IRI.

**Instruments.** Those active in the window (``graph.analytics.instruments``: the explorer's active
span; an undated one only for a window unbounded on both sides) with both sides among their
parties: a side that is an institution takes part through itself or a unit below it (one step or
more, any year); a side that is a country, through the instrument's own country or a partner
party's. The CNRS takes part in every instrument (its side: its labs, else itself). Instruments
carry no field in their sources, so an instrument is **in a field** when its parties on ``of``'s
side co-published in that field in the window with ``with_`` (a country) or with its parties on
``with_``'s side (an institution). ``Fields.instruments`` lists every instrument joining the two,
each field's ``instruments`` those in that field: a field without one is a field without an
instrument.

>>> FieldCopublications("f", 2.0, 1.5, {2019: 2.0}, []).covered
False
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import pyoxigraph as ox

from graph import Queryable, sparql
from graph.analytics.instruments import CNRS, Catalogue, Instrument, catalogue, pair_years
from graph.errors import BadArgument
from graph.explore import queries as q
from graph.explore.types import Window
from graph.links import LinkIndex, index_of

__all__ = ["FieldCopublications", "Fields", "field_labels", "fields", "joining"]

LABELS = (
    sparql.PROLOGUE
    + """SELECT ?field (SAMPLE(?label) AS ?name) (SAMPLE(?code) AS ?notation) WHERE {
  VALUES ?field { __FIELDS__ }
  OPTIONAL { ?field skos:prefLabel ?label }
  OPTIONAL { ?field skos:notation ?code }
} GROUP BY ?field"""
)


@dataclass(frozen=True)
class FieldCopublications:
    """The co-publications of the two nodes in one field over the window, and the instruments in it."""

    field: str  # the field's IRI
    works: float  # full counting
    fractional: float
    per_year: dict[int, float]  # full counting; years without any are absent
    instruments: list[str]

    @property
    def covered(self) -> bool:
        """Whether an instrument joining the two is in this field."""
        return bool(self.instruments)


@dataclass(frozen=True)
class Fields:
    """The fields of the two nodes' co-publications, and every instrument joining them in the window."""

    of: str
    with_: str
    window: Window
    fields: list[FieldCopublications]
    instruments: list[str]


def _is_country(node: str) -> bool:
    return node.startswith(q.COUNTRY_BASE)


def _parties(instrument: Instrument) -> set[str]:
    return {*instrument.party_facts, *instrument.cnrs_side}


def _side(instrument: Instrument, node: str, known: Catalogue) -> set[str] | None:
    """The parties through which ``node`` takes part in the instrument (a country: the node itself),
    or None when it takes no part."""
    if _is_country(node):
        return {node} if node in instrument.countries else None
    inside = {node} | known.below([node])
    found = _parties(instrument) & inside
    if node == CNRS:
        found |= set(instrument.cnrs_side)
    return found or None


def _active(instrument: Instrument, window: Window) -> bool:
    span = instrument.span()
    if span.start is None:
        return not window.bounded
    return window.overlaps(span.start, span.end)


def joining(queries: Queryable, of: str, with_: str, window: Window) -> dict[str, list[tuple[str, str]]]:
    """The instruments active in the window with both sides among their parties, each with the pairs
    (a party on ``of``'s side, ``with_`` or a party on its side) whose co-publications put it in a field."""
    known = catalogue(queries)
    found: dict[str, list[tuple[str, str]]] = {}
    for iri, instrument in sorted(known.instruments.items()):
        if not _active(instrument, window):
            continue
        mine, theirs = _side(instrument, of, known), _side(instrument, with_, known)
        if mine is None or theirs is None:
            continue
        found[iri] = sorted({(a, b) for a in mine for b in theirs if a != b})
    return found


def _in_window(per_year: dict[int, tuple[float, float]], window: Window) -> dict[int, tuple[float, float]]:
    return {year: value for year, value in per_year.items() if window.contains(year)}


def _field_figures(
    index: LinkIndex, of: str, with_: str, window: Window, instruments: dict[str, list[tuple[str, str]]]
) -> FieldCopublications | None:
    pairs = {(of, with_), *(pair for found in instruments.values() for pair in found)}
    years = pair_years(index, pairs)
    own = _in_window(years[(of, with_)], window)
    if not own:
        return None
    inside = [iri for iri, found in instruments.items() if any(_in_window(years[p], window) for p in found)]
    return FieldCopublications(
        field="",
        works=round(sum(full for full, _ in own.values()), 6),
        fractional=round(sum(share for _, share in own.values()), 6),
        per_year={year: full for year, (full, _) in sorted(own.items())},
        instruments=sorted(inside),
    )


def fields(queries: Queryable, of: str, with_: str, *, window: Window | None = None) -> Fields:
    """The fields in which ``of`` and ``with_`` co-publish in the window (module docstring)."""
    of, with_ = q.checked_iris([of], "of")[0], q.checked_iris([with_], "with")[0]
    if of == with_:
        raise BadArgument("of and with name the same node: give two different institutions or countries")
    window = window or Window()
    whole = index_of(queries)
    if whole.years.fields is None:
        whole.of_field("")  # says why there are no fields, and what to do
    instruments = joining(queries, of, with_, window)
    found = []
    for field in sorted(whole.years.fields or {}):
        figures = _field_figures(whole.of_field(field), of, with_, window, instruments)
        if figures is not None:
            found.append(replace(figures, field=field))
    found.sort(key=lambda f: (-f.works, f.field))
    return Fields(of, with_, window, found, sorted(instruments))


def field_labels(queries: Queryable, iris: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """Each field's English label (else any) and notation, as the store holds them (one query)."""
    nodes = sparql.named_nodes(iris)
    if not nodes:
        return {}
    result = queries.query(sparql.bind(LABELS, FIELDS=nodes))
    assert isinstance(result, ox.QuerySolutions)
    found: dict[str, tuple[str | None, str | None]] = {}
    for row in result:
        field, name, notation = row["field"], row["name"], row["notation"]
        if isinstance(field, ox.NamedNode):
            found[field.value] = (
                name.value if isinstance(name, ox.Literal) else None,
                notation.value if isinstance(notation, ox.Literal) else None,
            )
    return found
