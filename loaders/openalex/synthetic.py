"""OpenAlex-shaped works between real institutions, for tests and benchmarks: NOT real publications.

Every record carries ``"is_synthetic": true``, an id ``https://openalex.org/W9...`` and a DOI under
the test prefix ``10.5555`` (``https://doi.org/10.5555/cnrs-kg.synthetic.<n>``), so it can never be
mistaken for, nor collide with, a real work; the loader names such a file's graph "Synthetic".

The institutions are real, read from the bundled ROR records (``data/ror``): the CNRS (with its
real OpenAlex id I1294671590) and its laboratories on the French side, every other active
organisation (the ASEAN ones) as partners. Each has an OpenAlex id derived from its ROR id
(``I9`` and ten digits, beyond the real ids' range). Activity is skewed as in real bibliometrics:
Zipf weights over partners and over labs (a few hold most co-publications), 1 to 12 authorships a
work, most works with a CNRS lab, and more works each year.

Each work has 1 to 3 topics (``topics``, the first also ``primary_topic``), real OpenAlex topics
with their real subfield, field and domain (``TOPICS``, a small table of them). Each lab works in
one or two fields, drawn once per seed: the topics of a work with a lab come from its first lab's
fields (now and then one from another of its labs), those of a work without a lab from any field.
The topics are drawn from a generator of their own, so the rest of a work is what it was before
works had topics.

The output is the same for the same arguments (gzip too: no time stamp in its header), and is
written one work at a time, so its size is not bounded by memory.

>>> synthetic_openalex_id("02feahw73")
'I90083307068'
"""

from __future__ import annotations

import gzip
import io
import json
import random
from bisect import bisect_left
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from loaders.bundled import data_dir
from ontology import iris

__all__ = [
    "CNRS_OPENALEX",
    "DOI_PREFIX",
    "InstitutionPool",
    "generate_works",
    "institution_pool",
    "iter_works",
    "synthetic_openalex_id",
]

CNRS_OPENALEX = "I1294671590"
DOI_PREFIX = "10.5555/cnrs-kg.synthetic."
OPENALEX = "https://openalex.org/"
_BASE32 = "0123456789abcdefghjkmnpqrstvwxyz"  # ROR's Crockford alphabet
# OpenAlex gives an institution one type; ROR may give several (the CNRS: funder, government).
_TYPE_PREFERENCE = ("education", "healthcare", "company", "archive", "nonprofit", "government", "facility", "funder")
_AUTHORSHIPS = tuple(range(1, 13))
_AUTHORSHIP_WEIGHTS = (10, 14, 16, 15, 12, 9, 7, 5, 4, 3, 3, 2)
_WORK_TYPES = ("article", "review", "book-chapter", "preprint", "dataset")
_WORK_TYPE_WEIGHTS = (80, 5, 6, 7, 2)
_CUMULATIVE_AUTHORSHIPS = list(accumulate(_AUTHORSHIP_WEIGHTS))
_CUMULATIVE_TYPES = list(accumulate(_WORK_TYPE_WEIGHTS))
_CNRS_SHARE = 0.85  # works with a CNRS lab
_INTERNATIONAL_SHARE = 0.7  # of those with two authorships or more, works with a partner too
_PARTNER_EXPONENT = 1.1
_LAB_EXPONENT = 1.0
_YEARLY_GROWTH = 1.07
_AUTHOR_POOL = 400_000
_BATCH = 1000
_TOPIC_COUNTS = (1, 1, 2, 2, 3)
# Real OpenAlex topics, each in its real subfield, field and domain, from real records
# (tests/fixtures/openalex, and OpenAlex author records naming their topics).
DOMAINS = {1: "Life Sciences", 2: "Social Sciences", 3: "Physical Sciences"}
FIELDS = {  # id: name, domain
    13: ("Biochemistry, Genetics and Molecular Biology", 1),
    17: ("Computer Science", 3),
    18: ("Decision Sciences", 2),
    22: ("Engineering", 3),
    25: ("Materials Science", 3),
    28: ("Neuroscience", 1),
    31: ("Physics and Astronomy", 3),
}
SUBFIELDS = {  # id: name (its field: the id's first two digits, as in Scopus ASJC)
    1315: "Structural Biology",
    1702: "Artificial Intelligence",
    1710: "Information Systems",
    1802: "Information Systems and Management",
    1804: "Statistics, Probability and Uncertainty",
    2204: "Biomedical Engineering",
    2208: "Electrical and Electronic Engineering",
    2505: "Materials Chemistry",
    2508: "Surfaces, Coatings and Films",
    2805: "Cognitive Neuroscience",
    3103: "Astronomy and Astrophysics",
    3104: "Condensed Matter Physics",
    3107: "Atomic and Molecular Physics, and Optics",
}
TOPICS = (  # id, name, subfield
    ("T10102", "scientometrics and bibliometrics research", 1804),
    ("T13607", "Academic Publishing and Open Access", 1802),
    ("T11937", "Research Data Management Practices", 1710),
    ("T10028", "Topic Modeling", 1702),
    ("T10309", "Gravitational Wave Astronomy and Cosmology", 3103),
    ("T10037", "Physics of Superconductivity and Magnetism", 3104),
    ("T10099", "First-Principles Calculations for III-Nitride Semiconductors", 3104),
    ("T11449", "Cavity Optomechanics and Nanomechanical Systems", 3107),
    ("T10074", "Carbon Nanotubes and their Applications", 2505),
    ("T12039", "Surface Analysis and Electron Spectroscopy Techniques", 2508),
    ("T10247", "Perovskite Solar Cell Technology", 2208),
    ("T10784", "Analysis of Electromyography Signal Processing", 2204),
    ("T10857", "Cryo-Electron Microscopy Techniques", 1315),
    ("T10914", "Tactile Perception and Cross-modal Plasticity", 2805),
)


