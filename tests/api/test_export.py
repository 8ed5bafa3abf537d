"""``/export/network.<format>``, the ``/explore`` helpers and ``cnrs-kg export``, on a copy of the bundled store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from cli import app as cli
from graph import OxigraphStore
from graph import explore as ex
from graph.exports import FORMATS
from ontology import iris
from tests.conftest import copy_store
from tests.graph.exports.test_exports import (
    READERS,
    assert_same,
    expected,
    of_network,
    read_gexf,
    read_vosviewer,
    read_vosviewer_files,
)

CNRS = iris.ror_org("02feahw73").value


@pytest.fixture
def client(bundled_store_path: Path, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(copy_store(bundled_store_path, tmp_path / "store"), workers=0)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def cnrs_2_hops(bundled_store_path: Path) -> ex.Network:
    with OxigraphStore(bundled_store_path, read_only=True) as store:
        return ex.network(store, [CNRS], hops=2)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_over_http(client: TestClient, name: str) -> None:
    fmt = FORMATS[name]
    response = client.get(f"/export/network.{fmt.suffix}", params={"seeds": "ror:02feahw73", "hops": "2"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(fmt.media_type.split(";")[0])
    assert response.headers["content-disposition"] == f'attachment; filename="{fmt.filename}"'


@pytest.mark.parametrize("name", sorted(READERS))
def test_over_http_the_writer_on_the_same_network(client: TestClient, cnrs_2_hops: ex.Network, name: str) -> None:
    """The same nodes, edges and weights as the writer on ``explore.network`` in this process."""
    response = client.get(f"/export/network.{FORMATS[name].suffix}", params={"seeds": "ror:02feahw73", "hops": "2"})
    read = READERS[name](response.content)
    assert_same(read, of_network(cnrs_2_hops, per_pair=read.per_pair))


GRAPHQL_NETWORK = """{ network(seeds: ["CNRS"], hops: 2) {
  nodes { iri } edges { sourceIri targetIri type weight } } }"""


def test_every_export_reads_back_to_the_graphql_network_answer(client: TestClient) -> None:
    """The acceptance round trip: each export over HTTP, read back by an independent reader, gives
    the nodes, edges and weights of the GraphQL ``network`` field with the same arguments."""
    response = client.post("/graphql", json={"query": GRAPHQL_NETWORK})
    assert response.status_code == 200
    answer = response.json()["data"]["network"]
    nodes = [n["iri"] for n in answer["nodes"]]
    edges = [(e["sourceIri"], e["targetIri"], e["type"], e["weight"]) for e in answer["edges"]]
    assert len(nodes) > 100
    params = {"seeds": "ror:02feahw73", "hops": "2"}
    for name, read in READERS.items():
        content = client.get(f"/export/network.{FORMATS[name].suffix}", params=params).content
        found = read(content)
        assert_same(found, expected(nodes, edges, per_pair=found.per_pair))
    map_file = client.get("/export/network.vosviewer-map.txt", params=params).content
    network_file = client.get("/export/network.vosviewer-network.txt", params=params).content
    assert_same(read_vosviewer_files(map_file, network_file), expected(nodes, edges, per_pair=True))


def test_parameters_reach_the_network(client: TestClient, bundled_store_path: Path) -> None:
    params = {"seeds": ["ror:02feahw73"], "hops": "1", "from": "2010", "to": "2020", "counting": "fractional"}
    response = client.get("/export/network.graphology.json", params={**params, "include": "copublication,instrument"})
    assert response.status_code == 200, response.text
    document = json.loads(response.content)
    with OxigraphStore(bundled_store_path, read_only=True) as store:
        expected = ex.network(
            store,
            [CNRS],
            hops=1,
            window=ex.Window(2010, 2020),
            counting=ex.Counting.FRACTIONAL,
            include=[ex.EdgeType.COPUBLICATION, ex.EdgeType.INSTRUMENT],
        )
    assert {n["key"] for n in document["nodes"]} == {n.iri for n in expected.nodes}
    assert len(document["edges"]) == len(expected.edges)
    assert document["attributes"]["from"] == 2010
    assert document["attributes"]["counting"] == "fractional"
    assert all(2010 <= int(y) <= 2020 for e in document["edges"] for y in e["attributes"]["years"])


def test_the_cnrs_when_no_seed_is_given(client: TestClient) -> None:
    document = json.loads(client.get("/export/network.cyjs").content)
    seeds = [n["data"]["id"] for n in document["elements"]["nodes"] if n["data"]["seed"]]
    assert seeds == [CNRS]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"hops": "two"}, "hops"),
        ({"hops": "-1"}, "hops"),
        ({"from": "2020", "to": "2010"}, "from"),
        ({"from": "last year"}, "from"),
        ({"minWeight": "heavy"}, "minWeight"),
        ({"counting": "approximate"}, "counting"),
        ({"include": "friendship"}, "include"),
        ({"seeds": "Centre national"}, "seeds"),  # the exact name of nothing
        ({"seeds": "https://ror.org/000000000"}, "seeds"),  # not a ROR id: its check digits would be 98
        ({"seeds": "ror:<bad>"}, "seeds"),
        ({"seeds": "02feahw74"}, "seeds"),  # wrong check digits
        ({"hop": "2"}, "hop"),
        ({"hops": ["1", "2"]}, "hops"),
        # What GraphQL refuses too: a seed naming nothing, a weight that is no number, no year.
        ({"seeds": "ror:0000000xx"}, "seeds"),
        ({"seeds": "ror:0abcdef23"}, "seeds"),
        ({"seeds": ["ror:02feahw73", "https://example.org/nothing"]}, "seeds"),
        ({"minWeight": "NaN"}, "minWeight"),
        ({"minWeight": "inf"}, "minWeight"),
        ({"minWeight": "-1"}, "minWeight"),
        ({"to": "-5"}, "to"),
        ({"from": "99999"}, "from"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client: TestClient, params: dict[str, str], name: str) -> None:
    response = client.get("/export/network.gexf", params=params)
    assert response.status_code == 400
    assert response.text.startswith(f"{name}: ") or response.text.startswith(f"{name} ")
    assert response.text.count("\n") == 1


@pytest.mark.parametrize("seed", ["0abcdef23", "https://ror.org/0abcdef23", "ZZ"])
def test_a_seed_naming_nothing_is_a_400_naming_it(client: TestClient, seed: str) -> None:
    response = client.get("/export/network.gexf", params={"seeds": ["CNRS", seed]})
    assert response.status_code == 400
    assert response.text == (
        f"seeds: {seed!r} names nothing in this store; give an institution, country or publication it holds, "
        "such as CNRS, 02feahw73 or VN\n"
    )


def graphology_of(client: TestClient, **params: str) -> tuple[set[str], set[tuple[str, str, str]]]:
    response = client.get("/export/network.graphology.json", params=params)
    assert response.status_code == 200, response.text
    document = json.loads(response.content)
    edges = {(e["source"], e["target"], e["attributes"]["type"]) for e in document["edges"]}
    return {n["key"] for n in document["nodes"]}, edges


def test_the_ror_url_of_the_cnrs_seeds_the_network_of_the_cnrs(client: TestClient, cnrs_2_hops: ex.Network) -> None:
    """``seeds=https://ror.org/02feahw73&hops=2`` once answered a one-node network: the ROR page, which
    the store mentions as the CNRS's ``schema:sameAs``."""
    nodes, edges = graphology_of(client, seeds="https://ror.org/02feahw73", hops="2")
    assert (nodes, edges) == graphology_of(client, seeds="ror:02feahw73", hops="2")
    assert nodes == {n.iri for n in cnrs_2_hops.nodes}


