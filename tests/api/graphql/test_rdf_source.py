"""RDF loaded as a source (``cnrs-kg load FILE.trig``): what uses the project's vocabulary is read
by GraphQL like any source's; a foreign vocabulary (SemOpenAlex) is SPARQL's only, until a
CONSTRUCT maps it into the project's terms as a source of its own.

The project's record is real: an organisation of the bundled store (Nanyang Technological
University), written out as TriG by a CONSTRUCT, then loaded into an empty store beside the
SemOpenAlex sample; the sample's institutions are then mapped by
``tests/fixtures/semopenalex/semopenalex_institutions.rq``, run and loaded as a user would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from api.app import create_app
from graph import OxigraphStore
from tests.api.graphql.conftest import GraphQL
from tests.cli.run import cnrs_kg
from tests.loaders.test_rdf import CC0, SAMPLE

NTU = "https://w3id.org/cnrs-kg/id/org/ror/02e7b5302"
SOUTHAMPTON = "https://semopenalex.org/institution/I43439940"
MAPPING = SAMPLE.with_name("semopenalex_institutions.rq")
INSTITUTION = '{ institution(ror: "02e7b5302") { iri name ror acronyms country { code } } }'


@pytest.fixture(scope="module")
def loaded(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphQL]:
    """An empty store, then the organisation's TriG (exported from the bundled store) and the sample loaded."""
    folder = tmp_path_factory.mktemp("rdf-source")
    export = folder / "ntu.trig"
    _export_ntu(bundled_store_path, export)
    store = folder / "store"
    result = cnrs_kg(store, "load", "--licence", CC0.value, str(export))
    assert result.exit_code == 0, result.output
    assert cnrs_kg(store, "load", str(SAMPLE)).exit_code == 0
    derived = cnrs_kg(store, "query", "--format", "turtle", "--file", str(MAPPING))
    assert derived.exit_code == 0, derived.output
    (folder / "semopenalex-institutions.ttl").write_text(derived.stdout, encoding="utf-8")
    result = cnrs_kg(store, "load", "--licence", CC0.value, str(folder / "semopenalex-institutions.ttl"))
    assert result.exit_code == 0, result.output
    with TestClient(create_app(store, workers=0)) as client:
        yield GraphQL(client)


def _export_ntu(bundled_store_path: Path, export: Path) -> None:
    """The organisation's statements as TriG. A function of its own: pyoxigraph's query results
    must be dropped on the thread that made them, and a fixture's frame lives until the garbage
    collector frees it, on whichever thread runs then (a GraphQL resolver's, seen in CI)."""
    with OxigraphStore(bundled_store_path, read_only=True) as bundled:
        found = bundled.query(f"CONSTRUCT {{ <{NTU}> ?p ?o }} WHERE {{ <{NTU}> ?p ?o }}")
        assert isinstance(found, ox.QueryTriples)
        graph = ox.NamedNode("https://example.org/export/ntu")
        ox.serialize([ox.Quad(t.subject, t.predicate, t.object, graph) for t in found], export, ox.RdfFormat.TRIG)


def test_an_organisation_loaded_as_rdf_answers_as_in_the_bundled_store(loaded: GraphQL, gql: GraphQL) -> None:
    answer = loaded.data(INSTITUTION)["institution"]
    assert answer["name"] == "Nanyang Technological University"
    assert answer == gql.data(INSTITUTION)["institution"]


def test_a_foreign_vocabulary_stays_sparqls(loaded: GraphQL) -> None:
    assert loaded.data(f'{{ institution(iri: "{SOUTHAMPTON}") {{ name }} }}')["institution"] is None
    ask = f"ASK {{ <{SOUTHAMPTON}> a <https://semopenalex.org/class/Institution> }}"
    assert loaded.client.get("/sparql", params={"query": ask}).json()["boolean"] is True


def test_semopenalex_mapped_into_the_projects_terms_is_graphqls(loaded: GraphQL) -> None:
    query = '{ institution(openalex: "I43439940") { iri name ror country { code } } }'
    assert loaded.data(query)["institution"] == {
        "iri": "https://w3id.org/cnrs-kg/id/org/ror/01ryk1543",
        "name": "University of Southampton",
        "ror": "01ryk1543",
        "country": {"code": "GB"},
    }
