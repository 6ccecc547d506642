"""Tables of index values (data/indices/, issue 17): each row a sourced observation.

The importer is fed small tables written here, in the shape of data/indices/*.csv, and the
national graph is checked for what the tables promise: PCI for every province, year after year,
Hà Nội in every index, and the sources' disagreements kept, like with like.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, QB

import kg
from kg.errors import KgDataError
from kg.graph import KnowledgeGraph
from kg.importers.observations import (
    COMPLETE_TABLE,
    OBSERVATION_COLUMNS,
    is_observation_table,
    observations_ntriples,
)
from kg.namespaces import CCHC, SDMX_DIMENSION, resource

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "data" / "units"
HEADER = ",".join(OBSERVATION_COLUMNS)
WORKBOOK = (
    "mdtrinh/vietnam_elections,84348767096a193634f9d4fb6c4116dbf4789a05,Data/PCI/PCI 2019.xlsx"
)
PAGE = "https://example.org/pci-2019,PCI 2019,2020-05-06,,,,,"  # url .. source_column
BASIS = "https://w3id.org/cchc/id/rank-basis/"
HA_NOI = URIRef("https://w3id.org/cchc/id/unit/01")


def table(tmp_path: Path, *rows: str, name: str = "pci.csv") -> Graph:
    """The observations of a table with these rows, parsed."""
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    g = Graph()
    g.parse(data=observations_ntriples(path, UNITS), format="nt")
    return g


def ranks(g: Graph) -> dict[str, tuple[int, str]]:
    """{area IRI: (rank, basis slug)} of the observations that hold a rank."""
    found = {}
    for node, rank in g.subject_objects(CCHC.rank):
        area = str(g.value(node, SDMX_DIMENSION.refArea))
        found[area] = (rank.toPython(), str(g.value(node, CCHC.rankBasis)).removeprefix(BASIS))
    return found


def test_a_page_row_keeps_its_source_quote_and_stated_rank(tmp_path: Path) -> None:
    g = table(tmp_path, f"pci,Hà Nội,2019,68.80,9,63,stated,{PAGE},Hà Nội xếp thứ 9,")
    (node,) = g.subjects(CCHC.rank, None)
    assert g.value(node, CCHC.score) == Literal(Decimal("68.80"))
    assert g.value(node, SDMX_DIMENSION.refArea) == HA_NOI
    assert g.value(node, QB.dataSet) == resource("dataset", "pci")
    assert ranks(g) == {str(HA_NOI): (9, "stated")}
    assert g.value(node, CCHC.rankOutOf).toPython() == 63
    source = g.value(node, PROV.wasDerivedFrom)
    assert (source, URIRef("https://schema.org/url"), URIRef("https://example.org/pci-2019")) in g
    quote = g.value(node, CCHC.quote)
    assert (str(quote), quote.language) == ("Hà Nội xếp thứ 9", "vi")


def test_an_inferred_rank_is_an_observation_of_its_own(tmp_path: Path) -> None:
    g = table(tmp_path, f"pci,Quảng Ninh,2019,73.40,1,,inferred,{PAGE},Quảng Ninh dẫn đầu,")
    (ranked,) = g.subjects(CCHC.rank, None)
    (scored,) = g.subjects(CCHC.score, None)
    assert ranked != scored and (ranked, PROV.wasDerivedFrom, scored) in g
    assert ranks(g)[str(g.value(ranked, SDMX_DIMENSION.refArea))] == (1, "inferred")
    assert g.value(scored, CCHC.rank) is None  # the source's row states no number


def test_a_data_file_row_names_repository_commit_file_and_place(tmp_path: Path) -> None:
    g = table(
        tmp_path, f"pci,Đà Nẵng,2019,70.15,5,63,stated,,,,{WORKBOOK},7,sheet 'Summary' column C,,"
    )
    (node,) = g.subjects(CCHC.score, None)
    assert str(g.value(node, CCHC.locator)) == "row 7; sheet 'Summary' column C"
    source = g.value(node, PROV.wasDerivedFrom)
    assert str(source).startswith(str(resource("source", "")))
    url = str(g.value(source, URIRef("https://schema.org/url")))
    assert url == (
        "https://github.com/mdtrinh/vietnam_elections/blob/"
        "84348767096a193634f9d4fb6c4116dbf4789a05/Data/PCI/PCI%202019.xlsx"
    )


def test_aliases_find_abbreviated_names_and_skip_provinces_that_are_gone(tmp_path: Path) -> None:
    g = table(
        tmp_path,
        f"pci,TP.HCM,2019,65.00,,,,{PAGE},TP.HCM,",
        f"pci,Hà Tây,2007,55.00,,,,{PAGE},Hà Tây,",
        f"pci,Ha Noi,2019,68.80,,,,{PAGE},Hanoi,",
    )
    areas = {str(a) for a in g.objects(None, SDMX_DIMENSION.refArea)}
    # Hà Tây (merged into Hà Nội in 2008) is skipped, never given to Hà Nội
    assert areas == {str(HA_NOI), "https://w3id.org/cchc/id/unit/79"}


def test_a_complete_table_without_ranks_gets_computed_ranks_ties_shared(tmp_path: Path) -> None:
    names = (UNITS / "units-2020.csv").read_text(encoding="utf-8").splitlines()
    header = names[0].split(",")
    provinces = [
        dict(zip(header, line.split(","), strict=False))
        for line in names[1:]
        if "province" in line.split(",")[header.index("level")]
    ]
    assert len(provinces) == 63 >= COMPLETE_TABLE
    rows = []
    for i, p in enumerate(provinces):
        score = Decimal(90) - i if i != 1 else Decimal(90)  # the second ties with the first
        rows.append(f"pci,{p['name']},2011,{score},,,,,,,{WORKBOOK},{i + 2},B,,")
    g = table(tmp_path, *rows)
    computed = ranks(g)
    assert len(computed) == 63 and {b for _, b in computed.values()} == {"computed"}
    by_rank = sorted(r for r, _ in computed.values())
    assert by_rank[:3] == [1, 1, 3]  # a tie shares the rank, the next takes its place
    node = next(iter(g.subjects(CCHC.rank, None)))
    assert g.value(node, CCHC.rankOutOf).toPython() == 63
    assert g.value(node, CCHC.score) is None  # the rank is its own observation
    # a table short of every province is not ranked: its order says nothing of a place
    assert ranks(table(tmp_path, *rows[:20], name="short.csv")) == {}


@pytest.mark.parametrize(
    ("row", "fault"),
    [
        (f"pci,Atlantis,2019,1,,,,{PAGE},x,", "'Atlantis' is not a province"),
        ("pci,Hà Nội,2019,1,,,,,,,,,,,,x,", "has no source"),
        (f"pci,Hà Nội,19,1,,,,{PAGE},x,", "'19' is not a year"),
        (f"pci,Hà Nội,2019,abc,,,,{PAGE},x,", "score 'abc' is not a number"),
        (f'pci,Hà Nội,2019,"68,80",,,,{PAGE},x,', "write a decimal with a point"),
        (f"pci,Hà Nội,2019,1,2,,guessed,{PAGE},x,", "rank_basis 'guessed'"),
        (f"PCI 2019,Hà Nội,2019,1,,,,{PAGE},x,", "not a slug"),
        ("pci,Hà Nội,2019,1,,,,,,,someone/repo,abc,f.xlsx,,,,", "not a 40-hex commit"),
    ],
)
def test_a_bad_row_is_refused_naming_file_and_line(tmp_path: Path, row: str, fault: str) -> None:
    with pytest.raises(KgDataError) as caught:
        table(tmp_path, f"pci,Hà Nội,2019,68.80,,,,{PAGE},Hà Nội,", row)
    message = str(caught.value)
    assert "pci.csv" in message and ":3" in message and fault in message


def test_only_tables_of_index_values_are_loaded_as_such(tmp_path: Path) -> None:
    assert all(
        is_observation_table(p)
        for p in (ROOT / "data" / "indices").rglob("*-*.csv")
        if p.name != "datasets.csv"
    )
    assert not is_observation_table(ROOT / "data" / "indices" / "datasets.csv")
    assert not is_observation_table(tmp_path / "missing.csv")


# ---- the national graph -----------------------------------------------------------------------


def _select(graph: KnowledgeGraph, text: str) -> list[tuple[object, ...]]:
    return [
        tuple(v.toPython() if isinstance(v, Literal) else str(v) for v in row)
        for row in graph.sparql(text)
    ]


def test_pci_ranks_every_province_for_at_least_ten_years(national: KnowledgeGraph) -> None:
    rows = _select(
        national,
        """SELECT ?year (COUNT(DISTINCT ?area) AS ?areas) WHERE {
            ?o qb:dataSet <https://w3id.org/cchc/id/dataset/pci> ;
               sdmx-dimension:refPeriod ?year ; sdmx-dimension:refArea ?area ;
               cchc:score ?score .
            FILTER (STRSTARTS(STR(?area), "https://w3id.org/cchc/id/unit/"))
        } GROUP BY ?year HAVING (COUNT(DISTINCT ?area) >= 63) ORDER BY ?year""",
    )
    years = [int(str(y)) for y, _ in rows]
    assert len(years) >= 10 and all(n == 63 for _, n in rows)
    assert {2009, 2019, 2022} <= set(years)
    ranked = kg.query(national, "top-provinces", index="id:index/pci", year="2019", n=63)
    assert len({r["area"] for r in ranked}) >= 63


def test_ha_noi_has_a_value_in_every_index_and_every_year_published(
    national: KnowledgeGraph,
) -> None:
    rows = list(kg.query(national, "hanoi-index-ranks"))
    years = {}
    for r in rows:
        if "year" in r and ("score" in r or "rank" in r):
            years.setdefault(str(r["index"]).rsplit("/", 1)[-1], set()).add(int(str(r["year"])))
    assert set(range(2005, 2023)) <= years["pci"]
    assert set(range(2011, 2020)) <= years["papi"]
    assert {"par-index", "sipas"} <= years.keys()


@pytest.mark.parametrize(
    ("dataset", "area", "year", "measure", "values"),
    [
        # a page against the workbook
        ("papi", "unit/22", "2019", "score", {Decimal("44.66"), Decimal("46.66")}),
        ("papi", "unit/22", "2020", "score", {Decimal("48.811"), Decimal("48.881")}),
        # the article's derived rank and VCCI's workbook against a news page
        ("pci", "unit/01", "2012", "rank", {Decimal(51), Decimal(52)}),
        ("pci", "unit/01", "2016", "score", {Decimal("60.74"), Decimal("62.74")}),
    ],
)
def test_conflicts_are_listed_like_with_like(
    national: KnowledgeGraph,
    dataset: str,
    area: str,
    year: str,
    measure: str,
    values: set[Decimal],
) -> None:
    rows = list(kg.query(national, "source-conflicts"))
    mine = [
        r
        for r in rows
        if str(r["area"]).endswith(area)
        and str(r["year"]) == year
        and str(r["dataSet"]).endswith(f"/{dataset}")
        and str(r["measure"]) == measure
    ]
    assert mine, f"no conflict listed for {dataset} {area} {year}"
    found = {Decimal(str(r[k])) for r in mine for k in ("valueA", "valueB")}
    assert values <= found
    # like with like: never a PCI value against a PAPI one, a score against a rank, an
    # index against its sub-index, or one year against another
    mixed = national.sparql(
        """ASK { ?a cchc:conflictsWith ?b .
            VALUES ?dimension { qb:dataSet sdmx-dimension:refArea sdmx-dimension:refPeriod }
            ?a ?dimension ?x . ?b ?dimension ?y .
            FILTER (?x != ?y) }"""
    )
    assert mixed.askAnswer is False


_CONFLICT_CASES = """
@prefix cchc: <https://w3id.org/cchc/ontology#> .
@prefix ex: <https://example.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:round-a qb:dataSet ex:pci ; sdmx-dimension:refArea ex:hcm ;
    sdmx-dimension:refPeriod "2015"^^xsd:gYear ; cchc:score 61.3591 ; prov:wasDerivedFrom ex:a .
