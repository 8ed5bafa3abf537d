"""Precision and recall of the reconciliation (``graph.reconcile``), on real records whose ROR id is known.

Ground truth: the organisations of the bundled and test records that *do* carry a ROR id, the id
hidden: the matcher sees their names, acronyms and country only (no record states a city the
store keeps), and is scored against the ROR records of the store (the bundled ROR files, read from
the ROR graphs alone).

- ``publications``: the OpenAlex institutions of the works in ``data/publications/openalex`` and
  ``tests/fixtures`` (their ``ror``), the OpenAlex institution record ``I27837315.json``, and the
  HAL structures of ``data/publications/hal`` and ``tests/fixtures`` with a ROR id (their ``idno``,
  or the crosswalk ``data/crosswalks/identifiers.csv``): the names publication sources write, the
  fair test. The target is measured on these.
- ``cnrs-table``: the organisations of the CNRS table (``data/cnrs``: instrument parties,
  structures, agreements) with a ROR id: names a person compiled, not ROR's, a second view.

An organisation whose ROR record the store lacks (Impact Technology Development, the University of
Michigan) counts against precision if it is matched to anything, and not in recall. Matching ROR's
own names against themselves, the id hidden, would measure nothing: it is not done. A full ROR
dump (about 120,000 records) is not available offline: the figures are on the 3,266 bundled records.

Prints precision, recall and the errors of each set. Usage: python -m bench.reconcile_eval
"""

from __future__ import annotations

import csv
import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graph import OxigraphStore
from graph.backend import Backend
from graph.reconcile import MARGIN, THRESHOLD, Decision, Matcher, Profile, Status, ror_records
from graph.writing import write_sources
from loaders import load_path
from loaders.bundled import bundled_sources, data_dir
from loaders.crosswalk import crosswalk
from loaders.hal import tei
from loaders.hal.structures import parse_structure
from loaders.openalex.reading import raw_records
from loaders.openalex.records import RecordError, parse_work
from ontology import iris

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
TARGET_PRECISION, TARGET_RECALL = 0.97, 0.85
SWEEP = (0.75, 0.8, 0.85, 0.9, 0.95)  # thresholds the figures are also given at


@dataclass(frozen=True)
class Known:
    """An organisation whose ROR id a record gives: where, what the matcher sees, the hidden id."""

    where: str
    profile: Profile
    ror: str  # the ROR organisation's IRI


@dataclass
class Score:
    """The matcher's results on one set: right, wrong (matched to another record), missed."""

    name: str
    right: list[Known] = field(default_factory=list)
    wrong: list[tuple[Known, str]] = field(default_factory=list)
    missed: list[tuple[Known, str]] = field(default_factory=list)
    absent: int = 0  # ROR records the store lacks (and the matcher rightly left unmatched)
    wrong_findable: int = 0  # wrong matches of an organisation whose ROR record the store holds
    decided: list[tuple[Known, Decision, bool]] = field(default_factory=list)  # and whether its record is held

    def at(self, threshold: float) -> tuple[float, float]:
        """Precision and recall had the matcher chosen at ``threshold`` (the margin unchanged)."""
        right = wrong = findable = 0
        for known, decision, held in self.decided:
            findable += held
            ranked = decision.candidates
            if (
                ranked
                and ranked[0].score >= threshold
                and (len(ranked) < 2 or ranked[1].score <= ranked[0].score - MARGIN)
            ):
                right += ranked[0].ror == known.ror
                wrong += ranked[0].ror != known.ror
        return (right / (right + wrong) if right + wrong else 1.0), (right / findable if findable else 1.0)

    @property
    def precision(self) -> float:
        made = len(self.right) + len(self.wrong)
        return len(self.right) / made if made else 1.0

    @property
    def recall(self) -> float:
        findable = len(self.right) + len(self.missed) + self.wrong_findable
        return len(self.right) / findable if findable else 1.0

    def lines(self) -> Iterator[str]:
        made = len(self.right) + len(self.wrong)
        yield (
            f"{self.name}: precision {self.precision:.3f} ({len(self.right)}/{made} matches right), "
            f"recall {self.recall:.3f} ({len(self.right)} found of those whose ROR record is in the store); "
            f"{self.absent} without their record in the store, rightly unmatched"
        )
        for known, got in self.wrong:
            yield f"  wrong: {known.where}: {known.profile.label!r} matched {got}, truth {known.ror}"
        for known, why in self.missed:
            yield f"  missed: {known.where}: {known.profile.label!r} ({why}), truth {known.ror}"


def _ror(value: str) -> str:
    return iris.ror_org(value).value


