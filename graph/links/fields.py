"""The network by research field: the same year links, counted again for each field of the works.

**Which fields.** A work's fields are the ``kg:researchField`` its sources state, at the levels the
network is counted by (``ontology.iris.counted_field``): the OpenAlex *fields* (26 of them, such
as ``https://openalex.org/fields/17`` Computer Science) and the *top-level* HAL domains (``info``,
``phys``, ``sdv``...). Finer levels (topics, subfields, HAL subdomains) and OpenAlex domains are in
the RDF for SPARQL users, not counted here. A work without a field counts in no field table.

**How a work counts.** A work counts fully in each of its fields: its links (the rules of
``graph.links``, full and fractional counting alike) are added whole to the table of every field
it has, never divided between them. A work in Physics and Computer Science adds 1 to its links in
both tables, so the fields' figures of a pair add up to more than the pair's own figure when works
have several fields; a field's figure is exact for that field.

**Where they are.** Each ``LinkTable`` may carry its links by field (``LinkTable.fields``), summed
with it by ``table.combine``, so every increment and refresh keeps them in step with the main
table; the index saves them beside its own columns (``save_fields``: ``fields.json`` naming each
field's rows, and ``field-<column>.npy``), and ``LinkIndex.of_field`` reads one field's links as an
index of their own. They are index-only: the RDF network graphs (``graph/network/<year>``) that
SPARQL users see are not split by field. An index written before fields were counted, or rebuilt
from the RDF links, has none: a field question then says to run ``cnrs-kg network --refresh``.

**Asking.** ``within(field)`` makes the network questions (``graph.explore``, ``graph.analytics``)
read the field's links instead of all of them (``index_of``); ``field_iri`` reads a field as a user
gives it: an OpenAlex field id (``https://openalex.org/fields/17``, ``fields/17`` or ``17``) or a
top-level HAL domain code (``info``).

>>> field_iri("https://openalex.org/fields/17")
'https://w3id.org/cnrs-kg/id/field/openalex/field/17'
>>> field_iri("INFO")
'https://w3id.org/cnrs-kg/id/field/hal/info'
>>> field_iri("info.info-ai")
Traceback (most recent call last):
...
graph.errors.BadArgument: field 'info.info-ai' is a HAL subdomain: the network counts top-level domains; give 'info'
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import numpy as np

from graph.errors import BadArgument
from graph.links.rules import Key, Tally
from graph.links.table import LinkTable
from ontology import iris

OPENALEX_FIELDS = range(
    11, 37
)  # OpenAlex's 26 fields: 11 Agricultural and Biological Sciences ... 36 Health Professions
HAL_DOMAINS = ("chim", "info", "math", "nlin", "phys", "qfin", "scco", "sde", "sdu", "sdv", "shs", "spi", "stat")
MANIFEST = "fields.json"
COLUMNS = ("keys", "full", "fractional", "internal")
_PROBLEM = (
    "give an OpenAlex field id (https://openalex.org/fields/17, from 11 to 36) "
    f"or a top-level HAL domain code ({', '.join(HAL_DOMAINS)})"
)


def field_iri(text: str) -> str:
    """The IRI of a field the network is counted by, from an id a user gives (module docstring)."""
    given = text.strip()
    if given.startswith(iris.FIELD):
        if iris.counted_field(given):
            return given
        raise BadArgument(f"field {text!r} is not a level the network is counted by: {_PROBLEM}")
    bare = given.removeprefix("https://openalex.org/").removeprefix("http://openalex.org/").removeprefix("fields/")
    if bare.isdigit():
        if int(bare) not in OPENALEX_FIELDS:
            raise BadArgument(f"field {text!r} is not an OpenAlex field: {_PROBLEM}")
        return iris.openalex_field("field", bare).value
    code = given.lower()
    if code.split(".")[0] in HAL_DOMAINS and "." in code:
        top = code.split(".")[0]
        raise BadArgument(f"field {text!r} is a HAL subdomain: the network counts top-level domains; give {top!r}")
    if code not in HAL_DOMAINS:
        raise BadArgument(f"field {text!r} is unknown: {_PROBLEM}")
    return iris.hal_domain(code).value


# --- the field in effect for the network questions ---------------------------------------------------

_FIELD: ContextVar[str | None] = ContextVar("cnrs_kg_field", default=None)


@contextmanager
def within(field: str | None) -> Iterator[None]:
    """Within the block, the network index read by the questions is the field's (None: the one in
    effect stays, all works unless an outer block chose a field)."""
    token = _FIELD.set(_FIELD.get() if field is None else field_iri(field))
    try:
        yield
    finally:
        _FIELD.reset(token)


def current_field() -> str | None:
    """The IRI of the field in effect (``within``), or None."""
    return _FIELD.get()


# --- counting ---------------------------------------------------------------------------------------


def _add(table: dict[Key, Tally], links: dict[Key, Tally]) -> None:
    for key, tally in links.items():
        found = table.get(key)
        if found is None:
            table[key] = Tally(tally.full, tally.fractional, tally.internal)
        else:
            found.full += tally.full
            found.fractional += tally.fractional
            found.internal = found.internal or tally.internal


class ByField:
    """A chunk of works' links in each field, beside the chunk of all their links."""

    def __init__(self) -> None:
        self.chunks: dict[str, dict[int, dict[Key, Tally]]] = defaultdict(lambda: defaultdict(dict))
        self.known = True  # False once a work came without its fields: the tables are then unknown

    def unknown(self) -> set[str]:
        """For a work read without its fields: the field tables can no longer be exact."""
        self.known = False
        return set()

    def count(
        self, chunk: dict[Key, Tally], when: int, fields: Iterable[str], count: Callable[[dict[Key, Tally]], None]
    ) -> None:
        """Count one work (``count`` adds its links to a table) into ``chunk`` and into each of its
        fields' tables for year ``when``: the work's links are counted once, then added whole to each."""
        counted = sorted({field for field in fields if iris.counted_field(field)})
        if not counted:
            count(chunk)
            return
        links: dict[Key, Tally] = {}
        count(links)
        _add(chunk, links)
        for field in counted:
            _add(self.chunks[field][when], links)

    def tables(self, table: Callable[[dict[int, dict[Key, Tally]]], LinkTable]) -> dict[str, LinkTable] | None:
        """Each field's links as a table (``table`` makes one of a chunk; None: unknown), and a fresh start."""
        found = {field: table(chunk) for field, chunk in self.chunks.items()}
        self.chunks.clear()
        return found if self.known else None


