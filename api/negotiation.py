"""Result formats: one place that maps names and media types to pyoxigraph serialisers.

>>> negotiate("application/sparql-results+json, */*;q=0.1", SOLUTION_TYPES).media_type
'application/sparql-results+json'
>>> negotiate("text/turtle;q=0.5, application/n-triples", GRAPH_TYPES).media_type
'application/n-triples'
>>> negotiate("image/png", GRAPH_TYPES) is None
True
>>> negotiated("image/png", GRAPH_TYPES[:1], "a graph")
Traceback (most recent call last):
...
api.errors.NotAcceptable: no acceptable format: a graph is served as text/turtle; ask for one of them in Accept
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from api.errors import NotAcceptable


@dataclass(frozen=True)
class Format:
    media_type: str
    name: str
    results: ox.QueryResultsFormat | None = None
    rdf: ox.RdfFormat | None = None


SOLUTION_TYPES = [
    Format("application/sparql-results+json", "json", results=ox.QueryResultsFormat.JSON),
    Format("application/sparql-results+xml", "xml", results=ox.QueryResultsFormat.XML),
    Format("text/csv", "csv", results=ox.QueryResultsFormat.CSV),
    Format("text/tab-separated-values", "tsv", results=ox.QueryResultsFormat.TSV),
    Format("application/json", "json", results=ox.QueryResultsFormat.JSON),
]
GRAPH_TYPES = [
    Format("text/turtle", "turtle", rdf=ox.RdfFormat.TURTLE),
    Format("application/n-triples", "ntriples", rdf=ox.RdfFormat.N_TRIPLES),
    Format("application/ld+json", "jsonld", rdf=ox.RdfFormat.JSON_LD),
    Format("application/rdf+xml", "rdfxml", rdf=ox.RdfFormat.RDF_XML),
    Format("application/n-quads", "nquads", rdf=ox.RdfFormat.N_QUADS),
    Format("application/trig", "trig", rdf=ox.RdfFormat.TRIG),
]


def _parse_accept(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        q = 1.0
        for param in pieces[1:]:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        ranges.append((pieces[0].lower(), q))
    return ranges


def negotiate(accept: str | None, offers: list[Format]) -> Format | None:
    """The best offer for an ``Accept`` header (the first offer when absent); None if none fits."""
    if not accept:
        return offers[0]
    best: tuple[float, int, Format] | None = None
    for media_range, q in _parse_accept(accept):
        if q <= 0:
            continue
        for index, offer in enumerate(offers):
            major = offer.media_type.split("/")[0]
            if media_range in (offer.media_type, "*/*", f"{major}/*"):
                specificity = 2 if media_range == offer.media_type else 0
                key = (q + specificity * 1e-3, -index, offer)
                if best is None or key[:2] > best[:2]:
                    best = key
    return None if best is None else best[2]


def negotiated(accept: str | None, offers: list[Format], what: str = "this resource") -> Format:
    """The best offer for ``accept``; ``NotAcceptable`` naming the offers (and ``what`` they serve) if none fits."""
    fmt = negotiate(accept, offers)
    if fmt is None:
        raise NotAcceptable([offer.media_type for offer in offers], what)
    return fmt


def by_name(name: str, offers: list[Format]) -> Format | None:
    return next((f for f in offers if f.name == name), None)


def serialize(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, fmt: Format) -> bytes:
    if isinstance(result, ox.QueryTriples):
        assert fmt.rdf is not None
        out = result.serialize(format=fmt.rdf)
    else:
        assert fmt.results is not None
        out = result.serialize(format=fmt.results)
    assert out is not None
    return out
