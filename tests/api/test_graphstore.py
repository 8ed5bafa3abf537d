"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/store``, after the W3C protocol tests."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.auth import WritePolicy
from api.graphstore import MAX_BODY
from graph import OxigraphStore
from tests.api.test_writes import store_copy

BASE = "http://www.example"
PERSON = "http://www.example/gsp/person/1.ttl"
TURTLE = {"content-type": "text/turtle; charset=utf-8"}
JOHN = """
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix v: <http://www.w3.org/2006/vcard/ns#> .
<http://www.example/gsp/person/1> a foaf:Person; foaf:businessCard [ a v:VCard; v:fn "John Doe" ] .
"""
JANE = JOHN.replace("John", "Jane")
ALICE = """
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix v: <http://www.w3.org/2006/vcard/ns#> .
[] a foaf:Person; foaf:businessCard [ a v:VCard; v:given-name "Alice" ] .
"""
BOUNDARY = "a6fe4cd636164618814be9f8d3d1a0de"
MULTIPART = (
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="lastName.ttl"; filename="lastName.ttl"\r\n'
    "Content-Type: text/turtle; charset=utf-8\r\n\r\n"
    "@prefix foaf: <http://xmlns.com/foaf/0.1/> .\r\n"
    '<http://www.example/gsp/person/1> foaf:familyName "Doe" .\r\n\r\n'
    f"--{BOUNDARY}\r\n"
    'Content-Disposition: form-data; name="firstName.ttl"; filename="firstName.ttl"\r\n'
    "Content-Type: text/turtle; charset=utf-8\r\n\r\n"
    "@prefix foaf: <http://xmlns.com/foaf/0.1/> .\r\n"
    '<http://www.example/gsp/person/1> foaf:givenName "Jane" .\r\n\r\n'
    f"--{BOUNDARY}--\r\n"
)
JANE_IN_FULL = JANE.replace(" a foaf:Person;", ' a foaf:Person; foaf:givenName "Jane"; foaf:familyName "Doe";')


