"""Vietnam at national scale (issues 5, 17): units of 2020–2025 and 2025, their bodies, queries,
shapes.

The counts are the sources' own totals: the statistics office's lists of three tiers have 63
provinces and 707, 705, 705 and 696 district-level and 10,767, 10,603, 10,598 and 10,051
commune-level units (25 February 2020, 3 February 2021, 7 May 2023, 4 January 2025); the list of
1 July 2025 has 34 provinces and 3,321 communes. Hà Nội had 30 districts and 579 communes in
2021, 526 communes in 2025 before the reform, and has 126 communes. The national graph is built
once per session (the ``national`` fixture of conftest.py).
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal
from rdflib.namespace import SH

import kg
from kg.cli import cli
from kg.graph import KnowledgeGraph
from kg.namespaces import CCHC, PREFIXES, resource, sparql_prefixes

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases" / "shapes"

UNIT = "https://w3id.org/cchc/id/unit/"
UBND_HA_NOI = resource("agency", "ubnd-thanh-pho-ha-noi")
HDND_HA_NOI = resource("agency", "hdnd-thanh-pho-ha-noi")

#: The shapes of the "National units and their bodies" section of ontology/shapes.ttl.
NATIONAL_SHAPES = (
    "UnitCodeLengthShape",
    "UnitParentShape",
    "UnitValidTimeShape",
    "UnitNameShape",
    "UnitCodeUniqueShape",
    "OneUnitAtATimeShape",
)


#: The units of the four lists of three tiers: a unit that stands in several with the same code,
#: name and parent's code is one (data/units/README.md).
THREE_TIERS = 12_510

#: Relative IRIs in the tests' SPARQL are our resources: ``<unit/2025/01>`` (a prefixed name
#: cannot hold the ``/`` of ``id:unit/2025/01``).
BASE = "BASE <https://w3id.org/cchc/id/>\n"


@pytest.fixture(scope="module")
def kgraph(national: KnowledgeGraph) -> KnowledgeGraph:
    """This module checks the national build: the whole country, not the provinces-only one."""
    return national


def ask(kgraph: KnowledgeGraph, query: str) -> bool:
    """The answer of an ASK query."""
    return bool(kgraph.sparql(BASE + query).askAnswer)


def select(kgraph: KnowledgeGraph, query: str) -> list[tuple[object, ...]]:
    """Rows of a SELECT as Python values (strings for IRIs, ints for counts)."""
    rows = []
    for row in kgraph.sparql(BASE + query):
        rows.append(tuple(v.toPython() if isinstance(v, Literal) else str(v) for v in row))
    return rows


def short(value: object) -> str:
    """The last segment of an IRI: a level's or kind's slug, a class's local name."""
    return re.split(r"[/#]", str(value))[-1]


# ---- counts against the sources' totals -------------------------------------------------------


@pytest.mark.parametrize(
    ("era", "expected"),
    [
        ("2020-02-25", {"province": 63, "district": 707, "commune": 10_767}),
        ("2020", {"province": 63, "district": 705, "commune": 10_603}),
        ("2023-05-07", {"province": 63, "district": 705, "commune": 10_598}),
        ("2025-01-04", {"province": 63, "district": 696, "commune": 10_051}),
        ("2025", {"province": 34, "commune": 3_321}),
    ],
)
def test_units_of_each_list_match_the_sources_totals(
    kgraph: KnowledgeGraph, era: str, expected: dict[str, int]
) -> None:
    """Each unit names every list it is in as its source."""
    rows = select(
        kgraph,
        f"""SELECT ?level (COUNT(DISTINCT ?unit) AS ?n) WHERE {{
            ?unit a cchc:AdministrativeUnit , schema:AdministrativeArea ;
                prov:wasDerivedFrom <source/gso-units-{era}> ; cchc:level ?level .
        }} GROUP BY ?level""",
    )
    assert {short(level): n for level, n in rows} == expected


