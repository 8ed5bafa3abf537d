"""RDF answers: JSON-LD compacted against a ``@context`` of the ontology's prefixes, every other
format written by pyoxigraph with the same prefixes.

pyoxigraph writes JSON-LD expanded (full IRIs, every value an array, no ``@context``), which is
valid but reads as noise; rdflib's serializer compacts it against a context. The context holds the
vocabularies' prefixes (``ontology.vocab.PREFIXES``, the prefixes ``ontology/cnrs-kg.ttl``
declares), not the data's (``id:``, ``graph:``...): an entity keeps its full IRI, which is also
where it resolves. Integers, booleans and doubles become JSON's own numbers and booleans, as
JSON-LD's "native types" (their value kept; a spelling other than the canonical one, "01", is not).

rdflib's output follows its graph's hashing, different in each process; arrays are sorted here, so
the same statements give the same bytes (a client's cache, an ``ETag``).

>>> from ontology.vocab import RDF, SCHEMA
>>> text = compact([ox.Triple(ox.NamedNode("https://w3id.org/cnrs-kg/id/country/VN"), RDF.type, SCHEMA.Country)])
>>> document = json.loads(text)
>>> document["@type"], document["@context"]["schema"]
('schema:Country', 'https://schema.org/')
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import pyoxigraph as ox
import rdflib

from api.negotiation import Format
from ontology.iris import GRAPH, ID
from ontology.vocab import PREFIXES

__all__ = ["CONTEXT", "compact", "graph_body", "vocabularies"]


def vocabularies(prefixes: Mapping[str, str]) -> dict[str, str]:
    """The prefixes of vocabularies among ``prefixes``: not those of the data (``id:``, ``graph:``...)."""
    return {name: ns for name, ns in prefixes.items() if not ns.startswith((ID, GRAPH))}


CONTEXT = vocabularies(PREFIXES)

RdfTerm = rdflib.URIRef | rdflib.BNode | rdflib.Literal


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> RdfTerm:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        # normalize=False: the lexical form as stored ("01" stays "01"), not rdflib's canonical one.
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value), normalize=False)
    raise ValueError(f"JSON-LD 1.1 cannot hold the quoted triple {term}")


def _sorted(value: object, first: str | None) -> object:
    """``value`` with every array sorted (``@list`` arrays kept in order), ``first``'s node first."""
    if isinstance(value, dict):
        return {key: item if key == "@list" else _sorted(item, first) for key, item in value.items()}
    if isinstance(value, list):
        items = [_sorted(item, first) for item in value]
        return sorted(
            items,
            key=lambda item: (
                not (isinstance(item, dict) and item.get("@id") == first),
                json.dumps(item, sort_keys=True, ensure_ascii=False),
            ),
        )
    return value


def compact(
    triples: Iterable[ox.Triple], context: Mapping[str, str] = CONTEXT, *, first: ox.NamedNode | None = None
) -> bytes:
    """``triples`` as compacted JSON-LD with ``context`` inline; ``first``: the node to put first in
    ``@graph`` (the page's subject)."""
    graph = rdflib.Graph(bind_namespaces="none")
    for triple in triples:
        graph.add((_term(triple.subject), _term(triple.predicate), _term(triple.object)))
    text = graph.serialize(format="json-ld", context=dict(context), auto_compact=True)
    document = _sorted(json.loads(text), None if first is None else first.value)
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def graph_body(
    triples: Iterable[ox.Triple],
    fmt: Format,
    prefixes: Mapping[str, str] = CONTEXT,
    *,
    first: ox.NamedNode | None = None,
) -> bytes:
    """``triples`` in ``fmt`` (one of ``api.negotiation.GRAPH_TYPES``): the other formats by pyoxigraph
    with ``prefixes``, JSON-LD compacted against those of them that name vocabularies."""
    if fmt.rdf == ox.RdfFormat.JSON_LD:
        return compact(triples, vocabularies(prefixes), first=first)
    assert fmt.rdf is not None
    out = ox.serialize(triples, format=fmt.rdf, prefixes=dict(prefixes))
    assert out is not None
    return out
