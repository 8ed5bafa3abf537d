"""The entity read model: what the store says about institutions, countries, instruments,
publications and indicators, read as plain Python for GraphQL (and, next, the explorer).

- ``facts``: ``Value`` (one RDF term as plain data), ``Row`` (one solution), ``read_rows`` (a
  SELECT's rows, read in the calling thread), ``EntityFacts`` (an entity's values, predicate by
  predicate, with the graphs stating them) and ``collect`` (``?e ?p ?o ?g`` rows -> ``EntityFacts``).
- ``queries``: the SPARQL constants (``DETAILS``, ``RELATION`` over ``RELATIONS``,
  ``COPUBLICATIONS_ALL`` / ``COPUBLICATIONS_BY_YEAR``, ``BY_IDENTIFIER``, the root lists and their
  filters) and ``bind``, which writes validated terms and integers into their ``__NAME__`` slots.

Public names: ``Value``, ``Row``, ``EntityFacts``, ``collect``, ``read_rows``, ``Term``, ``bind``,
``named_nodes``; the query constants are read from ``graph.entities.queries``.
"""

from graph.entities.facts import EntityFacts, Row, Value, collect, read_rows
from graph.entities.queries import Term, bind, named_nodes

__all__ = ["EntityFacts", "Row", "Term", "Value", "bind", "collect", "named_nodes", "read_rows"]
