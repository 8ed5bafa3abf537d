"""The runner reads both W3C manifests (no server needed)."""

from __future__ import annotations

import httpx

from tests.conformance.runner import SUITES, Expected, check, load_manifest


def test_protocol_manifest_has_34_tests() -> None:
    cases = load_manifest(SUITES["protocol"].manifest)
    assert len(cases) == 34
    assert len({case.name for case in cases}) == 34
    assert cases[0].name == "query_post_form"
    assert cases[-1].name == "bad_update_dataset_conflict"
    assert all(case.exchanges and all(x.expected.statuses for x in case.exchanges) for case in cases)
    full = next(case for case in cases if case.name == "query_dataset_full")
    assert [d.graph.rsplit("/", 1)[-1] for d in full.graph_data] == ["data1.rdf", "data2.rdf", "data3.rdf"]
    assert all(d.file.is_file() for d in full.graph_data)


def test_graph_store_manifest_includes_direct_and_indirect_tests() -> None:
    cases = load_manifest(SUITES["graph-store"].manifest)
    assert len(cases) == 13
    assert len({case.name for case in cases}) == 13
    assert sum("DirectGraphIdentification" in case.requires for case in cases) == 4
    created = next(case for case in cases if case.name == "post_get_new_graph")
    assert created.exchanges[0].expected.location == "$LOCATION$"
    assert "$LOCATION$" in created.exchanges[1].path


def test_response_bodies_are_compared_as_graphs() -> None:
    turtle = {"content-type": "text/turtle; charset=utf-8"}
    expected = Expected(
        statuses=("OK",),
        headers=tuple(turtle.items()),
        body="@prefix ex: <http://example.org/> . [] ex:name 'Alice' .",
    )
    request = httpx.Request("GET", "http://localhost/store?default")
    same = httpx.Response(200, headers=turtle, text='_:b <http://example.org/name> "Alice" .', request=request)
    other = httpx.Response(200, headers=turtle, text='_:b <http://example.org/name> "Bob" .', request=request)
    assert check(same, expected) is None
    assert "not the expected graph" in str(check(other, expected))
    assert "expected OK, got 404" in str(check(httpx.Response(404, request=request), expected))


def test_ask_answers_are_read_from_json_and_xml() -> None:
    expected = Expected(statuses=("StatusCode2xx",), boolean=True, format="boolean")
    request = httpx.Request("POST", "http://localhost/sparql")
    json_true = httpx.Response(
        200, headers={"content-type": "application/sparql-results+json"}, text='{"boolean": true}', request=request
    )
    xml_false = httpx.Response(
        200,
        headers={"content-type": "application/sparql-results+xml"},
        text='<sparql xmlns="http://www.w3.org/2005/sparql-results#"><boolean>false</boolean></sparql>',
        request=request,
    )
    assert check(json_true, expected) is None
    assert "answered false" in str(check(xml_false, expected))
