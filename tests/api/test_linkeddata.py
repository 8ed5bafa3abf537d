"""``/id/{path}`` over HTTP, on a copy of the bundled store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from starlette.testclient import TestClient

from api import linkeddata
from api.app import create_app
from graph import OxigraphStore
from ontology import ONTOLOGY_PATH
from tests.conftest import copy_store

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CNRS = ox.NamedNode("https://w3id.org/cnrs-kg/id/org/ror/02feahw73")
KG_ROR_ID = ox.NamedNode("https://w3id.org/cnrs-kg/ontology#rorId")
SAME_AS = ox.NamedNode("https://schema.org/sameAs")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
ROR_GRAPH_TITLE = "Research Organization Registry records: ror_02feahw73_cnrs_v2.9.json"


def _client(bundled_store_path: Path, tmp_path: Path, base: str | None = None) -> TestClient:
    app = create_app(copy_store(bundled_store_path, tmp_path / "store"))  # serves /id/ under the project's own base
    if base is not None:  # a server under another base, on another prefix
        app.router.routes.extend(linkeddata.routes(base, prefix="/x"))
    return TestClient(app)


@pytest.fixture
def client(bundled_store_path: Path, tmp_path: Path) -> Iterator[TestClient]:
    with _client(bundled_store_path, tmp_path) as test_client:
        yield test_client


def _triples(content: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {quad.triple for quad in ox.parse(content, format=fmt)}


def _sources(html: str) -> str:
    return html.split('<section id="sources">', 1)[1]


def test_html_for_browsers(client: TestClient) -> None:
    response = client.get("/id/org/ror/02feahw73", headers={"accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Accept" in [name.strip() for name in response.headers["vary"].split(",")]
    html = response.text
    assert "Centre National de la Recherche Scientifique" in html
    assert "<script" not in html
    assert ROR_GRAPH_TITLE in _sources(html)
    assert "https://creativecommons.org/publicdomain/zero/1.0/" in _sources(html)
    # A supervised laboratory under the base links to its own page on this server.
    assert 'href="/id/org/ror/' in html


def test_html_links_the_projects_other_iris_here(client: TestClient) -> None:
    html = client.get("/id/org/ror/02feahw73", headers={"accept": BROWSER}).text
    assert 'href="/ontology#ResearchOrganisation"' in html  # a type: the ontology's anchor for it
    assert 'href="/ontology#rorId"' in html  # a property
    assert 'href="/graph/ror/ror_02feahw73_cnrs_v2.9.json"' in _sources(html)  # a source graph's page
    assert 'href="/.well-known/void"' in html
    assert 'href="https://w3id.org/cnrs-kg/' not in html


def test_turtle_by_default(client: TestClient) -> None:
    response = client.get("/id/org/ror/02feahw73")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    triples = _triples(response.content, ox.RdfFormat.TURTLE)
    assert ox.Triple(CNRS, KG_ROR_ID, ox.Literal("02feahw73")) in triples
    assert ox.Triple(CNRS, SAME_AS, ox.NamedNode("https://ror.org/02feahw73")) in triples
    # Outgoing statements, plus the labels of the nodes they link to.
    assert {t.subject for t in triples if t.predicate != LABEL} == {CNRS}
    assert any(t.predicate == LABEL and t.subject != CNRS for t in triples)


def test_curl_star_gets_turtle(client: TestClient) -> None:
    response = client.get("/id/country/VN", headers={"accept": "*/*"})
    assert response.headers["content-type"].startswith("text/turtle")
    region = ox.Triple(
        ox.NamedNode("https://w3id.org/cnrs-kg/id/country/VN"),
        ox.NamedNode("https://w3id.org/cnrs-kg/ontology#region"),
        ox.NamedNode("https://w3id.org/cnrs-kg/id/area/m49/142"),
    )
    assert region in _triples(response.content, ox.RdfFormat.TURTLE)


def test_json_ld_is_compacted_against_the_ontology_prefixes(client: TestClient) -> None:
    response = client.get("/id/org/ror/02feahw73", headers={"accept": "application/ld+json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    document = response.json()
    declared = rdflib.Graph(bind_namespaces="none").parse(ONTOLOGY_PATH, format="turtle")
    assert {name: str(ns) for name, ns in declared.namespaces()}.items() <= document["@context"].items()
    cnrs = document["@graph"][0]  # the page's entity first, then the labels of what it links to
    assert cnrs["@id"] == CNRS.value
    assert cnrs["kg:rorId"] == "02feahw73"
    assert {"@id": "https://ror.org/02feahw73"} in _as_list(cnrs["schema:sameAs"])
    assert "org:Organization" in _as_list(cnrs["@type"])
    # The same statements as the Turtle page.
    turtle = client.get("/id/org/ror/02feahw73", headers={"accept": "text/turtle"})
    as_jsonld = _triples(response.content, ox.RdfFormat.JSON_LD)
    assert as_jsonld == _triples(turtle.content, ox.RdfFormat.TURTLE)
    assert len(as_jsonld) > 100
    # The same bytes for the same request.
    assert client.get("/id/org/ror/02feahw73", params={"format": "jsonld"}).content == response.content


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def test_other_graph_types_and_format_parameter(client: TestClient) -> None:
    ntriples = client.get("/id/country/VN", headers={"accept": "application/n-triples"})
    assert ntriples.headers["content-type"].startswith("application/n-triples")
    by_name = client.get("/id/country/VN", params={"format": "ntriples"}, headers={"accept": BROWSER})
    parsed = [_triples(r.content, ox.RdfFormat.N_TRIPLES) for r in (ntriples, by_name)]
    assert parsed[0] == parsed[1]
    assert len(parsed[0]) > 5
    assert client.get("/id/country/VN", params={"format": "png"}).status_code == 400


def test_instrument_lists_its_source_pages(client: TestClient) -> None:
    html = client.get("/id/instrument/irl-ipal", headers={"accept": "text/html"}).text
    assert 'href="https://cnrssingapore.cnrs.fr/partnerships-in-singapore/"' in html
    assert 'href="http://www.ambafrance-sg.org/Franco-Singaporean-laboratories"' in html
    assert "IPAL (Image and Pervasive Access Lab)" in html
    assert "CNRS structures and agreements in ASEAN" in _sources(html)


def test_country_links_its_region(client: TestClient) -> None:
    html = client.get("/id/country/VN", headers={"accept": "text/html"}).text
    assert "<h1>Viet Nam</h1>" in html
    assert 'href="/id/area/m49/142"' in html
    assert 'href="/id/area/m49/035"' in html
    # Incoming links: instruments and organisations located in Viet Nam.
    incoming = html.split('<section id="incoming">', 1)[1].split("</section>", 1)[0]
    assert 'href="/id/' in incoming


def test_head(client: TestClient) -> None:
    response = client.head("/id/country/VN", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.content == b""


def test_unknown_entity_is_404(client: TestClient) -> None:
    response = client.get("/id/org/ror/0000000xx", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.text.count("\n") == 1
    assert response.headers["content-type"].startswith("text/plain")


def test_unacceptable_accept_is_406(client: TestClient) -> None:
    assert client.get("/id/country/VN", headers={"accept": "image/png"}).status_code == 406


@pytest.mark.parametrize(
    "path",
    [
        "/id/x%3E%20%7D%20UNION%20%7B%20?s%20?p%20?o%20%7D%20%23",
        "/id/country/VN%3E%20%3Chttp://x/%3E",
        "/id/x%ZZ",
        "/id/%00",
        "/id/",
    ],
)
def test_injection_attempts_are_refused(client: TestClient, path: str) -> None:
    for accept in ("text/html", "text/turtle"):
        response = client.get(path, headers={"accept": accept})
        assert response.status_code in (400, 404), response.text
        assert "Viet Nam" not in response.text


def test_another_base(bundled_store_path: Path, tmp_path: Path) -> None:
    with _client(bundled_store_path, tmp_path, base="https://w3id.org/cnrs-kg/id/country/") as client:
        html = client.get("/x/VN", headers={"accept": "text/html"}).text
    assert "<h1>Viet Nam</h1>" in html
    assert 'href="/x/TH"' not in html  # only IRIs under the base link locally...
    assert 'href="https://w3id.org/cnrs-kg/id/area/m49/142"' in html  # ...others link out


# --- paging: pages stay small however much the store says about an entity ---------------------------


def _section(html: str, name: str) -> str:
    return html.split(f'<section id="{name}">', 1)[1].split("</section>", 1)[0]


def _rows(section: str) -> list[str]:
    return re.findall(r"<tr><td>.*?</tr>", section)


def _next(section: str) -> str | None:
    found = re.search(r'<a rel="next" href="([^"]+)"', section)
    return unescape(found.group(1)) if found else None


def _distinct(store: OxigraphStore, query: str) -> int:
    result = store.query(query, substitutions={"entity": CNRS})
    assert isinstance(result, ox.QuerySolutions)
    return len(list(result))


def test_the_cnrs_page_shows_the_first_100_of_each_with_their_counts(
    client: TestClient, bundled: OxigraphStore
) -> None:
    statements = _distinct(bundled, "SELECT DISTINCT ?entity ?p ?o WHERE { ?entity ?p ?o }")
    incoming = _distinct(bundled, "SELECT DISTINCT ?entity ?s ?p WHERE { ?s ?p ?entity }")
    assert min(statements, incoming) > 1000  # the CNRS: its laboratories, both ways
    response = client.get("/id/org/ror/02feahw73", headers={"accept": "text/html"})
    html = response.text
    assert len(html) < 150_000  # it was 822 KB with every statement and 200 links
    out, into = _section(html, "statements"), _section(html, "incoming")
    assert len(_rows(out)) == len(_rows(into)) == linkeddata.PAGE
    assert f"Statements 1&ndash;100 of {statements:,}." in out
    assert f"Incoming links 1&ndash;100 of {incoming:,}." in into
    # Its own facts come before its long lists: identifiers on the first page.
    assert "kg:rorId" in out
    # Properties come by their number of values: the longest, the labs it supervises, is not on it.
    assert "kg:supervises" not in out
    assert response.headers["link"] == '</id/org/ror/02feahw73?statements=100>; rel="next"'


def test_html_next_links_give_the_following_pages(client: TestClient) -> None:
    first = client.get("/id/org/ror/02feahw73", headers={"accept": "text/html"}).text
    link = _next(_section(first, "statements"))
    assert link == "/id/org/ror/02feahw73?statements=100"
    second = client.get(link, headers={"accept": "text/html"}).text
    assert "Statements 101&ndash;200 of" in second
    assert not set(_rows(_section(first, "statements"))) & set(_rows(_section(second, "statements")))
    assert 'rel="prev" href="/id/org/ror/02feahw73"' in _section(second, "statements")
    incoming_link = _next(_section(first, "incoming"))
    assert incoming_link == "/id/org/ror/02feahw73?incoming=100"
    later = client.get(incoming_link, headers={"accept": "text/html"}).text
    assert "Incoming links 101&ndash;200 of" in later
    assert not set(_rows(_section(first, "incoming"))) & set(_rows(_section(later, "incoming")))


def test_the_last_page_has_no_next_link(client: TestClient, bundled: OxigraphStore) -> None:
    incoming = _distinct(bundled, "SELECT DISTINCT ?entity ?s ?p WHERE { ?s ?p ?entity }")
    last = incoming - incoming % linkeddata.PAGE
    html = client.get("/id/org/ror/02feahw73", params={"incoming": last}, headers={"accept": "text/html"}).text
    section = _section(html, "incoming")
    assert len(_rows(section)) == incoming - last
    assert _next(section) is None
    assert 'rel="prev"' in section


def test_rdf_pages_hold_every_statement_once(client: TestClient, bundled: OxigraphStore) -> None:
    """Following ``Link: rel="next"`` from the first Turtle page gives each statement of the entity
    exactly once, at most 100 a page."""
    expected = {quad.triple for quad in bundled.match(CNRS)}
    seen: list[ox.Triple] = []
    url: str | None = "/id/org/ror/02feahw73"
    pages = 0
    while url is not None:
        response = client.get(url, headers={"accept": "text/turtle"})
        assert response.status_code == 200
        own = [t for t in _triples(response.content, ox.RdfFormat.TURTLE) if t.subject == CNRS]
        assert 0 < len(own) <= linkeddata.PAGE
        seen += own
        pages += 1
        url = response.links.get("next", {}).get("url")
    assert len(seen) == len(set(seen))
    assert set(seen) == expected
    assert pages == -(-len(expected) // linkeddata.PAGE)


def test_a_bad_offset_is_a_400_naming_it(client: TestClient) -> None:
    for name, value in [("statements", "-1"), ("statements", "ten"), ("incoming", "99999999"), ("incoming", "1e3")]:
        response = client.get("/id/country/VN", params={name: value}, headers={"accept": "text/html"})
        assert response.status_code == 400
        assert response.text.startswith(f"{name}: ")
        assert response.text.count("\n") == 1


def test_over_the_time_budget_is_a_503(bundled_store_path: Path, tmp_path: Path) -> None:
    app = create_app(copy_store(bundled_store_path, tmp_path / "store"), workers=1, budget=0.001)
    with TestClient(app) as client:
        for accept in ("text/html", "text/turtle"):
            response = client.get("/id/org/ror/02feahw73", headers={"accept": accept})
            assert response.status_code == 503
            assert response.text.count("\n") == 1
            assert "time budget" in response.text
