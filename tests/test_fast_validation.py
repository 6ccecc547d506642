"""The SPARQL validator (:mod:`kg.shacl`) gives pySHACL's results, or refuses.

pySHACL is the reference. The fast path compiles the project's shapes into SPARQL queries run by
pyoxigraph; these tests run both engines on the same data and compare the results as multisets of
(focus node, path, constraint component, severity, value, source shape), with blank-node shapes
and paths compared by their structure: on the real built graph, on every case of
``tests/cases/shapes/``, and on a synthetic graph with planted errors. A shape feature the
compiler does not implement must be refused, never judged wrongly.
"""

from __future__ import annotations

import importlib
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SH

import kg
from kg.errors import KgShapesError
from kg.graph import SHAPES_GRAPH
from kg.report import Report, structure_key
from kg.shacl import Unsupported, compile_shapes

pytest.importorskip("pyoxigraph")

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ROOT / "ontology" / "shapes.ttl"
CASES = sorted((ROOT / "tests" / "cases" / "shapes").glob("*.ttl"))


@cache
def _shapes() -> Graph:
    return Graph().parse(SHAPES)


@cache
def _ontology() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        if path != SHAPES:
            graph.parse(path)
    return graph


def _key(report: Report, shapes: Graph) -> Counter[tuple[object, ...]]:
    return Counter(_one(r, shapes) for r in report.results)


def _one(r: kg.ValidationResult, shapes: Graph) -> tuple[object, ...]:
    """A result as both engines must give it, its details (``sh:detail``) included."""
    return (
        r.focus_node,
        structure_key(shapes, r.path),
        r.constraint,
        r.severity_iri or r.severity.iri,
        r.value,
        structure_key(shapes, r.shape),
        # pySHACL makes up a message when the shape gives none; the fast path does not
        tuple(sorted(str(m) for m in r.messages)) if _has_messages(shapes, r) else (),
        tuple(sorted(map(str, (_one(d, shapes) for d in r.details)))),
    )


def _has_messages(shapes: Graph, r: kg.ValidationResult) -> bool:
    holders = [r.shape, r.source_constraint]
    return any((h, SH.message, None) in shapes for h in holders if h is not None)


