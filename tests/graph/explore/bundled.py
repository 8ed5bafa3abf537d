"""The entities of the bundled data the exploration tests ask about, and a store that counts queries."""

from __future__ import annotations

from graph import explore

ID = "https://w3id.org/cnrs-kg/id/"
GRAPH = "https://w3id.org/cnrs-kg/graph/"
CNRS = ID + "org/ror/02feahw73"
SORBONNE = ID + "org/ror/02en5vm52"  # Sorbonne Université, co-supervising body of 114 CNRS units
NUS, NTU, ASTAR, THALES = (ID + f"org/ror/{r}" for r in ("01tgyzw49", "02e7b5302", "036wvzt09", "04emwm605"))
VAST, MAHIDOL, KASETSART = (ID + f"org/ror/{r}" for r in ("02wsd5p50", "01znkr924", "05gzceg21"))
TAYLORS, CERTOP = ID + "org/ror/0498pcx51", ID + "org/certop"
# LIX, Centrale Lyon and the CEA are HAL structures (2071, 126765, 300016) that the network counts as the
# ROR organisations they are reconciled with (graph.reconcile); Le2i has no ROR record.
LIX, LE2I, CENTRALE_LYON = ID + "org/ror/04afed728", ID + "org/hal/22594", ID + "org/ror/05s6rge65"
CEA = ID + "org/ror/00jjx8s55"  # a co-publication partner of the CNRS: its LE2S with the CNRS's IMS (2014)
SFU, UW = ID + "org/ror/0213rcc28", ID + "org/ror/00cvxb145"
NORWAY, FRANCE, US, CANADA = (ID + f"country/{c}" for c in ("NO", "FR", "US", "CA"))
CNRS_GRAPH = GRAPH + "cnrs/cnrs-asean"
SEED_003 = GRAPH + "seed/003_1063290ea1a7e848.txt"


def instrument(key: str) -> str:
    return ID + "instrument/" + key


def edge_between(net: explore.Network, a: str, b: str, kind: explore.EdgeType) -> explore.Edge:
    found = [e for e in net.edges if {e.source, e.target} == {a, b} and e.type is kind]
    assert len(found) == 1, f"{len(found)} {kind.value} edges between {a} and {b}"
    return found[0]
