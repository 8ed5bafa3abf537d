"""The remote store (``graph.remote``) on a real ``oxigraph serve`` and a real Virtuoso: the
store-level behaviours of ``test_store`` on the embedded store and both engines alike, the bookkeeping
kept as statements, the time budget, and ``cnrs-kg load``/``stats``/``query`` and the API giving the
same answers on each.

Virtuoso (``tests.engines.virtuoso``) is written to as an office runs it: through its authenticated
endpoints, with digest credentials from the environment, never on a command line."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.auth import WritePolicy
from api.testing import background_server, cnrs_kg_command
from graph import (
    Backend,
    GraphContent,
    GraphPatch,
    OxigraphStore,
    QueryError,
    QueryTimeout,
    ResultTooLarge,
    StoreOpenError,
)
from graph.meta import RESERVED, WriteKey
from graph.remote import PASSWORD_ENV, USER_ENV, RemoteStore, StoreUnreachable
from graph.remote.client import credentials
from graph.remote.store import BOOKKEEPING, STAGING, staging_graph
from graph.sparql import DROP_GRAPH, bind
from ontology.iris import GRAPH, source_graph
from tests.engines.oxigraph import free_port, oxigraph_serve
from tests.engines.virtuoso import VirtuosoServer, running_virtuoso

G1 = ox.NamedNode("https://w3id.org/cnrs-kg/graph/test/one")
G2 = ox.NamedNode("https://w3id.org/cnrs-kg/graph/test/two")
S = ox.NamedNode("https://w3id.org/cnrs-kg/id/org/ror/02feahw73")
P = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
EXAMPLES = Path(__file__).parents[2] / "examples"
DATA = Path(__file__).parents[2] / "data"
HEALTH = ("status", "generation", "graphs", "statements", "network")
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # hours over 300 triples
HEAVY_FOR_VIRTUOSO = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # seconds over 300
JSON = "application/sparql-results+json"
ASEAN_MEMBERSHIP = source_graph("countries", "asean_membership.csv")  # the bundled load's second source
ENGINE_TIMEOUT = 5  # seconds: the engine's own budget, so that a query we stopped does not burn on


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One ``oxigraph serve`` for the module; each test empties it first (``remote``)."""
    with oxigraph_serve(tmp_path_factory.mktemp("oxigraph") / "data", timeout_s=ENGINE_TIMEOUT) as url:
        yield url


@pytest.fixture
def remote(engine: str) -> Iterator[RemoteStore]:
    with RemoteStore(engine) as store:
        store._client.update("DROP ALL")
        store.bookkeeping()
        yield store


@pytest.fixture(scope="module")
def virtuoso() -> Iterator[VirtuosoServer]:
    """One Virtuoso for the module's store-level tests; each test empties it first (``on_virtuoso``).
    Its query limit is the default minute: a read waits for a load's write locks, and failed with
    SR171 (transaction timed out) behind one under a 5 s limit; our budget is sent with each query."""
    with running_virtuoso() as server:
        yield server


def virtuoso_env(server: VirtuosoServer) -> dict[str, str]:
    """The environment that gives cnrs-kg the writing account's credentials."""
    return {USER_ENV: server.user, PASSWORD_ENV: server.password}


def virtuoso_writes(server: VirtuosoServer) -> list[str]:
    """The options (before the command) that name Virtuoso's authenticated endpoints."""
    return ["--update-endpoint", server.update_endpoint, "--graph-store", server.graph_store]


def open_virtuoso(server: VirtuosoServer, **options: Any) -> RemoteStore:
    return RemoteStore(
        server.query_endpoint, update_endpoint=server.update_endpoint, graph_store=server.graph_store, **options
    )


