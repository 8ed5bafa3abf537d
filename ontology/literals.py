"""Literals in the forms the ontology's ranges expect: dates at their precision, decimals, years, integers, text.

Loaders use them to turn record fields into objects, and ``graph`` to write what it derives (the
counts of the collaboration network), so that both write a value the same way and a reload
compares equal.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import pyoxigraph as ox

from ontology.vocab import XSD

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR_MONTH = re.compile(r"^\d{4}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")


def date_literal(value: str) -> ox.Literal:
    """A date at the precision given: ``2005-09-22`` (xsd:date), ``2014-05`` (gYearMonth), ``1983`` (gYear).

    >>> date_literal("1983").datatype.value
    'http://www.w3.org/2001/XMLSchema#gYear'
    >>> date_literal("2023-07-12").value
    '2023-07-12'
    """
    v = value.strip()
    if _DATE.match(v):
        dt.date.fromisoformat(v)
        return ox.Literal(v, datatype=XSD.date)
    if _YEAR_MONTH.match(v):
        _year, month = v.split("-")
        if not 1 <= int(month) <= 12:
            raise ValueError(f"{value!r}: month out of range")
        return ox.Literal(v, datatype=XSD.gYearMonth)
    if _YEAR.match(v):
        return ox.Literal(v, datatype=XSD.gYear)
    raise ValueError(f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")


# The precision of a date, by the datatype its literal has (the ontology's date ranges).
PRECISIONS = {XSD.gYear.value: "year", XSD.gYearMonth.value: "month", XSD.date.value: "day"}


def date_precision(value: str) -> str | None:
    """How precise a date written in ISO 8601 is: ``year``, ``month``, ``day``, or None for no date.

    >>> date_precision("2005"), date_precision("2005-09"), date_precision("2005-09-22"), date_precision("soon")
    ('year', 'month', 'day', None)
    """
    v = value.strip()
    for pattern, precision in ((_DATE, "day"), (_YEAR_MONTH, "month"), (_YEAR, "year")):
        if pattern.match(v):
            return precision
    return None


def date_span(value: str) -> tuple[dt.date, dt.date]:
    """The first and the last day a date at its precision can mean; ``ValueError`` if it is not one.

    >>> [d.isoformat() for d in date_span("2020")], [d.isoformat() for d in date_span("2024-02")]
    (['2020-01-01', '2020-12-31'], ['2024-02-01', '2024-02-29'])
    >>> date_span("2020-06-31")
    Traceback (most recent call last):
    ValueError: day is out of range for month
    """
    literal = date_literal(value)  # checks the form, the month and the day
    parts = [int(p) for p in literal.value.split("-")]
    year, month = parts[0], parts[1] if len(parts) > 1 else None
    if month is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if len(parts) == 2:
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    day = dt.date(year, month, parts[2])
    return day, day


def text(value: str, language: str | None = None) -> ox.Literal:
    return ox.Literal(value, language=language) if language else ox.Literal(value)


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD.integer)


def decimal(value: str | float, places: int = 6) -> ox.Literal:
    """An ``xsd:decimal`` in the canonical form Oxigraph stores, so that rereading it compares equal.

    >>> decimal(0.5).value, decimal(1.0).value, decimal("0.060").value, decimal(1 / 3).value
    ('0.5', '1', '0.06', '0.333333')
    """
    text = f"{float(value):.{places}f}".rstrip("0").rstrip(".")
    return ox.Literal("0" if text in ("", "-0") else text, datatype=XSD.decimal)


def year(value: int) -> ox.Literal:
    return ox.Literal(f"{value:04d}", datatype=XSD.gYear)
