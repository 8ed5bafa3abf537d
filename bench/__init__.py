"""Benchmarks, each run as a script (``python bench/<name>.py``, ``make bench``).

A package so that ``bench/graphql.py`` is the module ``bench.graphql`` for mypy, not a top-level
``graphql`` shadowing graphql-core.
"""
