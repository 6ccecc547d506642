"""Reference facts (data/reference/*.csv) into RDF, each row a claim with its own source.

``facts.csv`` holds facts from published pages other than the founding article; it is a copy of
the project's checked reference data and is read as it is. What this importer needs to know to
map it is data beside it, never code:

* ``indicators.csv``: which data set (``id:dataset/{slug}``) and measure (score, mean, count)
  each ``indicator`` of an index row is;
* ``publishers.csv``: the agency each publisher row names, with its names and their source;
* ``facts.ttl``: the rows that are not index values (documents, targets, posts), modelled by
  hand, each claim with ``dct:identifier`` its row id. A row of another kind that ``facts.ttl``
  does not model is an error that says what to add.

``provinces-2025.csv`` holds which of the 63 provinces of 2020 each of the 34 provinces of
1 July 2025 was formed from; ``provinces-2025.ttl`` beside it gives the legal basis, and
``data/units/aliases.csv`` the names sources use for units.

Every row becomes at least one node that carries ``prov:wasDerivedFrom`` its source, the words
of the source (``cchc:quote``), the editor's note and the row id (``dct:identifier``). Sources
that disagree stay two claims; ``ontology/rules/conflicting-values.rq`` links them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg.errors import KgDataError
from kg.importers.tables import (
    Row,
    Sources,
    detect_language,
    new_graph,
    read_rows,
    text_literal,
)
from kg.importers.units import UnitRow, english_name, name_key, province_names, unit_iri
from kg.namespaces import CCHC, QB, SDMX_DIMENSION, expand, fold, resource

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
INDICATOR_COLUMNS = ("indicator", "dataset", "measure")
PUBLISHER_COLUMNS = (
    "match",
    "agency",
    "class",
    "label_vi",
    "label_en",
    "abbreviation",
    "abbreviation_lang",
    "source_url",
)
ALIAS_COLUMNS = ("name", "era", "code")

#: The nation, as the reference data's "Vietnam" rows name it (its labels: facts.ttl).
NATION = resource("place", "viet-nam")

#: A note that reports another source's figure: "CONFLICT: <url> gives <name> 44.66 (3rd)".
_NOTE_CLAIM = re.compile(
    r"CONFLICT: (?P<url>https?://\S+) gives (?P<who>.+?) (?P<value>\d+(?:\.\d+)?) "
    r"\((?P<rank>\d+)(?:st|nd|rd|th)\)"
)
_MEASURES = ("score", "mean", "count")


@dataclass(frozen=True)
class _Indicator:
    dataset: str
    measure: str


@dataclass(frozen=True)
class _Publisher:
    match: str
    agency: URIRef
    classes: tuple[URIRef, ...]
    label_vi: str
    label_en: str
    abbreviation: str
    abbreviation_lang: str


def _indicators(path: Path) -> dict[str, _Indicator]:
    """``indicators.csv``: an index row's ``indicator`` (any case) → data set and measure."""
    out: dict[str, _Indicator] = {}
    for row in read_rows(path, INDICATOR_COLUMNS):
        if row["measure"] not in _MEASURES:
            raise row.error(f"measure {row['measure']!r} is not one of {', '.join(_MEASURES)}.")
        if not re.fullmatch(r"[a-z0-9-]+", row["dataset"]):
            raise row.error(f"dataset {row['dataset']!r} is not a slug (a-z, 0-9, -).")
        out[row["indicator"].lower()] = _Indicator(row["dataset"], row["measure"])
    return out


def _publishers(path: Path) -> list[_Publisher]:
    """``publishers.csv``: the agencies publisher rows name, matched by a fragment of the text."""
    out = []
    for row in read_rows(path, PUBLISHER_COLUMNS):
        if not row["source_url"]:
            raise row.error("the agency's names have no source_url.")
        classes = tuple(_class(row, c) for c in row["class"].split() if c)
        out.append(
            _Publisher(
                row["match"].lower(),
                resource("agency", row["agency"]),
                classes,
                row["label_vi"],
                row["label_en"],
                row["abbreviation"],
                row["abbreviation_lang"] or "en",
            )
        )
    return out


def _class(row: Row, text: str) -> URIRef:
    try:
        return expand(text)
    except ValueError:
        raise row.error(f"class {text!r} is not a prefixed name of the contract.") from None


def _curated(path: Path) -> Graph:
    """The hand-made graph beside a table (``facts.ttl`` for ``facts.csv``), or an empty one."""
    graph = Graph()
    if path.exists():
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many types; the build reports the file itself
            raise KgDataError(f"cannot read the curated rows: {exc}", path=path) from None
    return graph


