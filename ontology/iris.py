"""The one place where cnrs-kg mints IRIs.

Entity IRIs live under ``https://w3id.org/cnrs-kg/id/`` and are built from real identifiers
where they exist (ROR id, ISO 3166-1 code, UN M49 code, DOI), otherwise from a stable slug that
the curated source file gives. Source graphs live under ``https://w3id.org/cnrs-kg/graph/``.

>>> ror_org("02feahw73").value
'https://w3id.org/cnrs-kg/id/org/ror/02feahw73'
>>> ror_org("https://ror.org/02feahw73").value
'https://w3id.org/cnrs-kg/id/org/ror/02feahw73'
>>> country("vn").value
'https://w3id.org/cnrs-kg/id/country/VN'
>>> m49_area("35").value
'https://w3id.org/cnrs-kg/id/area/m49/035'
>>> work_doi("https://doi.org/10.1000/ABC(1)").value
'https://w3id.org/cnrs-kg/id/work/doi/10.1000/abc%281%29'
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

import pyoxigraph as ox

BASE = "https://w3id.org/cnrs-kg/"
ID = BASE + "id/"
GRAPH = BASE + "graph/"

ROR_PATTERN = re.compile(r"^0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
ALPHA2_PATTERN = re.compile(r"^[A-Z]{2}$")
CNRS_ROR = "02feahw73"


class InvalidIdentifier(ValueError):
    """An identifier that cannot be minted into an IRI (wrong ROR id shape, bad slug...)."""


def ror_id(value: str) -> str:
    """Normalise a ROR id given bare or as ``https://ror.org/...``; raise if malformed."""
    bare = value.strip().removeprefix("https://ror.org/").removeprefix("http://ror.org/").lower()
    if not ROR_PATTERN.match(bare):
        raise InvalidIdentifier(f"{value!r} is not a ROR id (expected 0 + 6 characters + 2 digits)")
    return bare


def ror_org(value: str) -> ox.NamedNode:
    """The IRI of the organisation with this ROR id."""
    return ox.NamedNode(f"{ID}org/ror/{ror_id(value)}")


def ror_url(value: str) -> ox.NamedNode:
    """The ROR registry IRI of this id (linked with ``schema:sameAs``)."""
    return ox.NamedNode(f"https://ror.org/{ror_id(value)}")


def slug(value: str) -> str:
    """Check a curated slug: lower-case ASCII letters and digits joined by '-' or '.'."""
    if not SLUG_PATTERN.match(value):
        raise InvalidIdentifier(f"{value!r} is not a slug (lower-case letters, digits and '-')")
    return value


def local_org(key: str) -> ox.NamedNode:
    """An organisation with no ROR id, named by a curated slug."""
    return ox.NamedNode(f"{ID}org/{slug(key)}")


def country(alpha2: str) -> ox.NamedNode:
    code = alpha2.strip().upper()
    if not ALPHA2_PATTERN.match(code):
        raise InvalidIdentifier(f"{alpha2!r} is not an ISO 3166-1 alpha-2 code")
    return ox.NamedNode(f"{ID}country/{code}")


def m49_area(code: str) -> ox.NamedNode:
    """A UN M49 area (world 001, region, sub-region or intermediate region)."""
    digits = code.strip()
    if not digits.isdigit() or len(digits) > 3:
        raise InvalidIdentifier(f"{code!r} is not a UN M49 code")
    return ox.NamedNode(f"{ID}area/m49/{digits.zfill(3)}")


WORLD = "001"


def country_group(key: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}group/{slug(key)}")


def membership(group_key: str, alpha2: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}membership/{slug(group_key)}/{alpha2.strip().upper()}")


def instrument(key: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}instrument/{slug(key)}")


def party(instrument_key: str, party_key: str) -> ox.NamedNode:
    """The membership node of one party in one instrument."""
    return ox.NamedNode(f"{ID}instrument/{slug(instrument_key)}/party/{slug(party_key)}")


def office(key: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}office/{slug(key)}")


def change_event(key: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}change/{slug(key)}")


def address(key: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}address/{slug(key)}")


def dataset(key: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}dataset/{slug(key)}")


def observation(dataset_key: str, key: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}dataset/{slug(dataset_key)}/obs/{slug(key)}")


def work_doi(doi: str) -> ox.NamedNode:
    """A publication by its DOI (case-insensitive, so lower-cased)."""
    bare = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi.strip(), flags=re.IGNORECASE).lower()
    if not bare.startswith("10."):
        raise InvalidIdentifier(f"{doi!r} is not a DOI")
    return ox.NamedNode(f"{ID}work/doi/{quote(bare, safe='/')}")


OPENALEX_WORK = re.compile(r"^W\d+$")
OPENALEX_INSTITUTION = re.compile(r"^I\d+$")
HAL_DOCUMENT = re.compile(r"^[a-z][a-z0-9-]*-\d{8}$")


def openalex_id(value: str, pattern: re.Pattern[str] = OPENALEX_INSTITUTION) -> str:
    """Normalise an OpenAlex id given bare or as ``https://openalex.org/...``.

    >>> openalex_id("https://openalex.org/I1294671590")
    'I1294671590'
    """
    bare = value.strip().removeprefix("https://openalex.org/").removeprefix("http://openalex.org/")
    bare = bare[:1].upper() + bare[1:]
    if not pattern.match(bare):
        raise InvalidIdentifier(f"{value!r} is not an OpenAlex id of the expected kind")
    return bare


