"""A body's collaboration profile (``graph.analytics.profile``) as GraphQL types, and its resolver.

The tallies of ``graph.analytics`` are converted here, never recomputed: a window and a counting
pick and sum its years. Figures are rounded to six decimals, as ``Trend``'s are.
"""

from __future__ import annotations

import strawberry
from starlette.concurrency import run_in_threadpool

from api import refs
from api.graphql.context import Info
from api.graphql.errors import BadInput
from api.graphql.mapping import kind_of_iri
from api.graphql.types.enums import Counting
from api.graphql.types.institution import Institution
from api.graphql.types.places import Country
from graph import explore
from graph.analytics import Profile, Tally, collaboration_profile
from graph.analytics.profile import INSTITUTIONAL, INTERNATIONAL, NATIONAL, SINGLE
from graph.backend import backend_behind


def _round(value: float) -> float:
    return round(value, 6)


@strawberry.type(
    description="Works of one kind: how many (full: works; fractional: the body's shares), and their share."
)
class CollaborationCount:
    works: float
    share: float = strawberry.field(description="Of the body's works in the same year or window (0 to 1).")


@strawberry.type(
    description="The body's works of a year (or of the whole window: `year` null) by kind of collaboration; "
    "international, nationalOnly, institutionalOnly and single are exclusive and their shares sum to 1."
)
class CollaborationShares:
    year: int | None
    works: float = strawberry.field(description="The body's works: each 1 (full), or the body's share of each.")
    international: CollaborationCount = strawberry.field(description="With an affiliation in another country.")
    national_only: CollaborationCount = strawberry.field(
        description="Several affiliations, all in the body's country, not all the body's own."
    )
    institutional_only: CollaborationCount = strawberry.field(
        description="Several affiliations, all the body itself or its units that year."
    )
    single: CollaborationCount = strawberry.field(description="One affiliation, in the body's country.")
    academic_corporate: CollaborationCount = strawberry.field(
        description="With a partner affiliation whose organisation type is company (any of the four kinds)."
    )
    without_country: int = strawberry.field(
        description="Works counted national only although a partner affiliation has no known country."
    )

    @classmethod
    def of(cls, year: int | None, tally: Tally, counting: Counting) -> CollaborationShares:
        counts, shares = tally.counts(counting), tally.shares(counting)

        def kind(name: str) -> CollaborationCount:
            return CollaborationCount(works=_round(counts[name]), share=_round(shares[name]))

        return cls(
            year=year,
            works=_round(tally.works(counting)),
            international=kind(INTERNATIONAL),
            national_only=kind(NATIONAL),
            institutional_only=kind(INSTITUTIONAL),
            single=kind(SINGLE),
            academic_corporate=CollaborationCount(
                works=_round(tally.corporate[counting]), share=_round(tally.corporate_share(counting))
            ),
            without_country=tally.without_country,
        )


@strawberry.type(description="A country of the body's international works.")
class PartnerCountryShare:
    country: Country
    works: float = strawberry.field(
        description="The international works involving it: each 1 (full), or the body's share of each divided "
        "among the work's foreign countries (fractional)."
    )
    share: float = strawberry.field(description="Of the body's international works in the window (0 to 1).")


@strawberry.type(
    description="A body's collaboration profile (SciVal's Collaboration, the Leiden Ranking's collaboration "
    "indicators): its works per year and over the window by kind of collaboration, and its partner countries."
)
class CollaborationProfile:
    of: Institution
    counting: Counting
    total: CollaborationShares = strawberry.field(description="Over the whole window (`year` null).")
    years: list[CollaborationShares] = strawberry.field(description="Years with works of the body, in order.")
    partner_countries: list[PartnerCountryShare] = strawberry.field(description="Over the window, most works first.")

    @classmethod
    def of_profile(cls, profile: Profile, window: explore.Window, counting: Counting) -> CollaborationProfile:
        total = profile.total(window)
        international = total.counts(counting)[INTERNATIONAL]
        countries = [
            PartnerCountryShare(
                country=Country(iri=iri),
                works=_round(value),
                share=_round(value / international if international else 0.0),
            )
            for iri, value in total.partner_countries(counting)
        ]
        return cls(
            of=Institution(iri=profile.body),
            counting=counting,
            total=CollaborationShares.of(None, total, counting),
            years=[CollaborationShares.of(year, tally, counting) for year, tally in profile.rows(window)],
            partner_countries=countries,
        )


async def profile_of(info: Info, of: str, window: explore.Window, counting: Counting) -> CollaborationProfile:
    """The profile of the institution ``of`` names (any reference ``api.refs`` reads)."""
    queries = info.context.queries
    (iri,) = await refs.resolve_async(queries, [refs.parse(of, "of")])
    if kind_of_iri(iri) != "Institution":
        raise BadInput(f"of: {of!r} is not an institution; give one, such as CNRS or a ROR id")
    store = backend_behind(queries)
    if store is None:
        raise BadInput("profile: this server answers from a SPARQL endpoint, whose works it cannot read one by one")
    found = await run_in_threadpool(collaboration_profile, store, iri)  # its BadArgument is the client's
    return CollaborationProfile.of_profile(found, window, counting)
