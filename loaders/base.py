"""What every loader shares: load errors, the ``SourceData`` a loader returns, ``ORIGIN.toml``.

A loader module reads one kind of source file into typed records (keeping file and line), turns
each record into triples with a pure function, and returns ``SourceData``: the description of the
source (``ontology.provenance.SourceInfo``) and the full content of its named graph. Literals are
made with ``ontology.literals``. Writing to the store is not the loader's job (see
``graph.writing``, which takes a ``SourceData`` as it is).

Loaders of curated files stop at the first bad record. Loaders of harvested records (OpenAlex,
HAL) take ``strict``: when True they stop at the first bad record too; when False they skip it,
append its ``LoadError`` to ``SourceData.problems`` and go on, and the content may be a lazy
iterator that fills ``problems`` as it is consumed.

    LoaderError
    └── LoadError        bad input: carries file, line (or record id) and field
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ontology import provenance


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

    def __reduce__(self) -> tuple[object, ...]:
        # Sent back whole by a loader read in another process (``ReadAgain``).
        return (type(self), (self.path, self.line, self.field, self.message, self.hint))


@dataclass
class SourceData:
    """A source and the complete content of its graph (a list, or an iterator read once)."""

    info: provenance.SourceInfo
    triples: Iterable[ox.Triple] = field(default_factory=list)
    problems: list[LoadError] = field(default_factory=list)
    # How to read the content again in another process, for a file big enough that it pays
    # (``graph.produce``); None: the content is read here, from ``triples``.
    producer: ReadAgain | None = None

    @property
    def graph(self) -> ox.NamedNode:
        return self.info.graph

    def add(self, subject: ox.NamedNode, predicate: ox.NamedNode, obj: ox.NamedNode | ox.Literal) -> None:
        assert isinstance(self.triples, list), "add() builds a list; a lazy content is given whole"
        self.triples.append(ox.Triple(subject, predicate, obj))

    def all_triples(self) -> Iterator[ox.Triple]:
        yield from provenance.describe_source(self.info)
        yield from self.triples


# From this size, a harvested file is read in a process of its own while the store loads what it
# makes (``graph.produce``): starting that process takes about a second, a file of this size
# (about 20,000 OpenAlex works, gzipped) about five.
READ_APART_FROM = 4 << 20


@dataclass
class ReadAgain:
    """A lenient loader's content read again in another process: ``read(path, holder, strict)`` is
    the loader's own reading (a module-level function, so that it pickles), and the records it
    skips there are added to ``problems`` (the parent's ``SourceData.problems``) when it is done."""

    read: Callable[[Path, SourceData, bool], Iterator[ox.Triple]]
    path: Path
    strict: bool
    info: provenance.SourceInfo
    problems: list[LoadError]
    _holder: SourceData | None = field(default=None, init=False, repr=False)

    @classmethod
    def worth_it(cls, path: Path) -> bool:
        """Whether ``path`` is big enough to be read in a process of its own."""
        try:
            return path.stat().st_size >= READ_APART_FROM
        except OSError:
            return False  # read here, where the error is reported as for any file

    def produce(self) -> Iterator[ox.Triple]:
        self._holder = SourceData(self.info)
        return self.read(self.path, self._holder, self.strict)

    def report(self) -> object:
        return self._holder.problems if self._holder is not None else []

    def received(self, report: object) -> None:
        assert isinstance(report, list)
        self.problems.extend(report)

    def __getstate__(self) -> dict[str, object]:
        # The parent's problems stay in the parent: the child starts with none.
        return {**self.__dict__, "problems": [], "_holder": None}


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


def mtime_date(path: Path) -> str:
    """The file's modification date (UTC), the date of a source that states none: the same for the
    same file, whenever it is loaded."""
    try:
        stamp = path.stat().st_mtime
    except OSError as exc:
        raise LoadError(path, None, None, f"cannot read the file: {exc.strerror or exc}", "check the path") from None
    return dt.datetime.fromtimestamp(stamp, tz=dt.UTC).date().isoformat()


def dedupe(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """Keep the first occurrence of each triple, in order."""
    return list(dict.fromkeys(triples))
