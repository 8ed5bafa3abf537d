"""``RorRecord``: what the graph keeps of one ROR record, parsed from schema v1 or v2."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from loaders.base import LoadError
from loaders.ror.fields import (
    _coordinate,
    _country,
    _date,
    _established,
    _external_ids,
    _lang,
    _link,
    _RecordError,
    _relationships,
    _ror,
    _status,
    _str,
    _types,
    _values,
)
from loaders.ror.reading import json_records

_NAME_TYPES = frozenset({"ror_display", "label", "alias", "acronym"})


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
