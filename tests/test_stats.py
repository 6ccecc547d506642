"""kg.stats: what it counts, the same on every store (the counts are SPARQL aggregates run
where the store is)."""

from __future__ import annotations

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS

from kg.graph import SHAPES_GRAPH, KnowledgeGraph
from kg.stats import stats

EX = "http://example.org/"
A, B, C, THING, PLACE = (URIRef(EX + n) for n in ("a", "b", "c", "Thing", "Place"))


def _graph(store: str) -> KnowledgeGraph:
    graph = KnowledgeGraph(store=store)
    graph.add(
        "data/one",
        [
            (A, RDF.type, THING),
            (A, RDF.type, PLACE),  # two classes: one resource
            (A, RDFS.label, Literal("Hà Nội", lang="vi")),
            (A, RDFS.label, Literal("Thủ đô", lang="vi")),  # two labels in vi: counted once
            (A, RDFS.label, Literal("Hanoi", lang="en")),
            (B, RDF.type, THING),
            (B, RDFS.label, Literal("Huế", lang="VI")),  # a tag's case does not matter
            (BNode("x"), RDF.type, THING),  # a blank node is not a resource to label
            (C, RDFS.label, Literal("untyped", lang="en")),  # not typed: not counted
        ],
    )
    graph.add("data/two", [(A, RDF.type, THING)])  # stated twice: counted once
    graph.add(SHAPES_GRAPH, [(URIRef(EX + "S"), RDF.type, SH.NodeShape)])
    graph.add("ontology/concepts", [(URIRef(EX + "k"), RDF.type, SKOS.Concept)])
    return graph


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_stats_counts_the_typed_resources_of_the_data(store: str) -> None:
    counted = stats(_graph(store))
    assert counted.classes == {EX + "Thing": 2, EX + "Place": 1}
    assert counted.resources == 2
    assert counted.labelled == {"vi": 2, "en": 1}
    assert counted.coverage("en") == 0.5
    assert counted.triples == 12  # quads: the triple stated in two graphs counts twice
    assert counted.graphs["data/one"] == 9


def test_stats_of_the_built_graph_are_the_same_on_both_stores(
    small: dict[str, KnowledgeGraph],
) -> None:
    assert stats(small["memory"]) == stats(small["oxigraph"])
