"""Countries, their UN M49 areas, and dated membership of country groups such as ASEAN.

Two kinds of CSV file, told apart by their header, each one source with its own graph:

- the ISO 3166-1 + UN M49 table of lukes/ISO-3166-Countries-with-Regional-Codes
  (``name,alpha-2,alpha-3,country-code,iso_3166-2,region,...,intermediate-region-code``): one ``kg:Country`` per
  row and one ``kg:Region`` per M49 area, each area inside its parent, regions inside the World;
- a curated membership table (``group,alpha2,country,joined,note,source``): one dated
  ``org:Membership`` per row. The group itself (label, acronym, founding date) is described in the
  ``[groups.<key>]`` table of the ``ORIGIN.toml`` beside the file.

Every alpha-2 code is checked against ISO 3166-1 (pycountry), so a typo is a ``LoadError`` naming
the file, line and column instead of a new country.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pycountry
import pyoxigraph as ox

from loaders.base import LoadError, SourceData, read_origin
from ontology import DCTERMS, KG, ORG, RDF, RDFS, SCHEMA, SKOS, XSD, iris
from ontology.literals import date_literal, text
from ontology.provenance import SourceInfo

KIND = "countries"
READS_FOLDERS = False
COMPRESSED: tuple[str, ...] = ()

M49_COLUMNS = (
    "name",
    "alpha-2",
    "alpha-3",
    "country-code",
    "region",
    "sub-region",
    "intermediate-region",
    "region-code",
    "sub-region-code",
    "intermediate-region-code",
)
MEMBERSHIP_COLUMNS = ("group", "alpha2", "country", "joined", "note", "source")

# The area levels of a row, outermost first: (name column, code column, country property name).
_LEVELS = (
    ("region", "region-code", "region"),
    ("sub-region", "sub-region-code", "subRegion"),
    ("intermediate-region", "intermediate-region-code", "intermediateRegion"),
)


@dataclass(frozen=True)
class Area:
    """A UN M49 area, inside ``parent`` (another area's code, or the World's)."""

    code: str
    name: str
    parent: str


@dataclass(frozen=True)
class CountryRecord:
    line: int
    name: str
    alpha2: str
    alpha3: str
    numeric: str
    areas: tuple[tuple[str, Area], ...]  # (kg property local name, area), outermost first


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    acronym: str
    founded: str


@dataclass(frozen=True)
class MembershipRecord:
    line: int
    group: str
    alpha2: str
    country: str
    joined: str
    note: str
    source: str


# --- detection and entry point ----------------------------------------------------------------


def _header(path: Path) -> tuple[str, ...]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = next(csv.reader(handle), [])
    return tuple(cell.strip() for cell in first)


def _is_m49(header: tuple[str, ...]) -> bool:
    return set(M49_COLUMNS) <= set(header)


def detect(path: Path) -> bool:
    """A CSV file whose header is the M49 table's or the membership table's."""
    if not (path.is_file() and path.suffix.lower() == ".csv"):
        return False
    try:
        header = _header(path)
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    return _is_m49(header) or header == MEMBERSHIP_COLUMNS


def load(path: Path) -> list[SourceData]:
    """Parse one country or membership table into its source graph; nothing is returned on error."""
    header = _header(path)
    if _is_m49(header):
        records = read_countries(path)
        areas = {area.code: area for record in records for _, area in record.areas}
        triples = list(world_triples())
        for code in sorted(areas):
            triples.extend(area_triples(areas[code]))
        for record in records:
            triples.extend(country_triples(record))
        return [SourceData(source_info(path, "ISO 3166-1 countries with UN M49 regional codes"), triples)]
    if header == MEMBERSHIP_COLUMNS:
        groups = read_groups(path)
        memberships = read_memberships(path, groups)
        triples = [t for key in sorted({m.group for m in memberships}) for t in group_triples(groups[key])]
        for membership in memberships:
            triples.extend(membership_triples(membership, groups[membership.group]))
        return [SourceData(source_info(path, "Country group membership"), triples)]
    raise LoadError(
        path,
        1,
        None,
        "not a country table: unknown header",
        f"expected the columns {','.join(M49_COLUMNS)} or {','.join(MEMBERSHIP_COLUMNS)}",
    )


def source_info(path: Path, default_title: str) -> SourceInfo:
    """The source described by the ``ORIGIN.toml`` beside ``path`` (title, url or origin, retrieved, license)."""
    origin_path = path.parent / "ORIGIN.toml"
    origin = read_origin(path.parent)
    for key in ("retrieved", "license"):
        if not origin.get(key):
            raise LoadError(origin_path, None, key, "missing", "describe the source in ORIGIN.toml under [source]")
    where = origin.get("url") or origin.get("origin")
    if not where:
        raise LoadError(origin_path, None, "url", "missing", "give the source's url (or its name as origin)")
    try:
        date_literal(origin["retrieved"])
    except ValueError as exc:
        raise LoadError(origin_path, None, "retrieved", str(exc), "write the date as YYYY-MM-DD") from exc
    return SourceInfo(
        kind=KIND,
        name=path.name,
        title=origin.get("title") or default_title,
        origin=where,
        retrieved=origin["retrieved"],
        license=origin["license"],
        description=origin.get("description", ""),
    )


# --- reading records --------------------------------------------------------------------------


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Data rows with the line they end on, every value stripped; a table without rows is an error."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        empty = True
        for row in reader:
            empty = False
            if None in row:
                raise LoadError(path, reader.line_num, None, "more cells than columns", "quote values that hold commas")
            if None in row.values():  # DictReader's filler for missing cells: a row cut short
                cells = sum(value is not None for value in row.values())
                message = f"{cells} cells where the header has {len(row)}: the row is cut short"
                raise LoadError(path, reader.line_num, None, message, "restore the row (download the table again)")
            yield reader.line_num, {key: (value or "").strip() for key, value in row.items()}
        if empty:
            raise LoadError(path, 2, None, "no rows under the header", "give one row per country or membership")


def _check_alpha2(path: Path, line: int, column: str, value: str) -> pycountry.db.Country:
    country = pycountry.countries.get(alpha_2=value) if len(value) == 2 else None
    if country is None:
        raise LoadError(path, line, column, f"unknown ISO 3166-1 alpha-2 code {value!r}", "use a two-letter ISO code")
    return country


def read_countries(path: Path) -> list[CountryRecord]:
    """Read the M49 table, checking codes against ISO 3166-1 and areas against each other."""
    records: list[CountryRecord] = []
    seen: dict[str, int] = {}
    areas: dict[str, tuple[Area, int]] = {}
    for line, row in _rows(path):
        for column in ("name", "alpha-2", "alpha-3", "country-code"):
            if not row[column]:
                raise LoadError(path, line, column, "empty", "every country needs a name and its three codes")
        alpha2 = row["alpha-2"]
        iso = _check_alpha2(path, line, "alpha-2", alpha2)
        if row["alpha-3"] != iso.alpha_3:
            raise LoadError(path, line, "alpha-3", f"{row['alpha-3']!r} is not the alpha-3 of {alpha2} ({iso.alpha_3})")
        if row["country-code"] != iso.numeric:
            raise LoadError(
                path,
                line,
                "country-code",
                f"{row['country-code']!r} is not the numeric code of {alpha2} ({iso.numeric})",
            )
        if alpha2 in seen:
            raise LoadError(
                path, line, "alpha-2", f"{alpha2} already on line {seen[alpha2]}", "keep one row per country"
            )
        seen[alpha2] = line
        levels = _row_areas(path, line, row, areas)
        records.append(CountryRecord(line, row["name"], alpha2, iso.alpha_3, iso.numeric, levels))
    return records


def _row_areas(
    path: Path, line: int, row: dict[str, str], known: dict[str, tuple[Area, int]]
) -> tuple[tuple[str, Area], ...]:
    """The M49 areas of one row, outermost first; ``known`` (code -> area, first line) keeps them consistent."""
    levels: list[tuple[str, Area]] = []
    parent = iris.WORLD
    for name_column, code_column, prop in _LEVELS:
        code, name = row[code_column], row[name_column]
        if not code:
            if name:
                raise LoadError(path, line, code_column, f"empty, but {name_column} is {name!r}", "give its M49 code")
            continue
        if not code.isdigit() or len(code) > 3:
            raise LoadError(path, line, code_column, f"{code!r} is not a UN M49 code", "use up to three digits")
        if not name:
            raise LoadError(path, line, name_column, "empty", f"name the area {code}")
        if parent == iris.WORLD and prop != "region":
            raise LoadError(path, line, code_column, "an area without the level above it", "fill the outer levels")
        area = Area(code.zfill(3), name, parent)
        first = known.setdefault(area.code, (area, line))
        if first[0] != area:
            raise LoadError(
                path, line, code_column, f"area {area.code} differs from line {first[1]}", "one name per code"
            )
        levels.append((prop, area))
        parent = area.code
    return tuple(levels)


def read_groups(path: Path) -> dict[str, Group]:
    """The ``[groups.<key>]`` tables of the ORIGIN.toml beside a membership table."""
    origin_path = path.parent / "ORIGIN.toml"
    if not origin_path.is_file():
        raise LoadError(origin_path, None, None, "missing", "describe the source and its [groups.<key>] there")
    try:
        tables = tomllib.loads(origin_path.read_text(encoding="utf-8")).get("groups", {})
    except tomllib.TOMLDecodeError as exc:
        raise LoadError(origin_path, None, None, f"not valid TOML: {exc}", "fix the file") from exc
    groups: dict[str, Group] = {}
    for key, table in tables.items():
        for field in ("label", "acronym", "founded"):
            if not str(table.get(field, "")).strip():
                raise LoadError(
                    origin_path, None, f"groups.{key}.{field}", "missing", "give label, acronym and founded"
                )
        founded = str(table["founded"]).strip()
        try:
            _full_date(founded)
            iris.slug(key)
        except ValueError as exc:
            raise LoadError(
                origin_path, None, f"groups.{key}", str(exc), "use a slug key and a YYYY-MM-DD date"
            ) from exc
        groups[key] = Group(key, str(table["label"]).strip(), str(table["acronym"]).strip(), founded)
    return groups


def _full_date(value: str) -> ox.Literal:
    literal = date_literal(value)
    if literal.datatype != XSD.date:
        raise ValueError(f"{value!r} is not a full date (YYYY-MM-DD)")
    return literal


def read_memberships(path: Path, groups: dict[str, Group]) -> list[MembershipRecord]:
    """Read the membership table: known group, ISO code, full join date not before the founding."""
    records: list[MembershipRecord] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in _rows(path):
        group = groups.get(row["group"])
        if group is None:
            raise LoadError(
                path,
                line,
                "group",
                f"unknown group {row['group']!r}",
                "describe it under [groups.<key>] in ORIGIN.toml",
            )
        alpha2 = row["alpha2"]
        _check_alpha2(path, line, "alpha2", alpha2)
        try:
            _full_date(row["joined"])
        except ValueError as exc:
            raise LoadError(path, line, "joined", str(exc), "write the date as YYYY-MM-DD") from exc
        if row["joined"] < group.founded:
            raise LoadError(
                path, line, "joined", f"{row['joined']} is before {group.acronym} was founded ({group.founded})"
            )
        key = (group.key, alpha2)
        if key in seen:
            raise LoadError(
                path, line, "alpha2", f"{alpha2} already on line {seen[key]}", "keep one row per membership"
            )
        seen[key] = line
        records.append(
            MembershipRecord(
                line, group.key, alpha2, row["country"] or alpha2, row["joined"], row["note"], row["source"]
            )
        )
    return records


# --- records to triples -----------------------------------------------------------------------


def _t(s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> ox.Triple:
    return ox.Triple(s, p, o)


def world_triples() -> Iterator[ox.Triple]:
    world = iris.m49_area(iris.WORLD)
    yield _t(world, RDF.type, KG.Region)
    yield _t(world, RDFS.label, text("World", "en"))
    yield _t(world, KG.numericCode, text(iris.WORLD))


def area_triples(area: Area) -> Iterator[ox.Triple]:
    node = iris.m49_area(area.code)
    yield _t(node, RDF.type, KG.Region)
    yield _t(node, RDFS.label, text(area.name, "en"))
    yield _t(node, KG.numericCode, text(area.code))
    yield _t(node, SCHEMA.containedInPlace, iris.m49_area(area.parent))


def country_triples(record: CountryRecord) -> Iterator[ox.Triple]:
    node = iris.country(record.alpha2)
    yield _t(node, RDF.type, KG.Country)
    yield _t(node, RDFS.label, text(record.name, "en"))
    yield _t(node, SKOS.prefLabel, text(record.name, "en"))
    yield _t(node, KG.alpha2, text(record.alpha2))
    yield _t(node, KG.alpha3, text(record.alpha3))
    yield _t(node, KG.numericCode, text(record.numeric))
    for prop, area in record.areas:
        yield _t(node, KG.term(prop), iris.m49_area(area.code))


def group_triples(group: Group) -> Iterator[ox.Triple]:
    node = iris.country_group(group.key)
    yield _t(node, RDF.type, KG.CountryGroup)
    yield _t(node, RDF.type, ORG.FormalOrganization)
    yield _t(node, RDFS.label, text(group.label, "en"))
    yield _t(node, KG.acronym, text(group.acronym))
    yield _t(node, SCHEMA.foundingDate, date_literal(group.founded))


def membership_triples(record: MembershipRecord, of: Group) -> Iterator[ox.Triple]:
    group = iris.country_group(of.key)
    node = iris.membership(of.key, record.alpha2)
    yield _t(group, ORG.hasMembership, node)
    yield _t(node, RDF.type, ORG.Membership)
    yield _t(node, RDFS.label, text(f"{record.country} in {of.acronym}", "en"))
    yield _t(node, ORG.member, iris.country(record.alpha2))
    yield _t(node, ORG.organization, group)
    yield _t(node, SCHEMA.startDate, date_literal(record.joined))
    if record.note:
        yield _t(node, SKOS.note, text(record.note, "en"))
    if record.source:
        source = record.source
        yield _t(
            node, DCTERMS.source, ox.NamedNode(source) if source.startswith(("http://", "https://")) else text(source)
        )