ex:round-b qb:dataSet ex:pci ; sdmx-dimension:refArea ex:hcm ;
    sdmx-dimension:refPeriod "2015"^^xsd:gYear ; cchc:score 61.36 ; prov:wasDerivedFrom ex:b .
ex:real-a qb:dataSet ex:pci ; sdmx-dimension:refArea ex:hn ;
    sdmx-dimension:refPeriod "2016"^^xsd:gYear ; cchc:score 60.74 ; prov:wasDerivedFrom ex:a .
ex:real-b qb:dataSet ex:pci ; sdmx-dimension:refArea ex:hn ;
    sdmx-dimension:refPeriod "2016"^^xsd:gYear ; cchc:score 62.74 ; prov:wasDerivedFrom ex:b .
ex:rank-a qb:dataSet ex:pci ; sdmx-dimension:refArea ex:hn ;
    sdmx-dimension:refPeriod "2012"^^xsd:gYear ; cchc:rank 51 ; prov:wasDerivedFrom ex:a .
ex:rank-b qb:dataSet ex:pci ; sdmx-dimension:refArea ex:hn ;
    sdmx-dimension:refPeriod "2012"^^xsd:gYear ; cchc:rank 52 ; prov:wasDerivedFrom ex:b .
ex:sub qb:dataSet ex:pci-transparency ; sdmx-dimension:refArea ex:hn ;
    sdmx-dimension:refPeriod "2016"^^xsd:gYear ; cchc:score 6.1 ; prov:wasDerivedFrom ex:b .
