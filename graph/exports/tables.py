"""Table exports: CSV files in a zip, and VOSviewer's map and network files.

``csv.zip`` holds ``nodes.csv`` (``NODE_FIELDS``), ``edges.csv`` (``EDGE_FIELDS``; lists joined by
spaces), ``edge_years.csv`` (one row per edge and year: the timeline) and ``network.json`` (the
selection). VOSviewer's map file is tab-separated with a header (``id``, ``label``, ``x``...), its
network file three tab-separated columns without one (two item ids and the link strength), as the
VOSviewer manual describes them.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Sequence

from graph.explore import Network
from graph.exports.base import (
    EDGE_FIELDS,
    NODE_FIELDS,
    Scalar,
    edge_id,
    edge_record,
    flat,
    metadata,
    node_record,
    yearly,
)
from graph.exports.json import vosviewer_items, vosviewer_links

# A fixed timestamp: the same network gives the same bytes.
_ZIP_DATE = (2000, 1, 1, 0, 0, 0)


def _cell(value: Scalar | list[str] | None) -> str:
    value = flat(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _tsv(rows: Iterable[Sequence[object]]) -> bytes:
    """Tab-separated lines, unquoted (VOSviewer reads no CSV quoting): tabs and line breaks in a
    cell become spaces."""
    return "".join("\t".join(" ".join(str(c).split()) for c in row) + "\n" for row in rows).encode("utf-8")


def nodes_csv(network: Network) -> bytes:
    return _csv(NODE_FIELDS, ([_cell(v) for v in node_record(node).values()] for node in network.nodes))


def edges_csv(network: Network) -> bytes:
    rows = ([_cell(v) for v in edge_record(i, edge).values()] for i, edge in enumerate(network.edges))
    return _csv(EDGE_FIELDS, rows)


def edge_years_csv(network: Network) -> bytes:
    rows = ([edge_id(i), year, weight] for i, edge in enumerate(network.edges) for year, weight in yearly(edge))
    return _csv(["edge", "year", "weight"], rows)


def csv_zip(network: Network) -> bytes:
    """``nodes.csv``, ``edges.csv``, ``edge_years.csv`` and ``network.json`` in one zip."""
    files = {
        "nodes.csv": nodes_csv(network),
        "edges.csv": edges_csv(network),
        "edge_years.csv": edge_years_csv(network),
        "network.json": json.dumps(metadata(network), ensure_ascii=False, indent=1).encode("utf-8") + b"\n",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return out.getvalue()


def vosviewer_map(network: Network) -> bytes:
    """VOSviewer map file: one item per line (id, label, cluster, weights, scores, url, description)."""
    items = vosviewer_items(network)
    weights = sorted({k for item in items for k in _mapping(item["weights"])})
    scores = sorted({k for item in items for k in _mapping(item["scores"])})
    header = ["id", "label", "cluster", *(f"weight<{w}>" for w in weights), *(f"score<{s}>" for s in scores)]
    header += ["url", "description"]
    rows: list[list[object]] = [list(header)]
    for item in items:
        item_weights, item_scores = _mapping(item["weights"]), _mapping(item["scores"])
        row = [item["id"], item["label"], item["cluster"]]
        row += [item_weights.get(w, 0) for w in weights]
        row += [item_scores.get(s, "") for s in scores]
        row += [item["url"], item["description"]]
        rows.append(row)
    return _tsv(rows)


def vosviewer_network(network: Network) -> bytes:
    """VOSviewer network file: ``id<TAB>id<TAB>strength`` per link, no header."""
    rows = ([link["source_id"], link["target_id"], link["strength"]] for link in vosviewer_links(network))
    return _tsv(rows)


def _mapping(value: object) -> dict[str, object]:
    assert isinstance(value, dict)
    return value
