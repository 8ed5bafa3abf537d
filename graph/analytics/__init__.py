"""Cooperation analytics computed from the works in the store: ``profile``, a body's collaboration
profile (international, national only, institutional only, single; academic-corporate; partner
countries), as SciVal and the CWTS Leiden Ranking define them; ``instruments``, each cooperation
instrument's co-publications with its partners before, during and after its active span, and the
dormant instruments; ``gaps``, the partners that co-publish most with the CNRS in no active
instrument with it. The last two read the network index (``graph.links``)."""

from graph.analytics.gaps import Gap, Gaps, gaps
from graph.analytics.instruments import (
    Dormant,
    PartnerCopublications,
    Phase,
    Phases,
    Span,
    dormant_instruments,
    instrument_copublications,
)
from graph.analytics.profile import KINDS, Profile, Tally, collaboration_profile

__all__ = [
    "KINDS",
    "Dormant",
    "Gap",
    "Gaps",
    "PartnerCopublications",
    "Phase",
    "Phases",
    "Profile",
    "Span",
    "Tally",
    "collaboration_profile",
    "dormant_instruments",
    "gaps",
    "instrument_copublications",
]
