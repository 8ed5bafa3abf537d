"""What the sources' queries share: country codes, year ranges, page sizes and the contact e-mail.

Each check returns the value normalised or raises ``HarvestQueryError`` saying what is wrong and what to
do, before anything is sent.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

import pycountry

from loaders.harvest.errors import HarvestQueryError

MAILTO_ENV = ("CNRS_KG_MAILTO", "OPENALEX_MAILTO")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def country_codes(values: Iterable[str]) -> tuple[str, ...]:
    """ISO 3166-1 alpha-2 codes, upper-cased, without duplicates, in the order given.

    >>> country_codes(["vn", "TH", "VN"])
    ('VN', 'TH')
    >>> country_codes(["VNM"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    loaders.harvest.errors.HarvestQueryError: country code 'VNM' is not ISO 3166-1 alpha-2; use two letters ...
    """
    codes: list[str] = []
    for value in values:
        code = value.strip().upper()
        if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
            raise HarvestQueryError(f"country code {value!r} is not ISO 3166-1 alpha-2; use two letters such as VN, TH")
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def year_range(start: int | None, end: int | None) -> tuple[int | None, int | None]:
    """A publication year range, either end open (None).

    >>> year_range(2015, 2024)
    (2015, 2024)
    """
    for name, year in (("from_year", start), ("to_year", end)):
        if year is not None and not 1000 <= year <= 9999:
            raise HarvestQueryError(f"{name} {year} is not a four-digit year")
    if start is not None and end is not None and start > end:
        raise HarvestQueryError(f"year range {start}-{end} is empty; give the earlier year first")
    return start, end


def page_size(name: str, value: int, largest: int) -> int:
    if not 1 <= value <= largest:
        raise HarvestQueryError(f"{name} {value} is out of range; use 1 to {largest}")
    return value


def contact(value: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The contact e-mail: ``value`` if given, else the first of $CNRS_KG_MAILTO, $OPENALEX_MAILTO; or None."""
    env = os.environ if environ is None else environ
    if not value:
        value = next((env[name] for name in MAILTO_ENV if env.get(name)), None)
    if value is None:
        return None
    value = value.strip()
    if not _EMAIL.match(value):
        raise HarvestQueryError(f"contact e-mail {value!r} is not an e-mail address; fix it (or ${MAILTO_ENV[0]})")
    return value
