"""Research Organization Registry records (schema v1 or v2) as organisations.

Reads a JSON list of ROR records, a single record, or ROR's data-dump ``.zip`` (whose
``*_schema_v2.json`` member is preferred to the older ``*-ror-data.json``). The schema version is
told per record: v2 has ``names``/``locations``/``admin``, v1 has ``name``/``country``.

Every record is parsed into a ``RorRecord`` first, so a bad record raises ``LoadError`` before any
triple exists; ``record_triples`` then turns each record into triples with no blank node.

>>> rec = parse_record({"id": "https://ror.org/02feahw73", "name": "CNRS", "status": "active"})
>>> rec.ror, rec.schema, rec.label
('02feahw73', 1, ('CNRS', None))
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import math
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pycountry
import pyoxigraph as ox

from loaders.base import LoadError, SourceData, SourceInfo, date_literal, dedupe, read_origin, year
from ontology import DCTERMS, FOAF, KG, ORG, RDF, RDFS, SCHEMA, SKOS, XSD, iris

KIND = "ror"

DEFAULT_ORIGIN = "https://ror.org"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"

# ``v1.55-2024-10-31-ror-data.zip``, ``v2.0-2025-..-ror-data_schema_v2.json``
_DUMP_NAME = re.compile(r"^v(?P<version>\d+(?:\.\d+)*)-(?P<date>\d{4}-\d{2}-\d{2})-ror-data")
# How both schemas write a record id (their relationships too): a ROR file shows one near its head.
_ROR_ID_KEY = re.compile(rb'"id"\s*:\s*"https?://ror\.org/0')
_HEAD_BYTES = 1 << 20

_ORG_TYPES = {
    "education": "Education",
    "facility": "Facility",
    "government": "Government",
    "funder": "FunderType",
    "company": "Company",
    "healthcare": "Healthcare",
    "nonprofit": "Nonprofit",
    "archive": "Archive",
    "other": "OtherType",
}
_STATUSES = frozenset({"active", "inactive", "withdrawn"})
_RELATIONS = frozenset({"parent", "child", "related", "predecessor", "successor"})
_ID_TYPES = {"grid": "gridId", "isni": "isni", "fundref": "fundrefId", "wikidata": "wikidataId"}
_NAME_TYPES = frozenset({"ror_display", "label", "alias", "acronym"})
# User-assigned code that GeoNames, hence ROR, gives Kosovo; pycountry does not know it.
_EXTRA_COUNTRIES = frozenset({"XK"})


class _RecordError(Exception):
    """A record that cannot be read; the loop that knows file and record turns it into LoadError."""

    def __init__(self, field: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.hint = hint


@dataclass(frozen=True, slots=True)
class RorRecord:
    """What the graph keeps of one ROR record, schema-independent. Labels are (text, language)."""

    ror: str
    schema: int
    label: tuple[str, str | None]
    status: str
    alt_labels: tuple[tuple[str, str | None], ...] = ()
    acronyms: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    established: int | None = None
    countries: tuple[str, ...] = ()
    lat: str | None = None
    lng: str | None = None
    external_ids: tuple[tuple[str, str], ...] = ()
    homepages: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    relationships: tuple[tuple[str, str], ...] = ()
    modified: str | None = None


# --- detection and reading ----------------------------------------------------------------------


def detect(path: Path) -> bool:
    """A ROR dump (``.zip``) or a JSON file whose head holds a record's ``"id": "https://ror.org/..."``."""
    if not path.is_file():
        return False
    suffix = path.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                return _pick_member(archive.namelist()) is not None
        except (zipfile.BadZipFile, OSError):
            return False
    if suffix != ".json":
        return False
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES).lstrip()
    return head[:1] in (b"[", b"{") and _ROR_ID_KEY.search(head) is not None


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


def _decode(where: Path | str, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(where, None, None, f"not UTF-8 text: {exc.reason}", "save the file as UTF-8") from None


_SPACE = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, pos: int) -> int:
    match = _SPACE.match(text, pos)
    return match.end() if match else pos


