"""Run the graphql-http server audit (``audit.mjs``) against a live ``cnrs-kg serve``.

    python -m tests.api.graphql.audit [--base-url URL]

Without ``--base-url`` it builds the bundled store in a temporary directory, serves it on a free
loopback port (with the query workers, as in production), audits ``/graphql`` and stops the
server. Prints the audit's lines (``MUST 13/13``, ``SHOULD 23/23``...); exit status 0 when every
MUST and SHOULD audit passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from api.testing import background_server, cnrs_kg_command, free_port

SCRIPT = Path(__file__).with_name("audit.mjs")
ROOT = Path(__file__).resolve().parents[3]


def audit(base_url: str) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not installed: the audit needs Node.js and `make assets` (npm ci)")
    return subprocess.run(
        [node, str(SCRIPT), base_url.rstrip("/") + "/graphql"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def audit_store(store: Path) -> subprocess.CompletedProcess[str]:
    """Serve ``store`` on a free port and audit it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = cnrs_kg_command("serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(store))
    with background_server(command, f"{base}/health", log=store.parent / "server.log"):
        return audit(base)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.api.graphql.audit", description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", help="a running server (default: start one on the bundled data)")
    args = parser.parse_args(argv)
    try:
        if args.base_url:
            result = audit(args.base_url)
        else:
            from tests.conftest import build_bundled_store

            with tempfile.TemporaryDirectory(prefix="cnrs-kg-graphql-audit-") as tmp:
                store = Path(tmp) / "store"
                build_bundled_store(store)
                result = audit_store(store)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(result.stdout, end="")
    print(result.stderr, end="", file=sys.stderr)
    return 0 if result.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
