"""The CSV importers: administrative units (units.py) and reference facts (reference.py)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, TIME, XSD

from kg.errors import KgDataError
from kg.graph import KnowledgeGraph
from kg.importers.reference import load_facts, load_provinces_2025
from kg.importers.units import load_units
from kg.namespaces import CCHC, QB, SCHEMA, SDMX_DIMENSION, resource

ROOT = Path(__file__).resolve().parent.parent
UNITS_2020 = ROOT / "data" / "units" / "units-2020.csv"
UNITS_2025 = ROOT / "data" / "units" / "units-2025.csv"
FACTS = ROOT / "data" / "reference" / "facts.csv"
PROVINCES_2025 = ROOT / "data" / "reference" / "provinces-2025.csv"

HEADER = "code,name,kind,level,parent_code\n"


def unit(code: str, era: str = "2020") -> URIRef:
    return resource("unit", code if era == "2020" else f"2025/{code}")


def obs(slug: str) -> URIRef:
    return resource("observation", slug)


@pytest.fixture(scope="module")
def units_2020() -> Graph:
    return load_units(UNITS_2020, era="2020")


@pytest.fixture(scope="module")
def units_2025() -> Graph:
    return load_units(UNITS_2025, era="2025")


@pytest.fixture(scope="module")
def facts() -> Graph:
    return load_facts(FACTS, units=UNITS_2020)


@pytest.fixture(scope="module")
def changes() -> Graph:
    return load_provinces_2025(PROVINCES_2025, units_2020=UNITS_2020, units_2025=UNITS_2025)


def count_by_level(g: Graph) -> dict[str, int]:
    counts: dict[str, int] = {}
    for u in g.subjects(RDF.type, CCHC.AdministrativeUnit):
        level = str(g.value(u, CCHC.level)).rsplit("/", 1)[-1]
        counts[level] = counts.get(level, 0) + 1
    return counts


# ---- units ------------------------------------------------------------------------------------


def test_units_2020_counts(units_2020: Graph) -> None:
    assert count_by_level(units_2020) == {"province": 63, "district": 705, "commune": 10603}


def test_units_2025_counts(units_2025: Graph) -> None:
    assert count_by_level(units_2025) == {"province": 34, "commune": 3321}


def test_ha_noi_2020_has_30_districts_and_579_communes(units_2020: Graph) -> None:
    districts = set(units_2020.subjects(SCHEMA.containedInPlace, unit("01")))
    communes = {c for d in districts for c in units_2020.subjects(SCHEMA.containedInPlace, d)}
    assert len(districts) == 30
    assert len(communes) == 579


def test_ha_noi_2025_has_126_communes(units_2025: Graph) -> None:
    assert len(set(units_2025.subjects(SCHEMA.containedInPlace, unit("01", "2025")))) == 126


def test_unit_carries_standard_terms_code_kind_and_name(
    units_2020: Graph, kgraph: KnowledgeGraph
) -> None:
    ba_dinh = unit("001")
    g = units_2020
    assert (ba_dinh, RDF.type, CCHC.AdministrativeUnit) in g
    # the standard class is the ontology's to state, by rule, in the built graph
    assert kgraph.sparql(f"ASK {{ {unit('01').n3()} a schema:AdministrativeArea }}").askAnswer
    assert g.value(ba_dinh, CCHC.unitKind) == resource("unit-kind", "quan")
    assert g.value(ba_dinh, SCHEMA.name) == Literal("Quận Ba Đình", lang="vi")
    assert g.value(ba_dinh, SKOS.notation) == Literal("001")
    assert g.value(unit("01"), CCHC.unitKind) == resource(
        "unit-kind", "thanh-pho-truc-thuoc-trung-uong"
    )
    source = g.value(ba_dinh, PROV.wasDerivedFrom)
    assert (source, SCHEMA.version, Literal("0.4.3")) in g


def test_unit_valid_time_2020_ends_2025_06_30_without_beginning(units_2020: Graph) -> None:
    interval = units_2020.value(unit("01"), CCHC.validDuring)
    assert isinstance(interval, URIRef)
    end = units_2020.value(interval, TIME.hasEnd)
    assert units_2020.value(end, TIME.inXSDDate) == Literal("2025-06-30", datatype=XSD.date)
    assert units_2020.value(interval, TIME.hasBeginning) is None
    assert units_2020.value(interval, CCHC.note) is not None


def test_unit_valid_time_2025_begins_2025_07_01_without_end(units_2025: Graph) -> None:
    interval = units_2025.value(unit("01", "2025"), CCHC.validDuring)
    begin = units_2025.value(interval, TIME.hasBeginning)
    assert units_2025.value(begin, TIME.inXSDDate) == Literal("2025-07-01", datatype=XSD.date)
    assert units_2025.value(interval, TIME.hasEnd) is None


def test_levels_filter_loads_provinces_only() -> None:
    g = load_units(UNITS_2020, era="2020", levels={"province"})
    assert count_by_level(g) == {"province": 63}
    # The parent of a loaded unit that is not loaded is not pointed at.
    assert not set(g.triples((None, SCHEMA.containedInPlace, None)))


@pytest.mark.parametrize(
    ("rows", "line", "reason"),
    [
        ("01,Thành phố Hà Nội,thanh-pho-truc-thuoc-trung-uong,province,\n"
         ",Quận X,quan,district,01\n", 3, "no code"),
        ("01,Thành phố Hà Nội,thanh-pho-truc-thuoc-trung-uong,province,\n"
         "01,Tỉnh Hà Giang,tinh,province,\n", 3, "used twice"),
        ("01,Thành phố Hà Nội,thanh-pho-truc-thuoc-trung-uong,province,\n"
         "001,Quận Ba Đình,quan,district,99\n", 3, "not in this file"),
        ("01,Thành phố Hà Nội,thu-do,province,\n", 2, "unknown kind"),
        ("01,Thành phố Hà Nội,thanh-pho-truc-thuoc-trung-uong,region,\n", 2, "unknown level"),
        ("01,Thành phố Hà Nội,quan,province,\n", 2, "not of level province"),
    ],
)  # fmt: skip
def test_bad_unit_rows_raise_naming_file_and_line(
    tmp_path: Path, rows: str, line: int, reason: str
) -> None:
    path = tmp_path / "units.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(KgDataError, match=reason) as info:
        load_units(path, era="2020")
    assert info.value.path == str(path)
    assert info.value.line == line
    assert f"{path}:{line}:" in str(info.value)


# ---- facts ------------------------------------------------------------------------------------


def test_every_reference_row_becomes_a_node_with_its_source(kgraph: KnowledgeGraph) -> None:
    """Index and publisher rows by the importer, the others by facts.ttl: one graph."""
    facts = kgraph.graph("reference/facts")
    with FACTS.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 68
    for row in rows:
        nodes = list(facts.subjects(DCTERMS.identifier, Literal(row["id"])))
        assert nodes, row["id"]
        for node in nodes:
            source = facts.value(node, PROV.wasDerivedFrom)
            assert (source, RDF.type, CCHC.Source) in facts, row["id"]
            assert facts.value(source, SCHEMA.url) == URIRef(row["source_url"]), row["id"]


def test_no_blank_nodes(facts: Graph, changes: Graph, units_2025: Graph) -> None:
    for g in (facts, changes, units_2025):
        assert not any(isinstance(t, BNode) for triple in g for t in triple)


def test_stated_rank_sits_on_the_observation(facts: Graph) -> None:
    o = obs("par-index-01-2019-f005")
    assert (o, RDF.type, CCHC.IndexObservation) in facts
    assert facts.value(o, QB.dataSet) == resource("dataset", "par-index")
    assert facts.value(o, SDMX_DIMENSION.refArea) == unit("01")
    assert facts.value(o, SDMX_DIMENSION.refPeriod) == Literal("2019", datatype=XSD.gYear)
    assert facts.value(o, CCHC.score) == Literal("84.64", datatype=XSD.decimal)
    assert facts.value(o, CCHC.rank) == Literal(2)
    assert facts.value(o, CCHC.rankBasis) == resource("rank-basis", "stated")


def test_computed_rank_is_a_separate_derived_observation(facts: Graph) -> None:
    score = obs("pci-01-2012-f029")
    rank = obs("pci-01-2012-f029-rank")
    assert facts.value(score, CCHC.rank) is None
    assert facts.value(score, CCHC.score) == Literal("53.40", datatype=XSD.decimal)
    assert facts.value(rank, CCHC.rank) == Literal(51)
    assert facts.value(rank, CCHC.rankBasis) == resource("rank-basis", "computed")
    assert (rank, PROV.wasDerivedFrom, score) in facts
    assert "computed" in str(facts.value(rank, CCHC.note))
    # No observation anywhere claims a computed rank as stated.
    stated = resource("rank-basis", "stated")
    for node in facts.subjects(CCHC.rankBasis, stated):
        assert not str(node).endswith("-rank")


def test_inferred_rank(facts: Graph) -> None:
    rank = obs("par-index-83-2019-f009-rank")
    assert facts.value(rank, CCHC.rank) == Literal(63)
    assert facts.value(rank, CCHC.rankBasis) == resource("rank-basis", "inferred")


def test_conflicts_keep_both_claims(kgraph: KnowledgeGraph) -> None:
    """Linked by ontology/rules/conflicting-values.rq, over every graph: the article's derived
    2012 rank (51) against the news's stated 52 too."""
    facts = kgraph.union()
    pairs = {
        (obs("pci-01-2012-f029-rank"), obs("pci-01-2012-f039")),
        (obs("pci-01-2012-derived"), obs("pci-01-2012-f039")),
        (obs("pci-01-2016-f028"), obs("pci-01-2016-f033")),
        (obs("papi-22-2019-f049"), obs("papi-22-2019-f049-note")),
    }
    found = {
        tuple(sorted((a, b)))
        for a, b in facts.subject_objects(CCHC.conflictsWith)  # type: ignore[type-var]
    }
    assert {tuple(sorted(p)) for p in pairs} <= found
    for a, b in pairs:
        assert (b, CCHC.conflictsWith, a) in facts
    other = obs("papi-22-2019-f049-note")
    assert facts.value(other, CCHC.score) == Literal("44.66", datatype=XSD.decimal)
    assert str(facts.value(other, PROV.wasDerivedFrom)).endswith(
        "quang-ninh-leads-in-par-index-for-third-consecutive-year"
    )


