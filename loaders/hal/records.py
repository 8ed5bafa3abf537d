"""One HAL document (``biblFull``) as a typed record: ids, titles, year, type and authors.

``parse_document`` reads one ``biblFull``. A field it cannot read raises ``FieldError``, which the
caller, knowing the file and the record, turns into a ``LoadError``.

>>> import xml.etree.ElementTree as ET
>>> full = ET.fromstring(
...     '<biblFull xmlns="http://www.tei-c.org/ns/1.0">'
...     '<titleStmt><title xml:lang="en">Demosaicking</title>'
...     '<author><persName><forename>Jon Yngve</forename><surname>Hardeberg</surname></persName>'
...     '<affiliation ref="#struct-439007"/></author></titleStmt>'
...     '<publicationStmt><idno type="halId">hal-01213935</idno></publicationStmt>'
...     '<sourceDesc><biblStruct><monogr><imprint><date type="datePub">2014-06</date></imprint></monogr>'
...     '<idno type="doi">https://doi.org/10.1007/978-3-319-07998-1_18</idno></biblStruct></sourceDesc>'
...     '</biblFull>'
... )
>>> doc = parse_document(full)
>>> doc.hal_id, doc.doi, doc.year, doc.titles[0].language
('hal-01213935', '10.1007/978-3-319-07998-1_18', 2014, 'en')
>>> doc.authors
(Author(position=1, name='Jon Yngve Hardeberg', affiliations=('struct-439007',)),)
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pyoxigraph as ox

from loaders.hal.domains import Domain, parse_domains
from loaders.hal.tei import NAMESPACES, XML_LANG, has_type, text
from ontology import iris

DROP = "fix the export or drop the record"

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
# The publication shape's pattern: a registrant code of 4 to 9 digits, then a suffix.
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PLACES = (
    "tei:sourceDesc/tei:biblStruct/tei:idno",
    "tei:sourceDesc/tei:biblStruct/tei:analytic/tei:idno",
    "tei:publicationStmt/tei:idno",
    "tei:sourceDesc/tei:biblStruct/tei:monogr/tei:idno",
)
_YEAR = re.compile(r"^(\d{4})")
# Where the publication year is read, best first: the date of publication, then HAL's own dates.
_YEAR_SOURCES = ("whenProduced", "whenWritten", "whenSubmitted")


class FieldError(Exception):
    """A field that cannot be read; the loop that knows file and record makes it a ``LoadError``."""

    def __init__(self, field: str, message: str, hint: str = DROP) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.hint = hint


@dataclass(frozen=True, slots=True)
class Title:
    text: str
    language: str | None


@dataclass(frozen=True, slots=True)
class Author:
    position: int
    name: str
    affiliations: tuple[str, ...]  # xml:ids of listOrg structures, such as "struct-22594"


@dataclass(frozen=True, slots=True)
class Document:
    hal_id: str
    titles: tuple[Title, ...]
    doi: str | None  # bare and lower-case
    year: int | None
    work_type: str | None  # HAL typology: ART, COMM, OUV, UNDEFINED...
    authors: tuple[Author, ...]
    domains: tuple[Domain, ...] = ()  # halDomain class codes, each with the domains above it

    @property
    def work(self) -> ox.NamedNode:
        """The work's IRI: by DOI when it has one, so that other sources describe the same node."""
        return iris.work_doi(self.doi) if self.doi else iris.work_hal(self.hal_id)


def hal_id(full: ET.Element) -> str:
    """The document's HAL id (``publicationStmt/idno type="halId"``), lower-case."""
    value = text(full.find("tei:publicationStmt/tei:idno[@type='halId']", NAMESPACES)).lower()
    if not value:
        raise FieldError("halId", "the document has no halId")
    if not iris.HAL_DOCUMENT.match(value):
        raise FieldError("halId", f"{value!r} is not a HAL id (like hal-01213935)")
    return value


def parse_document(full: ET.Element) -> Document:
    return Document(
        hal_id=hal_id(full),
        titles=_titles(full),
        doi=_doi(full),
        year=_year(full),
        work_type=_work_type(full),
        authors=tuple(_author(position, element) for position, element in enumerate(_authors(full), start=1)),
        domains=parse_domains(full),
    )


def _titles(full: ET.Element) -> tuple[Title, ...]:
    """The main titles, one per language (subtitles, ``type="sub"``, are left out)."""
    titles: dict[Title, None] = {}
    for element in full.findall("tei:titleStmt/tei:title", NAMESPACES):
        value = text(element)
        if not value or element.get("type") == "sub":
            continue
        language = (element.get(XML_LANG) or "").strip() or None
        if language is not None:
            try:
                ox.Literal(value, language=language)
            except ValueError:
                raise FieldError("title", f"{language!r} is not a language tag (xml:lang)") from None
        titles[Title(value, language)] = None
    if not titles:
        raise FieldError("title", "the document has no title")
    return tuple(titles)


def _doi(full: ET.Element) -> str | None:
    """The document's DOI: where HAL writes it (``biblStruct/idno``), in ``analytic``, the record, ``monogr``.

    ``monogr`` comes last: there a DOI may be the volume's, not the chapter's or the paper's.
    """
    for place in _DOI_PLACES:
        for idno in full.findall(place, NAMESPACES):
            value = text(idno)
            if value and has_type(idno, "doi"):
                bare = _DOI_PREFIX.sub("", value).lower()
                if not _DOI.match(bare):
                    raise FieldError("doi", f"{value!r} is not a DOI (10.NNNN/...)")
                return bare
    return None


def _year(full: ET.Element) -> int | None:
    dates = full.findall("tei:sourceDesc/tei:biblStruct/tei:monogr/tei:imprint/tei:date[@type='datePub']", NAMESPACES)
    editions = full.findall("tei:editionStmt/tei:edition", NAMESPACES)
    editions.sort(key=lambda edition: edition.get("type") != "current")  # the current version first
    for kind in _YEAR_SOURCES:
        dates += [date for edition in editions for date in edition.findall(f"tei:date[@type='{kind}']", NAMESPACES)]
    for date in dates:
        match = _YEAR.match(text(date))
        if match and int(match[1]) > 0:
            return int(match[1])
    return None


def _work_type(full: ET.Element) -> str | None:
    code = full.find("tei:profileDesc/tei:textClass/tei:classCode[@scheme='halTypology']", NAMESPACES)
    value = (code.get("n") or "").strip() if code is not None else ""
    return value or None


def _authors(full: ET.Element) -> list[ET.Element]:
    return full.findall("tei:titleStmt/tei:author", NAMESPACES)


def _author(position: int, element: ET.Element) -> Author:
    person = element.find("tei:persName", NAMESPACES)
    parts: list[str] = []
    if person is not None:
        parts += [text(name) for name in person.findall("tei:forename", NAMESPACES)]
        parts += [text(name) for name in person.findall("tei:surname", NAMESPACES)]
    affiliations: dict[str, None] = {}
    for affiliation in element.findall("tei:affiliation", NAMESPACES):
        ref = (affiliation.get("ref") or "").strip().removeprefix("#")
        if not ref:
            raise FieldError("affiliation", f"author {position} has an affiliation with no ref")
        affiliations[ref] = None
    return Author(position, " ".join(part for part in parts if part), tuple(affiliations))
