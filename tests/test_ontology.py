"""The ontology, the concept schemes and the index definitions keep the vocabulary contract.

docs/vocabulary.md is the contract every importer, rule, shape and query relies on; these tests
read the three Turtle files straight from disk (no build) and check, mostly by SPARQL, that the
ontology defines exactly the terms the contract lists, that every term and concept speaks both
Vietnamese and English, and that each index has its data set and sourced full names.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS

import kg
from kg.namespaces import CCHC, GRAPH, PREFIXES, QB, resource, slugify, sparql_prefixes

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY = ROOT / "docs" / "vocabulary.md"
FILES = {
    GRAPH["ontology/cchc"]: ROOT / "ontology" / "cchc.ttl",
    GRAPH["ontology/concepts"]: ROOT / "ontology" / "concepts.ttl",
    GRAPH["indices"]: ROOT / "data" / "indices.ttl",
}
ONTOLOGY_GRAPH = GRAPH["ontology/cchc"]
ARTICLE = resource("source", "hanoi-cchc-workshop-2020-10-22")
INDICES = ["par-index", "pci", "sipas", "papi", "ict-index", "ict-index-it-industry"]
INDICATORS = [
    "online-dossiers",
    "online-services-level-3-4",
    "online-procedures-level-3-4",
    "online-procedures-level-4",
]


def ds_of_files() -> Dataset:
    """The three files, each in the named graph ``kg build`` gives it, queried as one union."""
    dataset = Dataset(default_union=True)
    for name, path in FILES.items():
        dataset.graph(name).parse(path, format="turtle")
    return dataset


@pytest.fixture(scope="module")
def ds() -> Dataset:
    """The three files, each in the named graph ``kg build`` gives it, queried as one union."""
    return ds_of_files()


def select(ds: Dataset, query: str) -> list[tuple[str, ...]]:
    """Run a SELECT with the project's prefixes and return the rows as sorted string tuples."""
    return sorted(tuple(str(v) for v in row) for row in ds.query(sparql_prefixes() + query))


def ask(ds: Dataset, query: str) -> bool:
    """Run an ASK with the project's prefixes."""
    return bool(ds.query(sparql_prefixes() + query).askAnswer)


def expand(curie: str) -> URIRef:
    """``org:Role`` → the full IRI, through the one prefix table of kg.namespaces."""
    prefix, local = curie.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def vocabulary_rows() -> list[list[str]]:
    """The cells of every table row of docs/vocabulary.md (header and rule rows left out)."""
    rows = []
    for line in VOCABULARY.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|") or set(line) <= set("|- "):
            continue
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def vocabulary_terms() -> set[URIRef]:
    """Every backticked ``cchc:Name`` in the tables of docs/vocabulary.md."""
    names = {
        name
        for row in vocabulary_rows()
        for cell in row
        for name in re.findall(r"`cchc:([A-Za-z]\w*)`", cell)
    }
    return {CCHC[name] for name in names}


# ── the ontology header ─────────────────────────────────────────────────────────────────────


def test_ontology_header_has_version_licence_creator_and_bilingual_title(ds: Dataset) -> None:
    rows = select(
        ds,
        """
        SELECT ?licence ?creator WHERE {
            <https://w3id.org/cchc/ontology> a owl:Ontology ;
                dct:license ?licence ; dct:creator ?creator .
            FILTER EXISTS { <https://w3id.org/cchc/ontology> dct:title ?t FILTER(lang(?t) = "vi") }
            FILTER EXISTS { <https://w3id.org/cchc/ontology> dct:title ?t FILTER(lang(?t) = "en") }
            FILTER EXISTS { <https://w3id.org/cchc/ontology> rdfs:label ?l FILTER(lang(?l) = "vi") }
            FILTER EXISTS { <https://w3id.org/cchc/ontology> rdfs:label ?l FILTER(lang(?l) = "en") }
            FILTER EXISTS {
                <https://w3id.org/cchc/ontology> dct:description ?d FILTER(lang(?d) = "vi") }
            FILTER EXISTS {
                <https://w3id.org/cchc/ontology> dct:description ?d FILTER(lang(?d) = "en") }
        }
        """,
    )
    assert rows == [("https://creativecommons.org/licenses/by/4.0/", "The cchc-kg project")]


