"""The report for a person (CSV): the organisations the matcher left ambiguous or below the threshold,
each with its best candidates and their scores.

Its first columns are those of the curated file (``graph.reconcile.curated``): a person fills in
``decision`` (confirmed or rejected) and ``note`` on the rows they judge and keeps the file as, or
copies the rows into, the curated file; the rows left undecided are skipped when it is read.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import TextIO

from graph.reconcile.match import Decision, Status
from ontology import iris

COLUMNS = (
    *("source", "ror", "relation", "decision", "note"),  # the curated file's
    *("status", "score", "method", "source_name", "ror_name", "evidence"),
)
PER_SOURCE = 3  # candidates listed per organisation
STATUS = {Status.AMBIGUOUS: "ambiguous", Status.UNMATCHED: "below threshold"}


def rows(decisions: Iterable[Decision]) -> Iterator[dict[str, str]]:
    """One row per candidate of each ambiguous or unmatched organisation that has candidates, best first."""
    for decision in decisions:
        if decision.status is Status.MATCHED:
            continue
        for candidate in decision.candidates[:PER_SOURCE]:
            yield {
                "source": decision.source.iri,
                "ror": iris.ror_url(candidate.ror.rsplit("/", 1)[-1]).value,
                "relation": candidate.relation.value,
                "decision": "",
                "note": "",
                "status": STATUS[decision.status],
                "score": f"{candidate.score:.4f}",
                "method": candidate.method.value,
                "source_name": decision.source.label,
                "ror_name": candidate.label,
                "evidence": candidate.evidence,
            }


def write_report(out: TextIO, decisions: Iterable[Decision]) -> int:
    """Write the report to ``out``; the number of candidate rows written."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    written = 0
    for row in rows(decisions):
        writer.writerow(row)
        written += 1
    return written
