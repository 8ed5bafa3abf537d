"""Any RDF file as a source: each syntax by its extension, the SemOpenAlex sample with its
provenance, reloads that change nothing, graphs kept apart, blank nodes, bad files, bounded memory.

The records are real: the SemOpenAlex data sample (``tests/fixtures/semopenalex``, see its
``SOURCE.md``) and, for blank nodes, the person of the W3C Graph Store protocol tests. Statements
are compared as the store keeps them (``as_stored``: oxigraph's canonical literals), by set.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import tracemalloc
from collections.abc import Iterable
from itertools import zip_longest
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import OxigraphStore
from loaders import LoadError, SourceData, detect_kind, load_path
from ontology import DCTERMS, KG, PROV, RDF, XSD
from tests.api.test_graphstore import JOHN
from tests.cli.run import cnrs_kg

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "semopenalex"
SAMPLE = FIXTURE / "semopenalex-data-sample.trig"
CONTEXT = ox.NamedNode("https://semopenalex.org/property/context")
BASE = "https://w3id.org/cnrs-kg/graph/rdf/"
SAMPLE_GRAPH = ox.NamedNode(BASE + "semopenalex-data-sample.trig/https%3A%2F%2Fsemopenalex.org%2Fproperty%2Fcontext")
WORK = ox.NamedNode("https://semopenalex.org/work/W2015191210")
CC0 = ox.NamedNode("https://creativecommons.org/publicdomain/zero/1.0/")
SPDX = "http://spdx.org/rdf/terms#"
FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdf": ox.RdfFormat.RDF_XML,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def as_stored(quads: Iterable[ox.Quad | ox.Triple]) -> set[ox.Triple]:
    """The triples as an oxigraph store keeps them: its own canonical forms of literals."""
    store = ox.Store()
    store.extend(q if isinstance(q, ox.Quad) else ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    return {quad.triple for quad in store}


def sample() -> list[ox.Quad]:
    return list(ox.parse(path=SAMPLE))


def record(subject: ox.NamedNode = WORK) -> list[ox.Triple]:
    """The statements of the sample about one resource (the work, by default): one real record."""
    return [quad.triple for quad in sample() if quad.subject == subject]


def statements(sources: list[SourceData]) -> dict[str, set[ox.Triple]]:
    """Each source's statements, without its description of itself (about the graph and the file)."""
    found = {}
    for source in sources:
        triples = list(source.triples)
        described = {source.graph} | {t.subject for t in triples if str(t.subject).startswith("<ni:")}
        found[source.graph.value] = as_stored(t for t in triples if t.subject not in described)
    return found


def quads_of(store: Path) -> set[ox.Quad]:
    with OxigraphStore(store, read_only=True) as kg:
        return set(kg.quads())


