"""The CNRS table states the ROR id of each body it names by one (its own ``party_ror`` and ``lab_ror``
columns), in its own graph, as the ROR, HAL and OpenAlex loaders do; a body named by a slug gets none."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from loaders import cnrs
from loaders.base import SourceData
from ontology import KG, SCHEMA, iris

DATA = Path(__file__).resolve().parents[2] / "data" / "cnrs"


@pytest.fixture(scope="module")
def table() -> SourceData:
    (source,) = cnrs.load(DATA)
    return source


def _objects(source: SourceData, subject: ox.NamedNode, predicate: ox.NamedNode) -> set[str]:
    found = [t.object for t in source.all_triples() if t.subject == subject and t.predicate == predicate]
    return {o.value for o in found if isinstance(o, ox.NamedNode | ox.Literal)}


@pytest.mark.parametrize("ror", ["02en5vm52", "04emwm605", "019tgvf94", "02feahw73"])
def test_a_party_named_by_its_ror_id_states_it(table: SourceData, ror: str) -> None:
    org = iris.ror_org(ror)
    assert _objects(table, org, KG.rorId) == {ror}
    assert _objects(table, org, SCHEMA.sameAs) == {f"https://ror.org/{ror}"}
    assert table.graph == iris.source_graph("cnrs", "cnrs-asean")  # the table's graph, with its provenance


def test_the_lab_an_irl_establishes_states_its_ror_id(table: SourceData) -> None:
    assert _objects(table, iris.ror_org("00m3mb357"), KG.rorId) == {"00m3mb357"}  # IPAL, from lab_ror


def test_a_body_named_by_a_slug_has_no_ror_id(table: SourceData) -> None:
    assert _objects(table, iris.local_org("institut-mines-telecom"), KG.rorId) == set()
    stated = [t for t in table.all_triples() if t.predicate == KG.rorId]
    assert len(stated) == 25  # the distinct ROR ids of parties.csv and of instruments.csv's lab_ror
    assert all(isinstance(t.object, ox.Literal) and t.subject == iris.ror_org(t.object.value) for t in stated)
