"""What a GraphQL request must pass before it runs (``api.graphql.guard``), and its time budget.

The HTTP tests run a real ``cnrs-kg serve`` (query workers, event loop, uvicorn) over a copy of
the bundled store, and poll ``/health`` while the request is processed: it must keep answering.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import DocumentNode, get_introspection_query, get_operation_ast, parse, validate
from starlette.testclient import TestClient
from strawberry.extensions.query_depth_limiter import create_validator

from api.app import create_app
from api.graphql import RecordingQueries, schema
from api.graphql.cost import MAX_COST, MAX_INTROSPECTION_COST, estimate
from api.graphql.errors import RequestTimeout
from api.graphql.guard import MAX_VARIABLE_ITEMS
from api.graphql.limits import MAX_ALIASES, MAX_DEPTH, MAX_FIELDS, DepthLimit
from api.sparql import EXAMPLES_DIR
from api.testing import background_server, cnrs_kg_command, free_port
from api.workers import LocalQueries
from graph import OxigraphStore
from tests.api.graphql.conftest import GraphQL
from tests.conftest import copy_store

CNRS_NAME = "Centre National de la Recherche Scientifique"


@pytest.fixture(scope="module")
def served(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``cnrs-kg serve`` over a copy of the bundled store, for this module; its base URL."""
    store = copy_store(bundled_store_path, tmp_path_factory.mktemp("guard") / "store")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with background_server(cnrs_kg_command("serve", "--port", str(port), "--store", str(store)), f"{base}/health"):
        yield base


def while_polling_health(base: str, request: dict[str, Any]) -> tuple[Any, float, float]:
    """The JSON answer to ``request`` posted to ``/graphql``, its time, and the slowest ``/health``
    asked while it ran (each client connected beforehand, so only the server is timed)."""
    with (
        ThreadPoolExecutor(1) as pool,
        httpx.Client(base_url=base, timeout=120) as poller,
        httpx.Client(base_url=base, timeout=120) as sender,
    ):
        poller.get("/health")
        sender.get("/health")
        started = time.perf_counter()
        answer = pool.submit(sender.post, "/graphql", json=request)
        slowest = 0.0
        while True:
            asked = time.perf_counter()
            assert poller.get("/health").status_code == 200
            slowest = max(slowest, time.perf_counter() - asked)
            if answer.done():
                break
        response = answer.result()
        return response.json(), time.perf_counter() - started, slowest


def post(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"query": query, "variables": variables or {}}


def doubling_fragments(levels: int, on: str, leaf: str) -> str:
    """Fragments each spreading the previous one twice: ``levels`` of them expand to 2**(levels-1) leaves."""
    fragments = [f"fragment F0 on {on} {{ {leaf} }}"]
    fragments += [f"fragment F{k} on {on} {{ ...F{k - 1} ...F{k - 1} }}" for k in range(1, levels)]
    return "\n".join(fragments)


def cost_of(query: str) -> int:
    document: DocumentNode = parse(query)
    operation = get_operation_ast(document)
    assert operation is not None
    return estimate(schema._schema, document, operation, {}).data


def code_of(body: dict[str, Any]) -> str:
    assert "data" not in body, body
    (error,) = body["errors"]
    code: str = error["extensions"]["code"]
    return code


# -- fragments: measured once each -----------------------------------------------------------------


def test_fragments_doubling_22_times_are_refused_at_once_and_health_goes_on(served: str) -> None:
    query = "query { ...F21 }\n" + doubling_fragments(22, "Query", "__typename")
    assert len(query.encode()) < 1000
    body, elapsed, health = while_polling_health(served, post(query))
    assert code_of(body) == "COST_LIMIT_EXCEEDED"
    assert body["errors"][0]["message"] == (
        f"this request has {2**21} fields once its fragments are expanded, over the limit of {MAX_FIELDS}; "
        "spread fragments fewer times"
    )
    assert elapsed < 1
    assert health < 0.2


def test_fragments_doubling_over_institution_fields(served: str) -> None:
    """Over the cost limit with an object in the leaf fragment (two million countries), over the
    fields limit with scalars only."""
    objects = '{ institution(ror: "02feahw73") { ...F21 } }\n' + doubling_fragments(
        22, "Institution", "name country { name }"
    )
    body, elapsed, health = while_polling_health(served, post(objects))
    assert code_of(body) == "COST_LIMIT_EXCEEDED"
    assert (
        f"estimated cost of this request, {1 + 2**21}, is over the limit of {MAX_COST}" in body["errors"][0]["message"]
    )
    assert elapsed < 1
    assert health < 0.2
    scalars = '{ institution(ror: "02feahw73") { ...F21 } }\n' + doubling_fragments(22, "Institution", "name")
    body, elapsed, health = while_polling_health(served, post(scalars))
    assert f"this request has {1 + 2**21} fields" in body["errors"][0]["message"]
    assert elapsed < 1


