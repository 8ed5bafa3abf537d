"""CNRS structures and agreements in ASEAN: instruments, their parties and the regional office.

Input is a folder of three hand-curated CSV files (see ``data/cnrs/README.md``), named by its
``instruments.csv``: ``instruments.csv`` (one row per cooperation instrument), ``parties.csv``
(one row per party of an instrument) and ``offices.csv`` (the CNRS regional office), with
``ORIGIN.toml`` beside them. Each file is read into typed records that keep their physical line,
every record is checked, and only then turned into triples; the first bad value raises
``LoadError`` as ``file:line:field: what; what to do``.

>>> sorted(KINDS)[:4]
['AGREEMENT', 'GDRI', 'IEA', 'IRL']
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pycountry
import pyoxigraph as ox

from loaders.base import LoadError, SourceData, SourceInfo, date_literal, dedupe, read_origin
from ontology import DCTERMS, KG, ORG, RDF, RDFS, SCHEMA, SKOS, iris

KIND = "cnrs"
NAME = "cnrs-asean"

INSTRUMENTS_FILE, PARTIES_FILE, OFFICES_FILE = "instruments.csv", "parties.csv", "offices.csv"
INSTRUMENT_COLUMNS = (
    "key", "name", "acronym", "kind", "former_kinds", "former_names", "code", "country", "lab_ror", "lab_key",
    "signature_date", "start_date", "end_date", "renewal_dates", "signature_place", "status", "verified",
    "predecessor", "date_note", "note", "source_urls",
)  # fmt: skip
PARTY_COLUMNS = ("instrument", "party", "party_ror", "party_key", "role", "start_date", "end_date", "note")
OFFICE_COLUMNS = ("key", "name", "country", "start_date", "end_date", "predecessor", "date_note", "note", "source_urls")
ORIGIN_KEYS = ("title", "url", "retrieved", "license")

# CSV value -> local name of the kg: term
KINDS = {
    "IRL": "IRL", "IRP": "IRP", "IRN": "IRN", "IEA": "IEA", "AGREEMENT": "FrameworkAgreement",
    "NETWORK": "ThematicNetwork", "UMIFRE": "UMIFRE", "LIA": "LIA", "UMI": "UMI", "PICS": "PICS", "GDRI": "GDRI",
}  # fmt: skip
ROLES = {
    "coordinator": "Coordinator", "partner": "Partner", "supervising_body": "SupervisingBodyRole", "funder": "Funder",
}  # fmt: skip
STATUSES = {"active": "Active", "ended": "Ended", "unknown": "UnknownStatus"}
# Kinds whose instrument establishes a unit of its own (the lab), with its supervising bodies.
LAB_CLASSES = {
    "IRL": "InternationalResearchLaboratory", "UMI": "InternationalResearchLaboratory", "UMIFRE": "ResearchUnit",
}  # fmt: skip
URL_SEPARATOR = " ; "


class Unit(NamedTuple):
    """A unit an instrument concerns, as its row names it."""

    field: str
    id: str
    node: ox.NamedNode


@dataclass(frozen=True)
class Instrument:
    line: int
    key: str
    name: str
    acronym: str
    kind: str
    former_kinds: tuple[str, ...]
    former_names: tuple[str, ...]
    codes: tuple[str, ...]
    country: str
    labs: tuple[Unit, ...]
    signature_date: ox.Literal | None
    start_date: ox.Literal | None
    end_date: ox.Literal | None
    renewal_dates: tuple[ox.Literal, ...]
    signature_place: str
    status: str
    verified: bool
    predecessor: str
    date_note: str
    note: str
    sources: tuple[str, ...]

    @property
    def label(self) -> ox.Literal:
        """``ACRONYM (name)`` as the CNRS pages write it, or the name alone."""
        both = self.acronym and self.acronym != self.name
        return ox.Literal(f"{self.acronym} ({self.name})" if both else self.name, language="en")


@dataclass(frozen=True)
class Party:
    line: int
    instrument: str
    name: str
    party_id: str  # the bare ROR id or the slug: names the membership node
    org: ox.NamedNode
    ror: bool
    role: str
    start_date: ox.Literal | None
    end_date: ox.Literal | None
    note: str


@dataclass(frozen=True)
class Office:
    line: int
    key: str
    name: str
    country: str
    start_date: ox.Literal | None
    end_date: ox.Literal | None
    predecessor: str
    date_note: str
    note: str
    sources: tuple[str, ...]


# --- reading ----------------------------------------------------------------------------------


class _Row:
    """One CSV record with its file and physical line, whose getters raise ``LoadError``."""

    def __init__(self, path: Path, line: int, values: dict[str, str]) -> None:
        self.path, self.line, self.values = path, line, values

    def error(self, field: str | None, message: str, hint: str = "fix the row") -> LoadError:
        return LoadError(self.path, self.line, field, message, hint)

    def text(self, field: str, required: bool = False) -> str:
        value = self.values[field].strip()
        if required and not value:
            raise self.error(field, "is empty", "fill it in")
        return value

    def items(self, field: str, separator: str = ";") -> tuple[str, ...]:
        return tuple(part.strip() for part in self.values[field].split(separator) if part.strip())

    def choice(self, field: str, allowed: dict[str, str] | tuple[str, ...], value: str | None = None) -> str:
        value = self.text(field, required=True) if value is None else value
        if value not in allowed:
            raise self.error(field, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def slug(self, field: str, value: str | None = None) -> str:
        value = self.text(field, required=True) if value is None else value
        try:
            return iris.slug(value)
        except iris.InvalidIdentifier as exc:
            raise self.error(field, str(exc)) from exc

    def ror(self, field: str, value: str) -> str:
        try:
            bare = iris.ror_id(value)
        except iris.InvalidIdentifier as exc:
            raise self.error(field, str(exc), "write the bare ROR id, such as 02feahw73") from exc
        if bare != value:
            raise self.error(field, f"{value!r} is not a bare ROR id", f"write {bare}")
        return bare

    def date(self, field: str, value: str | None = None) -> ox.Literal | None:
        value = self.text(field) if value is None else value
        if not value:
            return None
        try:
            return date_literal(value)
        except ValueError as exc:
            raise self.error(field, f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)") from exc

    def period(self) -> tuple[ox.Literal | None, ox.Literal | None]:
        start, end = self.date("start_date"), self.date("end_date")
        if start is not None and end is not None and end.value[: len(start.value)] < start.value[: len(end.value)]:
            raise self.error("end_date", f"{end.value} is before start_date {start.value}")
        return start, end

    def country(self, field: str = "country") -> str:
        value = self.text(field, required=True)
        if len(value) != 2 or not value.isupper() or pycountry.countries.get(alpha_2=value) is None:
            message = f"{value!r} is not an ISO 3166-1 alpha-2 country code"
            raise self.error(field, message, "use a code such as SG or VN")
        return value

    def urls(self, field: str = "source_urls") -> tuple[str, ...]:
        urls = self.items(field, URL_SEPARATOR)
        if not urls:
            raise self.error(field, "no source URL", "give the pages that state the row's facts")
        for url in urls:
            if not url.startswith(("http://", "https://")) or any(c.isspace() for c in url):
                raise self.error(field, f"{url!r} is not a URL", f"separate URLs with {URL_SEPARATOR!r}")
            try:
                ox.NamedNode(url)
            except ValueError as exc:
                raise self.error(field, f"{url!r} is not a valid IRI: {exc}") from exc
        return urls


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[_Row]:
    """The records of a CSV file, each with the physical line it starts on (the header is line 1)."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise LoadError(path, None, None, "no such file", f"put {path.name} beside {INSTRUMENTS_FILE}") from exc
    except UnicodeDecodeError as exc:
        raise LoadError(path, None, None, f"not UTF-8: {exc}", "save the file as UTF-8") from exc
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise LoadError(path, 1, None, "the file is empty", f"start it with the header {','.join(columns)}") from None
    missing = [c for c in columns if c not in header]
    unknown = [c for c in header if c not in columns]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if missing or unknown or repeated:
        parts = (("missing", missing), ("unknown", unknown), ("repeated", repeated))
        message = "; ".join(f"{what} columns {', '.join(names)}" for what, names in parts if names)
        raise LoadError(path, 1, None, message, f"the header must be {','.join(columns)}")
    end = reader.line_num
    try:
        for record in reader:
            line, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                message = f"{len(record)} fields where the header has {len(header)}"
                raise LoadError(path, line, None, message, "quote cells that contain commas")
            yield _Row(path, line, dict(zip(header, record, strict=True)))
    except csv.Error as exc:
        raise LoadError(path, reader.line_num, None, f"not valid CSV: {exc}", "check the quotes") from exc


