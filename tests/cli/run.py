"""Running ``cnrs-kg`` in the test process, as a user types it."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from cli import app
from graph import OxigraphStore

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def cnrs_kg(store: Path, *args: str) -> Result:
    """Run ``cnrs-kg ARGS --store STORE`` as a user would."""
    return runner.invoke(app, [*args, "--store", str(store)])


def sizes(path: Path) -> dict[str, int]:
    with OxigraphStore(path, read_only=True) as store:
        return store.graph_sizes()
