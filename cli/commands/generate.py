"""``cnrs-kg generate``: synthetic OpenAlex-shaped works for benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.app import app, console, fail
from loaders.openalex.synthetic import generate_works


@app.command()
def generate(
    works: Annotated[int, typer.Option("--works", help="How many works to write.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="JSON Lines file (.gz compresses).")],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed writes the same file.")] = 0,
) -> None:
    """Write SYNTHETIC OpenAlex-shaped works over real ROR institutions, for benchmarks.

    The records carry "is_synthetic": true, and their graph is marked kg:synthetic once loaded;
    they never enter the bundled store unless loaded on purpose.
    """
    if works < 0:
        raise fail(f"--works must be zero or more, not {works}")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        written = generate_works(works, output, seed=seed)
    except OSError as exc:
        raise fail(f"{output}: cannot write: {exc.strerror or exc}") from exc
    console.print(f"{written} synthetic works written to {output}")