def json_records(text: str) -> Iterator[tuple[int, Any]]:
    """The values of a top-level JSON list (or the one top-level object), each with its offset.

    Decoding one record at a time keeps only one record's objects alive beside the text: a full
    dump decoded at once takes five times its size in memory.

    >>> [value["id"] for _, value in json_records('[{"id": 1}, {"id": 2}]')]
    [1, 2]
    """
    decoder = json.JSONDecoder()
    pos = _skip_space(text, 0)
    if text.startswith("{", pos):
        value, end = decoder.raw_decode(text, pos)
        if _skip_space(text, end) != len(text):
            raise json.JSONDecodeError("Extra data", text, end)
        yield pos, value
        return
    if not text.startswith("[", pos):
        raise json.JSONDecodeError("Expecting a list of records or one record", text, pos)
    pos = _skip_space(text, pos + 1)
    if text.startswith("]", pos):
        end = pos + 1
    else:
        while True:
            value, end = decoder.raw_decode(text, pos)
            yield pos, value
            end = _skip_space(text, end)
            if text.startswith(",", end):
                pos = _skip_space(text, end + 1)
            elif text.startswith("]", end):
                end += 1
                break
            else:
                raise json.JSONDecodeError("Expecting ',' delimiter", text, end)
    if _skip_space(text, end) != len(text):
        raise json.JSONDecodeError("Extra data", text, end)


def _pick_member(names: list[str]) -> str | None:
    """The dump's schema v2 JSON if present, else its (v1 or v2) ``-ror-data.json``, else a lone JSON."""
    jsons = sorted(n for n in names if n.lower().endswith(".json") and not n.startswith("__MACOSX/"))
    for wanted in ("_schema_v2.json", "-ror-data.json"):
        found = [n for n in jsons if n.lower().endswith(wanted)]
        if found:
            return found[-1]
    return jsons[0] if len(jsons) == 1 else None


def _read_zip(path: Path) -> tuple[str, str, str]:
    try:
        with zipfile.ZipFile(path) as archive:
            member = _pick_member(archive.namelist())
            if member is None:
                raise LoadError(path, None, None, "no ROR JSON file in the archive", "use ROR's *-ror-data.zip dump")
            content = archive.read(member)
            stamp = archive.getinfo(member).date_time
    except zipfile.BadZipFile as exc:
        raise LoadError(path, None, None, f"not a readable zip archive: {exc}", "download the dump again") from None
    return member, _decode(f"{path}!{member}", content), dt.date(*stamp[:3]).isoformat()


def _source_info(path: Path, records: list[RorRecord], release_date: str | None) -> SourceInfo:
    origin = read_origin(path.parent)
    retrieved = origin.get("retrieved") or release_date or _newest_modified(records) or _mtime_date(path)
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


def _mtime_date(path: Path) -> str:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).date().isoformat()


# --- records ------------------------------------------------------------------------------------


def parse_records(text: str, where: str) -> list[RorRecord]:
    """Parse every record of a JSON text; the first bad one raises ``LoadError`` (file, line, field)."""
    records: list[RorRecord] = []
    seen: set[str] = set()
    index = 0
    try:
        for index, (offset, item) in enumerate(json_records(text), 1):
            try:
                record = parse_record(item)
                if record.ror in seen:
                    raise _RecordError("id", "duplicate record", "keep one record per ROR id")
            except _RecordError as bad:
                line = text.count("\n", 0, offset) + 1
                message = f"{_record_ref(index, item)}: {bad.message}"
                raise LoadError(where, line, bad.field or None, message, bad.hint) from None
            seen.add(record.ror)
            records.append(record)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON after record {index}: {exc.msg} (column {exc.colno})"
        raise LoadError(where, exc.lineno, None, message, "fix or download the file again") from None
    return records


def _record_ref(index: int, item: object) -> str:
    ident = item.get("id") if isinstance(item, dict) else None
    return f"record {index} ({ident})" if isinstance(ident, str) else f"record {index}"