def test_the_built_ontology_states_the_package_version_written_once(kgraph: Any) -> None:
    """kg/version.py is the one place: the file states none, the build states that one."""
    assert not ask(ds_of_files(), "ASK { ?o owl:versionInfo ?v }")
    rows = kgraph.sparql("SELECT ?v WHERE { <https://w3id.org/cchc/ontology> owl:versionInfo ?v }")
    assert [str(r[0]) for r in rows] == [kg.__version__]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject and "version =" not in pyproject.split("[tool")[0]


# ── our own terms ───────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("predicate", ["rdfs:label", "skos:definition"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_own_term_has_label_and_definition_in_both_languages(
    ds: Dataset, predicate: str, lang: str
) -> None:
    missing = select(
        ds,
        f"""
        SELECT ?term WHERE {{
            VALUES ?type {{ owl:Class owl:ObjectProperty owl:DatatypeProperty }}
            ?term a ?type .
            FILTER STRSTARTS(STR(?term), STR(cchc:))
            FILTER NOT EXISTS {{ ?term {predicate} ?text FILTER(lang(?text) = "{lang}") }}
        }}
        """,
    )
    assert missing == []


def test_every_own_property_has_a_domain_and_a_range(ds: Dataset) -> None:
    missing = select(
        ds,
        """
        SELECT ?property WHERE {
            VALUES ?type { owl:ObjectProperty owl:DatatypeProperty rdf:Property }
            ?property a ?type .
            FILTER STRSTARTS(STR(?property), STR(cchc:))
            FILTER (NOT EXISTS { ?property rdfs:domain ?d }
                    || NOT EXISTS { ?property rdfs:range ?r })
        }
        """,
    )
    assert missing == []


def test_every_own_property_is_an_object_or_a_datatype_property(ds: Dataset) -> None:
    untyped = select(
        ds,
        """
        SELECT DISTINCT ?property WHERE {
            { ?property rdfs:domain ?d } UNION { ?property rdfs:range ?r }
            FILTER STRSTARTS(STR(?property), STR(cchc:))
            FILTER NOT EXISTS { ?property a owl:ObjectProperty }
            FILTER NOT EXISTS { ?property a owl:DatatypeProperty }
        }
        """,
    )
    both = select(
        ds,
        "SELECT ?p WHERE { ?p a owl:ObjectProperty , owl:DatatypeProperty }",
    )
    assert (untyped, both) == ([], [])


def test_ontology_defines_exactly_the_terms_of_the_vocabulary_tables(ds: Dataset) -> None:
    defined = {
        s
        for s in ds.graph(ONTOLOGY_GRAPH).subjects(RDF.type, None)
        if isinstance(s, URIRef) and s.startswith(str(CCHC))
    }
    listed = vocabulary_terms()
    assert sorted(listed - defined) == [], "listed in docs/vocabulary.md, not in the ontology"
    assert sorted(defined - listed) == [], "in the ontology, not listed in docs/vocabulary.md"


def test_the_vocabulary_lists_a_known_set_of_terms() -> None:
    """Guards the markdown parser above: a broken regex would make the set test pass vacuously."""
    terms = vocabulary_terms()
    assert {CCHC.Agency, CCHC.governs, CCHC.rankBasis, CCHC.participant, CCHC.reason} <= terms
    assert len(terms) > 80


def _class_rows() -> list[tuple[URIRef, list[URIRef]]]:
    """(our class, the standard terms the classes table says it is a subclass of)."""
    rows = []
    for cells in vocabulary_rows():
        if len(cells) == 3 and re.fullmatch(r"`cchc:[A-Z]\w*`", cells[0]):
            parents = re.findall(r"`([a-z-]+:[A-Za-z]\w*)`", cells[1])
            rows.append((expand(cells[0].strip("`")), [expand(p) for p in parents]))
    return rows


