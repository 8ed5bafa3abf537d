"""Agreement gaps (``graph.analytics.gaps``) as a GraphQL type, and their resolver.

The figures of ``graph.analytics`` are converted here, never recomputed; its module docstring states
the rules (the partners, which instruments cover them, the ranking, the trend).
"""

from __future__ import annotations

import strawberry
from starlette.concurrency import run_in_threadpool

from api import refs
from api.graphql.context import Info
from api.graphql.types.common import Connection, connection
from api.graphql.types.common import window as page_window
from api.graphql.types.enums import Counting, Level
from api.graphql.types.network import Entity, YearValue, entity
from graph import explore
from graph.analytics import Gap, Gaps, gaps


@strawberry.type(
    description="A partner (institution or country) that co-publishes with the CNRS in the window yet takes part "
    "in no instrument with it active then, with its co-publication trend."
)
class AgreementGap:
    partner: Entity
    works: float = strawberry.field(description="Co-publications with the CNRS over the window, under the counting.")
    per_year: list[YearValue] = strawberry.field(description="Years of the window with co-publications, in order.")
    slope: float = strawberry.field(
        description="Least-squares slope of the yearly co-publications over the window's years of data (a year "
        "without any counts 0), in works per year: positive when the ties grow."
    )

    @classmethod
    def of(cls, gap: Gap) -> AgreementGap:
        return cls(
            partner=entity(gap.partner),
            works=gap.works,
            per_year=[YearValue(year=year, value=value) for year, value in gap.per_year.items()],
            slope=gap.slope,
        )


async def gaps_of(
    info: Info,
    places: list[tuple[str, str]],
    window: explore.Window,
    counting: Counting,
    level: Level,
    min_works: float,
    first: int | None,
    after: str | None,
    field: str | None = None,
) -> Connection[AgreementGap]:
    """The page of gaps asked for; ``places``: (reference, argument name) of each place; ``field``: a
    research field (``graph.links.fields``), co-publications of its works only."""
    queries = info.context.queries
    located = await refs.resolve_async(queries, [refs.parse(text, argument) for text, argument in places])
    offset, size = page_window(first, after)
    found = await run_in_threadpool(
        lambda: gaps(
            queries,
            level=level,
            places_in=located,
            window=window,
            counting=counting,
            min_works=min_works,
            first=offset + size,
            field=field,
        )
    )
    assert isinstance(found, Gaps)
    page = [AgreementGap.of(gap) for gap in found[offset:]]
    return connection(page, offset, found.total, has_next=offset + size < found.total)
