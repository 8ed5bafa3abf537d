"""The network by research field (``graph.links.fields``): a work counts fully in each of its fields,
the field tables follow every load, and the network questions read them when asked for a field.

The organisations are the bundled ROR records and countries (real); the works a real OpenAlex
record (W2741809807: Canada and the United States, topics in Decision Sciences and Computer
Science), a real HAL record (cea-00991452: French labs, HAL domains info, spi and sdv) and
synthetic works (``cnrs-kg generate``), whose country pairs by field are counted here by hand from
the generated JSON.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from pathlib import Path

import numpy as np
import pyoxigraph as ox
import pytest

from graph import OxigraphStore
from graph.analytics.fields import fields as copublication_fields
from graph.analytics.works import works_behind
from graph.errors import BadArgument
from graph.explore import Counting, partners, trend
from graph.links import current_index
from graph.links.fields import field_iri, within
from graph.links.index import LinkIndex
from graph.links.table import LinkTable, Nodes, unpack
from graph.writing import write_sources
from loaders import SourceData, load_path
from loaders.bundled import bundled_sources
from loaders.openalex.synthetic import generate_works, iter_works
from ontology import KG, iris

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STATE_OF_OA = FIXTURES / "openalex" / "W2741809807.json"
CEA_PAPER = FIXTURES / "hal" / "cea-00991452_confPaper.xml"
CA, US, FR = (iris.country(code).value for code in ("CA", "US", "FR"))
COMPUTER_SCIENCE, DECISION_SCIENCES, PHYSICS = (field_iri(str(n)) for n in (17, 18, 31))
COUNTRY_KIND = 2  # the kind number of a country-country link (``graph.links.KINDS``)


@pytest.fixture(scope="module")
def organisations() -> list[SourceData]:
    return [d for s in bundled_sources() if s.kind in ("ror", "countries") for d in load_path(s.path, s.kind)]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("works")
    files = {"a": folder / "a.jsonl", "b": folder / "b.jsonl"}
    generate_works(150, files["a"], seed=3)
    generate_works(90, files["b"], seed=4, first_year=2012)
    return files


def rows(table: LinkTable, nodes: Nodes) -> set[tuple[int, int, str, str, int, float, bool]]:
    years, kinds, a, b = unpack(np.asarray(table.keys))
    return {
        (y, k, nodes.iris[s], nodes.iris[t], int(full), round(float(frac), 6), bool(internal))
        for y, k, s, t, full, frac, internal in zip(
            years.tolist(),
            kinds.tolist(),
            a.tolist(),
            b.tolist(),
            table.full,
            table.fractional,
            table.internal,
            strict=True,
        )
    }


def index_of_store(store: OxigraphStore) -> LinkIndex:
    index = current_index(store)
    assert index is not None
    return index


def field_rows(store: OxigraphStore) -> dict[str, set[tuple[int, int, str, str, int, float, bool]]]:
    index = index_of_store(store)
    assert index.years.fields is not None
    return {name: rows(table, index.nodes) for name, table in index.years.fields.items()}


def test_a_work_counts_fully_in_each_of_its_fields(organisations: list[SourceData]) -> None:
    both = OxigraphStore(None)
    write_sources(both, [*organisations, *load_path(STATE_OF_OA, "openalex"), *load_path(CEA_PAPER, "hal")])
    alone = {}
    for name, path, kind in (("openalex", STATE_OF_OA, "openalex"), ("hal", CEA_PAPER, "hal")):
        store = OxigraphStore(None)
        write_sources(store, [*organisations, *load_path(path, kind)])
        index = index_of_store(store)
        alone[name] = rows(index.years, index.nodes)
    by_field = field_rows(both)
    # Each field holds the whole of its works' links, counted by the rules of all works.
    assert by_field[COMPUTER_SCIENCE] == by_field[DECISION_SCIENCES] == alone["openalex"]
    for domain in ("info", "spi", "sdv"):
        assert by_field[field_iri(domain)] == alone["hal"]
    assert set(by_field) == {COMPUTER_SCIENCE, DECISION_SCIENCES, *(field_iri(d) for d in ("info", "spi", "sdv"))}
    # By hand: the 2018 record joins Canada and the United States, 1 in full and fractional counting.
    assert (2018, COUNTRY_KIND, CA, US, 1, 1.0, False) in by_field[COMPUTER_SCIENCE]
    assert len(alone["hal"]) > 3  # the CEA, bioMérieux and CNRS labs: ties, not a vacuous pass


def hand_counts(paths: list[Path]) -> dict[str, Counter[tuple[str, str]]]:
    """Each field's country pairs, from the generated JSON: the works naming both countries. A work
    in two files (the generator numbers works from 1) has the countries and fields of both."""
    works: dict[str, tuple[set[str], set[str]]] = {}
    for path in paths:
        for work in iter_works(path):
            countries, fields = works.setdefault(work["id"], (set(), set()))
            countries.update(iris.country(c).value for a in work["authorships"] for c in a["countries"])
            fields.update(field_iri(t["field"]["id"]) for t in work["topics"])
    found: dict[str, Counter[tuple[str, str]]] = {}
    for countries, fields in works.values():
        for field in fields:
            found.setdefault(field, Counter()).update(combinations(sorted(countries), 2))
    return found


def country_pairs(table: set[tuple[int, int, str, str, int, float, bool]]) -> Counter[tuple[str, str]]:
    summed: Counter[tuple[str, str]] = Counter()
    for _, kind, a, b, full, _, _ in table:
        if kind == COUNTRY_KIND:
            summed[(a, b)] += full
    return summed


def test_field_tables_of_generated_works_equal_hand_counts(
    organisations: list[SourceData], generated: dict[str, Path], tmp_path: Path
) -> None:
    store = OxigraphStore(tmp_path / "store")
    write_sources(store, organisations)
    write_sources(store, load_path(generated["a"], "openalex"))
    write_sources(store, load_path(generated["b"], "openalex"))  # an increment
    by_field = field_rows(store)
    expected = hand_counts([generated["a"], generated["b"]])
    assert {field for field, pairs in expected.items() if pairs} == {f for f, t in by_field.items() if country_pairs(t)}
    for field, pairs in expected.items():
        assert country_pairs(by_field.get(field, set())) == +pairs
    assert sum(sum(pairs.values()) for pairs in expected.values()) > 100  # not a vacuous pass

    # Loads one after the other equal one recount, and the index on disk holds the fields.
    recounted = OxigraphStore(None)
    write_sources(recounted, [*organisations, *load_path(generated["a"], "openalex")])
    write_sources(recounted, load_path(generated["b"], "openalex"))
    once = OxigraphStore(None)
    write_sources(
        once, [*organisations, *load_path(generated["a"], "openalex"), *load_path(generated["b"], "openalex")]
    )
    assert field_rows(once) == by_field == field_rows(recounted)
    store.close()
    assert field_rows(OxigraphStore(tmp_path / "store", read_only=True)) == by_field


def test_the_questions_read_the_field_asked(organisations: list[SourceData]) -> None:
    store = OxigraphStore(None)
    write_sources(store, [*organisations, *load_path(STATE_OF_OA, "openalex")])
    # The one work is in Computer Science: the field's partners are all partners, none in Physics.
    found = [(p.node.iri, p.weight) for p in partners(store, CA, field="https://openalex.org/fields/17")]
    assert (US, 1.0) in found
    assert found == [(p.node.iri, p.weight) for p in partners(store, CA)]
    assert list(partners(store, CA, field="31")) == []
    assert trend(store, CA, US, field="fields/18") == {2018: 1.0}
    assert trend(store, CA, US, field="26", counting=Counting.FRACTIONAL) == {}
    answer = copublication_fields(store, CA, US)
    assert [(f.field, f.works, f.fractional, f.per_year, f.instruments) for f in answer.fields] == [
        (COMPUTER_SCIENCE, 1.0, 1.0, {2018: 1.0}, []),
        (DECISION_SCIENCES, 1.0, 1.0, {2018: 1.0}, []),
    ]
    assert answer.instruments == []
    with within(PHYSICS):
        assert trend(store, CA, US) == {}
    assert trend(store, CA, US) == {2018: 1.0}  # the field is in effect within the block only


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("99", "field '99' is not an OpenAlex field"),
        ("info.info-ai", "is a HAL subdomain: the network counts top-level domains; give 'info'"),
        ("physics", "field 'physics' is unknown: give an OpenAlex field id"),
    ],
)
def test_a_bad_field_is_one_clear_line(given: str, message: str) -> None:
    with pytest.raises(BadArgument, match=message):
        field_iri(given)


def test_an_index_without_fields_says_to_refresh() -> None:
    index = LinkIndex(3, Nodes(), LinkTable.of([1], [1], [1.0], [False]))  # read back from RDF: no fields
    with pytest.raises(BadArgument, match="run cnrs-kg network --refresh"):
        index.of_field(COMPUTER_SCIENCE)
    assert LinkIndex(3, Nodes(), LinkTable.of([], [], [], [])).of_field(COMPUTER_SCIENCE).years.keys.size == 0


def test_the_works_behind_a_field_figure_are_the_works_it_counts(
    organisations: list[SourceData], generated: dict[str, Path]
) -> None:
    """For the three fields with most links among the generated works, every pair of each field's table
    lists as many works as its figure counts, weighing its fractional figure, each of them in the field."""
    store = OxigraphStore(None)
    write_sources(store, [*organisations, *load_path(generated["a"], "openalex")])
    fields = index_of_store(store).years.fields
    assert fields
    checked = 0
    for field in sorted(fields, key=lambda name: -len(fields[name]))[:3]:
        summed: dict[tuple[str, str], list[float]] = {}
        for _, _, a, b, full, fractional, _ in field_rows(store)[field]:
            pair = summed.setdefault((a, b), [0, 0.0])
            pair[0] += full
            pair[1] += fractional
        for (a, b), (count, fractional) in summed.items():
            found = works_behind(store, a, b, field=field)
            assert (found.full, found.field) == (count, field), (field, a, b)
            assert found.weight(Counting.FRACTIONAL) == pytest.approx(fractional, abs=1e-5)
            for work in found.works:
                assert ox.NamedNode(field) in {q.object for q in store.match(ox.NamedNode(work.iri), KG.researchField)}
            checked += 1
        every = works_behind(store, *next(iter(summed)))  # the same pair over every field holds as many or more
        assert every.full >= summed[next(iter(summed))][0]
    assert checked > 50  # not a vacuous pass
    assert "kg:researchField ?field" in found.explain()
    assert f"<{field}>" in found.explain()
