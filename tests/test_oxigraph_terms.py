"""Terms out of Oxigraph: the fast conversions make the terms rdflib's constructors make."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg.graph import KnowledgeGraph
from kg.query import run
from kg.terms import rdflib_terms, to_oxigraph, to_rdflib

TERMS = [
    URIRef("https://w3id.org/cchc/id/agency/ubnd-thanh-pho-ha-noi"),
    URIRef("https://vi.wikipedia.org/wiki/Hà_Nội"),
    Literal("Hà Nội", lang="vi"),
    Literal("Ha Noi", lang="en"),
    Literal("Ủy ban nhân dân"),
    Literal(""),
    Literal('a "quoted"\nline'),
    Literal("vi-VN tag", lang="vi-vn"),
    Literal("2020-10-22", datatype=XSD.date),
    Literal("2020", datatype=XSD.gYear),
    Literal("63", datatype=XSD.integer),
    Literal("0.5", datatype=XSD.decimal),
    Literal("true", datatype=XSD.boolean),
]


@pytest.mark.parametrize("term", TERMS, ids=[repr(t)[:40] for t in TERMS])
def test_a_term_comes_back_as_rdflib_makes_it(term: URIRef | Literal) -> None:
    back = to_rdflib(to_oxigraph(term))
    assert type(back) is type(term)
    assert back == term and hash(back) == hash(term)
    assert back.n3() == term.n3()
    if isinstance(term, Literal):
        for slot in ("_language", "_datatype", "_value", "_ill_typed"):
            assert getattr(back, slot) == getattr(term, slot), slot
        assert back.eq(term) and back.toPython() == term.toPython()


def test_an_xsd_string_comes_back_plain() -> None:
    back = to_rdflib(to_oxigraph(Literal("x", datatype=XSD.string)))
    assert back == Literal("x") and back.datatype is None


def test_a_blank_node_comes_back_a_blank_node() -> None:
    assert isinstance(to_rdflib(to_oxigraph(BNode("b1"))), BNode)


def test_one_answer_makes_each_term_once() -> None:
    convert = rdflib_terms()
    vi = to_oxigraph(Literal("Hà Nội", lang="vi"))
    first = convert(vi)
    assert convert(to_oxigraph(Literal("Hà Nội", lang="vi"))) is first
    assert convert(to_oxigraph(Literal("Hà Nội", lang="en"))) is not first


def test_a_construct_answer_is_a_graph_that_serialises(tmp_path: Path) -> None:
    data = tmp_path / "d.ttl"
    data.write_text(
        "@prefix org: <http://www.w3.org/ns/org#> .\n"
        "<https://w3id.org/cchc/id/a> org:subOrganizationOf <https://w3id.org/cchc/id/b> .\n"
        "<https://w3id.org/cchc/id/c> org:subOrganizationOf <https://w3id.org/cchc/id/b> .\n",
        encoding="utf-8",
    )
    graph = KnowledgeGraph.from_files([data], store="oxigraph")
    results = run(graph, "CONSTRUCT { ?b ?p ?a } WHERE { ?a ?p ?b }")
    assert results.graph is not None and len(results) == 2
    text = results.graph.serialize(format="turtle")
    assert "<https://w3id.org/cchc/id/b>" in text and text.count("subOrganizationOf") == 1
