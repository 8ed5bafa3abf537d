"""The synthetic OpenAlex works: deterministic, marked, between real institutions, skewed, loadable."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pytest

import loaders.openalex as openalex
from loaders.openalex import synthetic
from loaders.openalex.synthetic import CNRS_OPENALEX, generate_works, institution_pool, iter_works
from ontology import FABIO, KG, ORG, RDF, iris

CNRS = iris.ror_org(iris.CNRS_ROR)
COUNT = 3_000


@pytest.fixture(scope="module")
def works_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synthetic") / "works.jsonl.gz"
    assert generate_works(COUNT, path, seed=7) == COUNT
    return path


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    for name in ("works.jsonl", "works.jsonl.gz"):
        first, again, other = tmp_path / "a" / name, tmp_path / "b" / name, tmp_path / "c" / name
        for folder in (first, again, other):
            folder.parent.mkdir(exist_ok=True)
        generate_works(200, first, seed=1)
        generate_works(200, again, seed=1)
        generate_works(200, other, seed=2)
        assert first.read_bytes() == again.read_bytes()
        assert first.read_bytes() != other.read_bytes()


def test_gzip_when_asked(tmp_path: Path) -> None:
    plain, packed = tmp_path / "works.jsonl", tmp_path / "works.jsonl.gz"
    generate_works(50, plain, seed=1)
    generate_works(50, packed, seed=1)
    assert packed.read_bytes()[:2] == b"\x1f\x8b"
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()


def test_marked_synthetic(works_file: Path) -> None:
    works = list(iter_works(works_file))
    assert len(works) == COUNT
    for n, work in enumerate(works, 1):
        assert work["is_synthetic"] is True
        assert work["id"].startswith("https://openalex.org/W9")
        assert work["doi"] == f"https://doi.org/10.5555/cnrs-kg.synthetic.{n}"
        assert work["title"] == f"Synthetic work {n}"
    [source] = openalex.load(works_file)
    assert source.info.synthetic
    assert source.info.title == "Synthetic OpenAlex-shaped works (works.jsonl.gz)"


def test_real_institutions(works_file: Path) -> None:
    pool = institution_pool()
    real = {item["ror"]: item for item in (pool.cnrs, *pool.labs, *pool.partners)}
    labs = {item["id"] for item in pool.labs}
    for work in iter_works(works_file):
        assert 1 <= len(work["authorships"]) <= 12
        for authorship in work["authorships"]:
            for institution in authorship["institutions"]:
                assert real[institution["ror"]] == institution
                if institution["id"] in labs:
                    assert institution["lineage"] == [institution["id"], f"https://openalex.org/{CNRS_OPENALEX}"]
    assert pool.cnrs["id"] == f"https://openalex.org/{CNRS_OPENALEX}"
    assert {item["country_code"] for item in pool.partners} >= {"VN", "TH", "SG", "ID", "MY", "PH"}


def test_shape_of_activity(works_file: Path) -> None:
    works = list(iter_works(works_file))
    cnrs_side = {item["id"] for item in (institution_pool().cnrs, *institution_pool().labs)}
    with_cnrs = [w for w in works if any(i["id"] in cnrs_side for a in w["authorships"] for i in a["institutions"])]
    assert 0.75 < len(with_cnrs) / len(works) < 0.95
    years = Counter(w["publication_year"] for w in works)
    assert min(years) >= 2000
    assert max(years) <= 2024
    early = sum(years[y] for y in range(2000, 2005))
    late = sum(years[y] for y in range(2020, 2025))
    assert late > 2 * early  # growth over time
    sizes = Counter(len(w["authorships"]) for w in works)
    assert set(sizes) == set(range(1, 13))


def test_few_partners_hold_most_copublications(works_file: Path) -> None:
    partners = {item["id"] for item in institution_pool().partners}
    held: Counter[str] = Counter()
    for work in iter_works(works_file):
        institutions = [i for a in work["authorships"] for i in a["institutions"]]
        if len({i["country_code"] for i in institutions}) >= 2:
            held.update({i["id"] for i in institutions if i["id"] in partners})
    counts = sorted(held.values(), reverse=True)
    top = counts[: max(1, len(partners) // 10)]
    assert sum(top) > 0.5 * sum(counts)


def test_output_loads(works_file: Path) -> None:
    [source] = openalex.load(works_file)
    triples = set(source.triples)
    assert source.problems == []
    works = {t.subject for t in triples if t.predicate == RDF.type and t.object == FABIO.Expression}
    assert len(works) == COUNT
    copublications = {t.subject for t in triples if t.predicate == RDF.type and t.object == KG.CoPublication}
    assert 0.4 * COUNT < len(copublications) < COUNT
    # Lab lineages reach the CNRS's ROR node through the crosswalk of its real OpenAlex id.
    assert any(t.predicate == ORG.subOrganizationOf and t.object == CNRS for t in triples)
    assert not any(t.object == iris.openalex_org(CNRS_OPENALEX) for t in triples)


def test_generated_ids() -> None:
    assert synthetic.synthetic_openalex_id("https://ror.org/02feahw73") == "I90083307068"
    assert len({synthetic.synthetic_openalex_id(item["ror"]) for item in institution_pool().partners}) == len(
        institution_pool().partners
    )


def test_arguments(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    assert generate_works(0, empty) == 0
    assert empty.read_bytes() == b""
    with pytest.raises(ValueError, match="count"):
        generate_works(-1, empty)
    with pytest.raises(ValueError, match="years"):
        generate_works(1, empty, first_year=2024, last_year=2000)
    one_year = tmp_path / "2010.jsonl"
    generate_works(20, one_year, first_year=2010, last_year=2010)
    assert {w["publication_year"] for w in iter_works(one_year)} == {2010}
