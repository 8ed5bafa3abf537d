"""The AuréHAL structures of one TEI page (``listOrg``): typed records, their IRIs, what a document reaches.

HAL types a structure ``institution``, ``regroupinstitution``, ``laboratory``, ``regrouplaboratory``,
``department`` or ``researchteam``, and links it to its parents with ``listRelation/relation``:
``type="direct"`` for an immediate parent (its ``@name`` is the code the parent gives the unit,
such as UMR6306) and ``type="indirect"`` for ancestors that follow from the direct links, which
are not read.

A structure that cannot be read is kept as its ``FieldError``: only the documents that reach it
fail, and a structure no document reaches is never described.

>>> import xml.etree.ElementTree as ET
>>> org = ET.fromstring(
...     '<org xmlns="http://www.tei-c.org/ns/1.0" type="institution" xml:id="struct-441569">'
...     '<idno type="ISNI">0000000122597504</idno><orgName>Centre National de la Recherche Scientifique</orgName>'
...     '<orgName type="acronym">CNRS</orgName><desc><address><country key="FR"/></address></desc></org>'
... )
>>> cnrs = parse_structure(org)
>>> cnrs.hal_id, cnrs.acronyms, cnrs.isnis, cnrs.country
('441569', ('CNRS',), ('0000 0001 2259 7504',), 'FR')
>>> Structures([org]).iri("struct-441569").value
'https://w3id.org/cnrs-kg/id/org/ror/02feahw73'
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pycountry
import pyoxigraph as ox

from loaders.crosswalk import crosswalk
from loaders.hal.records import Document, FieldError
from loaders.hal.tei import NAMESPACES, XML_ID, has_type, text
from ontology import iris
from ontology.literals import date_literal

CNRS_HAL = "441569"
SUPERVISOR_TYPES = frozenset({"institution", "regroupinstitution"})

_STRUCT_ID = re.compile(r"^struct-(\d+)$")
_ISNI = re.compile(r"^\d{15}[\dX]$")
# User-assigned code that HAL, like GeoNames and ROR, gives Kosovo; ISO 3166-1 (pycountry) leaves it out.
_EXTRA_COUNTRIES = frozenset({"XK"})
_FIX_STRUCTURE = "fix the structure in AuréHAL or drop the records that cite it"


@dataclass(frozen=True, slots=True)
class Parent:
    key: str  # xml:id, such as "struct-441569"
    code: str | None  # the relation's @name: the code the parent gives the unit


@dataclass(frozen=True, slots=True)
class Structure:
    key: str  # xml:id, such as "struct-22594"
    hal_id: str | None  # the AuréHAL id, such as "22594"
    type: str
    names: tuple[str, ...]
    acronyms: tuple[str, ...]
    ror: str | None
    idrefs: tuple[str, ...]
    rnsrs: tuple[str, ...]
    isnis: tuple[str, ...]  # as ROR writes them: four groups of four
    homepages: tuple[str, ...]
    country: str | None  # ISO 3166-1 alpha-2
    start: str | None
    end: str | None
    parents: tuple[Parent, ...]  # direct relations only


def parse_structure(org: ET.Element) -> Structure:
    key = (org.get(XML_ID) or "").strip()
    match = _STRUCT_ID.match(key)
    names = _distinct(text(name) for name in org.findall("tei:orgName", NAMESPACES) if not name.get("type"))
    if not names:
        raise FieldError("orgName", "the structure has no name", _FIX_STRUCTURE)
    ror = _ror(org)
    if match is None and ror is None:
        raise FieldError("xml:id", f"{key!r} is not an AuréHAL structure (struct-N) and has no ROR id", _FIX_STRUCTURE)
    return Structure(
        key=key,
        hal_id=str(int(match[1])) if match else None,
        type=(org.get("type") or "").strip(),
        names=names,
        acronyms=_distinct(text(name) for name in org.findall("tei:orgName[@type='acronym']", NAMESPACES)),
        ror=ror,
        idrefs=_idnos(org, "IdRef"),
        rnsrs=_idnos(org, "RNSR"),
        isnis=tuple(_isni(value) for value in _idnos(org, "ISNI")),
        homepages=_distinct(_homepages(org)),
        country=_country(org),
        start=_date(org, "start"),
        end=_date(org, "end"),
        parents=_parents(org),
    )


class Structures:
    """The structures of one page by xml:id, and the error of each that cannot be read."""

    def __init__(self, orgs: Iterable[ET.Element]) -> None:
        self._records: dict[str, Structure] = {}
        self._errors: dict[str, FieldError] = {}
        for org in orgs:
            key = (org.get(XML_ID) or "").strip()
            try:
                self._records[key] = parse_structure(org)
            except FieldError as exc:
                self._errors[key] = exc

    def get(self, key: str) -> Structure | None:
        return self._records.get(key)

    def reached(self, document: Document) -> list[Structure]:
        """The affiliations of ``document`` and their ancestors through direct relations.

        Raises ``FieldError`` for an affiliation that ``listOrg`` lacks, or a reached structure that
        cannot be read. A parent that ``listOrg`` lacks is linked to, not described.
        """
        for author in document.authors:
            for key in author.affiliations:
                if key not in self._records and key not in self._errors:
                    who = f"author {author.position}" + (f" ({author.name})" if author.name else "")
                    raise FieldError("affiliation", f"{who} is affiliated with {key}, which listOrg does not describe")
        found: dict[str, Structure] = {}
        todo = [key for author in document.authors for key in author.affiliations]
        while todo:
            key = todo.pop(0)
            if key in found:
                continue
            if key in self._errors:
                error = self._errors[key]
                raise FieldError(f"listOrg/{key}/{error.field}", error.message, error.hint)
            structure = self._records.get(key)
            if structure is not None:
                found[key] = structure
                todo += [parent.key for parent in structure.parents]
        return list(found.values())

    def iri(self, key: str) -> ox.NamedNode | None:
        """ROR when the structure or the crosswalk gives it, else its AuréHAL id; None when neither is known."""
        structure = self._records.get(key)
        if structure is not None and structure.ror is not None:
            return iris.ror_org(structure.ror)
        ror = self.ror(key)
        if ror is not None:
            return iris.ror_org(ror)
        match = _STRUCT_ID.match(key)
        return iris.hal_org(match[1]) if match else None

    def ror(self, key: str) -> str | None:
        structure = self._records.get(key)
        if structure is not None and structure.ror is not None:
            return structure.ror
        match = _STRUCT_ID.match(key)
        return crosswalk().hal_to_ror.get(str(int(match[1]))) if match else None

    def is_cnrs(self, key: str) -> bool:
        return key == f"struct-{CNRS_HAL}" or self.ror(key) == iris.CNRS_ROR

    def supervisors(self, structure: Structure) -> list[Parent]:
        """The direct parents of a CNRS laboratory that supervise it: institutions, the CNRS among them.

        Empty for any other structure (a team, a department, a laboratory without the CNRS).
        """
        if structure.type != "laboratory" or not any(self.is_cnrs(parent.key) for parent in structure.parents):
            return []
        return [parent for parent in structure.parents if self.is_cnrs(parent.key) or self._is_institution(parent.key)]

    def _is_institution(self, key: str) -> bool:
        parent = self._records.get(key)
        return parent is not None and parent.type in SUPERVISOR_TYPES


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


def _idnos(org: ET.Element, kind: str) -> tuple[str, ...]:
    return _distinct(text(idno) for idno in org.findall("tei:idno", NAMESPACES) if has_type(idno, kind))


def _ror(org: ET.Element) -> str | None:
    for value in _idnos(org, "ROR"):
        try:
            return iris.ror_id(value)
        except iris.InvalidIdentifier as exc:
            raise FieldError("ROR", str(exc), _FIX_STRUCTURE) from None
    return None


def _isni(value: str) -> str:
    """``0000000122597504`` or ``0000 0001 2259 7504`` -> ``0000 0001 2259 7504`` (as ROR writes it)."""
    bare = value.replace(" ", "").replace("-", "").upper()
    if not _ISNI.match(bare):
        raise FieldError("ISNI", f"{value!r} is not an ISNI (16 characters)", _FIX_STRUCTURE)
    return " ".join(bare[i : i + 4] for i in range(0, 16, 4))


def _homepages(org: ET.Element) -> Iterable[str]:
    """The structure's web addresses; one that is not an IRI (HAL does not check them) is left out."""
    for ref in org.findall("tei:desc/tei:ref", NAMESPACES):
        url = text(ref)
        if has_type(ref, "url") and url.startswith(("http://", "https://")):
            try:
                ox.NamedNode(url)
            except ValueError:
                continue
            yield url


