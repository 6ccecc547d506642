"""Reference facts (data/reference/*.csv) into RDF, each row a claim with its own source.

``facts.csv`` holds facts from published pages other than the founding article: index scores and
ranks, legal documents, posts held, the publishers of the indices. ``provinces-2025.csv`` holds
which of the 63 provinces of 2020 each of the 34 provinces of 1 July 2025 was formed from. Every
row becomes at least one node that carries ``prov:wasDerivedFrom`` its source, the words of the
source (``cchc:quote``), the editor's note and the row id (``dct:identifier``), so that two
sources that disagree stay two claims, linked by ``cchc:conflictsWith``.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, TIME, XSD

from kg.errors import KgDataError, KgFileError
from kg.importers.units import UnitRow, name_key, province_names, unit_iri
from kg.namespaces import (
    CCHC,
    ELI,
    ORG,
    PREFIXES,
    QB,
    SCHEMA,
    SDMX_DIMENSION,
    fold,
    resource,
    slugify,
)

__all__ = ["detect_language", "load_facts", "load_provinces_2025"]

FACT_COLUMNS = (
    "id",
    "subject",
    "indicator",
    "year",
    "value",
    "unit",
    "rank",
    "rank_out_of",
    "rank_basis",
    "claim_text",
    "source_url",
    "source_title",
    "source_date",
    "note",
)
PROVINCE_COLUMNS = ("new_province", "old_provinces", "source_url")

#: Indicator column → (data set slug, what the value measures). Data set IRIs are
#: ``id:dataset/{slug}`` and index IRIs ``id:index/{slug}`` (data/indices.ttl defines them).
INDICATORS: dict[str, tuple[str, str]] = {
    "par index": ("par-index", "score"),
    "par index average": ("par-index", "mean"),
    "pci": ("pci", "score"),
    "pci rank": ("pci", "score"),
    "sipas": ("sipas", "score"),
    "sipas average": ("sipas", "mean"),
    "papi": ("papi", "score"),
    "vietnam ict index": ("ict-index", "score"),
    "vietnam ict index - it industry sub-index": ("ict-index-it-industry", "score"),
    "administrative procedures online at level 3-4": ("online-procedures-level-3-4", "count"),
    "administrative procedures online at level 4": ("online-procedures-level-4", "count"),
}

NATION = resource("place", "viet-nam")
UBND_HA_NOI = resource("agency", "ubnd-thanh-pho-ha-noi")
CHINH_PHU = resource("agency", "chinh-phu")
QUOC_HOI = resource("agency", "quoc-hoi")
RESOLUTION_202 = resource("document", "202-2025-qh15")
#: The first day of the 2025 units; the same instant begins their valid time (units.py).
REFORM_INSTANT = resource("instant", "unit-list-2025-begin")

#: Agencies this file names, with the classes and labels it states for them. Keyed by a
#: lower-case fragment of the publisher text ("Ministry of Home Affairs").
_AGENCIES: dict[str, tuple[str, tuple[URIRef, ...], str | None, str, str | None]] = {
    # key: (slug, our classes, label vi, label en, abbreviation)
    "home affairs": ("bo-noi-vu", (CCHC.Ministry,), "Bộ Nội vụ", "Ministry of Home Affairs", None),
    "vcci": (
        "vcci",
        (),
        "Phòng Thương mại và Công nghiệp Việt Nam",
        "Vietnam Chamber of Commerce and Industry",
        "VCCI",
    ),
    "cecodes": (
        "cecodes",
        (CCHC.ResearchOrganisation,),
        "Trung tâm Nghiên cứu Phát triển và Hỗ trợ Cộng đồng",
        "Centre for Community Support Development Studies",
        "CECODES",
    ),
    "vff-crt": (
        "vff-crt",
        (CCHC.ResearchOrganisation,),
        "Trung tâm Bồi dưỡng cán bộ và Nghiên cứu khoa học Mặt trận Tổ quốc Việt Nam",
        "Centre for Research and Training of the Viet Nam Fatherland Front",
        "VFF-CRT",
    ),
    # A proper name, used as it is in Vietnamese too.
    "rta": (
        "rta",
        (CCHC.ResearchOrganisation,),
        "Real-Time Analytics",
        "Real-Time Analytics",
        "RTA",
    ),
    "undp": (
        "undp",
        (),
        "Chương trình Phát triển Liên Hợp Quốc",
        "United Nations Development Programme",
        "UNDP",
    ),
    "information and communications": (
        "bo-thong-tin-va-truyen-thong",
        (CCHC.Ministry,),
        "Bộ Thông tin và Truyền thông",
        "Ministry of Information and Communications",
        "MIC",
    ),
    "vaip": (
        "hoi-tin-hoc-viet-nam",
        (),
        "Hội Tin học Việt Nam",
        "Vietnam Association for Information Processing",
        "VAIP",
    ),
}

#: A note that reports another source's figure: "CONFLICT: <url> gives <name> 44.66 (3rd)".
_NOTE_CLAIM = re.compile(
    r"CONFLICT: (?P<url>https?://\S+) gives (?P<who>.+?) (?P<value>\d+(?:\.\d+)?) "
    r"\((?P<rank>\d+)(?:st|nd|rd|th)\)"
)


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


def _lit(text: str) -> Literal:
    return Literal(text, lang=detect_language(text))


def _iso_date(text: str) -> dt.date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _read(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (1-based line, row) for each data row after checking the header."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise KgFileError(f"Cannot read the reference file: {exc.strerror}.", path=path) from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise KgDataError(
                f"The header lacks the column(s) {', '.join(missing)}.", path=path, line=1
            )
        line = reader.line_num + 1
        for row in reader:
            yield line, {k: (v or "").strip() for k, v in row.items() if k is not None}
            line = reader.line_num + 1


def _new_graph() -> Graph:
    g = Graph()
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri)
    return g


@dataclass
class _Sources:
    """One ``cchc:Source`` per distinct URL, its IRI the slug of its title (or URL path)."""

    g: Graph
    by_url: dict[str, URIRef] = field(default_factory=dict)
    slugs: set[str] = field(default_factory=set)

    def get(self, url: str, title: str = "", date: str = "") -> URIRef:
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
        g.add((source, RDF.type, SCHEMA.CreativeWork))
        g.add((source, SCHEMA.url, URIRef(url)))
        if title:
            g.add((source, SCHEMA.name, _lit(title)))
            g.add((source, RDFS.label, _lit(title)))
        else:
            parts = urlsplit(url)
            g.add((source, RDFS.label, Literal(f"{parts.netloc}{parts.path}", lang="en")))
            g.add(
                (
                    source,
                    CCHC.note,
                    Literal("The reference data give this page's address, not its title.", "en"),
                )
            )
        if date:
            if (day := _iso_date(date)) is not None:
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


@dataclass
class _Row:
    """A row of facts.csv with its line, for errors that name it."""

    path: Path
    line: int
    data: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.data[key]

    @property
    def id(self) -> str:
        return self.data["id"]

    def error(self, message: str) -> KgDataError:
        return KgDataError(f"Row {self.id or '(no id)'}: {message}", path=self.path, line=self.line)

    def decimal(self, column: str) -> Decimal | None:
        text = self.data[column].replace(",", "")
        if not text:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            raise self.error(f"{column} {self.data[column]!r} is not a number.") from None

    def integer(self, column: str) -> int | None:
        value = self.decimal(column)
        if value is None:
            return None
        if value != value.to_integral_value():
            raise self.error(f"{column} {self.data[column]!r} is not a whole number.")
        return int(value)


class _FactsLoader:
    """Maps the rows of facts.csv; one method per kind of row."""

    def __init__(self, path: Path, provinces: dict[str, UnitRow]) -> None:
        self.path = path
        self.provinces = provinces
        self.g = _new_graph()
        self.sources = _Sources(self.g)
        # (data set, area, year) → [(observation, measure, value)], for conflicts.
        self.measures: dict[tuple[str, str, str], list[tuple[URIRef, str, Decimal | int]]] = {}
        self.agencies_done: set[str] = set()

    # ---- the rows -------------------------------------------------------------------------

    def load(self) -> Graph:
        seen: dict[str, int] = {}
        for line, data in _read(self.path, FACT_COLUMNS):
            row = _Row(self.path, line, data)
            if not row.id:
                raise row.error("the row has no id.")
            if row.id in seen:
                raise row.error(f"the id is used twice (first on line {seen[row.id]}).")
            seen[row.id] = line
            if not row["source_url"]:
                raise row.error("the row has no source_url; every fact needs its source.")
            source = self.sources.get(row["source_url"], row["source_title"], row["source_date"])
            self._dispatch(row)(row, source)
        self._conflicts()
        return self.g

    def _dispatch(self, row: _Row) -> Callable[[_Row, URIRef], None]:
        indicator = row["indicator"].lower()
        if indicator in INDICATORS:
            return self._index_row
        if indicator == "publisher":
            return self._publisher_row
        if row["subject"].startswith("Resolution "):
            return self._document_row
        for pattern, handler in self._people_rows():
            if re.search(pattern, row["indicator"], flags=re.IGNORECASE):
                return handler
        raise row.error(
            f"no mapping for the indicator {row['indicator']!r} of {row['subject']!r}; "
            "add one to kg/importers/reference.py."
        )

    # ---- index observations ---------------------------------------------------------------

    def _area(self, row: _Row) -> tuple[str, URIRef, str]:
        subject = row["subject"]
        if fold(subject).lower().startswith("vietnam"):
            if (NATION, RDF.type, SCHEMA.Country) not in self.g:
                self.g.add((NATION, RDF.type, SCHEMA.Country))
                self.g.add((NATION, RDFS.label, Literal("Việt Nam", lang="vi")))
                self.g.add((NATION, RDFS.label, Literal("Vietnam", lang="en")))
            return "viet-nam", NATION, "Việt Nam"
        unit = self.provinces.get(name_key(subject))
        if unit is None:
            raise row.error(f"the province {subject!r} is not in the 2020 units list.")
        return unit.code, unit_iri(unit.code, "2020"), unit.name

    def _index_row(self, row: _Row, source: URIRef) -> None:
        dataset, measure = INDICATORS[row["indicator"].lower()]
        year = row["year"]
        if not re.fullmatch(r"\d{4}", year):
            raise row.error(f"the year {year!r} is not a year.")
        code, area, area_name = self._area(row)
        obs = resource("observation", f"{dataset}-{code}-{year}-{row.id.lower()}")
        label = f"{row['indicator']} {year}, {area_name}"
        self._observation(obs, dataset, area, year, label)
        g = self.g
        self._claim_common(obs, row, source)
        key = (dataset, str(area), year)
        value = row.decimal("value")
        if value is not None:
            if measure == "count":
                g.add((obs, CCHC["count"], Literal(int(value))))
                if m := re.search(r"\(of (\d+)\)", row["unit"]):
                    g.add((obs, CCHC.countOutOf, Literal(int(m[1]))))
            else:
                prop = CCHC.meanScore if measure == "mean" else CCHC.score
                g.add((obs, prop, Literal(value, datatype=XSD.decimal)))
                self.measures.setdefault(key, []).append((obs, measure, value))
        self._rank(row, obs, source, dataset, area, year, label, key)
        if m := _NOTE_CLAIM.search(row["note"]):
            self._note_claim(row, m, obs, dataset, code, area, year, label, key)

    def _observation(self, obs: URIRef, dataset: str, area: URIRef, year: str, label: str) -> None:
        g = self.g
        g.add((obs, RDF.type, CCHC.IndexObservation))
        g.add((obs, RDF.type, QB.Observation))
        g.add((obs, QB.dataSet, resource("dataset", dataset)))
        g.add((obs, SDMX_DIMENSION.refArea, area))
        g.add((obs, SDMX_DIMENSION.refPeriod, Literal(year, datatype=XSD.gYear)))
        g.add((obs, RDFS.label, Literal(label, lang="en")))

    def _rank(
        self,
        row: _Row,
        obs: URIRef,
        source: URIRef,
        dataset: str,
        area: URIRef,
        year: str,
        label: str,
        key: tuple[str, str, str],
    ) -> None:
        rank, out_of, basis = row.integer("rank"), row.integer("rank_out_of"), row["rank_basis"]
        if rank is None:
            if basis:
                raise row.error(f"rank_basis {basis!r} is given but no rank.")
            return
        if basis not in ("stated", "computed", "inferred"):
            raise row.error(f"rank_basis {basis!r} is not stated, computed or inferred.")
        g = self.g
        node = obs
        if basis != "stated":
            # A derived rank is its own observation, so it is never read as the source's word.
            node = URIRef(f"{obs}-rank")
            self._observation(node, dataset, area, year, f"{label} (rank, {basis})")
            g.add((node, PROV.wasDerivedFrom, obs))
            g.add((node, PROV.wasDerivedFrom, source))
            how = {
                "computed": f"Rank computed by sorting the scores of all provinces for {year} in "
                "the source's data set; the source gives the score, not the rank.",
                "inferred": "Rank inferred from the source's wording (such as 'lowest "
                "position'); the source states no number.",
            }[basis]
            g.add((node, CCHC.note, Literal(how, lang="en")))
        g.add((node, CCHC.rank, Literal(rank)))
        if out_of is not None:
            g.add((node, CCHC.rankOutOf, Literal(out_of)))
        g.add((node, CCHC.rankBasis, resource("rank-basis", basis)))
        self.measures.setdefault(key, []).append((node, "rank", rank))

    def _note_claim(
        self,
        row: _Row,
        m: re.Match[str],
        obs: URIRef,
        dataset: str,
        code: str,
        area: URIRef,
        year: str,
        label: str,
        key: tuple[str, str, str],
    ) -> None:
        """A figure the row's note reports from another source: its own claim, its own source."""
        g = self.g
        source = self.sources.get(m["url"])
        other = URIRef(f"{obs}-note")
        self._observation(other, dataset, area, year, f"{label} (as {urlsplit(m['url']).netloc})")
        value = Decimal(m["value"])
        g.add((other, CCHC.score, Literal(value, datatype=XSD.decimal)))
        g.add((other, CCHC.rank, Literal(int(m["rank"]))))
        g.add((other, CCHC.rankBasis, resource("rank-basis", "stated")))
        g.add((other, PROV.wasDerivedFrom, source))
        note = (
            f"This figure is known from the note of reference row {row.id} ({m[0]}); the words "
            "of the page itself are not in the reference data."
        )
        g.add((other, CCHC.note, Literal(note, lang="en")))
        self.measures.setdefault(key, []).append((other, "score", value))
        self.measures[key].append((other, "rank", int(m["rank"])))

    def _conflicts(self) -> None:
        """Link every two claims on one index, area and year whose values differ."""
        for claims in self.measures.values():
            for (a, ma, va), (b, mb, vb) in itertools.combinations(claims, 2):
                if a != b and ma == mb and va != vb:
                    self.g.add((a, CCHC.conflictsWith, b))
                    self.g.add((b, CCHC.conflictsWith, a))

    def _claim_common(self, node: URIRef, row: _Row, source: URIRef) -> None:
        """What every claim node of a row carries: source, words, note, row id."""
        g = self.g
        g.add((node, PROV.wasDerivedFrom, source))
        if row["claim_text"]:
            g.add((node, CCHC.quote, _lit(row["claim_text"])))
        if row["note"]:
            g.add((node, CCHC.note, Literal(row["note"], lang="en")))
        g.add((node, DCTERMS.identifier, Literal(row.id)))

    def _claim(self, row: _Row, source: URIRef, about: URIRef, label: str) -> URIRef:
        """A ``cchc:Claim`` node that carries the source of a row's bare triples."""
        claim = resource("claim", row.id.lower())
        self.g.add((claim, RDF.type, CCHC.Claim))
        self.g.add((claim, RDF.type, PROV.Entity))
        self.g.add((claim, CCHC.about, about))
        self.g.add((claim, CCHC.claimKind, resource("claim-kind", "statement")))
        self.g.add((claim, RDFS.label, Literal(label, lang="en")))
        self._claim_common(claim, row, source)
        return claim

    # ---- publishers -----------------------------------------------------------------------

    def _publisher_row(self, row: _Row, source: URIRef) -> None:
        subject = row["subject"].lower()
        if subject not in INDICATORS:
            raise row.error(f"the index {row['subject']!r} is not known.")
        index = resource("index", INDICATORS[subject][0])
        parts = re.split(r";| with ", row["value"])
        agencies = [self._agency_for(row, part) for part in parts]
        for agency in agencies:
            self.g.add((index, DCTERMS.publisher, agency))
        self._claim(row, source, index, f"Publisher of {row['subject']}")

    def _agency_for(self, row: _Row, text: str) -> URIRef:
        lower = text.lower()
        for key, (slug, classes, vi, en, abbr) in _AGENCIES.items():
            if key in lower:
                agency = resource("agency", slug)
                if slug not in self.agencies_done:
                    self.agencies_done.add(slug)
                    self._describe_agency(agency, classes, vi, en, abbr)
                return agency
        raise row.error(f"no agency known for {text.strip()!r}.")

    def _describe_agency(
        self,
        agency: URIRef,
        classes: tuple[URIRef, ...],
        vi: str | None,
        en: str,
        abbr: str | None,
    ) -> None:
        g = self.g
        for cls in (*classes, CCHC.Agency, ORG.FormalOrganization, ORG.Organization):
            g.add((agency, RDF.type, cls))
        if vi:
            g.add((agency, RDFS.label, Literal(vi, lang="vi")))
        g.add((agency, RDFS.label, Literal(en, lang="en")))
        if abbr:
            # "TTg" is a Vietnamese abbreviation; the others are English acronyms.
            g.add((agency, SKOS.altLabel, Literal(abbr, lang="vi" if abbr == "TTg" else "en")))

    # ---- legal documents ------------------------------------------------------------------

    def _document(self, id_local: str, kind: str) -> URIRef:
        doc = resource("document", slugify(id_local))
        g = self.g
        g.add((doc, RDF.type, CCHC.LegalDocument))
        g.add((doc, RDF.type, ELI.LegalResource))
        g.add((doc, ELI.id_local, Literal(id_local)))
        labels = {
            "nghi-quyet": ("Nghị quyết", "Resolution"),
            "quyet-dinh": ("Quyết định", "Decision"),
            "van-ban": ("Văn bản", "Document"),
        }[kind]
        g.add((doc, RDFS.label, Literal(f"{labels[0]} {id_local}", lang="vi")))
        g.add((doc, RDFS.label, Literal(f"{labels[1]} {id_local}", lang="en")))
        if kind != "van-ban":
            g.add((doc, ELI.type_document, resource("document-type", kind)))
        return doc

    def _document_row(self, row: _Row, source: URIRef) -> None:
        id_local = row["subject"].removeprefix("Resolution ").strip()
        doc = self._document(id_local, "nghi-quyet")
        g = self.g
        indicator = row["indicator"].lower()
        if indicator == "issue date / issuer":
            day = _iso_date(row["value"])
            if day is None:
                raise row.error(f"the issue date {row['value']!r} is not an ISO date.")
            g.add((doc, ELI.date_document, Literal(day, datatype=XSD.date)))
            if "government" not in row["claim_text"].lower():
                raise row.error("the claim names no issuer this importer knows.")
            g.add((doc, ELI.passed_by, CHINH_PHU))
            # The programme the resolution promulgates, in the source title's words.
            if m := re.search(r"(Master Program.*)$", row["source_title"]):
                g.add((doc, ELI.title, Literal(m[1], lang="en")))
            if id_local == "76/NQ-CP":
                note = (
                    "Successor programme to Resolution 30c/NQ-CP (2011-2020). No source found "
                    "says that it replaces or supersedes 30c/NQ-CP, so dct:replaces is not stated."
                )
                g.add((doc, CCHC.note, Literal(note, lang="en")))
            self._claim(row, source, doc, f"Date and issuer of {row['subject']}")
        elif indicator == "title (vi)":
            g.add((doc, ELI.title, Literal(row["value"], lang="vi")))
            self._claim(row, source, doc, f"Title of the programme of {row['subject']}")
        elif indicator.startswith("target:"):
            self._target_row(row, source, doc)
        else:
            raise row.error(f"no mapping for the document fact {row['indicator']!r}.")

    def _target_row(self, row: _Row, source: URIRef, doc: URIRef) -> None:
        m = re.fullmatch(r"(>|>=|≥)?\s*(\d+(?:\.\d+)?)", row["value"])
        if m is None or "satisfaction" not in row["indicator"].lower():
            raise row.error(f"the target {row['indicator']!r} = {row['value']!r} is not known.")
        threshold = m[2]
        target = resource("target", f"{slugify(doc.split('/')[-1])}-sipas-{slugify(threshold)}")
        g = self.g
        g.add((target, RDF.type, CCHC.Target))
        g.add((target, RDF.type, PROV.Entity))
        g.add((target, CCHC.setBy, doc))
        g.add((target, CCHC.indicator, resource("index", "sipas")))
        g.add((target, CCHC.threshold, Literal(Decimal(threshold), datatype=XSD.decimal)))
        qualifier = "above" if m[1] == ">" else "at-least" if m[1] else "exactly"
        g.add((target, CCHC.thresholdQualifier, resource("qualifier", qualifier)))
        g.add((target, CCHC.deadline, Literal(row["year"], datatype=XSD.gYear)))
        label = f"Target of {row['subject']}: satisfaction above {threshold}% by {row['year']}"
        g.add((target, RDFS.label, Literal(label, lang="en")))
        self._claim_common(target, row, source)

    # ---- people ---------------------------------------------------------------------------

    def _people_rows(self) -> list[tuple[str, Callable[[_Row, URIRef], None]]]:
        return [
            (r"^vice chairman, hanoi people's committee \(start\)$", self._vice_chair_row),
            (r"^assigned to run hanoi people's committee$", self._assigned_row),
            (r"^suspended as chairman of hanoi people's committee$", self._suspended_row),
            (r"^elected chairman of hanoi people's committee$", self._elected_row),
            (r"^signed document \S+$", self._signed_row),
        ]

    def _person(self, name: str) -> URIRef:
        person = resource("person", slugify(name))
        g = self.g
        g.add((person, RDF.type, FOAF.Person))
        g.add((person, RDF.type, SCHEMA.Person))
        g.add((person, FOAF.name, Literal(name)))
        g.add((person, RDFS.label, Literal(name, lang="vi")))
        return person

    def _membership(
        self, row: _Row, source: URIRef, role: str, role_vi: str, begin: Literal | None
    ) -> URIRef:
        person = self._person(row["subject"])
        slug = f"{slugify(row['subject'])}-{role}-ubnd-thanh-pho-ha-noi-{row.id.lower()}"
        membership = resource("membership", slug)
        g = self.g
        g.add((membership, RDF.type, ORG.Membership))
        g.add((membership, RDF.type, PROV.Entity))
        g.add((membership, ORG.member, person))
        g.add((membership, ORG.organization, UBND_HA_NOI))
        g.add((membership, ORG.role, resource("role", role)))
        label = f"{row['subject']}, {role_vi} UBND thành phố Hà Nội"
        g.add((membership, RDFS.label, Literal(label, lang="vi")))
        self._claim_common(membership, row, source)
        if begin is not None:
            interval = resource("interval", f"membership-{slug}")
            instant = resource("instant", f"membership-{slug}-begin")
            g.add((membership, ORG.memberDuring, interval))
            g.add((interval, RDF.type, TIME.Interval))
            g.add((interval, TIME.hasBeginning, instant))
            g.add((instant, RDF.type, TIME.Instant))
            prop = TIME.inXSDgYear if begin.datatype == XSD.gYear else TIME.inXSDDate
            g.add((instant, prop, begin))
        return membership

    def _date(self, row: _Row) -> Literal:
        day = _iso_date(row["value"])
        if day is None:
            raise row.error(f"the value {row['value']!r} is not an ISO date.")
        return Literal(day, datatype=XSD.date)

    def _vice_chair_row(self, row: _Row, source: URIRef) -> None:
        if not re.fullmatch(r"\d{4}", row["value"]):
            raise row.error(f"the start year {row['value']!r} is not a year.")
        begin = Literal(row["value"], datatype=XSD.gYear)
        self._membership(row, source, "pho-chu-tich", "Phó Chủ tịch", begin)

    def _assigned_row(self, row: _Row, source: URIRef) -> None:
        # The role concept itself is defined in ontology/concepts.ttl.
        self._membership(row, source, "phu-trach-dieu-hanh", "phụ trách điều hành", self._date(row))

    def _elected_row(self, row: _Row, source: URIRef) -> None:
        self._membership(row, source, "chu-tich", "Chủ tịch", self._date(row))

    def _suspended_row(self, row: _Row, source: URIRef) -> None:
        membership = self._membership(row, source, "chu-tich", "Chủ tịch", None)
        claim = self._claim(row, source, membership, f"Suspension of {row['subject']} as Chairman")
        self.g.add((claim, CCHC.asOf, self._date(row)))
        if m := re.search(r"Decision (\S+)", row["claim_text"]):
            decision = self._document(m[1], "quyet-dinh")
            self.g.add((claim, DCTERMS.references, decision))
            if "PM " in row["claim_text"]:
                pm = resource("agency", "thu-tuong-chinh-phu")
                self._describe_agency(pm, (), "Thủ tướng Chính phủ", "Prime Minister", "TTg")
                self.g.add((decision, ELI.passed_by, pm))

    def _signed_row(self, row: _Row, source: URIRef) -> None:
        id_local = row["indicator"].split()[-1]
        doc = self._document(id_local, "van-ban")
        g = self.g
        g.add((doc, ELI.date_document, self._date(row)))
        if "/UBND-" in id_local:
            g.add((doc, ELI.passed_by, UBND_HA_NOI))
        g.add((doc, CCHC.signedBy, self._person(row["subject"])))
        self._claim(row, source, doc, f"{row['subject']} signed {id_local}")


