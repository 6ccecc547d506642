"""FROM and FROM NAMED follow SPARQL 1.1 (section 13) on every store, as rdflib's does.

A query that names graphs of the dataset runs over exactly those graphs: the union of the FROM
graphs as its default graph, the FROM NAMED graphs as the graphs GRAPH can reach. Oxigraph's
store, which queries the union of every graph otherwise, is held to the reference store's
answers, and graphs the dataset does not hold are refused (nothing is fetched).
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

import kg
from kg.errors import KgUsageError
from kg.graph import KnowledgeGraph
from kg.namespaces import graph_name

A, B, C = graph_name("a"), graph_name("b"), graph_name("c")


def _graph(store: str) -> KnowledgeGraph:
    graph = KnowledgeGraph(store=store)
    for name, count in (("a", 1), ("b", 2), ("c", 3)):
        triples = Graph()
        for i in range(count):
            triples.add((URIRef(f"urn:{name}{i}"), URIRef("urn:p"), Literal(i)))
        graph.add(name, triples)
    return graph


QUERIES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    f"SELECT (COUNT(*) AS ?n) FROM <{A}> WHERE {{ ?s ?p ?o }}",
    f"SELECT (COUNT(*) AS ?n) FROM <{A}> FROM <{C}> WHERE {{ ?s ?p ?o }}",
    f"SELECT (COUNT(*) AS ?n) FROM NAMED <{B}> WHERE {{ ?s ?p ?o }}",
    f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{B}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g",
    f"SELECT ?g (COUNT(*) AS ?n) FROM <{A}> FROM NAMED <{B}> FROM NAMED <{C}> "
    "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    f"SELECT (COUNT(*) AS ?n) FROM <{A}> FROM NAMED <{B}> WHERE {{ ?s ?p ?o }}",
    f"ASK FROM <{A}> WHERE {{ <urn:b1> ?p ?o }}",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
]


def _answer(graph: KnowledgeGraph, text: str) -> object:
    results = kg.query(graph, text)
    if results.type == "ASK":
        return results.boolean
    return sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in results)


@pytest.mark.parametrize("text", QUERIES)
def test_oxigraph_answers_as_rdflib_does(text: str) -> None:
    assert _answer(_graph("oxigraph"), text) == _answer(_graph("memory"), text)


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_from_is_the_named_graphs_own_triples(store: str) -> None:
    graph = _graph(store)
    assert _answer(graph, QUERIES[1]) == [(("n", "1"),)]
    assert _answer(graph, QUERIES[2]) == [(("n", "4"),)]
    assert _answer(graph, QUERIES[3]) == [(("n", "0"),)]  # FROM NAMED alone: an empty default


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_a_graph_not_held_is_refused_not_fetched(store: str) -> None:
    with pytest.raises(KgUsageError, match=r"FROM NAMED <http://example\.org/x>"):
        kg.query(_graph(store), "SELECT * FROM NAMED <http://example.org/x> { ?s ?p ?o }")


def test_the_built_graph_answers_from_its_derived_graph(kgraph: KnowledgeGraph) -> None:
    derived = graph_name("derived")
    text = f"SELECT (COUNT(*) AS ?n) FROM <{derived}> WHERE {{ ?s ?p ?o }}"
    assert int(kg.query(kgraph, text).rows[0]["n"]) == kgraph.graph_size("derived")
