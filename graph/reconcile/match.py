"""The matcher: candidate retrieval, a scored comparison, and a decision, as ROR's affiliation matching
does it (ror-community/ror-api ``matching.py``: candidates from a search, each scored with
rapidfuzz against every name of the record, a country that differs excludes, and a match is
*chosen* only above ``THRESHOLD``, 0.9 as ROR's ``MIN_CHOSEN_SCORE``).

**Candidates** (blocking). The ROR records sharing a word of a name (its ``names.key``) or an
acronym with the organisation, in one of its countries when both state one: the words many
records hold ("university", "national") count little (inverse record frequency), and the
``CANDIDATES`` records sharing the rarest words are scored.

**Score** (0 to 1). The best, over every name of the organisation (whole, and each segment of it
when it has several: "Biomérieux SA - R&D Proteom") and every name of the record (display name,
labels and aliases in every language), of rapidfuzz's ``token_sort_ratio`` between their keys
(accents, case, joining words, legal forms and bracketed qualifiers left out). A name written as an
acronym that is the record's acronym scores ``ACRONYM_NAME``. Then: an acronym in common adds
``ACRONYM_AGREES``; acronyms on both sides but none in common take away ``ACRONYM_DIFFERS``; two
names with different numbers ("Lyon 1" and "Lyon 2", or "Lyon" and "Lyon 2") take away ``NUMBERS_DIFFER``.

**Relation.** A record matched through one segment of the name, while another segment names a unit
(R&D, department, team, laboratory...), is the organisation *of* the unit: the unit is stated
``org:subOrganizationOf`` it (``PART``) and rolls up to it as a lab does; otherwise the two are
one organisation (``EXACT``, ``skos:exactMatch``).

**Decision.** Matched when the best score is at least ``THRESHOLD`` and the runner-up (another
record) at least ``MARGIN`` lower; ambiguous when a runner-up is that close; unmatched below the
threshold. A person's decision (``Curation``) overrides: a confirmed pair is matched whatever its
score, a rejected one never.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache

from rapidfuzz import fuzz

from graph.reconcile import names as n
from graph.reconcile.profiles import Profile

THRESHOLD = 0.90  # ROR's MIN_CHOSEN_SCORE
MARGIN = 0.05  # how far below the chosen record the runner-up must be
REPORTED = 0.50  # ROR's MIN_MATCHING_SCORE: weaker candidates are not worth a person's look
ACRONYM_NAME = 0.92  # a name that is the record's acronym (ROR: 0.9 without a country, 1 with one)
ACRONYM_AGREES = 0.05
ACRONYM_DIFFERS = 0.05
NUMBERS_DIFFER = 0.20
CANDIDATES = 50
MIN_SEGMENT = 3  # characters of a segment's key: "X" alone would match any record whose name holds an X
# Words too generic to make a segment a name of its own ("Department of Physics").
GENERIC = n.UNIT_WORDS | {"university", "institute", "center", "school", "college", "national", "research", "ecole"}


class Relation(StrEnum):
    EXACT = "exact"  # one organisation: skos:exactMatch
    PART = "part"  # a unit of the organisation: org:subOrganizationOf


class Status(StrEnum):
    MATCHED = "matched"
    AMBIGUOUS = "ambiguous"
    UNMATCHED = "unmatched"


class Method(StrEnum):
    NAME = "name"  # the whole name against a name of the record
    SEGMENT = "segment"  # one segment of the name against a name of the record
    ACRONYM = "acronym"  # the name is the record's acronym
    CURATED = "curated"  # a person confirmed it


@dataclass(frozen=True)
class Curation:
    """A person's decision on one pair: ``confirmed`` (matched whatever the score) or ``rejected``
    (never), with the relation a confirmed pair states, a note, and where it was read."""

    source: str
    ror: str
    confirmed: bool
    relation: Relation = Relation.EXACT
    note: str = ""
    where: str = ""


@dataclass(frozen=True)
class Candidate:
    """A ROR record scored against an organisation: the two names compared are the evidence."""

    ror: str
    label: str
    score: float
    method: Method
    relation: Relation
    compared: tuple[str, str]  # (the organisation's name or segment, the record's name)
    acronym: str | None = None  # an acronym in common

    @property
    def evidence(self) -> str:
        """The names compared, and the acronym in common, in one line."""
        text = f"{self.compared[0]!r} ~ {self.compared[1]!r}"
        return text + (f"; acronym {self.acronym}" if self.acronym else "")


@dataclass(frozen=True)
class Decision:
    """What the matcher decided for one organisation: its candidates (best first, one per record, at
    least ``REPORTED``), the chosen one, and whether a person confirmed it."""

    source: Profile
    status: Status
    candidates: tuple[Candidate, ...]
    chosen: Candidate | None = None
    confirmed: bool = False


@dataclass(frozen=True)
class _Name:
    text: str
    key: str
    numbers: frozenset[str]


@lru_cache(maxsize=100_000)
def _name(text: str) -> _Name:
    return _Name(text, n.key(text), n.numbers(text))


class Matcher:
    """The ROR records, indexed for candidate retrieval, and the comparison of an organisation with them."""

    def __init__(self, records: Iterable[Profile]) -> None:
        self.records = {record.iri: record for record in records}
        self._names = {iri: [_name(text) for text in r.names] for iri, r in self.records.items()}
        self._acronyms = {iri: {n.fold(a) for a in r.acronyms} for iri, r in self.records.items()}
        self._words: dict[str, set[str]] = defaultdict(set)
        for iri, held in self._names.items():
            for name in held:
                for word in name.key.split():
                    self._words[word].add(iri)
            for acronym in self._acronyms[iri]:
                self._words[" ".join(n.words(acronym))].add(iri)

    def candidates(self, source: Profile) -> list[str]:
        """The records worth scoring: those sharing the rarest words or an acronym, in its countries."""
        total = max(len(self.records), 1)
        weight: dict[str, float] = defaultdict(float)
        for word in _words_of(source):
            holders = self._words.get(word, set())
            for iri in holders:
                weight[iri] += math.log(1 + total / len(holders))
        kept = [iri for iri in weight if _same_place(source, self.records[iri])]
        kept.sort(key=lambda iri: (-weight[iri], iri))
        return kept[:CANDIDATES]

    def score(self, source: Profile, ror: str) -> Candidate | None:
        """The record ``ror`` scored against ``source`` (None: no name to compare, or another country)."""
        record = self.records.get(ror)
        if record is None or not _same_place(source, record):
            return None
        best: Candidate | None = None
        for whole in source.names:
            for text, within in _forms(whole):
                found = self._compare(_name(text), record, within)
                if found is not None and (best is None or found.score > best.score):
                    best = found
        return _weighed(best, _acronyms_of(source), self._acronyms[ror]) if best else None

    def _compare(self, name: _Name, record: Profile, within: tuple[str, ...] | None) -> Candidate | None:
        best: Candidate | None = None
        method = Method.NAME if within is None else Method.SEGMENT
        relation = Relation.EXACT
        if within is not None and any(n.is_unit(part) for part in within if part != name.text):
            relation = Relation.PART
        if n.is_acronym(name.text) and n.fold(name.text) in self._acronyms[record.iri]:
            best = Candidate(record.iri, record.label, ACRONYM_NAME, Method.ACRONYM, relation, (name.text, name.text))
        if not name.key:
            return best
        for other in self._names[record.iri]:
            if not other.key:
                continue
            score = fuzz.token_sort_ratio(name.key, other.key) / 100
            if name.numbers != other.numbers:
                score -= NUMBERS_DIFFER
            if best is None or score > best.score:
                best = Candidate(record.iri, record.label, score, method, relation, (name.text, other.text))
        return best

    def decide(self, source: Profile, curations: Mapping[tuple[str, str], Curation] | None = None) -> Decision:
        """The decision for ``source``, a person's ``curations`` (by source and ROR IRI) first."""
        curations = curations or {}
        scored = [found for iri in self.candidates(source) if (found := self.score(source, iri)) is not None]
        kept = [c for c in scored if c.score >= REPORTED and not _rejected(curations, source.iri, c.ror)]
        kept.sort(key=lambda c: (-c.score, c.ror))
        ranked = tuple(kept)
        confirmed = [c for (src, _), c in sorted(curations.items()) if src == source.iri and c.confirmed]
        if confirmed:
            return Decision(source, Status.MATCHED, ranked, self._confirmed(source, confirmed[0]), confirmed=True)
        if not ranked or ranked[0].score < THRESHOLD:
            return Decision(source, Status.UNMATCHED, ranked)
        if len(ranked) > 1 and ranked[1].score > ranked[0].score - MARGIN:
            return Decision(source, Status.AMBIGUOUS, ranked)
        return Decision(source, Status.MATCHED, ranked, ranked[0])

    def _confirmed(self, source: Profile, curation: Curation) -> Candidate:
        found = self.score(source, curation.ror)
        record = self.records.get(curation.ror)
        label = record.label if record else curation.ror
        if found is None:
            return Candidate(curation.ror, label, 0.0, Method.CURATED, curation.relation, (source.label, label))
        return replace(found, method=Method.CURATED, relation=curation.relation)


