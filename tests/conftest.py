"""Shared fixtures: the bundled dataset loaded once per test session into a temporary store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import OxigraphStore
from graph.writing import write_sources
from loaders import load_path
from loaders.bundled import bundled_sources


def build_bundled_store(path: Path) -> None:
    sources = [data for item in bundled_sources() for data in load_path(item.path, item.kind)]
    with OxigraphStore(path) as store:
        write_sources(store, sources)


@pytest.fixture(scope="session")
def bundled_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the bundled dataset; tests must not write to it."""
    path = tmp_path_factory.mktemp("bundled") / "store"
    build_bundled_store(path)
    return path


def copy_store(source: Path, target: Path) -> Path:
    """A writable copy of a store directory (without the source's lock file)."""
    shutil.copytree(source, target)
    (target / "LOCK").unlink(missing_ok=True)
    return target


@pytest.fixture
def bundled_copy(bundled_store_path: Path, tmp_path: Path) -> Path:
    """A writable copy of the bundled store, private to one test."""
    return copy_store(bundled_store_path, tmp_path / "store")


@pytest.fixture
def bundled(bundled_store_path: Path) -> Iterator[OxigraphStore]:
    with OxigraphStore(bundled_store_path, read_only=True) as store:
        yield store
