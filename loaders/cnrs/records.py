"""Typed records of the CNRS folder (instruments, parties, offices), read from rows and cross-checked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from loaders.base import LoadError
from loaders.cnrs.rows import (
    INSTRUMENT_COLUMNS,
    INSTRUMENTS_FILE,
    OFFICE_COLUMNS,
    OFFICES_FILE,
    PARTIES_FILE,
    PARTY_COLUMNS,
    _Row,
    _rows,
)
from ontology import iris

# CSV value -> local name of the kg: term
KINDS = {
    "IRL": "IRL", "IRP": "IRP", "IRN": "IRN", "IEA": "IEA", "AGREEMENT": "FrameworkAgreement",
    "NETWORK": "ThematicNetwork", "UMIFRE": "UMIFRE", "LIA": "LIA", "UMI": "UMI", "PICS": "PICS", "GDRI": "GDRI",
}  # fmt: skip
ROLES = {
    "coordinator": "Coordinator", "partner": "Partner", "supervising_body": "SupervisingBodyRole", "funder": "Funder",
}  # fmt: skip
STATUSES = {"active": "Active", "ended": "Ended", "unknown": "UnknownStatus"}
# Kinds whose instrument establishes a unit of its own (the lab), with its supervising bodies.
LAB_CLASSES = {
    "IRL": "InternationalResearchLaboratory", "UMI": "InternationalResearchLaboratory", "UMIFRE": "ResearchUnit",
}  # fmt: skip


class Unit(NamedTuple):
    """A unit an instrument concerns, as its row names it."""

    field: str
    id: str
    node: ox.NamedNode


@dataclass(frozen=True)
class Instrument:
    line: int
    key: str
    name: str
    acronym: str
    kind: str
    former_kinds: tuple[str, ...]
    former_names: tuple[str, ...]
    codes: tuple[str, ...]
    country: str
    labs: tuple[Unit, ...]
    signature_date: ox.Literal | None
    start_date: ox.Literal | None
    end_date: ox.Literal | None
    renewal_dates: tuple[ox.Literal, ...]
    signature_place: str
    status: str
    verified: bool
    predecessor: str
    date_note: str
    note: str
    sources: tuple[str, ...]

    @property
    def label(self) -> ox.Literal:
        """``ACRONYM (name)`` as the CNRS pages write it, or the name alone."""
        both = self.acronym and self.acronym != self.name
        return ox.Literal(f"{self.acronym} ({self.name})" if both else self.name, language="en")


@dataclass(frozen=True)
class Party:
    line: int
    instrument: str
    name: str
    party_id: str  # the bare ROR id or the slug: names the membership node
    org: ox.NamedNode
    ror: bool
    role: str
    start_date: ox.Literal | None
    end_date: ox.Literal | None
    note: str


@dataclass(frozen=True)
class Office:
    line: int
    key: str
    name: str
    country: str
    start_date: ox.Literal | None
    end_date: ox.Literal | None
    predecessor: str
    date_note: str
    note: str
    sources: tuple[str, ...]


def _instrument(row: _Row) -> Instrument:
    kind = row.choice("kind", KINDS)
    former_kinds = tuple(row.choice("former_kinds", KINDS, k) for k in row.items("former_kinds"))
    labs = tuple(Unit("lab_ror", i, iris.ror_org(i)) for i in (row.ror("lab_ror", v) for v in row.items("lab_ror")))
    labs += tuple(Unit("lab_key", i, iris.local_org(i)) for i in (row.slug("lab_key", v) for v in row.items("lab_key")))
    if kind in LAB_CLASSES and len(labs) != 1:
        message = f"an instrument of kind {kind} establishes one unit, {len(labs)} given"
        raise row.error("lab_ror", message, "give its ROR id in lab_ror or, without one, a slug in lab_key")
    start, end = row.period()
    predecessor = row.text("predecessor")
    return Instrument(
        line=row.line,
        key=row.slug("key"),
        name=row.text("name", required=True),
        acronym=row.text("acronym"),
        kind=kind,
        former_kinds=former_kinds,
        former_names=row.items("former_names"),
        codes=row.items("code"),
        country=row.country(),
        labs=labs,
        signature_date=row.date("signature_date"),
        start_date=start,
        end_date=end,
        renewal_dates=tuple(d for d in (row.date("renewal_dates", v) for v in row.items("renewal_dates")) if d),
        signature_place=row.text("signature_place"),
        status=row.choice("status", STATUSES),
        verified=row.choice("verified", ("yes", "no")) == "yes",
        predecessor=row.slug("predecessor", predecessor) if predecessor else "",
        date_note=row.text("date_note"),
        note=row.text("note"),
        sources=row.urls(),
    )


def _party(row: _Row) -> Party:
    ror, key = row.text("party_ror"), row.text("party_key")
    if bool(ror) == bool(key):
        raise row.error("party_ror", "give either party_ror or party_key", "party_key only when there is no ROR id")
    party_id = row.ror("party_ror", ror) if ror else row.slug("party_key", key)
    start, end = row.period()
    return Party(
        line=row.line,
        instrument=row.slug("instrument"),
        name=row.text("party", required=True),
        party_id=party_id,
        org=iris.ror_org(party_id) if ror else iris.local_org(party_id),
        ror=bool(ror),
        role=row.choice("role", ROLES),
        start_date=start,
        end_date=end,
        note=row.text("note"),
    )


def _office(row: _Row) -> Office:
    start, end = row.period()
    predecessor = row.text("predecessor")
    return Office(
        line=row.line,
        key=row.slug("key"),
        name=row.text("name", required=True),
        country=row.country(),
        start_date=start,
        end_date=end,
        predecessor=row.slug("predecessor", predecessor) if predecessor else "",
        date_note=row.text("date_note"),
        note=row.text("note"),
        sources=row.urls(),
    )


def read(path: Path) -> tuple[list[Instrument], list[Party], list[Office]]:
    """Read and cross-check the three files of the folder of ``path`` (its ``instruments.csv``)."""
    parties_path, offices_path = path.with_name(PARTIES_FILE), path.with_name(OFFICES_FILE)
    instruments = [_instrument(row) for row in _rows(path, INSTRUMENT_COLUMNS)]
    if not instruments:
        raise LoadError(path, 2, None, "no instrument under the header", "give one row per instrument")
    parties = [_party(row) for row in _rows(parties_path, PARTY_COLUMNS)]
    offices = [_office(row) for row in _rows(offices_path, OFFICE_COLUMNS)]
    _check_keys(path, "instrument", [(i.line, i.key, i.predecessor) for i in instruments])
    _check_keys(offices_path, "office", [(o.line, o.key, o.predecessor) for o in offices])
    _check_parties(parties_path, instruments, parties)
    _check_units(path, instruments, parties)
    return instruments, parties, offices


def _check_units(path: Path, instruments: list[Instrument], parties: list[Party]) -> None:
    """A unit the instrument establishes has supervising bodies; one it only involves is one of its parties."""
    for inst in instruments:
        own = [p for p in parties if p.instrument == inst.key]
        if inst.kind in LAB_CLASSES and not any(p.role == "supervising_body" for p in own):
            message = f"the unit of {inst.key!r} has no supervising body"
            raise LoadError(path, inst.line, "key", message, f"add its supervising_body parties to {PARTIES_FILE}")
        for unit in inst.labs if inst.kind not in LAB_CLASSES else ():
            if unit.node not in {p.org for p in own}:
                message = f"{unit.id!r} is not a party of {inst.key!r}"
                raise LoadError(path, inst.line, unit.field, message, f"add it to {PARTIES_FILE}")


def _check_keys(path: Path, noun: str, rows: list[tuple[int, str, str]]) -> None:
    """Keys are unique and a predecessor is the key of another row."""
    lines: dict[str, int] = {}
    for line, key, _ in rows:
        if key in lines:
            raise LoadError(
                path, line, "key", f"{key!r} is already the key of line {lines[key]}", f"give each {noun} its own key"
            )
        lines[key] = line
    for line, key, predecessor in rows:
        if predecessor and (predecessor not in lines or predecessor == key):
            message = f"{predecessor!r} is not the key of another {noun}"
            raise LoadError(path, line, "predecessor", message, f"add that {noun} or fix the key")


def _check_parties(path: Path, instruments: list[Instrument], parties: list[Party]) -> None:
    keys = {inst.key for inst in instruments}
    lines: dict[tuple[str, str], int] = {}
    names: dict[ox.NamedNode, tuple[str, int]] = {}
    for party in parties:
        if party.instrument not in keys:
            message = f"{party.instrument!r} is not a key of {INSTRUMENTS_FILE}"
            raise LoadError(path, party.line, "instrument", message, "fix the key or add the instrument")
        pair = (party.instrument, party.party_id)
        if pair in lines:
            message = f"{party.party_id!r} is already a party of {party.instrument!r} on line {lines[pair]}"
            raise LoadError(path, party.line, "party", message, "merge the rows")
        lines[pair] = party.line
        name, line = names.setdefault(party.org, (party.name, party.line))
        if name != party.name:
            message = f"{party.party_id} is named {name!r} on line {line}, not {party.name!r}"
            raise LoadError(path, party.line, "party", message, "write one name per body; put variants in the note")