def _generator() -> Any:
    """``benchmarks/generate.py`` (benchmarks/ is not an installed package)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module("benchmarks.generate")


def _both(data: Graph, shapes: Graph, ontology: Graph | None = None) -> tuple[Report, Report]:
    slow = kg.validate(data, shapes, ontology=ontology, engine="pyshacl")
    fast = kg.validate(data, shapes, ontology=ontology, engine="sparql")
    return slow, fast


def test_the_project_shapes_compile() -> None:
    constraints = compile_shapes(_shapes())
    components = {c.component for c in constraints}
    # the constraints the shapes use are all there, each as a query of its own
    assert SH.QualifiedMinCountConstraintComponent in components
    assert SH.SPARQLConstraintComponent in components
    assert SH.OrConstraintComponent in components


@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
def test_every_shape_case_gives_pyshacl_results(case: Path) -> None:
    slow, fast = _both(Graph().parse(case), _shapes(), _ontology())
    assert _key(fast, _shapes()) == _key(slow, _shapes())
    assert fast.conforms == slow.conforms


def test_the_built_graph_gives_pyshacl_results(kgraph: kg.KnowledgeGraph) -> None:
    """What ``kg build`` validates: the built graph (the provinces only: pySHACL needs minutes
    for the national units below province level)."""
    data = kgraph.data_graph()
    shapes = kgraph.graph(SHAPES_GRAPH)
    slow, fast = _both(data, shapes)
    assert len(data) > 5000
    assert _key(fast, shapes) == _key(slow, shapes)
    assert [r.focus_node for r in fast.results] == [r.focus_node for r in slow.results]


def test_a_synthetic_graph_with_planted_errors_gives_pyshacl_results() -> None:
    data = _generator().generate_graph(5000, seed=7, errors=True)
    slow, fast = _both(data, _shapes(), _ontology())
    assert len(slow.results) > 20  # the planted errors are found
    planted = {r.constraint for r in slow.results}
    assert {SH.MinCountConstraintComponent, SH.SPARQLConstraintComponent} <= planted
    assert _key(fast, _shapes()) == _key(slow, _shapes())


_PREFIXES = (
    "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> . "
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . "
)
_DATA = """
@prefix ex: <https://example.org/> .
ex:a a ex:C ; ex:p 1, 2 ; ex:q 2, 3 ; ex:r ex:b .
ex:b a ex:C ; ex:p 5 ; ex:q 4 ; ex:s "x" .
"""

#: Shapes the engine once refused (and ``auto`` gave to pySHACL for the whole graph).
ONCE_REFUSED = {
    "closed": "ex:S sh:targetClass ex:C ; sh:closed true ; sh:ignoredProperties ( ex:r ) ; "
    "sh:property [ sh:path ex:p ] .",
    "xone": "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; "
    "sh:xone ( [ sh:datatype xsd:integer ] [ sh:minInclusive 2 ] ) ] .",
    "equals": "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:equals ex:q ] .",
    "disjoint": "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:disjoint ex:q ] .",
    "lessThanOrEquals": "ex:S sh:targetClass ex:C ; "
    "sh:property [ sh:path ex:p ; sh:lessThanOrEquals ex:q ] .",
    "hasValue-node": "ex:S sh:targetNode ex:a, ex:b ; sh:hasValue ex:a .",
    "class-twice": "ex:S sh:targetNode ex:a ; sh:class ex:C, ex:D .",
    "nested-counts": "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:r ; sh:node "
    "[ sh:property [ sh:path ex:p ; sh:minCount 2 ; sh:maxCount 1 ] ] ] .",
    "property-in-property": "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:r ; "
    "sh:property [ sh:path ex:s ; sh:datatype xsd:integer ] ] .",
    "qualified-disjoint": "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; "
    "sh:qualifiedValueShape [ sh:minInclusive 2 ] ; sh:qualifiedMinCount 2 ; "
    "sh:qualifiedValueShapesDisjoint true ] ; sh:property [ sh:path ex:p ; "
    "sh:qualifiedValueShape [ sh:maxInclusive 2 ] ; sh:qualifiedMaxCount 0 ; "
    "sh:qualifiedValueShapesDisjoint true ] .",
    "subselect": "ex:S sh:targetClass ex:C ; sh:sparql [ sh:prefixes ex: ; sh:select "
    '"SELECT $this WHERE { { SELECT $this WHERE { $this ex:p ?x FILTER (?x > 1) } } }" ] . '
    'ex: sh:declare [ sh:prefix "ex" ; sh:namespace "https://example.org/"^^xsd:anyURI ] .',
    "grouped": "ex:S sh:targetClass ex:C ; sh:sparql [ sh:prefixes ex: ; sh:select "
    '"SELECT $this (COUNT(?x) AS ?n) WHERE { $this ex:p ?x } GROUP BY $this HAVING (COUNT(?x) > 1)"'
    "] . "
    'ex: sh:declare [ sh:prefix "ex" ; sh:namespace "https://example.org/"^^xsd:anyURI ] .',
    "component": "ex:CC a sh:ConstraintComponent ; sh:parameter [ sh:path ex:atMost ] ; "
    'sh:validator [ a sh:SPARQLAskValidator ; sh:ask "ASK { FILTER ($value <= $atMost) }" ] . '
    "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; ex:atMost 2 ] .",
}


@pytest.mark.parametrize("name", sorted(ONCE_REFUSED))
def test_what_the_engine_once_refused_gives_pyshacl_results(name: str) -> None:
    shapes = Graph().parse(data=_PREFIXES + ONCE_REFUSED[name], format="turtle")
    data = Graph().parse(data=_DATA, format="turtle")
    slow, fast = _both(data, shapes)
    assert fast.engine == "sparql" and fast.fallback is None
    assert slow.results, "the case must break its shape"
    assert _key(fast, shapes) == _key(slow, shapes)


RECURSIVE = """
ex:Person sh:targetClass ex:C ;
  sh:property [ sh:path ex:r ; sh:node ex:Person ] ;
  sh:property [ sh:path ex:s ; sh:minCount 1 ] .
