"""The GraphQL types, one module per group: ``common`` (connections, sources, dates), ``enums``,
``institution``, ``places`` (countries, regions, groups), ``instrument`` (instruments, parties,
offices), ``publication`` (publications, indicators) and ``network`` (``graph.explore`` answers)."""
