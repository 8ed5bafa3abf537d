"""Bad input to every loader kind, through ``cnrs-kg load --kind K`` as a user runs it.

Each bad file is made from a real one of the fixtures (a real record cut short or with one bad
value, a real file compressed and then damaged), in a copy of its folder, so that only the file is
wrong. The store holds a real load first (a country table and an OpenAlex work with its
collaboration network), so that "unchanged" means something: a bad input answers one line
(``error: file:line-or-record:field: what; what to do``), exits 1 and leaves every graph as it was.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli import app
from graph import OxigraphStore
from loaders import LOADERS
from tests.conftest import copy_store

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "loaders" / "golden"
FIXTURES = ROOT / "tests" / "fixtures"
COUNTRIES = GOLDEN / "countries" / "lukes_sample"
OPENALEX = GOLDEN / "openalex" / "snapshot_gz"
HAL_PAGES = sorted((FIXTURES / "hal").glob("*.xml"))[:3]
runner = CliRunner()


def cnrs_kg(store: Path, *args: str) -> Result:
    return runner.invoke(app, ["load", *args, "--store", str(store)])


def sizes(store: Path) -> dict[str, int]:
    with OxigraphStore(store, read_only=True) as kg:
        return kg.graph_sizes()


@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A country table and one OpenAlex work, with the network the work makes."""
    store = tmp_path_factory.mktemp("base") / "store"
    table = COUNTRIES / "lukes_iso3166_m49_all.csv"
    result = cnrs_kg(store, str(table), str(GOLDEN / "openalex" / "single_work" / "input.json"))
    assert result.exit_code == 0, result.output
    return store


@pytest.fixture
def store(base_store: Path, tmp_path: Path) -> Path:
    return copy_store(base_store, tmp_path / "store")


