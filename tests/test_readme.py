"""README.md's shell examples, run as doctests run docstrings: a broken example fails the suite.

The conventions a README author follows (the README reads as usual; only these marks are added):

- Every fenced block tagged ``sh`` (or ``bash``, ``shell``) is run, command by command, in the
  order of the README. A command runs until its quotes close and its lines stop ending in ``\\``;
  it must exit 0, and a ``curl`` must get a 2xx or 3xx answer.
- ``<!-- not run: REASON -->`` just before a block (``make run`` serves until stopped, a harvest
  needs the internet) leaves it out, saying why. Its ``cnrs-kg`` commands are still checked
  against ``--help`` (every ``--option`` they name exists), and its ``make`` targets against
  the Makefile.
- ``# → exit N`` ending a command: the exit status it must have instead of 0. ``# → NNN``
  ending a ``curl`` command: the HTTP status it must get (``# → 406``).
- A ``text`` block right after a shell block (nothing but blank lines between) is the output of
  that block's last command, as a terminal shows it (standard output, then standard error),
  spacing aside. ``...`` alone on a line stands for any number of lines, inside a line for any
  text. A block whose output matters only in part shows that part between ``...`` lines.
- ``make`` is never run (it installs, builds and serves in the working tree): a block holding it
  is marked not run.

Where the examples run: ``http://127.0.0.1:8000`` (and ``localhost:8000``) is replaced by a
``cnrs-kg serve --writable`` on a free loopback port over a copy of the bundled store; ``cnrs-kg``
commands run with ``CNRS_KG_STORE`` set to a second copy (the server holds the lock of its own,
as it would a user's), in a scratch folder that links every file of the repository, so that
``examples/...`` and ``data/...`` resolve and the files a command writes land in the scratch
folder. A ``cnrs-kg serve`` line runs on a free port until ``/health`` answers, then stops.
The server is writable so that an example of a write can run; such an example says, for a reader,
that it needs ``cnrs-kg serve --writable``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from api.testing import background_server, cnrs_kg_command, free_port
from tests.conftest import copy_store

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SHELLS = {"sh", "bash", "shell"}
NOT_RUN = re.compile(r"<!--\s*not run:\s*(?P<reason>.+?)\s*-->", re.DOTALL)
EXPECT = re.compile(r"#\s*→\s*(?:exit\s+(?P<exit>\d+)|(?P<http>\d{3}))\b")
README_SERVER = re.compile(r"https?://(?:127\.0\.0\.1|localhost):8000")
HTTP_STATUS = "readme-test-http-status:"  # what the curl shim writes to standard error after each answer
ANY_LINES = r"(?:[^\n]*\n)*?"
TIMEOUT = 180.0  # seconds for one command; the slowest (a load of the bundled dataset) takes a few


@dataclass(frozen=True)
class Block:
    """A shell block of the README: where it opens, its text, why it is not run, its expected output."""

    line: int
    text: str
    not_run: str | None
    output: str | None


@dataclass(frozen=True)
class Command:
    """One command of a block, as typed, with the exit status and HTTP status it must have."""

    text: str
    exit: int
    http: int | None


@dataclass(frozen=True)
class Sandbox:
    """Where the examples run: the environment, the scratch folder and the server's base URL."""

    env: dict[str, str]
    cwd: Path
    base: str


def readme_blocks(markdown: str) -> list[Block]:
    """The shell blocks of ``markdown``, with their not-run reasons and expected outputs."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [
        Block(
            line=token.map[0] + 1 if token.map else 0,
            text=token.content,
            not_run=_not_run_reason(tokens[i - 1]) if i else None,
            output=_output(tokens[i + 1]) if i + 1 < len(tokens) else None,
        )
        for i, token in enumerate(tokens)
        if token.type == "fence" and token.info.strip() in SHELLS
    ]


def _not_run_reason(token: Token) -> str | None:
    found = NOT_RUN.fullmatch(token.content.strip()) if token.type == "html_block" else None
    return found["reason"] if found else None


def _output(token: Token) -> str | None:
    return token.content if token.type == "fence" and token.info.strip() == "text" else None


def block_commands(block: str) -> list[Command]:
    """The commands of a block: comment lines skipped, continuation lines and open quotes joined."""
    commands: list[Command] = []
    pending: list[str] = []
    for line in block.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending.append(line)
        text = "\n".join(pending)
        if line.rstrip().endswith("\\") or not _complete(text):
            continue
        expected = EXPECT.search(line)
        status = int(expected["exit"]) if expected and expected["exit"] else 0
        http = int(expected["http"]) if expected and expected["http"] else None
        commands.append(Command(text, status, http))
        pending = []
    assert not pending, f"an unfinished command (an open quote?): {' '.join(pending)[:200]}"
    return commands


def _complete(text: str) -> bool:
    """Whether bash reads ``text`` as whole commands (its quotes closed): bash's own parser decides."""
    return subprocess.run(["bash", "-n", "-c", text], capture_output=True, check=False).returncode == 0