@pytest.mark.parametrize("seed", ["CNRS", "02feahw73", "http://ror.org/02feahw73", "I1294671590", "hal:441569"])
def test_every_form_of_the_cnrs_seeds_the_same_network(client: TestClient, seed: str) -> None:
    assert graphology_of(client, seeds=seed) == graphology_of(client, seeds="ror:02feahw73")


def test_a_country_by_its_code_as_graphql_takes_it(client: TestClient) -> None:
    by_code = graphology_of(client, seeds="VN", include="instrument")
    assert iris.ror_org("02wsd5p50").value in by_code[0]  # VAST: the country stands for its institutions
    assert by_code == graphology_of(client, seeds="country:VN", include="instrument")
    assert by_code == graphology_of(client, seeds="VNM", include="instrument")
    countries = graphology_of(client, seeds="VN", level="country")
    assert iris.country("VN").value in countries[0]
    assert all(node.startswith(iris.ID + "country/") for node in countries[0])


def test_a_country_seed_of_the_cytoscape_export_holds_its_institutions_and_their_instruments(
    client: TestClient,
) -> None:
    response = client.get("/export/network.cyjs", params={"seeds": "VN", "hops": "1", "include": "instrument"})
    assert response.status_code == 200, response.text
    nodes = {node["data"]["id"] for node in json.loads(response.content)["elements"]["nodes"]}
    assert {iris.ror_org("02wsd5p50").value, iris.ror_org(iris.CNRS_ROR).value} <= nodes