@pytest.fixture
def on_virtuoso(virtuoso: VirtuosoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[RemoteStore]:
    """The store on Virtuoso, emptied graph by graph (its ``DROP ALL`` drops nothing)."""
    for name, value in virtuoso_env(virtuoso).items():
        monkeypatch.setenv(name, value)
    with open_virtuoso(virtuoso) as store:
        graphs = select(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        for (graph,) in graphs:
            store._client.update(bind(DROP_GRAPH, GRAPH=ox.NamedNode(graph)))
        store.bookkeeping()
        yield store


@pytest.fixture(params=["embedded", "remote", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "embedded":
        with OxigraphStore(tmp_path / "s") as embedded:
            yield embedded
    else:
        yield request.getfixturevalue("remote" if request.param == "remote" else "on_virtuoso")


@pytest.fixture(params=[False, True], ids=["first-load", "reload"])
def preloaded(request: pytest.FixtureRequest, store: Backend) -> bool:
    """Both write paths: a graph written for the first time, and one that holds data."""
    if request.param:
        store.replace_graphs([GraphContent(G1, triples("earlier")), GraphContent(G2, triples("earlier"))])
    value: bool = request.param
    return value


def triples(*labels: str) -> list[ox.Triple]:
    return [ox.Triple(S, P, ox.Literal(label)) for label in labels]


def select(store: Backend, sparql: str, **options: Any) -> list[list[str]]:
    """The rows of a SELECT, each the values of its variables in order."""
    result = store.query(sparql, **options)
    assert isinstance(result, ox.QuerySolutions)
    return [[term.value if term is not None else "" for term in row] for row in result]


def labels(store: Backend, graph: ox.NamedNode | None = None) -> set[str]:
    pattern = "?s ?p ?l" if graph is None else f"GRAPH {graph} {{ ?s ?p ?l }}"
    return {row[0] for row in select(store, f"SELECT ?l WHERE {{ {pattern} FILTER(isLiteral(?l)) }}")}


def test_remote_store_is_a_backend(remote: RemoteStore) -> None:
    assert isinstance(remote, Backend)


def test_replace_is_idempotent(store: Backend, preloaded: bool) -> None:
    first = store.replace_graphs([GraphContent(G1, triples("CNRS", "Centre national"))])
    generation = store.bookkeeping().generation
    again = store.replace_graphs([GraphContent(G1, triples("CNRS", "Centre national"))])
    assert (first[0].added, first[0].after) == (2, 2)
    assert not again[0].changed
    assert store.bookkeeping().generation == generation  # an unchanged reload writes nothing
    assert store.graph_sizes()[G1.value] == 2


def test_replace_reports_added_and_removed(store: Backend, preloaded: bool) -> None:
    store.replace_graphs([GraphContent(G1, triples("a", "b"))])
    change = store.replace_graphs([GraphContent(G1, triples("b", "c", "d"))])[0]
    assert (change.before, change.after, change.added, change.removed) == (2, 3, 2, 1)


def test_emptied_source_drops_its_graph(store: Backend, preloaded: bool) -> None:
    store.replace_graphs([GraphContent(G1, triples("a")), GraphContent(G2, triples("b"))])
    change = store.replace_graphs([GraphContent(G1, [])])[0]
    assert (change.before, change.after, change.removed) == (1, 0, 1)
    assert store.graph_sizes() == {G2.value: 1}


def test_literals_with_quotes_and_newlines_round_trip(store: Backend, preloaded: bool) -> None:
    tricky = ['say "hi"', "line\nbreak", "back\\slash } .", "Nguyễn", "} ; DROP ALL ; INSERT DATA {"]
    store.replace_graphs([GraphContent(G1, triples(*tricky))])
    assert labels(store, G1) == set(tricky)


def test_fresh_graph_counts_distinct_statements(store: Backend) -> None:
    change = store.replace_graphs([GraphContent(G1, iter(triples("a", "a", "b")))])[0]
    assert (change.before, change.after, change.added) == (0, 2, 2)


def test_replacing_a_graph_that_holds_blank_nodes(store: Backend) -> None:
    blank = ox.BlankNode()
    store.replace_graphs([GraphContent(G1, [ox.Triple(blank, P, ox.Literal("x")), *triples("kept")])])
    change = store.replace_graphs([GraphContent(G1, triples("kept", "new"))])[0]
    assert (change.before, change.after, change.added, change.removed) == (2, 2, 1, 1)
    assert labels(store, G1) == {"kept", "new"}


def test_a_failed_load_leaves_the_previous_graphs(store: Backend) -> None:
    def broken() -> Iterator[ox.Triple]:
        yield from triples("new")
        raise ValueError("malformed record")

    store.replace_graphs([GraphContent(G1, triples("old")), GraphContent(G2, triples("other"))])
    before = store.graph_sizes()
    with pytest.raises(ValueError, match="malformed record"):
        store.replace_graphs([GraphContent(G2, triples("x", "y")), GraphContent(G1, broken())])
    assert store.graph_sizes() == before
    assert labels(store) == {"old", "other"}


def test_every_write_records_its_generation_and_graphs(store: Backend) -> None:
    store.replace_graphs([GraphContent(G1, triples("a"))])
    store.replace_graphs([GraphContent(G2, triples("b"))], derived={G2.value: 1})
    book = store.bookkeeping()
    assert (book.generation, store.generation) == (2, 2)
    assert book.changed == {G1.value: 1, G2.value: 2}
    assert book.derived == {G2.value: 1}
    assert book.modified is not None


def test_bookkeeping_is_kept_as_statements_in_a_reserved_graph(remote: RemoteStore, engine: str) -> None:
    remote.replace_graphs([GraphContent(G1, triples("a"))])
    assert remote.graph_sizes() == {G1.value: 1}  # neither the bookkeeping nor staging graphs
    held = remote.query(f"ASK {{ GRAPH {BOOKKEEPING} {{ ?record ?p ?o }} }}")
    assert isinstance(held, ox.QueryBoolean)
    assert bool(held)
    with RemoteStore(engine, read_only=True) as replica:  # another process sees the write
        assert (replica.generation, replica.bookkeeping().changed) == (1, {G1.value: 1})


def test_match_by_pattern(store: Backend) -> None:
    store.replace_graphs([GraphContent(G1, triples("a", "b")), GraphContent(G2, triples("a"))])
    assert {(q.object.value, q.graph_name.value) for q in store.match(S, P)} == {  # type: ignore[union-attr]
        ("a", G1.value),
        ("b", G1.value),
        ("a", G2.value),
    }
    assert [q.graph_name for q in store.match(obj=ox.Literal("b"))] == [G1]
    assert len(list(store.match(graph=G2))) == 1
    assert list(store.match(S, P, ox.Literal("zzz"))) == []


def test_query_forms(store: Backend) -> None:
    store.replace_graphs([GraphContent(G1, triples("1100")), GraphContent(G2, triples("1300"))])
    # Literals only: the remote store's bookkeeping is in the union too (IRIs, graph.remote.store).
    rows = select(store, "SELECT ?l ?g WHERE { GRAPH ?g { ?s ?p ?l } FILTER(isLiteral(?l)) } ORDER BY ?l")
    assert rows == [["1100", G1.value], ["1300", G2.value]]
    assert select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?l FILTER(isLiteral(?l)) }") == [["2"]]
    asked = store.query(f'ASK {{ {S} {P} "1300" }}')
    assert isinstance(asked, ox.QueryBoolean)
    assert bool(asked)
    built = store.query(f"CONSTRUCT {{ ?s ?p ?l }} WHERE {{ GRAPH {G1} {{ ?s ?p ?l }} }}")
    assert isinstance(built, ox.QueryTriples)
    assert list(built) == triples("1100")
    assert select(store, "SELECT ?l WHERE { ?s ?p ?l }", default_graphs=[G2]) == [["1300"]]


def test_substitutions_bind_values_without_string_formatting(store: Backend) -> None:
    store.replace_graphs([GraphContent(G1, triples("CNRS", "other"))])
    query = "SELECT ?s ?label WHERE { ?s ?p ?label }"
    assert select(store, query, substitutions={"label": ox.Literal("CNRS")}) == [[S.value, "CNRS"]]
    assert select(store, query, substitutions={"label": ox.Literal('CNRS" } #')}) == []


def test_substitutions_bind_before_a_sub_selects_limit(store: Backend) -> None:
    """As pyoxigraph binds them: before the LIMIT of the sub-select (the linked-data pages count so)."""
    other = ox.NamedNode("https://w3id.org/cnrs-kg/id/org/ror/00aaaaa00")
    store.replace_graphs([GraphContent(G1, [ox.Triple(other, P, ox.Literal(f"o{i}")) for i in range(5)])])
    store.replace_graphs([GraphContent(G2, triples("a", "b", "c"))])
    query = """SELECT ?entity (COUNT(*) AS ?n) WHERE {
      { SELECT ?entity ?o WHERE { ?entity ?p ?o } LIMIT 2 }
    } GROUP BY ?entity"""
    assert select(store, query, substitutions={"entity": S}) == [[S.value, "2"]]


def test_a_syntax_error_is_a_query_error(store: Backend) -> None:
    with pytest.raises(QueryError):
        store.query("SELECT WHERE {")


def test_patch_graphs(store: Backend) -> None:
    store.replace_graphs([GraphContent(G1, triples("a", "b"))])
    other = ox.NamedNode("https://w3id.org/cnrs-kg/id/org/ror/00x")
    patch = GraphPatch(G1, subjects=[S], triples=[ox.Triple(other, P, ox.Literal("c"))], lines=[f'{S} {P} "d" .\n'])
    changes = store.patch_graphs([patch], derived={G1.value: 7})
    assert [(c.before, c.after, c.added, c.removed) for c in changes] == [(2, 2, 2, 2)]
    assert labels(store, G1) == {"c", "d"}
    assert store.bookkeeping().derived == {G1.value: 7}


@pytest.fixture(params=["embedded", "remote", "virtuoso"])
def writable(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OxigraphStore | RemoteStore]:
    """The stores with the writes the HTTP API makes (SPARQL Update, Graph Store DELETE, receipts)."""
    if request.param == "embedded":
        with OxigraphStore(tmp_path / "s") as embedded:
            yield embedded
    else:
        yield request.getfixturevalue("remote" if request.param == "remote" else "on_virtuoso")


def test_an_update_commits_with_its_bookkeeping_and_receipt(writable: OxigraphStore | RemoteStore) -> None:
    key = WriteKey("key-1", "request-1", "204")
    commit = writable.update(f'INSERT DATA {{ GRAPH {G1} {{ {S} {P} "a" }} }} ;', key=key)
    assert commit.generation == 1
    assert writable.bookkeeping().changed == {G1.value: 1}
    receipt = writable.receipt("key-1")
    assert receipt is not None
    assert (receipt.generation, receipt.request) == (1, "request-1")
    assert labels(writable) == {"a"}
    with pytest.raises(QueryError):
        writable.update(f'INSERT DATA {{ GRAPH <{RESERVED}x> {{ {S} {P} "a" }} }}')
    with pytest.raises(QueryError):
        writable.update("INSERT DATA {")
    with pytest.raises(QueryError, match="update error"):
        writable.update(f"DROP GRAPH {G2}")  # no such graph
    writable.update("DROP ALL")  # the bookkeeping survives it
    assert (writable.bookkeeping().generation, writable.bookkeeping().changed_all) == (2, 2)
    assert writable.graph_sizes() == {}


def test_drop_graph(writable: OxigraphStore | RemoteStore) -> None:
    writable.replace_graphs([GraphContent(G1, triples("a")), GraphContent(G2, triples("b"))])
    assert writable.drop_graph(G2) is not None
    assert writable.drop_graph(G2) is None
    assert writable.graph_sizes() == {G1.value: 1}


def test_graph_stats(writable: OxigraphStore | RemoteStore) -> None:
    org = ox.NamedNode("http://www.w3.org/ns/org#Organization")
    typed = ox.Triple(S, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), org)
    writable.replace_graphs([GraphContent(G1, [typed, *triples("CNRS", "Centre national")])])
    stats = writable.graph_stats()
    assert list(stats) == [G1.value]
    assert (stats[G1.value].triples, stats[G1.value].classes) == (3, {org.value: 1})
    assert stats[G1.value].predicates == (typed.predicate.value, P.value)


def test_a_query_over_its_budget_is_a_query_timeout(engine: str, remote: RemoteStore) -> None:
    remote.replace_graphs([GraphContent(G1, triples(*map(str, range(300))))])
    with RemoteStore(engine, budget=0.3) as budgeted, pytest.raises(QueryTimeout, match=r"0\.3 s"):
        budgeted.query(HEAVY)


def test_the_api_answers_503_to_a_query_over_its_budget(engine: str, remote: RemoteStore) -> None:
    remote.replace_graphs([GraphContent(G1, triples(*map(str, range(300))))])
    with TestClient(create_app(engine, budget=0.3)) as client:
        answer = client.post("/sparql", data={"query": HEAVY}, headers={"Accept": JSON})
        assert answer.status_code == 503
        assert "time budget of 0.3 s" in answer.text
        assert client.get("/health").status_code == 200  # the server goes on


def test_an_engine_that_does_not_answer_is_one_clear_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreUnreachable, match="start the engine"):
        RemoteStore(url)


def test_a_wrong_update_endpoint_fails_the_load_in_one_line(engine: str, remote: RemoteStore) -> None:
    remote.replace_graphs([GraphContent(G1, triples("kept"))])
    hal = str(DATA / "publications/hal/hal-00719737.xml")
    command = cnrs_kg_command("--update-endpoint", f"{engine}/nowhere", "load", hal, "--store", engine)
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: {engine}: cannot open the store: no endpoint at {engine}/nowhere (HTTP 404); "
        "check --store, --update-endpoint, --graph-store (nothing was loaded)"
    ]
    assert remote.graph_sizes() == {G1.value: 1}


