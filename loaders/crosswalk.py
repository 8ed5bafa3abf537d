"""Which OpenAlex institution and HAL structure are a ROR organisation (``data/crosswalks``).

ROR is the pivot: an institution the crosswalk (or the record itself) gives a ROR id for is
minted with ``iris.ror_org``, so OpenAlex, HAL and ROR describe one node.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from loaders.base import LoadError
from loaders.bundled import data_dir
from ontology import iris

COLUMNS = ["ror", "openalex", "hal", "name", "source"]


@dataclass(frozen=True)
class Crosswalk:
    openalex_to_ror: dict[str, str] = field(default_factory=dict)
    hal_to_ror: dict[str, str] = field(default_factory=dict)


def read_crosswalk(path: Path) -> Crosswalk:
    walk = Crosswalk()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise LoadError(path, 1, None, f"columns {reader.fieldnames} are not {COLUMNS}", "fix the header")
        for line, row in enumerate(reader, start=2):
            try:
                ror = iris.ror_id(row["ror"])
                if row["openalex"]:
                    walk.openalex_to_ror[iris.openalex_id(row["openalex"])] = ror
            except iris.InvalidIdentifier as exc:
                raise LoadError(path, line, "ror/openalex", str(exc), "fix the row") from exc
            if row["hal"]:
                if not row["hal"].isdigit():
                    raise LoadError(path, line, "hal", f"{row['hal']!r} is not a HAL structure id", "fix the row")
                walk.hal_to_ror[str(int(row["hal"]))] = ror
    return walk


@cache
def crosswalk() -> Crosswalk:
    """The bundled crosswalk (read once)."""
    return read_crosswalk(data_dir() / "crosswalks" / "identifiers.csv")