def output_matches(expected: str, actual: str) -> bool:
    """Whether ``actual`` is ``expected``, spacing aside, ``...`` standing for what varies.

    Runs of spaces and tabs count as one space: a README's editor may turn a tab into spaces.

    >>> output_matches("2 rows\\n...\\nin ... s\\n", "2 rows\\na\\nb\\nin 0.1 s\\n")
    True
    >>> output_matches("VN  Viet Nam\\n", "VN\\tViet Nam\\n")
    True
    >>> output_matches("2 rows\\n", "3 rows\\n")
    False
    """
    pattern = "".join(
        ANY_LINES if line.strip() == "..." else re.escape(_spaced(line)).replace(re.escape("..."), ".*") + "\n"
        for line in expected.splitlines()
    )
    text = "".join(_spaced(line) + "\n" for line in actual.splitlines())
    return re.fullmatch(pattern, text) is not None


def _spaced(line: str) -> str:
    return re.sub(r"[ \t]+", " ", line).strip()


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))


def test_the_readme_has_examples_that_run() -> None:
    """The test cannot pass by running nothing: most blocks run, and several check their output."""
    run = [block for block in BLOCKS if block.not_run is None]
    assert len(run) >= 6, f"only {len(run)} shell blocks of README.md are run"
    assert sum(block.output is not None for block in run) >= 4, "few README examples show their output"


def _shims(folder: Path) -> Path:
    """``curl`` reporting each HTTP status, and ``cnrs-kg`` as this interpreter runs it."""
    curl = shutil.which("curl")
    assert curl, "curl is missing: the README's HTTP examples use it (apt-get install curl)"
    folder.mkdir()
    scripts = {
        # -sS: no progress meter, errors still shown; the status goes to stderr, apart from the answer.
        "curl": f"exec {shlex.quote(curl)} -sS -w '%{{stderr}}\\n{HTTP_STATUS}%{{http_code}}\\n' \"$@\"",
        "cnrs-kg": f'exec {shlex.join(cnrs_kg_command())} "$@"',
    }
    for name, script in scripts.items():
        (folder / name).write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
        (folder / name).chmod(0o755)
    return folder


@pytest.fixture(scope="module")
def sandbox(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    root = tmp_path_factory.mktemp("readme")
    served = copy_store(bundled_store_path, root / "served")
    own = copy_store(bundled_store_path, root / "store")
    cwd = root / "work"
    cwd.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in {".venv", ".git"}:
            (cwd / entry.name).symlink_to(entry)
    shims = _shims(root / "bin")
    env = {
        **os.environ,
        "PATH": f"{shims}:{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "CNRS_KG_STORE": str(own),
        "COLUMNS": "120",  # rich's tables, at one width whatever the terminal
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = cnrs_kg_command("serve", "--port", str(port), "--store", str(served), "--writable")
    with background_server(command, f"{base}/health", log=root / "server.log"):
        yield Sandbox(env, cwd, base)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"README.md:{block.line}" for block in BLOCKS])
def test_readme_block(block: Block, sandbox: Sandbox) -> None:
    commands = block_commands(block.text)
    assert commands, f"README.md:{block.line}: a shell block without a command"
    if block.not_run is not None:
        for command in commands:
            _check_words(command, sandbox)
        return
    shown = ""
    for command in commands:
        shown = _run(command, sandbox, block.line)
    if block.output is not None:
        assert output_matches(block.output, shown), (
            f"README.md:{block.line}: `{commands[-1].text}` printed\n{shown}\nwhere the README shows\n{block.output}"
        )


