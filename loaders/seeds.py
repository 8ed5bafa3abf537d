"""Seed documents: facts written by hand in Turtle, checked against the ontology and the text.

``NAME.facts.ttl`` holds the facts that the document ``NAME.txt`` beside it states. Before
anything is returned, the file must pass four checks, each failing with a ``LoadError`` that names
the line where it can:

- it parses as Turtle;
- it has no blank node (every node has an IRI, so reloads are idempotent);
- every term of a closed vocabulary (``kg:``, ``org:``, ``schema:``, ``qb:``...) exists, and every
  IRI under ``https://w3id.org/cnrs-kg/id/`` is one that ``ontology.iris`` mints;
- every ``kg:quote`` occurs verbatim in the document (whitespace collapsed).

The graph of the document (``iris.source_graph("seed", "NAME.txt")``) gets the facts and the
document node (``kg:SeedDocument`` with its ``dcterms:title``). Titles come from the
``[documents."NAME.txt"]`` tables of the ``ORIGIN.toml`` beside the files.

>>> collapse_whitespace("  more than\\n 60,000   missions ")
'more than 60,000 missions'
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox

from loaders.base import LoadError, SourceData, dedupe, read_origin
from ontology import (
    BIBO,
    DCTERMS,
    FABIO,
    FOAF,
    KG,
    ORG,
    OWL,
    PROV,
    QB,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    TIME,
    VANN,
    XSD,
    Vocabulary,
    iris,
)
from ontology.literals import date_literal, text
from ontology.provenance import SourceInfo

KIND = "seed"
READS_FOLDERS = False
COMPRESSED: tuple[str, ...] = ()
FACTS_SUFFIX = ".facts.ttl"

CLOSED_VOCABULARIES: tuple[Vocabulary, ...] = (
    KG, RDF, RDFS, OWL, XSD, SKOS, DCTERMS, ORG, FOAF, PROV, QB, SCHEMA, FABIO, BIBO, TIME, VANN,
)  # fmt: skip

# Each path shape under iris.ID and the function that mints it: an IRI is accepted only if
# minting its parts again gives the same IRI.
_MINTERS: tuple[tuple[re.Pattern[str], Callable[..., ox.NamedNode]], ...] = tuple(
    (re.compile(pattern), minter)
    for pattern, minter in (
        (r"country/([^/]+)", iris.country),
        (r"area/m49/([^/]+)", iris.m49_area),
        (r"org/ror/([^/]+)", iris.ror_org),
        (r"org/([^/]+)", iris.local_org),
        (r"group/([^/]+)", iris.country_group),
        (r"membership/([^/]+)/([^/]+)", iris.membership),
        (r"instrument/([^/]+)", iris.instrument),
        (r"instrument/([^/]+)/party/([^/]+)", iris.party),
        (r"office/([^/]+)", iris.office),
        (r"change/([^/]+)", iris.change_event),
        (r"address/([^/]+)", iris.address),
        (r"dataset/([^/]+)", iris.dataset),
        (r"dataset/([^/]+)/obs/([^/]+)", iris.observation),
        (r"document/([^/]+)", iris.document),
        (r"work/doi/(.+)", lambda doi: iris.work_doi(unquote(doi))),
    )
)


def detect(path: Path) -> bool:
    """A ``NAME.facts.ttl`` file."""
    return path.is_file() and path.name.endswith(FACTS_SUFFIX)


def document_path(facts: Path) -> Path:
    """The document whose facts ``facts`` holds: same stem, ``.txt``."""
    return facts.with_name(facts.name.removesuffix(FACTS_SUFFIX) + ".txt")


def load(path: Path) -> list[SourceData]:
    """Check the facts of one seed document and return them as that document's graph."""
    document = document_path(path)
    if not document.is_file():
        raise LoadError(path, None, None, f"no document {document.name} beside it", "keep the text next to its facts")
    turtle = _read_text(path)
    triples = parse_facts(path, turtle)
    if not triples:
        raise LoadError(path, None, None, "no facts in the file", f"state the facts of {document.name} in Turtle")
    check_terms(path, turtle, triples)
    document_text = _read_text(document)
    check_quotes(path, turtle, triples, document_text)
    info, title = source_info(path, document, document_text)
    source = SourceData(info)
    source.triples = dedupe([*document_triples(document.name, title), *triples])
    return [source]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text (byte {exc.start}: {exc.reason})"
        raise LoadError(path, None, None, message, "save the file as UTF-8") from None


