"""Faults during writes: ``cnrs-kg load`` killed at five points, a writable server killed during a
SPARQL update and during a Graph Store PUT, a disk that fills up, two loads at once.

After each, every graph holds what it held before the write or what the complete write leaves,
never something in between, as the store reports it (``cnrs-kg stats``, read-only, before anyone
recovers the store) and as it holds it once a writer has opened it; the store as a whole is
before, after, or after with its derived network not yet recomputed, which it must then report
stale (``cnrs-kg stats``, ``/health``); and no statement that both states hold is lost. The
network's graphs are patched in several transactions: in a stale store they may hold part of the
patch (``state.in_between``'s ``exempt``), and ``cnrs-kg network --refresh`` must then make the
store what the complete write leaves.

The load is of SYNTHETIC works (``cnrs-kg generate``), ``knobs.WORKS`` of them; it is killed at
fixed fractions of the time the same load takes unkilled, measured first.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.testing import cnrs_kg_command
from ontology.iris import GRAPH
from tests.conftest import copy_store
from tests.reliability import state
from tests.reliability.knobs import KILL_FRACTIONS, SOAK, WORKS, WRITE_KILL_FRACTIONS
from tests.reliability.servers import Server, kill, serve
from tests.reliability.tally import TALLY

LOAD_TIMEOUT = 3600 if SOAK else 300  # seconds an unkilled load may take (20,000 works: about 4 minutes)


@pytest.fixture(scope="module")
def works(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("works") / "works.jsonl.gz"
    subprocess.run(cnrs_kg_command("generate", "--works", str(WORKS), "-o", str(path)), check=True, capture_output=True)
    return path


@dataclass(frozen=True)
class Reference:
    """The store before the load and after it (unkilled), and how long the load took."""

    before: dict[str, int]
    after: dict[str, int]
    kept: list[ox.Quad]
    seconds: float


def load_command(works: Path, store: Path) -> list[str]:
    return cnrs_kg_command("load", str(works), "--store", str(store))


@pytest.fixture(scope="module")
def pristine(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """A copy of the bundled store nobody writes to, and its statements per graph."""
    store = copy_store(bundled_store_path, tmp_path_factory.mktemp("pristine") / "store")
    return store, state.counted(store)


@pytest.fixture(scope="module")
def reference(
    pristine: tuple[Path, dict[str, int]], works: Path, tmp_path_factory: pytest.TempPathFactory
) -> Reference:
    before_store, before = pristine
    store = copy_store(before_store, tmp_path_factory.mktemp("reference") / "store")
    start = time.monotonic()
    done = subprocess.run(load_command(works, store), capture_output=True, text=True, timeout=LOAD_TIMEOUT)
    seconds = time.monotonic() - start
    assert done.returncode == 0, done.stderr[-2000:]
    return Reference(before, state.counted(store), state.kept_quads(before_store, store), seconds)


def stale_reported(store: Path) -> list[str]:
    """What is missing from the reports of a store whose derived network is stale."""
    problems = []
    stats = subprocess.run(
        cnrs_kg_command("stats", "--store", str(store)),
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    if "stale" not in (stats.stdout + stats.stderr).lower():
        problems.append(f"cnrs-kg stats does not say the network is stale: {stats.stdout[-300:]!r}")
    with TestClient(create_app(store, workers=0)) as client:
        health = client.get("/health").json()
    if not (health.get("network") or {}).get("stale"):
        problems.append(f"/health does not say the network is stale: {health}")
    return problems


def assess(store: Path, before: dict[str, int], after: dict[str, int], kept: list[ox.Quad]) -> list[str]:
    """What is wrong with ``store`` after a fault (see the module's docstring); counts lost statements."""
    problems = []
    seen = {g: n for g, n in state.reported(store).items() if not g.startswith(state.RESERVED)}
    reported = state.outcome(seen, before, after)
    problems += [f"cnrs-kg stats reports {p}" for p in state.in_between(seen, before, after, exempt=_exempt(reported))]
    if reported == "mixed":
        problems.append(f"cnrs-kg stats reports some graphs as after, others as before: {_done(seen, before, after)}")
    held = state.counted(store)
    outcome = state.outcome(held, before, after)
    problems += [f"the store holds {p}" for p in state.in_between(held, before, after, exempt=_exempt(outcome))]
    if outcome == "mixed":
        problems.append(f"the store holds some graphs as after, others as before: {_done(held, before, after)}")
    told = {g: n for g, n in state.reported(store, read_only=False).items() if not g.startswith(state.RESERVED)}
    if told != held:
        wrong = {g: (told.get(g), held.get(g)) for g in set(told) | set(held) if told.get(g) != held.get(g)}
        problems.append(f"the store reports other sizes than it holds (reported, held): {wrong}")
    missing = state.lost(store, kept, exempt=_exempt(outcome))
    TALLY.lost += missing
    if missing:
        problems.append(f"{missing} statements lost")
    if outcome == "stale":
        problems += stale_reported(store)
        problems += repaired(store, after, kept)
    return problems


def _exempt(outcome: str) -> str | None:
    """The graphs that may hold anything in a store of this outcome: the network's, while it is stale."""
    return state.NETWORK if outcome == "stale" else None


def repaired(store: Path, after: dict[str, int], kept: list[ox.Quad]) -> list[str]:
    """What is wrong with a stale store once ``cnrs-kg network --refresh`` has recomputed its network."""
    done = subprocess.run(
        cnrs_kg_command("network", "--refresh", "--store", str(store)), capture_output=True, text=True
    )
    if done.returncode != 0:
        return [f"cnrs-kg network --refresh failed: {done.stderr[-300:]!r}"]
    problems = [f"after a refresh, the store holds {p}" for p in state.in_between(state.counted(store), after, after)]
    missing = state.lost(store, kept)
    return [*problems, f"after a refresh, {missing} statements lost"] if missing else problems


def _done(now: dict[str, int], before: dict[str, int], after: dict[str, int]) -> str:
    changed = sorted(g for g in set(before) | set(after) if before.get(g, 0) != after.get(g, 0))
    done = [g.removeprefix(state.NETWORK) for g in changed if now.get(g, 0) == after.get(g, 0)]
    return f"{len(done)} of {len(changed)} changed graphs as after ({', '.join(done[:8])}...)"


@pytest.mark.parametrize("fraction", KILL_FRACTIONS)
def test_a_killed_load_leaves_each_graph_before_or_after(
    reference: Reference, works: Path, pristine: tuple[Path, dict[str, int]], tmp_path: Path, fraction: float
) -> None:
    store = copy_store(pristine[0], tmp_path / "store")
    load = subprocess.Popen(load_command(works, store), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(fraction * reference.seconds)
    load.send_signal(signal.SIGKILL)
    load.wait()
    TALLY.faults += 1
    problems = assess(store, reference.before, reference.after, reference.kept)
    assert not problems, f"killed at {fraction:.0%} of {reference.seconds:.1f} s: {problems}"


def holding(process: subprocess.Popen[bytes], path: Path, timeout: float) -> bool:
    """Whether ``process`` opens ``path`` within ``timeout`` seconds, while it runs (read from /proc, Linux)."""
    deadline = time.monotonic() + timeout
    target = str(path.resolve())
    while time.monotonic() < deadline and process.poll() is None:
        for fd in Path(f"/proc/{process.pid}/fd").glob("*"):
            try:
                if os.readlink(fd) == target:
                    return True
            except OSError:  # a descriptor closed while read
                continue
        time.sleep(0.02)
    return False


def test_a_second_load_is_refused_while_one_runs(
    reference: Reference, works: Path, pristine: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    store = copy_store(pristine[0], tmp_path / "store")
    # The second command is started first, and waits on its input with the CLI imported: its start-up
    # takes seconds on a busy machine, more than a load of these works.
    waiting = [sys.executable, "-c", "import sys; from cli import main; sys.stdin.readline(); main()"]
    second_run = subprocess.Popen(
        [*waiting, *load_command(works, store)[3:]],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = subprocess.Popen(load_command(works, store), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Go once the first holds the store (its lock file open), not after a guess of its start-up:
        # on a busy machine the first load may take longer to start than a whole load takes.
        holds = holding(first, store / "LOCK", timeout=LOAD_TIMEOUT)
        assert holds, "the first load never opened the store"
        _, errors = second_run.communicate("go\n", timeout=60)
        second = subprocess.CompletedProcess(second_run.args, second_run.returncode, "", errors)
        TALLY.faults += 1
        assert first.poll() is None, "the first load ended before the second started: nothing was tested"
    finally:
        assert first.wait(timeout=LOAD_TIMEOUT) == 0
    assert second.returncode == 1
    assert "in use by another process" in second.stderr, second.stderr
    assert "Traceback" not in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1, second.stderr
    assert state.counted(store) == reference.after


def _store_bytes(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


@pytest.fixture
def small_disk(tmp_path: Path, bundled_store_path: Path) -> Iterator[tuple[Path, Callable[[], None] | None]]:
    """A folder on a tmpfs with room for the bundled store and 8 MB more (``mount``, as root), and a
    function that makes the tmpfs large; None when it cannot be mounted (then a file size limit stands in)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    size_mb = _store_bytes(bundled_store_path) // 1_000_000 + 8
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        yield folder, None
        return

    def enlarge() -> None:
        subprocess.run(["mount", "-o", "remount,size=4g", str(folder)], check=True)

    try:
        yield folder, enlarge
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=True)


def _file_size_limit(limit: int) -> Callable[[], None]:
    """For a child process: files at most ``limit`` bytes (EFBIG past it), a full disk's stand-in."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_fails_the_load_cleanly(
    reference: Reference,
    works: Path,
    pristine: tuple[Path, dict[str, int]],
    small_disk: tuple[Path, Callable[[], None] | None],
) -> None:
    folder, enlarge = small_disk
    store = copy_store(pristine[0], folder / "store")
    limit = None if enlarge is not None else _file_size_limit(4_000_000)
    done = subprocess.run(
        load_command(works, store), capture_output=True, text=True, timeout=LOAD_TIMEOUT, preexec_fn=limit
    )
    TALLY.faults += 1
    assert done.returncode == 1, done.stderr[-500:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines[:5]
    assert lines[0].startswith("error:")
    assert "space" in lines[0].lower() or "too large" in lines[0].lower(), lines[0]
    if enlarge is not None:
        enlarge()  # a writer's open, which recovers the store, needs room to write
    problems = assess(store, reference.before, reference.after, reference.kept)
    assert not problems, problems


BIG = GRAPH + "ror/ror_cnrs_children_schema_v2.json"
MOVED = "urn:x:reliability:moved"
MOVE = (
    f"DELETE {{ GRAPH <{BIG}> {{ ?s ?p ?o }} }} INSERT {{ GRAPH <{MOVED}> {{ ?s ?p ?o }} }} "
    f"WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o }} }}"
)
REPLACED = GRAPH + "cnrs/cnrs-asean"
PUT_TRIPLES = 20_000
PUT_BODY = "".join(f'<urn:x:s{i}> <urn:x:p> "statement {i}" .\n' for i in range(PUT_TRIPLES)).encode()


@dataclass(frozen=True)
class Write:
    """A write to a server, and what the store holds once it completes (from what it held before)."""

    send: Callable[[Server], httpx.Response]
    graphs: set[str]
    after: Callable[[dict[str, int]], dict[str, int]]


def _moved(before: dict[str, int]) -> dict[str, int]:
    after = {g: n for g, n in before.items() if g != BIG}
    return {**after, MOVED: before[BIG]}


WRITES = {
    "SPARQL update": Write(
        lambda server: httpx.post(
            f"{server.base}/sparql",
            content=MOVE,
            headers={"content-type": "application/sparql-update", **server.auth},
            timeout=120,
        ),
        {BIG, MOVED},
        _moved,
    ),
    "Graph Store PUT": Write(
        lambda server: httpx.put(
            f"{server.base}/store",
            params={"graph": REPLACED},
            content=PUT_BODY,
            headers={"content-type": "application/n-triples", **server.auth},
            timeout=120,
        ),
        {REPLACED},
        lambda before: {**before, REPLACED: PUT_TRIPLES},
    ),
}


@pytest.fixture(scope="module")
def write_seconds(pristine: tuple[Path, dict[str, int]], tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    """How long each write takes unkilled, on a server of its own; the store then holds what ``Write.after`` says."""
    folder = tmp_path_factory.mktemp("writes")
    store, before = copy_store(pristine[0], folder / "store"), pristine[1]
    seconds = {}
    expected = before
    with serve(store, folder / "server.log", writable=True) as server:
        for name, write in WRITES.items():
            start = time.monotonic()
            response = write.send(server)
            seconds[name] = time.monotonic() - start
            assert response.status_code in (200, 201, 204), response.text
            expected = write.after(expected)
    assert state.counted(store) == expected
    return seconds


@pytest.mark.parametrize("fraction", WRITE_KILL_FRACTIONS)
@pytest.mark.parametrize("name", WRITES)
def test_a_server_killed_during_a_write_leaves_each_graph_before_or_after(
    pristine: tuple[Path, dict[str, int]],
    write_seconds: dict[str, float],
    tmp_path: Path,
    name: str,
    fraction: float,
) -> None:
    write = WRITES[name]
    store, before = copy_store(pristine[0], tmp_path / "store"), pristine[1]
    with serve(store, tmp_path / "server.log", writable=True) as server:
        process = server.process()
        writer = threading.Thread(target=_send_ignoring_the_crash, args=(write, server))
        writer.start()
        time.sleep(fraction * write_seconds[name])
        kill(process)
        writer.join(timeout=30)
    TALLY.faults += 1
    kept = state.quads_outside(pristine[0], write.graphs)
    problems = assess(store, before, write.after(before), kept)
    assert not problems, f"killed at {fraction:.0%} of {write_seconds[name]:.2f} s: {problems}"


def _send_ignoring_the_crash(write: Write, server: Server) -> None:
    with suppress(httpx.TransportError):  # the server killed before it answered: that is the test
        write.send(server)
