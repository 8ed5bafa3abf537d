"""Any RDF file as a source: Turtle, N-Triples, N-Quads, TriG, RDF/XML or JSON-LD, kept as it is.

The syntax is told by the file's extension (``loaders.rdf.syntax``); ``cnrs-kg load --kind rdf``
also takes ``.json`` as JSON-LD and ``.xml`` as RDF/XML. A ``.gz`` archive of such a file is read
as it is decompressed.

Each graph of the file becomes a graph of the store (``loaders.rdf.describe``): the default graph
the source's own, ``.../graph/rdf/<file name>``, each named graph under it, each described with
PROV and DCTERMS like every other source: its title, origin, licence, retrieval date, the file it
was read from (name, syntax, SHA-256) and its name in that file. The statements themselves are
kept as they are, in whatever vocabulary: what uses the project's (``kg:``, ``org:``...) is read by
GraphQL and the pages as any source's, the rest by SPARQL only.

The licence must be known: ``--licence URL`` (``load(licence=...)``) or ``license`` in the
``ORIGIN.toml`` beside the file (``loaders.base.read_origin``, which also gives the title, the
origin's URL and the retrieval date; without a date, the file's modification date is taken, the
same at every load).

``load`` reads the file once before it returns, so that a syntax error (``file:line``) stops the
load before the store is touched, and keeps the graphs of a dataset apart on disk
(``loaders.rdf.reading.Spool``); the triples of each graph are then read as the store takes them,
so no file is ever in memory whole. A file of triples only is read a second time instead, and
must give the same SHA-256 both times.

>>> KIND, syntax_of(Path("semopenalex-data-sample.trig")).name
('rdf', 'TriG')
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from pathlib import Path

import pyoxigraph as ox

from loaders.base import LoadError, SourceData, mtime_date, read_origin
from loaders.rdf.describe import KIND, GraphInfo, RdfFile, description, graph_iri, original_name
from loaders.rdf.reading import BlankNodes, GraphName, Reading, Spool
from loaders.rdf.syntax import EXTENSIONS, GZIP, syntax_of
from ontology import iris
from ontology.literals import date_literal

__all__ = ["COMPRESSED", "KIND", "READS_FOLDERS", "detect", "load", "syntax_of"]

READS_FOLDERS = False
COMPRESSED = (GZIP,)
_LICENCE_HINT = (
    "pass --licence with the data's licence URL (https://creativecommons.org/publicdomain/zero/1.0/ for CC0), "
    "or write license in an ORIGIN.toml beside the file"
)


def detect(path: Path) -> bool:
    """A file whose extension names an RDF syntax (``.ttl``, ``.nt``, ``.nq``, ``.trig``, ``.rdf``,
    ``.owl``, ``.jsonld``, each maybe followed by ``.gz``)."""
    return path.is_file() and syntax_of(path) is not None


def load(path: Path, *, licence: str | None = None) -> list[SourceData]:
    """One ``SourceData`` per graph of the file, each described (see the module docstring)."""
    syntax = syntax_of(path, forced=True)
    if syntax is None:
        hint = f"name it with one of {EXTENSIONS} (then {GZIP} if compressed)"
        raise LoadError(path, None, None, "cannot tell the RDF syntax from the file name", hint)
    try:
        graph_iri(path.name, ox.DefaultGraph())
    except iris.InvalidIdentifier as exc:
        raise LoadError(path, None, None, str(exc), "rename the file with letters, digits, '.', '_' or '-'") from None
    base = _base_info(path, licence)
    reading = Reading(path, syntax, BlankNodes(path.name))
    spool = Spool() if syntax.supports_datasets else None
    counts = _scan(reading, spool)
    if not counts:
        raise LoadError(path, None, None, "the file holds no statement", "give a file with at least one triple")
    source = RdfFile(path.name, syntax, reading.sha256)
    sources = []
    for original, count in counts.items():
        info = _graph_info(base, source, original, count)
        content = spool.triples(original) if spool is not None else _again(path, syntax, source.sha256)
        sources.append(SourceData(info, chain(description(info, source, original), content)))
    return sources


def _scan(reading: Reading, spool: Spool | None) -> dict[GraphName, int]:
    """Read the file once: the statements of each graph, counted, and kept apart in ``spool`` if given."""
    counts: dict[GraphName, int] = {}
    for graph, triple in reading:
        counts[graph] = counts.get(graph, 0) + 1
        if spool is not None:
            spool.add(graph, triple)
    if spool is not None:
        spool.flush()
    return counts


def _base_info(path: Path, licence: str | None) -> GraphInfo:
    """What every graph of the file says alike: its origin, licence and date."""
    origin = read_origin(path.parent)
    licence = licence or origin.get("license")
    if not licence:
        raise LoadError(path, None, None, "no licence is known for this file", _LICENCE_HINT)
    if not _is_url(licence):
        raise LoadError(path, None, "licence", f"{licence!r} is not a URL", _LICENCE_HINT)
    retrieved = origin.get("retrieved") or mtime_date(path)
    try:
        date_literal(retrieved)
    except ValueError as exc:
        raise LoadError(path.parent / "ORIGIN.toml", None, "retrieved", str(exc), "write YYYY-MM-DD") from None
    return GraphInfo(
        kind=KIND,
        name=path.name,
        title=origin.get("title") or f"RDF from {path.name}",
        origin=origin.get("url") or path.name,
        retrieved=retrieved,
        license=licence,
        description=origin.get("description", ""),
    )


def _graph_info(base: GraphInfo, source: RdfFile, original: GraphName, count: int) -> GraphInfo:
    named = not isinstance(original, ox.DefaultGraph)
    title = f"{base.title}: graph {original_name(original)}" if named else base.title
    read = f"{count:,} statements read from {original_name(original)} of {source.name} ({source.syntax.name})"
    return GraphInfo(
        kind=base.kind,
        name=base.name,
        title=title,
        origin=base.origin,
        retrieved=base.retrieved,
        license=base.license,
        description=base.description or f"{read}, kept as they are.",
        iri=graph_iri(source.name, original).value,
    )


def _again(path: Path, syntax: ox.RdfFormat, sha256: bytes) -> Iterator[ox.Triple]:
    """The file's triples, read a second time; the file must not have changed since the first."""
    reading = Reading(path, syntax, BlankNodes(path.name))
    for _, triple in reading:
        yield triple
    if reading.sha256 != sha256:
        raise LoadError(path, None, None, "the file changed while it was loaded", "load it again once it is written")


def _is_url(value: str) -> bool:
    try:
        return value.startswith(("http://", "https://")) and bool(ox.NamedNode(value))
    except ValueError:
        return False
