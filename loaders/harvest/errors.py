"""What can go wrong while harvesting, each as one line that says what, where and what to do.

LoaderError
└── HarvestError          a harvest cannot go on
    ├── HarvestQueryError the query itself is invalid (also a ValueError): nothing was sent
    ├── FetchError        a request failed for good: after the last retry, or a status not worth retrying
    └── CheckpointError   the output folder does not fit: another query's harvest, a damaged checkpoint
                          or a cache shorter than its checkpoint says

The query error is ``HarvestQueryError`` because ``QueryError`` is the store's (``graph.QueryError``:
a SPARQL query the store rejects).
"""

from __future__ import annotations

from loaders.base import LoaderError


class HarvestError(LoaderError):
    """Base class of the harvesters' errors; ``str()`` is one line ending with what to do."""


class HarvestQueryError(HarvestError, ValueError):
    """An invalid query (a country code, a year range, a page size...)."""


class FetchError(HarvestError):
    """A request that failed for good. ``url`` never carries a secret (the API key is masked)."""

    def __init__(self, url: str, status: int | None, message: str) -> None:
        self.url = url
        self.status = status
        super().__init__(message)


class CheckpointError(HarvestError):
    """The output folder holds something this harvest must not overwrite or resume from."""
