"""Cooperation analytics computed from the works in the store: ``profile``, a body's collaboration
profile (international, national only, institutional only, single; academic-corporate; partner
countries), as SciVal and the CWTS Leiden Ranking define them."""

from graph.analytics.profile import KINDS, Profile, Tally, collaboration_profile

__all__ = ["KINDS", "Profile", "Tally", "collaboration_profile"]