def test_national_average_and_counts(facts: Graph) -> None:
    avg = obs("par-index-viet-nam-2019-f010")
    assert facts.value(avg, SDMX_DIMENSION.refArea) == resource("place", "viet-nam")
    assert facts.value(avg, CCHC.meanScore) == Literal("81.15", datatype=XSD.decimal)
    l34 = obs("online-procedures-level-3-4-01-2020-f062")
    assert facts.value(l34, CCHC["count"]) == Literal(1421)
    assert facts.value(l34, CCHC.countOutOf) == Literal(1611)
    l4 = obs("online-procedures-level-4-01-2020-f063")
    assert facts.value(l4, CCHC["count"]) == Literal(388)
    assert facts.value(l4, CCHC.countOutOf) is None


def test_ho_chi_minh_city_is_found_by_folded_name(facts: Graph) -> None:
    o = obs("ict-index-it-industry-79-2020-f051")
    assert facts.value(o, SDMX_DIMENSION.refArea) == unit("79")


def test_quote_language_detected(kgraph: KnowledgeGraph) -> None:
    facts = kgraph.graph("reference/facts")
    claim = resource("claim", "f054")
    assert facts.value(claim, CCHC.quote).language == "vi"  # type: ignore[union-attr]
    # English claim text may paraphrase an English page: never kept as a quote
    o = obs("par-index-01-2019-f005")
    assert facts.value(o, CCHC.quote) is None
    assert facts.value(o, CCHC.paraphrase).language == "en"  # type: ignore[union-attr]