def decide_all(
    matcher: Matcher, sources: Sequence[Profile], curations: Mapping[tuple[str, str], Curation] | None = None
) -> list[Decision]:
    """The decision for every organisation of ``sources``."""
    return [matcher.decide(source, curations) for source in sources]


@lru_cache(maxsize=100_000)
def _forms(name: str) -> tuple[tuple[str, tuple[str, ...] | None], ...]:
    """What of a name is compared, each with the segments it is one of (None: a name of its own): the
    whole name; what it holds outside and inside long brackets ("IPAL (Image and Pervasive Access
    Lab)"); each segment when it has several ("Biomérieux SA - R&D Proteom")."""
    forms: list[tuple[str, tuple[str, ...] | None]] = [(name, None)]
    long = [q for q in n.qualifiers(name) if len(q.split()) > n.QUALIFIER_WORDS]
    if long:
        forms += [(n.bare(name), None)] + [(q, None) for q in long]
    parts = n.segments(name)
    if len(parts) > 1:
        forms += [(part, parts) for part in parts if _names_something(part)]
    return tuple(forms)


def _rejected(curations: Mapping[tuple[str, str], Curation], source: str, ror: str) -> bool:
    curation = curations.get((source, ror))
    return curation is not None and not curation.confirmed


def _same_place(source: Profile, record: Profile) -> bool:
    """A country on each side that differs excludes the record (ROR: a country mismatch scores 0)."""
    return not (source.countries and record.countries and source.countries.isdisjoint(record.countries))


