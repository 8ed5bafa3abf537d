"""HTTP as browsers, proxies and clients expect it: compression, validators and 304s, Cache-Control,
CORS for the project's own headers, content negotiation by RFC 9110's precedence."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.auth import WritePolicy
from api.caching import ASSETS, DATA, NO_STORE
from api.middleware import MIN_COMPRESSED
from tests.api.test_graphstore import JOHN, PERSON, TURTLE
from tests.conftest import copy_store

ASEAN = (Path(__file__).resolve().parents[2] / "examples" / "asean_members.rq").read_text(encoding="utf-8")
SPARQL = "/sparql?" + str(httpx.QueryParams({"query": ASEAN}))
EXPORT = "/export/network.gexf"
CNRS_PAGE = "/id/org/ror/02feahw73"
VOID = "/.well-known/void"
GRAPHQL = "/graphql?" + str(httpx.QueryParams({"query": "{ __typename }"}))
DATA_ANSWERS = [SPARQL, EXPORT, CNRS_PAGE, VOID, GRAPHQL]
ORIGIN = "https://example.org"
TOKEN = "s3cret"
IDENTITY = {"accept-encoding": "identity"}


@pytest.fixture(scope="module")
def store(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled store for this module's read-only apps."""
    return copy_store(bundled_store_path, tmp_path_factory.mktemp("http") / "store")


@pytest.fixture(scope="module")
def client(store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(store, workers=0, cors_origins=[ORIGIN])) as test_client:
        yield test_client


def _vary(headers: Mapping[str, str]) -> set[str]:
    return {name.strip().lower() for name in headers.get("vary", "").split(",")}


# --- compression ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SPARQL, EXPORT, CNRS_PAGE, VOID])
@pytest.mark.parametrize("encoding", ["gzip", "br"])  # zstd: by curl below (the test client cannot read it)
def test_text_answers_are_compressed_as_the_client_accepts(client: TestClient, path: str, encoding: str) -> None:
    plain = client.get(path, headers=IDENTITY)
    packed = client.get(path, headers={"accept-encoding": encoding})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == encoding
    assert int(packed.headers["content-length"]) < len(plain.content)
    assert packed.content == plain.content  # httpx decoded it
    assert "accept-encoding" in _vary(packed.headers)
    assert "accept-encoding" in _vary(plain.headers)  # a cache must not hand it to a client that asks for gzip


@pytest.mark.parametrize(
    ("asked", "coding"),
    [("br, gzip", "br"), ("gzip, br", "gzip"), ("gzip;q=0.5, br", "br"), ("deflate, gzip, br, zstd", "gzip")],
)
def test_the_coding_is_the_clients_first_preference(client: TestClient, asked: str, coding: str) -> None:
    """The highest q, then the client's order (as curl and browsers list them)."""
    assert client.get(EXPORT, headers={"accept-encoding": asked}).headers["content-encoding"] == coding


def test_a_client_that_refuses_an_encoding_does_not_get_it(client: TestClient) -> None:
    answer = client.get(EXPORT, headers={"accept-encoding": "zstd;q=0, br;q=0, gzip"})
    assert answer.headers["content-encoding"] == "gzip"


def test_small_answers_and_zip_files_are_sent_as_they_are(client: TestClient) -> None:
    ask = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"accept-encoding": "gzip"})
    assert len(ask.content) < MIN_COMPRESSED
    assert "content-encoding" not in ask.headers
    archive = client.get("/export/network.csv.zip", headers={"accept-encoding": "gzip"})
    assert archive.headers["content-type"] == "application/zip"
    assert "content-encoding" not in archive.headers