@pytest.mark.parametrize(("cls", "parents"), _class_rows(), ids=lambda v: str(v).split("#")[-1])
def test_each_class_is_a_subclass_of_the_terms_the_contract_names(
    ds: Dataset, cls: URIRef, parents: list[URIRef]
) -> None:
    assert parents, f"the classes table names no superclass for {cls}"
    for parent in parents:
        assert ask(ds, f"ASK {{ <{cls}> a owl:Class ; rdfs:subClassOf+ <{parent}> }}"), parent


def test_class_table_parser_found_every_class() -> None:
    assert len(_class_rows()) == 33


def test_agencies_are_organizations_through_org_s_own_axiom(ds: Dataset) -> None:
    """cchc:Agency states org:FormalOrganization only: ORG's own axiom makes it an
    org:Organization, and the build materialises both (ontology/rules/rdfs-entailment.rq)."""
    assert ask(ds, "ASK { cchc:Agency rdfs:subClassOf org:FormalOrganization }")
    assert ask(ds, "ASK { org:FormalOrganization rdfs:subClassOf org:Organization }")
    assert not ask(ds, "ASK { cchc:Agency rdfs:subClassOf org:Organization }")


def test_governs_refines_dct_spatial_and_conflicts_with_is_symmetric(ds: Dataset) -> None:
    assert ask(ds, "ASK { cchc:governs rdfs:subPropertyOf dct:spatial }")
    assert ask(ds, "ASK { cchc:conflictsWith a owl:SymmetricProperty, owl:ObjectProperty }")
    # not inverses: cchc:indicator is also a target's, and a target is no qb:DataSet
    assert not ask(ds, "ASK { cchc:dataSet owl:inverseOf cchc:indicator }")


def test_union_domains_name_each_class_the_contract_lists(ds: Dataset) -> None:
    members = select(
        ds,
        """
        SELECT ?member WHERE {
            cchc:participant rdfs:range/owl:unionOf/rdf:rest*/rdf:first ?member }
        """,
    )
    assert members == sorted(
        [(str(CCHC.Agency),), (str(CCHC.AgencyGroup),), ("http://xmlns.com/foaf/0.1/Person",)]
    )


def test_standard_terms_are_declared_without_being_redefined(ds: Dataset) -> None:
    """External classes get a type and an English label only; their meaning stays theirs, but
    for the subclass axioms the W3C states itself (ORG, PROV-O), which the build's entailment
    rule needs."""
    extra = select(
        ds,
        f"""
        SELECT ?term ?p ?o WHERE {{
            GRAPH <{ONTOLOGY_GRAPH}> {{ ?term ?p ?o }}
            FILTER (!STRSTARTS(STR(?term), STR(cchc:)) && isIRI(?term))
            FILTER (?term != <https://w3id.org/cchc/ontology>)
            FILTER (?p NOT IN (rdf:type, rdfs:label))
        }}
        """,
    )
    org, prov, sub = "http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#", str(RDFS.subClassOf)
    subp = str(RDFS.subPropertyOf)
    assert sorted(extra) == sorted(
        [
            ("http://xmlns.com/foaf/0.1/Person", sub, "https://schema.org/Person"),
            (f"{org}FormalOrganization", sub, f"{org}Organization"),
            (f"{org}OrganizationalUnit", sub, f"{org}Organization"),
            (f"{org}unitOf", subp, f"{org}subOrganizationOf"),
            (f"{org}hasUnit", subp, f"{org}hasSubOrganization"),
            (f"{prov}Collection", sub, f"{prov}Entity"),
            (f"{prov}Plan", sub, f"{prov}Entity"),
        ]
    )


# ── the data structure definition ───────────────────────────────────────────────────────────


