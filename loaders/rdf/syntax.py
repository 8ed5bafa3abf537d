"""Which RDF syntax a file is written in, told by its name, and the W3C IRI that names that syntax.

A file is taken as RDF, without ``--kind``, by the extensions that name one syntax only; with
``--kind rdf`` also ``.json`` (JSON-LD) and ``.xml`` (RDF/XML), which other loaders claim first. A
``.gz`` after the extension is a gzip archive of the file.

>>> syntax_of(Path("semopenalex-data-sample.trig")).name
'TriG'
>>> syntax_of(Path("dump.nt.gz")).name, syntax_of(Path("works.json")), syntax_of(Path("works.json"), forced=True).name
('N-Triples', None, 'JSON-LD')
>>> format_iri(ox.RdfFormat.RDF_XML).value
'http://www.w3.org/ns/formats/RDF_XML'
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

GZIP = ".gz"
# The extensions that name one RDF syntax, and no other loader's input.
DETECTED = {
    "ttl": ox.RdfFormat.TURTLE,
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
# Read as RDF only when the user says so (``--kind rdf``): OpenAlex, ROR and HAL files share them.
FORCED = {**DETECTED, "json": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML}
# "Unique URIs for File Formats" (https://www.w3.org/ns/formats/), the values of dcterms:format.
_FORMAT_NAMES = {
    ox.RdfFormat.TURTLE: "Turtle",
    ox.RdfFormat.N_TRIPLES: "N-Triples",
    ox.RdfFormat.N_QUADS: "N-Quads",
    ox.RdfFormat.TRIG: "TriG",
    ox.RdfFormat.RDF_XML: "RDF_XML",
    ox.RdfFormat.JSON_LD: "JSON-LD",
}
EXTENSIONS = ", ".join(f".{extension}" for extension in FORCED)


def syntax_of(path: Path, *, forced: bool = False) -> ox.RdfFormat | None:
    """The syntax the name of ``path`` says (``forced``: the user said the file is RDF), or None."""
    name = path.name.lower().removesuffix(GZIP)
    if "." not in name:
        return None
    extension = name.rsplit(".", 1)[1]
    return (FORCED if forced else DETECTED).get(extension)


def format_iri(syntax: ox.RdfFormat) -> ox.NamedNode:
    return ox.NamedNode("http://www.w3.org/ns/formats/" + _FORMAT_NAMES[syntax])