def synthetic_openalex_id(ror: str) -> str:
    """A made-up OpenAlex institution id for a ROR id: its six base-32 characters as ten digits after ``I9``."""
    number = 0
    for char in iris.ror_id(ror)[1:7]:
        number = number * 32 + _BASE32.index(char)
    return f"I9{number:010d}"


@dataclass(frozen=True)
class InstitutionPool:
    """OpenAlex-shaped institution objects: the CNRS, its labs, the partners (each list in ROR id order)."""

    cnrs: dict[str, Any]
    labs: tuple[dict[str, Any], ...]
    partners: tuple[dict[str, Any], ...]


def _institution(ror: str, name: str, country: str | None, types: tuple[str, ...], openalex: str) -> dict[str, Any]:
    kind = next((t for t in _TYPE_PREFERENCE if t in types), "other")
    return {
        "id": OPENALEX + openalex,
        "display_name": name,
        "ror": f"https://ror.org/{ror}",
        "country_code": country,
        "type": kind,
        "lineage": [OPENALEX + openalex],
    }


@cache
def institution_pool(root: Path | None = None) -> InstitutionPool:
    """The institutions of the bundled ROR records under ``root`` (default: ``data/ror``)."""
    from loaders import ror  # the ROR loader's own parser reads both schemas

    folder = root or data_dir() / "ror"
    records = {
        record.ror: record
        for path in sorted(folder.glob("*.json"))
        if ror.detect(path)
        for record in ror.parse_records(path.read_text(encoding="utf-8"), str(path))
    }
    if iris.CNRS_ROR not in records:
        raise FileNotFoundError(f"no ROR record of the CNRS ({iris.CNRS_ROR}) under {folder}")
    internal = ror.cnrs_internal_bodies(list(records.values()))
    inside = internal | {iris.CNRS_ROR}
    cnrs_record = records[iris.CNRS_ROR]
    cnrs = _institution(
        cnrs_record.ror, cnrs_record.label[0], cnrs_record.countries[0], cnrs_record.types, CNRS_OPENALEX
    )
    labs, partners = [], []
    for key in sorted(records):
        record = records[key]
        if key in inside or record.status != "active":
            continue
        country = record.countries[0] if record.countries else None
        item = _institution(key, record.label[0], country, record.types, synthetic_openalex_id(key))
        if any(kind == "parent" and target in inside for kind, target in record.relationships):
            item["lineage"].append(cnrs["id"])
            labs.append(item)
        else:
            partners.append(item)
    return InstitutionPool(cnrs, tuple(labs), tuple(partners))


