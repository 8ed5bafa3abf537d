"""A GraphQL client over a copy of the bundled store, shared by a test module, and helpers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from tests.conftest import copy_store


class GraphQL:
    """Posts GraphQL requests; ``data`` fails the test on any error, ``errors`` expects some."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def post(self, query: str, variables: dict[str, Any] | None = None, **extra: Any) -> Any:
        body: dict[str, Any] = {"query": query, "variables": variables or {}, **extra}
        return self.client.post("/graphql", json=body)

    def data(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        response = self.post(query, variables)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        return body["data"]

    def explain(self, query: str, variables: dict[str, Any] | None = None) -> tuple[Any, list[dict[str, Any]]]:
        response = self.post(query, variables, extensions={"explain": True})
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"], body["extensions"]["explain"]

    def errors(self, query: str, variables: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        body = self.post(query, variables).json()
        assert body.get("errors"), body
        errors: list[dict[str, Any]] = body["errors"]
        return errors


@pytest.fixture(scope="module")
def gql(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphQL]:
    store = copy_store(bundled_store_path, tmp_path_factory.mktemp("graphql") / "store")
    with TestClient(create_app(store, workers=0)) as client:
        yield GraphQL(client)
