"""HAL TEI XML: parsing a file or a string, and finding the parts the loader reads.

HAL exports TEI (its "aofr" schema) in the ``http://www.tei-c.org/ns/1.0`` namespace: a
``teiHeader`` with the export's licence and date, ``text/body/listBibl`` with one ``biblFull`` per
document, and ``text/back/listOrg type="structures"`` with the AuréHAL structures that the
documents' affiliations refer to, and their ancestors. The standard library's ElementTree reads
it; it keeps no line numbers, so errors past parsing name the document by its HAL id instead.

>>> root = parse_text(
...     '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><listBibl><biblFull/></listBibl></body></text></TEI>',
...     "page.xml",
... )
>>> local_name(root.tag), len(documents(root)), header(root)
('TEI', 1, Header(licence=None, date=None))
>>> parse_text("<TEI>", "page.xml")
Traceback (most recent call last):
...
loaders.base.LoadError: page.xml:1:xml: not well-formed XML (no element found: line 1, column 5); re-export it from HAL
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from loaders.base import LoadError

NS = "http://www.tei-c.org/ns/1.0"
NAMESPACES = {"tei": NS}
TEI = f"{{{NS}}}TEI"
LIST_BIBL = f"{{{NS}}}listBibl"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
_HAL_ESCAPES = {"#amp#": "&", "#lt#": "<", "#gt#": ">"}
_HAL_ESCAPE = re.compile("|".join(_HAL_ESCAPES))
_HINT = "re-export it from HAL"


@dataclass(frozen=True)
class Header:
    """What the ``teiHeader`` says about the export: its licence IRI and its date (YYYY-MM-DD)."""

    licence: str | None
    date: str | None


def parse_file(path: Path) -> ET.Element:
    """The root of a TEI file; ``LoadError`` with the parser's line when it is not well-formed."""
    try:
        return ET.parse(path).getroot()
    except ET.ParseError as exc:
        line, _column = exc.position
        raise LoadError(path, line, "xml", f"not well-formed XML ({exc})", _HINT) from None
    except OSError as exc:
        raise LoadError(path, None, None, f"cannot read the file: {exc.strerror or exc}", "check the path") from None


def parse_text(text: str, where: Path | str, line: int | str | None = None, field: str = "xml") -> ET.Element:
    """The root of a TEI string; ``line`` is where the string sits in its file (a cache line), if known."""
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        inner, _column = exc.position
        at = line if line is not None else inner
        raise LoadError(where, at, field, f"not well-formed XML ({exc})", _HINT) from None


def is_tei(path: Path) -> bool:
    """Whether ``path`` is XML whose root is TEI with a ``listBibl`` (read only up to it).

    A file that starts as TEI and then breaks counts as TEI, so that loading it reports where it breaks.
    """
    root_seen = False
    try:
        with path.open("rb") as handle:
            for _event, element in ET.iterparse(handle, events=("start",)):
                if not root_seen and element.tag != TEI:
                    return False
                root_seen = True
                if element.tag == LIST_BIBL:
                    return True
    except ET.ParseError:
        # The parser reports events a chunk at a time, so a small broken file may show no root.
        return root_seen or _starts_as_tei(path)
    except OSError:
        return False
    return False


def _starts_as_tei(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return re.search(rb"<TEI[\s>]", head) is not None and NS.encode() in head


def header(root: ET.Element) -> Header:
    statement = root.find("tei:teiHeader/tei:fileDesc/tei:publicationStmt", NAMESPACES)
    if statement is None:
        return Header(None, None)
    licence = statement.find("tei:availability/tei:licence", NAMESPACES)
    target = (licence.get("target") or "").strip() if licence is not None else ""
    date = statement.find("tei:date", NAMESPACES)
    when = (date.get("when") or "").strip() if date is not None else ""
    return Header(target or None, when[:10] if _DAY.match(when) else None)


def documents(root: ET.Element) -> list[ET.Element]:
    """The ``biblFull`` elements, one per document, in order."""
    return root.findall("tei:text/tei:body/tei:listBibl/tei:biblFull", NAMESPACES)


def structures(root: ET.Element) -> list[ET.Element]:
    """The ``org`` elements of ``listOrg type="structures"`` (HAL lists projects in another ``listOrg``)."""
    return root.findall("tei:text/tei:back/tei:listOrg[@type='structures']/tei:org", NAMESPACES)


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def text(element: ET.Element | None) -> str:
    """The element's text with whitespace collapsed, HAL's escapes undone ('' for None).

    Some HAL exports write ``&``, ``<`` and ``>`` as ``#amp#``, ``#lt#`` and ``#gt#``:

    >>> text(ET.fromstring("<orgName>Biomérieux SA - R#amp#D  Proteom</orgName>"))
    'Biomérieux SA - R&D Proteom'
    """
    if element is None:
        return ""
    value = " ".join("".join(element.itertext()).split())
    return _HAL_ESCAPE.sub(lambda match: _HAL_ESCAPES[match[0]], value) if "#" in value else value


def has_type(element: ET.Element, value: str) -> bool:
    """``@type`` compared case-insensitively: HAL writes ``IdRef``, ``RNSR``, ``ROR``, ``doi``..."""
    return (element.get("type") or "").strip().lower() == value.lower()
