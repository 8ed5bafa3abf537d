"""Golden-file comparison: a loader's output against ``expected.nq``, by graph isomorphism."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.compare import graph_diff, to_isomorphic

from loaders.base import SourceData


def to_nquads(sources: list[SourceData]) -> str:
    """Serialise loader output as N-Quads, sorted so that files diff cleanly."""
    lines = set()
    for source in sources:
        for t in source.all_triples():
            lines.add(str(ox.Quad(t.subject, t.predicate, t.object, source.graph)) + " .")
    return "\n".join(sorted(lines)) + "\n"


def _graphs(nquads: str) -> dict[str, rdflib.Graph]:
    """Split N-Quads into one rdflib graph per graph name (parsed by pyoxigraph, compared by rdflib)."""
    lines: dict[str, list[str]] = {}
    for quad in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        lines.setdefault(name, []).append(f"{quad.subject} {quad.predicate} {quad.object} .\n")
    return {name: rdflib.Graph().parse(data="".join(text), format="nt") for name, text in lines.items()}


def assert_golden(sources: list[SourceData], expected_path: Path) -> None:
    """Compare per named graph by isomorphism. Set ``UPDATE_GOLDEN=1`` to rewrite the file after review."""
    import os

    actual = to_nquads(sources)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_path.write_text(actual, encoding="utf-8")
    got, want = _graphs(actual), _graphs(expected_path.read_text(encoding="utf-8"))
    assert sorted(got) == sorted(want), f"graphs differ: {sorted(got)} != {sorted(want)}"
    for name in want:
        if to_isomorphic(got[name]) != to_isomorphic(want[name]):
            _, only_got, only_want = graph_diff(to_isomorphic(got[name]), to_isomorphic(want[name]))
            extra = sorted(only_got.serialize(format="nt").splitlines())[:10]
            missing = sorted(only_want.serialize(format="nt").splitlines())[:10]
            raise AssertionError(f"graph {name} differs\nunexpected: {extra}\nmissing: {missing}")
