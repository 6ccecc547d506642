"""The graph states the standard terms by rule, facts live in data/, and the build's shape holds.

Importers and data files write our own classes and properties only; ontology/rules/
rdfs-entailment.rq states the superclasses and superproperties (an org:Organization for every
People's Committee, dct:spatial for every cchc:governs). The reference importer maps facts.csv
through the tables beside it, never through names in code.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD

import kg
from kg.errors import KgDataError
from kg.graph import KnowledgeGraph
from kg.importers.bodies import bodies_ntriples
from kg.importers.reference import load_facts
from kg.importers.units import units_ntriples
from kg.namespaces import CCHC, ORG, QB, compact, resource
from kg.ntriples import read_ntriples

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "build" / "provinces-shape.txt"
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))


def _ask(kgraph: KnowledgeGraph, text: str) -> bool:
    return bool(kgraph.sparql(text).askAnswer)


def test_every_body_is_an_organization_by_rule(kgraph: KnowledgeGraph) -> None:
    assert not _ask(
        kgraph,
        "ASK { ?b a cchc:PeoplesCommittee FILTER NOT EXISTS { ?b a org:Organization , "
        "org:FormalOrganization , cchc:Agency } }",
    )
    # stated by the rule into graph:derived, not by the importer
    assert _ask(
        kgraph,
        "ASK { GRAPH <https://w3id.org/cchc/graph/derived> "
        "{ <https://w3id.org/cchc/id/agency/ubnd/02> a org:Organization } }",
    )


def test_governs_is_also_spatial(kgraph: KnowledgeGraph) -> None:
    assert not _ask(kgraph, "ASK { ?b cchc:governs ?u FILTER NOT EXISTS { ?b dct:spatial ?u } }")


def test_a_target_is_no_data_set(kgraph: KnowledgeGraph) -> None:
    """cchc:dataSet is not the inverse of cchc:indicator, which targets use too."""
    assert not _ask(kgraph, "ASK { ?t a cchc:Target , qb:DataSet }")
    ontology = kgraph.graph("ontology/cchc")
    assert (CCHC.dataSet, OWL.inverseOf, CCHC.indicator) not in ontology


def _superclasses(ontology: Graph) -> dict[URIRef, set[URIRef]]:
    out: dict[URIRef, set[URIRef]] = {}
    for cls in set(ontology.subjects(RDFS.subClassOf, None)):
        out[cls] = {c for c in ontology.transitive_objects(cls, RDFS.subClassOf) if c != cls}
    return out


@pytest.mark.parametrize("era", ["2020", "2025"])
def test_no_importer_writes_a_type_chain(kgraph: KnowledgeGraph, era: str) -> None:
    above = _superclasses(kgraph.graph("ontology/cchc"))
    path = ROOT / "data" / "units" / f"units-{era}.csv"
    text = units_ntriples(path, era=era, levels={"province"}) + bodies_ntriples(
        path, era=era, levels={"province"}
    )
    graph = Graph()
    for triple in read_ntriples(text):
        graph.add(triple)
    graph += load_facts(ROOT / "data" / "reference" / "facts.csv")
    chains = [
        (s, o)
        for s in set(graph.subjects(RDF.type, None))
        for o in graph.objects(s, RDF.type)
        if any(o in above.get(c, ()) for c in graph.objects(s, RDF.type))  # type: ignore[arg-type]
    ]
    assert chains == []
    assert not list(graph.triples((None, DCTERMS.spatial, None)))


def test_inverse_properties_agree_with_their_domains_and_ranges(kgraph: KnowledgeGraph) -> None:
    """``p owl:inverseOf q`` entails ``o q s`` for every ``s p o``: q's domain must hold what p
    reaches and q's range what p starts from, or reasoning types nodes wrongly."""
    ontology = kgraph.graph("ontology/cchc")
    above = _superclasses(ontology)

    def covers(wide: object, narrow: object) -> bool:
        return wide is None or narrow == wide or wide in above.get(narrow, set())  # type: ignore[arg-type]

    for p, q in ontology.subject_objects(OWL.inverseOf):
        assert covers(ontology.value(q, RDFS.domain), ontology.value(p, RDFS.range)), (p, q)
        assert covers(ontology.value(q, RDFS.range), ontology.value(p, RDFS.domain)), (p, q)