def test_index_structure_has_the_dimensions_measures_and_attribute_of_the_contract(
    ds: Dataset,
) -> None:
    rows = select(
        ds,
        """
        SELECT ?kind ?property WHERE {
            cchc:IndexStructure a qb:DataStructureDefinition ; qb:component ?c .
            VALUES ?kind { qb:dimension qb:measure qb:attribute }
            ?c ?kind ?property .
        }
        """,
    )
    q, d = str(QB), PREFIXES["sdmx-dimension"]
    expected = [(q + "dimension", d + "refArea"), (q + "dimension", d + "refPeriod")]
    expected += [
        (q + "measure", str(CCHC[m]))
        for m in (
            "score",
            "scoreLowerBound",
            "meanScore",
            "rank",
            "rankOutOf",
            "count",
            "countOutOf",
        )
    ]
    expected += [(q + "attribute", str(CCHC.rankBasis))]
    assert rows == sorted(expected)


def test_measures_and_attribute_are_typed_as_cube_component_properties(ds: Dataset) -> None:
    untyped = select(
        ds,
        """
        SELECT ?property WHERE {
            cchc:IndexStructure qb:component ?c .
            { ?c qb:measure ?property FILTER NOT EXISTS { ?property a qb:MeasureProperty } }
            UNION
            { ?c qb:attribute ?property FILTER NOT EXISTS { ?property a qb:AttributeProperty } }
            UNION
            { ?c qb:dimension ?property FILTER NOT EXISTS { ?property a qb:DimensionProperty } }
        }
        """,
    )
    assert untyped == []


# ── concept schemes ─────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("predicate", ["skos:prefLabel", "rdfs:label"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_concept_is_in_a_scheme_and_labelled_in_both_languages(
    ds: Dataset, predicate: str, lang: str
) -> None:
    bad = select(
        ds,
        f"""
        SELECT ?concept WHERE {{
            ?concept a skos:Concept .
            FILTER (isIRI(?concept))
            FILTER (NOT EXISTS {{ ?concept skos:inScheme ?s . ?s a skos:ConceptScheme }}
                    || NOT EXISTS {{ ?concept {predicate} ?l FILTER(lang(?l) = "{lang}") }})
        }}
        """,
    )
    assert bad == []


def test_every_scheme_named_in_the_vocabulary_exists_and_has_concepts(ds: Dataset) -> None:
    text = VOCABULARY.read_text(encoding="utf-8")
    names = set(re.findall(r"`id:scheme/([a-z-]+)`", text))
    assert {"roles", "levels", "unit-kinds", "qualifiers", "indicators"} <= names
    for name in sorted(names):
        scheme = resource("scheme", name)
        assert ask(ds, f"ASK {{ <{scheme}> a skos:ConceptScheme . ?c skos:inScheme <{scheme}> }}")


def test_role_abbreviations_pct_and_ct_are_alt_labels(ds: Dataset) -> None:
    rows = select(
        ds,
        """
        SELECT ?role ?abbr WHERE {
            ?role a cchc:Role, org:Role, skos:Concept ; skos:altLabel ?abbr .
            FILTER (?abbr IN ("PCT"@vi, "CT"@vi))
        }
        """,
    )
    assert rows == [
        (str(resource("role", "chu-tich")), "CT"),
        (str(resource("role", "pho-chu-tich")), "PCT"),
    ]


def test_standing_vice_chairman_is_narrower_than_vice_chairman(ds: Dataset) -> None:
    standing = resource("role", "pho-chu-tich-thuong-truc")
    assert ask(ds, f"ASK {{ <{standing}> skos:broader <{resource('role', 'pho-chu-tich')}> }}")


def test_role_slugs_follow_their_vietnamese_names(ds: Dataset) -> None:
    """Importers mint role IRIs with slugify(name); the concepts must sit at those IRIs."""
    rows = select(
        ds,
        "SELECT ?role ?name WHERE { ?role a cchc:Role ; skos:prefLabel ?name "
        'FILTER(lang(?name) = "vi") }',
    )
    assert len(rows) == 14
    for role, name in rows:
        assert role == str(resource("role", slugify(name)))


