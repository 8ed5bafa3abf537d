"""The Virtuoso facts the remote backend relies on, each checked on a running server with bundled records.

The record: two ROR organisations (Clique Clinic, Malaysia; Institut Pasteur du Laos) and the
description of their source graph, as the bundled store holds them (gYear, decimal, date, boolean,
English, French and Lao labels, a 626-character description). The differences from Oxigraph found
here are listed in tests/engines/virtuoso.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from graph import OxigraphStore
from ontology.iris import GRAPH, ID
from tests.engines.virtuoso import VirtuosoServer, running_virtuoso

SOURCE = ox.NamedNode(GRAPH + "ror/ror_asean_schema_v2.json")
CLINIC = ox.NamedNode(ID + "org/ror/01fz5jz41")
PASTEUR = ox.NamedNode(ID + "org/ror/02qkn0e91")
SYNTHETIC = ox.NamedNode("https://w3id.org/cnrs-kg/ontology#synthetic")
ROR_STATUS = ox.NamedNode("https://w3id.org/cnrs-kg/ontology#rorStatus")
LATITUDE = ox.NamedNode("https://schema.org/latitude")
XSD = "http://www.w3.org/2001/XMLSchema#"
JSON_RESULTS = "application/sparql-results+json"
HARD_LIMIT_SECONDS = 6  # the server's MaxQueryExecutionTime: short, so the test of it stays short
# A cross product of Virtuoso's own ~2,500 system triples with themselves, thrice: never finishes in time.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
VIRTRDF = "<http://www.openlinksw.com/schemas/virtrdf#>"  # one of Virtuoso's own graphs
CUT_SHORT = f"""SELECT * WHERE {{
  {{ SELECT ?s WHERE {{ GRAPH {VIRTRDF} {{ ?s a ?c }} }} LIMIT 3 }}
  UNION {{ SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {VIRTRDF} {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} }} }}
}}"""
DEFAULT_EXCLUDE = f"DEFINE input:default-graph-exclude {VIRTRDF}\n"
NAMED_EXCLUDE = f"DEFINE input:named-graph-exclude {VIRTRDF}\n"
ASEAN_MEMBERSHIP = ox.NamedNode(GRAPH + "countries/asean_membership.csv")
START_DATE = ox.NamedNode("https://schema.org/startDate")


@pytest.fixture(scope="module")
def virtuoso() -> Iterator[VirtuosoServer]:
    with running_virtuoso(query_seconds=HARD_LIMIT_SECONDS) as server:
        yield server


@pytest.fixture(scope="module")
def record(bundled_store_path: Path) -> set[ox.Triple]:
    with OxigraphStore(bundled_store_path, read_only=True) as store:
        return {quad.triple for subject in (CLINIC, PASTEUR, SOURCE) for quad in store.match(subject, graph=SOURCE)}


@pytest.fixture(scope="module")
def loaded(virtuoso: VirtuosoServer, record: set[ox.Triple]) -> VirtuosoServer:
    """The server with the record in its source graph (tests must not change that graph)."""
    put_graph(virtuoso, SOURCE, record).raise_for_status()
    return virtuoso


def scratch(name: str) -> ox.NamedNode:
    """A graph of one test's own, beside the real ones."""
    return ox.NamedNode(f"{GRAPH}test/{name}")


def n_triples(triples: set[ox.Triple]) -> str:
    text = ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES)
    assert text is not None  # given no output file, serialize returns the bytes
    return text.decode()


def put_graph(
    server: VirtuosoServer, graph: ox.NamedNode, triples: set[ox.Triple], client: httpx.Client | None = None
) -> httpx.Response:
    """PUT as the writing account; a shared ``client`` answers the digest challenge once, not per graph."""
    if client is None:
        with httpx.Client(auth=server.auth()) as own:
            return put_graph(server, graph, triples, own)
    return client.put(
        server.graph_store,
        params={"graph": graph.value},
        content=n_triples(triples).encode(),
        headers={"Content-Type": "application/n-triples"},
    )


