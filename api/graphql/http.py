"""``/graphql`` over HTTP, as the GraphQL-over-HTTP specification asks.

- POST ``application/json`` and GET ``?query=`` (queries only: a mutation by GET is a 400).
- The answer is ``application/graphql-response+json`` when the client accepts it (preferred over
  ``application/json`` at equal quality), else ``application/json``.
- A request error (the document does not parse or validate, the variables do not coerce) has no
  ``data``; under ``application/graphql-response+json`` it is a 400, under ``application/json`` a
  200, as the specification says for legacy clients. Field errors (not found is no error) keep 200.
- A browser (``Accept: text/html``) opening ``/graphql`` gets GraphiQL (``api/static/graphiql.html``),
  its tabs preloaded with ``examples/*.graphql``; ``make assets`` copies its scripts (GraphiQL and
  React 18, from ``package-lock.json``) from ``node_modules`` into the ignored ``api/static/vendor``.
"""

from __future__ import annotations

import json
from functools import cache

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.types import ExecutionResult

from api.graphql.context import Context
from api.graphql.schema import Schema, schema
from api.negotiation import Format, negotiate
from api.sparql import EXAMPLES_DIR, STATIC_DIR

JSON = Format("application/json", "json")
GRAPHQL_RESPONSE = Format("application/graphql-response+json", "graphql-response")
HTML = Format("text/html", "html")
REQUEST_ERROR = "graphql_request_error"


FIRST_EXAMPLE = "irl_singapore"  # the default tab: needs nothing but the bundled data


@cache
def graphiql_page() -> str:
    """The GraphiQL page, its tabs preloaded with ``examples/*.graphql``."""
    paths = sorted(EXAMPLES_DIR.glob("*.graphql"), key=lambda p: (p.stem != FIRST_EXAMPLE, p.stem))
    examples = [{"name": p.stem.replace("_", " "), "query": p.read_text(encoding="utf-8")} for p in paths]
    data = json.dumps(examples).replace("</", "<\\/")  # cannot close the <script> element
    return (STATIC_DIR / "graphiql.html").read_text(encoding="utf-8").replace("__EXAMPLES__", data)


def is_request_error(result: ExecutionResult) -> bool:
    """No execution happened: the errors are about the request, none has a path."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(e.path is None for e in errors)


def response_format(accept: str | None) -> Format:
    """``application/graphql-response+json`` when accepted at least as well as JSON, else JSON."""
    if not accept:
        return JSON
    best = negotiate(accept, [GRAPHQL_RESPONSE, JSON])
    if best is GRAPHQL_RESPONSE and "application/graphql-response+json" in accept:
        return GRAPHQL_RESPONSE
    return JSON


class GraphQLView(GraphQL[Context, None]):
    """Strawberry's ASGI view with the request's ``Context``, status codes by media type, and our GraphiQL."""

    def __init__(self, graphql_schema: Schema) -> None:
        super().__init__(graphql_schema, graphql_ide="graphiql", allow_queries_via_get=True)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        assert isinstance(request, Request)
        return Context.for_request(request, response if isinstance(response, Response) else None, request.state.queries)

    def should_render_graphql_ide(self, request: object) -> bool:
        method = getattr(request, "method", "")
        headers = getattr(request, "headers", {})
        params = getattr(request, "query_params", {})
        return (
            method == "GET" and params.get("query") is None and negotiate(headers.get("accept"), [JSON, HTML]) is HTML
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_page())

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        answer = process_result(result)
        if is_request_error(result):
            answer.pop("data", None)
            request.state.graphql_request_error = True
        return answer

    async def run(self, request: Request | WebSocket, context: object = None, root_value: object = None) -> Response:  # type: ignore[override]
        response = await super().run(request)
        if not isinstance(request, Request) or not isinstance(response, Response) or response.media_type == "text/html":
            return response  # type: ignore[return-value]
        if response.headers.get("content-type", "").startswith("application/json"):
            fmt = response_format(request.headers.get("accept"))
            if fmt is GRAPHQL_RESPONSE:
                response.headers["content-type"] = "application/graphql-response+json; charset=utf-8"
                if getattr(request.state, "graphql_request_error", False):
                    response.status_code = 400
            else:
                response.headers["content-type"] = "application/json; charset=utf-8"
        response.headers["vary"] = "Accept"
        return response


def routes(path: str = "/graphql") -> list[Route]:
    """The GraphQL endpoint (GET and POST) at ``path``."""
    return [Route(path, GraphQLView(schema), methods=["GET", "POST"], name="graphql")]
