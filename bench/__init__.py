"""Benchmarks, each run from the repository root as a module (``python -m bench.<name>``, ``make bench``).

A package so that ``bench/graphql.py`` is the module ``bench.graphql`` for mypy, not a top-level
``graphql`` shadowing graphql-core.
"""