@pytest.mark.parametrize(
    ("cls", "abbr"), [("PeoplesCommittee", "UBND"), ("PeoplesCouncil", "HĐND")]
)
def test_every_unit_has_exactly_one_body_of_each_kind(
    kgraph: KnowledgeGraph, cls: str, abbr: str
) -> None:
    rows = select(
        kgraph,
        f"""SELECT ?bodies (COUNT(DISTINCT ?unit) AS ?units) WHERE {{
            {{ SELECT ?unit (COUNT(DISTINCT ?body) AS ?bodies) WHERE {{
                ?unit a cchc:AdministrativeUnit .
                OPTIONAL {{ ?body cchc:governs ?unit ; dct:spatial ?unit ; a cchc:{cls} }}
            }} GROUP BY ?unit }}
        }} GROUP BY ?bodies""",
    )
    # the units of the lists of three tiers (a unit in several lists is one), and of 2025
    assert dict(rows) == {1: THREE_TIERS + 3_355}
    # one fewer body than units: Hà Nội's serves both lists
    bodies = select(kgraph, f"SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{ ?b a cchc:{cls} }}")
    assert bodies == [(THREE_TIERS + 3_355 - 1,)]


def test_generated_bodies_state_the_standard_types_labels_and_source(
    kgraph: KnowledgeGraph,
) -> None:
    missing = select(
        kgraph,
        """SELECT (COUNT(DISTINCT ?body) AS ?n) WHERE {
            ?body a cchc:PeoplesCommittee .
            FILTER NOT EXISTS {
                ?body a cchc:Agency , org:FormalOrganization , org:Organization ;
                    cchc:level ?level ; cchc:governs ?unit ; dct:spatial ?unit .
                ?body rdfs:label ?vi , ?en .
                FILTER (LANG(?vi) = "vi" && LANG(?en) = "en")
            }
        }""",
    )
    assert missing == [(0,)]
    unsourced = select(
        kgraph,
        """SELECT (COUNT(DISTINCT ?body) AS ?n) WHERE {
            ?body a cchc:PeoplesCouncil .
            FILTER (?body != <agency/hdnd-thanh-pho-ha-noi>)
            FILTER NOT EXISTS { ?body prov:wasDerivedFrom ?source ; cchc:validDuring ?t }
        }""",
    )
    assert unsourced == [(0,)]


# ---- Hà Nội: the article's bodies are the generated ones ---------------------------------------


def test_ha_noi_bodies_are_the_articles_and_govern_both_lists(kgraph: KnowledgeGraph) -> None:
    for body in (UBND_HA_NOI, HDND_HA_NOI):
        governs = {u for (u,) in select(kgraph, f"SELECT ?u {{ <{body}> cchc:governs ?u }}")}
        assert governs == {UNIT + "01", UNIT + "2025/01"}
        labels = select(kgraph, f'SELECT ?l {{ <{body}> rdfs:label ?l FILTER (LANG(?l) = "vi") }}')
        assert len(labels) == 1  # the article's label, no generated second one
    assert not ask(
        kgraph,
        "ASK { VALUES ?b { <agency/ubnd/01> <agency/hdnd/01> <agency/ubnd/2025/01> } ?b ?p ?o }",
    )
    assert ask(kgraph, "ASK { <unit/2025/01> prov:wasRevisionOf <unit/01> }")


