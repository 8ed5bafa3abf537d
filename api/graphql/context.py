"""What every resolver finds in ``info.context``: the request, its recorded queries, its loaders."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from api.graphql.dataloaders import Loaders
from api.graphql.recording import RecordingQueries
from graph import Queryable


@dataclass
class Context:
    request: Request
    response: Response | None
    queries: RecordingQueries
    loaders: Loaders

    @classmethod
    def for_request(cls, request: Request, response: Response | None, inner: Queryable) -> Context:
        """The context of a request: its queries within the server's time budget (``QueryRunner.budget``),
        counted from now, for the whole request."""
        budget: float | None = getattr(inner, "budget", None)
        queries = RecordingQueries(inner, budget=budget)
        return cls(request, response, queries, Loaders(queries))


Info = StrawberryInfo[Context, None]
