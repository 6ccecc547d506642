"""The founding article's facts, asked for with the standard terms of the vocabulary contract.

ARCHITECTURE.md promises that someone who knows org:, schema:, qb:, sdmx-dimension:, eli:, prov:
and foaf: can query the graph without reading our ontology. These tests do exactly that against
the article's named graph (and the built graph where a fact needs another graph: role labels,
derived ranks), so a renamed term, a lost triple or a quote that drifts from the article's words
fails here. The derivation rules are also run on a small stand-in graph, to pin their arithmetic
and their guards apart from the rest of the build.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.query import Result

from kg.graph import KnowledgeGraph
from kg.namespaces import ID, graph_name
from kg.sparql import prepare

ROOT = Path(__file__).resolve().parent.parent
ARTICLE_TEXT = (ROOT / "data/sources/hanoi-cchc-workshop-2020-10-22.txt").read_text("utf-8")
ARTICLE_TTL = ROOT / "data/article/hanoi-cchc-workshop-2020-10-22.ttl"
ARTICLE_GRAPH = "article/hanoi-cchc-workshop-2020-10-22"
RULES = ROOT / "ontology/rules"

SOURCE = ID["source/hanoi-cchc-workshop-2020-10-22"]
EVENT = ID["event/hoi-thao-cchc-ha-noi-2020"]
HANOI = ID["unit/01"]
UBND = ID["agency/ubnd-thanh-pho-ha-noi"]
ARTICLE_DATE = Literal("2020-10-22", datatype=XSD.date)


def gyear(year: int) -> Literal:
    """An xsd:gYear literal, as refPeriod and the rank-change periods use."""
    return Literal(str(year), datatype=XSD.gYear)


def ask_article(kgraph: KnowledgeGraph, query: str) -> Result:
    """Run a query on the article's named graph alone, with the contract's prefixes."""
    return kgraph.graph(ARTICLE_GRAPH).query(prepare(query))


def rows(result: Result) -> set[tuple[object, ...]]:
    """The rows of a SELECT result as a set of tuples, to compare with what the article says."""
    return {tuple(row) for row in result}


# ---- the workshop ---------------------------------------------------------------------------


def test_workshop_is_an_event_organised_by_the_hanoi_peoples_committee(
    kgraph: KnowledgeGraph,
) -> None:
    found = rows(
        ask_article(
            kgraph,
            """SELECT ?event ?organizer ?organizerName WHERE {
                ?event a schema:Event ; schema:name ?name ; schema:organizer ?organizer .
                ?organizer a org:Organization ; rdfs:label ?organizerName .
                FILTER (lang(?organizerName) = "vi" && CONTAINS(?name, "qua các thời kỳ"))
            }""",
        )
    )
    assert found == {(EVENT, UBND, Literal("Ủy ban nhân dân thành phố Hà Nội", lang="vi"))}


def test_workshop_date_is_kept_as_written_and_the_inferred_date_is_marked_inferred(
    kgraph: KnowledgeGraph,
) -> None:
    # Over the whole built graph: no part of the build may turn "20/20/2020" into a start date.
    assert not kgraph.sparql("ASK { ?e schema:startDate ?d }", bindings={"e": EVENT}).askAnswer
    result = ask_article(
        kgraph,
        """SELECT ?written ?value ?reasonVi ?reasonEn ?issueEn WHERE {
            ?e cchc:dateAsWritten ?written ; cchc:dataIssue ?issueEn ;
               cchc:inferredStartDate ?inf .
            ?inf a cchc:Inference ; rdf:value ?value ;
                 cchc:reason ?reasonVi , ?reasonEn ; prov:wasDerivedFrom ?source .
            FILTER (lang(?reasonVi) = "vi" && lang(?reasonEn) = "en" && lang(?issueEn) = "en")
        }""",
    )
    [(written, value, reason_vi, reason_en, issue_en)] = list(result)
    assert written == Literal("20/20/2020")
    assert value == Literal("2020-10-20", datatype=XSD.date)
    assert "inference" in str(reason_en) and "month 20" in str(reason_en)
    assert "suy luận" in str(reason_vi)
    assert "20/20/2020" in str(issue_en)


def test_workshop_participants_are_the_groups_the_article_lists(kgraph: KnowledgeGraph) -> None:
    participants = {
        row[0]
        for row in ask_article(
            kgraph,
            """SELECT ?who WHERE {
                ?e cchc:participation ?p .
                ?p a cchc:Participation ; cchc:participant ?who ; prov:wasDerivedFrom ?src .
            }""",
        )
    }
    attendees = {
        row[0] for row in ask_article(kgraph, "SELECT ?who WHERE { ?e schema:attendee ?who }")
    }
    expected = (
        {ID[f"agency/{s}"] for s in ("bo-noi-vu", "ubnd-thanh-pho-ha-noi")}
        | {
            ID[f"agency-group/{s}"]
            for s in (
                "ban-thuoc-thanh-uy-ha-noi",
                "doan-the-chinh-tri-xa-hoi-ha-noi",
                "so-ban-nganh-ha-noi",
                "ubnd-cap-huyen-ha-noi",
                "ubnd-cap-xa-ha-noi",
                "hoi-thao-cchc-ha-noi-2020-nha-khoa-hoc",
                "hoi-thao-cchc-ha-noi-2020-chuyen-gia",
                "hoi-thao-cchc-ha-noi-2020-nha-quan-ly",
                "co-quan-bao-chi-trung-uong",
                "co-quan-bao-chi-ha-noi",
            )
        }
        | {ID["person/do-quy-tien"], ID["person/nguyen-van-suu"]}
    )
    assert participants == expected
    assert attendees == expected


def test_agency_groups_say_what_they_hold_and_where(kgraph: KnowledgeGraph) -> None:
    found = rows(
        ask_article(
            kgraph,
            """SELECT ?group ?kind ?within WHERE {
                ?group a prov:Collection ; cchc:memberKind ?kind .
                OPTIONAL { ?group cchc:groupWithin ?within }
            }""",
        )
    )
    by_group = {str(g).rsplit("/", 1)[1]: (k, w) for g, k, w in found}
    assert by_group["ban-thuoc-thanh-uy-ha-noi"] == (
        URIRef("https://w3id.org/cchc/ontology#PartyBoard"),
        ID["agency/thanh-uy-ha-noi"],
    )
    assert by_group["so-ban-nganh-ha-noi"][1] == HANOI
    people = {g for g, (k, _w) in by_group.items() if str(k).endswith("foaf/0.1/Person")}
    assert people == {
        "hoi-thao-cchc-ha-noi-2020-nha-khoa-hoc",
        "hoi-thao-cchc-ha-noi-2020-chuyen-gia",
        "hoi-thao-cchc-ha-noi-2020-nha-quan-ly",
    }


def test_counts_keep_their_qualifiers(kgraph: KnowledgeGraph) -> None:
    found = rows(
        ask_article(
            kgraph,
            """SELECT ?what ?value ?qualifier ?quote WHERE {
                VALUES ?what { cchc:participantCount cchc:paperCount }
                ?e a schema:Event ; ?what ?q .
                ?q a schema:QuantitativeValue ; schema:value ?value ;
                   cchc:qualifier ?qualifier ; cchc:quote ?quote .
            }""",
        )
    )
    cchc = "https://w3id.org/cchc/ontology#"
    assert {(str(w), v.toPython(), q, str(qt)) for w, v, q, qt in found} == {
        (cchc + "participantCount", 200, ID["qualifier/nearly"], "gần 200 đại biểu"),
        (cchc + "paperCount", 22, ID["qualifier/more-than"], "hơn 22 bài tham luận"),
    }


def test_papers_went_to_an_organising_committee_of_no_stated_parent(
    kgraph: KnowledgeGraph,
) -> None:
    found = rows(
        ask_article(
            kgraph,
            """SELECT ?c WHERE {
                ?e cchc:papersSentTo ?c . ?c a cchc:OrganisingCommittee , org:Organization .
                FILTER NOT EXISTS { ?c org:unitOf|org:subOrganizationOf ?parent }
            }""",
        )
    )
    assert found == {(ID["agency/ban-to-chuc-hoi-thao-cchc-ha-noi-2020"],)}


def test_period_discussed_runs_from_1986_to_the_articles_date(kgraph: KnowledgeGraph) -> None:
    found = rows(
        ask_article(
            kgraph,
            """SELECT ?begin ?end WHERE {
                ?e cchc:periodDiscussed ?i .
                ?i a time:Interval ; time:hasBeginning/time:inXSDgYear ?begin ;
                   time:hasEnd ?endInstant .
                ?endInstant time:inXSDDate ?end ; cchc:note ?note .
            }""",
        )
    )
    assert found == {(gyear(1986), ARTICLE_DATE)}


# ---- people and posts -----------------------------------------------------------------------


def test_officials_posts_at_the_time(kgraph: KnowledgeGraph) -> None:
    found = rows(
        kgraph.sparql(
            """SELECT ?name ?roleName ?org ?attested WHERE {
                GRAPH ?g {
                    ?m a org:Membership ; org:member ?person ; org:organization ?org ;
                       org:role ?role ; cchc:attestedOn ?attested ;
                       prov:wasDerivedFrom ?source .
                    ?person a foaf:Person ; foaf:name ?name ; org:memberOf ?org .
                    ?org org:hasMember ?person .
                }
                ?role rdfs:label ?roleName . FILTER (lang(?roleName) = "vi")
            }""",
            bindings={"g": graph_name(ARTICLE_GRAPH), "source": SOURCE},
        )
    )
    assert {(str(n), str(r), o, a) for n, r, o, a in found} == {
        (
            "Đỗ Quý Tiến",
            "Phó Vụ trưởng",
            ID["agency/vu-cai-cach-hanh-chinh-bo-noi-vu"],
            ARTICLE_DATE,
        ),
        ("Nguyễn Văn Sửu", "Phó Chủ tịch", UBND, ARTICLE_DATE),
    }


def test_pct_is_quoted_as_the_article_writes_it(kgraph: KnowledgeGraph) -> None:
    [(quote,)] = ask_article(
        kgraph,
        """SELECT ?q WHERE {
            ?m org:member <https://w3id.org/cchc/id/person/nguyen-van-suu> ; cchc:quote ?q .
        }""",
    )
    assert "PCT UBND Thành Phố" in str(quote)


# ---- agencies -------------------------------------------------------------------------------


def test_agency_relations_the_article_states(kgraph: KnowledgeGraph) -> None:
    vu = ID["agency/vu-cai-cach-hanh-chinh-bo-noi-vu"]
    bo = ID["agency/bo-noi-vu"]
    g = kgraph.graph(ARTICLE_GRAPH)
    dct_spatial = URIRef("http://purl.org/dc/terms/spatial")
    org = "http://www.w3.org/ns/org#"
    assert (vu, URIRef(org + "unitOf"), bo) in g
    assert (vu, URIRef(org + "subOrganizationOf"), bo) in g
    assert (UBND, dct_spatial, HANOI) in g
    assert (UBND, URIRef("https://w3id.org/cchc/ontology#governs"), HANOI) in g
    # Bộ Nội vụ under Chính phủ is true but not in the article: the article graph must not say it.
    assert (bo, URIRef(org + "subOrganizationOf"), None) not in g


def test_every_agency_has_the_standard_types_and_both_labels(kgraph: KnowledgeGraph) -> None:
    missing = rows(
        ask_article(
            kgraph,
            """SELECT ?a WHERE {
                ?a a cchc:Agency .
                FILTER NOT EXISTS {
                    ?a a org:Organization , org:FormalOrganization ; rdfs:label ?vi , ?en ;
                       skos:prefLabel ?pref ; cchc:level ?level .
                    FILTER (lang(?vi) = "vi" && lang(?en) = "en")
                }
                FILTER (?a != <https://w3id.org/cchc/id/agency/ban-to-chuc-hoi-thao-cchc-ha-noi-2020>)
            }""",
        )
    )
    assert missing == set()


def test_resolution_30c_was_passed_by_the_government(kgraph: KnowledgeGraph) -> None:
    found = rows(
        ask_article(
            kgraph,
            """SELECT ?doc ?by WHERE {
                ?doc a eli:LegalResource ; eli:id_local "30c/NQ-CP" ; eli:passed_by ?by .
                ?by a cchc:Government , org:Organization .
            }""",
        )
    )
    assert found == {(ID["document/30c-nq-cp"], ID["agency/chinh-phu"])}


# ---- index values ---------------------------------------------------------------------------

#: (data set, refPeriod or None, rank, rank-out-of, score, score lower bound, rank description)
EXPECTED_OBSERVATIONS = {
    ("par-index", 2017, 2, 63, None, None, "thứ hạng rất cao"),
    ("par-index", 2018, 2, 63, None, None, "thứ hạng rất cao"),
    ("par-index", 2019, 2, 63, None, None, "thứ hạng rất cao"),
    (
        "pci",
        2018,
        9,
        63,
        None,
        None,
        "thuộc top 10 tỉnh, thành có chất lượng điều hành kinh tế tốt nhất",
    ),
    (
        "pci",
        2019,
        9,
        63,
        None,
        None,
        "thuộc top 10 tỉnh, thành có chất lượng điều hành kinh tế tốt nhất",
    ),
    ("sipas", None, None, None, None, 80, None),
    ("sipas", None, None, None, None, None, "thứ hạng thấp"),
    ("papi", None, None, None, None, None, "thứ hạng thấp"),
    ("ict-index-it-industry", None, 1, None, None, None, "dẫn đầu cả nước"),
    ("online-dossiers", None, 1, None, None, None, "đứng đầu toàn quốc"),
    ("online-services-level-3-4", None, None, None, 100, None, None),
}


def test_each_index_value_the_article_states(kgraph: KnowledgeGraph) -> None:
    result = ask_article(
        kgraph,
        """SELECT ?ds ?period ?rank ?outOf ?score ?lower ?desc ?asOf WHERE {
            ?o a qb:Observation ; qb:dataSet ?ds ; sdmx-dimension:refArea ?area ;
               cchc:rankBasis ?basis ; prov:wasDerivedFrom ?source ; cchc:quote ?quote .
            OPTIONAL { ?o sdmx-dimension:refPeriod ?period }
            OPTIONAL { ?o cchc:rank ?rank }
            OPTIONAL { ?o cchc:rankOutOf ?outOf }
            OPTIONAL { ?o cchc:score ?score }
            OPTIONAL { ?o cchc:scoreLowerBound ?lower }
            OPTIONAL { ?o cchc:rankDescription ?desc }
            OPTIONAL { ?o cchc:asOf ?asOf }
            FILTER (?area = <https://w3id.org/cchc/id/unit/01>
                    && ?basis = <https://w3id.org/cchc/id/rank-basis/stated>)
        }""",
    )

    def py(term: object) -> object:
        return None if term is None else term.toPython()  # type: ignore[attr-defined]

    found = set()
    for ds, period, rank, out_of, score, lower, desc, as_of in result:
        # An observation without a period speaks as of the article's date, and says so.
        assert (period is None) == (as_of == ARTICLE_DATE)
        year = None if period is None else int(str(period))
        found.add(
            (
                str(ds).rsplit("/", 1)[1],
                year,
                py(rank),
                py(out_of),
                py(score),
                py(lower),
                None if desc is None else str(desc),
            )
        )
    assert found == EXPECTED_OBSERVATIONS


def test_article_claims_point_to_the_reference_data_they_differ_from(
    kgraph: KnowledgeGraph,
) -> None:
    """Other data sets and editions (rdfs:seeAlso), not conflicts of one quantity."""
    found = rows(
        kgraph.sparql(
            """SELECT ?mine ?theirs WHERE {
                GRAPH ?g { ?mine rdfs:seeAlso ?theirs ; a qb:Observation }
                ?theirs a qb:Observation .
            }""",
            bindings={"g": graph_name(ARTICLE_GRAPH)},
        )
    )
    ict = ID["observation/ict-index-it-industry-01-asof-2020-10-22-hanoi-cchc-workshop-2020-10-22"]
    online = ID[
        "observation/online-services-level-3-4-01-asof-2020-10-22-hanoi-cchc-workshop-2020-10-22"
    ]
    assert found == {
        (ict, ID["observation/ict-index-48-2020-f050"]),
        (ict, ID["observation/ict-index-it-industry-01-2020-f052"]),
        (online, ID["observation/online-procedures-level-3-4-01-2020-f062"]),
    }


def test_rank_changes(kgraph: KnowledgeGraph) -> None:
    found = rows(
        ask_article(
            kgraph,
            """SELECT ?from ?to ?up WHERE {
                ?c a cchc:RankChange ; cchc:index <https://w3id.org/cchc/id/index/pci> ;
                   cchc:area <https://w3id.org/cchc/id/unit/01> ;
                   cchc:fromPeriod ?from ; cchc:toPeriod ?to ; cchc:placesUp ?up ; cchc:note ?n .
            }""",
        )
    )
    assert {(int(str(f)), int(str(t)), u.toPython()) for f, t, u in found} == {
        (2015, 2019, 15),
        (2017, 2019, 4),
        (2012, 2019, 42),
    }


def test_earlier_pci_ranks_are_derived_with_their_provenance(kgraph: KnowledgeGraph) -> None:
    found = rows(
        kgraph.sparql(
            """SELECT ?period ?rank ?outOf ?change WHERE {
                GRAPH ?derivedGraph {
                    ?o a qb:Observation ; qb:dataSet <https://w3id.org/cchc/id/dataset/pci> ;
                       sdmx-dimension:refArea <https://w3id.org/cchc/id/unit/01> ;
                       sdmx-dimension:refPeriod ?period ; cchc:rank ?rank ;
                       cchc:rankOutOf ?outOf ;
                       cchc:rankBasis <https://w3id.org/cchc/id/rank-basis/derived> ;
                       cchc:derivedByRule <https://w3id.org/cchc/id/rule/pci-rank-from-change> ;
                       prov:wasDerivedFrom ?change , ?base .
                }
                ?change a cchc:RankChange .
                ?base a qb:Observation ; sdmx-dimension:refPeriod "2019"^^xsd:gYear .
            }""",
            bindings={"derivedGraph": graph_name("derived")},
        )
    )
    assert {(int(str(p)), r.toPython(), k.toPython()) for p, r, k, _c in found} == {
        (2015, 24, 63),
        (2017, 13, 63),
        (2012, 51, 63),
    }


def test_the_30c_target_is_derived_as_met_in_2018(kgraph: KnowledgeGraph) -> None:
    found = rows(
        kgraph.sparql(
            """SELECT ?year ?by WHERE {
                GRAPH ?derivedGraph {
                    ?a cchc:target <https://w3id.org/cchc/id/target/30c-nq-cp-sipas-80> ;
                       cchc:achievedIn ?year ; cchc:achievedBy ?by ;
                       cchc:derivedByRule <https://w3id.org/cchc/id/rule/target-met> ;
                       prov:wasDerivedFrom
                           <https://w3id.org/cchc/id/target-achievement/ha-noi-30c-nq-cp-sipas-80> .
                }
            }""",
            bindings={"derivedGraph": graph_name("derived")},
        )
    )
    assert found == {(gyear(2018), HANOI)}


def test_the_article_graph_states_no_achieved_year_of_its_own(kgraph: KnowledgeGraph) -> None:
    assert not ask_article(kgraph, "ASK { ?a cchc:achievedIn ?y }").askAnswer


# ---- sources and quotes ---------------------------------------------------------------------

CLAIM_NODE_TYPES = """
    cchc:Claim cchc:Participation cchc:Quantity org:Membership qb:Observation cchc:RankChange
    cchc:Target cchc:TargetAchievement cchc:Inference schema:Event
"""


def test_every_claim_node_has_the_article_as_source_and_a_verbatim_quote(
    kgraph: KnowledgeGraph,
) -> None:
    nodes = {
        row[0]
        for row in ask_article(
            kgraph,
            f"SELECT DISTINCT ?n WHERE {{ VALUES ?t {{ {CLAIM_NODE_TYPES} }} ?n a ?t }}",
        )
    }
    assert len(nodes) > 60
    g = kgraph.graph(ARTICLE_GRAPH)
    prov = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    quote = URIRef("https://w3id.org/cchc/ontology#quote")
    for node in nodes:
        assert (node, prov, SOURCE) in g, node
        quotes = list(g.objects(node, quote))
        assert quotes, node
        for q in quotes:
            assert q.language == "vi", node
            assert str(q) in ARTICLE_TEXT, (node, str(q))


def test_claims_are_numbered_in_the_order_of_the_text(kgraph: KnowledgeGraph) -> None:
    result = ask_article(
        kgraph,
        """SELECT ?c ?quote ?kind WHERE {
            ?c a cchc:Claim ; cchc:quote ?quote ; cchc:claimKind ?kind ; rdfs:label ?l .
            FILTER (lang(?l) = "vi")
        }""",
    )
    numbered: dict[int, tuple[str, str]] = {}
    for claim, quote, kind in result:
        m = re.fullmatch(r".*/claim/hanoi-cchc-workshop-2020-10-22-(\d+)", str(claim))
        assert m, claim
        numbered[int(m[1])] = (str(quote), str(kind).rsplit("/", 1)[1])
    assert sorted(numbered) == list(range(1, len(numbered) + 1))
    positions = [ARTICLE_TEXT.index(numbered[n][0]) for n in sorted(numbered)]
    assert positions == sorted(positions)
    kinds = [numbered[n][1] for n in sorted(numbered)]
    assert kinds.count("purpose") == 4
    assert {"achievement", "shortcoming", "direction"} <= set(kinds)


def test_source_is_a_dated_news_article_without_invented_publisher(
    kgraph: KnowledgeGraph,
) -> None:
    found = rows(
        ask_article(
            kgraph,
            """SELECT ?date ?time ?lang WHERE {
                ?s a schema:NewsArticle , schema:CreativeWork ; schema:headline ?h ;
                   schema:datePublished ?date ; cchc:timeAsWritten ?time ;
                   schema:inLanguage ?lang .
                FILTER NOT EXISTS { ?s schema:publisher|schema:author ?anyone }
            }""",
        )
    )
    assert found == {(ARTICLE_DATE, Literal("4:30 PM"), Literal("vi"))}


# ---- the rules on a stand-in graph ----------------------------------------------------------

STAND_IN_DEADLINE = """
@prefix cchc: <https://w3id.org/cchc/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/cchc/id/target/30c-nq-cp-sipas-80> cchc:deadline {deadline} .
"""


def run_rules(*turtle: str) -> Graph:
    """Run every rule to a fixpoint on the article plus ``turtle``; return what they derived."""
    ds = Dataset(default_union=True)
    ds.graph(graph_name(ARTICLE_GRAPH)).parse(ARTICLE_TTL)
    for i, text in enumerate(turtle):
        ds.graph(graph_name(f"stand-in/{i}")).parse(data=text, format="turtle")
    derived = ds.graph(graph_name("derived"))
    queries = [prepare(p.read_text("utf-8"), source=str(p)) for p in sorted(RULES.glob("*.rq"))]
    for _ in range(3):
        before = len(derived)
        for query in queries:
            for triple in ds.query(query):
                derived.add(triple)  # type: ignore[arg-type]
        if len(derived) == before:
            break
    return derived


@pytest.mark.parametrize("deadline", ['"2020"^^xsd:gYear', '"2020-12-31"^^xsd:date'])
def test_target_met_takes_the_year_of_a_gyear_or_a_date_deadline(deadline: str) -> None:
    derived = run_rules(STAND_IN_DEADLINE.replace("{deadline}", deadline))
    years = set(derived.objects(None, URIRef("https://w3id.org/cchc/ontology#achievedIn")))
    assert years == {gyear(2018)}


def test_target_met_derives_nothing_without_a_deadline() -> None:
    derived = run_rules()
    assert (None, URIRef("https://w3id.org/cchc/ontology#achievedIn"), None) not in derived


def test_rank_rule_uses_only_a_stated_rank_of_the_changes_own_source() -> None:
    # Another source's stated 2019 rank must not become the base of the article's changes.
    other = """
    @prefix cchc: <https://w3id.org/cchc/ontology#> .
    @prefix qb: <http://purl.org/linked-data/cube#> .
    @prefix prov: <http://www.w3.org/ns/prov#> .
    @prefix sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <https://w3id.org/cchc/id/observation/pci-01-2019-other> a qb:Observation ;
        qb:dataSet <https://w3id.org/cchc/id/dataset/pci> ;
        sdmx-dimension:refArea <https://w3id.org/cchc/id/unit/01> ;
        sdmx-dimension:refPeriod "2019"^^xsd:gYear ;
        cchc:rank 30 ; cchc:rankOutOf 63 ;
        cchc:rankBasis <https://w3id.org/cchc/id/rank-basis/stated> ;
        prov:wasDerivedFrom <https://w3id.org/cchc/id/source/other> .
    """
    derived = run_rules(other)
    rank = URIRef("https://w3id.org/cchc/ontology#rank")
    assert {o.toPython() for o in derived.objects(None, rank)} == {24, 13, 51}
    observations = set(derived.subjects(rank, None))
    assert observations == {ID[f"observation/pci-01-{y}-derived"] for y in (2012, 2015, 2017)}