def test_fragments_spread_often_but_within_the_limits_are_answered(gql: GraphQL) -> None:
    """Ten doubling fragments (512 names): answered; each resolver's look-ahead enters each once."""
    query = '{ institution(ror: "02feahw73") { ...F9 } }\n' + doubling_fragments(10, "Institution", "name")
    assert gql.data(query) == {"institution": {"name": CNRS_NAME}}


# -- depth --------------------------------------------------------------------------------------------


def nested(leaf: str) -> str:
    """Three levels of children below the CNRS (9 fields), then ``leaf``."""
    selection = leaf
    for _ in range(3):
        selection = f"children {{ nodes {{ institution {{ {selection} }} }} }}"
    return f'{{ institution(ror: "02feahw73") {{ {selection} }} }}'


DEPTH_12 = nested("country { region { name } }")
DEPTH_13 = nested("country { region { sources { name } } }")


def test_depth_12_is_answered_and_13_refused(gql: GraphQL) -> None:
    assert MAX_DEPTH == 12
    assert gql.data(DEPTH_12)["institution"]["children"]["nodes"]
    (error,) = gql.errors(DEPTH_13)
    assert error["message"] == "'anonymous' exceeds maximum operation depth of 12"
    assert "data" not in gql.post(DEPTH_13).json()


def test_depth_through_fragments_counts_where_they_are_spread(gql: GraphQL) -> None:
    fragment = " fragment Deep on Institution { country { region { sources { name } } } }"
    (error,) = gql.errors(nested("...Deep") + fragment)
    assert "exceeds maximum operation depth of 12" in error["message"]
    assert gql.data(nested("...Shallow") + " fragment Shallow on Institution { country { region { name } } }")


@pytest.mark.parametrize(
    "query",
    [
        DEPTH_12,
        DEPTH_13,
        'query Two { a: institution(ror: "x") { ...F } b: institution(ror: "y") { name } }'
        " fragment F on Institution { children { nodes { institution { name } } } }",
        nested("children { nodes { institution { children { nodes { name } } } } }"),
        nested("__typename ... on Institution { country { __typename region { name } } }"),
    ],
)
def test_depth_errors_are_strawberrys(query: str) -> None:
    """The same errors, at the same places, as strawberry's ``QueryDepthLimiter`` (which it replaces)."""
    document = parse(query)
    theirs = validate(schema._schema, document, [create_validator(MAX_DEPTH, None)])
    ours = validate(schema._schema, document, [DepthLimit])
    assert [(e.message, e.locations) for e in ours] == [(e.message, e.locations) for e in theirs]


def test_depth_rule_is_linear_in_fragments() -> None:
    """40 doubling fragments (a trillion leaves) five fields deep each: measured in milliseconds."""
    leaf = "children { nodes { institution { country { name } } } }"
    document = parse('{ institution(ror: "x") { ...F39 } }\n' + doubling_fragments(40, "Institution", leaf))
    started = time.perf_counter()
    assert validate(schema._schema, document, [DepthLimit]) == []
    assert time.perf_counter() - started < 0.1


def test_a_fragment_cycle_is_graphql_cores_error(gql: GraphQL) -> None:
    errors = gql.errors("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A __typename }")
    assert any("Cannot spread fragment 'A' within itself" in e["message"] for e in errors)


# -- cost and aliases ---------------------------------------------------------------------------------


def networks(count: int) -> str:
    """``count`` aliases of the two-hop network of the CNRS (``seeds: "CNRS"``: a list of one, as GraphQL
    coerces it, which keeps 109 aliases under the token limit)."""
    return "{ " + " ".join(f'n{i}: network(seeds: "CNRS", hops: 2) {{ nodes {{ id }} }}' for i in range(count)) + " }"


def test_an_alias_flood_is_refused_before_it_runs(served: str) -> None:
    body, elapsed, health = while_polling_health(served, post(networks(109)))
    assert code_of(body) == "COST_LIMIT_EXCEEDED"
    message = body["errors"][0]["message"]
    assert f"estimated cost of this request, {cost_of(networks(109))}, is over the limit of {MAX_COST}" in message
    assert elapsed < 1
    assert health < 0.2


def test_one_network_fits_the_cost_limit_and_ten_do_not(gql: GraphQL) -> None:
    assert cost_of(networks(1)) <= MAX_COST
    (error,) = gql.errors(networks(10))
    assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert f"over the limit of {MAX_COST}" in error["message"]


