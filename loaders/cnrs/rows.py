"""The CNRS folder's CSV files: their names and columns, and ``_Row``, one record with its line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pycountry
import pyoxigraph as ox

from loaders.base import LoadError
from ontology import iris
from ontology.literals import date_literal

INSTRUMENTS_FILE, PARTIES_FILE, OFFICES_FILE = "instruments.csv", "parties.csv", "offices.csv"
INSTRUMENT_COLUMNS = (
    "key", "name", "acronym", "kind", "former_kinds", "former_names", "code", "country", "lab_ror", "lab_key",
    "signature_date", "start_date", "end_date", "renewal_dates", "signature_place", "status", "verified",
    "predecessor", "date_note", "note", "source_urls",
)  # fmt: skip
PARTY_COLUMNS = ("instrument", "party", "party_ror", "party_key", "role", "start_date", "end_date", "note")
OFFICE_COLUMNS = ("key", "name", "country", "start_date", "end_date", "predecessor", "date_note", "note", "source_urls")
URL_SEPARATOR = " ; "


class _Row:
    """One CSV record with its file and physical line, whose getters raise ``LoadError``."""

    def __init__(self, path: Path, line: int, values: dict[str, str]) -> None:
        self.path, self.line, self.values = path, line, values

    def error(self, field: str | None, message: str, hint: str = "fix the row") -> LoadError:
        return LoadError(self.path, self.line, field, message, hint)

    def text(self, field: str, required: bool = False) -> str:
        value = self.values[field].strip()
        if required and not value:
            raise self.error(field, "is empty", "fill it in")
        return value

    def items(self, field: str, separator: str = ";") -> tuple[str, ...]:
        return tuple(part.strip() for part in self.values[field].split(separator) if part.strip())

    def choice(self, field: str, allowed: dict[str, str] | tuple[str, ...], value: str | None = None) -> str:
        value = self.text(field, required=True) if value is None else value
        if value not in allowed:
            raise self.error(field, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def slug(self, field: str, value: str | None = None) -> str:
        value = self.text(field, required=True) if value is None else value
        try:
            return iris.slug(value)
        except iris.InvalidIdentifier as exc:
            raise self.error(field, str(exc)) from exc

    def ror(self, field: str, value: str) -> str:
        try:
            bare = iris.ror_id(value)
        except iris.InvalidIdentifier as exc:
            raise self.error(field, str(exc), "write the bare ROR id, such as 02feahw73") from exc
        if bare != value:
            raise self.error(field, f"{value!r} is not a bare ROR id", f"write {bare}")
        return bare

    def date(self, field: str, value: str | None = None) -> ox.Literal | None:
        value = self.text(field) if value is None else value
        if not value:
            return None
        try:
            return date_literal(value)
        except ValueError as exc:
            raise self.error(field, f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)") from exc

    def period(self) -> tuple[ox.Literal | None, ox.Literal | None]:
        start, end = self.date("start_date"), self.date("end_date")
        if start is not None and end is not None and end.value[: len(start.value)] < start.value[: len(end.value)]:
            raise self.error("end_date", f"{end.value} is before start_date {start.value}")
        return start, end

    def country(self, field: str = "country") -> str:
        value = self.text(field, required=True)
        if len(value) != 2 or not value.isupper() or pycountry.countries.get(alpha_2=value) is None:
            message = f"{value!r} is not an ISO 3166-1 alpha-2 country code"
            raise self.error(field, message, "use a code such as SG or VN")
        return value

    def urls(self, field: str = "source_urls") -> tuple[str, ...]:
        urls = self.items(field, URL_SEPARATOR)
        if not urls:
            raise self.error(field, "no source URL", "give the pages that state the row's facts")
        for url in urls:
            if not url.startswith(("http://", "https://")) or any(c.isspace() for c in url):
                raise self.error(field, f"{url!r} is not a URL", f"separate URLs with {URL_SEPARATOR!r}")
            try:
                ox.NamedNode(url)
            except ValueError as exc:
                raise self.error(field, f"{url!r} is not a valid IRI: {exc}") from exc
        return urls


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[_Row]:
    """The records of a CSV file, each with the physical line it starts on (the header is line 1)."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        hint = f"put {path.name} beside {INSTRUMENTS_FILE}"
        if path.name == INSTRUMENTS_FILE:
            hint = f"give the folder of {INSTRUMENTS_FILE}, {PARTIES_FILE} and {OFFICES_FILE}"
        raise LoadError(path, None, None, "no such file", hint) from None
    except UnicodeDecodeError as exc:
        raise LoadError(path, None, None, f"not UTF-8: {exc}", "save the file as UTF-8") from exc
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise LoadError(path, 1, None, "the file is empty", f"start it with the header {','.join(columns)}") from None
    missing = [c for c in columns if c not in header]
    unknown = [c for c in header if c not in columns]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if missing or unknown or repeated:
        parts = (("missing", missing), ("unknown", unknown), ("repeated", repeated))
        message = "; ".join(f"{what} columns {', '.join(names)}" for what, names in parts if names)
        raise LoadError(path, 1, None, message, f"the header must be {','.join(columns)}")
    end = reader.line_num
    try:
        for record in reader:
            line, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                message = f"{len(record)} fields where the header has {len(header)}"
                hint = "quote cells that contain commas"
                if len(record) < len(header):
                    hint = "restore the missing cells (was the file cut short?)"
                raise LoadError(path, line, None, message, hint)
            yield _Row(path, line, dict(zip(header, record, strict=True)))
    except csv.Error as exc:
        raise LoadError(path, reader.line_num, None, f"not valid CSV: {exc}", "check the quotes") from exc