"""


def test_a_recursive_shape_is_refused_and_auto_says_so_once() -> None:
    shapes = Graph().parse(data=_PREFIXES + RECURSIVE, format="turtle")
    data = Graph().parse(data=_DATA, format="turtle")
    with pytest.raises(Unsupported) as raised:
        compile_shapes(shapes)
    assert isinstance(raised.value, KgShapesError)
    assert raised.value.feature == "recursive shapes"
    assert "<https://example.org/Person> → sh:property an anonymous shape → sh:node" in str(
        raised.value
    )
    with pytest.raises(KgShapesError, match="engine pyshacl"):
        kg.validate(data, shapes, engine="sparql")
    with pytest.warns(kg.KgFallbackWarning, match="recursive shapes") as warned:
        report = kg.validate(data, shapes, engine="auto")
    assert len(warned) == 1
    assert report.engine == "pyshacl"
    assert report.fallback is not None and "recursive shapes" in report.fallback
    assert _key(report, shapes) == _key(kg.validate(data, shapes, engine="pyshacl"), shapes)


@pytest.mark.parametrize(
    ("shape", "feature"),
    [
        ("ex:S sh:targetClass ex:C ; sh:rule [ a sh:TripleRule ] .", "sh:rule"),
        ("ex:S sh:target [ a sh:SPARQLTarget ] ; sh:class ex:D .", "sh:target"),
    ],
)
def test_advanced_features_fall_back_with_a_warning(shape: str, feature: str) -> None:
    shapes = Graph().parse(data=_PREFIXES + shape, format="turtle")
    with pytest.raises(Unsupported, match=feature):
        compile_shapes(shapes)


def test_minus_is_malformed_on_both_engines() -> None:
    shapes = Graph().parse(
        data=_PREFIXES + "ex:S sh:targetClass ex:C ; sh:sparql [ sh:select "
        '"SELECT $this WHERE { $this <https://example.org/p> ?x '
        'MINUS { $this <https://example.org/q> ?x } }" ] .',
        format="turtle",
    )
    data = Graph().parse(data=_DATA, format="turtle")
    for engine in ("sparql", "pyshacl", "auto"):
        with pytest.raises(KgShapesError, match="MINUS"):
            kg.validate(data, shapes, engine=engine)


def test_sparql_text_of_shapes_never_reaches_the_network() -> None:
    from kg.sparql import RemoteAccessRefused

    for clause in ("SERVICE <http://example.org/sparql> { ?s ?p ?o }", ""):
        select = f"SELECT $this FROM <http://example.org/g> WHERE {{ $this ?p ?o {clause} }}"
        shapes = Graph().parse(
            data=_PREFIXES + f'ex:S sh:targetClass ex:C ; sh:sparql [ sh:select "{select}" ] .',
            format="turtle",
        )
        with pytest.raises(RemoteAccessRefused):
            compile_shapes(shapes)


def test_ill_typed_literals_fail_sh_datatype_on_both_engines() -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:S sh:targetSubjectsOf ex:n ; sh:property [ sh:path ex:n ; sh:datatype xsd:integer ] .
        """,
        format="turtle",
    )
    data = Graph()
    a, n = URIRef("https://example.org/a"), URIRef("https://example.org/n")
    data.add((a, n, Literal("12", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer"))))
    data.add((a, n, Literal("x", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer"))))
    data.add((a, n, Literal("3.5", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))))
    slow, fast = _both(data, shapes)
    assert len(fast.results) == 2
    assert _key(fast, shapes) == _key(slow, shapes)


def test_unknown_engine_is_a_usage_error() -> None:
    with pytest.raises(kg.KgUsageError, match="unknown validation engine"):
        kg.validate(Graph(), _shapes(), engine="fast")


def test_the_benchmark_scripts_run_in_quick_mode(tmp_path: Path) -> None:
    """Benchmarks are not tests; this only keeps the generator and the runner from rotting."""
    import io

    gen = _generator()
    first, second = io.StringIO(), io.StringIO()
    count, _ = gen.generate(first, 2000, seed=3, errors=True)
    gen.generate(second, 2000, seed=3, errors=True)
    assert first.getvalue() == second.getvalue()  # deterministic by seed
    assert 2000 <= count < 2600
    assert "Hà Nội" in first.getvalue() or "ộ" in first.getvalue()  # labels with diacritics
    run = importlib.import_module("benchmarks.run")
    figures = run.measure([2000], ["oxigraph"], repeat=1, workdir=tmp_path, build=False)
    entry = figures["sizes"]["2000"]["oxigraph"]
    assert entry["load"]["triples"] >= 2000
    assert entry["work"]["validate_sparql"]["results"] > 0
    assert entry["work"]["queries"]
    docs = tmp_path / "benchmarks.md"
    run.write_docs(docs, figures, "python -m benchmarks.run --quick")
    assert "| load (parse Turtle) |" in docs.read_text(encoding="utf-8")


def test_the_shacl_benchmark_runs_in_quick_mode(tmp_path: Path) -> None:
    """Not a timing: the SHACL benchmark's children run, both engines agree on both shapes
    files, and the report says where the time went."""
    bench = _generator() and importlib.import_module("benchmarks.shacl")
    figures = bench.measure([1000], tmp_path, pyshacl_limit=300)
    entries = figures["sizes"]["1000"]
    assert set(entries) == {"project", "every-component"}
    for entry in entries.values():
        assert entry["compared"]["same"], entry["compared"]
        assert entry["sparql"]["results"] == entry["pyshacl"]["results"] > 0
    assert entries["every-component"]["sparql"]["constraints"] > 80
    text = bench.report(figures)
    assert "| 1k | every-component |" in text and "by constraint component:" in text


def test_the_floors_table_names_each_slow_query_with_its_answer_and_limit() -> None:
    run = importlib.import_module("benchmarks.run")
    queries = {
        "stopped": {"seconds": float("inf"), "rows": None},
        "listing": {"seconds": 0.5, "rows": 7636},
        "lookup": {"seconds": 0.01, "rows": 1},
    }
    figures = {
        "sizes": {"1000000": {"oxigraph": {"work": {"query_timeout": 30, "queries": queries}}}},
        "build": 6.5,
    }
    lines = run.floors(figures).splitlines()
    catalog = next(line for line in lines if "every catalog query" in line)
    assert "1 of 3 under" in catalog and catalog.endswith("| **no** |")
    assert "`stopped` > 30 s" in catalog and "`listing` 500 ms (7,636 rows)" in catalog
    assert "`lookup`" not in catalog
    build = next(line for line in lines if "kg build" in line)
    assert "6.50 s" in build and build.endswith("| yes |")


@pytest.mark.parametrize("case", [p for p in CASES if p.stem.startswith(("Agency", "Observation"))])
def test_a_graph_on_oxigraph_is_validated_in_place_with_pyshacl_results(case: Path) -> None:
    """``kg validate`` of a graph held by Oxigraph reads the store where it is, no copy."""
    graph = kg.KnowledgeGraph(store="oxigraph")
    graph.add("case", Graph().parse(case))
    graph.add("ontology", _ontology())
    graph.add("ontology/shapes", _shapes())
    fast = kg.validate(graph, engine="sparql")
    slow = kg.validate(graph, engine="pyshacl")
    assert _key(fast, _shapes()) == _key(slow, _shapes())
    # the report still knows the names of what it shows
    case_graph = Graph().parse(case)
    labelled = {
        r.focus_node for r in fast.results if (r.focus_node, RDFS.label, None) in case_graph
    }
    assert all((f, RDFS.label, None) in fast.data for f in labelled)


def test_a_rank_written_as_a_string_gives_the_same_results() -> None:
    data = Graph().parse(
        data="""
        @prefix cchc: <https://w3id.org/cchc/ontology#> .
        @prefix qb: <http://purl.org/linked-data/cube#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://example.org/o> a qb:Observation ; cchc:rank "2" ; cchc:rankOutOf 7 .
        """,
        format="turtle",
    )
    slow, fast = _both(data, _shapes(), _ontology())
    assert _key(fast, _shapes()) == _key(slow, _shapes())
    # the string is reported for its datatype, not compared with the number ranked
    constraints = {r.constraint for r in fast.results}
    assert SH.DatatypeConstraintComponent in constraints
    assert SH.SPARQLConstraintComponent not in constraints


def _store_with(shapes_text: str, data_text: str = "") -> tuple[Any, Graph]:
    import pyoxigraph as ox

    store = ox.Store()
    name = ox.NamedNode(str(SHAPES_GRAPH))
    store.load(shapes_text.encode(), ox.RdfFormat.TURTLE, to_graph=name)
    if data_text:
        store.load(data_text.encode(), ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:data"))
    return store, Graph().parse(data=shapes_text, format="turtle")


_SHAPES_PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


def test_the_project_shapes_graph_may_be_left_in_the_union() -> None:
    """The build validates the union of its graphs (twice as fast on Oxigraph) only because its
    shapes graph holds nothing a shape could take for data."""
    from kg.shacl import holds_only_shapes
    from kg.validate import project_shapes

    shapes = project_shapes()
    store, _ = _store_with(shapes.serialize(format="turtle"))
    assert holds_only_shapes(store, SHAPES_GRAPH, shapes)


@pytest.mark.parametrize(
    "extra",
    [
        "ex:Shape a ex:Thing .",  # a type that is not SHACL's: a focus node of a class target
        "ex:Shape ex:says ex:x .",  # a predicate of the data's
        "ex:S2 a sh:NodeShape ; sh:targetClass sh:NodeShape .",  # the shapes as focus nodes
        "ex:S2 a sh:NodeShape ; sh:targetSubjectsOf rdfs:label .",
        "ex:S2 a sh:NodeShape ; sh:targetNode ex:Shape .",
    ],
)
def test_a_shapes_graph_that_could_be_data_is_left_out_of_the_union(extra: str) -> None:
    from kg.shacl import holds_only_shapes

    text = _SHAPES_PREFIXES + 'ex:Shape a sh:NodeShape ; rdfs:label "Hình"@vi .\n' + extra
    store, shapes = _store_with(text)
    assert not holds_only_shapes(store, SHAPES_GRAPH, shapes)


def test_the_national_graph_has_no_violation(national: kg.KnowledgeGraph) -> None:
    """What ``kg build`` checks before it writes: the whole national graph, every unit and body,
    by the SPARQL engine in place. Every unit and body has its English name (issue 17: "Ba Đình
    District People's Committee"), so its warnings are the sources' own: documented
    disagreements, posts no source dates, agencies no source names in English."""
    report = kg.validate(national)
    assert report.conforms_at("violation")
    messages = Counter(r.shape for r in report.results)
    assert all(r.severity.name.lower() != "violation" for r in report.results)
    generated = ("/id/unit/", "/id/agency/ubnd/", "/id/agency/hdnd/", "/id/change/20")
    assert [r for r in report.results if any(g in str(r.focus_node) for g in generated)] == []
    assert URIRef("https://w3id.org/cchc/ontology#EnglishLabelProperty") in messages


@pytest.mark.parametrize("inverted", [True, False])
def test_a_constraint_read_from_its_predicate_gives_the_same_results(
    monkeypatch: pytest.MonkeyPatch, inverted: bool
) -> None:
    """The inverted query of a one-predicate constraint (``kg.shacl.runner._Run``) finds
    what the query from the focus nodes finds: every shape case at once, each way forced."""
    from kg.shacl import runner

    data = Graph()
    for case in CASES:
        data.parse(case)
    data += _ontology()
    expected = _key(kg.validate(data, _shapes(), engine="sparql"), _shapes())

    def count(self: Any, pattern: str) -> int:  # predicate's triples are counted with a LIMIT
        return int(not inverted) if "LIMIT" in pattern else 1

    monkeypatch.setattr(runner._Run, "count", count)
    forced = kg.validate(data, _shapes(), engine="sparql")
    assert _key(forced, _shapes()) == expected
    assert any(c.inverted for c in compile_shapes(_shapes()))


DETAILED_SHAPES = """
ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:r ; sh:node ex:T ] .
ex:T sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:datatype xsd:integer ] ;
     sh:node ex:U ; sh:class ex:D .
ex:U sh:property [ sh:path ex:q ; sh:maxCount 0 ] .
"""
DETAILED_DATA = """
@prefix ex: <https://example.org/> .
ex:a a ex:C ; ex:r ex:b, ex:c, _:x .
ex:b ex:p "x" ; ex:q 1 .
ex:c ex:p 2 .
_:x ex:q 3, 4 .
"""


def test_a_sh_node_result_is_explained_by_its_details() -> None:
    """``sh:detail``: the results of the value against the nested shape, nested again where
    that shape has a ``sh:node`` of its own, as pySHACL gives them."""
    shapes = Graph().parse(data=_PREFIXES + DETAILED_SHAPES, format="turtle")
    data = Graph().parse(data=DETAILED_DATA, format="turtle")
    slow, fast = _both(data, shapes)
    assert _key(fast, shapes) == _key(slow, shapes)
    b = next(r for r in fast.results if r.value == URIRef("https://example.org/b"))
    assert sorted(str(d.constraint).rsplit("#")[-1] for d in b.details) == [
        "ClassConstraintComponent",
        "DatatypeConstraintComponent",
        "NodeConstraintComponent",
    ]
    nested = next(d for d in b.details if d.constraint == SH.NodeConstraintComponent)
    assert [d.constraint for d in nested.details] == [SH.MaxCountConstraintComponent]
    # the W3C report links them with sh:detail: b 3 and 1 nested, c 1, _:x 3 and 1 nested
    assert len(list(fast.graph.subject_objects(SH.detail))) == 9


def test_the_cli_says_in_one_line_why_it_validated_with_pyshacl(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    (tmp_path / "shapes.ttl").write_text(_PREFIXES + RECURSIVE, encoding="utf-8")
    (tmp_path / "data.ttl").write_text(_DATA, encoding="utf-8")
    args = ["validate", str(tmp_path / "data.ttl"), "--shapes", str(tmp_path / "shapes.ttl")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.stderr
    assert result.stderr == (
        "Note: validated with pySHACL: the SPARQL engine does not implement recursive shapes "
        "(<https://example.org/Person> → sh:property an anonymous shape → sh:node "
        "<https://example.org/Person>: SHACL leaves their validation undefined)\n"
    )
    result = CliRunner().invoke(cli, [*args, "--engine", "sparql"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: the SPARQL validator does not implement recursive")
    # shapes the engine compiles: no note at all
    (tmp_path / "shapes.ttl").write_text(_PREFIXES + ONCE_REFUSED["xone"], encoding="utf-8")
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, result.stderr) == (1, "")


@pytest.mark.parametrize(
    "shapes_file", [SHAPES, ROOT / "benchmarks" / "shapes" / "every-component.ttl"]
)
def test_constraints_run_as_one_query_a_shape_give_what_they_give_alone(shapes_file: Path) -> None:
    """The runner answers the constraints of a node shape and its property shapes in one query
    (each focus node visited once); alone, each in its own, they find the same results."""
    from kg.shacl import runner
    from kg.shacl.store import load_store

    shapes = Graph().parse(shapes_file)
    data = _generator().generate_graph(3000, seed=5, errors=True)
    data += _ontology()
    constraints = compile_shapes(shapes)
    assert len({c.group for c in constraints if c.branch is not None}) < len(constraints) / 2
    store, literals = load_store(data)
    together = runner.run(store, constraints, literals, grouped=True)
    alone = runner.run(store, constraints, literals, grouped=False)
    assert len(together) > 20
    assert Counter(_one(r, shapes) for r in together) == Counter(_one(r, shapes) for r in alone)


@pytest.mark.parametrize(
    "shape",
    [
        "ex:S sh:targetNode ex:i ; sh:property [ sh:path ex:p ; sh:datatype xsd:integer ] .",
        # a datatype of a node shape: its values are no predicate's objects, every one is read
        "ex:S sh:targetObjectsOf ex:p ; sh:datatype xsd:integer .",
    ],
    ids=["property", "node"],
)
def test_a_store_validated_in_place_finds_its_ill_typed_literals(shape: str) -> None:
    """A store of one's own is only read: its ill-typed literals are looked for among the
    objects of the predicates that sh:datatype tests, or among all literals."""
    import pyoxigraph as ox

    from kg.shacl import validate_store

    store = ox.Store()
    data = """@prefix ex: <https://example.org/> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    ex:i ex:p "c"^^xsd:integer, 5 . ex:j ex:q "d"^^xsd:integer ."""
    store.load(data.encode(), ox.RdfFormat.TURTLE)
    shapes = Graph().parse(data=_PREFIXES + shape, format="turtle")
    report = validate_store(store, shapes)
    assert [str(r.value) for r in report.results] == ["c"]