def test_documents_targets_and_publishers(kgraph: KnowledgeGraph) -> None:
    from kg.namespaces import ELI

    facts = kgraph.graph("reference/facts")
    doc = resource("document", "30c-nq-cp")
    assert facts.value(doc, ELI.date_document) == Literal("2011-11-08", datatype=XSD.date)
    assert facts.value(doc, ELI.passed_by) == resource("agency", "chinh-phu")
    assert {t.language for t in facts.objects(doc, ELI.title)} == {"vi", "en"}
    target = resource("target", "30c-nq-cp-sipas-80")
    assert facts.value(target, CCHC.deadline) == Literal("2020", datatype=XSD.gYear)
    assert facts.value(target, CCHC.thresholdQualifier) == resource("qualifier", "above")
    doc76 = resource("document", "76-nq-cp")
    assert facts.value(doc76, DCTERMS.replaces) is None
    assert facts.value(resource("claim", "f056"), CCHC.about) == doc76
    assert (resource("index", "pci"), DCTERMS.publisher, resource("agency", "vcci")) in facts
    papi = set(facts.objects(resource("index", "papi"), DCTERMS.publisher))
    assert len(papi) == 4


def test_memberships(kgraph: KnowledgeGraph) -> None:
    from kg.namespaces import ORG

    facts = kgraph.graph("reference/facts")
    m = resource("membership", "nguyen-van-suu-pho-chu-tich-ubnd-thanh-pho-ha-noi-f057")
    begin = facts.value(facts.value(m, ORG.memberDuring), TIME.hasBeginning)
    assert facts.value(begin, TIME.inXSDgYear) == Literal("2011", datatype=XSD.gYear)
    run = resource("membership", "nguyen-van-suu-phu-trach-dieu-hanh-ubnd-thanh-pho-ha-noi-f058")
    assert facts.value(run, ORG.role) == resource("role", "phu-trach-dieu-hanh")
    anh = resource("membership", "chu-ngoc-anh-chu-tich-ubnd-thanh-pho-ha-noi-f060")
    begin = facts.value(facts.value(anh, ORG.memberDuring), TIME.hasBeginning)
    assert facts.value(begin, TIME.inXSDDate) == Literal("2020-09-25", datatype=XSD.date)
    doc = resource("document", "4594-ubnd-snv")
    assert facts.value(doc, CCHC.signedBy) == resource("person", "nguyen-van-suu")