def _names_something(segment: str) -> bool:
    """A segment with a word of its own: not only generic words ("Department of Physics"), nor a
    letter or two ("X")."""
    found = n.key(segment)
    return len(found) >= MIN_SEGMENT and any(word not in GENERIC for word in found.split())


def _words_of(source: Profile) -> set[str]:
    found = {word for name in source.names for word in n.key(name).split()}
    return found | {" ".join(n.words(acronym)) for acronym in _acronyms_of(source)}


def _acronyms_of(source: Profile) -> set[str]:
    """The organisation's acronyms: stated, written as its name, or in brackets after it ("[UNAM]")."""
    found = set(source.acronyms)
    for name in source.names:
        found.update(q for q in (*n.qualifiers(name), name, n.bare(name)) if n.is_acronym(q))
    return {n.fold(acronym) for acronym in found}


def _weighed(best: Candidate, ours: set[str], theirs: set[str]) -> Candidate:
    """The score with the acronyms weighed in, kept between 0 and 1."""
    common = sorted(ours & theirs)
    if common:
        return replace(best, score=round(min(1.0, best.score + ACRONYM_AGREES), 4), acronym=common[0])
    if ours and theirs:
        return replace(best, score=round(max(0.0, best.score - ACRONYM_DIFFERS), 4))
    return replace(best, score=round(max(0.0, best.score), 4))
