"""Content negotiation by RFC 9110's precedence (section 12.5.1): the most specific matching range
gives an offer its quality, ``q=0`` excludes, and the server's order breaks ties."""

from __future__ import annotations

import pytest

from api.errors import NotAcceptable
from api.graphql.http import GRAPHQL_RESPONSE, JSON, response_format
from api.linkeddata import OFFERS
from api.negotiation import GRAPH_TYPES, SOLUTION_TYPES, Format, negotiate, negotiated

# RFC 9110's own example of precedence, and the qualities it gives.
RFC_ACCEPT = "text/*;q=0.3, text/plain;q=0.7, text/plain;format=flowed, text/plain;format=fixed;q=0.4, */*;q=0.5"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _format(media_type: str) -> Format:
    return Format(media_type, media_type.split("/")[1])


@pytest.mark.parametrize(
    ("offers", "chosen"),
    [
        (["text/plain", "text/html", "image/jpeg"], "text/plain"),  # 0.7 > 0.5 > 0.3
        (["text/html", "image/jpeg"], "image/jpeg"),  # */* 0.5 beats text/* 0.3
        (["text/html"], "text/html"),  # text/* 0.3: low, still acceptable
    ],
)
def test_the_rfc_example(offers: list[str], chosen: str) -> None:
    fmt = negotiate(RFC_ACCEPT, [_format(t) for t in offers])
    assert fmt is not None
    assert fmt.media_type == chosen


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("text/turtle;q=0, */*", "application/n-triples"),  # the explicit q=0 wins over the wildcard
        ("*/*;q=0.1, text/*;q=0", "application/n-triples"),  # text/* excludes Turtle, */* keeps the others
        ("*/*, application/ld+json", "application/ld+json"),  # equal q: the one named beats the wildcard
        ("application/*;q=0.9, application/rdf+xml;q=0.2", "application/n-triples"),
        ("TEXT/Turtle;Q=0.5, application/trig;q=0.4", "text/turtle"),  # types and q are case-insensitive
        ("not a type, application/n-quads", "application/n-quads"),  # a malformed range is skipped
        ("", "text/turtle"),  # no preference: the server's first offer
        (None, "text/turtle"),
    ],
)
def test_precedence_among_graph_formats(accept: str | None, chosen: str) -> None:
    fmt = negotiate(accept, GRAPH_TYPES)
    assert fmt is not None
    assert fmt.media_type == chosen


def test_q0_everywhere_is_not_acceptable_and_the_406_names_the_offers() -> None:
    assert negotiate("*/*;q=0", GRAPH_TYPES) is None
    assert negotiate("application/sparql-results+json;q=0, text/csv;q=0", SOLUTION_TYPES[:3]) is None
    with pytest.raises(NotAcceptable) as refused:
        negotiated("text/turtle;q=0", GRAPH_TYPES[:2], "a graph")
    assert str(refused.value) == (
        "no acceptable format: a graph is served as text/turtle, application/n-triples; ask for one of them in Accept"
    )


def test_browsers_get_html_and_crawlers_rdf_from_entity_pages() -> None:
    assert negotiate(BROWSER, OFFERS) == OFFERS[-1]
    assert negotiate("*/*", OFFERS) == OFFERS[0]
    assert negotiate("text/html;q=0, */*", OFFERS) == OFFERS[0]


def test_graphql_prefers_its_own_type_only_when_named() -> None:
    assert response_format("application/graphql-response+json, application/json") is GRAPHQL_RESPONSE
    assert response_format("*/*") is JSON
    assert response_format("application/graphql-response+json;q=0, */*") is JSON
