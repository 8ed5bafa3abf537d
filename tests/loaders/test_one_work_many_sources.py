"""A work in both OpenAlex and HAL (same DOI) is one publication carrying both sources."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graph import OxigraphStore
from graph.writing import write_sources
from loaders import load_path
from ontology import PREFIXES, iris

MERGE = Path(__file__).resolve().parents[1] / "fixtures" / "merge"
PREAMBLE = "".join(f"PREFIX {p}: <{i}>\n" for p, i in PREFIXES.items())
WORK = iris.work_doi("10.7717/peerj.4375")


def rows(store: OxigraphStore, query: str) -> set[tuple[str, ...]]:
    result = store.query(PREAMBLE + query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return {tuple(row[n].value for n in names) for row in result}


def test_same_doi_is_one_publication_with_both_sources() -> None:
    store = OxigraphStore(None)
    sources = load_path(MERGE / "W2741809807.json") + load_path(MERGE / "hal-01213935-doi-of-W2741809807.xml")
    assert [s.info.kind for s in sources] == ["openalex", "hal"]
    write_sources(store, sources)
    graphs = rows(store, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ {WORK} a fabio:Expression }} }}")
    assert graphs == {(s.graph.value,) for s in sources}
    ids = rows(store, f"SELECT ?oa ?hal WHERE {{ {WORK} kg:openAlexId ?oa ; kg:halId ?hal }}")
    assert ids == {("W2741809807", "hal-01213935")}
    pages = rows(store, f"SELECT ?page WHERE {{ {WORK} dcterms:source ?page }}")
    assert pages == {("https://openalex.org/W2741809807",), ("https://hal.science/hal-01213935",)}
    # each source keeps its own authorships: they may disagree on affiliations
    per_source = rows(
        store, f"SELECT ?g (COUNT(DISTINCT ?a) AS ?n) WHERE {{ GRAPH ?g {{ {WORK} kg:hasAuthorship ?a }} }} GROUP BY ?g"
    )
    assert per_source == {(sources[0].graph.value, "9"), (sources[1].graph.value, "3")}
    # one publication node: counted once in the network of its year
    works = rows(store, "SELECT (COUNT(DISTINCT ?w) AS ?n) WHERE { ?w a fabio:Expression }")
    assert works == {("1",)}


def test_a_work_with_two_years_counts_once_in_the_earliest() -> None:
    """OpenAlex dates the merged work 2018, the HAL record 2014: its links count in 2014 only."""
    store = OxigraphStore(None)
    write_sources(
        store, load_path(MERGE / "W2741809807.json") + load_path(MERGE / "hal-01213935-doi-of-W2741809807.xml")
    )
    years = rows(store, f"SELECT ?y WHERE {{ {WORK} fabio:hasPublicationYear ?y }}")
    assert years == {("2014",), ("2018",)}  # both statements kept, each with its source
    counted = rows(store, "SELECT DISTINCT ?y WHERE { ?l kg:linkKind kg:CountryCountry ; kg:year ?y }")
    assert counted == {("2014",)}


def test_a_later_source_moving_a_work_to_an_earlier_year_updates_both_years() -> None:
    store = OxigraphStore(None)
    write_sources(store, load_path(MERGE / "W2741809807.json"))
    assert rows(store, "SELECT DISTINCT ?y WHERE { ?l kg:linkKind kg:CountryCountry ; kg:year ?y }") == {("2018",)}
    write_sources(store, load_path(MERGE / "hal-01213935-doi-of-W2741809807.xml"), with_ontology=False)
    assert rows(store, "SELECT DISTINCT ?y WHERE { ?l kg:linkKind kg:CountryCountry ; kg:year ?y }") == {("2014",)}
