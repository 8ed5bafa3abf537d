"""CNRS structures and agreements in ASEAN: instruments, their parties and the regional office.

Input is a folder of three hand-curated CSV files (see ``data/cnrs/README.md``), named by its
``instruments.csv``: ``instruments.csv`` (one row per cooperation instrument), ``parties.csv``
(one row per party of an instrument) and ``offices.csv`` (the CNRS regional office), with
``ORIGIN.toml`` beside them. Each file is read into typed records that keep their physical line,
every record is checked, and only then turned into triples; the first bad value raises
``LoadError`` as ``file:line:field: what; what to do``.

Modules: ``rows`` (the CSV files and their rows), ``records`` (typed, cross-checked records),
``triples`` (records as triples).

>>> sorted(KINDS)[:4]
['AGREEMENT', 'GDRI', 'IEA', 'IRL']
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox

from loaders.base import LoadError, SourceData, dedupe, read_origin
from loaders.cnrs.records import KINDS, LAB_CLASSES, ROLES, STATUSES, Instrument, Office, Party, Unit, read
from loaders.cnrs.rows import (
    INSTRUMENT_COLUMNS,
    INSTRUMENTS_FILE,
    OFFICE_COLUMNS,
    OFFICES_FILE,
    PARTIES_FILE,
    PARTY_COLUMNS,
    URL_SEPARATOR,
)
from loaders.cnrs.triples import instrument_triples, office_triples, party_triples
from ontology.literals import date_literal
from ontology.provenance import SourceInfo

__all__ = [
    "COMPRESSED",
    "INSTRUMENTS_FILE",
    "INSTRUMENT_COLUMNS",
    "KIND",
    "KINDS",
    "LAB_CLASSES",
    "NAME",
    "OFFICES_FILE",
    "OFFICE_COLUMNS",
    "ORIGIN_KEYS",
    "PARTIES_FILE",
    "PARTY_COLUMNS",
    "READS_FOLDERS",
    "ROLES",
    "STATUSES",
    "URL_SEPARATOR",
    "Instrument",
    "Office",
    "Party",
    "Unit",
    "detect",
    "instrument_triples",
    "load",
    "office_triples",
    "party_triples",
    "read",
    "source_info",
]

KIND = "cnrs"
READS_FOLDERS = True  # the folder of the three files, as well as its instruments.csv
COMPRESSED: tuple[str, ...] = ()
NAME = "cnrs-asean"
ORIGIN_KEYS = ("title", "url", "retrieved", "license")


def detect(path: Path) -> bool:
    """True for a structured ``instruments.csv``, recognised by its header."""
    if not path.is_file() or path.suffix.lower() != ".csv":
        return False
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    return {name.strip() for name in header} == set(INSTRUMENT_COLUMNS)


def source_info(folder: Path, cited: tuple[str, ...]) -> SourceInfo:
    origin_path = folder / "ORIGIN.toml"
    origin = read_origin(folder)
    for key in ORIGIN_KEYS:
        if not origin.get(key):
            raise LoadError(origin_path, None, key, "missing", f"ORIGIN.toml must give {', '.join(ORIGIN_KEYS)}")
    try:
        date_literal(origin["retrieved"])
    except ValueError as exc:
        message = f"{origin['retrieved']!r} is not a date"
        raise LoadError(origin_path, None, "retrieved", message, "write YYYY-MM-DD") from exc
    return SourceInfo(
        kind=KIND,
        name=NAME,
        title=origin["title"],
        origin=origin["url"],
        retrieved=origin["retrieved"],
        license=origin["license"],
        description=origin.get("description", ""),
        cited=cited,
    )


def load(path: Path) -> list[SourceData]:
    """Load the folder of ``path`` (its ``instruments.csv``, or the folder itself) as one source."""
    if path.is_dir():
        path = path / INSTRUMENTS_FILE
    instruments, parties, offices = read(path)
    sources = [*(inst.sources for inst in instruments), *(office.sources for office in offices)]
    cited = tuple(dict.fromkeys(url for urls in sources for url in urls))
    data = SourceData(source_info(path.parent, cited))
    by_key = {office.key: office for office in offices}
    triples: list[ox.Triple] = []
    for inst in instruments:
        triples.extend(instrument_triples(inst, [p for p in parties if p.instrument == inst.key]))
    for office in offices:
        triples.extend(office_triples(office, by_key))
    data.triples = dedupe(triples)
    return [data]
