"""``/rules/{path}``: the rules a derived graph names (``dcterms:conformsTo``) resolve to their statement."""

from __future__ import annotations

import pyoxigraph as ox
from starlette.testclient import TestClient

from graph.links.rules import COUNTING_RULES
from graph.reconcile.derived import RULES as RECONCILIATION_RULES

CONFORMS_TO = ox.NamedNode("http://purl.org/dc/terms/conformsTo")


def test_the_counting_rules_name_the_network_graphs(client: TestClient) -> None:
    response = client.get("/rules/counting/2", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    triples = {q.triple for q in ox.parse(response.content, format=ox.RdfFormat.TURTLE)}
    rules = ox.NamedNode(COUNTING_RULES)
    graphs = {t.subject.value for t in triples if t.predicate == CONFORMS_TO and t.object == rules}
    assert "https://w3id.org/cnrs-kg/graph/network/all" in graphs
    description = next(t.object for t in triples if t.subject == rules and t.predicate.value.endswith("/description"))
    assert "How a work counts" in description.value


def test_browsers_read_the_rules_and_the_graphs_made_by_them(client: TestClient) -> None:
    html = client.get(RECONCILIATION_RULES.removeprefix("https://w3id.org/cnrs-kg"), headers={"accept": "text/html"})
    assert html.status_code == 200
    assert "A match is made when the best score is at least 0.9" in html.text
    assert 'href="/graph/reconciliation/ror"' in html.text


def test_rules_this_version_does_not_apply_are_a_404_naming_those_it_does(client: TestClient) -> None:
    response = client.get("/rules/counting/1")
    assert response.status_code == 404
    assert response.text.count("\n") == 1
    assert COUNTING_RULES in response.text