class _Weighted:
    """Draws from items with given weights (``random.choices`` without its per-call set-up)."""

    def __init__(self, items: tuple[Any, ...], weights: list[float]) -> None:
        self.items = items
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random) -> Any:
        return self.items[bisect_left(self.cumulative, rng.random() * self.total)]


def _zipf(items: tuple[Any, ...], exponent: float, rng: random.Random) -> _Weighted:
    """Zipf weights over the items in an order shuffled by ``rng``: which ones lead depends on the seed."""
    order = list(items)
    rng.shuffle(order)
    return _Weighted(tuple(order), [1 / rank**exponent for rank in range(1, len(order) + 1)])


def generate_works(count: int, out: Path, *, seed: int = 0, first_year: int = 2000, last_year: int = 2024) -> int:
    """Write ``count`` synthetic works to ``out`` as JSON Lines (gzip if it ends with ``.gz``); return ``count``."""
    if count < 0:
        raise ValueError(f"count must be zero or more, not {count}")
    if not 1 <= first_year <= last_year <= 9999:
        raise ValueError(f"years {first_year}-{last_year}: the first must not be after the last")
    pool = institution_pool()
    if not pool.labs or not pool.partners:
        raise ValueError("the bundled ROR records hold no CNRS lab or no partner")
    rng = random.Random(seed)
    partners = _zipf(pool.partners, _PARTNER_EXPONENT, rng)
    labs = _zipf(pool.labs, _LAB_EXPONENT, rng)
    years = _Weighted(
        tuple(range(first_year, last_year + 1)), [_YEARLY_GROWTH**k for k in range(last_year - first_year + 1)]
    )
    fields = _Fields(pool.labs, random.Random(f"topics {seed}"))
    with _open(out) as handle:
        batch: list[bytes] = []
        for n in range(1, count + 1):
            work = _work(n, rng, pool.cnrs, labs, partners, years, last_year)
            work.update(fields.topics_of(work))
            batch.append(json.dumps(work, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
            if len(batch) >= _BATCH:
                handle.write(b"".join(batch))
                batch.clear()
        handle.write(b"".join(batch))
    return count


@contextmanager
def _open(out: Path) -> Iterator[io.BufferedIOBase]:
    with out.open("wb") as raw:
        if not out.name.lower().endswith(".gz"):
            yield raw
            return
        # No file name and a zero time stamp in the header: the same works give the same bytes.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as compressed:
            yield compressed


def _work(
    n: int,
    rng: random.Random,
    cnrs: dict[str, Any],
    labs: _Weighted,
    partners: _Weighted,
    years: _Weighted,
    last_year: int,
) -> dict[str, Any]:
    size = _AUTHORSHIPS[bisect_left(_CUMULATIVE_AUTHORSHIPS, rng.random() * _CUMULATIVE_AUTHORSHIPS[-1])]
    french = 0
    if rng.random() < _CNRS_SHARE:
        french = size if size == 1 or rng.random() >= _INTERNATIONAL_SHARE else rng.randint(1, size - 1)
    teams = [labs.draw(rng) for _ in range(rng.choice((1, 1, 1, 2, 2, 3)))] if french else []
    groups = [partners.draw(rng) for _ in range(rng.choice((1, 1, 2, 2, 3)))] if french < size else []
    authorships = [_authorship(rng, _french_side(rng, cnrs, teams)) for _ in range(french)]
    authorships += [_authorship(rng, _partner_side(rng, groups)) for _ in range(size - french)]
    rng.shuffle(authorships)
    for position, authorship in enumerate(authorships):
        authorship["author_position"] = "first" if position == 0 else "last" if position == size - 1 else "middle"
    year = years.draw(rng)
    kind = _WORK_TYPES[bisect_left(_CUMULATIVE_TYPES, rng.random() * _CUMULATIVE_TYPES[-1])]
    title = f"Synthetic work {n}"
    return {
        "id": f"{OPENALEX}W9{n:010d}",
        "doi": f"https://doi.org/{DOI_PREFIX}{n}",
        "title": title,
        "display_name": title,
        "publication_year": year,
        "publication_date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "type": kind,
        "cited_by_count": int((rng.paretovariate(1.5) - 1) * (last_year - year + 1) * 2),
        "is_synthetic": True,
        "authorships": authorships,
        "countries_distinct_count": len({c for a in authorships for c in a["countries"]}),
        "institutions_distinct_count": len({i["id"] for a in authorships for i in a["institutions"]}),
    }


def _french_side(rng: random.Random, cnrs: dict[str, Any], teams: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A CNRS author's affiliations: a lab mostly, the lab and the CNRS now and then, the CNRS alone rarely."""
    draw = rng.random()
    if draw < 0.1:
        return [cnrs]
    lab = rng.choice(teams)
    return [lab, cnrs] if draw < 0.3 else [lab]


def _partner_side(rng: random.Random, groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    first = rng.choice(groups)
    second = rng.choice(groups)
    return [first, second] if second is not first and rng.random() < 0.1 else [first]


def _authorship(rng: random.Random, institutions: list[dict[str, Any]]) -> dict[str, Any]:
    author = rng.randrange(1, _AUTHOR_POOL)
    name = f"Synthetic Author {author}"
    countries = sorted({i["country_code"] for i in institutions if i["country_code"]})
    return {
        "author_position": "middle",
        "author": {"id": f"{OPENALEX}A9{author:09d}", "display_name": name, "orcid": None},
        "institutions": institutions,
        "countries": countries,
        "is_corresponding": False,
        "raw_author_name": name,
        "raw_affiliation_strings": [i["display_name"] for i in institutions],
    }


class _Fields:
    """The fields each lab works in (one or two, drawn once), and the topics of a work from them."""

    def __init__(self, labs: tuple[dict[str, Any], ...], rng: random.Random) -> None:
        self.rng = rng
        by_field: dict[int, list[tuple[Any, ...]]] = {}
        for row in TOPICS:
            by_field.setdefault(row[2] // 100, []).append(row)
        self.by_field = by_field
        ids = sorted(by_field)
        self.lab_topics = {
            lab["id"]: [row for field in rng.sample(ids, rng.choice((1, 2))) for row in by_field[field]] for lab in labs
        }

    def topics_of(self, work: dict[str, Any]) -> dict[str, Any]:
        """``topics`` and ``primary_topic`` for a work, from its labs' fields (any field without a lab)."""
        labs = [i["id"] for a in work["authorships"] for i in a["institutions"] if i["id"] in self.lab_topics]
        rng = self.rng
        pool = self.lab_topics[labs[0]] if labs else list(TOPICS)
        chosen = rng.sample(pool, min(rng.choice(_TOPIC_COUNTS), len(pool)))
        others = [lab for lab in dict.fromkeys(labs) if lab != labs[0]] if labs else []
        if others and rng.random() < 0.2:  # now and then a topic of another of its labs
            extra = rng.choice(self.lab_topics[rng.choice(others)])
            chosen = [*chosen, extra] if extra not in chosen else chosen
        scores = sorted((round(rng.uniform(0.5, 1.0), 4) for _ in chosen), reverse=True)
        topics = [_topic(row, score) for row, score in zip(chosen, scores, strict=True)]
        return {"primary_topic": topics[0], "topics": topics}


def _topic(row: tuple[Any, ...], score: float) -> dict[str, Any]:
    topic, name, subfield = row
    field = subfield // 100
    field_name, domain = FIELDS[field]
    return {
        "id": f"{OPENALEX}{topic}",
        "display_name": name,
        "score": score,
        "subfield": {"id": f"{OPENALEX}subfields/{subfield}", "display_name": SUBFIELDS[subfield]},
        "field": {"id": f"{OPENALEX}fields/{field}", "display_name": field_name},
        "domain": {"id": f"{OPENALEX}domains/{domain}", "display_name": DOMAINS[domain]},
    }


def iter_works(path: Path) -> Iterator[dict[str, Any]]:
    """The works of a generated file, decoded (for tests and checks)."""
    with gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb") as handle:
        for line in handle:
            yield json.loads(line)