def _facts_csv(path: Path, rows: list[list[str]]) -> Path:
    """A facts table of ``rows``, with the mapping tables of data/reference/ beside it."""
    for name in ("indicators.csv", "publishers.csv"):
        shutil.copy(FACTS.with_name(name), path.with_name(name))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(
            [
                *("id", "subject", "indicator", "year", "value", "unit", "rank"),
                *("rank_out_of", "rank_basis", "claim_text", "source_url", "source_title"),
                *("source_date", "note"),
            ]
        )
        writer.writerows(rows)
    return path


def test_two_urls_with_one_title_get_suffixed_sources(tmp_path: Path) -> None:
    row = ["", "Hà Nội", "PCI", "2019", "68.80", "points", "", "", "", "x", "", "Same", "", ""]
    path = _facts_csv(
        tmp_path / "facts.csv",
        [
            ["F1", *row[1:10], "http://a.example/1", *row[11:]],
            ["F2", *row[1:10], "http://b.example/2", *row[11:]],
        ],
    )
    g = load_facts(path, units=UNITS_2020)
    assert (resource("source", "same"), SCHEMA.url, URIRef("http://a.example/1")) in g
    assert (resource("source", "same-2"), SCHEMA.url, URIRef("http://b.example/2")) in g


@pytest.mark.parametrize(
    ("subject", "indicator", "value", "reason"),
    [
        ("Atlantis", "PCI", "60", "not in the 2020 units list"),
        ("Hà Nội", "Happiness", "60", "no mapping"),
        ("Hà Nội", "PCI", "sixty", "not a number"),
    ],
)
def test_bad_fact_rows_raise_naming_the_row(
    tmp_path: Path, subject: str, indicator: str, value: str, reason: str
) -> None:
    good = ["F1", "Hà Nội", "PCI", "2019", "68.80", "", "", "", "", "", "http://a/", "A", "", ""]
    bad = ["F2", subject, indicator, "2019", value, "", "", "", "", "", "http://a/", "A", "", ""]
    path = _facts_csv(tmp_path / "facts.csv", [good, bad])
    with pytest.raises(KgDataError, match=reason) as info:
        load_facts(path, units=UNITS_2020)
    assert (info.value.path, info.value.line) == (str(path), 3)
    assert "F2" in str(info.value)


# ---- provinces of 2025 ------------------------------------------------------------------------


def test_every_2025_province_has_a_change_from_its_2020_provinces(
    changes: Graph, kgraph: KnowledgeGraph
) -> None:
    built = kgraph.union()
    events = set(changes.subjects(RDF.type, CCHC.ChangeEvent))
    assert len(events) == 34
    used = list(changes.objects(None, PROV.used))
    assert len(used) == len(set(used)) == 63
    for event in events:
        assert (event, RDF.type, PROV.Activity) in changes
        assert built.value(event, DCTERMS.source) == resource("document", "202-2025-qh15")
        assert built.value(event, DCTERMS.date) == Literal("2025-07-01", datatype=XSD.date)
        assert changes.value(event, PROV.wasDerivedFrom) is not None


def test_merges_and_renames(changes: Graph) -> None:
    hcm = unit("79", "2025")
    assert set(changes.objects(hcm, PROV.wasRevisionOf)) == {unit("77"), unit("74"), unit("79")}
    hue = unit("46", "2025")
    assert set(changes.objects(hue, PROV.wasRevisionOf)) == {unit("46")}  # Thừa Thiên Huế
    event = resource("change", "2025/79")
    assert changes.value(event, PROV.generated) == hcm


