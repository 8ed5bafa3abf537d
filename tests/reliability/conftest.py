"""Fixtures of the reliability suite (real servers over copies of the bundled store), and its summary.

``make test`` runs the suite in a few minutes; ``make soak`` (``CNRS_KG_SOAK=1``) runs it longer
(see ``knobs``). Tests print nothing; the run ends with one line of counts (see ``tally``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import copy_store
from tests.reliability.knobs import FUZZ_BUDGET
from tests.reliability.probes import Listener
from tests.reliability.servers import Server, serve
from tests.reliability.tally import TALLY

SUITE = "tests/reliability/"


@pytest.fixture(scope="session")
def fuzz_server(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A read-only server with a short query budget, shared by the fuzzing tests."""
    folder = tmp_path_factory.mktemp("fuzz")
    with serve(copy_store(bundled_store_path, folder / "store"), folder / "server.log", budget=FUZZ_BUDGET) as server:
        yield server


@pytest.fixture(scope="module")
def writable_server(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A writable server with a token, one per test module (its store may be written)."""
    folder = tmp_path_factory.mktemp("writable")
    with serve(
        copy_store(bundled_store_path, folder / "store"), folder / "server.log", writable=True, budget=FUZZ_BUDGET
    ) as server:
        yield server


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A local port counting the connections a server makes to it (it must make none)."""
    ear = Listener()
    yield ear
    ear.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line of counts, when tests of this suite ran."""
    ran = any(
        str(getattr(report, "nodeid", "")).startswith(SUITE)
        for reports in terminalreporter.stats.values()
        for report in reports
    )
    if ran:
        terminalreporter.write_sep("-", "reliability")
        terminalreporter.write_line(TALLY.summary())
