"""What every loader shares: source descriptions, load errors, literal helpers.

A loader module reads one kind of source file into typed records (keeping file and line), turns
each record into triples with a pure function, and returns ``SourceData``: the description of the
source and the full content of its named graph. Writing to the store is not the loader's job
(see ``graph.loading``).

Loaders of curated files stop at the first bad record. Loaders of harvested records (OpenAlex,
HAL) take ``strict``: when True they stop at the first bad record too; when False they skip it,
append its ``LoadError`` to ``SourceData.problems`` and go on, and the content may be a lazy
iterator that fills ``problems`` as it is consumed.

    LoaderError
    └── LoadError        bad input: carries file, line (or record id) and field
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ontology import DCTERMS, KG, PROV, RDF, RDFS, XSD, iris


class LoaderError(Exception):
    """Base class of the loaders' errors."""


class LoadError(LoaderError):
    """Bad input. ``str()`` is one line: ``file:line:field: what; what to do``."""

    def __init__(
        self, path: Path | str, line: int | str | None, field: str | None, message: str, hint: str = ""
    ) -> None:
        self.path = str(path)
        self.line = line
        self.field = field
        self.message = message
        self.hint = hint
        where = ":".join(str(part) for part in (self.path, line, field) if part not in (None, ""))
        super().__init__(f"{where}: {message}" + (f"; {hint}" if hint else ""))


@dataclass(frozen=True)
class SourceInfo:
    """Who says it: one source, described in its own named graph with PROV-O and DCTERMS."""

    kind: str
    name: str
    title: str
    origin: str
    retrieved: str
    license: str
    description: str = ""
    cited: tuple[str, ...] = ()
    synthetic: bool = False

    @property
    def graph(self) -> ox.NamedNode:
        return iris.source_graph(self.kind, self.name)


@dataclass
class SourceData:
    """A source and the complete content of its graph (a list, or an iterator read once)."""

    info: SourceInfo
    triples: Iterable[ox.Triple] = field(default_factory=list)
    problems: list[LoadError] = field(default_factory=list)

    @property
    def graph(self) -> ox.NamedNode:
        return self.info.graph

    def add(self, subject: ox.NamedNode, predicate: ox.NamedNode, obj: ox.NamedNode | ox.Literal) -> None:
        assert isinstance(self.triples, list), "add() builds a list; a lazy content is given whole"
        self.triples.append(ox.Triple(subject, predicate, obj))

    def all_triples(self) -> Iterator[ox.Triple]:
        yield from describe_source(self.info)
        yield from self.triples


def describe_source(info: SourceInfo) -> Iterator[ox.Triple]:
    """The graph's description of itself. Deterministic, so reloading the same file changes nothing."""
    g = info.graph
    yield ox.Triple(g, RDF.type, KG.SourceGraph)
    yield ox.Triple(g, RDF.type, PROV.Entity)
    yield ox.Triple(g, RDFS.label, ox.Literal(info.title, language="en"))
    yield ox.Triple(g, DCTERMS.title, ox.Literal(info.title, language="en"))
    yield ox.Triple(g, KG.sourceKind, ox.Literal(info.kind))
    if info.description:
        yield ox.Triple(g, DCTERMS.description, ox.Literal(info.description, language="en"))
    origin: ox.NamedNode | ox.Literal = ox.NamedNode(info.origin) if _is_url(info.origin) else ox.Literal(info.origin)
    yield ox.Triple(g, PROV.hadPrimarySource, origin)
    yield ox.Triple(g, DCTERMS.source, origin)
    for url in info.cited:
        yield ox.Triple(g, DCTERMS.source, ox.NamedNode(url))
    yield ox.Triple(g, DCTERMS.license, ox.NamedNode(info.license))
    yield ox.Triple(g, PROV.generatedAtTime, date_literal(info.retrieved))
    yield ox.Triple(g, DCTERMS.date, date_literal(info.retrieved))
    yield ox.Triple(g, KG.synthetic, ox.Literal("true" if info.synthetic else "false", datatype=XSD.boolean))


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def read_origin(folder: Path) -> dict[str, str]:
    """Read ``ORIGIN.toml`` beside a data file: title, url, retrieved, license (and description).

    Missing file: empty mapping; the loader then uses its defaults or the user's options.
    """
    path = folder / "ORIGIN.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LoadError(path, None, None, f"not valid TOML: {exc}", "fix the file") from exc
    source = data.get("source", data)
    return {str(k): str(v) for k, v in source.items() if not isinstance(v, (dict, list))}


# --- literals ---------------------------------------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR_MONTH = re.compile(r"^\d{4}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")


def date_literal(value: str) -> ox.Literal:
    """A date at the precision given: ``2005-09-22`` (xsd:date), ``2014-05`` (gYearMonth), ``1983`` (gYear).

    >>> date_literal("1983").datatype.value
    'http://www.w3.org/2001/XMLSchema#gYear'
    >>> date_literal("2023-07-12").value
    '2023-07-12'
    """
    v = value.strip()
    if _DATE.match(v):
        dt.date.fromisoformat(v)
        return ox.Literal(v, datatype=XSD.date)
    if _YEAR_MONTH.match(v):
        _year, month = v.split("-")
        if not 1 <= int(month) <= 12:
            raise ValueError(f"{value!r}: month out of range")
        return ox.Literal(v, datatype=XSD.gYearMonth)
    if _YEAR.match(v):
        return ox.Literal(v, datatype=XSD.gYear)
    raise ValueError(f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")


def text(value: str, language: str | None = None) -> ox.Literal:
    return ox.Literal(value, language=language) if language else ox.Literal(value)


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD.integer)


def decimal(value: str | float, places: int = 6) -> ox.Literal:
    """An ``xsd:decimal`` in the canonical form Oxigraph stores, so that rereading it compares equal.

    >>> decimal(0.5).value, decimal(1.0).value, decimal("0.060").value, decimal(1 / 3).value
    ('0.5', '1', '0.06', '0.333333')
    """
    text = f"{float(value):.{places}f}".rstrip("0").rstrip(".")
    return ox.Literal("0" if text in ("", "-0") else text, datatype=XSD.decimal)


def year(value: int) -> ox.Literal:
    return ox.Literal(f"{value:04d}", datatype=XSD.gYear)


def dedupe(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """Keep the first occurrence of each triple, in order."""
    return list(dict.fromkeys(triples))
