"""Writes a client can trust: the generation each write committed, idempotency keys, receipts.

- Every committed write (SPARQL update, Graph Store PUT/POST/DELETE) answers 2xx with
  ``X-Store-Generation``: the store's write generation that holds it (``graph.meta``).
- A write may carry ``Idempotency-Key`` (at most 200 printable ASCII characters, a UUID say).
  Its receipt commits in the same transaction as the write. The same key again, for the same
  request, answers the first outcome (with ``Idempotent-Replayed: true``) and writes nothing; for
  another request, 422. Only committed writes leave a receipt: a refused one may be sent again.
- ``GET /writes/{key}``, with the write token: 200 and the receipt (generation, time, status) if a
  write with that key committed, 404 if none did, so a client that lost its connection knows.
  Receipts are kept ``RECEIPT_HOURS`` hours.

>>> fingerprint("PUT", "http://g/a") == fingerprint("PUT", "http://g/", "a")  # parts are kept apart
False
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.auth import refuse_write
from api.errors import BadRequest, Unprocessable
from graph import OxigraphStore
from graph.meta import RECEIPT_HOURS, Receipt, WriteKey
from graph.store import Commit

__all__ = [
    "GENERATION",
    "IDEMPOTENCY_KEY",
    "REPLAYED",
    "Outcome",
    "committed",
    "fingerprint",
    "idempotency_key",
    "replay",
    "routes",
    "write_once",
]

IDEMPOTENCY_KEY = "Idempotency-Key"
GENERATION = "X-Store-Generation"
REPLAYED = "Idempotent-Replayed"
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


def fingerprint(*parts: str | bytes) -> str:
    """The SHA-256 of a request's parts, to tell a repeated request from another one with the same key."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def idempotency_key(request: Request) -> str | None:
    """The request's ``Idempotency-Key`` (None without one); ``BadRequest`` for a malformed one."""
    key = request.headers.get(IDEMPOTENCY_KEY)
    if key is None:
        return None
    if not _KEY.match(key):
        raise BadRequest(f"{IDEMPOTENCY_KEY}: give 1 to 200 printable ASCII characters without spaces (a UUID)")
    return key


class Outcome:
    """A write's answer: its status and headers, kept in its receipt to be answered again."""

    def __init__(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.headers = headers or {}

    def key(self, key: str | None, request: str) -> WriteKey | None:
        """What the store keeps with the write, for ``key`` (None: no key, no receipt)."""
        if key is None:
            return None
        return WriteKey(key, request, json.dumps({"status": self.status, "headers": self.headers}))

    def response(self, generation: int, *, replayed: bool = False) -> Response:
        headers = {**self.headers, GENERATION: str(generation)}
        if replayed:
            headers[REPLAYED] = "true"
        return Response(status_code=self.status, headers=headers)


def committed(outcome: Outcome, commit: Commit) -> Response:
    """The answer to a committed write: its status, with the generation that holds it."""
    return outcome.response(commit.generation)


def replay(store: OxigraphStore, key: str | None, request: str) -> Response | None:
    """The first outcome of a write already committed with ``key``, else None; ``Unprocessable``
    if the key was used for another request.

    Call it holding ``store.writing()``, and write under the same hold, so that two requests with
    one key cannot both write.
    """
    if key is None:
        return None
    receipt = store.receipt(key)
    if receipt is None:
        return None
    if receipt.request != request:
        raise Unprocessable(
            f"{IDEMPOTENCY_KEY} {key!r} was used for another request (committed at generation "
            f"{receipt.generation}); send a new key for a new request"
        )
    data = json.loads(receipt.outcome)
    return Outcome(int(data["status"]), dict(data["headers"])).response(receipt.generation, replayed=True)


def write_once(store: OxigraphStore, key: str | None, request: str, write: Callable[[], Response]) -> Response:
    """``write()`` unless a write with ``key`` already committed (then its first outcome); in a worker thread."""
    with store.writing():
        return replay(store, key, request) or write()


def _describe(key: str, receipt: Receipt | None) -> Response:
    if receipt is None:
        message = f"no write with this key committed (receipts are kept {RECEIPT_HOURS} hours)"
        return JSONResponse({"key": key, "committed": False, "message": message}, status_code=404)
    status = int(json.loads(receipt.outcome)["status"])
    body = {"key": key, "committed": True, "generation": receipt.generation, "at": receipt.at, "status": status}
    return JSONResponse(body, headers={GENERATION: str(receipt.generation)})


async def write_status(request: Request) -> Response:
    refuse_write(request)
    key = request.path_params["key"]
    store: OxigraphStore = request.state.store
    return await run_in_threadpool(lambda: _describe(key, store.receipt(key)))


def routes() -> list[Route]:
    return [Route("/writes/{key:path}", write_status, methods=["GET"], name="write_status")]