# --- real files, and one record of each made bad --------------------------------------------------


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _cut_last_line(data: bytes) -> bytes:
    """The file cut in the middle of its last record (a line of CSV or JSON Lines)."""
    *head, last = _lines(data)
    return b"".join(head) + last[: len(last) // 2]


def _cut_middle(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _replace(old: str, new: str) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        text = data.decode("utf-8")
        assert text.count(old) >= 1, old
        return text.replace(old, new, 1).encode("utf-8")

    return edit


def _openalex_works() -> bytes:
    """The snapshot's two real works as plain JSON Lines (W2741809807, then W2755950973)."""
    return gzip.decompress((OPENALEX / "input.jsonl.gz").read_bytes())


def _bad_country_in_last_work(data: bytes) -> bytes:
    *good, last = _lines(data)
    work = json.loads(last)
    work["authorships"][0]["institutions"][0]["country_code"] = "[bold]:id:"
    return b"".join(good) + json.dumps(work).encode("utf-8") + b"\n"


def _hal_cache(pages: list[str]) -> bytes:
    """A harvest cache as ``loaders.harvest.hal`` writes it: one document's TEI a line, with its HAL id."""
    lines = []
    for page in pages:
        found = re.search(r'<idno type="halId">([^<]+)</idno>', page)
        lines.append(json.dumps({"halId": found[1] if found else None, "tei": page}, ensure_ascii=False) + "\n")
    return "".join(lines).encode("utf-8")


def _hal_documents() -> bytes:
    return _hal_cache([path.read_text(encoding="utf-8") for path in HAL_PAGES])


def _broken_second_document(data: bytes) -> bytes:
    pages = [json.loads(line)["tei"] for line in _lines(data)]
    pages[1] = pages[1][: len(pages[1]) // 2]
    return _hal_cache(pages)


@dataclass(frozen=True)
class Kind:
    """A real file of one kind: its folder (copied whole, with its ORIGIN.toml), its name and bytes."""

    folder: Path
    name: str
    content: Callable[[], bytes]
    corrupt: Callable[[bytes], bytes]  # one record made bad, the others left good
    truncate: Callable[[bytes], bytes]  # cut in the middle of a record


def _file(folder: Path, name: str) -> Callable[[], bytes]:
    return lambda: (folder / name).read_bytes()


ROR = GOLDEN / "ror" / "asean_v1"
CNRS = GOLDEN / "cnrs" / "ipal-majulab-trf-office"
SEEDS = ROOT / "data" / "seeds"
SEED = "000_dffeb8838fdd981b.facts.ttl"
SEMOPENALEX = FIXTURES / "semopenalex"
SEMOPENALEX_SAMPLE = "semopenalex-data-sample.trig"
KINDS = {
    "ror": Kind(
        ROR,
        "input.json",
        _file(ROR, "input.json"),
        _replace('"https://ror.org/01n2t3x97"', '"https://ror.org/01n2t3x9"'),
        _cut_middle,
    ),
    "countries": Kind(
        COUNTRIES,
        "lukes_iso3166_m49_all.csv",
        _file(COUNTRIES, "lukes_iso3166_m49_all.csv"),
        _replace(",BR,BRA,", ",XB,BRA,"),
        _cut_last_line,
    ),
    "cnrs": Kind(
        CNRS,
        "instruments.csv",
        _file(CNRS, "instruments.csv"),
        _replace(",2014-05-30,2014,", ",2014-05-30,2014-13,"),
        _cut_last_line,
    ),
    "seed": Kind(
        SEEDS,
        SEED,
        _file(SEEDS, SEED),
        _replace("kg:refOrganisation ", "kg:refOrganization "),
        _cut_middle,
    ),
    "openalex": Kind(OPENALEX, "works.jsonl", _openalex_works, _bad_country_in_last_work, _cut_last_line),
    "hal": Kind(FIXTURES / "hal", "hal-tei.jsonl", _hal_documents, _broken_second_document, _cut_last_line),
    "rdf": Kind(
        SEMOPENALEX,
        SEMOPENALEX_SAMPLE,
        _file(SEMOPENALEX, SEMOPENALEX_SAMPLE),
        _replace('ns7:endingPage "22"', 'ns7:endingPage "22'),
        _cut_middle,
    ),
}


def test_every_kind_of_the_registry_is_tried() -> None:
    assert sorted(KINDS) == sorted(LOADERS)


# --- damaged archives -------------------------------------------------------------------------------


def _damage(archive: bytes, start: int) -> bytes:
    """The archive with a stretch of its compressed data reversed: its frame stays, its content breaks."""
    cut = slice(start, start + max(16, (len(archive) - start) // 3))
    damaged = bytearray(archive)
    damaged[cut] = archive[cut][::-1]
    return bytes(damaged)


def _garbage_gzip(data: bytes) -> bytes:
    compressed = gzip.compress(data, mtime=0)
    return _damage(compressed, 10 + (len(compressed) - 10) // 3)  # past the 10-byte header


def _garbage_zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    raw = buffer.getvalue()
    return _damage(raw, 30 + len(name) + 8)  # inside the member's compressed bytes, past its local header


def _make(kind: str, case: str, folder: Path) -> Path:
    """The bad input ``case`` of ``kind``, in a copy of the real file's folder."""
    spec = KINDS[kind]
    shutil.copytree(spec.folder, folder, ignore=shutil.ignore_patterns("*.xml", "*.gz", "expected.nq"))
    (folder / spec.name).unlink(missing_ok=True)
    data = spec.content()
    stem = spec.name.split(".")[0]
    if case == "folder":
        target = folder / "empty-folder"
        target.mkdir()
        return target
    made = {
        "empty": (spec.name, b""),
        "garbage_gzip": (f"{spec.name}.gz", _garbage_gzip(data)),
        "garbage_zip": (f"{stem}.zip", _garbage_zip(spec.name, data)),
        "truncated": (spec.name, spec.truncate(data)),
        "corrupt_record": (spec.name, spec.corrupt(data)),
    }
    name, content = made[case]
    target = folder / name
    target.write_bytes(content)
    return target


# What each bad input answers, after its path: (where, what; what to do) as a regular expression.
EXPECTED = {
    ("ror", "folder"): ": a folder, not a file; give the ror file itself",
    ("ror", "empty"): r": the file is empty \(0 bytes\); download or export it again",
    ("ror", "garbage_gzip"): r": a gzip archive, which the ror loader does not read; decompress it first \(gunzip\)",
    ("ror", "garbage_zip"): r": not a readable zip archive: .+; download the dump again",
    ("ror", "truncated"): r":\d+: not valid JSON after record 1: Unterminated .+; fix or download the file again",
    ("ror", "corrupt_record"): r":107:id: record 2 \(https://ror.org/01n2t3x9\): .+ is not a ROR id .+; check .+",
    ("countries", "folder"): ": a folder, not a file; give the countries file itself",
    ("countries", "empty"): r": the file is empty \(0 bytes\); download or export it again",
    ("countries", "garbage_gzip"): r": a gzip archive, which the countries loader does not read; decompress it .+",
    ("countries", "garbage_zip"): ": a zip archive, which the countries loader does not read; extract the file .+",
    ("countries", "truncated"): r":\d+: \d+ cells where the header has 11: the row is cut short; restore the row .+",
    ("countries", "corrupt_record"): ":3:alpha-2: unknown ISO 3166-1 alpha-2 code 'XB'; use a two-letter ISO code",
    ("cnrs", "folder"): "/instruments.csv: no such file; give the folder of instruments.csv, parties.csv and .+",
    ("cnrs", "empty"): r": the file is empty \(0 bytes\); download or export it again",
    ("cnrs", "garbage_gzip"): r": a gzip archive, which the cnrs loader does not read; decompress it first \(gunzip\)",
    ("cnrs", "garbage_zip"): ": a zip archive, which the cnrs loader does not read; extract the file from it first",
    ("cnrs", "truncated"): r":5: \d+ fields where the header has 21; restore the missing cells \(was the file cut .+",
    ("cnrs", "corrupt_record"): ":3:start_date: '2014-13' is not a date .+; fix the row",
    ("seed", "folder"): ": a folder, not a file; give the seed file itself",
    ("seed", "empty"): r": the file is empty \(0 bytes\); download or export it again",
    ("seed", "garbage_gzip"): r": a gzip archive, which the seed loader does not read; decompress it first \(gunzip\)",
    ("seed", "garbage_zip"): ": a zip archive, which the seed loader does not read; extract the file from it first",
    ("seed", "truncated"): r":\d+: not valid Turtle: .+; fix the syntax",
    ("seed", "corrupt_record"): r":\d+:kg:refOrganization: not a term of .+; use a defined term",
    ("openalex", "folder"): ": a folder, not a file; give the openalex file itself",
    ("openalex", "empty"): r": the file is empty \(0 bytes\); download or export it again",
    ("openalex", "garbage_gzip"): r"(:\d+)?: cannot decompress the file: .+; download the file again",
    ("openalex", "garbage_zip"): ": a zip archive, which the openalex loader does not read; extract the file .+",
    ("openalex", "truncated"): r":2: the file ends inside a record \(.+\): it was cut short; download the file again",
    ("openalex", "corrupt_record"): r":2:authorships\[0\]\.institutions\[0\]\.country_code: '\[bold\]:id:' is not .+",
    ("hal", "folder"): ": a folder, not a file; give the hal file itself",
    ("hal", "empty"): r": the file is empty \(0 bytes\); download or export it again",
    ("hal", "garbage_gzip"): r"(:\d+)?: cannot read the file( further)? \(.+\); harvest it again",
    ("hal", "garbage_zip"): ": a zip archive, which the hal loader does not read; extract the file from it first",
    ("hal", "truncated"): r":3:json: the file ends inside a line \(.+\): it was cut short; harvest the page again .+",
    ("hal", "corrupt_record"): r":2:cea-00991452:tei: not well-formed XML \(.+\); re-export it from HAL",
    ("rdf", "folder"): ": a folder, not a file; give the rdf file itself",
    ("rdf", "empty"): r": the file is empty \(0 bytes\); download or export it again",
    ("rdf", "garbage_gzip"): r": cannot decompress the file: .+; download or export the file again",
    ("rdf", "garbage_zip"): ": a zip archive, which the rdf loader does not read; extract the file from it first",
    ("rdf", "truncated"): r":\d+: not valid TriG: Parser error at line \d+ .+; fix the syntax",
    ("rdf", "corrupt_record"): r":20: not valid TriG: Parser error at line 20 .+; fix the syntax",
}
CASES = ["folder", "empty", "garbage_gzip", "garbage_zip", "truncated", "corrupt_record"]


def assert_one_line_error(result: Result, target: Path, expected: str) -> None:
    """One line, ``error: PATH...: what; what to do (nothing was loaded)``, exit 1, no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # typer.Exit, not a crash
    assert result.stdout == ""
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    assert re.fullmatch(re.escape(f"error: {target}") + expected + r" \(nothing was loaded\)", lines[0]), lines[0]
    assert str(ROOT / "loaders") not in result.output


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_bad_input_is_one_line_and_changes_nothing(kind: str, case: str, store: Path, tmp_path: Path) -> None:
    target = _make(kind, case, tmp_path / "input")
    before = sizes(store)
    strict = ["--strict"] if case == "corrupt_record" and kind in ("openalex", "hal") else []
    result = cnrs_kg(store, "--kind", kind, *strict, str(target))
    assert_one_line_error(result, target, EXPECTED[kind, case])
    assert sizes(store) == before


def test_the_store_holds_a_network_that_bad_input_must_leave_alone(base_store: Path) -> None:
    graphs = sizes(base_store)
    assert "https://w3id.org/cnrs-kg/graph/network/all" in graphs
    assert "https://w3id.org/cnrs-kg/graph/countries/lukes_iso3166_m49_all.csv" in graphs


@pytest.mark.parametrize("kind", ["openalex", "hal"])
def test_lenient_load_keeps_the_good_records_and_lists_the_bad_one(kind: str, store: Path, tmp_path: Path) -> None:
    target = _make(kind, "corrupt_record", tmp_path / "input")
    before = sizes(store)
    result = cnrs_kg(store, "--kind", kind, str(target))
    assert result.exit_code == 2, result.output
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped:")]
    assert len(skipped) == 1
    assert re.fullmatch(re.escape(f"skipped: {target}") + EXPECTED[kind, "corrupt_record"], skipped[0])
    graph = f"https://w3id.org/cnrs-kg/graph/{kind}/{target.name}"
    assert graph not in before
    assert sizes(store)[graph] > 0


ONLY_BAD_RECORD = {
    "openalex": r":1:authorships\[0\]\.institutions\[0\]\.country_code: '\[bold\]:id:' is not an ISO 3166-1 "
    r"country code \(the only record of the file\); fix or drop the record",
    "hal": r":1:cea-00991452:tei: not well-formed XML \(.+\) \(the only record of the file\); re-export it from HAL",
}


@pytest.mark.parametrize("kind", sorted(ONLY_BAD_RECORD))
def test_a_file_whose_every_record_is_skipped_writes_nothing(kind: str, store: Path, tmp_path: Path) -> None:
    """Not even its own graph, nor the network recomputed: the load fails before the transaction ends."""
    target = _make(kind, "corrupt_record", tmp_path / "input")
    good = _lines(KINDS[kind].content())
    target.write_bytes(b"".join(line for line in _lines(target.read_bytes()) if line not in good))
    before = sizes(store)
    result = cnrs_kg(store, "--kind", kind, str(target))
    assert_one_line_error(result, target, ONLY_BAD_RECORD[kind])
    assert sizes(store) == before


def test_an_empty_export_of_hal_is_refused(store: Path, tmp_path: Path) -> None:
    """An XML export whose one document is bad (lenient reading skips it) loads nothing."""
    export = tmp_path / "le2i.xml"
    text = (GOLDEN / "hal" / "le2i_mixed_unit" / "input.xml").read_text(encoding="utf-8")
    title = '<title xml:lang="en">A Linear Interpolation Algorithm for Spectral Filter Array Demosaicking</title>'
    export.write_text(text.replace(title, ""), encoding="utf-8")
    before = sizes(store)
    result = cnrs_kg(store, "--kind", "hal", str(export))
    where_what = r":hal-01213935:title: the document has no title \(the only record of the file\); fix the export .+"
    assert_one_line_error(result, export, where_what)
    assert sizes(store) == before


def test_a_truncated_hal_export(store: Path, tmp_path: Path) -> None:
    export = tmp_path / "le2i.xml"
    export.write_bytes(_cut_middle((GOLDEN / "hal" / "le2i_mixed_unit" / "input.xml").read_bytes()))
    before = sizes(store)
    result = cnrs_kg(store, "--kind", "hal", str(export))
    assert_one_line_error(result, export, r":\d+:xml: not well-formed XML \(.+\); re-export it from HAL")
    assert sizes(store) == before


def test_quoted_data_prints_as_is_not_as_markup(store: Path, tmp_path: Path) -> None:
    """A file named like rich markup, and a value like an emoji code, are printed verbatim."""
    folder = tmp_path / "[bold]x"
    shutil.copytree(COUNTRIES, folder, ignore=shutil.ignore_patterns("expected.nq"))
    table = folder / "[red]m49.csv"
    table.write_bytes(_replace(",BR,BRA,", ",:id:,BRA,")((COUNTRIES / "lukes_iso3166_m49_all.csv").read_bytes()))
    result = cnrs_kg(store, "--kind", "countries", str(table))
    assert_one_line_error(
        result, table, ":3:alpha-2: unknown ISO 3166-1 alpha-2 code ':id:'; use a two-letter ISO code"
    )


def test_the_installed_command_prints_no_traceback(store: Path, tmp_path: Path) -> None:
    target = _make("ror", "garbage_zip", tmp_path / "input")
    command = [str(ROOT / ".venv" / "bin" / "cnrs-kg"), "load", "--kind", "ror", str(target), "--store", str(store)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"error: {target}: not a readable zip archive: ")
    assert len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr


def _header_only(data: bytes) -> bytes:
    return _lines(data)[0]


def _gzip_of_nothing(data: bytes) -> bytes:
    return gzip.compress(b"", mtime=0)


def _empty_list(data: bytes) -> bytes:
    return b"[]\n"


# A real file with its records removed: compressed empty content, an empty list, a bare header.
NO_RECORD: dict[str, tuple[str, Callable[[bytes], bytes], str]] = {
    "openalex": ("works.jsonl.gz", _gzip_of_nothing, ": the file holds no record; .+"),
    "hal": ("hal-tei.jsonl.gz", _gzip_of_nothing, ": the file holds no record; .+"),
    "ror": ("input.json", _empty_list, ": the file holds no record; give a file with at least one record"),
    "countries": ("lukes_iso3166_m49_all.csv", _header_only, ":2: no rows under the header; .+"),
    "cnrs": ("instruments.csv", _header_only, ":2: no instrument under the header; give one row per instrument"),
}


@pytest.mark.parametrize("kind", sorted(NO_RECORD))
def test_a_file_without_records_writes_nothing(kind: str, store: Path, tmp_path: Path) -> None:
    name, strip, expected = NO_RECORD[kind]
    spec = KINDS[kind]
    folder = tmp_path / "input"
    shutil.copytree(spec.folder, folder, ignore=shutil.ignore_patterns("*.xml", "*.gz", "expected.nq"))
    target = folder / name
    target.write_bytes(strip(spec.content()))
    before = sizes(store)
    assert_one_line_error(cnrs_kg(store, "--kind", kind, str(target)), target, expected)
    assert sizes(store) == before