def test_hideseek_rows_are_marked_less_certain(kgraph: KnowledgeGraph) -> None:
    changes = kgraph.graph("reference/provinces-2025")
    low = set(changes.subjects(CCHC.confidence, Literal("low")))
    assert low == {resource("change", "2025/75"), resource("change", "2025/80")}
    for event in low:
        assert "plan of April 2025" in str(changes.value(event, CCHC.note))


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("Atlantis,Hà Nội,http://a/\n", "not in the 2025 units list"),
        ("Hà Nội,Hà Nội;Atlantis,http://a/\n", "not in the 2020 units list"),
        ("Hà Nội,Hà Tây,http://a/\n", "not in the 2020 units list"),
    ],
)
def test_unmatched_province_names_raise(tmp_path: Path, row: str, reason: str) -> None:
    path = tmp_path / "provinces.csv"
    path.write_text("new_province,old_provinces,source_url\nHuế,Huế,http://b/\n" + row, "utf-8")
    with pytest.raises(KgDataError, match=reason) as info:
        load_provinces_2025(path, units_2020=UNITS_2020, units_2025=UNITS_2025)
    assert (info.value.path, info.value.line) == (str(path), 3)


# ---- the N-Triples the importers hand to a store ----------------------------------------------

TRICKY = ('Xã "Tân Lập"', "a\\b", "line\nbreak\r", "tab\there", "Hà Nội", "", "\x7f 😀 한")


def test_ntriples_literals_read_back_as_written() -> None:
    """What :func:`literal` escapes, :func:`read_ntriples` and Oxigraph's parser read back."""
    import pyoxigraph as ox

    from kg.ntriples import iri, literal, read_ntriples

    lines = [f"{iri('urn:s')} {iri('urn:p')} {literal(text, lang='vi')} ." for text in TRICKY]
    lines.append(f"{iri('urn:s')} {iri('urn:p')} {literal('2025-07-01', datatype=str(XSD.date))} .")
    lines.append(f"{iri('urn:s')} {iri('urn:p')} {literal('01')} .")
    text = "\n".join(lines) + "\n"
    expected = {Literal(t, lang="vi") for t in TRICKY}
    expected |= {Literal("2025-07-01", datatype=XSD.date), Literal("01")}
    assert {o for _, _, o in read_ntriples(text)} == expected
    parsed = {(t.object.value, t.object.language) for t in ox.parse(text, ox.RdfFormat.N_TRIPLES)}
    assert {(str(o), o.language) for o in expected} == parsed


def test_both_stores_hold_the_same_units_and_bodies(tmp_path: Path) -> None:
    """Oxigraph parses the importers' N-Triples itself; rdflib's store gets them as terms."""
    from kg.graph import KnowledgeGraph
    from kg.importers.bodies import bodies_ntriples
    from kg.importers.units import units_ntriples

    path = tmp_path / "units.csv"
    path.write_text(
        HEADER + '01,"Thành phố ""Hà"" Nội\\",thanh-pho-truc-thuoc-trung-uong,province,\n'
        "001,Quận Ba Đình,quan,district,01\n00001,Phường Phúc Xá,phuong,commune,001\n",
        "utf-8",
    )
    held = []
    for store in ("memory", "oxigraph"):
        kg = KnowledgeGraph(store=store)
        kg.add_ntriples("units", units_ntriples(path, era="2020"))
        kg.add_ntriples("bodies", bodies_ntriples(path, era="2020"))
        held.append({(g, s, p, o) for s, p, o, g in kg.quads()})
    assert held[0] == held[1]
    # each body 9 triples (its own class only: the build states the standard ones); Hà Nội's
    # two (the article's) get their class, level and unit only
    assert len(held[0]) == len(load_units(path, era="2020")) + 4 * 9 + 2 * 3
    assert (unit("01"), SCHEMA.name, Literal('Thành phố "Hà" Nội\\', lang="vi")) in {
        q[1:] for q in held[0]
    }


# ---- the lists of three tiers read together (kg/importers/history.py) --------------------------


def _lists(tmp_path: Path, lists: dict[str, tuple[str, str]]) -> Path:
    """A lists.csv and its units files: era → (day, rows)."""
    table = ["era,file,tiers,package_version,package_released,retrieved,retrieved_basis,districts"]
    for era, (day, rows) in lists.items():
        (tmp_path / f"units-{era}.csv").write_text(HEADER + rows, encoding="utf-8")
        table.append(f"{era},units-{era}.csv,3,0.0,{day},{day},test,all")
    path = tmp_path / "lists.csv"
    path.write_text("\n".join(table) + "\n", encoding="utf-8")
    return path


