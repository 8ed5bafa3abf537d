"""GraphQL over HTTP: media types and status codes, GET, and the GraphiQL page."""

from __future__ import annotations

from tests.api.graphql.conftest import GraphQL

RESPONSE_JSON = "application/graphql-response+json"


def test_graphql_response_json_when_accepted(gql: GraphQL) -> None:
    response = gql.client.post("/graphql", json={"query": "{ __typename }"}, headers={"Accept": RESPONSE_JSON})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(RESPONSE_JSON)
    assert response.json() == {"data": {"__typename": "Query"}}


def test_json_by_default(gql: GraphQL) -> None:
    for accept in (None, "*/*", "application/json"):
        headers = {} if accept is None else {"Accept": accept}
        response = gql.client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json"), accept


def test_request_errors_are_400_without_data_under_graphql_response_json(gql: GraphQL) -> None:
    bodies = [
        {"query": "{"},
        {"query": "{ noSuchField }"},
        {"query": "query ($id: ID!) { __typename }", "variables": {"id": None}},
    ]
    for body in bodies:
        response = gql.client.post("/graphql", json=body, headers={"Accept": RESPONSE_JSON})
        assert response.status_code == 400, body
        assert "data" not in response.json(), body
        assert response.json()["errors"], body
        legacy = gql.client.post("/graphql", json=body, headers={"Accept": "application/json"})
        assert legacy.status_code == 200, body
        assert "data" not in legacy.json(), body


def test_field_errors_keep_200_and_data(gql: GraphQL) -> None:
    response = gql.client.post(
        "/graphql", json={"query": "{ institutions(first: 101) { totalCount } }"}, headers={"Accept": RESPONSE_JSON}
    )
    assert response.status_code == 200
    assert response.json()["data"] is None
    assert response.json()["errors"]


def test_get_queries_and_no_mutations(gql: GraphQL) -> None:
    response = gql.client.get("/graphql", params={"query": '{ country(code: "SG") { name } }'})
    assert response.json() == {"data": {"country": {"name": "Singapore"}}}
    refused = gql.client.get("/graphql", params={"query": "mutation { __typename }"}, headers={"Accept": RESPONSE_JSON})
    assert 400 <= refused.status_code < 500


def test_browsers_get_graphiql_with_the_example_tabs(gql: GraphQL) -> None:
    response = gql.client.get("/graphql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "/static/vendor/graphiql/graphiql.min.js" in page
    assert "react.production.min.js" in page
    assert "query IrlSingapore" in page
    assert "__EXAMPLES__" not in page
    assert page.index("IrlSingapore") < page.index("AseanMembers")  # the default tab comes first
    assert "https://" not in page.split("<script id=")[0]  # nothing from a CDN


def test_bare_get_without_html_is_a_400(gql: GraphQL) -> None:
    response = gql.client.get("/graphql", headers={"Accept": "application/json"})
    assert response.status_code == 400
