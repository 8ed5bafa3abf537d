"""A dataset (TriG, N-Quads) at the Graph Store: POSTed to ``/store`` it adds each of its graphs
under its own name; sent to one graph, or PUT to the whole store, it gets the protocol's error.

The data is the SemOpenAlex sample (``tests/fixtures/semopenalex``), as a client would send it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.auth import WritePolicy
from api.writes import GENERATION, IDEMPOTENCY_KEY, REPLAYED
from tests.api.test_graphstore import Served
from tests.api.test_writes import store_copy
from tests.loaders.test_rdf import SAMPLE, WORK, as_stored, record

BASE = "http://www.example"
CONTEXT = "https://semopenalex.org/property/context"
TRIG = {"content-type": "application/trig"}
NQUADS = {"content-type": "application/n-quads"}
WORKS, AUTHORS = "https://example.org/works", "https://example.org/authors"
AUTHOR = ox.NamedNode("https://semopenalex.org/author/A2308609296")
BOUNDARY = "7b2e0c5d9a1f4e3c"


def triples(response: Served) -> set[ox.Triple]:
    """The graph a GET answered, as the store keeps it."""
    assert response.status_code == 200, response.text
    fmt = ox.RdfFormat.from_media_type(response.headers["content-type"])
    assert fmt is not None
    return as_stored(ox.parse(response.content, fmt))


def nquads(*quads: ox.Quad) -> bytes:
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def in_graph(graph: str, found: list[ox.Triple]) -> list[ox.Quad]:
    return [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for t in found]


@pytest.fixture
def store_path(bundled_store_path: Path, tmp_path: Path) -> Path:
    return store_copy(bundled_store_path, tmp_path)


@pytest.fixture
def client(store_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(store_path, write_policy=WritePolicy(writable=True)), base_url=BASE) as client:
        yield client


def test_a_posted_dataset_adds_each_graph_under_its_own_name(client: TestClient) -> None:
    response = client.post("/store", content=SAMPLE.read_bytes(), headers=TRIG)
    assert response.status_code == 204, response.text
    assert int(response.headers[GENERATION]) > 0
    got = triples(client.get("/store", params={"graph": CONTEXT}))
    assert len(got) == 2347
    assert got == as_stored(ox.parse(path=SAMPLE))
    ask = f'ASK {{ GRAPH <{CONTEXT}> {{ <{WORK.value}> ?p "Linked Data - The Story So Far" }} }}'
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True


def test_named_graphs_and_the_default_graph_of_a_dataset(client: TestClient) -> None:
    default = ox.Quad(WORK, ox.NamedNode("http://purl.org/dc/terms/creator"), AUTHOR)
    body = nquads(default, *in_graph(WORKS, record()), *in_graph(AUTHORS, record(AUTHOR)))
    assert client.post("/store", content=body, headers=NQUADS).status_code == 204
    assert triples(client.get("/store", params={"graph": WORKS})) == as_stored(record())
    assert triples(client.get("/store", params={"graph": AUTHORS})) == as_stored(record(AUTHOR))
    assert triples(client.get("/store?default")) == as_stored([default])


def test_a_multipart_body_of_datasets_adds_them_all(client: TestClient) -> None:
    parts = [
        ("works.nq", nquads(*in_graph(WORKS, record()))),
        ("authors.nq", nquads(*in_graph(AUTHORS, record(AUTHOR)))),
    ]
    body = (
        b"".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
            f"Content-Type: application/n-quads\r\n\r\n".encode()
            + data
            + b"\r\n"
            for name, data in parts
        )
        + f"--{BOUNDARY}--\r\n".encode()
    )
    multipart = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    assert client.post("/store", content=body, headers=multipart).status_code == 204
    assert triples(client.get("/store", params={"graph": AUTHORS})) == as_stored(record(AUTHOR))
    mixed = body.replace(b"Content-Type: application/n-quads", b"Content-Type: text/turtle", 1)
    refused = client.post("/store", content=mixed, headers=multipart)
    assert refused.status_code == 400
    assert "mixes datasets (TriG, N-Quads) and graphs" in refused.text


def test_put_of_the_whole_store_is_405(client: TestClient) -> None:
    response = client.put("/store", content=SAMPLE.read_bytes(), headers=TRIG)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert "POST a dataset (TriG, N-Quads) to /store" in response.text
    assert client.get("/store", params={"graph": CONTEXT}).status_code == 404


@pytest.mark.parametrize(("method", "path", "params"), [("PUT", "/store", {"graph": WORKS}), ("POST", "/store/q", {})])
def test_a_dataset_sent_to_one_graph_is_400_naming_why(
    client: TestClient, method: str, path: str, params: dict[str, str]
) -> None:
    response = client.request(method, path, params=params, content=SAMPLE.read_bytes(), headers=TRIG)
    assert response.status_code == 400
    assert response.text.startswith(f"the body is a dataset naming the graph <{CONTEXT}>, and a request to one graph")
    assert "POST the dataset to /store" in response.text
    assert client.get(path, params=params).status_code == 404


def test_a_trig_of_triples_only_is_a_graph(client: TestClient) -> None:
    """TriG without a named graph is Turtle: one graph takes it."""
    body = ox.serialize(record(), format=ox.RdfFormat.TRIG) or b""
    assert client.put("/store", params={"graph": WORKS}, content=body, headers=TRIG).status_code == 201
    assert triples(client.get("/store", params={"graph": WORKS})) == as_stored(record())


def test_a_malformed_dataset_is_400_and_writes_nothing(client: TestClient) -> None:
    text = SAMPLE.read_bytes()
    response = client.post("/store", content=text[: len(text) // 2], headers=TRIG)
    assert response.status_code == 400
    assert response.text.startswith("the body is not valid TriG: Parser error at line")
    assert client.get("/store", params={"graph": CONTEXT}).status_code == 404


def test_a_dataset_naming_the_stores_own_graph_is_refused_whole(client: TestClient) -> None:
    journal = "https://w3id.org/cnrs-kg/graph/_journal"
    body = nquads(*in_graph(WORKS, record()), *in_graph(journal, record()[:1]))
    assert client.post("/store", content=body, headers=NQUADS).status_code == 403
    assert client.get("/store", params={"graph": WORKS}).status_code == 404


def test_a_graph_named_by_a_blank_node_is_400(client: TestClient) -> None:
    body = b'_:g { <https://semopenalex.org/work/W2015191210> <http://purl.org/dc/terms/title> "Linked Data" }'
    response = client.post("/store", content=body, headers=TRIG)
    assert response.status_code == 400
    assert "names a graph by a blank node" in response.text


def test_a_repeated_post_with_its_key_is_done_once(client: TestClient) -> None:
    headers = {**TRIG, IDEMPOTENCY_KEY: "3f9a1c52-semopenalex"}
    first = client.post("/store", content=SAMPLE.read_bytes(), headers=headers)
    again = client.post("/store", content=SAMPLE.read_bytes(), headers=headers)
    assert first.status_code == again.status_code == 204
    assert again.headers[REPLAYED] == "true"
    assert again.headers[GENERATION] == first.headers[GENERATION]


def test_dataset_writes_need_the_token(store_path: Path) -> None:
    policy = WritePolicy(writable=True, token="s3cret")
    with TestClient(create_app(store_path, write_policy=policy), base_url=BASE) as client:
        assert client.post("/store", content=SAMPLE.read_bytes(), headers=TRIG).status_code == 401
        wrong = {**TRIG, "authorization": "Bearer nope"}
        assert client.post("/store", content=SAMPLE.read_bytes(), headers=wrong).status_code == 403
        assert client.get("/store", params={"graph": CONTEXT}).status_code == 404
        right = {**TRIG, "authorization": "Bearer s3cret"}
        assert client.post("/store", content=SAMPLE.read_bytes(), headers=right).status_code == 204
        assert client.get("/store", params={"graph": CONTEXT}).status_code == 200
    with TestClient(create_app(store_path), base_url=BASE) as client:  # read-only
        assert client.post("/store", content=SAMPLE.read_bytes(), headers=TRIG).status_code == 403
