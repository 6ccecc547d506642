"""kg.network(): the agency network from the agency-network query, its options and its errors."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

import kg
from kg.graph import KnowledgeGraph
from kg.importers.units import load_units
from kg.io import parse
from kg.namespaces import CCHC, resource

ROOT = Path(__file__).resolve().parent.parent
VU = str(resource("agency", "vu-cai-cach-hanh-chinh-bo-noi-vu"))
BO = str(resource("agency", "bo-noi-vu"))
UBND_HN = str(resource("agency", "ubnd-thanh-pho-ha-noi"))
UNIT_01 = str(resource("unit", "01"))
EVENT = str(resource("event", "hoi-thao-cchc-ha-noi-2020"))
ORG = "http://www.w3.org/ns/org#"


def small_graph() -> KnowledgeGraph:
    """The ontology, the article and the provinces of 2020: quick to build, every kind of node."""
    graph = KnowledgeGraph()
    for name in (
        "ontology/cchc",
        "ontology/concepts",
        "ontology/network",
        "data/article/hanoi-cchc-workshop-2020-10-22",
    ):
        # each file in the named graph kg build gives it (graph:article/..., graph:ontology/...)
        graph.add(name.removeprefix("data/"), parse(ROOT / f"{name}.ttl"))
    units = load_units(ROOT / "data" / "units" / "units-2020.csv", era="2020", levels={"province"})
    graph.add("units/2020", units)
    return graph


@pytest.fixture(scope="module")
def small() -> KnowledgeGraph:
    return small_graph()


@pytest.fixture(scope="module")
def everything(small: KnowledgeGraph) -> nx.MultiDiGraph:
    return kg.network(small, include_units=True, include_documents=True, include_people=True)


def test_the_ministry_department_is_part_of_the_ministry(small: KnowledgeGraph) -> None:
    net = kg.network(small)
    assert isinstance(net, nx.MultiDiGraph)
    # org:unitOf only: its super-property org:subOrganizationOf (stated beside it, or entailed)
    # joins the same pair, and one edge a pair is drawn
    assert set(net[VU][BO]) == {ORG + "unitOf"}
    edge = net[VU][BO][ORG + "unitOf"]
    # the relation is named by its label in the graph (ontology/network.ttl), in both languages
    assert (edge["label_vi"], edge["label_en"]) == ("là đơn vị của", "unit of")
    # a bare triple's source is the named graph that states it
    assert edge["sources"] == ["https://w3id.org/cchc/graph/article/hanoi-cchc-workshop-2020-10-22"]


def test_nodes_carry_labels_kind_and_sources(small: KnowledgeGraph) -> None:
    node = kg.network(small, lang="en").nodes[UBND_HN]
    assert node["iri"] == UBND_HN
    assert node["label_vi"] == "Ủy ban nhân dân thành phố Hà Nội"
    assert node["label"] == node["label_en"] == "Hà Nội People's Committee"
    assert node["kind"] == str(CCHC.PeoplesCommittee)
    assert node["kind_label_vi"] == "Ủy ban nhân dân"
    assert "UBND thành phố Hà Nội" in node["alt_labels"]
    assert node["group"] == "agency"
    assert node["sources"]


def test_units_are_shown_only_when_asked(
    small: KnowledgeGraph, everything: nx.MultiDiGraph
) -> None:
    assert UNIT_01 not in kg.network(small)
    assert str(CCHC.governs) in everything[UBND_HN][UNIT_01]
    assert everything.nodes[UNIT_01]["group"] == "unit"


def test_each_group_switches_on_and_off(small: KnowledgeGraph, everything: nx.MultiDiGraph) -> None:
    groups = {d["group"] for _, d in everything.nodes(data=True)}
    assert {"agency", "unit", "document", "event", "person"} <= groups
    default = {d["group"] for _, d in kg.network(small).nodes(data=True)}
    assert default == {"agency", "event"}
    assert EVENT not in kg.network(small, include_events=False)
    person = str(resource("person", "nguyen-van-suu"))
    people = kg.network(small, include_people=True)
    assert people[person][UBND_HN][ORG + "memberOf"]["label_en"] == "holds a post in"


def test_focus_keeps_the_neighbourhood(small: KnowledgeGraph) -> None:
    one = kg.network(small, focus="UBND thành phố Hà Nội")
    assert one.graph["focus"] == UBND_HN
    assert EVENT in one and BO not in one  # Bộ Nội vụ is two steps away, through the workshop
    two = kg.network(small, focus="ubnd thanh pho ha noi", depth=2)
    assert BO in two and VU not in two
    assert kg.network(small, focus="Ha Noi People's Committee", depth=0).number_of_nodes() == 1


def test_unknown_focus_suggests_the_nearest_names(small: KnowledgeGraph) -> None:
    with pytest.raises(kg.KgUsageError) as err:
        kg.network(small, focus="Bo Noi Vuu")
    assert "no agency or other node of the network is named 'Bo Noi Vuu'" in str(err.value)
    assert "did you mean 'Bộ Nội vụ'" in str(err.value)


def test_depth_needs_a_focus(small: KnowledgeGraph) -> None:
    with pytest.raises(kg.KgUsageError, match="--depth needs --focus"):
        kg.network(small, depth=2)


def test_a_select_with_the_three_columns_is_a_network(small: KnowledgeGraph) -> None:
    query = (
        "SELECT ?source ?relation ?target "
        "WHERE { ?source org:unitOf ?target BIND(org:unitOf AS ?relation) }"
    )
    net = kg.network(small, query=query)
    assert list(net.edges(keys=True)) == [(VU, BO, ORG + "unitOf")]


def test_a_query_of_other_columns_says_what_it_expects(
    small: KnowledgeGraph, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?a ?b WHERE { ?a org:unitOf ?b }", encoding="utf-8")
    with pytest.raises(kg.KgUsageError) as err:
        kg.network(small, query=bad)
    message = str(err.value)
    assert (
        "CONSTRUCT of triples between resources, or a SELECT with the columns ?source " in message
    )
    assert "it returns the columns ?a ?b, without ?source, ?relation, ?target" in message
    with pytest.raises(kg.KgUsageError, match="it is an ASK query"):
        kg.network(small, query="ASK { ?a ?b ?c }")


def test_an_empty_result_is_an_empty_network(small: KnowledgeGraph) -> None:
    net = kg.network(small, query="CONSTRUCT { ?a ?b ?c } WHERE { ?a ?b ?c FILTER(1 = 0) }")
    assert net.number_of_nodes() == 0


def test_the_same_graph_gives_the_same_network(small: KnowledgeGraph) -> None:
    a, b = kg.network(small), kg.network(small_graph())
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    assert list(a.edges(keys=True, data=True)) == list(b.edges(keys=True, data=True))


def test_the_built_graph_has_the_agency_network(kgraph: KnowledgeGraph) -> None:
    net = kg.network(kgraph)
    assert ORG + "unitOf" in net[VU][BO]
    assert net.nodes[UBND_HN]["kind"] == str(CCHC.PeoplesCommittee)


# --- the national network --------------------------------------------------------------------

HDND_HN = str(resource("agency", "hdnd-thanh-pho-ha-noi"))
UNIT_2025_01 = str(resource("unit", "2025/01"))
CONTAINED = "https://schema.org/containedInPlace"
SUB = ORG + "subOrganizationOf"
_NATIONAL: dict[int, nx.MultiDiGraph] = {}


def national_network(graph: KnowledgeGraph) -> nx.MultiDiGraph:
    """The whole country's network with its units, made once per session for both test modules
    that read it (tests/test_viz.py draws it)."""
    if id(graph) not in _NATIONAL:
        _NATIONAL[id(graph)] = kg.network(graph, include_units=True)
    return _NATIONAL[id(graph)]


def units(era: str) -> list[dict[str, str]]:
    import csv

    with (ROOT / "data" / "units" / f"units-{era}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_national_network_has_both_eras_of_ha_noi(national: KnowledgeGraph) -> None:
    net = national_network(national)
    # the city's People's Committee and Council govern the city of 2020 and that of 2025
    for body in (UBND_HN, HDND_HN):
        assert str(CCHC.governs) in net[body][UNIT_01]
        assert str(CCHC.governs) in net[body][UNIT_2025_01]
        assert net.nodes[body]["group"] == "agency"
    # 2025: each commune of the city is in the city, with its own committee under the city's
    communes = [r["code"] for r in units("2025") if r["parent_code"] == "01"]
    assert len(communes) > 100
    for code in communes:
        unit = str(resource("unit", f"2025/{code}"))
        ubnd = str(resource("agency", f"ubnd/2025/{code}"))
        assert CONTAINED in net[unit][UNIT_2025_01]
        assert str(CCHC.governs) in net[ubnd][unit]
        assert SUB in net[ubnd][UBND_HN]
    # 2020: commune, then district, then city
    rows = units("2020")
    districts = {r["code"] for r in rows if r["parent_code"] == "01"}
    old = [r for r in rows if r["parent_code"] in districts]
    assert districts and len(old) > 500
    for row in old:
        unit, district = (str(resource("unit", c)) for c in (row["code"], row["parent_code"]))
        assert CONTAINED in net[unit][district]
        assert CONTAINED in net[district][UNIT_01]
    assert net.number_of_nodes() > 40_000


def test_the_national_page_opens_on_provinces_folded(national: KnowledgeGraph) -> None:
    from kg.viz import page_data

    data = page_data(national_network(national))
    nodes = data["nodes"]
    assert len(nodes) > data["overview_limit"]  # too many to draw at once: the page folds them
    index = {n["id"]: i for i, n in enumerate(nodes)}
    roots = [n["id"] for n in nodes if n["parent"] is None]
    assert UNIT_01 in roots and UNIT_2025_01 in roots
    assert len(roots) < 200  # provinces of both eras and a few national bodies, not 45,000
    # a commune of 2025 is reached from its province, one level at a time
    commune = index[str(resource("unit", "2025/00004"))]
    assert nodes[commune]["parent"] == index[UNIT_2025_01]
    # the bodies of a unit are attached to it: shown whenever it is
    body = nodes[index[str(resource("agency", "ubnd/2025/00004"))]]
    assert body["parent"] == commune and body["attached"]
    # nothing under a province is open at first
    assert [index[UNIT_2025_01], "unit"] not in data["open"]


@pytest.mark.parametrize("date", ["2021-01-01", "2024-06-01", "2025-08-01"])
def test_units_on_a_day_are_those_the_catalog_counts(national: KnowledgeGraph, date: str) -> None:
    """A unit the lists show began or ended on an unknown day between two lists: the network's
    valid times follow unit-counts' rule (surely valid), at every level, on days between lists
    and after the reform."""
    from collections import Counter

    from kg.network import valid_on

    counted: Counter[str] = Counter()
    for row in kg.query(national, "unit-counts", date=date).to_python():
        counted[row["level"].rsplit("/", 1)[-1]] += row["units"]
    net = national_network(national)
    shown = Counter(
        d["level"]
        for _, d in net.nodes(data=True)
        if d["group"] == "unit" and d["level"] and valid_on(d["begin"], d["end"], date)
    )
    assert shown == counted
    assert counted["province"] == (34 if date > "2025-07" else 63)


def test_a_bound_of_unknown_day_keeps_its_span(national: KnowledgeGraph) -> None:
    """Thành phố Thủ Đức is in the list of 2021, not in that of 2020; Quận 2, whose code it
    took, is in that of 2020 only: the day between is unknown."""
    net = national_network(national)
    thu_duc = net.nodes[str(resource("unit", "769"))]
    assert (thu_duc["begin_earliest"], thu_duc["begin"]) == ("2020-02-26", "2021-02-03")
    quan_2 = net.nodes[str(resource("unit", "2020-02-25/769"))]
    assert (quan_2["end"], quan_2["end_latest"]) == ("2020-02-25", "2021-02-02")
    # a day a source gives wins: Thành phố Huế from 1 January 2025
    hue = net.nodes[str(resource("unit", "2025-01-04/46"))]
    assert (hue["begin"], hue["begin_earliest"]) == ("2025-01-01", "")


# --- time, changes and places (issue 19) --------------------------------------------------------


def test_nodes_carry_their_valid_time_and_level(kgraph: KnowledgeGraph) -> None:
    net = kg.network(kgraph, include_units=True)
    plan = net.nodes[str(resource("agency", "bo-ke-hoach-va-dau-tu"))]
    assert (plan["begin"], plan["end"]) == ("", "2025-02-28")
    farm = net.nodes[str(resource("agency", "bo-nong-nghiep-va-moi-truong"))]
    assert (farm["begin"], farm["end"]) == ("2025-03-01", "")
    ha_giang = net.nodes[str(resource("unit", "02"))]
    assert (ha_giang["end"], ha_giang["level"]) == ("2025-06-30", "province")
    # a ministry's sources are the pages its rows cite, not the graph that holds them
    assert all("/id/source/" in s for s in plan["sources"])


def test_a_merged_ministry_is_joined_to_what_it_became(kgraph: KnowledgeGraph) -> None:
    net = kg.network(kgraph, include_units=True)
    plan, finance = (str(resource("agency", a)) for a in ("bo-ke-hoach-va-dau-tu", "bo-tai-chinh"))
    edge = net[plan][finance]["http://purl.org/dc/terms/isReplacedBy"]
    assert edge["date"] == "2025-03-01"
    assert edge["sources"] and all("/id/source/" in s for s in edge["sources"])
    # a continuing ministry is no change of itself
    assert not net.has_edge(finance, finance)
    # Hà Giang (2020) became part of Tuyên Quang (2025)
    assert net.has_edge(str(resource("unit", "02")), str(resource("unit", "2025/08")))


@pytest.mark.parametrize(
    ("begin", "end", "date", "valid"),
    [
        ("", "", "2020-01-01", True),
        ("2025-03-01", "", "2025-02-28", False),
        ("", "2025-02-28", "2025-02-28", True),
        ("2021-04", "", "2021-04-01", True),
        ("2021", "2021", "2022-01-01", False),
    ],
)
def test_valid_on_reads_bounds_as_precise_as_given(
    begin: str, end: str, date: str, valid: bool
) -> None:
    from kg.network import valid_on

    assert valid_on(begin, end, date) is valid


def test_a_place_is_a_focus_with_its_bodies(kgraph: KnowledgeGraph) -> None:
    net = kg.network(kgraph, include_units=True, focus="ha noi")
    assert net.graph["focus"] == str(resource("unit", "2025/01"))  # the latest Hà Nội
    for body in ("ubnd-thanh-pho-ha-noi", "hdnd-thanh-pho-ha-noi", "thanh-uy-ha-noi"):
        assert str(resource("agency", body)) in net


def test_a_body_s_neighbourhood_holds_the_other_bodies_of_its_place(
    kgraph: KnowledgeGraph,
) -> None:
    net = kg.network(kgraph, focus="UBND thành phố Hà Nội")  # no units drawn
    for body in ("hdnd-thanh-pho-ha-noi", "thanh-uy-ha-noi"):
        assert str(resource("agency", body)) in net
