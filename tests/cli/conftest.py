"""Fixtures of the command-line tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def store_copy(bundled_copy: Path) -> Path:
    """A writable copy of the bundled store."""
    return bundled_copy
