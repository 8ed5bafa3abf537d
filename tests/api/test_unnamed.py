"""An organisation that no loaded record names has one label over HTTP: GraphQL's and its page's."""

from __future__ import annotations

import re
from html import unescape

from starlette.testclient import TestClient

# The Université du Québec: the parent that the bundled record of the Université du Québec à
# Montréal (002rjbv21) names, whose own record is not bundled; OpenAlex names it by id only.
UQ = "unnamed organisation (ROR 010gxg263)"
UQ_OPENALEX = "unnamed organisation (OpenAlex I49663120)"


def test_graphql_names_an_unnamed_parent_by_what_it_is_and_its_ids(client: TestClient) -> None:
    query = '{ institution(ror: "002rjbv21") { name parents { nodes { institution { name } } } } }'
    body = client.post("/graphql", json={"query": query}).json()
    assert "errors" not in body, body
    uqam = body["data"]["institution"]
    assert uqam["name"] == "Université du Québec à Montréal"  # its referenced record's name
    assert {p["institution"]["name"] for p in uqam["parents"]["nodes"]} == {UQ, UQ_OPENALEX}


def test_the_page_of_an_unnamed_organisation_says_so(client: TestClient) -> None:
    html = client.get("/id/org/ror/010gxg263", headers={"accept": "text/html"}).text
    title = re.search(r"<h1>(.*?)</h1>", html)
    assert title is not None
    assert unescape(title.group(1)) == UQ