def _instrument(row: _Row) -> Instrument:
    kind = row.choice("kind", KINDS)
    former_kinds = tuple(row.choice("former_kinds", KINDS, k) for k in row.items("former_kinds"))
    labs = tuple(Unit("lab_ror", i, iris.ror_org(i)) for i in (row.ror("lab_ror", v) for v in row.items("lab_ror")))
    labs += tuple(Unit("lab_key", i, iris.local_org(i)) for i in (row.slug("lab_key", v) for v in row.items("lab_key")))
    if kind in LAB_CLASSES and len(labs) != 1:
        message = f"an instrument of kind {kind} establishes one unit, {len(labs)} given"
        raise row.error("lab_ror", message, "give its ROR id in lab_ror or, without one, a slug in lab_key")
    start, end = row.period()
    predecessor = row.text("predecessor")
    return Instrument(
        line=row.line,
        key=row.slug("key"),
        name=row.text("name", required=True),
        acronym=row.text("acronym"),
        kind=kind,
        former_kinds=former_kinds,
        former_names=row.items("former_names"),
        codes=row.items("code"),
        country=row.country(),
        labs=labs,
        signature_date=row.date("signature_date"),
        start_date=start,
        end_date=end,
        renewal_dates=tuple(d for d in (row.date("renewal_dates", v) for v in row.items("renewal_dates")) if d),
        signature_place=row.text("signature_place"),
        status=row.choice("status", STATUSES),
        verified=row.choice("verified", ("yes", "no")) == "yes",
        predecessor=row.slug("predecessor", predecessor) if predecessor else "",
        date_note=row.text("date_note"),
        note=row.text("note"),
        sources=row.urls(),
    )


