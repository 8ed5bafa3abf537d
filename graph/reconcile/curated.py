"""A person's decisions on matches: the curated file (CSV) read into ``Curation`` s.

Columns (a header row names them; others, such as those of a report, are ignored):

- ``source``: the IRI of the organisation a publication source names (``.../org/hal/300016``);
- ``ror``: its ROR organisation, as the node IRI (``.../org/ror/00jjx8s55``), ``https://ror.org/<id>``
  or the bare id;
- ``decision``: ``confirmed`` (matched whatever the score) or ``rejected`` (never matched); a row
  left empty is undecided and skipped, so a report with some decisions filled in is a curated file;
- ``relation`` (optional): ``exact`` (one organisation, the default) or ``part`` (the source is a unit of it);
- ``note`` (optional): why, for the next person.

A wrong row is one ``CuratedError``: ``file:line: field: what; what to do``.

>>> rows = ["source,ror,decision,note", "https://w3id.org/cnrs-kg/id/org/hal/300016,00jjx8s55,confirmed,CEA"]
>>> [(c.ror, c.confirmed, c.where) for c in parse(rows, "curated.csv").values()]
[('https://w3id.org/cnrs-kg/id/org/ror/00jjx8s55', True, 'curated.csv:2')]
>>> parse(["source,ror,decision", "https://w3id.org/cnrs-kg/id/org/hal/1,0,maybe"], "c.csv")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
graph.reconcile.curated.CuratedError: c.csv:2: decision: 'maybe' is not a decision; write confirmed or rejected...
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from graph.errors import GraphError
from graph.reconcile.match import Curation, Relation
from ontology import iris

__all__ = ["COLUMNS", "CuratedError", "Curations", "parse", "read_curated"]

COLUMNS = ("source", "ror", "decision", "relation", "note")
REQUIRED = ("source", "ror", "decision")
DECISIONS = {"confirmed": True, "rejected": False}

Curations = dict[tuple[str, str], Curation]


class CuratedError(GraphError):
    """A row of the curated file that cannot be read."""


def read_curated(path: Path) -> Curations:
    """The decisions of the curated file at ``path`` (``CuratedError`` if it cannot be read)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return parse(handle, path.name)
    except OSError as exc:
        raise CuratedError(f"{path}: cannot be read ({exc.strerror}); give an existing CSV file") from None
    except UnicodeDecodeError:
        raise CuratedError(f"{path}: not UTF-8 text; save the curated file as UTF-8 CSV") from None


def parse(lines: Iterable[str], where: str) -> Curations:
    """The decisions of CSV ``lines`` (``where`` names them in errors), by (source, ROR IRI)."""
    reader = csv.DictReader(lines)
    missing = [column for column in REQUIRED if column not in (reader.fieldnames or [])]
    if missing:
        raise CuratedError(f"{where}:1: header: no column {missing[0]!r}; the header is {','.join(COLUMNS)}")
    found: Curations = {}
    for row in reader:
        at = f"{where}:{reader.line_num}"
        curation = _row(row, at)
        if curation is None:
            continue
        pair = (curation.source, curation.ror)
        if pair in found:
            raise CuratedError(f"{at}: source: the pair is already decided at {found[pair].where}; keep one row")
        _one_confirmed(found, curation)
        found[pair] = curation
    return found


def _row(row: dict[str, str | None], at: str) -> Curation | None:
    decision = (row.get("decision") or "").strip().lower()
    if not decision:
        return None
    if decision not in DECISIONS:
        raise CuratedError(f"{at}: decision: {decision!r} is not a decision; write confirmed or rejected (or nothing)")
    relation = (row.get("relation") or "").strip().lower() or Relation.EXACT.value
    if relation not in Relation.__members__.values():
        raise CuratedError(f"{at}: relation: {relation!r} is not a relation; write exact or part")
    source = _source(row.get("source") or "", at)
    ror = _ror(row.get("ror") or "", at)
    note = (row.get("note") or "").strip()
    return Curation(source, ror, DECISIONS[decision], Relation(relation), note, at)


def _source(value: str, at: str) -> str:
    text = value.strip()
    try:
        node = ox.NamedNode(text)
    except ValueError:
        node = None
    if node is None or not text.startswith(iris.ID + "org/"):
        raise CuratedError(
            f"{at}: source: {text!r} is not an organisation IRI ({iris.ID}org/...); copy it from a report"
        )
    return node.value


def _ror(value: str, at: str) -> str:
    text = value.strip().removeprefix(iris.ID + "org/ror/")
    try:
        return iris.ror_org(text).value
    except iris.InvalidIdentifier as exc:
        raise CuratedError(f"{at}: ror: {exc}; give the ROR id, https://ror.org/<id> or its IRI") from None


def _one_confirmed(found: Curations, curation: Curation) -> None:
    """One confirmed match per source: two would make one organisation of two ROR records."""
    if not curation.confirmed:
        return
    for other in found.values():
        if other.source == curation.source and other.confirmed:
            raise CuratedError(
                f"{curation.where}: decision: {curation.source} is already confirmed with {other.ror} at "
                f"{other.where}; confirm one ROR organisation per source"
            )