class _FactsLoader:
    """Maps the rows of facts.csv; one method per kind of row."""

    def __init__(
        self,
        path: Path,
        provinces: dict[str, UnitRow],
        indicators: dict[str, _Indicator],
        publishers: list[_Publisher],
        curated: Graph,
    ) -> None:
        self.path = path
        self.provinces = provinces
        self.indicators = indicators
        self.publishers = publishers
        self.curated_ids = {str(o) for o in curated.objects(None, DCTERMS.identifier)}
        self.nation_name = str(curated.value(NATION, RDFS.label) or "Vietnam")
        self.g = new_graph()
        self.sources = Sources(self.g)
        self.agencies_done: set[URIRef] = set()

    def load(self) -> Graph:
        seen: dict[str, int] = {}
        for row in read_rows(self.path, FACT_COLUMNS):
            if not row.id:
                raise row.error("the row has no id.")
            if row.id in seen:
                raise row.error(f"the id is used twice (first on line {seen[row.id]}).")
            seen[row.id] = row.line
            if not row["source_url"]:
                raise row.error("the row has no source_url; every fact needs its source.")
            handler = self._dispatch(row)
            if handler is None:
                continue
            source = self.sources.get(row["source_url"], row["source_title"], row["source_date"])
            handler(row, source)
        return self.g

    def _dispatch(self, row: Row) -> Callable[[Row, URIRef], None] | None:
        indicator = row["indicator"].lower()
        if indicator in self.indicators:
            return self._index_row
        if indicator == "publisher":
            return self._publisher_row
        if row.id in self.curated_ids:
            return None  # modelled by hand in facts.ttl
        raise row.error(
            f"no mapping for the indicator {row['indicator']!r} of {row['subject']!r}: add it "
            f"to {self.path.with_name('indicators.csv').name} (an index value), or model the "
            f"row in {self.path.with_suffix('.ttl').name} with dct:identifier {row.id!r}."
        )

    # ---- index observations ---------------------------------------------------------------

    def _area(self, row: Row) -> tuple[str, URIRef, str]:
        subject = row["subject"]
        if fold(subject).lower().startswith("vietnam"):
            return "viet-nam", NATION, self.nation_name
        unit = self.provinces.get(name_key(subject))
        if unit is None:
            raise row.error(f"the province {subject!r} is not in the 2020 units list.")
        return unit.code, unit_iri(unit.code, "2020"), english_name(unit.name, unit.kind)

    def _index_row(self, row: Row, source: URIRef) -> None:
        indicator = self.indicators[row["indicator"].lower()]
        dataset, measure = indicator.dataset, indicator.measure
        year = row["year"]
        if not re.fullmatch(r"\d{4}", year):
            raise row.error(f"the year {year!r} is not a year.")
        code, area, area_name = self._area(row)
        obs = resource("observation", f"{dataset}-{code}-{year}-{row.id.lower()}")
        label = f"{row['indicator']} {year}, {area_name}"
        self._observation(obs, dataset, area, year, label)
        g = self.g
        self._claim_common(obs, row, source)
        value = row.decimal("value")
        if value is not None:
            if measure == "count":
                g.add((obs, CCHC["count"], Literal(int(value))))
                if m := re.search(r"\(of (\d+)\)", row["unit"]):
                    g.add((obs, CCHC.countOutOf, Literal(int(m[1]))))
            else:
                prop = CCHC.meanScore if measure == "mean" else CCHC.score
                g.add((obs, prop, Literal(value, datatype=XSD.decimal)))
        self._rank(row, obs, source, dataset, area, year, label)
        if m := _NOTE_CLAIM.search(row["note"]):
            self._note_claim(row, m, obs, dataset, area, year, label)

    def _observation(self, obs: URIRef, dataset: str, area: URIRef, year: str, label: str) -> None:
        g = self.g
        g.add((obs, RDF.type, CCHC.IndexObservation))
        g.add((obs, QB.dataSet, resource("dataset", dataset)))
        g.add((obs, SDMX_DIMENSION.refArea, area))
        g.add((obs, SDMX_DIMENSION.refPeriod, Literal(year, datatype=XSD.gYear)))
        g.add((obs, RDFS.label, Literal(label, lang="en")))

    def _rank(
        self,
        row: Row,
        obs: URIRef,
        source: URIRef,
        dataset: str,
        area: URIRef,
        year: str,
        label: str,
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

    def _note_claim(
        self,
        row: Row,
        m: re.Match[str],
        obs: URIRef,
        dataset: str,
        area: URIRef,
        year: str,
        label: str,
    ) -> None:
        """A figure the row's note reports from another source: its own claim, its own source."""
        g = self.g
        source = self.sources.get(m["url"])
        other = URIRef(f"{obs}-note")
        self._observation(other, dataset, area, year, f"{label} (as {urlsplit(m['url']).netloc})")
        g.add((other, CCHC.score, Literal(Decimal(m["value"]), datatype=XSD.decimal)))
        g.add((other, CCHC.rank, Literal(int(m["rank"]))))
        g.add((other, CCHC.rankBasis, resource("rank-basis", "stated")))
        g.add((other, PROV.wasDerivedFrom, source))
        note = (
            f"This figure is known from the note of reference row {row.id} ({m[0]}); the words "
            "of the page itself are not in the reference data."
        )
        g.add((other, CCHC.note, Literal(note, lang="en")))

    def _claim_common(self, node: URIRef, row: Row, source: URIRef) -> None:
        """What every claim node of a row carries: source, words, note, row id.

        facts.csv's claim text is the source's words, or "a close paraphrase in English where
        the page is English" (its README): Vietnamese text is kept as the quote it is, English
        text as a paraphrase (``cchc:paraphrase``), since nothing tells the two apart.
        """
        g = self.g
        g.add((node, PROV.wasDerivedFrom, source))
        if row["claim_text"]:
            words = text_literal(row["claim_text"])
            g.add((node, CCHC.quote if words.language == "vi" else CCHC.paraphrase, words))
        if row["note"]:
            g.add((node, CCHC.note, Literal(row["note"], lang="en")))
        g.add((node, DCTERMS.identifier, Literal(row.id)))

    def _claim(self, row: Row, source: URIRef, about: URIRef, label: str) -> URIRef:
        """A ``cchc:Claim`` node that carries the source of a row's bare triples."""
        claim = resource("claim", row.id.lower())
        self.g.add((claim, RDF.type, CCHC.Claim))
        self.g.add((claim, CCHC.about, about))
        self.g.add((claim, CCHC.claimKind, resource("claim-kind", "statement")))
        self.g.add((claim, RDFS.label, Literal(label, lang="en")))
        self._claim_common(claim, row, source)
        return claim

    # ---- publishers -----------------------------------------------------------------------

    def _publisher_row(self, row: Row, source: URIRef) -> None:
        subject = row["subject"].lower()
        if subject not in self.indicators:
            raise row.error(f"the index {row['subject']!r} is not in indicators.csv.")
        index = resource("index", self.indicators[subject].dataset)
        parts = re.split(r";| with ", row["value"])
        for part in parts:
            self.g.add((index, DCTERMS.publisher, self._agency_for(row, part)))
        self._claim(row, source, index, f"Publisher of {row['subject']}")

    def _agency_for(self, row: Row, text: str) -> URIRef:
        lower = text.lower()
        for publisher in self.publishers:
            if publisher.match in lower:
                if publisher.agency not in self.agencies_done:
                    self.agencies_done.add(publisher.agency)
                    self._describe_agency(publisher)
                return publisher.agency
        raise row.error(f"no agency in publishers.csv matches {text.strip()!r}.")

    def _describe_agency(self, publisher: _Publisher) -> None:
        g = self.g
        agency = publisher.agency
        for cls in publisher.classes or (CCHC.Agency,):
            g.add((agency, RDF.type, cls))
        if publisher.label_vi:
            g.add((agency, RDFS.label, Literal(publisher.label_vi, lang="vi")))
        if publisher.label_en:
            g.add((agency, RDFS.label, Literal(publisher.label_en, lang="en")))
        if publisher.abbreviation:
            abbreviation = Literal(publisher.abbreviation, lang=publisher.abbreviation_lang)
            g.add((agency, SKOS.altLabel, abbreviation))


def _beside(path: Path, name: str) -> Path:
    return path.with_name(name)


def _units_path(path: Path, units: Path | None, era: str) -> Path:
    return units if units is not None else path.parent.parent / "units" / f"units-{era}.csv"


def load_facts(path: Path, units: Path | None = None) -> Graph:
    """Map data/reference/facts.csv to RDF: every row a claim node with its own source.

    Index rows become ``qb:Observation`` nodes (a rank the source does not state becomes a
    separate ``-rank`` observation with its basis); publisher rows ``dct:publisher`` triples,
    each backed by a ``cchc:Claim``; the other rows are modelled in ``facts.ttl`` beside it.

    :param path: the facts CSV (``indicators.csv``, ``publishers.csv`` and ``facts.ttl`` are
        read from its folder).
    :param units: the 2020 units CSV, to find each province's code (default
        ``../units/units-2020.csv`` beside the reference folder).
    :returns: the graph of the facts and their sources.
    :raises KgDataError: for a row that cannot be mapped (unknown province or indicator, a
        value that is not a number), naming the file and line.

    >>> g = load_facts(Path("data/reference/facts.csv"))
    >>> len(set(g.objects(None, DCTERMS.identifier)))
    59
    """
    provinces = province_names(_units_path(path, units, "2020"))
    return _FactsLoader(
        path,
        provinces,
        _indicators(_beside(path, "indicators.csv")),
        _publishers(_beside(path, "publishers.csv")),
        _curated(path.with_suffix(".ttl")),
    ).load()


def _aliases(path: Path) -> dict[tuple[str, str], str]:
    """``aliases.csv``: (era, folded name) → the unit code a source means by that name."""
    if not path.exists():
        return {}
    out = {}
    for row in read_rows(path, ALIAS_COLUMNS):
        out[(row["era"], name_key(row["name"]))] = row["code"]
    return out


def load_provinces_2025(
    path: Path,
    *,
    units_2020: Path | None = None,
    units_2025: Path | None = None,
    old_unit: Callable[[str], URIRef] | None = None,
) -> Graph:
    """Map data/reference/provinces-2025.csv: which 2020 provinces each 2025 province replaced.

    Each row gives a ``cchc:ChangeEvent`` (``id:change/2025/{code}``) that used the old units and
    generated the new one, and ``prov:wasRevisionOf`` from the 2025 unit to each 2020 unit it was
    formed from. Its legal basis is stated in ``provinces-2025.ttl`` beside the file; its date and
    labels by rules (``ontology/rules/change-*.rq``) from the units it used and generated.

    :param path: the provinces CSV (``new_province,old_provinces,source_url``).
    :param units_2020: the units CSV of the provinces before the reform (default the 2020 list
        beside the reference folder; the build gives the last list of three tiers, that of
        4 January 2025, where the province of code 46 is already a city).
    :param units_2025: the 2025 units CSV (default beside the reference folder).
    :param old_unit: the IRI of the old province of a code (default ``id:unit/{code}``).
    :returns: the graph of the changes.
    :raises KgDataError: for a name found in neither units list, or a province named twice.

    >>> g = load_provinces_2025(Path("data/reference/provinces-2025.csv"))
    >>> len(set(g.subjects(RDF.type, CCHC.ChangeEvent)))
    34
    """
    old_path = _units_path(path, units_2020, "2020")
    old_iri = old_unit if old_unit is not None else (lambda code: unit_iri(code, "2020"))
    old_units = {u.code: u for u in province_names(old_path).values()}
    old_names = {k: u.code for k, u in province_names(old_path).items()}
    new_units = province_names(_units_path(path, units_2025, "2025"))
    aliases = _aliases(old_path.with_name("aliases.csv"))
    g = new_graph()
    sources = Sources(g)
    used_old: dict[str, int] = {}
    used_new: dict[str, int] = {}
    for row in read_rows(path, PROVINCE_COLUMNS):
        new = new_units.get(name_key(row["new_province"]))
        if new is None:
            name = row["new_province"]
            raise row.error(f"The new province {name!r} is not in the 2025 units list.")
        if new.code in used_new:
            raise row.error(f"{row['new_province']!r} is already on line {used_new[new.code]}.")
        used_new[new.code] = row.line
        olds: list[UnitRow] = []
        for name in filter(None, (n.strip() for n in row["old_provinces"].split(";"))):
            key = name_key(name)
            code = aliases.get(("2020", key)) or old_names.get(key)
            if code is None or code not in old_units:
                raise row.error(f"The old province {name!r} is not in the 2020 units list.")
            if code in used_old:
                raise row.error(f"The old province {name!r} is already on line {used_old[code]}.")
            used_old[code] = row.line
            olds.append(old_units[code])
        if not olds:
            raise row.error(f"{row['new_province']!r} names no old province.")
        if not row["source_url"]:
            raise row.error(f"{row['new_province']!r} has no source_url.")
        source = sources.get(row["source_url"])
        new_unit = unit_iri(new.code, "2025")
        change = resource("change", f"2025/{new.code}")
        for cls in (CCHC.ChangeEvent, PROV.Activity):
            g.add((change, RDF.type, cls))
        for old in olds:
            g.add((change, PROV.used, old_iri(old.code)))
            g.add((new_unit, PROV.wasRevisionOf, old_iri(old.code)))
        g.add((change, PROV.generated, new_unit))
        g.add((change, PROV.wasDerivedFrom, source))
        g.add((change, DCTERMS.identifier, Literal(f"provinces-2025.csv line {row.line}")))
    return g
