"""How each graph of an RDF file is named and describes itself, like every other source.

A file's default graph (all of a Turtle, N-Triples or RDF/XML file) is the source's graph,
``.../graph/rdf/<file name>``; each named graph of a TriG, N-Quads or JSON-LD file is under it,
``.../graph/rdf/<file name>/<its name, percent-encoded>``, so that no file can write another
source's graph, nor two files the same one.

Each graph gives ``ontology.provenance.describe_source``'s description (title, origin, licence,
retrieval date) and says what it was read from: ``prov:wasDerivedFrom`` the graph's name in the
file, and ``dcterms:source`` the file itself, named by its content (RFC 6920, ``ni:///sha-256;...``)
with its name, syntax (``dcterms:format``, a W3C format IRI) and SPDX checksum, as DCAT 3 gives a
distribution's. Nothing in it changes from one load of the same file to the next.

>>> graph_iri("data.trig", ox.NamedNode("https://semopenalex.org/property/context")).value
'https://w3id.org/cnrs-kg/graph/rdf/data.trig/https%3A%2F%2Fsemopenalex.org%2Fproperty%2Fcontext'
>>> graph_iri("data.ttl", ox.DefaultGraph()).value
'https://w3id.org/cnrs-kg/graph/rdf/data.ttl'
>>> file_iri(bytes(32)).value
'ni:///sha-256;AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox

from loaders.rdf.reading import GraphName
from loaders.rdf.syntax import format_iri
from ontology import DCTERMS, PROV, RDF, Vocabulary, iris
from ontology.provenance import SourceInfo

KIND = "rdf"
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
SPDX = Vocabulary(
    "spdx",
    "http://spdx.org/rdf/terms#",
    ["Checksum", "checksum", "algorithm", "checksumValue", "checksumAlgorithm_sha256"],
)


@dataclass(frozen=True)
class GraphInfo(SourceInfo):
    """One graph of an RDF file, described as a source is, under its own IRI (``graph_iri``)."""

    iri: str = ""

    @property
    def graph(self) -> ox.NamedNode:
        return ox.NamedNode(self.iri)


@dataclass(frozen=True)
class RdfFile:
    """The file a source's graphs were read from: its name, syntax and SHA-256 digest."""

    name: str
    syntax: ox.RdfFormat
    sha256: bytes

    @property
    def iri(self) -> ox.NamedNode:
        return file_iri(self.sha256)


def graph_iri(source: str, original: GraphName) -> ox.NamedNode:
    """Where a graph of the file ``source`` is kept (``iris.InvalidIdentifier`` for a bad file name)."""
    base = iris.source_graph(KIND, source)
    if isinstance(original, ox.DefaultGraph):
        return base
    name = original.value if isinstance(original, ox.NamedNode) else f"_:{original.value}"
    try:
        return ox.NamedNode(f"{base.value}/{_escaped(name)}")
    except ValueError:  # a non-ASCII character an IRI may not hold as it is
        return ox.NamedNode(f"{base.value}/{quote(name, safe='')}")


def _escaped(name: str) -> str:
    """``name`` as one path segment, in the normal form of RFC 3987 (3.2) that the server's routes
    read (``api.paths.normalise``): unreserved and printable non-ASCII characters as they are, any
    other percent-encoded in upper-case hexadecimal.

    >>> _escaped("https://example.org/graphs/université?v=1#a")
    'https%3A%2F%2Fexample.org%2Fgraphs%2Funiversité%3Fv%3D1%23a'
    """
    return "".join(c if c in _UNRESERVED or (ord(c) > 127 and c.isprintable()) else quote(c, safe="") for c in name)


def file_iri(sha256: bytes) -> ox.NamedNode:
    """The file named by its content: a Named Information IRI (RFC 6920)."""
    return ox.NamedNode("ni:///sha-256;" + base64.urlsafe_b64encode(sha256).decode("ascii").rstrip("="))


def original_name(original: GraphName) -> str:
    """The graph as the file names it, for titles."""
    if isinstance(original, ox.DefaultGraph):
        return "the default graph"
    return f"<{original.value}>" if isinstance(original, ox.NamedNode) else f"_:{original.value}"


def description(info: GraphInfo, source: RdfFile, original: GraphName) -> Iterator[ox.Triple]:
    """What the graph says of its origin, beyond ``describe_source``: the file and the graph's name in it."""
    graph, file = info.graph, source.iri
    if isinstance(original, ox.NamedNode):
        yield ox.Triple(graph, PROV.wasDerivedFrom, original)
    yield ox.Triple(graph, DCTERMS.source, file)
    yield ox.Triple(file, RDF.type, PROV.Entity)
    yield ox.Triple(file, DCTERMS.title, ox.Literal(source.name))
    yield ox.Triple(file, DCTERMS.format, format_iri(source.syntax))
    checksum = ox.NamedNode(f"{file.value}#checksum")
    yield ox.Triple(file, SPDX.checksum, checksum)
    yield ox.Triple(checksum, RDF.type, SPDX.Checksum)
    yield ox.Triple(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
    yield ox.Triple(checksum, SPDX.checksumValue, ox.Literal(source.sha256.hex()))