def parse_record(raw: object) -> RorRecord:
    """One record of either schema; raises ``_RecordError`` on a missing or malformed field."""
    if not isinstance(raw, dict):
        raise _RecordError("", f"expected a JSON object, got {type(raw).__name__}")
    if "id" not in raw:
        raise _RecordError("id", "record without an id", "every ROR record has an id like https://ror.org/02feahw73")
    ror = _ror(raw["id"], "id")
    if "names" in raw or "locations" in raw or "admin" in raw:
        return _parse_v2(raw, ror)
    if "name" in raw:
        return _parse_v1(raw, ror)
    raise _RecordError("", "unknown ROR schema shape (neither v2 names/locations nor v1 name/country)")


def _ror(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise _RecordError(field, f"expected a ROR id, got {value!r}")
    try:
        return iris.ror_id(value)
    except iris.InvalidIdentifier as exc:
        raise _RecordError(field, str(exc), "check the ROR id on https://ror.org") from None


def _parse_v2(raw: dict[str, Any], ror: str) -> RorRecord:
    field = "names"
    try:
        display: tuple[str, str | None] | None = None
        alt: list[tuple[str, str | None]] = []
        acronyms: list[str] = []
        for name in raw["names"]:
            kinds, value, lang = name["types"], _str(name["value"], field), _lang(name.get("lang"), field)
            if not _NAME_TYPES.issuperset(kinds):
                raise _RecordError(field, f"unknown name type in {kinds!r}")
            if "acronym" in kinds:
                acronyms.append(value)
            if "ror_display" in kinds:
                if display is not None:
                    raise _RecordError(field, "two ror_display names")
                display = (value, lang)
            elif "label" in kinds or "alias" in kinds:
                alt.append((value, lang))
        if display is None:
            raise _RecordError(field, "no ror_display name")
        field = "types"
        types = _types(raw.get("types") or [])
        field = "status"
        status = _status(raw.get("status"))
        field = "established"
        established = _established(raw.get("established"))
        field = "locations"
        countries: list[str] = []
        lat = lng = None
        for i, location in enumerate(raw.get("locations") or []):
            details = location["geonames_details"]
            countries.append(_country(details["country_code"], field))
            if i == 0:
                lat, lng = _coordinate(details.get("lat"), 90, field), _coordinate(details.get("lng"), 180, field)
        field = "external_ids"
        ids = [(e["type"].lower(), v) for e in raw.get("external_ids") or [] for v in _values(e, field)]
        field = "links"
        homepages: list[str] = []
        pages: list[str] = []
        for link in raw.get("links") or []:
            kind, url = link["type"], _str(link["value"], field).strip()
            if kind not in ("website", "wikipedia"):
                raise _RecordError(field, f"unknown link type {kind!r}")
            if url:
                (homepages if kind == "website" else pages).append(_link(url, field))
        field = "relationships"
        relationships = _relationships(raw.get("relationships") or [], field)
        field = "admin.last_modified.date"
        modified = ((raw.get("admin") or {}).get("last_modified") or {}).get("date")
    except (KeyError, TypeError, AttributeError) as exc:
        raise _RecordError(
            field, f"unexpected shape ({type(exc).__name__}: {exc})", "compare with the ROR schema v2"
        ) from None
    return RorRecord(
        ror=ror,
        schema=2,
        label=display,
        status=status,
        alt_labels=tuple(alt),
        acronyms=tuple(acronyms),
        types=types,
        established=established,
        countries=tuple(countries),
        lat=lat,
        lng=lng,
        external_ids=_external_ids(ids),
        homepages=tuple(homepages),
        pages=tuple(pages),
        relationships=relationships,
        modified=_date(modified, field) if modified is not None else None,
    )


def _parse_v1(raw: dict[str, Any], ror: str) -> RorRecord:
    field = "name"
    try:
        label = (_str(raw["name"], field), None)
        field = "labels"
        alt = [(_str(x["label"], field), _lang(x.get("iso639"), field)) for x in raw.get("labels") or []]
        field = "aliases"
        alt += [(_str(x, field), None) for x in raw.get("aliases") or []]
        field = "acronyms"
        acronyms = tuple(_str(x, field) for x in raw.get("acronyms") or [])
        field = "types"
        types = _types(raw.get("types") or [])
        field = "status"
        status = _status(raw.get("status"))
        field = "established"
        established = _established(raw.get("established"))
        field = "country.country_code"
        country = raw.get("country")
        countries = (_country(country["country_code"], field),) if country else ()
        field = "addresses"
        addresses = raw.get("addresses") or [{}]
        lat, lng = _coordinate(addresses[0].get("lat"), 90, field), _coordinate(addresses[0].get("lng"), 180, field)
        field = "external_ids"
        ids = [(kind.lower(), v) for kind, e in (raw.get("external_ids") or {}).items() for v in _values(e, field)]
        field = "links"
        homepages = tuple(_link(url.strip(), field) for url in raw.get("links") or [] if _str(url, field).strip())
        field = "wikipedia_url"
        wikipedia = (raw.get("wikipedia_url") or "").strip()
        pages = (_link(wikipedia, field),) if wikipedia else ()
        field = "relationships"
        relationships = _relationships(raw.get("relationships") or [], field)
    except (KeyError, TypeError, AttributeError) as exc:
        raise _RecordError(
            field, f"unexpected shape ({type(exc).__name__}: {exc})", "compare with the ROR schema v1"
        ) from None
    return RorRecord(
        ror=ror,
        schema=1,
        label=label,
        status=status,
        alt_labels=tuple(alt),
        acronyms=acronyms,
        types=types,
        established=established,
        countries=countries,
        lat=lat,
        lng=lng,
        external_ids=_external_ids(ids),
        homepages=homepages,
        pages=pages,
        relationships=relationships,
    )


def _str(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _RecordError(field, f"expected a non-empty string, got {value!r}")
    return value.strip()


@cache
def _valid_lang(lang: str) -> bool:
    try:
        ox.Literal("", language=lang)
    except ValueError:
        return False
    return True


def _lang(value: object, field: str) -> str | None:
    """A language tag, or None when the record gives none."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _valid_lang(value):
        raise _RecordError(field, f"bad language tag {value!r}", "use an ISO 639 code such as en")
    return value


def _link(url: str, field: str) -> str:
    """A link as an IRI; characters IRIs do not allow (spaces, quotes...) are percent-encoded."""
    for candidate in (url, quote(url, safe=":/?#[]@!$&'()*+,;=%~")):
        try:
            ox.NamedNode(candidate)
        except ValueError:
            continue
        return candidate
    raise _RecordError(field, f"not a valid link {url!r}", "write an absolute http(s) URL")


def _types(values: list[str]) -> tuple[str, ...]:
    for value in values:
        if value.lower() not in _ORG_TYPES:
            raise _RecordError("types", f"unknown organisation type {value!r}", f"one of {', '.join(_ORG_TYPES)}")
    return tuple(v.lower() for v in values)


def _status(value: object) -> str:
    if value not in _STATUSES:
        raise _RecordError("status", f"unknown status {value!r}", "active, inactive or withdrawn")
    return str(value)


def _established(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 9999:
        raise _RecordError("established", f"expected a year, got {value!r}")
    return value


@cache
def _known_country(code: str) -> bool:
    return code in _EXTRA_COUNTRIES or pycountry.countries.get(alpha_2=code) is not None


def _country(value: object, field: str) -> str:
    if not isinstance(value, str) or not _known_country(value.strip().upper()):
        raise _RecordError(field, f"unknown ISO 3166-1 alpha-2 country code {value!r}", "use a code such as FR or SG")
    return value.strip().upper()


def _coordinate(value: object, bound: int, field: str) -> str | None:
    """A latitude or longitude as an xsd:decimal lexical form (no exponent)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or abs(value) > bound:
        raise _RecordError(field, f"expected a coordinate within ±{bound}, got {value!r}")
    text = repr(value)
    return format(Decimal(text), "f") if "e" in text or "E" in text else text


def _values(entry: dict[str, Any], field: str) -> list[str]:
    """All values of one external id; v1 GRID gives ``all`` as a single string."""
    values = entry.get("all") or []
    values = [values] if isinstance(values, str) else list(values)
    preferred = entry.get("preferred")
    if preferred and preferred not in values:
        values.append(preferred)
    return [_str(v, field).strip() for v in values]


def _external_ids(ids: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    # Other schemes (v1 OrgRef, HESA, UCAS, UKPRN, CNRS) have no term in the ontology; they are left out.
    return tuple(dict.fromkeys((kind, value) for kind, value in ids if kind in _ID_TYPES))


def _relationships(values: list[dict[str, Any]], field: str) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for rel in values:
        kind = str(rel["type"]).lower()
        if kind not in _RELATIONS:
            raise _RecordError(
                field, f"unknown relationship type {rel['type']!r}", f"one of {', '.join(sorted(_RELATIONS))}"
            )
        found.append((kind, _ror(rel["id"], field)))
    return tuple(found)


def _date(value: object, field: str) -> str:
    try:
        date_literal(str(value))
    except ValueError as exc:
        raise _RecordError(field, str(exc), "write YYYY-MM-DD") from None
    return str(value)


# --- triples ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Terms:
    """The hot path's terms, looked up once: ``Vocabulary`` attribute access costs more than the triple."""

    type: ox.NamedNode
    organization: ox.NamedNode
    research_organisation: ox.NamedNode
    formal_organization: ox.NamedNode
    research_unit: ox.NamedNode
    mixed_unit: ox.NamedNode
    supervising_body: ox.NamedNode
    supervises: ox.NamedNode
    unit: ox.NamedNode
    unit_of: ox.NamedNode
    has_unit: ox.NamedNode
    organisation_type: ox.NamedNode
    label: ox.NamedNode
    pref_label: ox.NamedNode
    alt_label: ox.NamedNode
    acronym: ox.NamedNode
    ror_id: ox.NamedNode
    same_as: ox.NamedNode
    homepage: ox.NamedNode
    page: ox.NamedNode
    country: ox.NamedNode
    latitude: ox.NamedNode
    longitude: ox.NamedNode
    decimal: ox.NamedNode
    established: ox.NamedNode
    status: ox.NamedNode
    modified: ox.NamedNode
    cnrs: ox.NamedNode
    org_types: dict[str, ox.NamedNode]
    external: dict[str, ox.NamedNode]
    edges: dict[str, tuple[ox.NamedNode, ox.NamedNode]]  # relationship -> (predicate, inverse)


@cache
def _terms() -> _Terms:
    """Built on first use, not at import, since ``KG`` reads the ontology file."""
    return _Terms(
        type=RDF.type,
        organization=ORG.Organization,
        research_organisation=KG.ResearchOrganisation,
        formal_organization=ORG.FormalOrganization,
        research_unit=KG.ResearchUnit,
        mixed_unit=KG.MixedResearchUnit,
        supervising_body=KG.supervisingBody,
        supervises=KG.supervises,
        unit=ORG.OrganizationalUnit,
        unit_of=ORG.unitOf,
        has_unit=ORG.hasUnit,
        organisation_type=KG.organisationType,
        label=RDFS.label,
        pref_label=SKOS.prefLabel,
        alt_label=SKOS.altLabel,
        acronym=KG.acronym,
        ror_id=KG.rorId,
        same_as=SCHEMA.sameAs,
        homepage=FOAF.homepage,
        page=FOAF.page,
        country=KG.country,
        latitude=SCHEMA.latitude,
        longitude=SCHEMA.longitude,
        decimal=XSD.decimal,
        established=KG.establishmentYear,
        status=KG.rorStatus,
        modified=DCTERMS.modified,
        cnrs=iris.ror_org(iris.CNRS_ROR),
        org_types={key: KG.term(name) for key, name in _ORG_TYPES.items()},
        external={key: KG.term(name) for key, name in _ID_TYPES.items()},
        edges={
            "parent": (ORG.subOrganizationOf, ORG.hasSubOrganization),
            "child": (ORG.hasSubOrganization, ORG.subOrganizationOf),
            "predecessor": (KG.predecessor, KG.successor),
            "successor": (KG.successor, KG.predecessor),
            "related": (KG.relatedOrganisation, KG.relatedOrganisation),
        },
    )


def cnrs_internal_bodies(records: list[RorRecord]) -> frozenset[str]:
    """ROR ids of the CNRS's own institutes and directorates among ``records``.

    ROR lists them as children of the CNRS, like its laboratories, and as parents of the labs
    they steer. They are told apart by the data: the CNRS as sole parent, and either a
    government type or at least ten CNRS labs below them. A federation or a lab of the CNRS
    alone (Institut Chevreul) has neither.
    """
    below: dict[str, int] = {}
    for record in records:
        for kind, target in record.relationships:
            if kind == "parent":
                below[target] = below.get(target, 0) + 1
    internal = set()
    for record in records:
        parents = [target for kind, target in record.relationships if kind == "parent"]
        if parents == [iris.CNRS_ROR] and ("government" in record.types or below.get(record.ror, 0) >= 10):
            internal.add(record.ror)
    return frozenset(internal)


def _literal(value: str, lang: str | None) -> ox.Literal:
    return ox.Literal(value, language=lang) if lang else ox.Literal(value)


def record_triples(record: RorRecord, internal: frozenset[str] = frozenset()) -> Iterator[ox.Triple]:
    """The triples one record states about its organisation, and the inverse of each relation.

    ``internal`` holds the ROR ids of CNRS institutes and directorates (``cnrs_internal_bodies``):
    they are units of the CNRS, not research units, and never a lab's supervising body.
    """
    t = _terms()
    triple = ox.Triple
    s = iris.ror_org(record.ror)
    yield triple(s, t.type, t.organization)
    if s == t.cnrs:
        yield triple(s, t.type, t.research_organisation)
        yield triple(s, t.type, t.formal_organization)
    for kind in record.types:
        yield triple(s, t.organisation_type, t.org_types[kind])

    label = _literal(*record.label)
    yield triple(s, t.label, label)
    yield triple(s, t.pref_label, label)
    for text, lang in record.alt_labels:
        alt = _literal(text, lang)
        if alt != label:  # SKOS: a label cannot be both preferred and alternative
            yield triple(s, t.alt_label, alt)
    for acronym in record.acronyms:
        yield triple(s, t.acronym, ox.Literal(acronym))

    yield triple(s, t.ror_id, ox.Literal(record.ror))
    yield triple(s, t.same_as, iris.ror_url(record.ror))
    for kind, value in record.external_ids:
        yield triple(s, t.external[kind], ox.Literal(value))
    for url in record.homepages:
        yield triple(s, t.homepage, ox.NamedNode(url))
    for url in record.pages:
        yield triple(s, t.page, ox.NamedNode(url))

    for code in record.countries:
        yield triple(s, t.country, iris.country(code))
    if record.lat is not None and record.lng is not None:
        yield triple(s, t.latitude, ox.Literal(record.lat, datatype=t.decimal))
        yield triple(s, t.longitude, ox.Literal(record.lng, datatype=t.decimal))
    if record.established is not None:
        yield triple(s, t.established, year(record.established))
    yield triple(s, t.status, ox.Literal(record.status))
    if record.modified is not None:
        yield triple(s, t.modified, date_literal(record.modified))

    parents: list[ox.NamedNode] = []
    for kind, target in record.relationships:
        o = iris.ror_org(target)
        predicate, inverse = t.edges[kind]
        yield triple(s, predicate, o)
        yield triple(o, inverse, s)
        if kind == "parent":
            parents.append(o)
    if record.ror in internal:
        yield triple(s, t.type, t.unit)
        yield triple(s, t.unit_of, t.cnrs)
        yield triple(t.cnrs, t.has_unit, s)
        return
    inside_cnrs = {iris.ror_org(ror) for ror in internal} | {t.cnrs}
    if any(parent in inside_cnrs for parent in parents):
        # A lab under a CNRS institute is supervised by the CNRS itself.
        supervisors = [parent for parent in parents if parent not in inside_cnrs] + [t.cnrs]
        yield triple(s, t.type, t.research_unit)
        if len(supervisors) >= 2:
            yield triple(s, t.type, t.mixed_unit)
        for parent in supervisors:
            yield triple(s, t.supervising_body, parent)
            yield triple(parent, t.supervises, s)