ex:next-year qb:dataSet ex:pci ; sdmx-dimension:refArea ex:hn ;
    sdmx-dimension:refPeriod "2017"^^xsd:gYear ; cchc:score 62.74 ; prov:wasDerivedFrom ex:b .
ex:score-not-rank qb:dataSet ex:pci ; sdmx-dimension:refArea ex:hn ;
    sdmx-dimension:refPeriod "2012"^^xsd:gYear ; cchc:score 51.2 ; prov:wasDerivedFrom ex:b .
"""


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_the_conflict_rule_pairs_like_with_like_beyond_rounding(store: str) -> None:
    """ontology/rules/conflicting-values.rq, the one definition of a disagreement."""
    from kg.build import derive  # the build's own rule, as kg build runs it

    graph = KnowledgeGraph(store=store)
    graph.add_ntriples(
        "https://example.org/data",
        Graph().parse(data=_CONFLICT_CASES, format="turtle").serialize(format="nt"),
    )
    derive(graph, [ROOT / "ontology" / "rules" / "conflicting-values.rq"])
    pairs = {
        tuple(sorted(str(t).rsplit("/", 1)[-1] for t in row))
        for row in graph.sparql("SELECT ?a ?b WHERE { ?a cchc:conflictsWith ?b }")
    }
    assert pairs == {("real-a", "real-b"), ("rank-a", "rank-b")}