@cache
def known_country(code: str) -> bool:
    return code in _EXTRA_COUNTRIES or pycountry.countries.get(alpha_2=code) is not None


def _country(org: ET.Element) -> str | None:
    element = org.find("tei:desc/tei:address/tei:country", NAMESPACES)
    key = (element.get("key") or "").strip() if element is not None else ""
    if not key:
        return None
    code = key.upper()
    if len(code) != 2 or not known_country(code):
        raise FieldError("country", f"unknown country key {key!r} (not an ISO 3166-1 alpha-2 code)", _FIX_STRUCTURE)
    return code


def _date(org: ET.Element, kind: str) -> str | None:
    value = text(org.find(f"tei:date[@type='{kind}']", NAMESPACES))
    if not value:
        return None
    try:
        date_literal(value)
    except ValueError as exc:
        raise FieldError(f"date[@type='{kind}']", str(exc), _FIX_STRUCTURE) from None
    return value


def _parents(org: ET.Element) -> tuple[Parent, ...]:
    parents: dict[str, Parent] = {}
    for relation in org.findall("tei:listRelation/tei:relation", NAMESPACES):
        key = (relation.get("active") or "").strip().removeprefix("#")
        if relation.get("type") == "direct" and key and key not in parents:
            parents[key] = Parent(key, (relation.get("name") or "").strip() or None)
    return tuple(parents.values())