def one_line_error(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    return lines[0]


# --- each syntax, told by its extension ----------------------------------------------------------


@pytest.mark.parametrize("extension", sorted(FORMATS))
def test_each_syntax_is_told_by_its_extension(extension: str, tmp_path: Path) -> None:
    syntax = FORMATS[extension]
    work = record()
    path = tmp_path / f"work.{extension}"
    if syntax.supports_datasets:  # the record in its named graph, as SemOpenAlex gives it
        ox.serialize([ox.Quad(t.subject, t.predicate, t.object, CONTEXT) for t in work], path, syntax)
        graph = f"{BASE}work.{extension}/https%3A%2F%2Fsemopenalex.org%2Fproperty%2Fcontext"
    else:
        ox.serialize(work, path, syntax)
        graph = f"{BASE}work.{extension}"
    assert detect_kind(path) == "rdf"
    assert statements(load_path(path, licence=CC0.value)) == {graph: as_stored(work)}


@pytest.mark.parametrize(("name", "syntax"), [("work.json", ox.RdfFormat.JSON_LD), ("work.xml", ox.RdfFormat.RDF_XML)])
def test_json_and_xml_are_rdf_when_the_user_says_so(name: str, syntax: ox.RdfFormat, tmp_path: Path) -> None:
    path = tmp_path / name
    ox.serialize(record(), path, syntax)
    with pytest.raises(LoadError, match="cannot tell what kind of source"):
        detect_kind(path)
    assert statements(load_path(path, "rdf", licence=CC0.value)) == {BASE + name: as_stored(record())}


def test_a_gzip_archive_is_read_as_it_is_decompressed(tmp_path: Path) -> None:
    path = tmp_path / "work.nt.gz"
    path.write_bytes(gzip.compress(ox.serialize(record(), format=ox.RdfFormat.N_TRIPLES) or b"", mtime=0))
    [source] = load_path(path, licence=CC0.value)
    assert statements([source]) == {BASE + "work.nt.gz": as_stored(record())}
    checksum = next(
        t.object for t in load_path(path, licence=CC0.value)[0].triples if t.predicate.value.endswith("checksumValue")
    )
    assert checksum == ox.Literal(hashlib.sha256(path.read_bytes()).hexdigest())  # of the archive, as it was given


def test_a_seeds_facts_file_stays_a_seed() -> None:
    facts = next((ROOT / "data" / "seeds").glob("*.facts.ttl"))
    assert detect_kind(facts) == "seed"


# --- the SemOpenAlex sample: provenance, and a second load that changes nothing -------------------


def test_the_semopenalex_sample_loads_with_its_provenance(bundled_copy: Path) -> None:
    before = quads_of(bundled_copy)
    result = cnrs_kg(bundled_copy, "load", str(SAMPLE))
    assert result.exit_code == 0, result.output
    after = quads_of(bundled_copy)
    assert {q for q in after if q.graph_name != SAMPLE_GRAPH} == before  # no other graph touched, network included
    stored = {q.triple for q in after if q.graph_name == SAMPLE_GRAPH}
    [file] = [
        t.object
        for t in stored
        if t.subject == SAMPLE_GRAPH and t.predicate == DCTERMS.source and str(t.object).startswith("<ni:")
    ]
    assert isinstance(file, ox.NamedNode)
    checksum = ox.NamedNode(file.value + "#checksum")
    data = {t for t in stored if t.subject not in (SAMPLE_GRAPH, file, checksum)}
    assert len(data) == 2347
    assert data == as_stored(sample())
    described = {t for t in stored if t.subject == SAMPLE_GRAPH}
    expected: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (RDF.type, PROV.Entity),
        (RDF.type, KG.SourceGraph),
        (PROV.wasDerivedFrom, CONTEXT),
        (DCTERMS.license, CC0),
        (PROV.generatedAtTime, ox.Literal("2026-12-07", datatype=XSD.date)),
        (KG.sourceKind, ox.Literal("rdf")),
    ]
    for predicate, obj in expected:
        assert ox.Triple(SAMPLE_GRAPH, predicate, obj) in described, (predicate, obj)
    origin = "https://github.com/metaphacts/semopenalex/blob/30472a291c99b3473f4251e951141406490b5b73/data-sample/"
    assert ox.Triple(SAMPLE_GRAPH, PROV.hadPrimarySource, ox.NamedNode(origin + SAMPLE.name)) in described
    sha256 = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert ox.Triple(checksum, ox.NamedNode(SPDX + "checksumValue"), ox.Literal(sha256)) in stored
    assert ox.Triple(file, DCTERMS.format, ox.NamedNode("http://www.w3.org/ns/formats/TriG")) in stored
    assert ox.Triple(file, DCTERMS.title, ox.Literal(SAMPLE.name)) in stored


def test_a_second_load_of_the_sample_changes_nothing(bundled_copy: Path) -> None:
    assert cnrs_kg(bundled_copy, "load", str(SAMPLE)).exit_code == 0
    first = quads_of(bundled_copy)
    again = cnrs_kg(bundled_copy, "load", str(SAMPLE))
    assert again.exit_code == 0, again.output
    written = re.search(r"(\d+) graphs written \((\d+) unchanged\)", again.output)
    assert written is not None, again.output
    assert written[1] == written[2], again.output
    assert quads_of(bundled_copy) == first


def test_graphs_of_a_dataset_are_kept_apart(tmp_path: Path) -> None:
    """The work in one named graph, its first author in another, interleaved, and a triple in the default graph."""
    author = ox.NamedNode("https://semopenalex.org/author/A2308609296")
    works, authors = ox.NamedNode("https://example.org/works"), ox.NamedNode("https://example.org/authors")
    work, person = record(), record(author)
    pairs = zip_longest(
        (ox.Quad(t.subject, t.predicate, t.object, works) for t in work),
        (ox.Quad(t.subject, t.predicate, t.object, authors) for t in person),
    )
    quads = [quad for pair in pairs for quad in pair if quad is not None]
    default = ox.Quad(WORK, DCTERMS.creator, author)
    path = tmp_path / "split.nq"
    ox.serialize([default, *quads], path, ox.RdfFormat.N_QUADS)
    found = statements(load_path(path, licence=CC0.value))
    assert found == {
        BASE + "split.nq": as_stored([default]),
        BASE + "split.nq/https%3A%2F%2Fexample.org%2Fworks": as_stored(q for q in quads if q.graph_name == works),
        BASE + "split.nq/https%3A%2F%2Fexample.org%2Fauthors": as_stored(q for q in quads if q.graph_name == authors),
    }


