"""A load's two commits (publications, then the network derived from them): a network left behind
is reported stale by ``cnrs-kg stats`` and ``/health``, and the next refresh or load repairs it."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.testing import cnrs_kg_command
from graph import GraphContent, GraphError, OxigraphStore
from graph.links import ALL_YEARS, network_graph, network_status, publications_generation
from graph.writing import write_sources
from loaders import load_path

HAL = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "hal").glob("*.xml"))
NETWORK = network_graph(ALL_YEARS).value


def cnrs_kg(*args: str | Path) -> str:
    proc = subprocess.run(cnrs_kg_command(*map(str, args)), capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def network_sizes(store: OxigraphStore) -> dict[str, int]:
    return {g: n for g, n in store.graph_sizes().items() if g.startswith(NETWORK.removesuffix(ALL_YEARS))}


def test_publications_written_without_their_network_are_stale_until_the_next_load() -> None:
    first, rest = [d for d in load_path(HAL[0], "hal")], [d for p in HAL[1:] for d in load_path(p, "hal")]
    with OxigraphStore(None) as reference:
        write_sources(reference, first + rest)
        expected = network_sizes(reference)
    with OxigraphStore(None) as store:
        write_sources(store, first)
        assert not network_status(store).stale
        derived = network_status(store).derived_from
        store.replace_graphs([GraphContent(d.graph, d.all_triples()) for d in rest])  # as a load killed here
        status = network_status(store)
        assert status.stale
        assert status.message == (
            f"network derived from generation {derived}, publications at {store.generation}: "
            "stale; run cnrs-kg network --refresh"
        )
        write_sources(store, [])  # any next load: the whole network is computed again
        assert not network_status(store).stale
        assert network_sizes(store) == expected


def test_an_update_of_a_publication_graph_makes_the_network_stale() -> None:
    with OxigraphStore(None) as store:
        sources = [d for p in HAL for d in load_path(p, "hal")]
        write_sources(store, sources)
        store.update(f"DELETE WHERE {{ GRAPH {sources[0].graph} {{ ?s ?p ?o }} }}")
        assert network_status(store).stale


def _wait_for_publications(path: Path, after: int, process: subprocess.Popen[bytes]) -> None:
    """Poll the store (read-only, as a reader may while the load writes) until the publications commit."""
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        try:
            with OxigraphStore(path, read_only=True) as reader:
                if publications_generation(reader) > after:
                    return
        except (GraphError, OSError, RuntimeError):
            pass  # opened while the writer compacts: try again
        time.sleep(0.02)
    pytest.fail(f"the load ended (status {process.poll()}) or timed out before its publications committed")


def test_a_load_killed_between_its_two_commits(tmp_path: Path) -> None:
    store, first, second = tmp_path / "store", tmp_path / "first.jsonl.gz", tmp_path / "second.jsonl.gz"
    cnrs_kg("generate", "--works", "200", "--seed", "1", "-o", first)
    cnrs_kg("generate", "--works", "600", "--seed", "2", "-o", second)
    cnrs_kg("load", first, "--store", store)
    with OxigraphStore(store, read_only=True) as reader:
        derived = network_status(reader).derived_from
        assert derived is not None
        assert not network_status(reader).stale

    load = subprocess.Popen(cnrs_kg_command("load", str(second), "--store", str(store)), stdout=subprocess.DEVNULL)
    try:
        _wait_for_publications(store, derived, load)
    finally:
        load.send_signal(signal.SIGKILL)
        load.wait()
    assert load.returncode == -signal.SIGKILL

    with OxigraphStore(store, read_only=True) as reader:
        publications = publications_generation(reader)
        # Killed before the network's patch began, the network says what it was derived from; killed
        # after its first commit, that its write was cut short (the patch is not one transaction).
        derived = network_status(reader).derived_from if reader.generation > publications else derived
        assert "https://w3id.org/cnrs-kg/graph/openalex/second.jsonl.gz" in reader.graph_sizes()  # committed
    before = "network write cut short" if derived == -1 else f"network derived from generation {derived}"
    stale = f"{before}, publications at {publications}: stale"
    assert f"{stale}; run cnrs-kg network --refresh" in cnrs_kg("stats", "--store", store)
    with TestClient(create_app(store, workers=0)) as client:
        health = client.get("/health").json()
    assert health["network"] == {"stale": True, "derived_from": derived, "publications": publications}
    assert any(stale in warning for warning in health["warnings"])

    assert "current" in cnrs_kg("network", "--refresh", "--store", store)
    assert "current" in cnrs_kg("stats", "--store", store)
    with TestClient(create_app(store, workers=0)) as client:
        health = client.get("/health").json()
    assert health["network"] == {"stale": False, "derived_from": publications, "publications": publications}
    assert "warnings" not in health
