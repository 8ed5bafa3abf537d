"""Fixtures of the HTTP tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.testing import background_server, cnrs_kg_command, free_port
from tests.conftest import copy_store


@pytest.fixture(scope="module")
def client(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app, read-only, over a copy of the bundled store for the module (a module that writes, or
    needs other settings, has its own)."""
    store = copy_store(bundled_store_path, tmp_path_factory.mktemp("api") / "store")
    with TestClient(create_app(store, workers=0)) as test_client:
        yield test_client


@pytest.fixture
def server(bundled_copy: Path) -> Iterator[str]:
    """``cnrs-kg serve`` on a free loopback port over a copy of the bundled store; its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with background_server(
        cnrs_kg_command("serve", "--port", str(port), "--store", str(bundled_copy)), f"{base}/health"
    ):
        yield base
