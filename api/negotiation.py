"""Result formats: one place that maps names and media types to pyoxigraph serialisers, and
content negotiation by RFC 9110's precedence (``python-mimeparse`` reads ``Accept``).

>>> negotiate("application/sparql-results+json, */*;q=0.1", SOLUTION_TYPES).media_type
'application/sparql-results+json'
>>> negotiate("text/turtle;q=0.5, application/n-triples", GRAPH_TYPES).media_type
'application/n-triples'
>>> negotiate("image/png", GRAPH_TYPES) is None
True
>>> negotiate("text/turtle;q=0, */*", GRAPH_TYPES).media_type  # the explicit q=0 beats the wildcard
'application/n-triples'
>>> negotiated("image/png", GRAPH_TYPES[:1], "a graph")
Traceback (most recent call last):
...
api.errors.NotAcceptable: no acceptable format: a graph is served as text/turtle; ask for one of them in Accept
"""

from __future__ import annotations

from dataclasses import dataclass

import mimeparse
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


def _ranges(accept: str) -> list[tuple[str, str, dict[str, str]]]:
    """The media ranges of an ``Accept`` header, parsed by ``mimeparse``; a malformed range is
    skipped (RFC 9110 lets a server ignore what it cannot read), and types are compared lowercase."""
    ranges = []
    for part in accept.lower().split(","):
        if not part.strip():
            continue
        try:
            ranges.append(mimeparse.parse_media_range(part))
        except ValueError:  # MimeTypeParseException: "text", "a/b/c"
            continue
    return ranges


def negotiate(accept: str | None, offers: list[Format]) -> Format | None:
    """The best offer for an ``Accept`` header (the first offer when absent); None if none fits.

    Each offer takes the quality of the most specific range that matches it (RFC 9110 12.5.1), so
    an explicit ``q=0`` excludes it whatever the wildcards say; among offers of equal quality, the
    one named most specifically wins, then the earlier offer (the server's preference).
    """
    ranges = _ranges(accept or "")
    if not ranges:
        return offers[0]
    best: tuple[float, float, int] | None = None
    chosen = None
    for index, offer in enumerate(offers):
        q, fitness = mimeparse.quality_and_fitness_parsed(offer.media_type, ranges)
        key = (float(q), float(fitness), -index)
        if q > 0 and (best is None or key > best):
            best, chosen = key, offer
    return chosen


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