def renumbered(
    fields: dict[str, LinkTable] | None, renumber: Callable[[LinkTable], LinkTable]
) -> dict[str, LinkTable] | None:
    """The field tables with their ends renumbered (``renumber`` does one table)."""
    return None if fields is None else {name: renumber(table) for name, table in fields.items()}


# --- on disk ----------------------------------------------------------------------------------------


def save_fields(folder: Path, fields: dict[str, LinkTable] | None) -> None:
    """Write the field tables into an index's folder: their columns end to end, and which rows are whose."""
    if fields is None:
        return  # not counted by field: a reader finds no manifest and says so
    names = sorted(fields)
    bounds = np.cumsum([0, *(len(fields[name]) for name in names)]).tolist()
    for column in COLUMNS:
        parts = [np.asarray(getattr(fields[name], column)) for name in names]
        empty = np.zeros(
            0, dtype=np.bool_ if column == "internal" else np.float64 if column == "fractional" else np.int64
        )
        np.save(folder / f"field-{column}.npy", np.concatenate(parts) if parts else empty)
    rows = {name: [bounds[i], bounds[i + 1]] for i, name in enumerate(names)}
    (folder / MANIFEST).write_text(json.dumps(rows), encoding="utf-8")


def load_fields(folder: Path) -> dict[str, LinkTable] | None:
    """The field tables of an index's folder, mapped (None: it holds none)."""
    try:
        rows = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        columns = {column: np.load(folder / f"field-{column}.npy", mmap_mode="r") for column in COLUMNS}
    except (OSError, ValueError):
        return None
    return {name: LinkTable(*(columns[column][low:high] for column in COLUMNS)) for name, (low, high) in rows.items()}