def test_blank_nodes_are_the_same_at_each_load_and_no_other_files(tmp_path: Path) -> None:
    """The W3C Graph Store test's person: a business card as a blank node."""
    store = tmp_path / "store"
    for name in ("john.ttl", "john-copy.ttl"):
        (tmp_path / name).write_text(JOHN, encoding="utf-8")
    assert cnrs_kg(store, "load", "--licence", CC0.value, str(tmp_path / "john.ttl")).exit_code == 0
    assert cnrs_kg(store, "load", "--licence", CC0.value, str(tmp_path / "john-copy.ttl")).exit_code == 0
    first = quads_of(store)
    again = cnrs_kg(store, "load", "--licence", CC0.value, str(tmp_path / "john.ttl"))
    assert "2 graphs written (2 unchanged)" in again.output, again.output  # the ontology's and john.ttl's
    assert quads_of(store) == first
    blanks = {
        name: {
            t
            for q in first
            if q.graph_name == ox.NamedNode(BASE + name)
            for t in (q.subject, q.object)
            if isinstance(t, ox.BlankNode)
        }
        for name in ("john.ttl", "john-copy.ttl")
    }
    assert len(blanks["john.ttl"]) == len(blanks["john-copy.ttl"]) == 1
    assert not blanks["john.ttl"] & blanks["john-copy.ttl"]


# --- refusals ---------------------------------------------------------------------------------------


def test_a_malformed_file_is_one_line_at_its_line_and_loads_nothing(bundled_copy: Path, tmp_path: Path) -> None:
    broken = tmp_path / SAMPLE.name
    shutil.copy(FIXTURE / "ORIGIN.toml", tmp_path)
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if 'ns7:endingPage "22"' in line)
    lines[number - 1] = lines[number - 1].replace('"22"', '"22')
    broken.write_text("".join(lines), encoding="utf-8")
    before = quads_of(bundled_copy)
    result = cnrs_kg(bundled_copy, "load", str(broken))
    assert result.exit_code == 1
    line = one_line_error(result.output)
    assert line.startswith(f"error: {broken}:{number}: not valid TriG: "), line
    assert line.endswith("; fix the syntax (nothing was loaded)"), line
    assert quads_of(bundled_copy) == before


def test_a_licence_must_be_known(tmp_path: Path) -> None:
    store = tmp_path / "store"
    path = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, path)  # without its ORIGIN.toml
    refused = cnrs_kg(store, "load", str(path))
    assert refused.exit_code == 1
    assert one_line_error(refused.output).startswith(
        f"error: {path}: no licence is known for this file; pass --licence"
    )
    not_a_url = cnrs_kg(store, "load", "--licence", "CC0", str(path))
    assert "'CC0' is not a URL" in one_line_error(not_a_url.output)
    given = "https://creativecommons.org/licenses/by/4.0/"
    assert cnrs_kg(store, "load", "--licence", given, str(path)).exit_code == 0
    licences = {q.object for q in quads_of(store) if q.subject == SAMPLE_GRAPH and q.predicate == DCTERMS.license}
    assert licences == {ox.NamedNode(given)}


def test_a_licence_is_refused_for_a_source_that_states_its_own(tmp_path: Path) -> None:
    work = ROOT / "tests" / "fixtures" / "openalex" / "W2741809807.json"
    result = cnrs_kg(tmp_path / "store", "load", "--licence", CC0.value, str(work))
    assert result.exit_code == 1
    assert "a licence is given for a openalex file, not an RDF file" in one_line_error(result.output)


def test_a_file_without_statements_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "prefixes.ttl"
    path.write_text(
        "".join(line for line in SAMPLE.read_text(encoding="utf-8").splitlines(True) if line.startswith("@prefix"))
    )
    with pytest.raises(LoadError, match="the file holds no statement"):
        load_path(path, licence=CC0.value)


# --- bounded memory ---------------------------------------------------------------------------------


def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    """Forty copies of the sample, each in its own graph, their statements interleaved (93,880 quads)."""
    copies = 40
    triples = [quad.triple for quad in sample()]
    graphs = [ox.NamedNode(f"https://example.org/copy/{n}") for n in range(copies)]
    path = tmp_path / "copies.nq"
    quads = (ox.Quad(t.subject, t.predicate, t.object, g) for t in triples for g in graphs)
    ox.serialize(quads, path, ox.RdfFormat.N_QUADS)
    tracemalloc.start()
    try:
        count = sum(1 for source in load_path(path, licence=CC0.value) for _ in source.triples)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count >= copies * len(triples)
    # Held in a list, its triples take 16 MB; read as a stream, under 3 MB (as for 80 copies). The
    # bound leaves room for what other threads of the test process allocate meanwhile (tracemalloc
    # traces them all: 6.8 MB was seen once in the whole suite).
    assert peak < 8 << 20, peak