def test_an_unknown_level_is_a_400(client: TestClient) -> None:
    response = client.get("/export/network.cyjs", params={"seeds": "VN", "level": "continent"})
    assert response.status_code == 400
    assert "level: 'continent' is not institution or country" in response.text


def test_over_the_cost_limit_is_a_400(client: TestClient) -> None:
    response = client.get("/export/network.gexf", params={"hops": "9"})
    assert response.status_code == 400
    assert "hops" in response.text


def test_an_unknown_format_is_a_404_listing_them(client: TestClient) -> None:
    response = client.get("/export/network.pdf")
    assert response.status_code == 404
    assert "gexf" in response.text
    assert "csv.zip" in response.text


def test_over_the_time_budget_is_a_503(bundled_store_path: Path, tmp_path: Path) -> None:
    app = create_app(copy_store(bundled_store_path, tmp_path / "store"), workers=1, budget=0.001)
    with TestClient(app) as client:
        response = client.get("/export/network.gexf", params={"hops": "2"})
    assert response.status_code == 503
    assert "time budget" in response.text


def test_through_the_query_workers(bundled_store_path: Path, tmp_path: Path, cnrs_2_hops: ex.Network) -> None:
    with TestClient(create_app(copy_store(bundled_store_path, tmp_path / "store"), workers=1)) as client:
        response = client.get("/export/network.vosviewer.json", params={"hops": "2"})
    assert response.status_code == 200, response.text
    assert_same(read_vosviewer(response.content), of_network(cnrs_2_hops, per_pair=True))


def test_explore_page_loads_its_bundle(client: TestClient) -> None:
    response = client.get("/explore")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/static/vendor/explore/explore.js" in response.text
    assert "cdn" not in response.text.lower()


def test_search_finds_institutions_and_countries(client: TestClient) -> None:
    found = client.get("/explore/search", params={"q": "centre national de la recherche"}).json()
    assert found[0]["iri"] == CNRS
    countries = client.get("/explore/search", params={"q": "singapore"}).json()
    assert any(f["iri"] == iris.country("SG").value and f["kind"] == "country" for f in countries)
    assert client.get("/explore/search", params={"q": "x"}).json() == []


def test_search_text_is_bound_not_spliced(client: TestClient) -> None:
    for text in ['") } } SELECT * WHERE { ?s ?p ?o } #', "\\u0022", "'; DROP"]:
        response = client.get("/explore/search", params={"q": text})
        assert response.status_code == 200
        assert response.json() == []


def test_sources_of_an_entity_and_of_graphs(client: TestClient) -> None:
    found = client.get("/explore/sources", params={"entity": CNRS}).json()
    titles = [s.get("title", "") for s in found]
    assert any("ror_02feahw73_cnrs" in t for t in titles)
    graph = found[0]["graph"]
    assert client.get("/explore/sources", params={"graph": graph}).json()[0]["graph"] == graph
    assert client.get("/explore/sources").status_code == 400
    assert client.get("/explore/sources", params={"entity": "not an iri"}).status_code == 400


