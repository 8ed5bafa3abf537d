"""Fuzzing ``/graphql`` on a live server, with queries drawn from its own schema (``hypothesis-graphql``),
and the three shapes of request that cost a naive server minutes: fragment DAGs, alias floods and
huge variables.

Valid or not, a request is answered without a 5xx and without an unexpected error (the masked
``INTERNAL_SERVER_ERROR``); the costly shapes are refused within a second, ``/health`` answering
meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis_graphql import Mode, nodes, queries

from tests.reliability.knobs import FUZZ
from tests.reliability.probes import HealthWatch, alias_flood, fragment_dag, judge
from tests.reliability.servers import Server
from tests.reliability.tally import TALLY

ACCEPT = {"accept": "application/graphql-response+json"}
EXPECTED_CODES = {
    "BAD_USER_INPUT",
    "COST_LIMIT_EXCEEDED",
    "QUERY_TIMEOUT",
    "RESULT_TOO_LARGE",
    "QUERY_REFUSED",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
}
SCALARS = {"Date": st.dates().map(lambda day: nodes.String(day.isoformat()))}


@pytest.fixture(scope="module")
def client(fuzz_server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fuzz_server.base, timeout=60, headers=ACCEPT) as session:
        yield session


@pytest.fixture(scope="module")
def schema(client: httpx.Client) -> graphql.GraphQLSchema:
    """The live schema, by introspection (what any client sees)."""
    answer = client.post("/graphql", json={"query": graphql.get_introspection_query()})
    assert answer.status_code == 200, answer.text
    return graphql.build_client_schema(answer.json()["data"])


def problems(response: httpx.Response, what: str) -> list[str]:
    """What is wrong with a GraphQL answer: a 5xx, a leak, or an error the server did not expect."""
    found = judge(response.status_code, response.text, what=what)
    if response.status_code >= 500 or "json" not in response.headers.get("content-type", ""):
        return found  # a plain-text refusal ("No GraphQL query found in the request")
    body = response.json()
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code is not None and code not in EXPECTED_CODES:
            TALLY.errors += 1
            found.append(f"{what}: {code}: {error.get('message')}")
    return found


def post(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    return client.post("/graphql", json={"query": query, "variables": variables or {}})


@FUZZ
@given(data=st.data())
def test_queries_of_the_schema_are_answered(client: httpx.Client, schema: graphql.GraphQLSchema, data: Any) -> None:
    query = data.draw(queries(schema, custom_scalars=SCALARS, allow_x00=False), label="query")
    response = post(client, query)
    assert not problems(response, query[:300])


@FUZZ
@given(data=st.data())
def test_queries_breaking_the_schema_are_request_errors(
    client: httpx.Client, schema: graphql.GraphQLSchema, data: Any
) -> None:
    query = data.draw(queries(schema, custom_scalars=SCALARS, mode=Mode.NEGATIVE), label="query")
    response = post(client, query)
    assert not problems(response, query[:300])
    assert response.status_code == 400, response.text[:300]
    assert response.json().get("data") is None


@FUZZ
@given(text=st.text(max_size=300), variables=st.none() | st.dictionaries(st.text(max_size=5), st.integers()))
def test_text_that_is_no_query_is_a_request_error(client: httpx.Client, text: str, variables: Any) -> None:
    response = client.post("/graphql", json={"query": text, "variables": variables})
    assert not problems(response, repr(text[:100]))
    assert response.status_code in (200, 400), response.text[:300]


COSTLY = {
    "fragment DAG": (fragment_dag(), None),
    "alias flood": (alias_flood(), None),
    "100,000 seeds": ("query($s: [String!]!) { network(seeds: $s) { nodes { hops } } }", {"s": ["CNRS"] * 100_000}),
    "100,000 codes": (
        "query($c: [String!]) { countries(filter: {code: $c}) { totalCount } }",
        {"c": ["SG"] * 100_000},
    ),
}


@pytest.mark.parametrize("name", COSTLY)
def test_costly_requests_are_refused_within_a_second(fuzz_server: Server, client: httpx.Client, name: str) -> None:
    query, variables = COSTLY[name]
    with HealthWatch(fuzz_server.base) as watch:
        start = time.monotonic()
        response = post(client, query, variables)
        elapsed = time.monotonic() - start
    assert not problems(response, name)
    body = response.json()
    assert body.get("errors"), f"{name} was answered: {response.text[:300]}"
    assert not any((body.get("data") or {}).values()), f"{name} was computed: {response.text[:300]}"
    assert elapsed < 1.0, f"{name} refused after {elapsed:.1f} s"
    watch.assert_answered()


def test_an_oversized_request_is_refused(fuzz_server: Server, client: httpx.Client) -> None:
    """A 5 MB request (a query padded with a comment) is a 4xx, quickly."""
    with HealthWatch(fuzz_server.base) as watch:
        start = time.monotonic()
        response = post(client, "#" + "x" * 5_000_000 + "\n{ __typename }")
        elapsed = time.monotonic() - start
    assert not problems(response, "a 5 MB request")
    assert 400 <= response.status_code < 500, response.text[:300]
    assert elapsed < 2.0, f"refused after {elapsed:.1f} s"
    watch.assert_answered()
