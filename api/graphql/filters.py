"""The filter inputs of the root lists."""

from __future__ import annotations

import datetime

import strawberry

from api.graphql.types.common import DateRange, YearRange
from api.graphql.types.enums import (
    CountryGroupKey,
    InstitutionCategory,
    InstrumentKind,
    InstrumentStatus,
    Measure,
    OrganisationType,
)


@strawberry.input(description="Which institutions to list; every condition given must hold.")
class InstitutionFilter:
    country: list[str] | None = strawberry.field(default=None, description="ISO alpha-2 codes of their country.")
    region: str | None = strawberry.field(
        default=None,
        description="A UN M49 region, sub-region or intermediate region code (142 Asia, 035 South-eastern Asia).",
    )
    type: list[OrganisationType] | None = None
    category: list[InstitutionCategory] | None = None
    name: str | None = strawberry.field(
        default=None,
        description="Words of one of their names, aliases or acronyms, in any language and any order, accents "
        'and case aside, each word the start of a word ("universite grenoble", "CNRS"); the institutions then '
        "come most relevant first (orderBy is not used).",
    )
    partner_of: str | None = strawberry.field(
        default=None,
        description="Institutions sharing an instrument or co-publishing (not internally) with this one "
        "(a global id, an IRI, CNRS, a ROR id...).",
    )
    instrument_kind: list[InstrumentKind] | None = strawberry.field(
        default=None, description="Institutions taking part in an instrument of these kinds."
    )


@strawberry.input(description="Which countries to list.")
class CountryFilter:
    group: CountryGroupKey | None = strawberry.field(default=None, description="Members of this group.")
    as_of: datetime.date | None = strawberry.field(default=None, description="Members on this day (with group).")
    during: DateRange | None = strawberry.field(
        default=None, description="Members at some time in this span (with group)."
    )
    code: list[str] | None = strawberry.field(default=None, description="ISO alpha-2 codes.")
    region: str | None = strawberry.field(default=None, description="A UN M49 area code (142, 035...).")
    name: str | None = strawberry.field(
        default=None,
        description='Words of one of their names in any common form or language ("Vietnam", "viet nam", '
        '"Viêt Nam") or their ISO code, accents and case aside; the countries then come most relevant first.',
    )


@strawberry.input(description="Which instruments to list.")
class InstrumentFilter:
    kind: list[InstrumentKind] | None = None
    country: list[str] | None = strawberry.field(default=None, description="ISO alpha-2 codes.")
    party: str | None = strawberry.field(
        default=None, description="Instruments with this party or concerned laboratory (a global id, an IRI, CNRS...)."
    )
    active_on: datetime.date | None = strawberry.field(default=None, description="Running on this day.")
    during: DateRange | None = strawberry.field(default=None, description="Running at some time in this span.")
    status: list[InstrumentStatus] | None = None


@strawberry.input(description="Which publications to list.")
class PublicationFilter:
    institution: str | None = strawberry.field(default=None, description="With an author affiliated there.")
    country: list[str] | None = strawberry.field(default=None, description="With an affiliation in one of these.")
    years: YearRange | None = None
    title: str | None = strawberry.field(default=None, description="Text in the title (any case).")
    doi: str | None = None


@strawberry.input(description="Which indicators to list.")
class IndicatorFilter:
    measure: list[Measure] | None = None
    area: str | None = strawberry.field(default=None, description="A country code (VN), an M49 code (001), or ASEAN.")
    year: int | None = None
    organisation: str | None = strawberry.field(default=None, description="The organisation measured (CNRS...).")
