"""The parts of the SPARQL engine (:mod:`kg.shacl`) that the W3C suite and the comparisons with
pySHACL do not reach one by one: every component of the specification has a compiler, users'
SPARQL is rewritten token by token and checked against the rules of pre-binding, paths are
read as pySHACL reads them, recursion is named, and nested checks avoid the one form Oxigraph
evaluates slowly.
"""

from __future__ import annotations

import re

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from kg.errors import KgShapesError
from kg.shacl import Unsupported, compile_shapes
from kg.shacl.components import CORE, PARAMETERS
from kg.shacl.paths import path_triples, sparql_path
from kg.shacl.shapes import ShapesGraph
from kg.shacl.text import blank_literals, constant
from kg.shacl.user_sparql import read_query
from kg.sparql import RemoteAccessRefused

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

#: The constraint components of SHACL Core, https://www.w3.org/TR/shacl/#core-components.
SHACL_CORE = """Class Datatype NodeKind MinCount MaxCount MinExclusive MinInclusive MaxExclusive
MaxInclusive MinLength MaxLength Pattern LanguageIn UniqueLang Equals Disjoint LessThan
LessThanOrEquals Not And Or Xone Node QualifiedMinCount QualifiedMaxCount Closed HasValue In"""


def _shapes(text: str) -> ShapesGraph:
    return ShapesGraph(Graph().parse(data=PREFIXES + text, format="turtle"))


def test_every_component_of_shacl_core_has_a_compiler() -> None:
    declared = {c.iri for c in CORE}
    wanted = {SH[f"{name}ConstraintComponent"] for name in SHACL_CORE.split()}
    assert declared == wanted  # sh:property is the compiler's own: a route, not a check
    assert {SH.flags, SH.ignoredProperties, SH.qualifiedValueShapesDisjoint} <= PARAMETERS


def _query(select: str, **kwargs: object) -> object:
    shapes = _shapes(f'ex:c sh:select """{select}""" .')
    return read_query(
        shapes,
        URIRef("http://example.org/c"),
        shapes.one(URIRef("http://example.org/c"), SH.select),
        form="SELECT",
        owner=URIRef("http://example.org/S"),
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_query_is_rewritten_token_by_token_outside_strings_and_iris() -> None:
    query = _query(
        "SELECT $this ?x WHERE { $this <urn:p?x> ?x ; <urn:q> $currentShape "
        'FILTER (bound($currentShape) && ?x != "$this ?x") }'
    )
    text = query.rewrite({"this": "?f"}, {"currentShape": "<urn:shape>"}, "_7")  # type: ignore[attr-defined]
    assert text == (
        "SELECT ?f ?x_7 WHERE { ?f <urn:p?x> ?x_7 ; <urn:q> <urn:shape> "
        'FILTER ((true) && ?x_7 != "$this ?x") }'
    )


@pytest.mark.parametrize(
    ("select", "joinable"),
    [
        ("SELECT $this WHERE { $this <urn:p> ?v FILTER (?v > 1) }", True),
        ("SELECT $this WHERE { $this <urn:p> ?v OPTIONAL { ?v <urn:q> ?w FILTER (?w) } }", True),
        ("SELECT $this WHERE { $this <urn:p> ?v FILTER NOT EXISTS { ?v <urn:q> $this } }", True),
        ("SELECT $this WHERE { { FILTER ($this = <urn:a>) } UNION { $this <urn:p> 1 } }", False),
        ("SELECT $this WHERE { { SELECT $this WHERE { $this <urn:p> ?v } } }", False),
        ("SELECT $this (COUNT(?v) AS ?n) WHERE { $this <urn:p> ?v } GROUP BY $this", False),
    ],
)
def test_a_query_runs_as_one_join_only_where_that_is_pre_binding(
    select: str, joinable: bool
) -> None:
    assert _query(select).joinable is joinable  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("select", "message"),
    [
        ("SELECT $this WHERE { $this ?p ?o MINUS { $this ?p 1 } }", "uses MINUS"),
        ("SELECT $this WHERE { VALUES ?o { 1 } $this ?p ?o }", "uses VALUES"),
        ("SELECT $this WHERE { BIND (<urn:a> AS $this) }", r"re-bound|binds the pre-bound"),
        ("SELECT $this WHERE { { SELECT * WHERE { $this ?p ?o } } }", "selects \\*"),
        ("SELECT $this WHERE { { SELECT ?o WHERE { ?s ?p ?o } } }", "does not select \\$this"),
        ("SELECT ?x WHERE { ?x ?p ?o }", "does not select \\$this"),
        ("SELECT $this WHERE { $this ?p ", "does not parse|syntax"),
    ],
)
def test_queries_that_break_pre_binding_are_failures(select: str, message: str) -> None:
    with pytest.raises(KgShapesError, match=message):
        _query(select)