def _units_path(path: Path, units: Path | None, era: str) -> Path:
    return units if units is not None else path.parent.parent / "units" / f"units-{era}.csv"


def load_facts(path: Path, units: Path | None = None) -> Graph:
    """Map data/reference/facts.csv to RDF: every row a claim node with its own source.

    Index rows become ``qb:Observation`` nodes (a rank the source does not state becomes a
    separate ``-rank`` observation with its basis); document, people and publisher rows become
    documents, memberships and ``dct:publisher`` triples, each backed by a ``cchc:Claim``.

    :param path: the facts CSV.
    :param units: the 2020 units CSV, to find each province's code (default
        ``../units/units-2020.csv`` beside the reference folder).
    :returns: the graph of the facts and their sources.
    :raises KgDataError: for a row that cannot be mapped (unknown province or indicator, a
        value that is not a number), naming the file and line.

    >>> g = load_facts(Path("data/reference/facts.csv"))
    >>> len(set(g.objects(None, DCTERMS.identifier)))
    68
    """
    provinces = province_names(_units_path(path, units, "2020"))
    return _FactsLoader(path, provinces).load()


def load_provinces_2025(
    path: Path, *, units_2020: Path | None = None, units_2025: Path | None = None
) -> Graph:
    """Map data/reference/provinces-2025.csv: which 2020 provinces each 2025 province replaced.

    Each row gives a ``cchc:ChangeEvent`` (``id:change/2025/{code}``) that used the old units and
    generated the new one under Resolution 202/2025/QH15 on 1 July 2025, and
    ``prov:wasRevisionOf`` from the 2025 unit to each 2020 unit it was formed from.

    :param path: the provinces CSV (``new_province,old_provinces,source_url``).
    :param units_2020: the 2020 units CSV (default beside the reference folder).
    :param units_2025: the 2025 units CSV (default beside the reference folder).
    :returns: the graph of the changes.
    :raises KgDataError: for a name found in neither units list, or a province named twice.

    >>> g = load_provinces_2025(Path("data/reference/provinces-2025.csv"))
    >>> len(set(g.subjects(RDF.type, CCHC.ChangeEvent)))
    34
    """
    old_units = province_names(_units_path(path, units_2020, "2020"))
    new_units = province_names(_units_path(path, units_2025, "2025"))
    # The city of Huế of 2025 continues the province of Thừa Thiên Huế of 2020.
    old_aliases = {"hue": "thua-thien-hue"}
    g = _new_graph()
    sources = _Sources(g)
    _resolution_202(g)
    instant_added = False
    used_old: dict[str, int] = {}
    used_new: dict[str, int] = {}
    for line, row in _read(path, PROVINCE_COLUMNS):

        def fail(message: str, line: int = line) -> KgDataError:
            return KgDataError(message, path=path, line=line)

        new = new_units.get(name_key(row["new_province"]))
        if new is None:
            raise fail(f"The new province {row['new_province']!r} is not in the 2025 units list.")
        if new.code in used_new:
            raise fail(f"{row['new_province']!r} is already on line {used_new[new.code]}.")
        used_new[new.code] = line
        olds: list[UnitRow] = []
        for name in filter(None, (n.strip() for n in row["old_provinces"].split(";"))):
            key = name_key(name)
            old = old_units.get(old_aliases.get(key, key))
            if old is None:
                raise fail(f"The old province {name!r} is not in the 2020 units list.")
            if old.code in used_old:
                raise fail(f"The old province {name!r} is already on line {used_old[old.code]}.")
            used_old[old.code] = line
            olds.append(old)
        if not olds:
            raise fail(f"{row['new_province']!r} names no old province.")
        if not row["source_url"]:
            raise fail(f"{row['new_province']!r} has no source_url.")
        source = sources.get(row["source_url"])
        new_unit = unit_iri(new.code, "2025")
        change = resource("change", f"2025/{new.code}")
        for cls in (CCHC.ChangeEvent, ORG.ChangeEvent, PROV.Activity):
            g.add((change, RDF.type, cls))
        old_names = ", ".join(o.name for o in olds)
        g.add((change, RDFS.label, Literal(f"Sắp xếp {old_names} thành {new.name}", lang="vi")))
        g.add(
            (change, RDFS.label, Literal(f"{new.name} formed from {old_names} (2025)", lang="en"))
        )
        for old in olds:
            g.add((change, PROV.used, unit_iri(old.code, "2020")))
            g.add((new_unit, PROV.wasRevisionOf, unit_iri(old.code, "2020")))
        g.add((change, PROV.generated, new_unit))
        g.add((change, PROV.wasDerivedFrom, source))
        g.add((change, DCTERMS.source, RESOLUTION_202))
        g.add((change, DCTERMS.date, Literal(dt.date(2025, 7, 1), datatype=XSD.date)))
        g.add((change, TIME.hasTime, REFORM_INSTANT))
        if not instant_added:
            instant_added = True
            g.add((REFORM_INSTANT, RDF.type, TIME.Instant))
            g.add((REFORM_INSTANT, TIME.inXSDDate, Literal(dt.date(2025, 7, 1))))
        g.add((change, DCTERMS.identifier, Literal(f"provinces-2025.csv line {line}")))
        if urlsplit(row["source_url"]).netloc.endswith("hideseek.vn"):
            note = (
                "The source describes the plan of April 2025, before Resolution 202/2025/QH15 "
                "was passed; this row is less certain than the others."
            )
            g.add((change, CCHC.note, Literal(note, lang="en")))
            g.add((change, CCHC.confidence, Literal("low")))
    return g


def _resolution_202(g: Graph) -> None:
    """National Assembly Resolution 202/2025/QH15, under which the 2025 provinces were formed."""
    doc = RESOLUTION_202
    for cls in (CCHC.LegalDocument, ELI.LegalResource):
        g.add((doc, RDF.type, cls))
    g.add((doc, ELI.id_local, Literal("202/2025/QH15")))
    g.add((doc, RDFS.label, Literal("Nghị quyết 202/2025/QH15", lang="vi")))
    g.add((doc, RDFS.label, Literal("Resolution 202/2025/QH15", lang="en")))
    g.add((doc, ELI.type_document, resource("document-type", "nghi-quyet")))
    g.add((doc, ELI.date_document, Literal(dt.date(2025, 6, 12), datatype=XSD.date)))
    g.add((doc, ELI.passed_by, QUOC_HOI))
    for cls in (CCHC.Agency, ORG.FormalOrganization, ORG.Organization):
        g.add((QUOC_HOI, RDF.type, cls))
    g.add((QUOC_HOI, RDFS.label, Literal("Quốc hội", lang="vi")))
    g.add((QUOC_HOI, RDFS.label, Literal("National Assembly", lang="en")))