def graph(text: str | bytes, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> ox.Dataset:
    """A graph in canonical form, so that two graphs compare by isomorphism."""
    dataset = ox.Dataset(ox.parse(text, fmt))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


class Served(Protocol):
    """What ``served`` reads of a test client's response."""

    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def content(self) -> bytes: ...
    @property
    def text(self) -> str: ...


def served(response: Served) -> ox.Dataset:
    assert response.status_code == 200, response.text
    fmt = ox.RdfFormat.from_media_type(response.headers["content-type"])
    assert fmt is not None
    return graph(response.content, fmt)


@pytest.fixture
def store_path(bundled_store_path: Path, tmp_path: Path) -> Path:
    return store_copy(bundled_store_path, tmp_path)


@pytest.fixture
def client(store_path: Path) -> Iterator[TestClient]:
    app = create_app(store_path, write_policy=WritePolicy(writable=True))
    with TestClient(app, base_url=BASE) as client:
        yield client


def test_put_creates_then_replaces(client: TestClient) -> None:
    created = client.put("/store", params={"graph": PERSON}, content=JOHN, headers=TURTLE)
    assert created.status_code == 201
    assert created.headers["location"] == PERSON
    got = client.get("/store", params={"graph": PERSON}, headers={"accept": "text/turtle"})
    assert got.headers["content-type"] == "text/turtle; charset=utf-8"
    assert served(got) == graph(JOHN)
    replaced = client.put("/store", params={"graph": PERSON}, content=JANE, headers=TURTLE)
    assert replaced.status_code == 204
    assert served(client.get("/store", params={"graph": PERSON})) == graph(JANE)


def test_put_replaces_a_graph_holding_blank_nodes(client: TestClient) -> None:
    assert client.put("/store", params={"graph": PERSON}, content=ALICE, headers=TURTLE).status_code == 201
    again = ALICE.replace("Alice", "Bob")
    assert client.put("/store", params={"graph": PERSON}, content=again, headers=TURTLE).status_code == 204
    assert served(client.get("/store", params={"graph": PERSON})) == graph(again)


def test_direct_identification_names_the_request_url(client: TestClient) -> None:
    assert client.put("/store/person/1.ttl", content=JOHN, headers=TURTLE).status_code == 201
    by_iri = client.get("/store", params={"graph": f"{BASE}/store/person/1.ttl"})
    assert served(by_iri) == graph(JOHN)
    assert served(client.get("/store/person/1.ttl")) == graph(JOHN)


def test_percent_encoding_is_decoded_once(client: TestClient) -> None:
    one, encoded = (
        "/store?graph=http://www.example/gsp/person/%31.ttl",
        "/store?graph=http://www.example/gsp/person/%2531.ttl",
    )
    assert client.put(one, content=JOHN, headers=TURTLE).status_code == 201
    assert client.put(encoded, content=JANE, headers=TURTLE).status_code == 201
    assert served(client.get("/store", params={"graph": PERSON})) == graph(JOHN)
    assert served(client.get(encoded)) == graph(JANE)


def test_get_negotiates_the_format(client: TestClient) -> None:
    client.put("/store", params={"graph": PERSON}, content=JOHN, headers=TURTLE)
    ntriples = client.get("/store", params={"graph": PERSON}, headers={"accept": "application/n-triples"})
    assert ntriples.headers["content-type"] == "application/n-triples"
    assert served(ntriples) == graph(JOHN)
    refused = client.get("/store", params={"graph": PERSON}, headers={"accept": "image/png"})
    assert refused.status_code == 406


def test_head_has_the_headers_of_get_and_no_body(client: TestClient) -> None:
    client.put("/store", params={"graph": PERSON}, content=JOHN, headers=TURTLE)
    got = client.get("/store", params={"graph": PERSON})
    head = client.head("/store", params={"graph": PERSON}, headers={"accept": "text/turtle; charset=utf-8"})
    assert head.status_code == 200
    assert head.headers["content-type"] == "text/turtle; charset=utf-8"
    assert head.headers["content-length"] == str(len(got.content))
    assert head.content == b""
    assert client.head("/store", params={"graph": f"{BASE}/gsp/person/4.ttl"}).status_code == 404


def test_an_empty_graph_exists(client: TestClient) -> None:
    assert client.put("/store/empty", content=b"", headers=TURTLE).status_code == 201
    assert client.head("/store/empty").status_code == 200
    got = client.get("/store/empty")
    assert got.status_code == 200
    assert len(served(got)) == 0


def test_missing_graph_is_404(client: TestClient) -> None:
    assert client.get("/store", params={"graph": "http://www.example/none"}).status_code == 404
    assert client.get("/store/none").status_code == 404
    assert client.delete("/store/none").status_code == 404


def test_post_merges(client: TestClient) -> None:
    assert client.post("/store", params={"graph": PERSON}, content=JANE, headers=TURTLE).status_code == 201
    assert client.post("/store", params={"graph": PERSON}, content=ALICE, headers=TURTLE).status_code == 204
    assert served(client.get("/store", params={"graph": PERSON})) == graph(JANE + ALICE)


def test_multipart_post_merges_every_file(client: TestClient) -> None:
    client.post("/store", params={"graph": PERSON}, content=JANE, headers=TURTLE)
    multipart = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    response = client.post("/store", params={"graph": PERSON}, content=MULTIPART, headers=multipart)
    assert response.status_code == 204, response.text
    assert served(client.get("/store", params={"graph": PERSON})) == graph(JANE_IN_FULL)


def test_post_to_the_store_creates_a_graph(client: TestClient) -> None:
    response = client.post("/store", content=ALICE, headers=TURTLE)
    assert response.status_code == 201
    location = response.headers["location"]
    assert location.startswith(f"{BASE}/store/")
    assert served(client.get("/store", params={"graph": location})) == graph(ALICE)
    assert served(client.get(location)) == graph(ALICE)
    assert client.post("/store", content=ALICE, headers=TURTLE).headers["location"] != location


def test_delete(client: TestClient) -> None:
    client.put("/store", params={"graph": PERSON}, content=JOHN, headers=TURTLE)
    assert client.delete("/store", params={"graph": PERSON}).status_code == 204
    assert client.get("/store", params={"graph": PERSON}).status_code == 404
    assert client.delete("/store", params={"graph": PERSON}).status_code == 404


def test_default_graph_is_the_stores_own(client: TestClient) -> None:
    assert len(served(client.get("/store?default"))) == 0  # the bundled data lives in named graphs
    assert client.put("/store?default", content=ALICE, headers=TURTLE).status_code == 204
    assert served(client.get("/store?default")) == graph(ALICE)
    assert client.post("/store?default", content=JOHN, headers=TURTLE).status_code == 204
    assert served(client.get("/store?default")) == graph(ALICE + JOHN)
    assert client.delete("/store?default").status_code == 204
    assert len(served(client.get("/store?default"))) == 0


def test_written_graphs_are_queryable(client: TestClient) -> None:
    client.put("/store", params={"graph": PERSON}, content=JOHN, headers=TURTLE)
    ask = f'ASK {{ GRAPH <{PERSON}> {{ ?card <http://www.w3.org/2006/vcard/ns#fn> "John Doe" }} }}'
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/store", {"graph": "not an iri"}),
        ("/store", {"graph": PERSON, "default": ""}),
        ("/store/person/1", {"graph": PERSON}),
        ("/store", {}),
    ],
)
def test_a_request_must_name_one_valid_graph(client: TestClient, path: str, params: dict[str, str]) -> None:
    assert client.get(path, params=params).status_code == 400
    assert client.delete(path, params=params).status_code == 400