def test_an_engine_without_the_union_default_graph_is_refused_at_open(tmp_path: Path) -> None:
    location = tmp_path / "data"
    with oxigraph_serve(location) as url, RemoteStore(url) as store:
        store.replace_graphs([GraphContent(G1, triples("a"))])
    with oxigraph_serve(location, union=False) as url, pytest.raises(StoreOpenError, match="--union-default-graph"):
        RemoteStore(url)


def test_credentials_come_from_the_environment() -> None:
    assert credentials({}) is None
    bearer = credentials({"CNRS_KG_STORE_TOKEN": "s3cret"})
    assert bearer is not None
    assert "s3cret" not in repr(bearer)
    password = credentials({"CNRS_KG_STORE_USER": "kg", "CNRS_KG_STORE_PASSWORD": "pw"})
    assert password is not None
    assert "pw" not in repr(password)


def test_a_user_and_password_are_sent_as_the_engine_asks(
    engine: str, virtuoso: VirtuosoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Digest for Virtuoso (which refuses basic), nothing for an engine that asks for nothing; without
    them, Virtuoso's refusal is one line that names the variables."""
    for name, value in virtuoso_env(virtuoso).items():
        monkeypatch.setenv(name, value)
    with RemoteStore(engine) as oxigraph:  # no challenge: the credentials are never sent
        oxigraph._client.update("DROP ALL")
        oxigraph.replace_graphs([GraphContent(G1, triples("a"))])
    with open_virtuoso(virtuoso) as store:
        store.replace_graphs([GraphContent(G2, triples("b"))])
        assert labels(store, G2) == {"b"}
    monkeypatch.delenv(USER_ENV)
    with open_virtuoso(virtuoso) as anonymous, pytest.raises(StoreUnreachable, match=f"HTTP 401.*{USER_ENV}"):
        anonymous.replace_graphs([GraphContent(G2, triples("c"))])


def test_virtuoso_answers_terms_as_oxigraph_does(store: Backend) -> None:
    """Booleans (Virtuoso: 0 and 1), blank nodes (Virtuoso: nodeID://...), ASK (Virtuoso: a SELECT)."""
    flag = ox.NamedNode("https://w3id.org/cnrs-kg/ontology#synthetic")
    blank = ox.BlankNode()
    data = [ox.Triple(S, flag, ox.Literal(False)), ox.Triple(blank, P, ox.Literal("anonymous"))]
    store.replace_graphs([GraphContent(G1, data)])
    assert select(store, f"SELECT ?o WHERE {{ {S} {flag} ?o }}") == [["false"]]
    found = store.query(f"SELECT ?b WHERE {{ ?b {P} ?l }}")
    assert isinstance(found, ox.QuerySolutions)
    assert [type(row["b"]) for row in found] == [ox.BlankNode]
    for text, expected in ((f"ASK {{ {S} {flag} false }}", True), (f"ASK {{ {S} {flag} true }}", False)):
        asked = store.query(text)
        assert isinstance(asked, ox.QueryBoolean)
        assert bool(asked) is expected


def test_a_query_over_its_budget_on_virtuoso_is_a_query_timeout(
    virtuoso: VirtuosoServer, on_virtuoso: RemoteStore
) -> None:
    """Stopped on our side: Virtuoso is not sent the budget (an anytime query may be cut without a
    word), so the query is one it finishes by itself (27 million rows counted in ~2 s), not HEAVY."""
    on_virtuoso.replace_graphs([GraphContent(G1, triples(*map(str, range(300))))])
    with open_virtuoso(virtuoso, budget=0.3) as budgeted, pytest.raises(QueryTimeout, match=r"0\.3 s"):
        budgeted.query(HEAVY_FOR_VIRTUOSO)


def test_an_answer_virtuoso_cut_at_its_row_cap_is_result_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Virtuoso answers a SELECT over its ResultSetMaxRows with the first rows and a header only; the
    store refuses it as too large, and the API answers 422, never the rows cut short."""
    with running_virtuoso(max_rows=100) as small:
        for name, value in virtuoso_env(small).items():
            monkeypatch.setenv(name, value)
        with open_virtuoso(small) as store:
            store.replace_graphs([GraphContent(G1, triples(*map(str, range(150))))])
            assert len(select(store, "SELECT ?l WHERE { ?s ?p ?l FILTER(isLiteral(?l)) } LIMIT 99")) == 99
            with pytest.raises(ResultTooLarge, match="more than 100 rows"):
                store.query("SELECT ?l WHERE { ?s ?p ?l FILTER(isLiteral(?l)) }")
        with TestClient(create_app(small.query_endpoint, workers=0)) as client:
            answer = client.post(
                "/sparql", data={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"}, headers={"Accept": JSON}
            )
            assert answer.status_code == 422, answer.text[:300]


def test_a_staging_graph_left_by_a_killed_load_is_dropped_by_the_next_write(remote: RemoteStore) -> None:
    remote.replace_graphs([GraphContent(G1, triples("kept"))])
    left = staging_graph(G2)
    remote._client.post_graph(left.value, [ox.serialize(triples("half"), format=ox.RdfFormat.N_TRIPLES) or b""])
    assert remote.graph_sizes() == {G1.value: 1}
    remote.replace_graphs([GraphContent(G1, triples("kept"))])  # unchanged: still cleans up
    assert labels(remote) == {"kept"}


# --- the command line on both stores -------------------------------------------------------------


def cnrs_kg(*args: str, env: dict[str, str] | None = None) -> str:
    """Run cnrs-kg and return its output; ``env``: variables added to this process's environment."""
    environment = None if env is None else {**os.environ, **env}
    done = subprocess.run(cnrs_kg_command(*args), capture_output=True, text=True, timeout=300, env=environment)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def bundled_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An ``oxigraph serve`` that ``cnrs-kg load --bundled`` filled; tests must not write to it."""
    with oxigraph_serve(tmp_path_factory.mktemp("bundled-engine") / "data", timeout_s=ENGINE_TIMEOUT) as url:
        cnrs_kg("load", "--bundled", "--store", url)
        yield url


def test_load_stats_and_query_answer_as_the_embedded_store(bundled_engine: str, bundled_store_path: Path) -> None:
    queries = [["query", "--file", str(path)] for path in sorted(EXAMPLES.glob("*.rq"))]
    assert queries
    for args in [["stats"], *queries]:
        assert cnrs_kg(*args, "--store", bundled_engine) == cnrs_kg(*args, "--store", str(bundled_store_path))


def test_the_api_answers_the_examples_as_over_the_embedded_store(bundled_engine: str, bundled_store_path: Path) -> None:
    """SPARQL and GraphQL examples, /health and VoID, through ``create_app`` over the engine."""
    examples = sorted([*EXAMPLES.glob("*.rq"), *EXAMPLES.glob("*.graphql")])
    answers: list[list[object]] = []
    for store in (bundled_engine, bundled_store_path):
        with TestClient(create_app(store, workers=0)) as client:
            answers.append([_answer(client, path) for path in examples])
            page = client.get("/id/org/ror/02feahw73", headers={"Accept": "text/turtle"})  # substitutions
            answers[-1].append((page.status_code, page.text))
            health = client.get("/health").json()
            answers[-1].append({key: health[key] for key in HEALTH})
            void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"}).text.splitlines()
            answers[-1].append(sorted(line for line in void if "/modified>" not in line))  # the time of each load
    assert len(answers[0]) > 8
    assert answers[0] == answers[1]


# The one answer Virtuoso gives in another order: the pages of each source of irl_singapore.graphql
# (a list in the order the store returns the statements, api.graphql's ``Source.pages``); compared as sets.
UNORDERED = "pages"


def pages_as_sets(answer: object) -> object:
    """``answer`` (JSON) with every list named ``UNORDERED`` sorted."""
    if isinstance(answer, dict):
        return {k: sorted(v) if k == UNORDERED else pages_as_sets(v) for k, v in answer.items()}
    if isinstance(answer, list):
        return [pages_as_sets(item) for item in answer]
    return answer


@pytest.fixture(scope="module")
def bundled_virtuoso() -> Iterator[VirtuosoServer]:
    """A Virtuoso that ``cnrs-kg load --bundled`` filled through its authenticated endpoints; tests must
    not write to it."""
    with running_virtuoso(query_seconds=ENGINE_TIMEOUT) as server:
        load = [*virtuoso_writes(server), "load", "--bundled", "--store", server.query_endpoint]
        cnrs_kg(*load, env=virtuoso_env(server))
        yield server


def test_load_stats_and_query_on_virtuoso_answer_as_the_embedded_store(
    bundled_virtuoso: VirtuosoServer, bundled_store_path: Path
) -> None:
    """``cnrs-kg load --bundled``, ``stats`` and the example queries, over Virtuoso (anonymous reads)."""
    queries = [["query", "--file", str(path)] for path in sorted(EXAMPLES.glob("*.rq"))]
    assert len(queries) >= 6
    for args in [["stats"], *queries]:
        on_virtuoso = cnrs_kg(*args, "--store", bundled_virtuoso.query_endpoint)
        assert on_virtuoso == cnrs_kg(*args, "--store", str(bundled_store_path))


def test_the_api_over_virtuoso_answers_as_over_the_embedded_store(
    bundled_virtuoso: VirtuosoServer, bundled_store_path: Path
) -> None:
    """Every GraphQL and SPARQL example (partners and network among them), /health and VoID through
    ``create_app``; the pages of a source as sets (``UNORDERED``)."""
    examples = sorted([*EXAMPLES.glob("*.rq"), *EXAMPLES.glob("*.graphql")])
    answers: list[list[object]] = []
    for store in (bundled_virtuoso.query_endpoint, bundled_store_path):
        with TestClient(create_app(store, workers=0)) as client:
            answers.append([pages_as_sets(_answer(client, path)) for path in examples])
            health = client.get("/health").json()
            answers[-1].append({key: health[key] for key in HEALTH})
            void = client.get("/.well-known/void", headers={"Accept": "application/n-triples"}).text.splitlines()
            answers[-1].append(sorted(line for line in void if "/modified>" not in line))
    assert len(answers[0]) >= 14
    assert answers[0] == answers[1]


NETWORK = """{ network(seeds: ["CNRS"], hops: 1) {
  nodes { iri label kind hops metrics { degree weightedDegree community } }
  edges { sourceIri targetIri type weight firstYear lastYear }
} }"""


def test_the_network_and_its_export_over_virtuoso_are_the_embedded_ones(
    bundled_virtuoso: VirtuosoServer, bundled_store_path: Path
) -> None:
    """The 1-hop network of the CNRS (every type of tie, the hierarchy's too), by GraphQL and as the
    GraphML file of /export, byte for byte."""
    answers: list[tuple[dict[str, Any], bytes]] = []
    for store in (bundled_virtuoso.query_endpoint, bundled_store_path):
        with TestClient(create_app(store, workers=0)) as client:
            network: dict[str, Any] = client.post("/graphql", json={"query": NETWORK}).json()
            exported = client.get("/export/network.graphml", params={"seeds": "CNRS", "hops": "1"})
            assert exported.status_code == 200, exported.text[:300]
            answers.append((network, exported.content))
    assert "errors" not in answers[0][0]
    assert len(answers[0][0]["data"]["network"]["edges"]) > 100
    assert answers[0] == answers[1]


def test_cnrs_kg_serve_over_the_engine(bundled_engine: str) -> None:
    """``cnrs-kg serve --store URL``, as a user starts it: health, a Graph Store read of a graph that
    is there and of one that is not, a graph's page, and GraphQL partners."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = cnrs_kg_command("serve", "--port", str(port), "--store", bundled_engine)
    with background_server(command, f"{base}/health"):
        assert httpx.get(f"{base}/health").json()["graphs"] > 0
        graph = GRAPH + "ontology"
        assert httpx.get(f"{base}/store", params={"graph": graph}).status_code == 200
        assert httpx.get(f"{base}/store", params={"graph": GRAPH + "nothing-here"}).status_code == 404
        assert httpx.get(f"{base}/graph/ontology").status_code == 200
        query = '{ partners(of: "CNRS", first: 3) { nodes { node { label } weight } } }'
        partners = httpx.post(f"{base}/graphql", json={"query": query}).json()["data"]["partners"]["nodes"]
        assert len(partners) == 3


def test_the_api_writes_to_the_engine(engine: str, remote: RemoteStore) -> None:
    """A SPARQL update through a writable server commits on the engine, and a second server sees it."""
    update = f'INSERT DATA {{ GRAPH {G1} {{ {S} {P} "written" }} }}'
    with TestClient(create_app(engine, write_policy=WritePolicy(writable=True))) as writer:
        assert writer.post("/sparql", data={"update": update}).status_code == 204
    with TestClient(create_app(engine)) as reader:
        assert reader.get("/health").json()["generation"] == 1
        asked = reader.post("/sparql", data={"query": f'ASK {{ {S} {P} "written" }}'}, headers={"Accept": JSON})
        assert asked.json()["boolean"] is True


def _answer(client: TestClient, path: Path) -> object:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".graphql":
        answer = client.post("/graphql", json={"query": text})
    else:
        answer = client.post("/sparql", data={"query": text}, headers={"Accept": JSON})
    assert answer.status_code == 200, (path.name, answer.text[:300])
    return answer.json()


KILL_WITHIN = 60.0  # seconds the killed load has to start staging


def staging_graphs(store: RemoteStore) -> list[str]:
    """As the engine lists them (``RemoteStore.query`` on Virtuoso asks only the graphs of the generation)."""
    result = store._client.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(result, ox.QuerySolutions)
    return [g.value for row in result if (g := row["g"]) is not None and g.value.startswith(STAGING)]


def two_staging_graphs(store: RemoteStore) -> bool:
    return len(staging_graphs(store)) >= 2


def asean_staged(store: RemoteStore) -> bool:
    """The staging graph of the bundled load's second source holds a statement (so its first is
    complete). One ASK of one graph: on Virtuoso, a query over every graph waits for the load's
    write locks (52 s seen), and the load would end before it is answered."""
    asked = store._client.query(f"ASK {{ GRAPH {staging_graph(ASEAN_MEMBERSHIP)} {{ ?s ?p ?o }} }}")
    return isinstance(asked, ox.QueryBoolean) and bool(asked)


def kill_while_staging(
    store: RemoteStore,
    args: list[str],
    log: Path,
    env: dict[str, str] | None = None,
    staged: Callable[[RemoteStore], bool] = two_staging_graphs,
) -> None:
    """Run ``cnrs-kg *args`` (a load) and SIGKILL it once ``staged`` (by default: two staging graphs
    are in the engine, the first complete: a graph's statements are all sent before the next
    graph's), its swap seconds away; check that staging graphs are left."""
    environment = None if env is None else {**os.environ, **env}
    with log.open("w", encoding="utf-8") as errors:  # a file, not a pipe: a full pipe would stop the load
        load = subprocess.Popen(cnrs_kg_command(*args), stdout=subprocess.DEVNULL, stderr=errors, env=environment)
    try:
        deadline = time.monotonic() + KILL_WITHIN
        while not staged(store) and load.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        load.send_signal(signal.SIGKILL)
        load.wait()
    said = log.read_text(encoding="utf-8")[-2000:]
    assert staging_graphs(store), f"the load was not killed while staging (exit {load.returncode}): {said}"


def test_a_load_killed_half_way_leaves_the_previous_graph_sizes(engine: str, tmp_path: Path) -> None:
    """SIGKILL while staging: the store keeps the sizes it had, as ``cnrs-kg stats`` reports them, and
    the next load drops the leftovers."""
    with RemoteStore(engine) as store:
        store._client.update("DROP ALL")
        cnrs_kg("load", str(DATA / "publications/hal/hal-00719737.xml"), "--store", engine)
        before, generation = store.graph_sizes(), store.bookkeeping().generation
        kill_while_staging(store, ["load", "--bundled", "--store", engine], tmp_path / "load.log")
        assert store.graph_sizes() == before
        assert store.bookkeeping().generation == generation
        assert "hal/hal-00719737.xml" in cnrs_kg("stats", "--store", engine)
        cnrs_kg("load", str(DATA / "publications/hal/hal-00719737.xml"), "--store", engine)
        assert staging_graphs(store) == []
        assert store.graph_sizes() == before


def test_a_load_killed_half_way_on_virtuoso_leaves_the_previous_graph_sizes(
    virtuoso: VirtuosoServer, on_virtuoso: RemoteStore, tmp_path: Path
) -> None:
    """The same on Virtuoso, loading through its authenticated endpoints: SIGKILL once the first staging
    graph is complete leaves the sizes and generation of the previous load, and the next load drops
    the leftovers."""
    hal = str(DATA / "publications/hal/hal-00719737.xml")
    store, env = virtuoso.query_endpoint, virtuoso_env(virtuoso)
    cnrs_kg(*virtuoso_writes(virtuoso), "load", hal, "--store", store, env=env)
    before, generation = on_virtuoso.graph_sizes(), on_virtuoso.bookkeeping().generation
    load = [*virtuoso_writes(virtuoso), "load", "--bundled", "--store", store]
    kill_while_staging(on_virtuoso, load, tmp_path / "load.log", env, staged=asean_staged)
    assert on_virtuoso.graph_sizes() == before
    assert on_virtuoso.bookkeeping().generation == generation
    assert "hal/hal-00719737.xml" in cnrs_kg("stats", "--store", store)
    cnrs_kg(*virtuoso_writes(virtuoso), "load", hal, "--store", store, env=env)
    assert staging_graphs(on_virtuoso) == []
    assert on_virtuoso.graph_sizes() == before


def test_the_queries_leave_out_every_graph_of_virtuosos_own() -> None:
    """The engine's graphs are written out in each query that counts or matches: all of them."""
    from graph.remote import queries
    from graph.remote.client import VIRTUOSO_GRAPHS

    for text in (queries.SIZES, queries.MATCH, queries.PREDICATES, queries.CLASSES, queries.ENGINE_GRAPHS_LEFT_OUT):
        assert all(f"<{graph}>" in text for graph in VIRTUOSO_GRAPHS), text