def _party(row: _Row) -> Party:
    ror, key = row.text("party_ror"), row.text("party_key")
    if bool(ror) == bool(key):
        raise row.error("party_ror", "give either party_ror or party_key", "party_key only when there is no ROR id")
    party_id = row.ror("party_ror", ror) if ror else row.slug("party_key", key)
    start, end = row.period()
    return Party(
        line=row.line,
        instrument=row.slug("instrument"),
        name=row.text("party", required=True),
        party_id=party_id,
        org=iris.ror_org(party_id) if ror else iris.local_org(party_id),
        ror=bool(ror),
        role=row.choice("role", ROLES),
        start_date=start,
        end_date=end,
        note=row.text("note"),
    )


def _office(row: _Row) -> Office:
    start, end = row.period()
    predecessor = row.text("predecessor")
    return Office(
        line=row.line,
        key=row.slug("key"),
        name=row.text("name", required=True),
        country=row.country(),
        start_date=start,
        end_date=end,
        predecessor=row.slug("predecessor", predecessor) if predecessor else "",
        date_note=row.text("date_note"),
        note=row.text("note"),
        sources=row.urls(),
    )


def read(path: Path) -> tuple[list[Instrument], list[Party], list[Office]]:
    """Read and cross-check the three files of the folder of ``path`` (its ``instruments.csv``)."""
    parties_path, offices_path = path.with_name(PARTIES_FILE), path.with_name(OFFICES_FILE)
    instruments = [_instrument(row) for row in _rows(path, INSTRUMENT_COLUMNS)]
    parties = [_party(row) for row in _rows(parties_path, PARTY_COLUMNS)]
    offices = [_office(row) for row in _rows(offices_path, OFFICE_COLUMNS)]
    _check_keys(path, "instrument", [(i.line, i.key, i.predecessor) for i in instruments])
    _check_keys(offices_path, "office", [(o.line, o.key, o.predecessor) for o in offices])
    _check_parties(parties_path, instruments, parties)
    _check_units(path, instruments, parties)
    return instruments, parties, offices