def test_every_example_fits_the_cost_limit() -> None:
    for path in sorted(EXAMPLES_DIR.glob("*.graphql")):
        assert cost_of(path.read_text(encoding="utf-8")) <= MAX_COST, path


def test_pages_and_variables_count_in_the_cost(gql: GraphQL) -> None:
    children = "children(first: 100) { nodes { institution { name } } }"
    query = f"query ($n: Int) {{ institutions(first: $n) {{ nodes {{ {children.replace('name', children)} }} }} }}"
    (error,) = gql.errors(query, {"n": 100})  # about 100 * 100 * 100 * 2 objects
    assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert len(gql.data(query, {"n": 2})["institutions"]["nodes"]) == 2


def test_aliases_are_limited(gql: GraphQL) -> None:
    many = " ".join(f"a{i}: __typename" for i in range(MAX_ALIASES))
    assert len(gql.data("{ " + many + " }")) == MAX_ALIASES
    (error,) = gql.errors("{ " + many + " one_more: __typename }")
    assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert error["message"] == f"this request has {MAX_ALIASES + 1} aliases, over the limit of {MAX_ALIASES}; split it"
    (error,) = gql.errors("{ ...F ...G } fragment F on Query { a: __typename b: __typename } fragment G on Query "
                          + "{ " + " ".join(f"c{i}: __typename ...F" for i in range(14)) + " }")  # fmt: skip
    assert f"{2 + 14 + 14 * 2} aliases" in error["message"]


def test_introspection_works_and_nesting_it_is_refused(gql: GraphQL) -> None:
    full = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    assert gql.data(full)["__schema"]["queryType"]["name"] == "Query"
    # graphql-core refuses fields nested three times; twice, eight times over, is over our limit
    nested = "__schema { types { fields { type { fields { name } } } } }"
    (error,) = gql.errors("{ " + " ".join(f"a{i}: {nested}" for i in range(8)) + " }")
    assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert f"over the limit of {MAX_INTROSPECTION_COST}" in error["message"]
    assert "introspection" in error["message"]


# -- variables and document size ----------------------------------------------------------------------


def test_a_variable_of_100000_items_is_refused_at_once(served: str) -> None:
    query = "query ($seeds: [String!]!) { network(seeds: $seeds) { hops } }"
    body, elapsed, _ = while_polling_health(served, post(query, {"seeds": ["CNRS"] * 100_000}))
    assert code_of(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["message"] == (
        f"variable $seeds: a list of 100000 items, over the limit of {MAX_VARIABLE_ITEMS}; "
        f"send at most {MAX_VARIABLE_ITEMS} items in a list"
    )
    assert elapsed < 1


def test_large_variables_and_documents_are_refused(gql: GraphQL) -> None:
    query = "query ($name: String) { institutions(filter: {name: $name}) { totalCount } }"
    response = gql.client.post(
        "/graphql",
        json={"query": query, "variables": {"name": "x" * 200_000}},
        headers={"Accept": "application/graphql-response+json"},
    )
    assert response.status_code == 400
    assert code_of(response.json()) == "BAD_USER_INPUT"
    assert "characters of JSON" in response.json()["errors"][0]["message"]
    (error,) = gql.errors("#" + "x" * 200_000 + "\n{ __typename }")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "characters, over the limit" in error["message"]


# -- the request's time budget ------------------------------------------------------------------------


def test_no_query_starts_after_the_requests_deadline(bundled: OxigraphStore) -> None:
    queries = RecordingQueries(LocalQueries(bundled), budget=0.0)
    with pytest.raises(RequestTimeout, match="the request ran over its time budget of 0 s"):
        queries.query("ASK { ?s ?p ?o }")
    assert queries.count == 0
    assert RecordingQueries(LocalQueries(bundled)).deadline is None  # no budget: in-process queries


def test_a_request_over_the_servers_budget_answers_query_timeout(bundled_copy: Path) -> None:
    """A real pool with a 0.5 s budget: the network's queries are stopped at the request's deadline."""
    query = '{ network(seeds: ["CNRS"], hops: 3, maxNodes: 2000) { nodes { iri } } }'  # 200 nodes take 0.3 s
    with TestClient(create_app(bundled_copy, workers=1, budget=0.5)) as client:
        started = time.perf_counter()
        body = client.post("/graphql", json={"query": query}).json()
        elapsed = time.perf_counter() - started
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TIMEOUT"
    assert error["message"].startswith("the request ran over its time budget of 0.5 s")
    assert elapsed < 3
