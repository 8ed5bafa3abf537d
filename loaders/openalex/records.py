"""``Work``: what the graph keeps of one OpenAlex work, checked field by field.

``parse_work`` raises ``RecordError`` naming the field at fault, as a path into the record
(``authorships[2].institutions[0].country_code``); the loop that knows the file and the line turns
it into a ``LoadError``.

>>> work = parse_work({"id": "https://openalex.org/W1", "doi": "https://doi.org/10.1234/AB", "title": "T"})
>>> work.openalex, work.doi, work.title
('W1', '10.1234/ab', 'T')
>>> parse_work({"title": "T"})
Traceback (most recent call last):
...
loaders.openalex.records.RecordError: work without an id
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pycountry

from loaders.openalex.topics import Field, TopicError, parse_topics
from ontology import iris

# OpenAlex's institution types, which are ROR's; each is a kg:OrganisationType.
ORG_TYPES = {
    "education": "Education",
    "healthcare": "Healthcare",
    "company": "Company",
    "archive": "Archive",
    "nonprofit": "Nonprofit",
    "government": "Government",
    "facility": "Facility",
    "funder": "FunderType",
    "other": "OtherType",
}
# User-assigned code that OpenAlex (after GeoNames and ROR) gives Kosovo; not in ISO 3166-1 itself.
_EXTRA_COUNTRIES = frozenset({"XK"})
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.IGNORECASE)
# The shape bibo:doi must have (ontology/shapes.ttl): a directory indicator, a slash, a suffix.
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


class RecordError(Exception):
    """A work that cannot be read: ``field`` is the path to the bad value within the record."""

    def __init__(self, field: str, message: str, hint: str = "fix or drop the record") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.hint = hint


@dataclass(frozen=True, slots=True)
class Institution:
    """An institution as one authorship names it. ``lineage`` holds its ancestors, itself left out."""

    openalex: str
    name: str
    ror: str | None
    country: str | None
    type: str | None
    lineage: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Authorship:
    """One author's place on a work; ``countries`` joins its own ``countries`` and its institutions'."""

    name: str | None
    institutions: tuple[Institution, ...]
    countries: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Work:
    openalex: str
    doi: str | None
    title: str
    year: int | None
    type: str | None
    cited_by: int | None
    authorships: tuple[Authorship, ...]
    synthetic: bool = False
    topics: tuple[Field, ...] = ()  # each a chain: topic, subfield, field, domain


def parse_work(raw: object) -> Work:
    """One work; raises ``RecordError`` on a missing or malformed field."""
    if not isinstance(raw, dict):
        raise RecordError("", f"expected a JSON object, got {type(raw).__name__}")
    ident = raw.get("id")
    if ident is None:
        raise RecordError(
            "id", "work without an id", "every OpenAlex work has an id like https://openalex.org/W2741809807"
        )
    openalex = _openalex(ident, "id", iris.OPENALEX_WORK)
    title = _text(raw.get("title"), "title") or _text(raw.get("display_name"), "display_name")
    if title is None:
        raise RecordError("title", "work with neither a title nor a display_name")
    authorships = raw.get("authorships") or []
    if not isinstance(authorships, list):
        raise RecordError("authorships", f"expected a list, got {type(authorships).__name__}")
    return Work(
        openalex=openalex,
        doi=_doi(raw.get("doi")),
        title=title,
        year=_count(raw.get("publication_year"), "publication_year", 1, 9999),
        type=_text(raw.get("type"), "type"),
        cited_by=_count(raw.get("cited_by_count"), "cited_by_count", 0, None),
        authorships=tuple(_authorship(item, f"authorships[{i}]") for i, item in enumerate(authorships)),
        synthetic=raw.get("is_synthetic") is True,
        topics=_topics(raw),
    )


def _topics(raw: dict[str, Any]) -> tuple[Field, ...]:
    try:
        return parse_topics(raw)
    except TopicError as bad:
        raise RecordError(bad.field, bad.message) from None


def _authorship(raw: object, where: str) -> Authorship:
    if not isinstance(raw, dict):
        raise RecordError(where, f"expected an object, got {type(raw).__name__}")
    author = raw.get("author") or {}
    if not isinstance(author, dict):
        raise RecordError(f"{where}.author", f"expected an object, got {type(author).__name__}")
    name = _text(author.get("display_name"), f"{where}.author.display_name") or _text(
        raw.get("raw_author_name"), f"{where}.raw_author_name"
    )
    institutions = tuple(_known_institution(item, where, j) for j, item in enumerate(_list(raw, "institutions", where)))
    countries = [_country(code, f"{where}.countries[{k}]") for k, code in enumerate(_list(raw, "countries", where))]
    countries.extend(inst.country for inst in institutions if inst.country is not None)
    return Authorship(name, institutions, tuple(dict.fromkeys(countries)))


# Parsed institutions by their fields: a snapshot names the same few thousand again and again.
_PARSED: dict[tuple[Any, ...], Institution] = {}
_PARSED_LIMIT = 65_536


def _known_institution(raw: object, where: str, index: int) -> Institution:
    """``_institution``, remembered: the same fields make the same ``Institution`` (bounded memory)."""
    if not isinstance(raw, dict):
        return _institution(raw, f"{where}.institutions[{index}]")
    lineage = raw.get("lineage")
    key = (
        raw.get("id"),
        raw.get("display_name"),
        raw.get("ror"),
        raw.get("country_code"),
        raw.get("type"),
        tuple(lineage) if isinstance(lineage, list) else lineage,
    )
    try:
        found = _PARSED.get(key)
    except TypeError:  # a field holds a list or an object: not an id, parsing names the field
        return _institution(raw, f"{where}.institutions[{index}]")
    if found is None:
        found = _institution(raw, f"{where}.institutions[{index}]")
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        _PARSED[key] = found
    return found


def _institution(raw: object, where: str) -> Institution:
    if not isinstance(raw, dict):
        raise RecordError(where, f"expected an object, got {type(raw).__name__}")
    if raw.get("id") is None:
        raise RecordError(f"{where}.id", "institution without an id", "drop the institution or give its OpenAlex id")
    openalex = _openalex(raw["id"], f"{where}.id", iris.OPENALEX_INSTITUTION)
    name = _text(raw.get("display_name"), f"{where}.display_name")
    if name is None:
        raise RecordError(f"{where}.display_name", "institution without a display_name")
    ror = raw.get("ror")
    if ror is not None:
        if not isinstance(ror, str):
            raise RecordError(f"{where}.ror", f"expected a ROR id, got {ror!r}")
        try:
            ror = iris.ror_id(ror)
        except iris.InvalidIdentifier as exc:
            raise RecordError(f"{where}.ror", str(exc), "check the ROR id on https://ror.org") from None
    code = raw.get("country_code")
    kind = raw.get("type")
    if kind is not None and kind not in ORG_TYPES:
        raise RecordError(f"{where}.type", f"unknown institution type {kind!r}", f"one of {', '.join(ORG_TYPES)}")
    lineage = [
        _openalex(item, f"{where}.lineage[{k}]", iris.OPENALEX_INSTITUTION)
        for k, item in enumerate(_list(raw, "lineage", where))
    ]
    return Institution(
        openalex=openalex,
        name=name,
        ror=ror,
        country=None if code is None else _country(code, f"{where}.country_code"),
        type=kind,
        lineage=tuple(dict.fromkeys(item for item in lineage if item != openalex)),
    )


def _list(raw: dict[str, Any], key: str, where: str) -> list[Any]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{where}.{key}", f"expected a list, got {type(value).__name__}")
    return value


def _openalex(value: object, field: str, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str):
        raise RecordError(field, f"expected an OpenAlex id, got {value!r}")
    try:
        return iris.openalex_id(value, pattern)
    except iris.InvalidIdentifier as exc:
        raise RecordError(
            field, str(exc), "write it like https://openalex.org/W2741809807 (I... for institutions)"
        ) from None


def _doi(value: object) -> str | None:
    """A DOI bare and lower-cased (DOIs are case-insensitive), or None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError("doi", f"expected a DOI, got {value!r}")
    bare = _DOI_PREFIX.sub("", value.strip()).lower()
    if not _DOI.match(bare):
        raise RecordError("doi", f"{value!r} is not a DOI", "write it like https://doi.org/10.7717/peerj.4375")
    return bare


def _text(value: object, field: str) -> str | None:
    """A non-blank string, or None; one that RDF cannot hold (a lone surrogate) is an error."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(field, f"expected a string, got {value!r}")
    text = value.strip()
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise RecordError(field, f"{value!r} is not valid Unicode text (a lone surrogate)") from None
    return text or None


def _count(value: object, field: str, low: int, high: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bounds = f"from {low}" + (f" to {high}" if high is not None else "")
        raise RecordError(field, f"expected a whole number {bounds}, got {value!r}")
    return value


@lru_cache(maxsize=1024)
def _known_country(code: str) -> bool:
    return code in _EXTRA_COUNTRIES or pycountry.countries.get(alpha_2=code) is not None


def _country(value: object, field: str) -> str:
    if not isinstance(value, str) or len(value) != 2 or not value.isalpha() or not _known_country(value.upper()):
        raise RecordError(field, f"{value!r} is not an ISO 3166-1 country code")
    return value.upper()