def test_bodies_sit_in_the_hierarchy_with_vietnamese_names(kgraph: KnowledgeGraph) -> None:
    chain = {
        "agency/ubnd/00001": "agency/ubnd/001",  # Phường Phúc Xá → Quận Ba Đình
        "agency/ubnd/001": "agency/ubnd-thanh-pho-ha-noi",  # → Hà Nội
        "agency/hdnd/001": "agency/hdnd-thanh-pho-ha-noi",
        "agency/ubnd/2025/00004": "agency/ubnd-thanh-pho-ha-noi",  # Phường Ba Đình (2025)
        "agency/ubnd/2025/08": None,  # Tuyên Quang: a province, under no body of ours
    }
    for body, parent in chain.items():
        found = [p for (p,) in select(kgraph, f"SELECT ?p {{ <{body}> org:subOrganizationOf ?p }}")]
        assert found == ([str(resource(*parent.split("/", 1)))] if parent else [])
    labels = select(
        kgraph,
        "SELECT ?l { <agency/ubnd/001> rdfs:label|skos:altLabel ?l }",
    )
    assert sorted(label for (label,) in labels) == [
        "Ba Đình District People's Committee",
        "UBND quận Ba Đình",
        "Ủy ban nhân dân quận Ba Đình",
    ]
    tq = select(
        kgraph,
        'SELECT ?l { <agency/hdnd/2025/08> rdfs:label ?l FILTER (LANG(?l) = "vi") }',
    )
    assert tq == [("Hội đồng nhân dân tỉnh Tuyên Quang",)]


# ---- the queries of the catalog ---------------------------------------------------------------


def levels_of(rows: list[dict[str, object]]) -> Counter[str]:
    return Counter(short(row["level"]) for row in rows)


@pytest.mark.parametrize(
    ("area", "date", "expected"),
    [
        # three communes of Phúc Thọ were renamed between the lists of 2020 and 2021, on a day
        # the lists do not give: on 22 October 2020 the other 576 are surely there
        ("id:unit/01", "2020-10-22", {"district": 30, "commune": 576}),
        ("id:unit/01", "2021-02-03", {"district": 30, "commune": 579}),  # the list of 2021
        ("id:unit/01", "2025-07-01", {"commune": 126}),
        ("id:unit/2025/01", "2021-02-03", {"district": 30, "commune": 579}),  # the same city
        ("id:unit/01", "2025-01-15", {"district": 30, "commune": 526}),  # the list of 2025-01-04
        ("id:unit/01", "2025-06-30", {"district": 30, "commune": 526}),  # last three-tier day
        ("id:unit/02", "2025-07-01", {}),  # Hà Giang was merged into Tuyên Quang
    ],
)
def test_units_in_area(
    kgraph: KnowledgeGraph, area: str, date: str, expected: dict[str, int]
) -> None:
    rows = kg.query(kgraph, "units-in-area", area=area, date=date).to_python()
    assert levels_of(rows) == Counter(expected)
    assert len({row["unit"] for row in rows}) == len(rows)


def test_units_in_area_lists_kinds_codes_and_parents(kgraph: KnowledgeGraph) -> None:
    rows = kg.query(kgraph, "units-in-area", area="id:unit/01", date="2021-02-03", lang="en")
    kinds = Counter(
        short(row["kind"]) for row in rows.to_python() if short(row["level"]) == "district"
    )
    assert kinds == Counter({"quan": 12, "huyen": 17, "thi-xa": 1})
    phuc_xa = [r for r in rows.to_python() if r["code"] == "00001"]
    assert phuc_xa == [
        {
            "level": str(resource("level", "commune")),
            "kind": str(resource("unit-kind", "phuong")),
            "kindLabel": "ward",
            "code": "00001",
            "name": "Phường Phúc Xá",
            "unit": UNIT + "00001",
            "parentCode": "001",
            "area": UNIT + "01",
        }
    ]


