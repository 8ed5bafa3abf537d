"""Who may write: the public endpoints are read-only unless the server was started writable.

``cnrs-kg serve --writable`` enables SPARQL updates and Graph Store writes. A writable server
bound to an address other than loopback must have a bearer token (``CNRS_KG_TOKEN``), and then
every write must carry ``Authorization: Bearer <token>``; a writable server on loopback without a
token accepts writes from its own machine.

    refused write, server read-only  -> 403
    refused write, token missing     -> 401 (with WWW-Authenticate: Bearer)
    refused write, token wrong       -> 403
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass

from starlette.requests import Request

from api.errors import Forbidden, Unauthorized

TOKEN_ENV = "CNRS_KG_TOKEN"


@dataclass(frozen=True)
class WritePolicy:
    writable: bool = False
    token: str | None = None


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost.

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_policy(policy: WritePolicy, host: str) -> str | None:
    """Why a server with this policy must not start on ``host`` (None if it may)."""
    if policy.writable and not policy.token and not is_loopback(host):
        return f"a writable server on {host} needs a token: set {TOKEN_ENV}, or bind to 127.0.0.1"
    return None


def refuse_write(request: Request) -> None:
    """Return if this request may write; else raise ``Forbidden`` or ``Unauthorized`` (``api.errors``)."""
    policy: WritePolicy = getattr(request.app.state, "write_policy", WritePolicy())
    if not policy.writable:
        raise Forbidden("this server is read-only: start it with --writable to accept writes")
    if policy.token is None:
        return
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise Unauthorized("writing needs 'Authorization: Bearer <token>'")
    if not hmac.compare_digest(given.strip().encode(), policy.token.encode()):
        raise Forbidden("wrong token: send the server's token in 'Authorization: Bearer <token>'")
