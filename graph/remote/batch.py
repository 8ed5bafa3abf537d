"""Reading many subjects in one query: ``match`` for a batch of subjects and predicates at once.

``RemoteStore.match`` is one HTTP request per pattern: counting the network reads each work with
three patterns, which over 100,000 works is 300,000 requests. ``SUBJECT_FACTS`` asks for the
statements of a batch of subjects with some predicates (one row each pair: the caller keeps a
batch to a few thousand subjects), in every graph but the store's own and the engine's, as
``MATCH`` does; ``quads`` reads its rows back as the quads ``match`` yields.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pyoxigraph as ox

from graph.meta import RESERVED
from graph.sparql import bind

# One row per subject and predicate, not two VALUES blocks: Oxigraph server joins their product
# with the statements by a scan of the store (12 s for 2,000 works among 800,000 statements), a list
# of pairs by index lookups (0.6 s). The graphs left out are those of ``graph.remote.queries.MATCH``
# (the engine's, the store's).
SUBJECT_FACTS = """SELECT ?s ?p ?o ?g WHERE {
  VALUES (?s ?p) { __PAIRS__ }
  GRAPH ?g { ?s ?p ?o }
  FILTER(?g NOT IN (<http://www.openlinksw.com/schemas/virtrdf#>, <http://www.w3.org/ns/ldp#>, <http://localuriqaserver/sparql>)
         && !STRSTARTS(STR(?g), __RESERVED__))
}"""


def subject_facts(subjects: Sequence[ox.NamedNode], predicates: Sequence[ox.NamedNode]) -> str:
    """The query of the statements of ``subjects`` with ``predicates``.

    >>> print(subject_facts([ox.NamedNode("urn:w")], [ox.NamedNode("urn:p"), ox.NamedNode("urn:q")]).splitlines()[1])
      VALUES (?s ?p) { (<urn:w> <urn:p>) (<urn:w> <urn:q>) }
    """
    pairs = [(subject, predicate) for subject in subjects for predicate in predicates]
    return bind(SUBJECT_FACTS, PAIRS=pairs, RESERVED=ox.Literal(RESERVED))


def quads(rows: ox.QuerySolutions) -> Iterator[ox.Quad]:
    """The rows of ``SUBJECT_FACTS`` as quads."""
    for row in rows:
        s, p, o, g = row["s"], row["p"], row["o"], row["g"]
        if isinstance(s, ox.NamedNode) and isinstance(p, ox.NamedNode) and isinstance(g, ox.NamedNode):
            assert isinstance(o, ox.NamedNode | ox.BlankNode | ox.Literal)
            yield ox.Quad(s, p, o, g)
