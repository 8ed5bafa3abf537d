"""The entity read model: what the store says about institutions, countries, instruments,
publications and indicators, read as plain Python for GraphQL (and, next, the explorer).

- ``facts``: ``Value`` (one RDF term as plain data), ``Row`` (one solution), ``read_rows`` (a
  SELECT's rows, read in the calling thread), ``EntityFacts`` (an entity's values, predicate by
  predicate, with the graphs stating them) and ``collect`` (``?e ?p ?o ?g`` rows -> ``EntityFacts``).
- ``queries``: the SPARQL constants (``DETAILS``, ``RELATION`` over ``RELATIONS``, ``BY_IDENTIFIER``,
  the root lists and their filters) and the functions that compose them by name (``relation``,
  ``page``, ``copublications``, which asks ``graph.links``'s reader of the network); their
  ``__NAME__`` slots are filled by ``graph.sparql.bind``, the one way terms enter SPARQL.

Public names: ``Value``, ``Row``, ``EntityFacts``, ``collect``, ``read_rows``; the queries are read
from ``graph.entities.queries``.
"""

from graph.entities.facts import EntityFacts, Row, Value, collect, read_rows

__all__ = ["EntityFacts", "Row", "Value", "collect", "read_rows"]