def test_the_reference_importer_holds_no_fact_of_its_own() -> None:
    """No Vietnamese text, URL or document number in kg/importers/reference.py: those are
    data (data/reference/*.csv, facts.ttl, provinces-2025.ttl)."""
    code = (ROOT / "kg" / "importers" / "reference.py").read_text(encoding="utf-8")
    lines = [ln for ln in code.splitlines() if not ln.lstrip().startswith("#")]
    text = "\n".join(lines)
    assert not re.findall(r"[À-ỹĐđ]", text)
    assert not re.findall(r"https?://(?!\\S)", text)
    assert not re.findall(r"\b\d+[a-z]?/(?:\d{4}/)?(?:NQ|QĐ|QD|UBND|QH|TTg)", text)


def _copy_reference(tmp_path: Path) -> Path:
    folder = tmp_path / "data" / "reference"
    shutil.copytree(ROOT / "data" / "reference", folder)
    shutil.copytree(ROOT / "data" / "units", tmp_path / "data" / "units")
    return folder / "facts.csv"


def test_a_row_nobody_mapped_is_refused_with_what_to_add(tmp_path: Path) -> None:
    facts = _copy_reference(tmp_path)
    with facts.open("a", encoding="utf-8") as handle:
        handle.write("F999,Hà Nội,budget spent,2020,12,bn VND,,,,words,https://x.example/p,,,\n")
    with pytest.raises(KgDataError) as caught:
        load_facts(facts)
    message = str(caught.value)
    assert "F999" in message and "indicators.csv" in message and "facts.ttl" in message
    assert caught.value.line == len(facts.read_text(encoding="utf-8").splitlines())


def test_a_new_indicator_is_added_as_data(tmp_path: Path) -> None:
    facts = _copy_reference(tmp_path)
    with facts.open("a", encoding="utf-8") as handle:
        handle.write("F999,Hà Nội,budget spent,2020,12,bn VND,,,,words,https://x.example/p,,,\n")
    with (facts.parent / "indicators.csv").open("a", encoding="utf-8") as handle:
        handle.write("budget spent,budget-spent,score\n")
    graph = load_facts(facts)
    observation = graph.value(None, DCTERMS.identifier, Literal("F999"))
    assert graph.value(observation, QB.dataSet) == resource("dataset", "budget-spent")
    assert graph.value(observation, CCHC.score) == Literal(Decimal("12"), datatype=XSD.decimal)


def _shape(kgraph: KnowledgeGraph) -> str:
    """How many triples of each predicate, and instances of each class, the union holds."""
    predicates: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    union = {(s, p, o) for s, p, o, _g in kgraph.quads()}
    for _s, p, o in union:
        predicates[compact(str(p))] += 1
        if p == RDF.type:
            classes[compact(str(o))] += 1
    lines = [f"triples {len(union)}"]
    lines += [f"predicate {name} {n}" for name, n in sorted(predicates.items())]
    lines += [f"class {name} {n}" for name, n in sorted(classes.items())]
    return "\n".join(lines) + "\n"


def test_the_provinces_build_keeps_its_shape(kgraph: KnowledgeGraph) -> None:
    """The counts of every predicate and class of ``kg build --provinces-only``: a change that
    adds or loses triples shows here as a diff to review (``UPDATE_GOLDEN=1`` rewrites it)."""
    shape = _shape(kgraph)
    if UPDATE:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(shape, encoding="utf-8")
    assert shape == GOLDEN.read_text(encoding="utf-8")


def test_every_organisation_of_the_contract_is_typed(kgraph: KnowledgeGraph) -> None:
    rows = kg.query(
        kgraph,
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a cchc:Agency FILTER NOT EXISTS "
        "{ ?a a org:Organization } }",
    )
    assert int(rows.rows[0]["n"]) == 0
    assert ORG.Organization in set(kgraph.graph("ontology/cchc").objects(None, RDFS.subClassOf))
