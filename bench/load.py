"""Load N synthetic OpenAlex-shaped works and answer two network questions.

Prints works per minute, statements per second and peak memory for our load (parse, atomic
write, network refresh), the ratio to a raw ``pyoxigraph`` bulk load of the same statements, and
the time to answer "top 20 partner institutions of the CNRS in 2015-2024" and "country x country
co-publication matrix" from the materialised links against the same questions computed from the
raw publications.

The works are SYNTHETIC (``cnrs-kg generate``): real ROR institutions, generated works, marked
synthetic in their graph's provenance. Usage: python -m bench.load [--works N]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from graph import OxigraphStore
from graph.links import refresh_network
from graph.writing import write_sources
from loaders import load_path
from loaders.bundled import bundled_sources
from loaders.openalex.synthetic import generate_works

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
YEARS = " ".join(f'"{y}"^^xsd:gYear' for y in range(2015, 2025))
RAW_TOP_PARTNERS = f"""
PREFIX kg: <https://w3id.org/cnrs-kg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?partner (COUNT(DISTINCT ?work) AS ?copublications) WHERE {{
  VALUES ?year {{ {YEARS} }}
  ?work fabio:hasPublicationYear ?year ; kg:affiliatedInstitution ?lab , ?partner .
  ?lab org:subOrganizationOf* <https://w3id.org/cnrs-kg/id/org/ror/02feahw73> .
  FILTER NOT EXISTS {{ ?partner org:subOrganizationOf* <https://w3id.org/cnrs-kg/id/org/ror/02feahw73> }}
}} GROUP BY ?partner ORDER BY DESC(?copublications) LIMIT 20"""
RAW_COUNTRY_MATRIX = """
PREFIX kg: <https://w3id.org/cnrs-kg/ontology#>
SELECT ?a ?b (COUNT(DISTINCT ?work) AS ?copublications) WHERE {
  ?work kg:affiliatedCountry ?a , ?b . FILTER(STR(?a) < STR(?b))
} GROUP BY ?a ?b"""


def timed(store: OxigraphStore, query: str, runs: int = 5) -> tuple[float, int]:
    """Median seconds over ``runs`` and the number of rows."""
    times, rows = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        result = store.query(query)
        assert isinstance(result, ox.QuerySolutions)
        rows = sum(1 for _ in result)
        times.append(time.perf_counter() - start)
    return statistics.median(times), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=100_000)
    parser.add_argument("--no-refresh", action="store_true", help="skip timing a second full network refresh")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        works_file = root / "synthetic-works.jsonl.gz"
        t0 = time.perf_counter()
        generate_works(args.works, works_file, seed=1)
        generated = time.perf_counter() - t0
        with OxigraphStore(root / "ours") as store:
            write_sources(store, [d for item in bundled_sources() for d in load_path(item.path, item.kind)])
            t1 = time.perf_counter()
            sources = load_path(works_file, "openalex", strict=True)
            changes = write_sources(store, sources, with_ontology=False)
            t2 = time.perf_counter()
            statements = next(c.after for c in changes if c.graph == sources[0].graph.value)
            network = sum(c.after for c in changes if "/graph/network/" in c.graph)
            t3 = time.perf_counter()
            if not args.no_refresh:
                refresh_network(store)  # everything again, nothing changed
            t4 = time.perf_counter()
            dump = root / "works.nq"
            store.raw.dump(str(dump), format=ox.RdfFormat.N_QUADS, from_graph=sources[0].graph)
            queries = {
                "top 20 partners of the CNRS, 2015-2024": (
                    (EXAMPLES / "top_partners_cnrs.rq").read_text(),
                    RAW_TOP_PARTNERS,
                ),
                "country x country matrix": ((EXAMPLES / "country_matrix.rq").read_text(), RAW_COUNTRY_MATRIX),
            }
            answers = {name: (timed(store, ours), timed(store, raw, runs=3)) for name, (ours, raw) in queries.items()}
        raw_store = ox.Store(str(root / "raw"))
        t5 = time.perf_counter()
        raw_store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        raw_store.flush()
        t6 = time.perf_counter()
        del raw_store
    load = t2 - t1
    print(f"works (synthetic)       {args.works:,} (generated in {generated:.1f} s)")
    print(f"statements              {statements:,} in the works graph, {network:,} in the network graphs")
    rate = f"{args.works / load * 60:,.0f} works/min, {statements / load:,.0f} statements/s"
    print(f"load + network          {load:.1f} s  ({rate})")
    if not args.no_refresh:
        print(f"network refresh (all)   {t4 - t3:.1f} s  (recomputes every year, rewrites nothing)")
    print(f"raw bulk_load           {t6 - t5:.1f} s  (works graph only)")
    print(f"ratio ours/raw          {load / (t6 - t5):.1f}x")
    print(f"peak memory             {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    for name, ((ours, rows), (raw, raw_rows)) in answers.items():
        links = f"links {ours * 1000:8.1f} ms ({rows} rows)"
        print(f"{name:40s} {links}   raw publications {raw * 1000:9.1f} ms ({raw_rows} rows)   {raw / ours:6.1f}x")


if __name__ == "__main__":
    main()