# --- checks -----------------------------------------------------------------------------------


def parse_facts(path: Path, turtle: str) -> list[ox.Triple]:
    """The triples of the Turtle file; a syntax error becomes a ``LoadError`` at its line."""
    try:
        quads = list(ox.parse(turtle, format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        message = str(exc.args[0]) if exc.args else str(exc)
        raise LoadError(path, exc.lineno, None, f"not valid Turtle: {message}", "fix the syntax") from exc
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


def check_terms(path: Path, turtle: str, triples: Iterable[ox.Triple]) -> None:
    """No blank node; closed-vocabulary terms exist; project IRIs are the ones ``iris`` mints."""
    for triple in triples:
        for node in (triple.subject, triple.predicate, triple.object):
            if isinstance(node, ox.BlankNode):
                raise LoadError(
                    path, blank_node_line(turtle), None, "blank node", "give the node an IRI from ontology.iris"
                )
            if not isinstance(node, ox.NamedNode):
                continue
            vocabulary = next((v for v in CLOSED_VOCABULARIES if node.value.startswith(v.base)), None)
            if vocabulary is not None and node not in vocabulary:
                name = f"{vocabulary.prefix}:{node.value[len(vocabulary.base) :]}"
                raise LoadError(
                    path, term_line(turtle, node), name, f"not a term of {vocabulary.base}", "use a defined term"
                )
            if node.value.startswith(iris.ID) and not is_minted(node.value):
                raise LoadError(
                    path,
                    term_line(turtle, node),
                    node.value,
                    "not an IRI that ontology.iris mints",
                    "write the IRI the minting function gives",
                )


def is_minted(iri: str) -> bool:
    """Whether ``iri`` is exactly what an ``ontology.iris`` function mints.

    >>> is_minted("https://w3id.org/cnrs-kg/id/instrument/agreement-vast/party/cnrs")
    True
    >>> is_minted("https://w3id.org/cnrs-kg/id/country/vn")
    False
    """
    rest = iri.removeprefix(iris.ID)
    for pattern, minter in _MINTERS:
        match = pattern.fullmatch(rest)
        if match is None:
            continue
        try:
            if minter(*match.groups()).value == iri:
                return True
        except iris.InvalidIdentifier:
            continue
    return False


def check_quotes(path: Path, turtle: str, triples: Iterable[ox.Triple], document_text: str) -> None:
    """Every ``kg:quote`` occurs in the document, whitespace collapsed."""
    haystack = collapse_whitespace(document_text)
    for triple in triples:
        if triple.predicate != KG.quote:
            continue
        quote = triple.object
        if not isinstance(quote, ox.Literal):
            raise LoadError(path, None, "kg:quote", f"{quote} is not a literal", "quote the document's words")
        if collapse_whitespace(quote.value) not in haystack:
            raise LoadError(
                path,
                text_line(turtle, quote.value),
                "kg:quote",
                f"not in {document_path(path).name}: {_shorten(quote.value)!r}",
                "copy the words verbatim from the document",
            )


def collapse_whitespace(value: str) -> str:
    return " ".join(value.split())


def _shorten(value: str, width: int = 60) -> str:
    flat = collapse_whitespace(value)
    return flat if len(flat) <= width else flat[: width - 1] + "…"


# --- finding lines in the Turtle source -------------------------------------------------------


_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


def term_line(turtle: str, node: ox.NamedNode) -> int | None:
    """The first line naming ``node``, in full or by a prefixed name the file declares.

    >>> term_line("@prefix c: <http://x/c/> .\\n<a> <b> c:VN .", ox.NamedNode("http://x/c/VN"))
    2
    """
    needles = [re.escape(f"<{node.value}>")]
    for prefix, namespace in _PREFIX.findall(turtle):
        if namespace and node.value.startswith(namespace):
            local = node.value[len(namespace) :]
            needles.append(r"(?<![\w:.-])" + re.escape(f"{prefix}:{local}") + r"(?![\w-])")
    pattern = re.compile("|".join(needles))
    for number, line in enumerate(turtle.splitlines(), start=1):
        if not _PREFIX.match(line) and pattern.search(line):
            return number
    return None


def text_line(turtle: str, value: str) -> int | None:
    """The line where a literal with this value starts (matched on its first words)."""
    head = value.split("\n", 1)[0][:40]
    for number, line in enumerate(turtle.splitlines(), start=1):
        if head and head in line:
            return number
    return None


def blank_node_line(turtle: str) -> int | None:
    """The line of the first blank node in Turtle source: ``[``, ``(`` or ``_:`` outside IRIs, strings, comments.

    >>> blank_node_line('<a> <b> "[x]" ;\\n  <c> [ <d> 1 ] .')
    2
    """
    line, i, size = 1, 0, len(turtle)
    while i < size:
        char = turtle[i]
        if char == "#":
            end = turtle.find("\n", i)
            i = size if end < 0 else end
            continue
        if char == "<":
            end = turtle.find(">", i)
            i = size if end < 0 else end + 1
            continue
        if char in "\"'":
            end = _string_end(turtle, i)
            line += turtle.count("\n", i, end)
            i = end
            continue
        if char in "[(" or turtle.startswith("_:", i):
            return line
        if char == "\n":
            line += 1
        i += 1
    return None


def _string_end(turtle: str, start: int) -> int:
    """The index after the string literal opening at ``start`` (short or long form)."""
    quote = turtle[start]
    delimiter = quote * 3 if turtle.startswith(quote * 3, start) else quote
    i = start + len(delimiter)
    while i < len(turtle):
        if turtle[i] == "\\":
            i += 2
            continue
        if turtle.startswith(delimiter, i):
            return i + len(delimiter)
        i += 1
    return len(turtle)


# --- the source and its document --------------------------------------------------------------


def source_info(path: Path, document: Path, document_text: str) -> tuple[SourceInfo, str]:
    """The document's source description, and its title (ORIGIN.toml, else its first line)."""
    origin_path = path.parent / "ORIGIN.toml"
    origin = read_origin(path.parent)
    for key in ("retrieved", "license"):
        if not origin.get(key):
            raise LoadError(origin_path, None, key, "missing", "describe the seed documents in ORIGIN.toml")
    try:
        date_literal(origin["retrieved"])
    except ValueError as exc:
        raise LoadError(origin_path, None, "retrieved", str(exc), "write the date as YYYY-MM-DD") from exc
    described = _documents(origin_path).get(document.name, {})
    first_line = next((line.strip() for line in document_text.splitlines() if line.strip()), document.name)
    title = str(described.get("title") or first_line)
    info = SourceInfo(
        kind=KIND,
        name=document.name,
        title=title,
        origin=document.name,
        retrieved=origin["retrieved"],
        license=origin["license"],
        description=str(described.get("description") or origin.get("description", "")),
        cited=(iris.document(document.name).value,),
    )
    return info, title


def _documents(origin_path: Path) -> dict[str, dict[str, object]]:
    if not origin_path.is_file():
        return {}
    data = tomllib.loads(origin_path.read_text(encoding="utf-8"))  # read_origin has validated the syntax
    documents = data.get("documents", {})
    return {str(k): v for k, v in documents.items() if isinstance(v, dict)}


def document_triples(name: str, title: str) -> Iterator[ox.Triple]:
    node = iris.document(name)
    yield ox.Triple(node, RDF.type, KG.SeedDocument)
    yield ox.Triple(node, DCTERMS.title, text(title, "en"))