def _check_units(path: Path, instruments: list[Instrument], parties: list[Party]) -> None:
    """A unit the instrument establishes has supervising bodies; one it only involves is one of its parties."""
    for inst in instruments:
        own = [p for p in parties if p.instrument == inst.key]
        if inst.kind in LAB_CLASSES and not any(p.role == "supervising_body" for p in own):
            message = f"the unit of {inst.key!r} has no supervising body"
            raise LoadError(path, inst.line, "key", message, f"add its supervising_body parties to {PARTIES_FILE}")
        for unit in inst.labs if inst.kind not in LAB_CLASSES else ():
            if unit.node not in {p.org for p in own}:
                message = f"{unit.id!r} is not a party of {inst.key!r}"
                raise LoadError(path, inst.line, unit.field, message, f"add it to {PARTIES_FILE}")


def _check_keys(path: Path, noun: str, rows: list[tuple[int, str, str]]) -> None:
    """Keys are unique and a predecessor is the key of another row."""
    lines: dict[str, int] = {}
    for line, key, _ in rows:
        if key in lines:
            raise LoadError(
                path, line, "key", f"{key!r} is already the key of line {lines[key]}", f"give each {noun} its own key"
            )
        lines[key] = line
    for line, key, predecessor in rows:
        if predecessor and (predecessor not in lines or predecessor == key):
            message = f"{predecessor!r} is not the key of another {noun}"
            raise LoadError(path, line, "predecessor", message, f"add that {noun} or fix the key")


def _check_parties(path: Path, instruments: list[Instrument], parties: list[Party]) -> None:
    keys = {inst.key for inst in instruments}
    lines: dict[tuple[str, str], int] = {}
    names: dict[ox.NamedNode, tuple[str, int]] = {}
    for party in parties:
        if party.instrument not in keys:
            message = f"{party.instrument!r} is not a key of {INSTRUMENTS_FILE}"
            raise LoadError(path, party.line, "instrument", message, "fix the key or add the instrument")
        pair = (party.instrument, party.party_id)
        if pair in lines:
            message = f"{party.party_id!r} is already a party of {party.instrument!r} on line {lines[pair]}"
            raise LoadError(path, party.line, "party", message, "merge the rows")
        lines[pair] = party.line
        name, line = names.setdefault(party.org, (party.name, party.line))
        if name != party.name:
            message = f"{party.party_id} is named {name!r} on line {line}, not {party.name!r}"
            raise LoadError(path, party.line, "party", message, "write one name per body; put variants in the note")


# --- triples ----------------------------------------------------------------------------------


def _en(value: str) -> ox.Literal:
    return ox.Literal(value, language="en")


def _dated(node: ox.NamedNode, start: ox.Literal | None, end: ox.Literal | None) -> Iterator[ox.Triple]:
    if start is not None:
        yield ox.Triple(node, SCHEMA.startDate, start)
    if end is not None:
        yield ox.Triple(node, SCHEMA.endDate, end)


def _noted(node: ox.NamedNode, date_note: str, note: str, sources: tuple[str, ...]) -> Iterator[ox.Triple]:
    if date_note:
        yield ox.Triple(node, KG.dateNote, ox.Literal(date_note))
    if note:
        yield ox.Triple(node, SKOS.note, _en(note))
    for url in sources:
        yield ox.Triple(node, DCTERMS.source, ox.NamedNode(url))


