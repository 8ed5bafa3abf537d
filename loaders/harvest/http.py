"""A polite HTTP client for the harvesters: it says who we are, waits when asked, and retries with care.

``Fetcher.get_json`` sends one GET through an ``httpx.Client`` (injected in tests, with an
``httpx.MockTransport``) and returns the decoded JSON. It retries what is worth retrying (429, any
5xx, transport errors, a body that is not JSON) with exponential back-off and jitter, or after the
``Retry-After`` the server sent (capped), at most ``RetryPolicy.attempts`` times in all; then, or at once
for any other status, it raises ``FetchError`` naming the URL, the status and what to do. The
``sleep`` function is injected, so tests never wait.

Secrets (an API key) travel in the query string but never leave this module: every URL shown in an
error or a log line has them masked, and they are scrubbed from any response text quoted.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from types import TracebackType
from typing import Any

import httpx

from loaders.harvest.errors import FetchError

log = logging.getLogger(__name__)

Sleep = Callable[[float], None]
Params = Sequence[tuple[str, str]]

MASK = "***"
RESUME = "run the same command again to resume where it stopped"


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to try a request, and how long to wait between tries (seconds)."""

    attempts: int = 6
    base_delay: float = 2.0
    max_delay: float = 120.0
    max_retry_after: float = 600.0
    jitter: float = 0.25

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, not {self.attempts}")

    def backoff(self, retry: int, rand: float) -> float:
        """The wait before retry number ``retry`` (1 for the first): doubling, ± ``jitter`` (``rand`` in [0, 1)),
        at most ``max_delay``.

        >>> policy = RetryPolicy(base_delay=1.0, max_delay=10.0, jitter=0.5)
        >>> [policy.backoff(1, 0.5), policy.backoff(3, 0.0), policy.backoff(3, 0.75), policy.backoff(9, 0.0)]
        [1.0, 2.0, 5.0, 10.0]
        """
        delay = self.base_delay * 2.0 ** (retry - 1) * (1.0 + self.jitter * (2.0 * rand - 1.0))
        return min(self.max_delay, delay)

    def honour(self, seconds: float) -> float:
        """A server's ``Retry-After``, within reason."""
        return max(0.0, min(seconds, self.max_retry_after))


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP date; None if absent or unreadable.

    >>> parse_retry_after("7", now=0.0)
    7.0
    >>> parse_retry_after("Thu, 01 Jan 1970 00:01:00 GMT", now=30.0)
    30.0
    >>> parse_retry_after("soon", now=0.0) is None
    True
    """
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def user_agent(contact: str | None) -> str:
    """``cnrs-kg/<version>``, with ``(mailto:<contact>)`` when a contact e-mail is known."""
    try:
        version = metadata.version("cnrs-kg")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"cnrs-kg/{version}" + (f" (mailto:{contact})" if contact else "")


class Fetcher:
    """GET JSON politely. Closes the ``httpx.Client`` on ``close()`` only if it made it."""

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        contact: str | None = None,
        sleep: Sleep = time.sleep,
        retry: RetryPolicy | None = None,
        secret_params: Iterable[str] = (),
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._owns_client = client is None
        self._client = client or httpx.Client(timeout=httpx.Timeout(60.0, connect=15.0))
        self._headers = {"User-Agent": user_agent(contact), "Accept": "application/json"}
        self._sleep = sleep
        self._retry = retry or RetryPolicy()
        self._secret_params = frozenset(secret_params)
        self._rand = rand

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def shown(self, url: str, params: Params) -> str:
        """The URL as it may be printed: secret parameters masked."""
        masked = [(k, MASK if k in self._secret_params else v) for k, v in params]
        return str(httpx.URL(url, params=masked))

    def get_json(self, url: str, params: Params) -> Any:
        """The decoded JSON body of ``GET url?params``, after retries; ``FetchError`` when it cannot be had."""
        shown = self.shown(url, params)
        secrets = [v for k, v in params if k in self._secret_params and v]
        attempts = self._retry.attempts
        for attempt in range(1, attempts + 1):
            wait: float | None = None
            status: int | None = None
            try:
                response = self._client.get(url, params=list(params), headers=self._headers, follow_redirects=True)
            except httpx.TransportError as exc:
                problem = _scrub(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, secrets)
            else:
                status = response.status_code
                if response.is_success:
                    try:
                        return response.json()
                    except ValueError:
                        problem = f"HTTP {status} but the body is not JSON"
                elif status == 429 or status >= 500:
                    problem = f"HTTP {status}"
                    asked = parse_retry_after(response.headers.get("Retry-After"), time.time())
                    wait = None if asked is None else self._retry.honour(asked)
                else:
                    detail = _scrub(_api_message(response), secrets)
                    raise FetchError(shown, status, f"GET {shown} failed: HTTP {status}{detail}; {_hint(status)}")
            if attempt == attempts:
                raise FetchError(
                    shown, status, f"GET {shown} failed after {attempts} attempts ({problem}); {_give_up(status)}"
                )
            if wait is None:
                wait = self._retry.backoff(attempt, self._rand())
            log.warning("GET %s: %s; retry %d of %d in %.1f s", shown, problem, attempt, attempts - 1, wait)
            self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover


def _api_message(response: httpx.Response) -> str:
    """The API's own explanation of a refusal, on one short line (empty if none)."""
    try:
        body = response.json()
    except ValueError:
        text = response.text
    else:
        text = ""
        if isinstance(body, dict):
            text = " ".join(str(body[key]) for key in ("error", "message") if body.get(key))
    text = " ".join(text.split())
    if not text:
        return ""
    return f" ({text[:200]}{'...' if len(text) > 200 else ''})"


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


def _hint(status: int) -> str:
    if status in (401, 403):
        return "access refused: check the API key (for OpenAlex: OPENALEX_API_KEY), or wait for the daily allowance"
    if status == 400:
        return "the API refused the query: check the filters (country codes, years, extra filter)"
    if status == 404:
        return "no such endpoint: check the base URL"
    return "the request was refused; check the query"


def _give_up(status: int | None) -> str:
    if status == 429:
        return f"the API still limits our rate: wait (or set an API key), then {RESUME}"
    if status is None:
        return f"the network or the server is unreachable: check the connection, then {RESUME}"
    return f"the server is failing: try again later; {RESUME}"
