"""HAL open archive documents (TEI exports) as publications, authorships and AuréHAL structures.

Reads either a HAL TEI export (``.xml``: ``listBibl`` of ``biblFull`` documents, ``listOrg`` of the
structures they cite) or a harvest cache (``.jsonl`` or ``.jsonl.gz``: one JSON object a line, whose
``"tei"`` holds one page of a HAL API response in TEI). Each file is one source graph.

A work is named by its DOI (else its HAL id), so that OpenAlex and HAL describe one node; a
structure by its ROR id (given, or from the crosswalk: HAL 441569 is the CNRS), else its AuréHAL id.
A CNRS laboratory (a ``laboratory`` with the CNRS among its direct parents) is a research unit
supervised by those parents that are institutions.

``load(path, strict=...)``: strict reading raises ``LoadError`` at the first bad document; lenient
reading skips it and lists its error in ``SourceData.problems``. An export file is read whole and
its triples are a list; a cache is streamed, its triples a generator that raises (strict) or fills
``problems`` (lenient) as it is consumed. A file that is not well-formed XML always raises.

Modules: ``tei`` (the XML), ``cache`` (the JSON Lines cache), ``records`` (a document as a record),
``structures`` (the structures of a page), ``triples`` (records as triples), ``pages`` (pages into
triples, once per file).

    LoadError (loaders.base)   file:record:field, the record being the HAL id (after the cache line)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyoxigraph as ox

from loaders.base import LoadError, SourceData, read_origin
from loaders.hal import cache, tei
from loaders.hal.pages import Pages, check_root
from loaders.hal.records import Author, Document, FieldError, Title, parse_document
from loaders.hal.structures import Parent, Structure, Structures, parse_structure
from loaders.hal.triples import document_triples, structure_triples
from ontology import iris
from ontology.literals import date_literal
from ontology.provenance import SourceInfo

__all__ = [
    "CC_BY",
    "COMPRESSED",
    "KIND",
    "ORIGIN",
    "READS_FOLDERS",
    "Author",
    "Document",
    "FieldError",
    "Parent",
    "Structure",
    "Structures",
    "Title",
    "detect",
    "document_triples",
    "load",
    "parse_document",
    "parse_structure",
    "structure_triples",
]

KIND = "hal"
READS_FOLDERS = False
COMPRESSED = (".jsonl.gz",)  # a harvest cache
ORIGIN = "https://hal.science"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def detect(path: Path) -> bool:
    """An ``.xml`` file whose root is TEI with a ``listBibl``, or a cache whose first line has ``"tei"``."""
    if not path.is_file():
        return False
    if path.suffix.lower() == ".xml":
        return tei.is_tei(path)
    return cache.is_cache(path)


def load(path: Path, *, strict: bool = True) -> list[SourceData]:
    """One ``SourceData`` for the file; see the module's docstring for strict and lenient reading."""
    try:
        iris.source_graph(KIND, path.name)
    except iris.InvalidIdentifier as exc:
        raise LoadError(path, None, None, str(exc), "rename the file with letters, digits, '.', '_' or '-'") from None
    if cache.has_cache_name(path):
        data = SourceData(_source_info(path, _cache_header(path)))
        data.triples = Pages(path, strict=strict, problems=data.problems).cache_triples()
        return [data]
    root = tei.parse_file(path)
    check_root(root, path)
    data = SourceData(_source_info(path, tei.header(root)))
    data.triples = list(Pages(path, strict=strict, problems=data.problems).page_triples(root))
    return [data]


def _cache_header(path: Path) -> tei.Header:
    """The header of the cache's first page (a broken first page is reported when the pages are read)."""
    page = cache.first_page(path)
    if page is None:
        return tei.Header(None, None)
    try:
        return tei.header(tei.parse_text(page.tei, path, None, "tei"))
    except LoadError:
        return tei.Header(None, None)


def _source_info(path: Path, header: tei.Header) -> SourceInfo:
    retrieved = _valid_date(header.date)
    if retrieved is None:
        retrieved = read_origin(path.parent).get("retrieved")
        if retrieved is not None and _valid_date(retrieved) is None:
            origin = path.parent / "ORIGIN.toml"
            raise LoadError(origin, None, "retrieved", f"{retrieved!r} is not a date", "write YYYY-MM-DD")
    return SourceInfo(
        kind=KIND,
        name=path.name,
        title=f"HAL TEI export ({path.name})",
        origin=ORIGIN,
        retrieved=retrieved or _modified(path),
        license=_licence(header.licence),
        description=f"HAL documents with their authors and AuréHAL structures, read from {path.name}.",
        publications=True,
    )


def _valid_date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        date_literal(value)
    except ValueError:
        return None
    return value


def _licence(target: str | None) -> str:
    """The export's licence IRI; Creative Commons IRIs in https, as the other sources write them."""
    if not target:
        return CC_BY
    iri = target.replace("http://creativecommons.org/", "https://creativecommons.org/", 1)
    try:
        ox.NamedNode(iri)
    except ValueError:
        return CC_BY
    return iri if iri.startswith(("http://", "https://")) else CC_BY


def _modified(path: Path) -> str:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).date().isoformat()
