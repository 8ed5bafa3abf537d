"""A store on a remote SPARQL engine: ``RemoteStore`` (``store``) over ``SparqlClient`` (``client``).

Public names: ``RemoteStore``, ``Endpoints``, ``StoreUnreachable`` (and its ``EngineFailed``: a 5xx),
``is_remote`` and the names of
the environment variables that hold the engine's credentials (``USER_ENV``, ``PASSWORD_ENV``,
``TOKEN_ENV``).
"""

from graph.remote.client import (
    PASSWORD_ENV,
    TOKEN_ENV,
    USER_ENV,
    Endpoints,
    EngineFailed,
    StoreUnreachable,
    is_remote,
)
from graph.remote.store import RemoteStore

__all__ = [
    "PASSWORD_ENV",
    "TOKEN_ENV",
    "USER_ENV",
    "Endpoints",
    "EngineFailed",
    "RemoteStore",
    "StoreUnreachable",
    "is_remote",
]