#: (level, kind for a province) → units surely valid; ("uncertain", level) → units that began or
#: ended on a day the lists do not give, between the two lists around the date.
Counts = dict[tuple[str, str | None], int]


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        # before the earliest list (25 February 2020): that list, with the island districts
        # that a list of communes could not name
        (
            "2019-01-01",
            {
                ("province", "tinh"): 58,
                ("province", "thanh-pho-truc-thuoc-trung-uong"): 5,
                ("district", None): 711,
                ("commune", None): 10_767,
            },
        ),
        # between the lists of 2020 and 2021: what did not change, and how many did
        (
            "2020-10-22",
            {
                ("province", "tinh"): 58,
                ("province", "thanh-pho-truc-thuoc-trung-uong"): 5,
                ("district", None): 691,
                ("commune", None): 10_274,
                ("uncertain", "district"): 34,
                ("uncertain", "commune"): 822,
            },
        ),
        (
            "2021-02-03",
            {
                ("province", "tinh"): 58,
                ("province", "thanh-pho-truc-thuoc-trung-uong"): 5,
                ("district", None): 705,
                ("commune", None): 10_603,
            },
        ),
        # between the lists of 2023 and 2025: Thừa Thiên Huế still a province (it became the
        # city of Huế on 1 January 2025, a day a source gives), the other changes uncertain
        (
            "2024-06-01",
            {
                ("province", "tinh"): 58,
                ("province", "thanh-pho-truc-thuoc-trung-uong"): 5,
                ("district", None): 684,
                ("commune", None): 9_533,
                ("uncertain", "district"): 34,
                ("uncertain", "commune"): 1_583,
            },
        ),
        # after the list of 4 January 2025, before the reform: the mergers of 2023–2025 are in
        (
            "2025-01-15",
            {
                ("province", "tinh"): 57,
                ("province", "thanh-pho-truc-thuoc-trung-uong"): 6,  # Huế, a city since 2025
                ("district", None): 696,
                ("commune", None): 10_051,
            },
        ),
        (
            "2025-07-01",
            {
                ("province", "tinh"): 28,
                ("province", "thanh-pho-truc-thuoc-trung-uong"): 6,
                ("commune", None): 3_321,
            },
        ),
    ],
)
def test_unit_counts(kgraph: KnowledgeGraph, date: str, expected: Counts) -> None:
    got: Counter[tuple[str, str | None]] = Counter()
    for row in kg.query(kgraph, "unit-counts", date=date).to_python():
        level = short(row["level"])
        kind = short(row["kind"]) if level == "province" else None
        got[(level, kind)] += row["units"]
        if row["uncertain"]:
            got[("uncertain", level)] += row["uncertain"]
    assert got == Counter(expected)


def test_a_district_merger_of_2023_2025_with_its_day(kgraph: KnowledgeGraph) -> None:
    """Thành phố Hoa Lư: formed from Huyện Hoa Lư and Thành phố Ninh Bình. The lists show it
    between 7 May 2023 and 4 January 2025; Resolution 1318/NQ-UBTVQH15 gives the day."""
    change = "change/2025-01-04/374"
    used = {u for (u,) in select(kgraph, f"SELECT ?u {{ <{change}> prov:used ?u }}")}
    assert used == {UNIT + "374", UNIT + "369"}  # Huyện Hoa Lư, Thành phố Ninh Bình
    assert select(kgraph, f"SELECT ?u {{ <{change}> prov:generated ?u }}") == [
        (UNIT + "2025-01-04/374",)
    ]
    assert ask(kgraph, "ASK { <unit/2025-01-04/374> prov:wasRevisionOf <unit/374> , <unit/369> }")
    day = select(
        kgraph,
        f"""SELECT ?date ?from ?to ?resolution {{
            <{change}> dct:date ?date ; dct:source ?resolution ;
                time:hasTime [ cchc:notBefore ?from ; cchc:notAfter ?to ] }}""",
    )
    assert [(str(d), str(f), str(t), short(r)) for d, f, t, r in day] == [
        ("2025-01-01", "2023-05-08", "2025-01-04", "1318-nq-ubtvqh15")
    ]
    # the new city begins that day, the two units it was formed from end on its eve
    ends = select(
        kgraph,
        """SELECT ?u ?end { VALUES ?u { <unit/374> <unit/369> }
            ?u cchc:validDuring/time:hasEnd/time:inXSDDate ?end }""",
    )
    assert {(short(u), str(e)) for u, e in ends} == {("374", "2024-12-31"), ("369", "2024-12-31")}
    labels = select(kgraph, f'SELECT ?l {{ <{change}> rdfs:label ?l FILTER (LANG(?l) = "en") }}')
    assert labels == [("Hoa Lư City formed from Hoa Lư District, Ninh Bình City (2025)",)]
    for date, names in (
        ("2024-12-31", {"Huyện Hoa Lư", "Thành phố Ninh Bình"}),
        ("2025-01-01", {"Thành phố Hoa Lư"}),
    ):
        rows = kg.query(kgraph, "units-in-area", area="id:unit/37", date=date).to_python()
        found = {r["name"] for r in rows} & {
            "Huyện Hoa Lư",
            "Thành phố Ninh Bình",
            "Thành phố Hoa Lư",
        }
        assert found == names