def _run(command: Command, sandbox: Sandbox, line: int) -> str:
    """Run one command as the README gives it (the server's address put in); what it showed."""
    text = README_SERVER.sub(sandbox.base, command.text)
    words = shlex.split(text, comments=True)
    # make builds, installs and serves in the working tree (and may ask for root): never from a test.
    assert words[0] != "make", f"README.md:{line}: `{command.text}`: mark the block <!-- not run: REASON -->"
    if words[:2] == ["cnrs-kg", "serve"]:
        _serve(text, sandbox)
        return ""
    done = subprocess.run(
        ["bash", "-c", text],
        cwd=sandbox.cwd,
        env=sandbox.env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    statuses = [int(code) for code in re.findall(rf"^{HTTP_STATUS}(\d+)$", done.stderr, re.MULTILINE)]
    stderr = re.sub(rf"\n?{HTTP_STATUS}\d+\n", "", done.stderr)
    shown = done.stdout + stderr
    where = f"README.md:{line}: `{command.text}`"
    assert done.returncode == command.exit, f"{where} exited {done.returncode}, not {command.exit}:\n{shown[-3000:]}"
    for status in statuses:
        ok = status == command.http if command.http is not None else 200 <= status < 400
        assert ok, f"{where} got HTTP {status}, not {command.http or '2xx or 3xx'}:\n{shown[-3000:]}"
    return shown


def _serve(text: str, sandbox: Sandbox) -> None:
    """A ``cnrs-kg serve`` line: started on a free port, healthy, then stopped."""
    port = free_port()
    text = re.sub(r"--port[ =]\d+", f"--port {port}", text) if "--port" in text else f"{text} --port {port}"
    log = sandbox.cwd / f"serve-{port}.log"
    with background_server(["bash", "-c", f"exec {text}"], f"http://127.0.0.1:{port}/health", env=sandbox.env, log=log):
        pass


def _check_words(command: Command, sandbox: Sandbox) -> None:
    """A command that is not run still names commands, options and ``make`` targets that exist."""
    words = shlex.split(command.text, comments=True)
    if words[0] == "make":
        makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
        for target in (word for word in words[1:] if not word.startswith("-") and "=" not in word):
            assert re.search(rf"^{re.escape(target)}:", makefile, re.MULTILINE), f"`make {target}`: no such target"
    elif words[0] == "cnrs-kg":
        path = [word for word in words[1:] if not word.startswith("-")][:2]
        shown = _help(path, sandbox)
        for option in (word.split("=")[0] for word in words if word.startswith("--")):
            assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", shown), (
                f"`{command.text}`: `cnrs-kg {' '.join(path)}` has no option {option}"
            )


def _help(path: list[str], sandbox: Sandbox) -> str:
    """The ``--help`` of ``cnrs-kg`` and a subcommand (a group's subcommand when ``path`` names one)."""
    env = {**sandbox.env, "COLUMNS": "200"}  # no option name cut
    for length in (2, 1):
        done = subprocess.run(
            [*cnrs_kg_command(), *path[:length], "--help"], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode == 0:
            return done.stdout
    raise AssertionError(f"`cnrs-kg {' '.join(path)} --help` fails: no such command")


def test_the_conventions_read_as_documented() -> None:
    markdown = (
        "<!-- not run: needs the internet -->\n```sh\ncnrs-kg harvest hal --out h\n```\n\n"
        "```sh\ncurl -G http://127.0.0.1:8000/sparql \\\n  --data-urlencode 'query=SELECT\n  * {}'\n"
        "# a comment line\ncurl http://127.0.0.1:8000/nothing  # → 404\ncnrs-kg validate  # → exit 1\n```\n\n"
        "```text\nconforms\n```\n"
    )
    skipped, run = readme_blocks(markdown)
    assert (skipped.line, skipped.not_run, skipped.output) == (2, "needs the internet", None)
    assert (run.line, run.not_run, run.output) == (6, None, "conforms\n")
    assert [(command.exit, command.http) for command in block_commands(run.text)] == [(0, None), (0, 404), (1, None)]
    assert block_commands(run.text)[0].text.count("\n") == 2


def test_the_example_the_issue_found_broken_fails(sandbox: Sandbox) -> None:
    """Turtle asked of a SELECT is a 406: as an example, it fails; marked as the answer it gets, it passes."""
    broken = (
        "curl http://127.0.0.1:8000/sparql -H 'Content-Type: application/sparql-query' \\\n"
        "  -H 'Accept: text/turtle' --data-binary @examples/irl_singapore.rq"
    )
    with pytest.raises(AssertionError, match="got HTTP 406, not 2xx or 3xx"):
        _run(Command(broken, 0, None), sandbox, 1)
    assert "no acceptable format" in _run(Command(f"{broken}  # → 406", 0, 406), sandbox, 1)