def test_curl_compressed_gets_a_compressed_export_and_sparql_answer(server: str, tmp_path: Path) -> None:
    """``curl --compressed`` against ``cnrs-kg serve`` gets gzip; asked for gzip only, gzip."""
    for path in (EXPORT, SPARQL):
        plain = httpx.get(server + path, headers=IDENTITY, timeout=60).content
        for options, expected in (
            (["--compressed"], {"gzip"}),  # curl asks "deflate, gzip, br, zstd": its first that we write
            (["-H", "Accept-Encoding: gzip"], {"gzip"}),
            (["-H", "Accept-Encoding: zstd"], {"zstd"}),
        ):
            headers, body = tmp_path / "headers", tmp_path / "body"
            command = ["curl", "-sS", "--fail", *options, "-D", str(headers), "-o", str(body), server + path]
            subprocess.run(command, check=True, timeout=60)
            found = dict(line.split(": ", 1) for line in headers.read_text().lower().splitlines() if ": " in line)
            assert found["content-encoding"] in expected, (path, options)
            if options == ["--compressed"]:
                assert body.read_bytes() == plain  # curl decoded it
            else:
                assert len(body.read_bytes()) < len(plain)


# --- validators and conditional requests ----------------------------------------------------------


@pytest.mark.parametrize("path", DATA_ANSWERS)
def test_a_repeated_get_with_if_none_match_is_304(client: TestClient, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert tag.startswith('W/"')
    assert first.headers["cache-control"] == DATA
    again = client.get(path, headers={"if-none-match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    assert again.headers["cache-control"] == DATA
    assert _vary(again.headers) >= {"accept", "accept-encoding"}
    # Another representation of the same resource has its own tag.
    other = client.get(path, headers={"if-none-match": tag, "accept-encoding": "identity"})
    assert other.status_code == 200
    assert other.headers["etag"] != tag


def test_the_tag_follows_the_request(client: TestClient) -> None:
    turtle = client.get(CNRS_PAGE, headers={"accept": "text/turtle"}).headers["etag"]
    ntriples = client.get(CNRS_PAGE, headers={"accept": "application/n-triples"}).headers["etag"]
    two_hops = client.get(EXPORT, params={"hops": "2"}).headers["etag"]
    assert len({turtle, ntriples, two_hops, client.get(EXPORT).headers["etag"]}) == 4
    assert client.get(CNRS_PAGE, headers={"accept": "text/turtle", "if-none-match": ntriples}).status_code == 200


def test_head_has_the_tag_of_get(client: TestClient) -> None:
    tag = client.get(CNRS_PAGE).headers["etag"]
    head = client.head(CNRS_PAGE)
    assert head.status_code == 200
    assert head.headers["etag"] == tag
    assert client.head(CNRS_PAGE, headers={"if-none-match": tag}).status_code == 304


def test_last_modified_and_if_modified_since(bundled_copy: Path) -> None:
    with TestClient(create_app(bundled_copy, workers=0)) as fresh:
        time.sleep(1.1)  # within the second the server started, no date is given
        answer = fresh.get(VOID)
        modified = answer.headers["last-modified"]
        assert parsedate_to_datetime(modified) < datetime.now(UTC)
        assert fresh.get(VOID, headers={"if-modified-since": modified}).status_code == 304
        earlier = format_datetime(parsedate_to_datetime(modified).replace(year=2000), usegmt=True)
        assert fresh.get(VOID, headers={"if-modified-since": earlier}).status_code == 200
        # If-None-Match, when given, is the one evaluated (RFC 9110 13.2.2).
        stale = {"if-modified-since": modified, "if-none-match": 'W/"0-stale"'}
        assert fresh.get(VOID, headers=stale).status_code == 200
        assert fresh.get(VOID, headers={"if-modified-since": "yesterday"}).status_code == 200


def test_a_write_changes_the_tag(bundled_copy: Path) -> None:
    policy = WritePolicy(writable=True, token=TOKEN)
    with TestClient(create_app(bundled_copy, workers=0, write_policy=policy)) as writable:
        before = {path: writable.get(path).headers["etag"] for path in (SPARQL, VOID, CNRS_PAGE)}
        assert all(writable.get(p, headers={"if-none-match": t}).status_code == 304 for p, t in before.items())
        auth = {**TURTLE, "authorization": f"Bearer {TOKEN}"}
        written = writable.put("/store", params={"graph": PERSON}, content=JOHN, headers=auth)
        assert written.status_code == 201
        assert written.headers["cache-control"] == NO_STORE
        for path, tag in before.items():
            after = writable.get(path, headers={"if-none-match": tag})
            assert after.status_code == 200, path
            assert after.headers["etag"] != tag
        graph = writable.get("/store", params={"graph": PERSON})
        assert graph.headers["cache-control"] == DATA
        assert (
            writable.get(
                "/store", params={"graph": PERSON}, headers={"if-none-match": graph.headers["etag"]}
            ).status_code
            == 304
        )


def test_graphql_answers_with_errors_or_timings_get_no_tag(client: TestClient) -> None:
    wrong = client.get("/graphql", params={"query": "{ noSuchField }"}, headers={"accept": "application/json"})
    assert "errors" in wrong.json()
    assert "etag" not in wrong.headers
    assert wrong.headers["cache-control"] == NO_STORE
    explained = client.get(GRAPHQL, headers={"x-explain": "1"})
    assert explained.status_code == 200
    assert "etag" not in explained.headers


# --- Cache-Control ----------------------------------------------------------------------------------


def test_cache_control_is_stated_for_each_kind_of_answer(client: TestClient) -> None:
    assert client.get(SPARQL).headers["cache-control"] == DATA
    assert client.get("/static/sparql.html").headers["cache-control"] == ASSETS
    assert client.get("/health").headers["cache-control"] == NO_STORE
    for error in (
        client.get("/sparql", params={"query": "SELEC"}),
        client.get("/id/org/ror/000000000"),
        client.get(VOID, headers={"accept": "image/png"}),
        client.post("/sparql", content="DROP ALL", headers={"content-type": "application/sparql-update"}),
    ):
        assert error.status_code >= 400
        assert error.headers["cache-control"] == NO_STORE
        assert "etag" not in error.headers


# --- CORS -------------------------------------------------------------------------------------------


def test_a_preflight_naming_the_projects_headers_passes(client: TestClient) -> None:
    preflight = client.options(
        "/graphql",
        headers={
            "origin": ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "X-Explain, Content-Type, If-None-Match, Idempotency-Key, Authorization",
        },
    )
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    allowed = {h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")}
    assert {"x-explain", "if-none-match", "idempotency-key", "authorization"} <= allowed
    other = client.options(
        "/graphql", headers={"origin": "https://elsewhere.example", "access-control-request-method": "POST"}
    )
    assert other.status_code == 400


def test_a_page_may_read_an_exports_file_name_and_tag(client: TestClient) -> None:
    export = client.get(EXPORT, headers={"origin": ORIGIN})
    assert export.headers["access-control-allow-origin"] == ORIGIN
    exposed = {h.strip().lower() for h in export.headers["access-control-expose-headers"].split(",")}
    assert {"content-disposition", "etag", "x-store-generation", "link"} <= exposed
    revalidated = client.get(EXPORT, headers={"origin": ORIGIN, "if-none-match": export.headers["etag"]})
    assert revalidated.status_code == 304
    assert revalidated.headers["access-control-allow-origin"] == ORIGIN


# --- content negotiation ----------------------------------------------------------------------------


def test_an_explicit_q0_beats_the_wildcard(client: TestClient) -> None:
    page = client.get(CNRS_PAGE, headers={"accept": "text/turtle;q=0, */*"})
    assert page.status_code == 200
    assert not page.headers["content-type"].startswith("text/turtle")
    construct = client.get(
        "/sparql",
        params={"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 3"},
        headers={"accept": "text/turtle;q=0, */*"},
    )
    assert construct.status_code == 200
    assert not construct.headers["content-type"].startswith("text/turtle")


def test_406_names_what_is_offered(client: TestClient) -> None:
    refused = client.get(VOID, headers={"accept": "text/turtle;q=0, text/html"})
    assert refused.status_code == 406
    assert "VoID is served as text/turtle, application/n-triples" in refused.text
