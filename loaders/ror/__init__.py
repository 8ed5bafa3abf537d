"""Research Organization Registry records (schema v1 or v2) as organisations.

Reads a JSON list of ROR records, a single record, or ROR's data-dump ``.zip`` (whose
``*_schema_v2.json`` member is preferred to the older ``*-ror-data.json``). The schema version is
told per record: v2 has ``names``/``locations``/``admin``, v1 has ``name``/``country``.

Every record is parsed into a ``RorRecord`` first, so a bad record raises ``LoadError`` before any
triple exists; ``record_triples`` then turns each record into triples with no blank node.

Modules: ``reading`` (the file, the dump's zip, JSON records one by one), ``fields`` (checks of
one field), ``records`` (``RorRecord`` from either schema), ``triples`` (a record as triples).

>>> rec = parse_record({"id": "https://ror.org/02feahw73", "name": "CNRS", "status": "active"})
>>> rec.ror, rec.schema, rec.label
('02feahw73', 1, ('CNRS', None))
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from loaders.base import LoadError, SourceData, dedupe, mtime_date, read_origin
from loaders.ror.reading import _DUMP_NAME, _decode, _read_zip, detect, json_records
from loaders.ror.records import RorRecord, parse_record, parse_records
from loaders.ror.triples import CNRS_BODIES, cnrs_internal_bodies, record_triples
from ontology import iris
from ontology.literals import date_literal
from ontology.provenance import SourceInfo

__all__ = [
    "CC0",
    "CNRS_BODIES",
    "COMPRESSED",
    "DEFAULT_ORIGIN",
    "KIND",
    "READS_FOLDERS",
    "RorRecord",
    "cnrs_internal_bodies",
    "detect",
    "json_records",
    "load",
    "parse_record",
    "parse_records",
    "record_triples",
]

KIND = "ror"
READS_FOLDERS = False
COMPRESSED = (".zip",)  # ROR's data dump

DEFAULT_ORIGIN = "https://ror.org"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"


def load(path: Path) -> list[SourceData]:
    """Read every record of ``path``, then make one ``SourceData`` (graph) for the file."""
    with _gc_paused():
        release_date: str | None = None
        if path.suffix.lower() == ".zip":
            member, text, member_date = _read_zip(path)
            where = f"{path}!{member}"
            match = _DUMP_NAME.match(Path(member).name) or _DUMP_NAME.match(path.name)
            release_date = match["date"] if match else member_date
        else:
            where, text = str(path), _decode(path, path.read_bytes())
        records = parse_records(text, where)
        del text
        info = _source_info(path, records, release_date)
        data = SourceData(info)
        internal = cnrs_internal_bodies(records)
        data.triples = dedupe(t for record in records for t in record_triples(record, internal))
    return [data]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of acyclic objects are made.

    With a full dump (~120,000 records, millions of triples) the collector's repeated passes over
    the growing heap cost about a third of the load time; nothing made here forms a cycle.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _source_info(path: Path, records: list[RorRecord], release_date: str | None) -> SourceInfo:
    origin = read_origin(path.parent)
    retrieved = origin.get("retrieved") or release_date or _newest_modified(records) or mtime_date(path)
    try:
        date_literal(retrieved)
    except ValueError as exc:
        raise LoadError(path.parent / "ORIGIN.toml", None, "retrieved", str(exc), "write YYYY-MM-DD") from None
    try:
        iris.source_graph(KIND, path.name)
    except iris.InvalidIdentifier as exc:
        raise LoadError(path, None, None, str(exc), "rename the file with letters, digits, '.', '_' or '-'") from None
    title = origin.get("title") or "Research Organization Registry records"
    return SourceInfo(
        kind=KIND,
        name=path.name,
        title=f"{title}: {path.name}",
        origin=origin.get("url") or DEFAULT_ORIGIN,
        retrieved=retrieved,
        license=origin.get("license") or CC0,
        description=origin.get("description")
        or f"{len(records)} organisation records of the Research Organization Registry, read from {path.name}.",
    )


def _newest_modified(records: list[RorRecord]) -> str | None:
    return max((r.modified for r in records if r.modified), default=None)