def test_trend_of_a_pair(client: TestClient, cnrs_2_hops: ex.Network) -> None:
    edge = next(e for e in cnrs_2_hops.edges if e.type is ex.EdgeType.COPUBLICATION)
    answer = client.get("/explore/trend", params={"a": edge.source, "b": edge.target}).json()
    assert {int(y): w for y, w in answer["years"].items()} == edge.years
    assert client.get("/explore/trend", params={"a": CNRS}).status_code == 400


def test_trend_and_sources_take_references_as_the_export_does(client: TestClient) -> None:
    by_iri = client.get("/explore/trend", params={"a": CNRS, "b": iris.country("NO").value}).json()
    by_code = client.get("/explore/trend", params={"a": "https://ror.org/02feahw73", "b": "NO"}).json()
    assert by_code == by_iri
    assert by_iri["years"]
    unknown = client.get("/explore/trend", params={"a": "CNRS", "b": "ror:0abcdef23"})
    assert unknown.status_code == 400
    assert unknown.text.startswith("b: 'ror:0abcdef23' names nothing in this store")
    assert client.get("/explore/sources", params={"entity": "CNRS"}).json() == (
        client.get("/explore/sources", params={"entity": CNRS}).json()
    )


runner = CliRunner()


def test_cli_export_writes_the_same_file(bundled_store_path: Path, tmp_path: Path, cnrs_2_hops: ex.Network) -> None:
    target = tmp_path / "out" / "cnrs.gexf"
    args = ["export", "--format", "gexf", "--seed", "ror:02feahw73", "--hops", "2", "-o", str(target)]
    result = runner.invoke(cli, [*args, "--store", str(bundled_store_path)])
    assert result.exit_code == 0, result.output
    assert_same(read_gexf(target.read_bytes()), of_network(cnrs_2_hops))
    assert f"{len(cnrs_2_hops.nodes)} nodes" in result.output


def test_cli_export_takes_the_ror_url(bundled_store_path: Path, tmp_path: Path, cnrs_2_hops: ex.Network) -> None:
    target = tmp_path / "cnrs.gexf"
    args = ["export", "-f", "gexf", "--seed", "https://ror.org/02feahw73", "--hops", "2", "-o", str(target)]
    result = runner.invoke(cli, [*args, "--store", str(bundled_store_path)])
    assert result.exit_code == 0, result.output
    assert_same(read_gexf(target.read_bytes()), of_network(cnrs_2_hops))


def test_cli_export_to_stdout(bundled_store_path: Path) -> None:
    args = ["export", "-f", "vosviewer", "--include", "instrument", "--from", "2010", "--to", "2020"]
    result = runner.invoke(cli, [*args, "--store", str(bundled_store_path)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["network"]["items"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "pdf"], "--format: 'pdf' is not an export format"),
        (["-f", "gexf", "--counting", "half"], "--counting: 'half' is not full or fractional"),
        (["-f", "gexf", "--seed", "Centre national"], "--seed: 'Centre national' names nothing in this store"),
        (["-f", "gexf", "--seed", "02feahw74"], "--seed: '02feahw74' is not a ROR id: its check digits"),
        (["-f", "gexf", "--from", "2020", "--to", "2000"], "--from: 2020 is after to: 2000"),
        (["-f", "gexf", "--hops", "7"], "hops"),
        (["-f", "gexf", "--seed", "ror:0000000xx"], "--seed: 'ror:0000000xx' is not a ROR id"),
        (["-f", "gexf", "--seed", "ror:0abcdef23"], "--seed: 'ror:0abcdef23' names nothing in this store"),
        (["-f", "gexf", "--min-weight", "nan"], "--min-weight: nan is not a finite number"),
        (["-f", "gexf", "--to", "-5"], "--to: -5 is not a year"),
    ],
)
def test_cli_export_bad_option_is_one_line_and_exit_1(bundled_store_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(cli, ["export", *args, "--store", str(bundled_store_path)])
    assert result.exit_code == 1
    assert message in result.output
    assert result.output.startswith("error:")
