"""One text in, its candidate facts out: the extractors of each kind run over one analysis.

Kept apart from the draft writer so that the benchmark and the tests can look at the facts
before they are RDF, and from the command line so that the library does the whole job.
"""

from __future__ import annotations

import datetime

from kg.ingest.documents import documents
from kg.ingest.draft import Extraction, source_slug
from kg.ingest.events import changes, events
from kg.ingest.gazetteer import Gazetteer
from kg.ingest.memberships import memberships
from kg.ingest.mentions import analyse
from kg.ingest.observations import observations
from kg.ingest.text import SourceText

__all__ = ["extract"]


def extract(
    source: SourceText,
    gazetteer: Gazetteer,
    *,
    url: str | None = None,
    published: datetime.date | None = None,
    area: str | None = None,
) -> Extraction:
    """Every candidate fact of one text.

    :param source: the text (:func:`~kg.ingest.text.read_source`,
        :func:`~kg.ingest.text.source_from_text`).
    :param gazetteer: the graph's names (:meth:`Gazetteer.for_project`).
    :param url: the page's address (else the one the HTML gives, if any).
    :param published: the text's date (else the one the page prints, if any).
    :param area: the statistics-office code of the province a provincial paper writes "tỉnh" for.
    """
    analysis = analyse(source, gazetteer, published=published, area=area)
    address = url or source.url
    slug = source_slug(source.text, title=source.title, url=address, name=source.name)
    found = Extraction(analysis, slug, address)
    found.memberships = memberships(analysis)
    found.documents = documents(analysis)
    found.observations, found.rank_changes = observations(analysis)
    found.events = events(analysis)
    found.changes = changes(analysis)
    return found
