"""Load the bundled dataset and compare with a raw pyoxigraph bulk load of the same quads.

Prints: parse time, write time (atomic staging + diff + move), statements per second, peak memory,
and the ratio of our full load to ``pyoxigraph.Store.bulk_load`` of the resulting N-Quads.
"""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from graph import OxigraphStore
from graph.writing import write_sources
from loaders import load_path
from loaders.bundled import bundled_sources


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        sources = [data for item in bundled_sources() for data in load_path(item.path, item.kind)]
        t1 = time.perf_counter()
        with OxigraphStore(root / "ours") as store:
            write_sources(store, sources)
            t2 = time.perf_counter()
            total = sum(store.graph_sizes().values())
            dump = root / "bundled.nq"
            store.raw.dump(str(dump), format=ox.RdfFormat.N_QUADS)
            t3 = time.perf_counter()
            write_sources(store, sources)  # a reload: nothing changes
            t4 = time.perf_counter()
        raw = ox.Store(str(root / "raw"))
        t5 = time.perf_counter()
        raw.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        raw.flush()
        t6 = time.perf_counter()
        del raw
    ours = t2 - t0
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"statements            {total}")
    print(f"parse (loaders)       {t1 - t0:.2f} s")
    print(f"write (atomic)        {t2 - t1:.2f} s")
    print(f"load total            {ours:.2f} s  ({total / ours:,.0f} statements/s)")
    print(f"reload (no change)    {t4 - t3:.2f} s")
    print(f"raw bulk_load         {t6 - t5:.2f} s  ({total / (t6 - t5):,.0f} statements/s)")
    print(f"ratio ours/raw        {ours / (t6 - t5):.1f}x")
    print(f"peak memory           {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
