"""Limits and errors: depth, tokens, page size; the time budget; masked unexpected errors; explain."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from api import graphql
from api.app import create_app
from graph import QueryTimeout, ResultTooLarge
from graph.store import QueryResult
from tests.api.graphql.conftest import GraphQL


def nested(levels: int) -> str:
    """An institution with ``levels`` levels of children below it (three fields deep each)."""
    selection = "name"
    for _ in range(levels):
        selection = f"children {{ nodes {{ institution {{ {selection} }} }} }}"
    return f'{{ institution(ror: "02feahw73") {{ {selection} }} }}'


def test_depth_limit(gql: GraphQL) -> None:
    assert "errors" not in gql.post(nested(3)).json()  # 10 deep
    response = gql.post(nested(4))  # 13 deep
    assert response.status_code == 200  # application/json: request errors answer 200
    body = response.json()
    assert "data" not in body
    assert "exceeds maximum operation depth of 12" in body["errors"][0]["message"]


def test_token_limit(gql: GraphQL) -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(graphql.MAX_TOKENS)) + " }"
    body = gql.post(query).json()
    assert "data" not in body
    assert f"more than {graphql.MAX_TOKENS} tokens" in body["errors"][0]["message"]


def test_page_size_limit(gql: GraphQL) -> None:
    (error,) = gql.errors("{ institutions(first: 101) { totalCount } }")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "page size limit of 100" in error["message"]
    (error,) = gql.errors('{ institution(ror: "02feahw73") { children(first: 500) { totalCount } } }')
    assert error["path"] == ["institution", "children"]
    (error,) = gql.errors('{ countries(after: "bm90IGEgY3Vyc29y") { totalCount } }')
    assert "not a cursor" in error["message"]


def test_explain_by_header_and_not_by_default(gql: GraphQL) -> None:
    query = '{ country(code: "SG") { name } }'
    plain = gql.post(query).json()
    assert "explain" not in plain.get("extensions", {})
    explained = gql.client.post("/graphql", json={"query": query}, headers={"X-Explain": "1"}).json()
    (record,) = explained["extensions"]["explain"]
    assert "VALUES ?e { <https://w3id.org/cnrs-kg/id/country/SG> }" in record["query"]
    assert record["rows"] > 0
    assert record["ms"] >= 0


class Failing:
    """A ``Queryable`` that fails every query with ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        default_graphs: Sequence[ox.NamedNode] | None = None,
        named_graphs: Sequence[ox.NamedNode] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        raise self.error


def serving(queries: Failing) -> TestClient:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, object]]:
        yield {"queries": queries}

    return TestClient(Starlette(routes=graphql.routes(), lifespan=lifespan))


@pytest.mark.parametrize(
    ("error", "code"),
    [(QueryTimeout(2.0), "QUERY_TIMEOUT"), (ResultTooLarge(100_000), "RESULT_TOO_LARGE")],
)
def test_over_the_budget_is_a_clear_error(error: Exception, code: str) -> None:
    with serving(Failing(error)) as client:
        response = client.post(
            "/graphql", json={"query": '{ country(code: "SG") { name } sg: country(code: "VN") { code } }'}
        )
    body = response.json()
    assert response.status_code == 200
    assert body["data"] == {"country": None, "sg": None}
    assert {e["extensions"]["code"] for e in body["errors"]} == {code}
    assert body["errors"][0]["message"] == str(error)


def test_the_worker_pools_time_budget_stops_a_network_request(bundled_copy: Path) -> None:
    """A real pool: the 3-hop network of the CNRS (over a thousand labs) cannot fit in 0.1 s."""
    query = '{ network(seeds: ["CNRS"], hops: 3) { nodes { iri } } }'
    with TestClient(create_app(bundled_copy, workers=1, budget=0.1)) as client:
        start = time.perf_counter()
        body = client.post("/graphql", json={"query": query}).json()
        elapsed = time.perf_counter() - start
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TIMEOUT"
    assert "time budget of 0.1 s" in error["message"]
    assert body["data"] is None
    assert elapsed < 10


def test_unexpected_errors_are_masked_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="cnrs_kg.graphql"),
        serving(Failing(RuntimeError("disk on fire"))) as client,
    ):
        body = client.post("/graphql", json={"query": '{ country(code: "SG") { name } }'}).json()
    (error,) = body["errors"]
    assert error["message"] == "Unexpected error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "disk on fire" not in str(body)
    assert any("disk on fire" in record.getMessage() for record in caplog.records)