def get_graph(server: VirtuosoServer, graph: ox.NamedNode) -> httpx.Response:
    return httpx.get(
        server.graph_store_read, params={"graph": graph.value}, headers={"Accept": "application/n-triples"}
    )


def parse_triples(body: bytes) -> set[ox.Triple]:
    return {quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)}


def update(server: VirtuosoServer, text: str) -> httpx.Response:
    return httpx.post(server.update_endpoint, data={"update": text}, auth=server.auth(), timeout=30)


def ask_raw(server: VirtuosoServer, query: str, **params: str) -> httpx.Response:
    return httpx.get(server.query_endpoint, params={"query": query, **params}, headers={"Accept": JSON_RESULTS})


def select(server: VirtuosoServer, query: str) -> list[ox.QuerySolution]:
    answer = ask_raw(server, query)
    answer.raise_for_status()
    solutions = ox.parse_query_results(answer.content, format=ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    return list(solutions)


def construct(server: VirtuosoServer, query: str) -> set[ox.Triple]:
    answer = httpx.get(server.query_endpoint, params={"query": query}, headers={"Accept": "application/n-triples"})
    answer.raise_for_status()
    assert answer.headers["content-type"].startswith("application/n-triples")
    return parse_triples(answer.content)


def graph_content(server: VirtuosoServer, graph: ox.NamedNode) -> set[ox.Triple]:
    return construct(server, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")


def asks_true(server: VirtuosoServer, query: str) -> bool:
    """Virtuoso's ASK answer: a row binding ``__ASK_RETVAL`` to 1 when true, no row when false."""
    rows = select(server, query)
    assert all(row["__ASK_RETVAL"] == ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")) for row in rows)
    return bool(rows)


def test_the_record_holds_every_datatype_the_checks_need(record: set[ox.Triple]) -> None:
    datatypes = {t.object.datatype.value for t in record if isinstance(t.object, ox.Literal)}
    languages = {t.object.language for t in record if isinstance(t.object, ox.Literal) and t.object.language}
    assert {XSD + "gYear", XSD + "decimal", XSD + "date", XSD + "boolean"} <= datatypes
    assert {"en", "fr", "lo"} <= languages
    assert max(len(t.object.value) for t in record if isinstance(t.object, ox.Literal)) > 600


def test_the_bundled_store_round_trips_through_the_graph_store_but_its_empty_graphs(bundled_store_path: Path) -> None:
    """Every graph PUT and read back equal, on a server of its own; the bookkeeping's empty graphs vanish."""
    with OxigraphStore(bundled_store_path, read_only=True) as store:
        graphs = [graph for graph in store.raw.named_graphs() if isinstance(graph, ox.NamedNode)]
        contents = {graph: {quad.triple for quad in store.quads(graph)} for graph in graphs}
    assert any(not triples for triples in contents.values())  # the `_meta/changed?...` graphs
    with running_virtuoso() as server, httpx.Client(auth=server.auth(), timeout=60) as client:
        for graph, triples in contents.items():
            assert put_graph(server, graph, triples, client).status_code == 201  # also for an empty graph...
        for graph, triples in contents.items():
            got = get_graph(server, graph)
            assert (got.status_code, parse_triples(got.content) if got.status_code == 200 else set()) == (
                (200, triples) if triples else (404, set())  # ...which is not there to GET
            )


def test_graph_store_put_get_delete(virtuoso: VirtuosoServer, record: set[ox.Triple]) -> None:
    graph = scratch("graph-store")
    assert put_graph(virtuoso, graph, record).status_code == 201
    assert put_graph(virtuoso, graph, record).status_code == 200  # replaced
    got = get_graph(virtuoso, graph)
    assert got.status_code == 200
    assert parse_triples(got.content) == record
    assert httpx.delete(virtuoso.graph_store, params={"graph": graph.value}, auth=virtuoso.auth()).status_code == 200
    assert get_graph(virtuoso, graph).status_code == 404


def test_construct_as_n_triples_round_trips_the_record(loaded: VirtuosoServer, record: set[ox.Triple]) -> None:
    """gYear, decimal, date, boolean, language tags, Lao script and the long description come back equal."""
    assert graph_content(loaded, SOURCE) == record


def test_select_answers_json_with_booleans_as_0_and_1(loaded: VirtuosoServer, record: set[ox.Triple]) -> None:
    rows = select(loaded, f"SELECT ?p ?o WHERE {{ GRAPH {SOURCE} {{ {CLINIC} ?p ?o }} }}")
    assert {ox.Triple(CLINIC, row["p"], row["o"]) for row in rows} == {t for t in record if t.subject == CLINIC}
    raw = ask_raw(loaded, f"SELECT ?o ?text WHERE {{ {SOURCE} {SYNTHETIC} ?o BIND(STR(?o) AS ?text) }}").json()
    (binding,) = raw["results"]["bindings"]
    assert binding["o"] == {"type": "typed-literal", "datatype": XSD + "boolean", "value": "0"}
    assert binding["text"]["value"] == "false"  # what the graph holds, as CONSTRUCT and STR() show


def test_ask_is_answered_as_a_one_column_select(loaded: VirtuosoServer) -> None:
    raw = ask_raw(loaded, f"ASK {{ {CLINIC} ?p ?o }}").json()
    assert "boolean" not in raw
    assert raw["head"]["vars"] == ["__ASK_RETVAL"]
    assert asks_true(loaded, f"ASK {{ {CLINIC} ?p ?o }}")
    assert not asks_true(loaded, f"ASK {{ {CLINIC} {SYNTHETIC} ?o }}")


def test_insert_data_and_delete_data(virtuoso: VirtuosoServer, record: set[ox.Triple]) -> None:
    graph = scratch("insert-delete")
    clinic = n_triples({t for t in record if t.subject == CLINIC})
    assert update(virtuoso, f"INSERT DATA {{ GRAPH {graph} {{ {clinic} }} }}").status_code == 200
    assert graph_content(virtuoso, graph) == {t for t in record if t.subject == CLINIC}
    assert update(virtuoso, f"DELETE DATA {{ GRAPH {graph} {{ {clinic} }} }}").status_code == 200
    assert graph_content(virtuoso, graph) == set()


def test_anonymous_endpoints_are_read_only(virtuoso: VirtuosoServer, record: set[ox.Triple]) -> None:
    insert = f"INSERT DATA {{ GRAPH {scratch('anonymous')} {{ {n_triples(record)} }} }}"
    refused = httpx.post(virtuoso.query_endpoint, data={"update": insert})
    assert refused.status_code == 500  # not 403: Virtuoso answers a missing role as a failed procedure call
    assert "SR186:SECURITY" in refused.text
    as_basic = httpx.post(virtuoso.update_endpoint, data={"update": insert}, auth=(virtuoso.user, virtuoso.password))
    assert as_basic.status_code == 401  # digest only
    assert put_graph(virtuoso, scratch("anonymous"), record).status_code == 201  # the account may write
    anonymous_put = httpx.put(
        virtuoso.graph_store_read,
        params={"graph": scratch("anonymous").value},
        content=n_triples(record).encode(),
        headers={"Content-Type": "application/n-triples"},
    )
    assert anonymous_put.status_code == 403


def test_syntax_error_is_400_in_plain_text(virtuoso: VirtuosoServer) -> None:
    answer = ask_raw(virtuoso, f"SELECT * WHERE {{ {CLINIC} ?p }}")
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/plain")
    assert "SP030" in answer.text


def test_numbers_and_booleans_are_stored_as_values(virtuoso: VirtuosoServer, record: set[ox.Triple]) -> None:
    """The clinic's latitude written with a trailing zero comes back without it (Oxigraph keeps the text)."""
    (latitude,) = (t.object for t in record if t.subject == CLINIC and t.predicate == LATITUDE)
    assert isinstance(latitude, ox.Literal)
    graph = scratch("canonical")
    written = ox.Literal(latitude.value + "0", datatype=ox.NamedNode(XSD + "decimal"))
    true_as_1 = ox.Literal("1", datatype=ox.NamedNode(XSD + "boolean"))
    assert update(
        virtuoso,
        f"INSERT DATA {{ GRAPH {graph} {{ {CLINIC} {LATITUDE} {written} . {SOURCE} {SYNTHETIC} {true_as_1} }} }}",
    ).is_success
    assert graph_content(virtuoso, graph) == {
        ox.Triple(CLINIC, LATITUDE, latitude),
        ox.Triple(SOURCE, SYNTHETIC, ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))),
    }


def test_a_string_typed_literal_is_not_the_simple_literal(virtuoso: VirtuosoServer) -> None:
    graph = scratch("xsd-string")
    typed = ox.Literal("active", datatype=ox.NamedNode(XSD + "string"))
    assert str(typed) == '"active"'  # one term for Oxigraph (RDF 1.1): it never writes ^^xsd:string
    assert update(
        virtuoso, f'INSERT DATA {{ GRAPH {graph} {{ {PASTEUR} {ROR_STATUS} "active"^^<{XSD}string> }} }}'
    ).is_success
    assert select(virtuoso, f'SELECT ?s WHERE {{ GRAPH {graph} {{ ?s {ROR_STATUS} "active" }} }}') == []
    assert (
        len(select(virtuoso, f'SELECT ?s WHERE {{ GRAPH {graph} {{ ?s {ROR_STATUS} "active"^^<{XSD}string> }} }}')) == 1
    )


def test_datatype_of_a_language_tagged_literal_is_unbound(loaded: VirtuosoServer) -> None:
    rows = select(
        loaded,
        f"SELECT ?o (DATATYPE(?o) AS ?type) WHERE {{ GRAPH {SOURCE} {{ {PASTEUR} ?p ?o FILTER(LANG(?o) = 'lo') }} }}",
    )
    assert [row["o"] for row in rows] == [ox.Literal("ສະຖາບັນ ປັດສະເຕີ ລາວ", language="lo")]
    assert rows[0]["type"] is None  # rdf:langString for Oxigraph and SPARQL 1.1


def test_default_graph_is_the_union_of_all_graphs_with_virtuosos_own(
    loaded: VirtuosoServer, record: set[ox.Triple]
) -> None:
    rows = select(loaded, f"SELECT ?p ?o WHERE {{ {CLINIC} ?p ?o }}")  # no FROM, no GRAPH
    assert {ox.Triple(CLINIC, row["p"], row["o"]) for row in rows} == {t for t in record if t.subject == CLINIC}
    graphs = {row["g"] for row in select(loaded, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert SOURCE in graphs
    assert ox.NamedNode("http://www.openlinksw.com/schemas/virtrdf#") in graphs
    (count,) = select(loaded, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(count["n"].value) > len(record) + 2000


def test_pragmas_hide_its_own_graphs_from_a_graph_variable_but_empty_a_graph_iri(loaded: VirtuosoServer) -> None:
    """``input:default-graph-exclude`` empties a ``GRAPH <iri>`` pattern; ``input:named-graph-exclude``
    alone empties the default graph; both together answer ``GRAPH ?g`` and the default graph right."""
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    about_clinic = f"SELECT ?p ?o WHERE {{ {CLINIC} ?p ?o }}"
    in_source = f"SELECT ?p ?o WHERE {{ GRAPH {SOURCE} {{ {CLINIC} ?p ?o }} }}"
    both = DEFAULT_EXCLUDE + NAMED_EXCLUDE
    listed = {row["g"] for row in select(loaded, both + graphs)}
    assert SOURCE in listed
    assert ox.NamedNode(VIRTRDF[1:-1]) not in listed
    assert len(select(loaded, both + about_clinic)) == len(select(loaded, about_clinic)) > 5
    assert select(loaded, NAMED_EXCLUDE + about_clinic) == []
    assert len(select(loaded, in_source)) > 5
    assert select(loaded, DEFAULT_EXCLUDE + in_source) == []


def test_a_filter_less_or_equal_on_dates_drops_dates_before(virtuoso: VirtuosoServer, bundled_store_path: Path) -> None:
    """``FILTER(?d <= "2019-01-01"^^xsd:date)`` misses ASEAN accession dates before it (5 of 10 in
    the bundled store), where ``<`` and ``!(?d > ...)`` find them, and the same comparison projected
    is true for each."""
    with OxigraphStore(bundled_store_path, read_only=True) as store:
        dates = {quad.triple for quad in store.match(predicate=START_DATE, graph=ASEAN_MEMBERSHIP)}
    assert put_graph(virtuoso, scratch("dates"), dates).status_code == 201
    before = f'"2019-01-01"^^<{XSD}date>'

    pattern = f"GRAPH {scratch('dates')} {{ ?m {START_DATE} ?d }}"

    def found(condition: str) -> int:
        return len(select(virtuoso, f"SELECT ?m WHERE {{ {pattern} FILTER({condition}) }}"))

    assert (len(dates), found(f"?d < {before}"), found(f"!(?d > {before})")) == (11, 10, 10)
    assert found(f"?d <= {before}") < 10
    projected = select(virtuoso, f"SELECT (?d <= {before} AS ?le) WHERE {{ {pattern} }}")
    assert sorted(str(row["le"]) for row in projected) == [f'"{bit}"^^<{XSD}integer>' for bit in "01111111111"]


def test_empty_graphs_are_invisible_to_queries(virtuoso: VirtuosoServer) -> None:
    empty, never = scratch("created-empty"), scratch("never-created")
    assert update(virtuoso, f"CREATE GRAPH {empty}").status_code == 200
    assert update(virtuoso, f"CREATE GRAPH {empty}").status_code == 500  # it was recorded...
    (row,) = select(virtuoso, "SELECT ?g WHERE { GRAPH ?g { } }")
    assert row["g"] is None  # ...but no query lists it
    assert asks_true(virtuoso, f"ASK {{ GRAPH {empty} {{ }} }}")
    assert asks_true(virtuoso, f"ASK {{ GRAPH {never} {{ }} }}")  # nor tells it from a graph never made
    assert update(virtuoso, f"DROP GRAPH {empty}").status_code == 200


def test_drop_graph_needs_silent_for_a_graph_filled_by_insert(virtuoso: VirtuosoServer, record: set[ox.Triple]) -> None:
    graph = scratch("filled")
    assert update(virtuoso, f"INSERT DATA {{ GRAPH {graph} {{ {n_triples(record)} }} }}").is_success
    refused = update(virtuoso, f"DROP GRAPH {graph}")
    assert refused.status_code == 500
    assert "has not been explicitly created before" in refused.text
    assert update(virtuoso, f"DROP SILENT GRAPH {graph}").is_success
    assert graph_content(virtuoso, graph) == set()


def swap_graphs(server: VirtuosoServer, record: set[ox.Triple], name: str) -> tuple[ox.NamedNode, ox.NamedNode]:
    """A live graph holding the clinic, and a staging graph holding the whole record."""
    live, staging = scratch(f"{name}-live"), scratch(f"{name}-staging")
    clinic = n_triples({t for t in record if t.subject == CLINIC})
    assert update(
        server, f"INSERT DATA {{ GRAPH {live} {{ {clinic} }} GRAPH {staging} {{ {n_triples(record)} }} }}"
    ).is_success
    return live, staging


def test_a_swap_by_drop_add_drop_applies_fully(virtuoso: VirtuosoServer, record: set[ox.Triple]) -> None:
    live, staging = swap_graphs(virtuoso, record, "swap")
    assert update(
        virtuoso, f"DROP SILENT GRAPH {live} ; ADD {staging} TO {live} ; DROP SILENT GRAPH {staging}"
    ).is_success
    assert graph_content(virtuoso, live) == record
    assert graph_content(virtuoso, staging) == set()


def test_a_swap_by_move_applies_fully(virtuoso: VirtuosoServer, record: set[ox.Triple]) -> None:
    live, staging = swap_graphs(virtuoso, record, "move")
    assert update(virtuoso, f"MOVE {staging} TO {live}").is_success
    assert graph_content(virtuoso, live) == record
    assert graph_content(virtuoso, staging) == set()


def test_a_failed_multi_operation_update_leaves_its_first_operations_applied(
    virtuoso: VirtuosoServer, record: set[ox.Triple]
) -> None:
    live, staging = swap_graphs(virtuoso, record, "partial")
    failed = update(virtuoso, f"DROP SILENT GRAPH {live} ; ADD {staging} TO {live} ; DROP GRAPH {staging}")
    assert failed.status_code == 500  # the last DROP: the staging graph was never created by CREATE GRAPH
    assert graph_content(virtuoso, live) == record  # not rolled back: the update is not atomic
    assert graph_content(virtuoso, staging) == record


def test_timeout_parameter_answers_incomplete_results_or_500(virtuoso: VirtuosoServer) -> None:
    """Over ``timeout``, a COUNT is answered 200 with no row (or, now and then, the count so far: 232,850,000
    of 2,500 cubed seen) and an S1TAT header, or (now and then) 500."""
    started = time.monotonic()
    answer = httpx.get(
        virtuoso.query_endpoint,
        params={"query": ENDLESS, "timeout": "500"},
        headers={"Accept": JSON_RESULTS},
        timeout=30,
    )
    assert time.monotonic() - started < HARD_LIMIT_SECONDS
    if answer.status_code == 500:
        assert "SR203: Async statement killed by SQLCancel" in answer.text
    else:
        assert answer.status_code == 200, answer.text
        assert answer.headers["x-sql-state"] == "S1TAT"  # only the headers tell it is incomplete
        assert "Returning incomplete results" in answer.headers["x-sql-message"]
        rows = answer.json()["results"]["bindings"]
        assert rows == [] or int(rows[0]["n"]["value"]) < 2500**3


def test_timeout_parameter_cuts_a_union_short_without_a_word(virtuoso: VirtuosoServer) -> None:
    """Over ``timeout``, a UNION of three rows and an endless COUNT is answered 200 with the three rows
    alone, and no header says so: an anytime answer cannot be told from a complete one. Now and then
    it is refused instead (400, S1TAT in the body): either way the backend must not send ``timeout``."""
    answer = ask_raw(virtuoso, CUT_SHORT, timeout="500")
    if answer.status_code == 400:  # now and then (observed): refused, saying it was interrupted
        assert "S1TAT" in answer.text
        assert "Returning incomplete results" in answer.text
        return
    assert answer.status_code == 200, answer.text
    assert "x-sql-state" not in answer.headers
    assert len(answer.json()["results"]["bindings"]) == 3  # a complete answer has a fourth row: the count


def test_max_query_execution_time_answers_500(virtuoso: VirtuosoServer) -> None:
    started = time.monotonic()
    answer = httpx.get(virtuoso.query_endpoint, params={"query": ENDLESS}, headers={"Accept": JSON_RESULTS}, timeout=60)
    assert HARD_LIMIT_SECONDS - 1 < time.monotonic() - started < 4 * HARD_LIMIT_SECONDS
    assert answer.status_code == 500
    assert "SR171: Transaction timed out" in answer.text
