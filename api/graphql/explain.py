"""``explain``: the SPARQL queries a GraphQL request ran, with their times, in ``extensions``.

Asked by ``"extensions": {"explain": true}`` in the request body (or ``extensions={"explain":true}``
in a GET), or by the header ``X-Explain: 1``. The answer then carries
``extensions.explain = [{"query": ..., "ms": ..., "rows": ...}, ...]``, in the order the queries
started; ``ms`` includes reading the whole answer.
"""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from api.graphql.context import Context

TRUE = frozenset({"1", "true", "yes", "on"})


def wants_explain(context: Context, extensions: dict[str, object] | None) -> bool:
    if (extensions or {}).get("explain") is True:
        return True
    return context.request.headers.get("x-explain", "").strip().lower() in TRUE


class Explain(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context):
            context.queries.explain = wants_explain(context, self.execution_context.operation_extensions)
        yield

    def get_results(self) -> dict[str, object]:
        context = self.execution_context.context
        if isinstance(context, Context) and context.queries.explain:
            return {"explain": [record.as_json() for record in context.queries.records]}
        return {}
