"""Regions of provinces (data/units/regions.csv, issue 17) and the leaders and laggards of one.

The importer is fed small tables written here, in the shape of data/units/regions.csv, and the
project's table is checked for what its sources promise (each division puts every province of its
era in one region); then ``region-ranking`` is asked about the Red River Delta on the built
graphs, and its answer is checked against the index values the graph holds.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

import kg
from kg.cli import cli
from kg.errors import KgDataError
from kg.graph import KnowledgeGraph
from kg.importers.regions import REGION_COLUMNS, SCHEME_COLUMNS, load_regions
from kg.importers.units import province_names
from kg.namespaces import CCHC, ID, SCHEMA

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "data" / "units"
PAGE = "https://example.org/vung,Các vùng"
SCHEMES = (
    "nq-81-2023,Vùng theo NQ 81,Regions of Resolution 81,Sáu vùng.,Six regions.,"
    "https://example.org/nq81,Nghị quyết 81,Theo Nghị quyết 81/2023/QH15 của Quốc hội"
)
DELTA = ID["region/nq-81-2023/dong-bang-song-hong"]
DELTA_2025 = ID["region/nq-306-2025/dong-bang-song-hong"]
QUOTE = '"Vùng đồng bằng sông Hồng, gồm: Hà Nội, Hoà Bình, Bà Rịa – Vũng Tàu và TP.HCM."'


def row(province: str, *, region: str = "dong-bang-song-hong", scheme: str = "nq-81-2023",
        vi: str = "Đồng bằng sông Hồng", en: str = "Red River Delta", era: str = "2020",
        quote: str = QUOTE, note: str = "") -> str:  # fmt: skip
    return f"{region},{scheme},{vi},{en},{province},{era},{PAGE},{quote},{note}"


def regions(tmp_path: Path, *rows: str, schemes: tuple[str, ...] = (SCHEMES,)) -> Graph:
    """The graph of a regions table with these rows, its schemes beside it."""
    (tmp_path / "region-schemes.csv").write_text(
        "\n".join((",".join(SCHEME_COLUMNS), *schemes)) + "\n", encoding="utf-8"
    )
    path = tmp_path / "regions.csv"
    path.write_text("\n".join((",".join(REGION_COLUMNS), *rows)) + "\n", encoding="utf-8")
    return load_regions(path, UNITS)


def test_rows_become_a_region_of_its_scheme_with_its_provinces_source_and_words(
    tmp_path: Path,
) -> None:
    g = regions(
        tmp_path,
        row("Hà Nội", note="A note."),
        row("Hoà Bình"),  # the source's accent placement: the list writes Hòa Bình
        row("Bà Rịa – Vũng Tàu"),  # an en dash where the list has a hyphen
        row("TP.HCM"),  # an abbreviation of data/units/aliases.csv
    )
    assert set(g.subjects(RDF.type, CCHC.Region)) == {DELTA}
    scheme = ID["scheme/regions-nq-81-2023"]
    assert g.value(DELTA, SKOS.inScheme) == scheme == g.value(DELTA, SKOS.topConceptOf)
    assert (scheme, SKOS.hasTopConcept, DELTA) in g
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g
    assert set(g.objects(scheme, SKOS.definition)) == {
        Literal("Sáu vùng.", lang="vi"),
        Literal("Six regions.", lang="en"),
    }
    assert set(g.objects(DELTA, RDFS.label)) == {
        Literal("Đồng bằng sông Hồng", lang="vi"),
        Literal("Red River Delta", lang="en"),
    }
    assert set(g.objects(DELTA, SCHEMA.containsPlace)) == {
        ID["unit/01"],
        ID["unit/17"],
        ID["unit/77"],
        ID["unit/79"],
    }
    (source,) = g.objects(DELTA, PROV.wasDerivedFrom)
    assert g.value(source, SCHEMA.url) == URIRef("https://example.org/vung")
    assert g.value(source, RDF.type) == CCHC.Source
    assert list(g.objects(DELTA, CCHC.quote)) == [Literal(QUOTE.strip('"'), lang="vi")]
    assert list(g.objects(DELTA, CCHC.note)) == [Literal("A note.", lang="en")]
    # the scheme keeps its own source and words
    assert str(g.value(g.value(scheme, PROV.wasDerivedFrom), SCHEMA.url)).endswith("/nq81")
    assert g.value(scheme, CCHC.quote) == Literal(
        "Theo Nghị quyết 81/2023/QH15 của Quốc hội", lang="vi"
    )


def test_a_region_of_2025_holds_the_units_of_1_july_2025(tmp_path: Path) -> None:
    schemes = (SCHEMES, SCHEMES.replace("nq-81-2023", "nq-306-2025", 1))
    g = regions(
        tmp_path,
        row("Hà Nội"),
        row("Hà Nội", scheme="nq-306-2025", era="2025"),
        schemes=schemes,
    )
    assert list(g.objects(DELTA_2025, SCHEMA.containsPlace)) == [ID["unit/2025/01"]]
    assert list(g.objects(DELTA, SCHEMA.containsPlace)) == [ID["unit/01"]]
    # a province may lie in a region of each division
    assert len(set(g.subjects(RDF.type, CCHC.Region))) == 2


def test_an_unknown_province_names_the_file_line_and_name(tmp_path: Path) -> None:
    with pytest.raises(KgDataError) as caught:
        regions(tmp_path, row("Hà Nội"), row("Atlantis", quote='"gồm Atlantis"'))
    message = str(caught.value)
    assert "regions.csv:3" in message
    assert "'Atlantis' is not a province of the 2020 units list" in message


@pytest.mark.parametrize(
    ("bad", "fault"),
    [
        (row("Hải Phòng"), "the quote does not name the province 'Hải Phòng'"),
        (row("Hà Nội", quote=""), "has no quote"),
        (row("Hà Nội", region="Đồng bằng"), "region_id 'Đồng bằng' is not a slug"),
        (row("Hà Nội", scheme="gso"), "the scheme 'gso' is not defined"),
        (row("Hà Nội", era="2019"), "era '2019' is not one of 2020, 2025"),
        (row("Hà Nội", region="bac-bo"), "'Hà Nội' is already in 'dong-bang-song-hong'"),
        (row("Hanoi", quote='"Hanoi"'), "'Hanoi' is already in this region"),
        (row("Hoà Bình", en="Delta"), "region_en 'Delta' differs from 'Red River Delta'"),
        (row("Hà Nội", era="2025"), "the scheme 'nq-81-2023' is of era 2020 (line 2)"),
    ],
)
def test_a_bad_row_is_refused_naming_file_and_line(tmp_path: Path, bad: str, fault: str) -> None:
    with pytest.raises(KgDataError) as caught:
        regions(tmp_path, row("Hà Nội"), bad)
    message = str(caught.value)
    assert "regions.csv:3" in message and fault in message


def test_each_division_of_the_project_puts_every_province_of_its_era_in_one_region() -> None:
    g = load_regions(UNITS / "regions.csv", UNITS)
    for scheme, era, count in (("nq-81-2023", "2020", 6), ("nq-306-2025", "2025", 6)):
        members = [
            place
            for region in g.subjects(SKOS.inScheme, ID[f"scheme/regions-{scheme}"])
            for place in g.objects(region, SCHEMA.containsPlace)
        ]
        provinces = province_names(UNITS / f"units-{era}.csv").values()
        prefix = "" if era == "2020" else "2025/"
        assert sorted(members) == sorted(ID[f"unit/{prefix}{p.code}"] for p in provinces)
        assert len(set(g.subjects(SKOS.inScheme, ID[f"scheme/regions-{scheme}"]))) == count
    # every region says where its provinces come from, in its source's words
    for region in g.subjects(RDF.type, CCHC.Region):
        assert g.value(region, PROV.wasDerivedFrom) is not None
        assert g.value(region, CCHC.quote).language == "vi"
        assert {label.language for label in g.objects(region, RDFS.label)} == {"vi", "en"}


# ---- region-ranking on the built graphs --------------------------------------------------------


def ranking(graph: KnowledgeGraph, **params: Any) -> list[dict[str, Any]]:
    return list(kg.query(graph, "region-ranking", **params))


def short(term: object) -> str:
    return str(term).removeprefix(str(ID))


def test_the_red_river_delta_of_pci_2019_is_ranked_by_score(national: KnowledgeGraph) -> None:
    rows = ranking(national, year="2019")
    # the eleven provinces of the region, each with the score and rank of VCCI's workbook
    assert sorted(short(r["area"]) for r in rows) == sorted(
        f"unit/{code}"
        for code in ("01", "31", "30", "33", "26", "27", "34", "36", "35", "37", "22")
    )
    assert all("score" in r and "rank" in r for r in rows)
    scores = [Decimal(str(r["score"])) for r in rows]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 11
    assert [int(r["position"]) for r in rows] == list(range(1, 12))
    # the national ranks the sources state agree with the order of the scores
    ranks = [int(r["rank"]) for r in rows]
    assert ranks == sorted(ranks)
    assert {int(r["rankOutOf"]) for r in rows} == {63}
    assert {str(r["rankBasis"]) for r in rows} == {str(ID["rank-basis/stated"])}
    assert all(str(r["scoreSource"]).startswith("https://") for r in rows)
    assert all(str(r["rankSource"]).startswith("https://") for r in rows)
    (first, *_), last = rows, rows[-1]
    assert (short(first["area"]), int(first["rank"]), scores[0]) == ("unit/22", 1, Decimal("73.4"))
    assert (short(last["area"]), int(last["rank"])) == ("unit/33", 55)
    # a page's 70.79 and the workbook's 70.7908935546875 are one value written two ways
    assert "conflicts" not in rows[1]


def test_a_province_whose_sources_disagree_says_how_many_values_are_contradicted(
    national: KnowledgeGraph,
) -> None:
    """PAPI 2019 Quảng Ninh: 46.66 in the workbook and a page, 44.66 in another page."""
    rows = ranking(national, index="id:index/papi", year="2019")
    (quang_ninh,) = [r for r in rows if short(r["area"]) == "unit/22"]
    assert (
        Decimal(str(quang_ninh["score"])) == Decimal("46.66") and int(quang_ninh["conflicts"]) >= 2
    )
    conflicts = kg.query(national, "source-conflicts")
    assert any(
        (short(r["area"]), str(r["year"]), short(r["dataSet"]))
        == ("unit/22", "2019", "dataset/papi")
        for r in conflicts
    )


def test_a_province_lies_in_a_region_of_each_division(national: KnowledgeGraph) -> None:
    """Hà Nội is in Đồng bằng sông Hồng under both resolutions, as the unit of each era."""
    before = {short(r["area"]) for r in ranking(national, year="2019")}
    after = ranking(national, region=str(DELTA_2025), year="2019", lang="en")
    assert "unit/01" in before
    assert sorted(short(r["area"]) for r in after) == [
        "unit/2025/01", "unit/2025/22", "unit/2025/24", "unit/2025/31", "unit/2025/33",
        "unit/2025/37",
    ]  # fmt: skip
    # no index has a value of the 34 provinces yet: every row is there, with no position
    assert all("position" not in r and "score" not in r for r in after)
    assert {str(r["areaLabel"]) for r in after} >= {"Hà Nội City", "Quảng Ninh Province"}


def test_provinces_without_a_value_come_last_without_a_position(kgraph: KnowledgeGraph) -> None:
    """The provinces-only build holds the values of news pages only: PCI 2019 for a few."""
    rows = ranking(kgraph, year="2019")
    assert len(rows) == 11
    scored = [r for r in rows if "score" in r]
    assert scored and len(scored) < 11
    assert rows[: len(scored)] == scored
    assert all("position" not in r for r in rows[len(scored) :])


def test_kg_query_region_ranking_on_the_command_line(
    kgraph: KnowledgeGraph, tmp_path: Path
) -> None:
    data = tmp_path / "cchc.trig"
    data.write_bytes(kg.serialize(kgraph, kg.Format.TRIG))
    region = "id:region/nq-81-2023/dong-bang-song-cuu-long"
    args = ["query", "--data", str(data), "region-ranking", "--param", f"region={region}"]
    result = CliRunner().invoke(cli, [*args, "--param", "year=2019", "--format", "csv"])
    assert result.exit_code == 0, result.output
    header, *lines = result.output.splitlines()
    assert header.startswith("position,area,areaLabel,score,rank,rankOutOf,rankBasis,conflicts")
    assert len(lines) == 13  # the thirteen provinces of the Mekong Delta
    unknown = CliRunner().invoke(cli, [*args, "--param", "year=twenty"])
    assert unknown.exit_code == 2 and "year" in unknown.output


def test_the_readme_shows_the_real_answer(national: KnowledgeGraph) -> None:
    """The README's example of region-ranking is this checkout's national answer."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    command = text.index("region-ranking --param region=id:region/nq-81-2023/dong-bang-song-hong")
    shown = text[command:].split("```")[2].strip().splitlines()
    rows = ranking(national, region=str(DELTA), index="id:index/pci", year="2019")
    answer = [
        ",".join(
            (
                str(r["position"]),
                str(r["areaLabel"]),
                str(r["score"]),
                str(r["rank"]),
                str(r["rankOutOf"]),
            )
        )
        for r in rows
    ]
    assert shown == ["position,areaLabel,score,rank,rankOutOf", *answer]
