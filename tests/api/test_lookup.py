"""``/lookup?ref=``: every form of reference ``api.refs`` reads leads to the entity's linked-data page."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient


@pytest.mark.parametrize(
    ("ref", "page"),
    [
        ("ror:02feahw73", "/id/org/ror/02feahw73"),
        ("https://ror.org/02feahw73", "/id/org/ror/02feahw73"),
        ("CNRS", "/id/org/ror/02feahw73"),
        ("hal:441569", "/id/org/ror/02feahw73"),
        ("Centre national de la recherche scientifique", "/id/org/ror/02feahw73"),
        ("VN", "/id/country/VN"),
        ("country:VNM", "/id/country/VN"),
        ("irl-ipal", "/id/instrument/irl-ipal"),
        ("10.7717/peerj.4375", "/id/work/doi/10.7717/peerj.4375"),
    ],
)
def test_a_reference_in_any_form_leads_to_its_page(client: TestClient, ref: str, page: str) -> None:
    response = client.get("/lookup", params={"ref": ref}, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == page
    assert client.get(page, headers={"Accept": "text/turtle"}).status_code == 200


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"ref": "https://ror.org/000000000"}, "ref: 'https://ror.org/000000000' is not a ROR id"),
        ({"ref": "Centre national"}, "ref: 'Centre national' names nothing in this store"),
        ({}, "ref: give one reference"),
    ],
)
def test_a_reference_that_names_nothing_is_a_400_naming_it(
    client: TestClient, params: dict[str, str], says: str
) -> None:
    response = client.get("/lookup", params=params, follow_redirects=False)
    assert response.status_code == 400
    assert says in response.text