@pytest.mark.parametrize(
    "select",
    [
        "SELECT $this WHERE { SERVICE <http://example.org/sparql> { $this ?p ?o } }",
        "SELECT $this FROM <http://example.org/g> WHERE { $this ?p ?o }",
    ],
)
def test_queries_that_would_reach_the_network_are_refused(select: str) -> None:
    with pytest.raises((RemoteAccessRefused, KgShapesError)):
        _query(select)


def test_a_strange_path_is_its_list_as_pyshacl_reads_it() -> None:
    shapes = _shapes("ex:s sh:path [ rdf:first ex:p ; rdf:rest ( ex:q ) ; sh:inversePath ex:p ] .")
    path = shapes.one(URIRef("http://example.org/s"), SH.path)
    assert path is not None
    assert sparql_path(shapes, path) == "(<http://example.org/p>/<http://example.org/q>)"
    assert SH.inversePath not in {p for _s, p, _o in path_triples(shapes, path)}


def test_a_recursive_shape_is_named_with_its_loop() -> None:
    shapes = Graph().parse(
        data=PREFIXES + "ex:A sh:targetNode ex:i ; sh:not ex:B . ex:B sh:or ( [ sh:node ex:A ] ) .",
        format="turtle",
    )
    with pytest.raises(Unsupported) as raised:
        compile_shapes(shapes)
    assert re.search(
        r"<http://example.org/A> → sh:not <http://example.org/B> → sh:or an anonymous shape "
        r"→ sh:node <http://example.org/A>",
        str(raised.value),
    )


def test_a_shape_reached_twice_without_a_loop_is_no_recursion() -> None:
    shapes = Graph().parse(
        data=PREFIXES
        + "ex:A sh:targetNode ex:i ; sh:node ex:C ; sh:not [ sh:node ex:C ] . ex:C sh:class ex:D .",
        format="turtle",
    )
    assert len(compile_shapes(shapes)) == 2


def test_nested_paths_are_never_walked_inside_not_exists() -> None:
    """Oxigraph evaluates NOT EXISTS over a path or a join without the outer bindings, the
    inner side read whole for every row (76 s instead of 0.17 s at 100k triples): the engine
    counts such checks per node in LATERAL instead."""
    shapes = Graph().parse(
        data=PREFIXES
        + """ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:r ; sh:node ex:T ] .
        ex:T sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ; sh:datatype xsd:date ] .""",
        format="turtle",
    )
    (query,) = (c.query for c in compile_shapes(shapes))
    assert not re.search(r"EXISTS \{ \?\w+ \(<", query)
    assert "LATERAL" in query


def test_constants_are_escaped_and_blank_nodes_called_for() -> None:
    assert constant(Literal('a "b"\n', lang="vi")) == '"a \\"b\\"\\n"@vi'
    assert constant(BNode("b1")) == '<urn:x-cchc-kg:fn:bnode>("b1")'
    text = '?x "?y" <urn:?z> # ?w'
    assert blank_literals(text) == '?x "  "'.ljust(len(text))


def test_malformed_parameters_name_the_shape_and_the_rule() -> None:
    for text, message in [
        ('ex:S sh:targetNode ex:i ; sh:path ex:p ; sh:minCount "one" .', "non-negative"),
        ("ex:S sh:targetNode ex:i ; sh:minCount 1 .", "node shape"),
        ("ex:S sh:targetNode ex:i ; sh:nodeKind ex:Thing .", "node kind"),
        ("ex:S sh:targetNode ex:i ; sh:path [ ex:strange ex:p ] ; sh:minCount 1 .", "path"),
    ]:
        with pytest.raises(KgShapesError, match=message):
            compile_shapes(Graph().parse(data=PREFIXES + text, format="turtle"))
