"""The explorer's search box (``/explore/search``) offers every kind of seed: institutions, countries,
regions, country groups and instruments, each with its kind; the IRI it answers is a seed the export
takes (on a copy of the bundled store, served by the app)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from api.export import SEARCH_KINDS
from graph.search import KINDS
from ontology import iris

ASEAN = {"iri": f"{iris.ID}group/asean", "label": "Association of Southeast Asian Nations", "kind": "group"}
IPAL = {"iri": f"{iris.ID}instrument/irl-ipal", "label": "IPAL (Image and Pervasive Access Lab)", "kind": "instrument"}
SOUTH_EAST_ASIA = {"iri": f"{iris.ID}area/m49/035", "label": "South-eastern Asia", "kind": "region"}


def found(client: TestClient, text: str) -> list[dict[str, str]]:
    response = client.get("/explore/search", params={"q": text})
    assert response.status_code == 200, response.text
    hits: list[dict[str, str]] = response.json()
    return hits


def test_every_kind_of_seed_is_offered() -> None:
    assert set(SEARCH_KINDS) == set(KINDS) == {"institution", "country", "region", "group", "instrument"}


def test_a_group_first_by_its_acronym(client: TestClient) -> None:
    hits = found(client, "asean")
    assert hits[0] == ASEAN
    # the organisation of the same name stays an institution, told apart by its kind
    assert {"institution", "group", "instrument"} <= {hit["kind"] for hit in hits}


def test_an_instrument_by_its_acronym(client: TestClient) -> None:
    assert IPAL in found(client, "ipal")


def test_a_region_by_its_name(client: TestClient) -> None:
    assert found(client, "south-eastern asia")[0] == SOUTH_EAST_ASIA


@pytest.mark.parametrize("hit", [ASEAN, IPAL, SOUTH_EAST_ASIA], ids=lambda hit: hit["kind"])
def test_the_iri_found_is_a_seed_of_the_export(client: TestClient, hit: dict[str, str]) -> None:
    """What the page sends as ``seeds`` when a suggestion is chosen: the hit's IRI, at both levels."""
    for level in ("institution", "country"):
        response = client.get(
            "/export/network.graphology.json",
            params={"seeds": hit["iri"], "hops": "0", "include": "copublication", "level": level},
        )
        assert response.status_code == 200, response.text
        graph = response.json()
        assert graph["attributes"]["seeds"] == [hit["iri"]]
        assert graph["nodes"], f"{hit['iri']} stands for nothing at the {level} level"