def test_a_province_change_of_2023_2025_with_its_day(kgraph: KnowledgeGraph) -> None:
    """Thành phố Huế, a centrally-run city formed from Tỉnh Thừa Thiên Huế: the lists show it
    between 7 May 2023 and 4 January 2025; Resolution 175/2024/QH15 gives the day."""
    change = "change/2025-01-04/46"
    day = select(
        kgraph,
        f"SELECT ?date ?resolution {{ <{change}> dct:date ?date ; dct:source ?resolution }}",
    )
    assert [(str(d), short(r)) for d, r in day] == [("2025-01-01", "175-2024-qh15")]
    times = select(
        kgraph,
        """SELECT ?u ?end ?begin { VALUES ?u { <unit/46> <unit/2025-01-04/46> }
            ?u cchc:validDuring ?i .
            OPTIONAL { ?i time:hasEnd/time:inXSDDate ?end }
            OPTIONAL { ?i time:hasBeginning/time:inXSDDate ?begin } }""",
    )
    assert {(u, str(e), str(b)) for u, e, b in times} == {
        (UNIT + "46", "2024-12-31", "None"),
        (UNIT + "2025-01-04/46", "2025-06-30", "2025-01-01"),
    }


def test_a_change_the_lists_cannot_date_keeps_its_bounds(kgraph: KnowledgeGraph) -> None:
    """Thành phố Thủ Đức, in the list of 2021 and not in that of 2020: formed on a day the lists
    do not give, from Quận 2 (whose code it holds), Quận 9 and Quận Thủ Đức."""
    change = "change/2020/769"
    assert not ask(kgraph, f"ASK {{ <{change}> dct:date ?d }}")
    rows = select(
        kgraph,
        f"""SELECT ?from ?to ?label {{ <{change}> time:hasTime [ cchc:notBefore ?from ;
            cchc:notAfter ?to ] ; rdfs:label ?label FILTER (LANG(?label) = "en") }}""",
    )
    assert [(str(f), str(t), label) for f, t, label in rows] == [
        (
            "2020-02-26",
            "2021-02-03",
            "Thủ Đức City formed from District 2, District 9, Thủ Đức District "
            "(between 2020-02-26 and 2021-02-03)",
        )
    ]
    # Quận 2 held the code: it ended on the eve of the change, whose day is unknown
    assert ask(
        kgraph,
        f"ASK {{ <unit/2020-02-25/769> cchc:validDuring/time:hasEnd ?eve . "
        f"<{change}> time:hasTime ?day . ?eve time:before ?day }}",
    )


def test_province_changes(kgraph: KnowledgeGraph) -> None:
    formed = kg.query(kgraph, "province-changes", area="id:unit/2025/08").to_python()
    assert [(r["newCode"], r["oldCode"], r["oldName"]) for r in formed] == [
        ("08", "02", "Tỉnh Hà Giang"),
        ("08", "08", "Tỉnh Tuyên Quang"),
    ]
    assert {r["resolution"] for r in formed} == {str(resource("document", "202-2025-qh15"))}
    became = kg.query(kgraph, "province-changes", area="id:unit/02").to_python()
    assert {(r["newUnit"], r["newName"]) for r in became} == {
        (UNIT + "2025/08", "Tỉnh Tuyên Quang")  # named with its kind, as the 2020 provinces
    }
    assert {r["oldCode"] for r in became} == {"02", "08"}  # merged with Tuyên Quang
    ha_noi = kg.query(kgraph, "province-changes", area="id:unit/01").to_python()
    assert [(r["newUnit"], r["oldUnit"]) for r in ha_noi] == [(UNIT + "2025/01", UNIT + "01")]


