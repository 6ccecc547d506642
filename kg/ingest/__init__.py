"""Grow the graph from Vietnamese texts: every candidate fact with its quote (``kg ingest``).

A text (plain, or an HTML page saved to disk) is read into a *draft*: an RDF dataset with one
named graph per text, ``graph:ingested/{source slug}``, holding the source and the candidate
facts it states, modelled as the founding article is (``data/article/``): index values
(``qb:Observation``) and rank changes, posts held (``org:Membership``), documents
(``eli:LegalResource``), the agencies named (the graph's own, or new ones), events and changes of
organisation. Each candidate carries its sentence (``cchc:quote``) and where it stands in the
text (W3C Web Annotation selectors). A person reviews the draft, then accepts it: it becomes a
file of ``data/ingested/`` that the next ``kg build`` reads like any other, minus the candidates
the text left unresolved::

    import kg
    draft = kg.ingest("Năm 2021, chỉ số PCI của tỉnh Quảng Ninh đạt 73,02 điểm, xếp thứ 1/63.")
    kg.serialize(draft, "trig")                     # the draft, as kg ingest -o writes it

The extractor is rules and a gazetteer read from the graph itself (:mod:`kg.ingest.gazetteer`):
no model to download, every decision explainable by the words it rests on.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from pathlib import Path

from kg.errors import KgFileError, KgUsageError
from kg.graph import KnowledgeGraph
from kg.ingest.accept import accept
from kg.ingest.draft import Extraction, draft_triples
from kg.ingest.extract import extract
from kg.ingest.gazetteer import Gazetteer
from kg.ingest.numbers import parse_date
from kg.ingest.review import Candidate, review
from kg.ingest.text import TEXT_SUFFIXES, SourceText, read_source, source_from_text

__all__ = [
    "Candidate",
    "Extraction",
    "Gazetteer",
    "accept",
    "draft_graph",
    "ingest",
    "ingest_paths",
    "review",
]


def _date(value: datetime.date | str | None) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    day = parse_date(value)
    if day is None:
        raise KgUsageError(f"not a date: {value!r}; write it as 2020-10-22 or 22/10/2020")
    return day


def draft_graph(extractions: Iterable[Extraction]) -> KnowledgeGraph:
    """The draft dataset of some texts' candidates: one named graph per text."""
    draft = KnowledgeGraph()
    for x in extractions:
        draft.add(f"ingested/{x.slug}", draft_triples(x))
    return draft


def ingest(
    text: str,
    *,
    url: str | None = None,
    published: datetime.date | str | None = None,
    area: str | None = None,
    html: bool | None = None,
    gazetteer: Gazetteer | None = None,
    root: str | Path | None = None,
) -> KnowledgeGraph:
    """Read a Vietnamese text into a draft dataset of candidate facts.

    :param text: the text, or the HTML of a page (``html`` None: seen from its first bytes).
    :param url: the page's address (``schema:url`` of the source).
    :param published: the text's date (a date, or "2020-10-22", "22/10/2020"); else the date
        the page prints, if it prints one.
    :param area: the statistics-office code of the home province, for a provincial paper that
        writes only "tỉnh".
    :param gazetteer: the names to match (:meth:`Gazetteer.for_project` of ``root`` when None).
    :param root: the project folder whose graph the names come from.
    :returns: the draft: one named graph ``graph:ingested/{slug}``.
    :raises KgUsageError: ``published`` is not a date.
    :raises KgParseError: the HTML page has no article text.
    """
    source = source_from_text(text, html=html)
    names = gazetteer or Gazetteer.for_project(root)
    found = extract(source, names, url=url, published=_date(published), area=area)
    return draft_graph([found])


def _files(path: Path) -> list[Path]:
    if str(path) != "-" and path.is_dir():
        found = sorted(
            p for p in path.iterdir() if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES
        )
        if not found:
            raise KgFileError(
                f"no text or HTML file ({', '.join(TEXT_SUFFIXES)}) in this folder", path=path
            )
        return found
    return [path]


def ingest_paths(
    paths: Sequence[str | Path],
    *,
    url: str | None = None,
    published: datetime.date | str | None = None,
    area: str | None = None,
    gazetteer: Gazetteer | None = None,
    root: str | Path | None = None,
) -> KnowledgeGraph:
    """Read files (a folder: its text and HTML files; ``-``: standard input) into one draft.

    Every file is read before anything is returned, so a bad file stops the whole run with an
    error naming it and no draft half made.

    :raises KgFileError: a file is missing, a folder holds no text.
    :raises KgParseError: a file is empty, binary, not UTF-8, or an HTML page without text.
    :raises KgUsageError: ``url`` given for several files, or ``published`` not a date.
    """
    files = [f for p in paths for f in _files(Path(p))]
    if url is not None and len(files) > 1:
        raise KgUsageError("--url names one page: give it with one file, not several")
    sources: list[SourceText] = [read_source(f) for f in files]
    names = gazetteer or Gazetteer.for_project(root)
    day = _date(published)
    return draft_graph(extract(s, names, url=url, published=day, area=area) for s in sources)
