"""Fixtures of the HTTP tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.testing import background_server, cnrs_kg_command, free_port


@pytest.fixture
def server(bundled_copy: Path) -> Iterator[str]:
    """``cnrs-kg serve`` on a free loopback port over a copy of the bundled store; its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with background_server(
        cnrs_kg_command("serve", "--port", str(port), "--store", str(bundled_copy)), f"{base}/health"
    ):
        yield base
