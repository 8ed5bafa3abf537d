"""Load a ROR data dump of full size (about 120,000 records) and compare with raw pyoxigraph.

The dump is SYNTHETIC: real bundled ROR v2 records cloned under generated ROR ids (and their
relationships re-pointed among the clones), written to a temporary zip named like ROR's releases.
It only measures speed and memory; it is never loaded into a real store.

Usage: python -m bench.load_ror_dump [RECORDS]
"""

from __future__ import annotations

import copy
import json
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pyoxigraph as ox

from graph import OxigraphStore
from graph.writing import write_sources
from loaders import load_path
from loaders.bundled import data_dir

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def synthetic_id(n: int) -> str:
    body = ""
    for _ in range(6):
        n, r = divmod(n, 32)
        body += ALPHABET[r]
    return f"0{body}{n % 100:02d}"


def synthetic_dump(path: Path, size: int) -> None:
    real = json.loads((data_dir() / "ror" / "ror_asean_schema_v2.json").read_text(encoding="utf-8"))
    real += json.loads((data_dir() / "ror" / "ror_cnrs_children_schema_v2.json").read_text(encoding="utf-8"))
    records = []
    for i in range(size):
        record = copy.deepcopy(real[i % len(real)])
        record["id"] = f"https://ror.org/{synthetic_id(i)}"
        for j, rel in enumerate(record["relationships"]):
            rel["id"] = f"https://ror.org/{synthetic_id((i * 7 + j + 1) % size)}"
        records.append(record)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("v9.99-2026-01-01-ror-data_schema_v2.json", json.dumps(records))


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 120_000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        dump = root / "v9.99-2026-01-01-ror-data.zip"
        synthetic_dump(dump, size)
        t0 = time.perf_counter()
        sources = load_path(dump, "ror")
        t1 = time.perf_counter()
        with OxigraphStore(root / "ours") as store:
            changes = write_sources(store, sources, with_ontology=False)
            t2 = time.perf_counter()
            statements = changes[0].after
            nq = root / "dump.nq"
            store.raw.dump(str(nq), format=ox.RdfFormat.N_QUADS)
            t3 = time.perf_counter()
            write_sources(store, sources, with_ontology=False)
            t4 = time.perf_counter()
        raw = ox.Store(str(root / "raw"))
        t5 = time.perf_counter()
        raw.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        raw.flush()
        t6 = time.perf_counter()
        del raw
    ours = t2 - t0
    print(f"records (synthetic)    {size}")
    print(f"statements             {statements}")
    print(f"parse                  {t1 - t0:.1f} s ({size / (t1 - t0):,.0f} records/s)")
    print(f"write (atomic)         {t2 - t1:.1f} s")
    print(f"load total             {ours:.1f} s ({statements / ours:,.0f} statements/s)")
    print(f"reload (no change)     {t4 - t3:.1f} s")
    print(f"raw bulk_load          {t6 - t5:.1f} s")
    print(f"ratio ours/raw         {ours / (t6 - t5):.1f}x")
    print(f"peak memory            {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
