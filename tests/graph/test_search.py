"""Name search on the bundled store: what people type finds what they mean, best first, and the
index follows the store's writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import BadArgument, OxigraphStore
from graph.search import INDEX_DIR, INDEX_FILE, MAX_WORDS, index_of, label_version, search
from graph.writing import write_sources
from loaders import load_path
from ontology import KG, RDF, RDFS, iris
from tests.conftest import copy_store

CNRS = iris.ror_org("02feahw73").value
UGA = iris.ror_org("02rx3b187").value  # Université Grenoble Alpes
VAST = iris.ror_org("02wsd5p50").value  # Vietnam Academy of Science and Technology
VN = iris.country("VN").value
GJOVIK = "https://w3id.org/cnrs-kg/id/org/hal/301160"  # Gjøvik University College, named by one HAL export only
HAL_EXPORT = Path(__file__).resolve().parents[2] / "data" / "publications" / "hal" / "hal-01213935.xml"
HAL_GRAPH = ox.NamedNode("https://w3id.org/cnrs-kg/graph/hal/hal-01213935.xml")


def first(store: OxigraphStore, text: str, **options: object) -> str | None:
    hits = search(store, text, **options)  # type: ignore[arg-type]
    return hits[0].iri if hits else None


@pytest.mark.parametrize(
    "text",
    ["universite grenoble", "Université Grenoble", "GRENOBLE université", "univ grenob", "grenoble alpes"],
)
def test_accents_case_and_word_order_do_not_matter(bundled: OxigraphStore, text: str) -> None:
    assert first(bundled, text) == UGA


def test_words_need_not_be_contiguous(bundled: OxigraphStore) -> None:
    assert first(bundled, "centre national recherche scientifique") == CNRS
    assert first(bundled, "recherche scientifique centre national") == CNRS


@pytest.mark.parametrize(("acronym", "iri"), [("CNRS", CNRS), ("cnrs", CNRS), ("VAST", VAST)])
def test_an_acronym_ranks_its_organisation_first(bundled: OxigraphStore, acronym: str, iri: str) -> None:
    hits = search(bundled, acronym)
    assert hits[0].iri == iri
    assert hits[0].exact


@pytest.mark.parametrize("text", ["Vietnam", "viet nam", "Viêt Nam", "VNM", "Socialist Republic of Viet Nam"])
def test_a_country_in_its_common_forms(bundled: OxigraphStore, text: str) -> None:
    assert first(bundled, text) == VN
    assert first(bundled, text, kinds=["country"]) == VN


def test_letters_without_a_decomposition_fold_too(bundled: OxigraphStore) -> None:
    assert first(bundled, "gjovik") == GJOVIK
    assert first(bundled, "Gjøvik University College") == GJOVIK
    assert first(bundled, "dai hoc da nang") == iris.ror_org("03ecpp171").value  # its name "Đại học Đà Nẵng"


def test_hits_are_ranked_and_labelled(bundled: OxigraphStore) -> None:
    hits = search(bundled, "sorbonne", limit=5)
    assert len(hits) == 5
    assert hits[0].label == "Sorbonne Université"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert {h.kind for h in hits} == {"institution"}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('"CNRS', CNRS),
        ('CNRS"', CNRS),
        ("CNRS*", CNRS),
        ("-CNRS", CNRS),
        ("CNRS -", CNRS),
        ("CNRS)", CNRS),
        ("^CNRS", CNRS),
        ("CNRS:", CNRS),
        ("{CNRS}", CNRS),
        ("NEAR(CNRS", None),  # two words, "near" and "cnrs": no name holds both
        ("*", None),
        ("'; DROP", None),
    ],
)
def test_the_users_text_is_never_fts_syntax(bundled: OxigraphStore, text: str, found: str | None) -> None:
    assert first(bundled, text) == found


def test_operators_are_words(bundled: OxigraphStore) -> None:
    """``OR`` and ``NOT`` are searched as words (all words must match), not obeyed."""
    assert search(bundled, "CNRS OR Thailand") == []
    assert search(bundled, "Thailand NOT Bangkok") == []
    assert first(bundled, "NEAR", kinds=["country"]) is None


def test_a_text_without_words_finds_nothing(bundled: OxigraphStore) -> None:
    assert search(bundled, "") == []
    assert search(bundled, " -- ") == []


def test_kinds_limit_and_bad_arguments(bundled: OxigraphStore) -> None:
    regions = search(bundled, "asia", kinds=["region"])
    assert regions
    assert {h.kind for h in regions} == {"region"}
    assert first(bundled, "asean", kinds=["group"]) == iris.country_group("asean").value
    assert first(bundled, "ipal", kinds=["instrument"]) == iris.instrument("irl-ipal").value
    assert len(search(bundled, "universite", limit=3)) == 3
    with pytest.raises(BadArgument, match="kind: 'lab' is not a kind"):
        search(bundled, "cnrs", kinds=["lab"])
    with pytest.raises(BadArgument, match="limit: 0 is out of range"):
        search(bundled, "cnrs", limit=0)
    with pytest.raises(BadArgument, match=f"q: {MAX_WORDS + 1} words, over the limit of {MAX_WORDS}"):
        search(bundled, " ".join(["word"] * (MAX_WORDS + 1)), argument="q")


# -- the index in step with the store ---------------------------------------------------------------


@pytest.fixture
def writable(bundled_copy: Path) -> Iterator[OxigraphStore]:
    with OxigraphStore(bundled_copy) as store:
        yield store


def saved_version(store_path: Path) -> int:
    with closing(sqlite3.connect(store_path / INDEX_DIR / INDEX_FILE)) as db:
        (version,) = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    return int(version)


def test_a_load_that_adds_an_organisation_makes_it_findable(writable: OxigraphStore, bundled_copy: Path) -> None:
    writable.drop_graph(HAL_GRAPH)
    assert first(writable, "gjovik") is None
    write_sources(writable, load_path(HAL_EXPORT, "hal"))
    assert first(writable, "gjovik university") == GJOVIK
    assert saved_version(bundled_copy) == label_version(writable)
    assert label_version(writable) < writable.generation  # the network's own write, after, moves nothing here
    assert [p.name for p in (bundled_copy / INDEX_DIR).iterdir()] == [INDEX_FILE]  # no temporary file left


def test_a_saved_index_is_read_by_the_next_process(bundled_copy: Path) -> None:
    with OxigraphStore(bundled_copy) as writer:
        built = index_of(writer)
    with closing(sqlite3.connect(bundled_copy / INDEX_DIR / INDEX_FILE)) as db, db:  # what only the file holds
        db.execute("UPDATE entity SET label = 'as saved' WHERE iri = ?", (VAST,))
    with OxigraphStore(bundled_copy, read_only=True) as reader:
        assert index_of(reader).version == built.version
        assert [(h.iri, h.label) for h in search(reader, "VAST", limit=1)] == [(VAST, "as saved")]


def test_a_read_only_store_is_searched_from_memory(bundled_store_path: Path, tmp_path: Path) -> None:
    path = copy_store(bundled_store_path, tmp_path / "store")
    with OxigraphStore(path, read_only=True) as store:
        assert first(store, "universite grenoble") == UGA
        assert index_of(store) is index_of(store)  # built once per version
    assert not (path / INDEX_DIR).exists()


def test_a_store_that_cannot_take_the_file_keeps_it_in_memory(writable: OxigraphStore, bundled_copy: Path) -> None:
    (bundled_copy / INDEX_DIR).write_text("not a folder")  # the folder cannot be made
    assert first(writable, "CNRS") == CNRS


def test_a_plain_sparql_store_is_searched_too() -> None:
    """A store with no bookkeeping (a plain pyoxigraph store): the index is built for each search."""
    store = ox.Store()
    country = ox.NamedNode(VN)
    facts: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (RDF.type, KG.Country),
        (KG.alpha2, ox.Literal("VN")),
        (RDFS.label, ox.Literal("Viet Nam", language="en")),
    ]
    for p, o in facts:
        store.add(ox.Quad(country, p, o))
    assert [h.iri for h in search(store, "vietnam")] == [VN]  # type: ignore[arg-type]  # its query() takes more
