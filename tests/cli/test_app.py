"""The ``cnrs-kg`` app: its commands, in their order, and the store taken from the environment."""

from __future__ import annotations

import re
from pathlib import Path

from cli import app
from graph import STORE_ENV
from tests.cli.run import runner


def test_help_lists_every_command_in_order() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    listed = re.findall(r"^\W+ ([a-z]+) {2,}[A-Z]", result.output, re.MULTILINE)  # a row of the Commands box
    assert listed == [
        "load",
        "generate",
        "network",
        "query",
        "search",
        "validate",
        "stats",
        "serve",
        "export",
        "reconcile",
        "harvest",
    ]


def test_the_store_comes_from_the_environment(bundled_store_path: Path) -> None:
    result = runner.invoke(app, ["stats"], env={STORE_ENV: str(bundled_store_path)})
    assert result.exit_code == 0, result.output
    assert "kg:CooperationInstrument" in result.output
