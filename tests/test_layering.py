"""Data flows one way: ``ontology`` at the bottom, ``loaders`` and ``graph`` side by side on it.

Every module of those packages is parsed (not imported, so a lazy import inside a function or
under ``TYPE_CHECKING`` counts too) and each of its imports of one of our packages is checked
against what its layer may use. ``api`` sits on ``graph`` (reaching ``loaders`` only for the
crosswalk of entity references), and ``cli``, on top, is the one package that knows them all, so
nothing of the product imports it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = frozenset(p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file())

# What each layer may import of ours, besides itself.
ALLOWED = {
    "ontology": frozenset[str](),
    "loaders": frozenset({"ontology"}),
    "graph": frozenset({"ontology"}),
    "api": frozenset({"graph", "ontology"}),
}
# The imports a file may make past its layer's rule, and why: (file, module).
EXCEPTIONS = frozenset(
    {
        ("api/refs.py", "loaders.crosswalk"),  # ROR and HAL ids in any spelling, read from the shipped crosswalk
    }
)


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of every absolute import in the file; a relative import stays in its package."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def violations(package: str, allowed: frozenset[str]) -> list[str]:
    """``file:line: imports module`` for every import of ours that ``package`` may not make."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, module in imports(path):
            top = module.split(".", 1)[0]
            if top in OURS and top not in allowed | {package}:
                if (path.relative_to(ROOT).as_posix(), module) in EXCEPTIONS:
                    continue
                found.append(f"{path.relative_to(ROOT)}:{line}: imports {module}")
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_below_it(package: str) -> None:
    below = ", ".join(sorted(ALLOWED[package])) or "nothing of ours"
    assert violations(package, ALLOWED[package]) == [], f"{package} may import {below} only (see LAYOUT.md)"


def importers(target: str, packages: Iterable[str]) -> list[str]:
    """``file:line: imports module`` for every import of ``target`` made in ``packages``."""
    return [
        f"{path.relative_to(ROOT)}:{line}: imports {module}"
        for package in sorted(packages)
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, module in imports(path)
        if module.split(".", 1)[0] == target
    ]


def test_nothing_of_the_product_imports_the_command_line() -> None:
    """``cli`` sits on top: ``api`` and the layers below never reach back into it (the tests may)."""
    assert importers("cli", OURS - {"cli", "tests"}) == [], "only cli imports cli (see LAYOUT.md)"


def test_the_check_sees_the_imports_it_judges() -> None:
    """Guards against a vacuous pass: the parser finds the imports that are there, lazy ones included."""
    assert {"api", "cli", "graph", "loaders", "ontology"} <= OURS
    lazy = set(imports(ROOT / "loaders" / "openalex" / "synthetic.py"))
    assert any(module == "loaders" for _, module in lazy)  # ``from loaders import ror`` inside a function
    assert any("imports graph" in found for found in violations("api", ALLOWED["graph"]))
    assert any("imports cli" in found for found in importers("cli", {"tests"}))