def instrument_triples(inst: Instrument, parties: list[Party]) -> Iterator[ox.Triple]:
    """An instrument, the unit it establishes (for IRL, UMI, UMIFRE) and its parties."""
    s = iris.instrument(inst.key)
    country = iris.country(inst.country)
    yield ox.Triple(s, RDF.type, KG.CooperationInstrument)
    yield ox.Triple(s, KG.instrumentKind, KG.term(KINDS[inst.kind]))
    for kind in inst.former_kinds:
        yield ox.Triple(s, KG.formerKind, KG.term(KINDS[kind]))
    yield ox.Triple(s, RDFS.label, inst.label)
    yield ox.Triple(s, SKOS.prefLabel, inst.label)
    for former in inst.former_names:
        yield ox.Triple(s, KG.formerName, ox.Literal(former))
    if inst.acronym:
        yield ox.Triple(s, KG.acronym, ox.Literal(inst.acronym))
    for code in inst.codes:
        yield ox.Triple(s, KG.unitCode, ox.Literal(code))
    yield ox.Triple(s, KG.country, country)
    for unit in inst.labs:
        yield ox.Triple(s, KG.concernsUnit, unit.node)
    if inst.signature_date is not None:
        yield ox.Triple(s, KG.signatureDate, inst.signature_date)
    yield from _dated(s, inst.start_date, inst.end_date)
    for renewal in inst.renewal_dates:
        yield ox.Triple(s, KG.renewalDate, renewal)
    if inst.signature_place:
        yield ox.Triple(s, KG.signaturePlace, ox.Literal(inst.signature_place))
    yield ox.Triple(s, KG.status, KG.term(STATUSES[inst.status]))
    if not inst.verified:
        yield ox.Triple(s, KG.verificationStatus, KG.NotVerified)
    if inst.predecessor:
        yield ox.Triple(s, KG.predecessorInstrument, iris.instrument(inst.predecessor))
    yield from _noted(s, inst.date_note, inst.note, inst.sources)
    if inst.kind in LAB_CLASSES:
        unit = inst.labs[0]  # exactly one, checked by _instrument
        lab = unit.node
        yield ox.Triple(lab, RDF.type, KG.term(LAB_CLASSES[inst.kind]))
        if unit.field == "lab_ror":
            yield ox.Triple(lab, SCHEMA.sameAs, iris.ror_url(unit.id))
        yield ox.Triple(lab, RDF.type, ORG.Organization)
        yield ox.Triple(lab, RDFS.label, inst.label)
        yield ox.Triple(lab, KG.country, country)
        for party in parties:
            if party.role == "supervising_body":
                yield ox.Triple(lab, KG.supervisingBody, party.org)
    for party in parties:
        yield from party_triples(party)


def party_triples(party: Party) -> Iterator[ox.Triple]:
    """A party as an ``org:Membership`` of its body in the instrument, and the body itself."""
    m = iris.party(party.instrument, party.party_id)
    yield ox.Triple(iris.instrument(party.instrument), KG.hasParty, m)
    yield ox.Triple(m, RDF.type, ORG.Membership)
    yield ox.Triple(m, ORG.member, party.org)
    yield ox.Triple(m, ORG.organization, iris.instrument(party.instrument))
    yield ox.Triple(m, ORG.role, KG.term(ROLES[party.role]))
    yield from _dated(m, party.start_date, party.end_date)
    if party.note:
        yield ox.Triple(m, SKOS.note, _en(party.note))
    yield ox.Triple(party.org, RDF.type, ORG.Organization)
    yield ox.Triple(party.org, RDFS.label, ox.Literal(party.name))
    if party.ror:
        yield ox.Triple(party.org, SCHEMA.sameAs, iris.ror_url(party.party_id))


def office_triples(office: Office, offices: dict[str, Office]) -> Iterator[ox.Triple]:
    """A regional office of the CNRS and, when it continues another, the dated change between them."""
    s = iris.office(office.key)
    yield ox.Triple(s, RDF.type, KG.RegionalOffice)
    yield ox.Triple(s, RDF.type, ORG.OrganizationalUnit)
    yield ox.Triple(s, ORG.unitOf, iris.ror_org(iris.CNRS_ROR))
    yield ox.Triple(s, RDFS.label, _en(office.name))
    yield ox.Triple(s, KG.country, iris.country(office.country))
    yield from _dated(s, office.start_date, office.end_date)
    yield from _noted(s, office.date_note, office.note, office.sources)
    if office.predecessor:
        before = offices[office.predecessor]
        event, original = iris.change_event(f"office-{before.key}-to-{office.key}"), iris.office(before.key)
        yield ox.Triple(event, RDF.type, ORG.ChangeEvent)
        yield ox.Triple(event, RDFS.label, _en(f"From {before.name} to {office.name}"))
        yield ox.Triple(event, ORG.originalOrganization, original)
        yield ox.Triple(event, ORG.resultingOrganization, s)
        yield ox.Triple(original, ORG.changedBy, event)
        yield ox.Triple(s, ORG.resultedFrom, event)
        if office.start_date is not None:
            yield ox.Triple(event, DCTERMS.date, office.start_date)
        yield from _noted(event, office.date_note, "", office.sources)


# --- module contract --------------------------------------------------------------------------


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