def test_unit_bodies_and_the_chain_above(kgraph: KnowledgeGraph) -> None:
    rows = kg.query(kgraph, "unit-bodies", area="id:unit/00001").to_python()
    got = [
        (r["distance"], short(r["type"]).split("#")[-1], r["bodyLabel"], r["unitCode"])
        for r in rows
    ]
    assert got == [
        (0, "PeoplesCommittee", "Ủy ban nhân dân phường Phúc Xá", "00001"),
        (0, "PeoplesCouncil", "Hội đồng nhân dân phường Phúc Xá", "00001"),
        (1, "PeoplesCommittee", "Ủy ban nhân dân quận Ba Đình", "001"),
        (1, "PeoplesCouncil", "Hội đồng nhân dân quận Ba Đình", "001"),
        (2, "PeoplesCommittee", "Ủy ban nhân dân thành phố Hà Nội", "01"),
        (2, "PeoplesCouncil", "Hội đồng nhân dân thành phố Hà Nội", "01"),
    ]
    rows_2025 = kg.query(kgraph, "unit-bodies", area="id:unit/2025/00004").to_python()
    assert [(r["distance"], r["body"], r["unit"]) for r in rows_2025 if r["distance"] == 1] == [
        (1, str(UBND_HA_NOI), UNIT + "2025/01"),
        (1, str(HDND_HA_NOI), UNIT + "2025/01"),
    ]


@pytest.mark.parametrize("name", ["Ba Đình", "Ba Dinh", "ba đình", "BA DINH"])
def test_find_unit_with_or_without_diacritics(kgraph: KnowledgeGraph, name: str) -> None:
    rows = kg.query(kgraph, "find-unit", name=name).to_python()
    found = {(r["code"], r["name"], "validUntil" in r) for r in rows}
    assert ("001", "Quận Ba Đình", True) in found  # 2020 list
    assert ("00004", "Phường Ba Đình", False) in found  # 2025 list
    assert all("ba dinh" in r["name"].lower().replace("đ", "d").replace("ì", "i") for r in rows)
    assert len(rows) == 8


# ---- the unit shapes, checked over the whole graph by SPARQL -----------------------------------


def _shapes() -> Graph:
    return Graph().parse(ROOT / "ontology" / "shapes.ttl")


def national_checks() -> list[tuple[str, str]]:
    """The unit shapes as whole-graph SELECTs, one per constraint: (shape, query).

    A quick stand-in for SHACL validation of the national units (pySHACL takes minutes over
    them): each SPARQL constraint's ``$this`` becomes a variable over the shape's targets, and
    each ``sh:minCount`` a FILTER NOT EXISTS. Only what these shapes use is translated.
    """
    shapes = _shapes()
    checks = []
    for name in NATIONAL_SHAPES:
        shape = CCHC[name]
        classes = " ".join(f"<{c}>" for c in shapes.objects(shape, SH.targetClass))
        target = f"VALUES ?class {{ {classes} }} ?this a ?class ."
        for constraint in shapes.objects(shape, SH.sparql):
            text = str(shapes.value(constraint, SH.select)).replace("$this", "?this")
            _select, _, body = text.partition("WHERE {")
            checks.append((name, f"SELECT ?this ?value WHERE {{ {target} {_anti_join(body)}"))
        for prop in shapes.objects(shape, SH.property):
            path, count = shapes.value(prop, SH.path), shapes.value(prop, SH.minCount)
            assert count is not None and set(shapes.predicate_objects(prop)) <= {
                (SH.path, path),
                (SH.minCount, count),
                *((SH.message, m) for m in shapes.objects(prop, SH.message)),
            }, f"{name}: only sh:minCount is translated"
            checks.append(
                (
                    name,
                    f"SELECT ?this WHERE {{ {target} "
                    + _anti_join(f"FILTER NOT EXISTS {{ ?this <{path}> ?v }}")
                    + " }",
                )
            )
    return checks