def test_history_follows_a_unit_through_the_lists_and_bounds_what_they_cannot_date(
    tmp_path: Path,
) -> None:
    from kg.importers.history import read_history

    province = "37,Tỉnh Ninh Bình,tinh,province,\n"
    path = _lists(
        tmp_path,
        {
            "2020-02-25": (
                "2020-02-25",
                province + "369,Thành phố Ninh Bình,thanh-pho-thuoc-tinh,district,37\n"
                "374,Huyện Hoa Lư,huyen,district,37\n"
                "14359,Phường Đông Thành,phuong,commune,369\n"
                "14362,Xã Ninh Khang,xa,commune,374\n14365,Xã Ninh Mỹ,xa,commune,374\n",
            ),
            "2020": (
                "2021-02-03",
                province + "369,Thành phố Ninh Bình,thanh-pho-thuoc-tinh,district,37\n"
                "374,Huyện Hoa Lư,huyen,district,37\n"
                "14359,Phường Đông Thành,phuong,commune,369\n"
                "14362,Xã Ninh Khang,xa,commune,374\n14365,Xã Ninh Mỹ,xa,commune,374\n",
            ),
            "2025-01-04": (
                "2025-01-04",
                province + "374,Thành phố Hoa Lư,thanh-pho-thuoc-tinh,district,37\n"
                "14359,Phường Đông Thành,phuong,commune,374\n"
                "14362,Xã Ninh Khang,xa,commune,374\n14365,Phường Ninh Mỹ,phuong,commune,374\n",
            ),
        },
    )
    history = read_history(path)
    units = {u.key: u for u in history.units}
    # one resource per code, name and parent's code; the IRIs of the 2021 list stay
    assert sorted(units) == ["14359", "14362", "14365", "2025-01-04/14359", "2025-01-04/14365",
                             "2025-01-04/374", "369", "37", "374"]  # fmt: skip
    assert units["14362"].parents == ["374", "2025-01-04/374"]  # its district was renamed
    assert units["14359"].parents == ["369"]  # moved to another district: a new resource
    assert units["37"].begin is None and units["37"].end == "unit-list-2020-end"
    # the merger: the new city took over the code of Huyện Hoa Lư and the communes of the old city
    (change,) = [c for c in history.changes if c.generated.key == "2025-01-04/374"]
    assert [u.key for u in change.used] == ["374", "369"]
    assert units["374"].end == units["369"].end == "change-2025-01-04-374-eve"
    day, eve = history.instants["change-2025-01-04-374"], history.instants[units["374"].end]
    assert (str(day.not_before), str(day.not_after)) == ("2021-02-04", "2025-01-04")
    assert (str(eve.not_before), str(eve.not_after), eve.before) == (
        "2021-02-03",
        "2025-01-03",
        "change-2025-01-04-374",
    )
    assert day.date is None  # the lists give no day
    # a commune that became a ward, and one moved to another district: changes of their own
    communes = [c for c in history.changes if c.generated.level == "commune"]
    assert [(c.generated.key, c.moved is not None) for c in communes] == [
        ("2025-01-04/14359", True),
        ("2025-01-04/14365", False),
    ]


def test_history_takes_spellings_of_one_name_as_one_unit(tmp_path: Path) -> None:
    from kg.importers.history import name_key, read_history

    assert name_key("Thị Trấn Châu Ổ") == name_key("Thị trấn Châu Ổ")
    assert name_key("Xã Hoà Bình") == name_key("Xã Hòa Bình")
    assert name_key("Phường 08") == name_key("Phường 8") != name_key("Phường 18")
    province = "95,Tỉnh Bạc Liêu,tinh,province,\n"
    path = _lists(
        tmp_path,
        {
            "2020": ("2021-02-03", province + "954,Thị Xã Giá Rai,thi-xa,district,95\n"),
            "2023-05-07": ("2023-05-07", province + "954,Thị xã Giá Rai,thi-xa,district,95\n"),
        },
    )
    history = read_history(path)
    (town,) = [u for u in history.units if u.level == "district"]
    assert town.key == "954" and town.names == ["Thị Xã Giá Rai", "Thị xã Giá Rai"]
    assert history.changes == []