def openalex_known() -> Iterator[Known]:
    """The institutions with a ROR id of the OpenAlex works bundled and in the fixtures, once each."""
    files = sorted((data_dir() / "publications" / "openalex").glob("*.json")) + sorted(FIXTURES.rglob("W*.json"))
    seen: set[str] = set()
    for path in files:
        for raw in raw_records(path):
            try:
                work = parse_work(raw.value)
            except RecordError:
                continue
            for authorship in work.authorships:
                for inst in authorship.institutions:
                    if inst.ror and inst.openalex not in seen:
                        seen.add(inst.openalex)
                        countries = frozenset({inst.country}) if inst.country else frozenset()
                        profile = Profile(iris.openalex_org(inst.openalex).value, (inst.name,), (), countries)
                        yield Known(f"{path.name}:{inst.openalex}", profile, _ror(inst.ror))
    record = json.loads((FIXTURES / "openalex" / "I27837315.json").read_text(encoding="utf-8"))
    names = (record["display_name"], *record.get("display_name_alternatives", []))
    country = frozenset({record["country_code"]}) if record.get("country_code") else frozenset()
    profile = Profile(record["id"], tuple(names), tuple(record.get("display_name_acronyms", [])), country)
    yield Known("I27837315.json", profile, _ror(record["ror"]))


def hal_known() -> Iterator[Known]:
    """The HAL structures with a ROR id (their own, or the crosswalk's) of the bundled and fixture TEI files."""
    files = sorted((data_dir() / "publications" / "hal").glob("*.xml")) + sorted(FIXTURES.rglob("*.xml"))
    seen: set[str] = set()
    for path in files:
        for org in tei.structures(tei.parse_file(path)):
            structure = parse_structure(org)
            ror = structure.ror or crosswalk().hal_to_ror.get(structure.hal_id or "")
            if ror is None or structure.key in seen:
                continue
            seen.add(structure.key)
            countries = frozenset({structure.country}) if structure.country else frozenset()
            profile = Profile(structure.key, structure.names, structure.acronyms, countries)
            yield Known(f"{path.name}:{structure.key}", profile, _ror(ror))


def cnrs_known() -> Iterator[Known]:
    """The organisations of the CNRS table with a ROR id, as its compiler named them."""
    folder = data_dir() / "cnrs"
    seen: set[tuple[str, str]] = set()
    with (folder / "parties.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["party_ror"] and (row["party"], row["party_ror"]) not in seen:
                seen.add((row["party"], row["party_ror"]))
                yield Known(
                    f"parties.csv:{row['party']}", Profile(row["party"], (row["party"],)), _ror(row["party_ror"])
                )
    with (folder / "cnrs_asean_structures_facts.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if (row["ror_id"] or "").startswith("https://ror.org/"):  # the table's notes say why the others have none
                profile = Profile(row["structure"], (row["structure"],), (), frozenset({row["country"]}))
                yield Known(f"structures:{row['structure']}", profile, _ror(row["ror_id"]))
    with (folder / "cnrs_asean_agreements_facts.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found = re.match(r"^(.*?)\s*\(ROR (\w+)", row["cnrs_partner"])
            if found:  # the name without the id the compiler wrote after it
                profile = Profile(found[1], (found[1],), (), frozenset({row["country"]}))
                yield Known(f"agreements:{found[1]}", profile, _ror(found[2]))


def score(matcher: Matcher, name: str, known: list[Known]) -> Score:
    """The matcher's decisions on ``known`` against the truth."""
    result = Score(name)
    for item in known:
        decision = matcher.decide(item.profile)
        in_store = item.ror in matcher.records
        result.decided.append((item, decision, in_store))
        if decision.status is Status.MATCHED and decision.chosen is not None:
            if decision.chosen.ror == item.ror:
                result.right.append(item)
            else:
                result.wrong.append((item, f"{decision.chosen.ror} ({decision.chosen.evidence})"))
                result.wrong_findable += in_store
        elif in_store:
            best = decision.candidates[0] if decision.candidates else None
            why = f"{decision.status.value}, best {best.ror} {best.score:.2f}" if best else "no candidate"
            result.missed.append((item, why))
        else:
            result.absent += 1
    return result


def evaluate(store: Backend) -> list[Score]:
    """The scores of both sets against the ROR records of ``store``."""
    matcher = Matcher(ror_records(store))
    publications = [*openalex_known(), *hal_known()]
    return [score(matcher, "publications", publications), score(matcher, "cnrs-table", list(cnrs_known()))]


def ror_store(path: Path) -> OxigraphStore:
    """A store holding the bundled ROR records only."""
    sources = [data for item in bundled_sources() if item.kind == "ror" for data in load_path(item.path, item.kind)]
    store = OxigraphStore(path)
    write_sources(store, sources)
    return store


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, ror_store(Path(tmp) / "store") as store:
        scores = evaluate(store)
        print(f"reconciliation against the {len(ror_records(store))} bundled ROR records (no full ROR dump offline)")
    for result in scores:
        for line in result.lines():
            print(line)
    target = scores[0]
    met = target.precision >= TARGET_PRECISION and target.recall >= TARGET_RECALL
    verdict = "met" if met else "NOT met"
    print(f"target (publications): precision >= {TARGET_PRECISION} at recall >= {TARGET_RECALL}: {verdict}")
    for threshold in SWEEP:
        figures = ", ".join(f"{r.name} {r.at(threshold)[0]:.3f}/{r.at(threshold)[1]:.3f}" for r in scores)
        print(f"threshold {threshold:.2f}{' (chosen)' if threshold == THRESHOLD else ''}: precision/recall {figures}")


if __name__ == "__main__":
    main()
