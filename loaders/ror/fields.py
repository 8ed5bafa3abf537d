"""Checks of single ROR record fields; each raises ``_RecordError`` naming the field at fault."""

from __future__ import annotations

import math
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import quote

import pycountry
import pyoxigraph as ox

from ontology import iris
from ontology.literals import date_literal

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
# User-assigned code that GeoNames, hence ROR, gives Kosovo; pycountry does not know it.
_EXTRA_COUNTRIES = frozenset({"XK"})


class _RecordError(Exception):
    """A record that cannot be read; the loop that knows file and record turns it into LoadError."""

    def __init__(self, field: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.hint = hint


def _ror(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise _RecordError(field, f"expected a ROR id, got {value!r}")
    try:
        return iris.ror_id(value)
    except iris.InvalidIdentifier as exc:
        raise _RecordError(field, str(exc), "check the ROR id on https://ror.org") from None


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
