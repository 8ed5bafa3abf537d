"""Research fields in GraphQL: the ``field`` argument of the network questions, and the answer of
``fields`` (``graph.analytics.fields``: in which fields two nodes co-publish, and the instruments in
each), converted here, never recomputed; the rules are in the docstrings of ``graph.links.fields``
(a work counts fully in each of its fields) and ``graph.analytics.fields``.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool

from api import refs
from api.graphql.context import Info
from api.graphql.types import common
from api.graphql.types.enums import Counting
from api.graphql.types.instrument import Instrument
from api.graphql.types.network import Entity, YearValue, entity
from api.graphql.types.works_behind import Copublications, copublications_of
from graph import explore
from graph.analytics.fields import FieldCopublications, Fields, field_labels, fields
from ontology import iris

FIELD_HELP = (
    "A research field: an OpenAlex field id (https://openalex.org/fields/17, fields/17 or 17) or a top-level HAL "
    "domain code (info, phys, sdv...). Co-publications are then those of the field's works only (a work counts "
    "fully in each of its fields); instruments and the hierarchy have no field. Read from the network index: the "
    "RDF network graphs are not split by field."
)
FieldArgument = Annotated[str | None, strawberry.argument(description=FIELD_HELP)]


@strawberry.type(description="A research field: an OpenAlex field or a top-level HAL domain.")
class ResearchField:
    iri: str
    id: str = strawberry.field(description="What the `field` argument takes: an OpenAlex field id or a HAL code.")
    label: str | None = strawberry.field(description="Its English label, as its source gives it.")
    scheme: str = strawberry.field(description="OPENALEX or HAL.")

    @classmethod
    def of(cls, iri: str, label: str | None, notation: str | None) -> ResearchField:
        hal = iri.startswith(iris.HAL_FIELD)
        code = notation or iri.rsplit("/", 1)[-1]
        return cls(
            iri=iri,
            id=code if hal else f"https://openalex.org/fields/{code}",
            label=label,
            scheme="HAL" if hal else "OPENALEX",
        )


@strawberry.type(description="The co-publications of two nodes in one research field over the window.")
class FieldCopublication:
    field: ResearchField
    works: float = strawberry.field(description="Co-publications in the field, full counting.")
    fractional: float = strawberry.field(description="The same, fractional counting.")
    per_year: list[YearValue] = strawberry.field(description="Years of the window with co-publications (full).")
    instrument_iris: strawberry.Private[list[str]]
    ends: strawberry.Private[tuple[str, str]]  # the two nodes
    window: strawberry.Private[explore.Window]

    @common.field(description="The works behind `works` and `fractional`: the two nodes' co-publications in it.")
    async def copublications(
        self, info: Info, counting: Counting = Counting.FULL, first: int | None = None, after: str | None = None
    ) -> Copublications:
        a, b = self.ends
        return await copublications_of(info, a, b, self.window, counting, first, after, self.field.iri)

    @common.field(
        description="The instruments joining the two (active in the window, both sides among their parties) whose "
        "parties co-published in this field in the window."
    )
    def instruments(self) -> list[Instrument]:
        return [Instrument(iri=iri) for iri in self.instrument_iris]

    @common.field(description="Whether an instrument joining the two is in this field.")
    def covered(self) -> bool:
        return bool(self.instrument_iris)


@strawberry.type(description="In which research fields two nodes co-publish, and the instruments in each.")
class CopublicationFields:
    of: Entity
    with_: Entity = strawberry.field(name="with")
    fields: list[FieldCopublication] = strawberry.field(description="Most co-publications first.")
    instrument_iris: strawberry.Private[list[str]]

    @common.field(description="Every instrument joining the two: active in the window, both sides as parties.")
    def instruments(self) -> list[Instrument]:
        return [Instrument(iri=iri) for iri in self.instrument_iris]


def _field(
    found: FieldCopublications,
    labels: dict[str, tuple[str | None, str | None]],
    ends: tuple[str, str],
    window: explore.Window,
) -> FieldCopublication:
    label, notation = labels.get(found.field, (None, None))
    return FieldCopublication(
        ends=ends,
        window=window,
        field=ResearchField.of(found.field, label, notation),
        works=found.works,
        fractional=found.fractional,
        per_year=[YearValue(year=year, value=value) for year, value in found.per_year.items()],
        instrument_iris=found.instruments,
    )


async def fields_of(info: Info, of: str, with_: str, window: explore.Window) -> CopublicationFields:
    """The answer of ``fields``: the two references resolved, the figures and the fields' labels read."""
    queries = info.context.queries
    first, second = await refs.resolve_async(queries, [refs.parse(of, "of"), refs.parse(with_, "with")])

    def answer() -> tuple[Fields, dict[str, tuple[str | None, str | None]]]:
        found = fields(queries, first, second, window=window)
        return found, field_labels(queries, [f.field for f in found.fields])

    found, labels = await run_in_threadpool(answer)
    return CopublicationFields(
        of=entity(first),
        with_=entity(second),
        fields=[_field(f, labels, (first, second), window) for f in found.fields],
        instrument_iris=found.instruments,
    )
