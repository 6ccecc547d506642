"""What every importer of a CSV table of facts shares: rows with their line, and sources.

A table of facts (``data/**/*.csv``) has a header that names its columns; each data row is a
claim with its own source (``source_url``, ``source_title``, ``source_date``). Errors name the
file and line, and each distinct URL becomes one ``cchc:Source`` node whatever the number of
rows that cite it.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.errors import KgDataError, KgFileError
from kg.namespaces import CCHC, PREFIXES, SCHEMA, fold, resource, slugify

__all__ = [
    "Row",
    "Sources",
    "detect_language",
    "iso_date",
    "new_graph",
    "read_rows",
    "text_literal",
]

#: A number whose commas group thousands: ``1,421`` or ``12,345.5``.
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def detect_language(text: str) -> str:
    """``"vi"`` when the text reads as Vietnamese, else ``"en"``: more than half of its words
    carry diacritics (Vietnamese names inside an English sentence do not make it Vietnamese).

    >>> detect_language("Hà Nội PAR INDEX 2019 = 84.64% (position 2)")
    'en'
    >>> detect_language("Hà Nội hai năm liên tiếp giữ vị trí thứ 3")
    'vi'
    """
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    marked = [w for w in words if fold(w) != w]
    return "vi" if words and len(marked) / len(words) > 0.5 else "en"


def text_literal(text: str) -> Literal:
    """A text as a literal tagged with its language (:func:`detect_language`)."""
    return Literal(text, lang=detect_language(text))


def iso_date(text: str) -> dt.date | None:
    """The date a ``YYYY-MM-DD`` text names; None for any other text or an impossible date.

    >>> iso_date("2020-10-22"), iso_date("2020-20-20"), iso_date("22/10/2020")
    (datetime.date(2020, 10, 22), None, None)
    """
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def new_graph() -> Graph:
    """An empty graph with the contract's prefixes."""
    g = Graph()
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri)
    return g


@dataclass
class Row:
    """A data row of a table with its file and line, for errors that name them."""

    path: Path
    line: int
    data: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.data.get(key, "")

    @property
    def id(self) -> str:
        """The row's ``id`` column (empty when the table has none)."""
        return self.data.get("id", "")

    def error(self, message: str) -> KgDataError:
        """A :class:`KgDataError` naming the file, the line and the row id."""
        prefix = f"Row {self.id}: " if self.id else ""
        return KgDataError(prefix + message, path=self.path, line=self.line)

    def decimal(self, column: str) -> Decimal | None:
        """The column as a number; None when empty.

        A comma is accepted only as a thousands separator (``1,421`` reads as 1421): Vietnamese
        pages write decimals with a comma ("68,80"), and reading that as 6880 would turn a
        score into a wrong number without a word, so the table must write "68.80".

        :raises KgDataError: the text is not a number, or has a comma that is no thousands
            separator.
        """
        raw = self[column].strip()
        if not raw:
            return None
        if "," in raw and not _THOUSANDS.fullmatch(raw):
            raise self.error(
                f"{column} {raw!r} has a comma that is no thousands separator: write a decimal "
                "with a point (68.80)."
            )
        try:
            return Decimal(raw.replace(",", ""))
        except InvalidOperation:
            raise self.error(f"{column} {raw!r} is not a number.") from None

    def integer(self, column: str) -> int | None:
        """The column as a whole number; None when empty.

        :raises KgDataError: the text is not a whole number.
        """
        value = self.decimal(column)
        if value is None:
            return None
        if value != value.to_integral_value():
            raise self.error(f"{column} {self[column]!r} is not a whole number.")
        return int(value)


def read_rows(path: Path, columns: tuple[str, ...]) -> Iterator[Row]:
    """Each data row of a CSV table, after checking that its header has ``columns``.

    :raises KgFileError: the file cannot be read.
    :raises KgDataError: the header lacks a column (line 1).
    """
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise KgFileError(f"Cannot read the table: {exc.strerror}.", path=path) from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise KgDataError(
                f"The header lacks the column(s) {', '.join(missing)}.", path=path, line=1
            )
        line = reader.line_num + 1
        for data in reader:
            yield Row(path, line, {k: (v or "").strip() for k, v in data.items() if k is not None})
            line = reader.line_num + 1


@dataclass
class Sources:
    """One ``cchc:Source`` per distinct URL, its IRI the slug of its title (or URL path)."""

    g: Graph
    by_url: dict[str, URIRef] = field(default_factory=dict)
    slugs: set[str] = field(default_factory=set)

    def get(self, url: str, title: str = "", date: str = "") -> URIRef:
        """The source node of ``url``, made (with its title and date) the first time."""
        if url in self.by_url:
            return self.by_url[url]
        base = slugify(title)[:60].strip("-") if title else _url_slug(url)
        slug = base
        for n in itertools.count(2):
            if slug not in self.slugs:
                break
            slug = f"{base}-{n}"
        self.slugs.add(slug)
        source = resource("source", slug)
        self.by_url[url] = source
        g = self.g
        g.add((source, RDF.type, CCHC.Source))
        g.add((source, SCHEMA.url, URIRef(url)))
        if title:
            g.add((source, SCHEMA.name, text_literal(title)))
            g.add((source, RDFS.label, text_literal(title)))
        else:
            # No label: another table may give the title, and a source has one label per language.
            note = "The reference data give this page's address, not its title."
            g.add((source, CCHC.note, Literal(note, lang="en")))
        if date:
            if (day := iso_date(date)) is not None:
                g.add((source, SCHEMA.datePublished, Literal(day, datatype=XSD.date)))
            else:
                note = f"Date as the reference data give it (not an ISO date): {date}"
                g.add((source, CCHC.note, Literal(note, lang="en")))
        return source


def _url_slug(url: str) -> str:
    """A slug from a URL's last path segment, without extension and trailing numeric id."""
    parts = urlsplit(url)
    segment = [s for s in parts.path.split("/") if s][-1] if parts.path.strip("/") else ""
    segment = re.sub(r"\.[a-z]+$", "", segment)
    segment = re.sub(r"-\d+$", "", segment)
    return slugify(segment or parts.netloc)[:60].strip("-")
