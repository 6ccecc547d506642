"""The candidate facts of a text as RDF: a draft dataset, one named graph per text.

The modelling is the founding article's (``data/article/``) and the vocabulary contract's:
the source is a ``schema:NewsArticle`` (a ``schema:CreativeWork`` for a legal text) and a
``cchc:Source``; every candidate node says ``prov:wasDerivedFrom`` the source and carries
``cchc:quote``, the exact sentence (NFC); and every candidate, and every mention of an agency,
gets a W3C Web Annotation (https://www.w3.org/TR/annotation-vocab/) whose target selects the
words in the source with a ``oa:TextQuoteSelector`` (the exact words, with a little context
before and after) and a ``oa:TextPositionSelector`` (character offsets into the NFC text), so a
reviewer can find each one. Agencies the text names are linked from the source with
``schema:mentions``. A candidate that the text leaves incomplete carries ``cchc:unresolved``
(the reason, in English) and is not accepted into the graph (:mod:`kg.ingest.accept`).

IRIs follow docs/vocabulary.md; those of claim nodes end in the source's slug, so two texts
never write on each other's nodes.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote as url_quote
from urllib.parse import urlsplit

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD

from kg.ingest.gazetteer import DataSet, Unit, bare_name
from kg.ingest.mentions import Analysis
from kg.ingest.model import (
    Change,
    Document,
    Event,
    Membership,
    Observation,
    OrgRef,
    Person,
    RankChange,
    Span,
)
from kg.ingest.observations import UNKNOWN_AREA
from kg.namespaces import CCHC, ELI, QB, SCHEMA, SDMX_DIMENSION, resource, slugify

__all__ = ["OA", "Extraction", "draft_triples", "source_slug", "to_graph"]

#: The W3C Web Annotation vocabulary.
OA = "http://www.w3.org/ns/oa#"
_OA_ANNOTATION = URIRef(OA + "Annotation")
_OA_TARGET = URIRef(OA + "hasTarget")
_OA_BODY = URIRef(OA + "hasBody")
_OA_SOURCE = URIRef(OA + "hasSource")
_OA_SELECTOR = URIRef(OA + "hasSelector")
_OA_SPECIFIC = URIRef(OA + "SpecificResource")
_OA_QUOTE = URIRef(OA + "TextQuoteSelector")
_OA_POSITION = URIRef(OA + "TextPositionSelector")
_OA_EXACT = URIRef(OA + "exact")
_OA_PREFIX = URIRef(OA + "prefix")
_OA_SUFFIX = URIRef(OA + "suffix")
_OA_START = URIRef(OA + "start")
_OA_END = URIRef(OA + "end")
_OA_MOTIVATED = URIRef(OA + "motivatedBy")
_OA_IDENTIFYING = URIRef(OA + "identifying")
_OA_DESCRIBING = URIRef(OA + "describing")

_CONTEXT = 32  # characters of context a quote selector keeps on each side


@dataclass
class Extraction:
    """What was read from one text: the analysis and the candidates of each kind."""

    analysis: Analysis
    slug: str
    url: str | None = None
    observations: list[Observation] = field(default_factory=list)
    rank_changes: list[RankChange] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


def source_slug(
    text: str, *, title: str | None = None, url: str | None = None, name: str | None = None
) -> str:
    """The slug of a source's IRI: a readable part (the title, else the last segment of the
    address, else the file's name) and six hexadecimal digits of a digest of the address (or
    of the text), so that two pages never share an IRI and the same page always gets the same.

    >>> source_slug("...", url="https://example.vn/tin/chi-so-cchc-2021.html")
    'chi-so-cchc-2021-4146c1'
    """
    readable = ""
    if title:
        readable = slugify(title)
    if not readable and url:
        path = urlsplit(url).path.rstrip("/")
        last = path.rsplit("/", 1)[-1]
        last = re.sub(r"\.(?:html?|aspx?|php|epi|vna|htm|ldo)$", "", last)
        readable = slugify(last)
    if not readable and name and name not in ("-", "<text>"):
        readable = slugify(Path(name).stem)
    readable = readable[:50].strip("-") or "text"
    digest = hashlib.sha256((url or text).encode("utf-8")).hexdigest()[:6]
    return f"{readable}-{digest}"


def _vi(text: str) -> Literal:
    return Literal(text, lang="vi")


def _en(text: str) -> Literal:
    return Literal(text, lang="en")


#: The Vietnamese of the reasons a candidate is left unresolved (the English is the code's).
_REASONS_VI: tuple[tuple[str, str], ...] = (
    (
        r"the text does not say which province's Party committee this is",
        "văn bản không nói đây là cấp ủy của tỉnh nào",
    ),
    (
        r"the text does not say which province's body this is",
        "văn bản không nói đây là cơ quan của tỉnh nào",
    ),
    (
        r"the text does not say which province this body serves",
        "văn bản không nói cơ quan này thuộc tỉnh nào",
    ),
    (r"several agencies of the graph bear this name", "đồ thị có nhiều cơ quan mang tên này"),
    (
        r"the text writes only 'tỉnh' and does not say which province \(give --area\)",
        "văn bản chỉ viết “tỉnh”, không nói tỉnh nào (dùng --area)",
    ),
    (
        r"the text gives no year for this value and no date of its own",
        "văn bản không cho biết năm của giá trị này và không có ngày đăng",
    ),
    (r"the text gives two ranks: (.+) and (.+)", r"văn bản cho hai thứ hạng: \1 và \2"),
    (r"the text gives two scores: (.+) and (.+)", r"văn bản cho hai điểm số: \1 và \2"),
)


def reason_vi(reason: str) -> str | None:
    """The Vietnamese of an unresolved candidate's reason, for a reviewer who reads Vietnamese.

    >>> reason_vi("the text gives two ranks: 3 and 5")
    'văn bản cho hai thứ hạng: 3 và 5'
    """
    for pattern, vi in _REASONS_VI:
        found = re.fullmatch(pattern, reason)
        if found is not None:
            return found.expand(vi)
    return None


def _decimal(value: Decimal) -> Literal:
    return Literal(value, datatype=XSD.decimal)


def _year(year: int) -> Literal:
    return Literal(f"{year:04d}", datatype=XSD.gYear)


def _date(day: datetime.date) -> Literal:
    return Literal(day.isoformat(), datatype=XSD.date)


def _area_code(area: Unit | str) -> str:
    if isinstance(area, Unit):
        return area.iri.split("/id/unit/", 1)[-1].replace("/", "-")
    return area.rsplit("/", 1)[-1]


def _area_name(area: Unit | str) -> str:
    if isinstance(area, Unit):
        return bare_name(area.name, area.kind)
    return "tỉnh (chưa rõ)" if area == UNKNOWN_AREA else "Việt Nam"


def _dataset_slug(ds: DataSet) -> str:
    return ds.iri.rsplit("/", 1)[-1]


def _score_text(value: Decimal) -> str:
    return format(value, "f").replace(".", ",")


class _Writer:
    """Adds the candidates of one text to a graph."""

    def __init__(self, x: Extraction) -> None:
        self.x = x
        self.a = x.analysis
        self.triples: list[tuple[URIRef | BNode, URIRef, URIRef | BNode | Literal]] = []
        self.source = resource("source", x.slug)
        self.annotations = 0
        self.persons: dict[str, URIRef] = {}
        self.orgs: dict[int, URIRef] = {}
        self.documents: dict[str, URIRef] = {}

    # -- helpers ------------------------------------------------------------------------------

    def add(self, s: URIRef | BNode, p: URIRef, o: URIRef | BNode | Literal) -> None:
        self.triples.append((s, p, o))

    def claim(self, node: URIRef, quote: Span, *extra: Span, words: Span | None = None) -> None:
        """The source, the quote and where it stands, on a candidate node."""
        self.add(node, PROV.wasDerivedFrom, self.source)
        for span in (quote, *extra):
            self.add(node, CCHC.quote, _vi(self.a.text[span.start : span.end]))
        self.annotate(node, words or quote, _OA_DESCRIBING)

    def annotate(self, body: URIRef, span: Span, motivation: URIRef) -> None:
        """A Web Annotation whose body is ``body`` and whose target is the words at ``span``."""
        self.annotations += 1
        text = self.a.text
        node = resource("annotation", f"{self.x.slug}-{self.annotations}")
        target, quote_sel, position = BNode(), BNode(), BNode()
        self.add(node, RDF.type, _OA_ANNOTATION)
        self.add(node, _OA_BODY, body)
        self.add(node, _OA_MOTIVATED, motivation)
        self.add(node, _OA_TARGET, target)
        self.add(target, RDF.type, _OA_SPECIFIC)
        self.add(target, _OA_SOURCE, self.source)
        self.add(target, _OA_SELECTOR, quote_sel)
        self.add(target, _OA_SELECTOR, position)
        self.add(quote_sel, RDF.type, _OA_QUOTE)
        self.add(quote_sel, _OA_EXACT, Literal(text[span.start : span.end]))
        self.add(quote_sel, _OA_PREFIX, Literal(text[max(0, span.start - _CONTEXT) : span.start]))
        self.add(quote_sel, _OA_SUFFIX, Literal(text[span.end : span.end + _CONTEXT]))
        self.add(position, RDF.type, _OA_POSITION)
        self.add(position, _OA_START, Literal(span.start))
        self.add(position, _OA_END, Literal(span.end))

    def unresolved(self, node: URIRef, reasons: Iterable[str]) -> None:
        for reason in dict.fromkeys(reasons):
            vi = reason_vi(reason)
            if vi is not None:
                self.add(node, CCHC.unresolved, _vi(vi))
            self.add(node, CCHC.unresolved, _en(reason))

    # -- the source ---------------------------------------------------------------------------

    def write_source(self, legal: bool) -> None:
        a, s = self.a, self.source
        for cls in (SCHEMA.CreativeWork,) if legal else (SCHEMA.NewsArticle, SCHEMA.CreativeWork):
            self.add(s, RDF.type, cls)
        self.add(s, RDF.type, CCHC.Source)
        title = a.source.title or _first_line(a.text)
        self.add(s, RDFS.label, _vi(title))
        if a.source.title:
            self.add(s, SCHEMA.headline, _vi(a.source.title))
        if self.x.url:
            self.add(s, SCHEMA.url, URIRef(url_quote(self.x.url, safe=":/?#[]@!$&'()*+,;=%~")))
        if a.published is not None:
            self.add(s, SCHEMA.datePublished, _date(a.published))
        self.add(s, SCHEMA.inLanguage, Literal("vi"))

    # -- organisations and people -------------------------------------------------------------

    def org(self, ref: OrgRef) -> URIRef:
        """The IRI of an organisation the text names; a new one is described in the draft."""
        known = self.orgs.get(id(ref))
        if known is not None:
            return known
        if ref.iri:
            iri = URIRef(ref.iri)
        else:
            iri = resource("agency", f"unresolved-{self.x.slug}-{slugify(ref.written)[:40]}")
        self.orgs[id(ref)] = iri
        if ref.new or not ref.resolved:
            self.add(iri, RDF.type, CCHC.Agency)
            self.add(iri, RDF.type, ORG.FormalOrganization)
            self.add(iri, RDF.type, ORG.Organization)
            for kind in ref.kinds:
                self.add(iri, RDF.type, CCHC[kind])
            label = ref.label or ref.written
            self.add(iri, RDFS.label, _vi(_tidy(label)))
            if ref.written and _tidy(ref.written) != _tidy(label):
                self.add(iri, SKOS.altLabel, _vi(_tidy(ref.written)))
            if ref.spatial:
                self.add(iri, DCTERMS.spatial, URIRef(ref.spatial))
            if ref.parent:
                self.add(iri, ORG.subOrganizationOf, URIRef(ref.parent))
            first = ref.mentions[0] if ref.mentions else None
            if first is not None:
                self.add(iri, PROV.wasDerivedFrom, self.source)
                self.add(
                    iri,
                    CCHC.quote,
                    _vi(
                        self.a.text[
                            _sentence_of(self.a, first).start : _sentence_of(self.a, first).end
                        ]
                    ),
                )
            if not ref.resolved:
                self.unresolved(iri, [ref.unresolved or "unresolved"])
        for span in ref.mentions:
            self.annotate(iri, span, _OA_IDENTIFYING)
        if ref.resolved and ref.mentions:
            self.add(self.source, SCHEMA.mentions, iri)
        return iri

    def person(self, person: Person) -> URIRef:
        iri = self.persons.get(person.name)
        if iri is not None:
            return iri
        iri = resource("person", slugify(person.name))
        self.persons[person.name] = iri
        self.add(iri, RDF.type, FOAF.Person)
        self.add(iri, RDF.type, SCHEMA.Person)
        self.add(iri, FOAF.name, Literal(person.name))
        self.add(iri, RDFS.label, _vi(person.name))
        self.add(iri, RDFS.label, _en(person.name))
        self.annotate(iri, person.span, _OA_IDENTIFYING)
        return iri

    # -- facts ----------------------------------------------------------------------------------

    def observation(self, o: Observation) -> None:
        when = (
            str(o.year)
            if o.year is not None
            else (f"asof-{o.as_of.isoformat()}" if o.as_of else "undated")
        )
        alone = (
            o.rank_description is not None and o.rank is None and o.score is None and o.year is None
        )
        node = resource(
            "observation",
            f"{_dataset_slug(o.dataset)}-{_area_code(o.area)}-{when}-{self.x.slug}"
            + ("-rank" if alone else ""),
        )
        self.add(node, RDF.type, CCHC.IndexObservation)
        self.add(node, RDF.type, QB.Observation)
        self.add(node, QB.dataSet, URIRef(o.dataset.iri))
        if o.area_iri != UNKNOWN_AREA:
            self.add(node, SDMX_DIMENSION.refArea, URIRef(o.area_iri))
        if o.year is not None:
            self.add(node, SDMX_DIMENSION.refPeriod, _year(o.year))
        elif o.as_of is not None:
            self.add(node, CCHC.asOf, _date(o.as_of))
        parts_vi, parts_en = [], []
        if o.rank is not None:
            self.add(node, CCHC.rank, Literal(o.rank))
            of = f"/{o.rank_out_of}" if o.rank_out_of else ""
            parts_vi.append(f"thứ {o.rank}{of}")
            parts_en.append(f"rank {o.rank}" + (f" of {o.rank_out_of}" if o.rank_out_of else ""))
        if o.rank_out_of is not None:
            self.add(node, CCHC.rankOutOf, Literal(o.rank_out_of))
        if o.rank_basis is not None:
            self.add(node, CCHC.rankBasis, resource("rank-basis", o.rank_basis))
        if o.rank_basis == "inferred" and o.rank_words:
            self.add(node, CCHC.rankDescription, _vi(o.rank_words))
        if o.rank_description:
            self.add(node, CCHC.rankDescription, _vi(o.rank_description))
            parts_vi.append(o.rank_description)
            parts_en.append(f"“{o.rank_description}”")
        if o.score is not None:
            prop = {"mean": CCHC.meanScore, "lower": CCHC.scoreLowerBound}.get(
                o.score_kind, CCHC.score
            )
            self.add(node, prop, _decimal(o.score))
            text = _score_text(o.score)
            parts_vi.append(
                (
                    "trên "
                    if o.score_kind == "lower"
                    else "trung bình "
                    if o.score_kind == "mean"
                    else ""
                )
                + text
            )
            parts_en.append(
                (
                    "above "
                    if o.score_kind == "lower"
                    else "mean "
                    if o.score_kind == "mean"
                    else "score "
                )
                + format(o.score, "f")
            )
        area = _area_name(o.area)
        period_vi = str(o.year) if o.year is not None else "(không rõ năm)"
        period_en = str(o.year) if o.year is not None else "(no year given)"
        self.add(
            node,
            RDFS.label,
            _vi(f"{o.dataset.label} {period_vi} của {area}: {', '.join(parts_vi)} (theo nguồn)"),
        )
        self.add(
            node,
            RDFS.label,
            _en(f"{area} {o.dataset.label} {period_en}: {', '.join(parts_en)} (per the source)"),
        )
        self.claim(node, o.quote, *o.extra)
        if o.year is None and o.as_of is not None:
            self.add(
                node,
                CCHC.note,
                _en("The text gives no year for this value; it speaks as of the text's date."),
            )
        self.unresolved(node, o.unresolved)

    def rank_change(self, c: RankChange) -> None:
        node = resource(
            "rank-change",
            f"{_dataset_slug(c.dataset)}-{_area_code(c.area)}-{c.from_year}-{c.to_year}-{self.x.slug}",
        )
        self.add(node, RDF.type, CCHC.RankChange)
        self.add(node, RDF.type, PROV.Entity)
        self.add(node, CCHC["index"], URIRef(c.dataset.indicator))
        self.add(node, CCHC.area, URIRef(c.area.iri))
        self.add(node, CCHC.fromPeriod, _year(c.from_year))
        self.add(node, CCHC.toPeriod, _year(c.to_year))
        self.add(node, CCHC.placesUp, Literal(c.places_up))
        area = bare_name(c.area.name, c.area.kind)
        verb_vi = "tăng" if c.places_up >= 0 else "giảm"
        verb_en = "up" if c.places_up >= 0 else "down"
        n = abs(c.places_up)
        self.add(
            node,
            RDFS.label,
            _vi(f"{c.dataset.label} của {area} {verb_vi} {n} bậc so với năm {c.from_year}"),
        )
        self.add(
            node,
            RDFS.label,
            _en(f"{area}'s {c.dataset.label} rank {verb_en} {n} places since {c.from_year}"),
        )
        self.claim(node, c.quote, words=c.words)

    def membership(self, m: Membership) -> None:
        person = self.person(m.person)
        org = self.org(m.organization) if m.organization is not None else None
        role = self.role(m)
        org_slug = str(org).split("/id/agency/", 1)[-1].replace("/", "-") if org else "unknown"
        node = resource(
            "membership",
            f"{slugify(m.person.name)}-{str(role).rsplit('/', 1)[-1]}-{org_slug}"
            + ("-former" if m.former else ""),
        )
        self.add(node, RDF.type, ORG.Membership)
        self.add(node, RDF.type, PROV.Entity)
        self.add(node, ORG.member, person)
        self.add(node, ORG.role, role)
        self.add(person, ORG.hasMembership, node)
        org_name = ""
        if org is not None and m.organization is not None:
            self.add(node, ORG.organization, org)
            org_name = _tidy(m.organization.label or m.organization.written)
            if not m.organization.new and m.organization.resolved:
                org_name = self.a.gazetteer.label(str(org)) or org_name
        post = _post(m.title, org_name)
        prefix = "nguyên " if m.former else ""
        self.add(node, RDFS.label, _vi(f"{m.person.name}, {prefix}{post}"))
        if m.former:
            self.add(
                node,
                CCHC.note,
                _en(
                    "“Nguyên”: a post the person held before the text's date; "
                    "the text does not say when it ended."
                ),
            )
        elif m.attested is not None:
            self.add(node, CCHC.attestedOn, _date(m.attested))
        self.claim(node, m.quote)
        self.unresolved(node, m.unresolved)

    def role(self, m: Membership) -> URIRef:
        if m.role is not None:
            return URIRef(m.role.iri)
        iri = resource("role", slugify(m.title))
        self.add(iri, RDF.type, SKOS.Concept)
        self.add(iri, RDF.type, CCHC.Role)
        self.add(iri, RDF.type, ORG.Role)
        self.add(iri, SKOS.inScheme, resource("scheme", "roles"))
        self.add(iri, RDFS.label, _vi(m.title))
        self.add(iri, SKOS.prefLabel, _vi(m.title))
        english = m.title_en
        if english is not None:
            self.add(iri, RDFS.label, _en(english))
            self.add(iri, SKOS.prefLabel, _en(english))
        return iri

    def document_iri(self, doc: Document) -> URIRef:
        from kg.ingest.documents import document_slug

        iri = self.documents.get(doc.key)
        if iri is None:
            iri = resource("document", document_slug(doc, self.a))
            self.documents[doc.key] = iri
        return iri

    def document(self, doc: Document, source_doc: URIRef | None) -> None:
        node = self.document_iri(doc)
        self.add(node, RDF.type, ELI.LegalResource)
        self.add(node, RDF.type, PROV.Entity)
        type_label_vi = doc.type.label_vi if doc.type else "Văn bản"
        type_label_en = (doc.type.label_en if doc.type else None) or "Document"
        if doc.id_local:
            self.add(node, RDF.type, CCHC.LegalDocument)
            self.add(node, ELI.id_local, Literal(doc.id_local))
            self.add(node, RDFS.label, _vi(f"{type_label_vi} {doc.id_local}"))
            self.add(node, RDFS.label, _en(f"{type_label_en} {doc.id_local}"))
        else:
            title = _tidy(doc.title or "")
            self.add(node, RDFS.label, _vi(title))
        if doc.title:
            self.add(node, ELI.title, _vi(_tidy(doc.title)))
        if doc.type is not None:
            self.add(node, ELI.type_document, URIRef(doc.type.iri))
            if doc.type.new:
                t = URIRef(doc.type.iri)
                self.add(t, RDF.type, SKOS.Concept)
                self.add(t, SKOS.inScheme, resource("scheme", "document-types"))
                self.add(t, RDFS.label, _vi(doc.type.label_vi))
                self.add(t, SKOS.prefLabel, _vi(doc.type.label_vi))
                if doc.type.label_en:
                    self.add(t, RDFS.label, _en(doc.type.label_en))
                    self.add(t, SKOS.prefLabel, _en(doc.type.label_en))
        if doc.date is not None:
            self.add(node, ELI.date_document, _date(doc.date))
        elif doc.date_written:
            self.add(
                node,
                CCHC.note,
                _en(
                    f"The text dates it “{_tidy(doc.date_written)}”, which is no full date; "
                    "no eli:date_document is given."
                ),
            )
        if doc.issuer is not None:
            issuer = self.org(doc.issuer)
            if doc.issuer.resolved:
                self.add(node, ELI.passed_by, issuer)
        if doc.amends:
            for other in self.x.documents:
                if other.key == doc.amends:
                    self.add(node, ELI.amends, self.document_iri(other))
        if doc.is_source:
            self.add(self.source, SCHEMA.mainEntity, node)
        elif source_doc is not None:
            self.add(source_doc, ELI.based_on if doc.relation == "based_on" else ELI.cites, node)
        else:
            self.add(self.source, SCHEMA.mentions, node)
        self.claim(node, doc.quote, words=doc.words)
        self.unresolved(node, doc.unresolved)

    def event(self, e: Event, n: int) -> None:
        node = resource("event", f"{self.x.slug}-{n}")
        self.add(node, RDF.type, SCHEMA.Event)
        self.add(node, RDF.type, PROV.Entity)
        if e.kind == "hoi-thao":
            self.add(node, RDF.type, CCHC.Workshop)
        name = _tidy(e.name)
        self.add(node, SCHEMA.name, _vi(name))
        self.add(node, RDFS.label, _vi(name))
        if e.date is not None:
            self.add(node, SCHEMA.startDate, _date(e.date))
        elif e.date_written:
            self.add(node, CCHC.dateAsWritten, Literal(_tidy(e.date_written)))
            if e.date_impossible:
                self.add(
                    node,
                    CCHC.dataIssue,
                    _en(
                        f"The text dates the event “{_tidy(e.date_written)}”, which is no date; "
                        "it is kept as written and no schema:startDate is given."
                    ),
                )
            else:
                self.add(
                    node,
                    CCHC.note,
                    _en(
                        f"The text dates the event “{_tidy(e.date_written)}” without a year; "
                        "no schema:startDate is given."
                    ),
                )
        for org in e.organizers:
            self.add(node, SCHEMA.organizer, self.org(org))
        for who in e.attendees:
            if isinstance(who, Person):
                self.add(node, SCHEMA.attendee, self.person(who))
            elif who.resolved:
                self.add(node, SCHEMA.attendee, self.org(who))
        if e.location is not None:
            self.add(node, SCHEMA.location, URIRef(e.location.iri))
        self.claim(node, e.quote, words=e.words)

    def _changed(
        self, node: URIRef, things: list[Unit | OrgRef], unit_prop: URIRef, org_prop: URIRef
    ) -> list[str]:
        """The units (``prov:used`` / ``prov:generated``) or bodies (those and the ``org:``
        terms) on one side of a change; their names, for its label."""
        names = []
        for thing in things:
            if isinstance(thing, Unit):
                self.add(node, unit_prop, URIRef(thing.iri))
                names.append(thing.name)
            else:
                iri = self.org(thing)
                self.add(node, unit_prop, iri)
                self.add(node, org_prop, iri)
                names.append(_tidy(thing.label or thing.written))
        return names

    def change(self, c: Change, n: int, basis: URIRef | None) -> None:
        node = resource("change", f"{self.x.slug}-{n}")
        self.add(node, RDF.type, CCHC.ChangeEvent)
        self.add(node, RDF.type, ORG.ChangeEvent)
        self.add(node, RDF.type, PROV.Activity)
        names_from = self._changed(node, c.originals, PROV.used, ORG.originalOrganization)
        names_to = self._changed(node, c.resultings, PROV.generated, ORG.resultingOrganization)
        before, after = ", ".join(names_from), ", ".join(names_to)
        if c.verb.startswith("thành lập"):
            label = f"Thành lập {after} trên cơ sở {before}"
        else:
            label = f"{c.verb[:1].upper()}{c.verb[1:]} {before} thành {after}"
        self.add(node, RDFS.label, _vi(label))
        self.add(
            node, RDFS.label, _en(f"{', '.join(names_to)} formed from {', '.join(names_from)}")
        )
        if c.date is not None:
            self.add(node, DCTERMS.date, _date(c.date))
        if basis is not None:
            self.add(node, DCTERMS.source, basis)
        self.claim(node, c.quote)
        self.unresolved(node, c.unresolved)


def _post(title: str, body: str) -> str:
    """A title and its body as Vietnamese writes them: "Trưởng ban" + "Ban Chỉ đạo ..." is
    "Trưởng Ban Chỉ đạo ...", the body's head noun said once.

    >>> _post("Trưởng ban", "Ban Dân vận Trung ương"), _post("Bộ trưởng", "Bộ Nội vụ")
    ('Trưởng Ban Dân vận Trung ương', 'Bộ trưởng Bộ Nội vụ')
    """
    if not body:
        return title
    last, first = title.split()[-1], body.split()[0]
    if len(title.split()) > 1 and last.lower() == first.lower():
        return f"{' '.join(title.split()[:-1])} {body}"
    return f"{title} {body}"


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if len(line.split()) >= 3 and not re.fullmatch(r"[\d/:\s.,|-]+", line):
            return line[:200]
    return text.strip()[:200] or "Văn bản"


def _tidy(text: str) -> str:
    """One line with single spaces: a label never keeps the line breaks of a legal text."""
    return " ".join(text.split())


def _sentence_of(a: Analysis, span: Span) -> Span:
    for s in a.sentences:
        if s.start <= span.start < s.end:
            return Span(s.start, s.end)
    return span


def to_graph(x: Extraction) -> Graph:
    """The draft graph of one text's candidates."""
    graph = Graph()
    for triple in draft_triples(x):
        graph.add(triple)
    return graph


def draft_triples(x: Extraction) -> list[tuple[URIRef | BNode, URIRef, URIRef | BNode | Literal]]:
    """The triples of :func:`to_graph`, for a store to take at once."""
    w = _Writer(x)
    source_doc = next((d for d in x.documents if d.is_source), None)
    w.write_source(legal=source_doc is not None)
    for o in x.observations:
        w.observation(o)
    for c in x.rank_changes:
        w.rank_change(c)
    for m in x.memberships:
        w.membership(m)
    source_iri = w.document_iri(source_doc) if source_doc is not None else None
    for d in x.documents:
        w.document(d, source_iri)
    for n, e in enumerate(x.events, start=1):
        w.event(e, n)
    basis = None
    decisions = [d for d in x.documents if not d.is_source]
    if len(decisions) == 1:
        basis = w.document_iri(decisions[0])
    for n, c in enumerate(x.changes, start=1):
        w.change(c, n, basis)
    for ref in x.analysis.all_orgs():
        if ref.mentions:
            w.org(ref)
    return list(dict.fromkeys(w.triples))