def test_unknown_content_type_is_415(client: TestClient) -> None:
    for media_type in ("text/csv", "application/sparql-update"):
        refused = client.put("/store", params={"graph": PERSON}, content=JOHN, headers={"content-type": media_type})
        assert refused.status_code == 415
        assert "text/turtle" in refused.text
    assert client.put("/store", params={"graph": PERSON}, content=JOHN).status_code == 415
    assert client.get("/store", params={"graph": PERSON}).status_code == 404


def test_bad_body_is_400_and_leaves_the_graph_unchanged(client: TestClient) -> None:
    client.put("/store", params={"graph": PERSON}, content=JOHN, headers=TURTLE)
    for method in ("PUT", "POST"):
        bad = client.request(method, "/store", params={"graph": PERSON}, content=JANE[:-5], headers=TURTLE)
        assert bad.status_code == 400
        assert "line" in bad.text  # the parser's position
    assert served(client.get("/store", params={"graph": PERSON})) == graph(JOHN)
    multipart = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    half_bad = MULTIPART.replace('"Jane" .', '"Jane"')
    assert client.post("/store", params={"graph": PERSON}, content=half_bad, headers=multipart).status_code == 400
    assert served(client.get("/store", params={"graph": PERSON})) == graph(JOHN)


def test_a_body_naming_graphs_is_400(client: TestClient) -> None:
    nquads = "<http://a> <http://b> <http://c> <http://g> .\n"
    response = client.put("/store/q", content=nquads, headers={"content-type": "application/n-quads"})
    assert response.status_code == 400
    assert client.get("/store/q").status_code == 404


def test_other_rdf_formats_are_read(client: TestClient) -> None:
    ntriples = ox.serialize(graph(JOHN), format=ox.RdfFormat.N_TRIPLES)
    for media_type in ("application/n-triples", "application/rdf+xml", "application/ld+json"):
        fmt = ox.RdfFormat.from_media_type(media_type)
        assert fmt is not None
        body = ox.serialize(ox.parse(ntriples, ox.RdfFormat.N_TRIPLES), format=fmt)
        assert client.put("/store/formats", content=body, headers={"content-type": media_type}).status_code in (
            201,
            204,
        )
        assert served(client.get("/store/formats")) == graph(JOHN)


def test_body_over_the_limit_is_413(client: TestClient) -> None:
    body = b"#" * (MAX_BODY + 1)
    assert client.put("/store", params={"graph": PERSON}, content=body, headers=TURTLE).status_code == 413


def test_the_journal_graph_is_not_writable(client: TestClient) -> None:
    journal = "https://w3id.org/cnrs-kg/graph/_journal"
    assert client.put("/store", params={"graph": journal}, content=JOHN, headers=TURTLE).status_code == 403


def test_read_only_server_refuses_writes_and_still_reads(store_path: Path) -> None:
    with OxigraphStore(store_path, read_only=True) as store:
        source = next(iter(store.graph_sizes()))
    with TestClient(create_app(store_path), base_url=BASE) as client:
        for method in ("PUT", "POST", "DELETE"):
            refused = client.request(method, "/store", params={"graph": source}, content=JOHN, headers=TURTLE)
            assert refused.status_code == 403
            assert "read-only" in refused.text
        assert client.post("/store", content=JOHN, headers=TURTLE).status_code == 403
        assert len(served(client.get("/store", params={"graph": source}))) > 0
        assert client.head("/store", params={"graph": source}).status_code == 200


def test_writable_server_needs_its_token(store_path: Path) -> None:
    policy = WritePolicy(writable=True, token="s3cret")
    with TestClient(create_app(store_path, write_policy=policy), base_url=BASE) as client:
        missing = client.put("/store", params={"graph": PERSON}, content=JOHN, headers=TURTLE)
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = {**TURTLE, "authorization": "Bearer nope"}
        assert client.put("/store", params={"graph": PERSON}, content=JOHN, headers=wrong).status_code == 403
        assert client.get("/store", params={"graph": PERSON}).status_code == 404
        right = {**TURTLE, "authorization": "Bearer s3cret"}
        assert client.put("/store", params={"graph": PERSON}, content=JOHN, headers=right).status_code == 201