def test_unit_kinds_are_exactly_those_of_the_vocabulary_each_at_a_level(ds: Dataset) -> None:
    row = next(cells for cells in vocabulary_rows() if cells[0] == "`unit-kind`")
    slugs = set(re.findall(r"/([a-z-]+)`", row[1]))
    rows = select(
        ds,
        """
        SELECT ?kind ?level WHERE {
            ?kind skos:inScheme <https://w3id.org/cchc/id/scheme/unit-kinds> ; cchc:level ?level .
            ?level skos:inScheme <https://w3id.org/cchc/id/scheme/levels> .
        }
        """,
    )
    assert {kind.rsplit("/", 1)[1] for kind, _ in rows} == slugs
    assert len(rows) == len(slugs)


def test_unit_kinds_used_by_the_unit_lists_exist(ds: Dataset) -> None:
    """The units importer points at id:unit-kind/{kind} and id:level/{level} from the CSVs."""
    for path in sorted((ROOT / "data" / "units").glob("units-*.csv")):
        with path.open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        for kind in {r["kind"] for r in rows}:
            assert ask(ds, f"ASK {{ <{resource('unit-kind', kind)}> a skos:Concept }}"), kind
        for level in {r["level"] for r in rows}:
            assert ask(ds, f"ASK {{ <{resource('level', level)}> a skos:Concept }}"), level


def test_schemes_hold_the_concepts_of_the_contract(ds: Dataset) -> None:
    expected = {
        "rank-bases": {"stated", "computed", "inferred", "derived"},
        "qualifiers": {"exactly", "about", "nearly", "more-than", "above", "at-least"},
        "claim-kinds": {
            "achievement",
            "shortcoming",
            "direction",
            "purpose",
            "discussion",
            "statement",
        },
        "levels": {"central", "province", "district", "commune"},
    }
    for scheme, slugs in expected.items():
        rows = select(ds, f"SELECT ?c WHERE {{ ?c skos:inScheme <{resource('scheme', scheme)}> }}")
        assert {c.rsplit("/", 1)[1] for (c,) in rows} == slugs, scheme


# ── text ────────────────────────────────────────────────────────────────────────────────────


def test_every_text_literal_is_nfc(ds: Dataset) -> None:
    texts = [o for _, _, o, _ in ds.quads((None, None, None, None)) if isinstance(o, Literal)]
    assert len(texts) > 500
    assert [str(t) for t in texts if unicodedata.normalize("NFC", str(t)) != str(t)] == []


def test_labels_are_one_per_language(ds: Dataset) -> None:
    doubled = select(
        ds,
        """
        SELECT ?s ?lang WHERE {
            ?s rdfs:label ?a , ?b . BIND(lang(?a) AS ?lang)
            FILTER (lang(?a) = lang(?b) && STR(?a) < STR(?b))
        }
        """,
    )
    assert doubled == []


# ── indices and indicators ──────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "node",
    [resource("index", s) for s in INDICES] + [resource("indicator", s) for s in INDICATORS],
    ids=INDICES + INDICATORS,
)
def test_each_indicator_has_its_data_set_and_full_names_in_both_languages(
    ds: Dataset, node: URIRef
) -> None:
    slug = node.rsplit("/", 1)[1]
    dataset = resource("dataset", slug)
    assert ask(
        ds,
        f"""
        ASK {{
            <{node}> a cchc:Indicator, skos:Concept ; cchc:dataSet <{dataset}> ;
                cchc:fullName ?vi , ?en ; rdfs:label ?lvi , ?len ; prov:wasDerivedFrom ?src .
            <{dataset}> a qb:DataSet ; qb:structure cchc:IndexStructure ;
                cchc:indicator <{node}> ; rdfs:label ?dvi , ?den .
            FILTER (lang(?vi) = "vi" && lang(?en) = "en" && lang(?lvi) = "vi" && lang(?len) = "en")
            FILTER (lang(?dvi) = "vi" && lang(?den) = "en")
        }}
        """,
    )


