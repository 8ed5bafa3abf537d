"""An instrument's co-publications by phase of its span, and the dormant instruments
(``graph.analytics.instruments``), as GraphQL types, and their resolvers.

The figures of ``graph.analytics`` are converted here, never recomputed; its module docstring
states the rules (the sides, the active span, the years of data, the phases).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from starlette.concurrency import run_in_threadpool

from api.graphql.context import Info
from api.graphql.types.common import Connection, paginate
from api.graphql.types.enums import InstrumentKind, to_iri
from api.graphql.types.institution import Institution
from graph.analytics import Dormant, PartnerCopublications, Phase, dormant_instruments, instrument_copublications

if TYPE_CHECKING:
    from api.graphql.types.instrument import Instrument


@strawberry.type(
    description="Co-publications in one phase of an instrument's span (before, during, after), over the years "
    "of data in it: full counts (`works`) and fractional counts, and their rates per year."
)
class PhaseCopublications:
    first_year: int | None = strawberry.field(description="The phase's first year of data (null: it has none).")
    last_year: int | None
    years: int = strawberry.field(description="Its years of data (0 when the data do not reach the phase).")
    works: float = strawberry.field(description="Co-publications, full counting.")
    fractional: float = strawberry.field(description="Co-publications, fractional counting.")
    rate: float | None = strawberry.field(description="Works per year of the phase (null: no year).")
    fractional_rate: float | None = strawberry.field(description="Fractional works per year (null: no year).")

    @classmethod
    def of(cls, phase: Phase) -> PhaseCopublications:
        empty = phase.years == 0
        return cls(
            first_year=None if empty else phase.first,
            last_year=None if empty else phase.last,
            years=phase.years,
            works=phase.full,
            fractional=phase.fractional,
            rate=phase.rate(),
            fractional_rate=phase.rate(fractional=True),
        )


@strawberry.type(description="Co-publications of one year, full and fractional.")
class YearCopublications:
    year: int
    works: float
    fractional: float


@strawberry.type(
    description="An instrument's co-publications with one partner party: between its CNRS side (the CNRS labs "
    "party to it, else the CNRS) and the partner, per year and before, during and after its active span."
)
class InstrumentCopublications:
    partner: Institution
    cnrs_side: list[Institution] = strawberry.field(
        description="The CNRS labs party to the instrument, else the CNRS; several labs' ties with the partner add up."
    )
    start: int | None = strawberry.field(
        description="First year of the active span (start, else signature; null: undated, no phases)."
    )
    end: int | None = strawberry.field(
        description="Last year of the span, included (null: open, active to the last year of data)."
    )
    before: PhaseCopublications | None
    during: PhaseCopublications | None
    after: PhaseCopublications | None
    per_year: list[YearCopublications] = strawberry.field(description="Years with co-publications, in order.")

    @classmethod
    def of(cls, found: PartnerCopublications) -> InstrumentCopublications:
        phases = found.phases
        return cls(
            partner=Institution(iri=found.partner),
            cnrs_side=[Institution(iri=iri) for iri in found.cnrs_side],
            start=found.span.start,
            end=found.span.end,
            before=None if phases is None else PhaseCopublications.of(phases.before),
            during=None if phases is None else PhaseCopublications.of(phases.during),
            after=None if phases is None else PhaseCopublications.of(phases.after),
            per_year=[YearCopublications(year=y, works=f, fractional=s) for y, (f, s) in found.per_year.items()],
        )


async def copublications_of(info: Info, instrument: str) -> list[InstrumentCopublications]:
    found = await run_in_threadpool(instrument_copublications, info.context.queries, instrument)
    return [InstrumentCopublications.of(partner) for partner in found]


@strawberry.type(
    description="An instrument active over the last years of data with fewer co-publications than asked in them."
)
class DormantInstrument:
    instrument_iri: strawberry.Private[str]
    start: int | None
    end: int | None = strawberry.field(description="Null: open.")
    first_year: int = strawberry.field(description="The years looked at: from this one to the last year of data.")
    last_year: int
    works: float = strawberry.field(description="Co-publications then, full counting, summed over its partners.")
    fractional: float

    @strawberry.field
    def instrument(self) -> Annotated[Instrument, strawberry.lazy("api.graphql.types.instrument")]:
        from api.graphql.types.instrument import Instrument  # it names this module's types: imported late

        return Instrument(iri=self.instrument_iri)

    @classmethod
    def of(cls, found: Dormant) -> DormantInstrument:
        return cls(
            instrument_iri=found.instrument,
            start=found.span.start,
            end=found.span.end,
            first_year=found.first,
            last_year=found.last,
            works=found.full,
            fractional=found.fractional,
        )


async def dormant(
    info: Info,
    min_works: float,
    years: int,
    kinds: list[InstrumentKind] | None,
    first: int | None,
    after: str | None,
) -> Connection[DormantInstrument]:
    found = await run_in_threadpool(
        lambda: dormant_instruments(
            info.context.queries, min_works=min_works, years=years, kinds=[to_iri(k) for k in kinds or []]
        )
    )
    return paginate([DormantInstrument.of(d) for d in found], first, after)
