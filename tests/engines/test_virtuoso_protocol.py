"""The W3C SPARQL 1.1 Protocol suite (``tests.conformance.runner``) through our ``/sparql`` over Virtuoso.

A fresh Virtuoso (``tests.engines.virtuoso``) behind ``cnrs-kg serve --writable``, which writes
through Virtuoso's authenticated endpoints with the credentials from the environment; the runner
empties the store and loads each case's data through our ``/sparql``, as it does on the embedded
store (``make conformance``). All 34 cases pass, as on the embedded store: the differences of
Virtuoso the protocol would show (ASK as rows, 0/1 booleans, its own graphs in the default graph,
``DROP ALL`` dropping nothing) are adapted by ``graph.remote``. Run alone:
``.venv/bin/pytest tests/engines/test_virtuoso_protocol.py -s`` prints the count and the time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import httpx
import pytest

from api.testing import background_server, cnrs_kg_command, free_port
from graph.remote import PASSWORD_ENV, USER_ENV
from tests.conformance.runner import SUITES, Target, load_manifest, prepare, run_case
from tests.engines.virtuoso import VirtuosoServer, running_virtuoso

SUITE = SUITES["protocol"]
CASES = 34  # in the manifest (tests/conformance/test_runner.py)
# Cases that fail on Virtuoso 7.2 only, each with the start of its reason: none.
VIRTUOSO_FAILS: dict[str, str] = {}


@pytest.fixture(scope="module")
def virtuoso() -> Iterator[VirtuosoServer]:
    with running_virtuoso() as server:
        yield server


@pytest.fixture(scope="module")
def served(virtuoso: VirtuosoServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """``cnrs-kg serve --writable`` over the Virtuoso, as the runner's target."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    writes = ["--update-endpoint", virtuoso.update_endpoint, "--graph-store", virtuoso.graph_store]
    command = cnrs_kg_command(*writes, "serve", "--writable", "--port", str(port), "--store", virtuoso.query_endpoint)
    env = {**os.environ, USER_ENV: virtuoso.user, PASSWORD_ENV: virtuoso.password}
    log = tmp_path_factory.mktemp("serve") / "server.log"
    with background_server(command, f"{base}/health", env=env, log=log):
        yield Target(base)


def test_the_protocol_suite_through_our_sparql_over_virtuoso(virtuoso: VirtuosoServer, served: Target) -> None:
    started = time.monotonic()
    cases = load_manifest(SUITE.manifest)
    with httpx.Client(base_url=served.base_url, timeout=30, follow_redirects=True) as client:
        problems = {case.name: run_case(client, served, SUITE, case) for case in cases}
        print(f"protocol over Virtuoso: {sum(p is None for p in problems.values())} of {len(problems)} passed ", end="")
        print(f"in {time.monotonic() - started:.1f} s")
        failed = {name: problem for name, problem in problems.items() if problem is not None}
        assert (len(problems), sorted(failed)) == (CASES, sorted(VIRTUOSO_FAILS)), failed
        for name, problem in failed.items():
            assert problem.startswith(VIRTUOSO_FAILS[name]), (name, problem)
        # The cases ran on Virtuoso: a case's data, loaded through our /sparql, is in the engine.
        full = next(case for case in cases if case.name == "query_dataset_full")
        prepare(client, served, full)
    graphs = httpx.get(
        virtuoso.query_endpoint,
        params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a ?type } }"},
        headers={"Accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"]
    assert {data.graph for data in full.graph_data} <= {row["g"]["value"] for row in graphs}