def test_indices_are_performance_indices_and_indicators_are_not(ds: Dataset) -> None:
    rows = select(ds, "SELECT ?i WHERE { ?i a cchc:PerformanceIndex, cchc:Indicator }")
    assert rows == sorted((str(resource("index", s)),) for s in INDICES)


def test_par_index_keeps_the_articles_spelling_and_its_data_set_label(ds: Dataset) -> None:
    par, dataset = resource("index", "par-index"), resource("dataset", "par-index")
    assert ask(ds, f'ASK {{ <{par}> skos:altLabel "PARINDEX"@vi ; rdfs:label "PAR INDEX"@en }}')
    assert ask(ds, f'ASK {{ <{dataset}> rdfs:label "PAR INDEX"@en, "PAR INDEX"@vi }}')


def test_it_industry_index_is_a_sub_index_of_the_ict_index(ds: Dataset) -> None:
    sub, ict = resource("index", "ict-index-it-industry"), resource("index", "ict-index")
    assert ask(ds, f"ASK {{ <{sub}> cchc:subIndexOf <{ict}> }}")


def test_scale_units_are_those_the_sources_state(ds: Dataset) -> None:
    rows = dict(select(ds, "SELECT ?i ?unit WHERE { ?i cchc:scaleUnit ?unit }"))
    units = {k.rsplit("/", 1)[1]: v for k, v in rows.items()}
    assert {s: units.get(s) for s in INDICES} == {
        "par-index": "%",
        "pci": "points",
        "sipas": "%",
        "papi": "points",
        "ict-index": "index (0-1)",
        "ict-index-it-industry": "index (0-1)",
    }
    assert "online-dossiers" not in units  # the article gives no unit


def test_scale_bounds_only_where_the_unit_fixes_them(ds: Dataset) -> None:
    """ "%" fixes 0-100 and "index (0-1)" fixes 0-1; "points" fixes nothing, so no bounds."""
    fixed = {"%": (0, 100), "index (0-1)": (0, 1)}
    rows = select(
        ds,
        """
        SELECT ?i ?unit ?min ?max WHERE {
            ?i a cchc:Indicator .
            OPTIONAL { ?i cchc:scaleUnit ?unit } OPTIONAL { ?i cchc:scaleMin ?min }
            OPTIONAL { ?i cchc:scaleMax ?max }
        }
        """,
    )
    assert len(rows) == len(INDICES) + len(INDICATORS)
    for node, unit, low, high in rows:
        if unit in fixed:
            assert (float(low), float(high)) == fixed[unit], node
        else:
            assert (low, high) == ("None", "None"), node


def _reference_sources() -> set[URIRef]:
    """The source IRIs the reference importer mints: slug of the title, cut to 60 characters."""
    with (ROOT / "data" / "reference" / "facts.csv").open(encoding="utf-8") as f:
        titles = {row["source_title"] for row in csv.DictReader(f)}
    return {resource("source", slugify(t)[:60].strip("-")) for t in titles}


def test_every_source_of_an_indicator_is_the_article_a_reference_row_or_described(
    ds: Dataset,
) -> None:
    described = {
        URIRef(s)
        for (s,) in select(
            ds, "SELECT ?s WHERE { GRAPH graph:indices { ?s a cchc:Source ; schema:url ?u } }"
        )
    }
    known = _reference_sources() | described | {ARTICLE}
    used = {
        URIRef(s)
        for (s,) in select(
            ds, "SELECT DISTINCT ?s WHERE { ?i a cchc:Indicator ; prov:wasDerivedFrom ?s }"
        )
    }
    assert sorted(used - known) == []
    assert ARTICLE in used and used & _reference_sources()


def test_no_publisher_is_stated_here(ds: Dataset) -> None:
    """Publishers come from reference rows F064-F068 through the importer, with their sources."""
    assert not ask(
        ds, "ASK { ?i a cchc:Indicator ; ?p ?o FILTER(?p IN (schema:publisher, dct:publisher)) }"
    )