def work_openalex(value: str) -> ox.NamedNode:
    """A publication known only by its OpenAlex id (one with a DOI is minted by ``work_doi``)."""
    return ox.NamedNode(f"{ID}work/openalex/{openalex_id(value, OPENALEX_WORK)}")


def work_hal(hal_id: str) -> ox.NamedNode:
    """A publication known only by its HAL id, such as ``hal-01213935``."""
    bare = hal_id.strip().lower()
    if not HAL_DOCUMENT.match(bare):
        raise InvalidIdentifier(f"{hal_id!r} is not a HAL document id (like hal-01213935)")
    return ox.NamedNode(f"{ID}work/hal/{bare}")


def authorship(work: ox.NamedNode, source: str, position: int) -> ox.NamedNode:
    """One author's place on a work, as one source states it (sources may disagree on affiliations)."""
    return ox.NamedNode(f"{work.value}/authorship/{slug(source)}/{position}")


def openalex_org(value: str) -> ox.NamedNode:
    """An institution known only by its OpenAlex id (one with a ROR id is minted by ``ror_org``)."""
    return ox.NamedNode(f"{ID}org/openalex/{openalex_id(value)}")


def hal_org(struct_id: str | int) -> ox.NamedNode:
    """A HAL (AuréHAL) structure with no ROR id, such as 441569."""
    bare = str(struct_id).strip().removeprefix("struct-")
    if not bare.isdigit():
        raise InvalidIdentifier(f"{struct_id!r} is not a HAL structure id")
    return ox.NamedNode(f"{ID}org/hal/{int(bare)}")


OPENALEX_LEVELS = {
    "topic": re.compile(r"^T\d+$"),
    "subfield": re.compile(r"^\d+$"),
    "field": re.compile(r"^\d+$"),
    "domain": re.compile(r"^\d+$"),
}
HAL_DOMAIN = re.compile(r"^[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*$", re.IGNORECASE)
FIELD = ID + "field/"
OPENALEX_FIELD = FIELD + "openalex/field/"  # the level the network is counted by
HAL_FIELD = FIELD + "hal/"


def openalex_field(level: str, value: str) -> ox.NamedNode:
    """An OpenAlex topic, subfield, field or domain, by its id given bare or as its OpenAlex IRI.

    >>> openalex_field("field", "https://openalex.org/fields/17").value
    'https://w3id.org/cnrs-kg/id/field/openalex/field/17'
    >>> openalex_field("topic", "https://openalex.org/T10102").value
    'https://w3id.org/cnrs-kg/id/field/openalex/topic/T10102'
    """
    bare = value.strip().rsplit("/", 1)[-1]
    pattern = OPENALEX_LEVELS.get(level)
    if pattern is None or not pattern.match(bare):
        raise InvalidIdentifier(f"{value!r} is not an OpenAlex {level} id")
    return ox.NamedNode(f"{FIELD}openalex/{level}/{bare}")


def hal_domain(code: str) -> ox.NamedNode:
    """A HAL domain by its code, such as ``info`` or ``info.info-ai`` (lower-cased).

    >>> hal_domain("sdv.SP.med").value
    'https://w3id.org/cnrs-kg/id/field/hal/sdv.sp.med'
    """
    bare = code.strip()
    if not HAL_DOMAIN.match(bare):
        raise InvalidIdentifier(f"{code!r} is not a HAL domain code (like info or info.info-ai)")
    return ox.NamedNode(f"{HAL_FIELD}{bare.lower()}")


def counted_field(iri: str) -> bool:
    """Whether a field is of a level the network is counted by: an OpenAlex field, a top-level HAL domain.

    >>> counted_field(openalex_field("field", "17").value), counted_field(hal_domain("info.info-ai").value)
    (True, False)
    """
    return iri.startswith(OPENALEX_FIELD) or (iri.startswith(HAL_FIELD) and "." not in iri[len(HAL_FIELD) :])


def link(kind: str, period: int | str | None, a: ox.NamedNode, b: ox.NamedNode) -> ox.NamedNode:
    """A collaboration link between two nodes for a year, a period ("2015-2019") or all years (None).

    The same whichever way round the two nodes are given.
    """
    first, second = sorted((a.value, b.value))
    digest = hashlib.blake2b(f"{first} {second}".encode(), digest_size=10).hexdigest()
    return ox.NamedNode(f"{ID}link/{slug(kind)}/{'all' if period is None else period}/{digest}")


def document(name: str) -> ox.NamedNode:
    """A seed document, named by its file name."""
    if not re.match(r"^[A-Za-z0-9_.-]+$", name):
        raise InvalidIdentifier(f"{name!r} is not a document file name")
    return ox.NamedNode(f"{ID}document/{name}")


def source_graph(kind: str, name: str) -> ox.NamedNode:
    """The named graph of one source (``kind`` is the loader, ``name`` the source's own name)."""
    if not re.match(r"^[A-Za-z0-9_.-]+$", name):
        raise InvalidIdentifier(f"{name!r} cannot name a source graph")
    return ox.NamedNode(f"{GRAPH}{slug(kind)}/{name}")
