"""The candidate facts an ingested text yields, before they become RDF (:mod:`kg.ingest.draft`).

Each candidate keeps the sentence it came from (``quote``: character offsets into the text) and
says whether it is resolved. A candidate is *unresolved* when the text leaves out something the
fact needs (which province "tỉnh" is, the year of a value, the body a post belongs to): it stays
in the draft for a person to see, with the reason, and ``kg ingest --accept`` leaves it out of
the graph. A *new* agency (one the graph does not have) is resolved: it gets an IRI of its own
and the label the text gives it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from kg.ingest.gazetteer import Concept, DataSet, Unit

__all__ = [
    "Change",
    "Document",
    "Event",
    "Membership",
    "Observation",
    "OrgRef",
    "Person",
    "RankChange",
    "Span",
]


@dataclass(frozen=True)
class Span:
    """Where a piece of the text stands: character offsets into the NFC text."""

    start: int
    end: int


@dataclass
class OrgRef:
    """An organisation a text names: an agency of the graph, a new one, or one left unresolved.

    ``iri`` is the graph's agency, or the IRI minted for a new one (``new``); ``label`` is the
    name for a new agency (Vietnamese, completed with the province where the text leaves it
    implied, "Sở Nội vụ" → "Sở Nội vụ tỉnh Yên Bái"); ``written`` the words as the text has
    them; ``kinds`` our classes for a new agency; ``unresolved`` the reason it could not be
    pinned down.
    """

    iri: str
    written: str
    label: str = ""
    new: bool = False
    kinds: tuple[str, ...] = ()
    spatial: str | None = None
    parent: str | None = None
    unresolved: str | None = None
    mentions: list[Span] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        """The organisation is known (in the graph, or a new agency the text names fully)."""
        return self.unresolved is None


@dataclass
class Person:
    """A person a text names."""

    name: str
    span: Span


@dataclass
class Observation:
    """A value of an index (a ``qb:Observation``) the text states, or derives by wording."""

    dataset: DataSet
    area: Unit | str
    quote: Span
    year: int | None = None
    as_of: datetime.date | None = None
    rank: int | None = None
    rank_out_of: int | None = None
    rank_basis: str | None = None
    rank_words: str | None = None
    rank_description: str | None = None
    score: Decimal | None = None
    score_kind: str = "score"
    extra: list[Span] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    @property
    def area_iri(self) -> str:
        """The IRI of the area: a unit, or the country."""
        return self.area if isinstance(self.area, str) else self.area.iri


@dataclass
class RankChange:
    """A rank change the text states ("tăng 15 bậc so với năm 2015"), for the rule to use."""

    dataset: DataSet
    area: Unit
    from_year: int
    to_year: int
    places_up: int
    quote: Span
    words: Span


@dataclass
class Membership:
    """A post a person holds (or held: ``former``) in an organisation, as the text says."""

    person: Person
    title: str
    role: Concept | None
    organization: OrgRef | None
    quote: Span
    former: bool = False
    attested: datetime.date | None = None
    title_en: str | None = None
    unresolved: list[str] = field(default_factory=list)


@dataclass
class DocumentType:
    """A document type: a concept of the graph's scheme, or a new one the text names."""

    iri: str
    label_vi: str
    label_en: str | None
    new: bool = False


@dataclass
class Document:
    """A legal or administrative document the text names (by number, or by title)."""

    id_local: str | None
    title: str | None
    type: DocumentType | None
    quote: Span
    words: Span
    date: datetime.date | None = None
    date_written: str | None = None
    year: int | None = None
    issuer: OrgRef | None = None
    relation: str | None = None
    amends: str | None = None
    is_source: bool = False
    key: str = ""
    unresolved: list[str] = field(default_factory=list)


@dataclass
class Event:
    """A meeting the text reports (hội nghị, hội thảo, phiên họp)."""

    name: str
    kind: str
    quote: Span
    words: Span
    date: datetime.date | None = None
    date_written: str | None = None
    date_impossible: bool = False
    organizers: list[OrgRef] = field(default_factory=list)
    attendees: list[OrgRef | Person] = field(default_factory=list)
    location: Unit | None = None


@dataclass
class Change:
    """A change of organisation or of units the text reports as decided."""

    originals: list[Unit | OrgRef]
    resultings: list[Unit | OrgRef]
    quote: Span
    verb: str
    date: datetime.date | None = None
    basis: str | None = None
    unresolved: list[str] = field(default_factory=list)
