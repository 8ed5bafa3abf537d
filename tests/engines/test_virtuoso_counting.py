"""Network counting over Virtuoso reads works in batches (``RemoteStore.match_subjects``) and counts
them as the embedded store counts them: the bundled data and 300 SYNTHETIC works (``cnrs-kg
generate``), loaded into both by ``cnrs-kg load``. A batch of the default size (2,000 works, four
predicates) is one query on Oxigraph server; Virtuoso refuses its rows of values as one compiled
unit (SQ199), so there it is sent in smaller queries."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from api.testing import cnrs_kg_command
from graph import OxigraphStore
from graph.links import works as links_works
from graph.remote import store as remote_store
from tests.engines.virtuoso import VirtuosoServer
from tests.graph import test_remote, test_remote_counting
from tests.graph.test_remote_counting import WORKS, counted

virtuoso = test_remote.virtuoso  # the fixtures: one Virtuoso, and the works and store of the embedded side
works = test_remote_counting.works
embedded = test_remote_counting.embedded


def test_counting_over_virtuoso_in_batches_equals_the_embedded_counting(
    virtuoso: VirtuosoServer, works: Path, embedded: OxigraphStore
) -> None:
    env = {**os.environ, **test_remote.virtuoso_env(virtuoso)}
    for source in ("--bundled", str(works)):
        command = cnrs_kg_command(
            *test_remote.virtuoso_writes(virtuoso), "load", source, "--store", virtuoso.query_endpoint
        )
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
        assert done.returncode in (0, 2), done.stderr[-2000:]  # 2: a record skipped, reported
    with test_remote.open_virtuoso(virtuoso, read_only=True) as store:
        subjects = len(links_works.every_work(store))
        assert subjects > WORKS
        # One batch of every work holds more rows than one Virtuoso query takes: it is split.
        assert subjects * len(links_works.READ_WITH_FIELDS) > 2 * remote_store.VIRTUOSO_PAIRS
        assert counted(store) == counted(embedded)


@pytest.fixture(autouse=True)
def _one_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every work in one batch of ``links.works`` (as 100,000 works are read 2,000 at a time)."""
    monkeypatch.setattr(links_works, "BATCH", 10_000)