def _anti_join(text: str) -> str:
    """``FILTER NOT EXISTS { P }`` as ``OPTIONAL { P } FILTER (!BOUND(?x))``, ?x a variable of P.

    The same answer when P's other variables are its own (as in these shapes), and Oxigraph
    answers it in a second where it takes minutes over NOT EXISTS on the national graph.
    """

    def rewrite(match: re.Match[str]) -> str:
        body = match.group(1)
        fresh = next(v for v in re.findall(r"\?\w+", body) if v != "?this")
        return f"OPTIONAL {{ {body} }} FILTER (!BOUND({fresh}))"

    return re.sub(r"FILTER NOT EXISTS\s*\{([^{}]*)\}", rewrite, text)


def test_the_unit_shapes_hold_over_the_national_graph(kgraph: KnowledgeGraph) -> None:
    failures = {}
    for name, query in national_checks():
        rows = list(kgraph.sparql(query))
        if rows:
            failures[name] = rows[:5]
    assert not failures


@pytest.mark.parametrize("name", NATIONAL_SHAPES)
def test_the_sparql_check_finds_what_pyshacl_finds_in_the_breaking_case(name: str) -> None:
    """The quick check is only worth having if it fails where SHACL fails."""
    path = CASES / f"{name}-1.ttl"
    data = Graph().parse(path)
    for prefix, iri in PREFIXES.items():
        data.bind(prefix, iri)
    component = "MinCount" if name == "UnitValidTimeShape" else "SPARQLConstraint"
    expected = {
        line.split("focus=ex:")[1].split()[0]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("# expect:") and component in line
    }
    found = set()
    for shape, query in national_checks():
        if shape == name:
            found |= {
                str(row[0]).removeprefix("https://example.org/")
                for row in data.query(sparql_prefixes() + query)
            }
    assert found and found == expected


# ---- bad input stops the build ----------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's sources that a test may break."""
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


@pytest.mark.parametrize(
    ("line", "row", "reason"),
    [
        (3, ",Tỉnh Hà Giang,tinh,province,", "The row has no code"),
        (
            66,
            "002,Quận Hoàn Kiếm,quan,district,99",
            "names the parent 99, which is not in this file",
        ),
        (67, "001,Quận Tây Hồ,quan,district,01", "The code 001 is used twice (first on line 65)"),
    ],
)
def test_a_bad_units_row_stops_the_build(project: Path, line: int, row: str, reason: str) -> None:
    csv = project / "data" / "units" / "units-2020.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = row
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    output = project / "out.trig"
    result = CliRunner().invoke(
        cli, ["build", "--root", str(project), "--provinces-only", "-q", "-o", str(output)]
    )
    assert result.exit_code == 2, result.output
    assert f"units-2020.csv:{line}: " in result.output
    assert reason in result.output
    assert not output.exists()


def test_build_reports_progress_of_the_long_steps(project: Path) -> None:
    """The progress callback hears each step and, from the importers, how far they got."""
    from kg.build import build

    heard: list[tuple[str, int | None, int | None]] = []
    build(
        project,
        national=False,
        progress=lambda step, done=None, total=None: heard.append((step, done, total)),
    )
    ticks = [h for h in heard if h[0].startswith("import data/units/lists.csv → units/2020")]
    assert ticks[0][1:] == (None, None)
    assert ticks[-1][1:] == (64, 64)  # the provinces of the lists of three tiers, Thành phố Huế too
    assert [t[1] for t in ticks[1:]] == sorted(t[1] for t in ticks[1:])  # type: ignore[type-var]
    old_style: list[str] = []
    build(project, national=False, progress=old_style.append)  # one-argument callbacks still work
    assert "derive" in old_style and all(isinstance(s, str) for s in old_style)
