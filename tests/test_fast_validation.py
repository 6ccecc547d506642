"""The SPARQL validator (:mod:`kg.shacl_sparql`) gives pySHACL's results, or refuses.

pySHACL is the reference. The fast path compiles the project's shapes into SPARQL queries run by
pyoxigraph; these tests run both engines on the same data and compare the results as multisets of
(focus node, path, constraint component, severity, value, source shape), with blank-node shapes
and paths compared by their structure: on the real built graph, on every case of
``tests/cases/shapes/``, and on a synthetic graph with planted errors. A shape feature the
compiler does not implement must be refused, never judged wrongly.
"""

from __future__ import annotations

import importlib
import re
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
from kg.shacl_sparql import Unsupported, compile_shapes, unsupported_features

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
    return Counter(
        (
            r.focus_node,
            structure_key(shapes, r.path),
            r.constraint,
            r.severity_iri or r.severity.iri,
            r.value,
            structure_key(shapes, r.shape),
            # pySHACL makes up a message when the shape gives none; the fast path does not
            tuple(sorted(str(m) for m in r.messages)) if _has_messages(shapes, r) else (),
        )
        for r in report.results
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
    assert unsupported_features(_shapes()) == []


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


UNSUPPORTED = {
    "closed": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .",
    "xone": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; "
    "sh:xone ( [ sh:datatype xsd:string ] [ sh:nodeKind sh:IRI ] ) .",
    "equals": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property "
    "[ sh:path ex:p ; sh:equals ex:q ] .",
    "minus": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "
    '"SELECT $this WHERE { $this ex:p ?x MINUS { $this ex:q ?x } }" ] .',
    "subselect": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "
    '"SELECT $this WHERE { { SELECT $this WHERE { $this ex:p ?x } } }" ] .',
    "shapesGraph": "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select "
    '"SELECT $this WHERE { GRAPH $shapesGraph { $this ex:p ?x } }" ] .',
    "component": "ex:CC a sh:ConstraintComponent ; sh:parameter [ sh:path ex:p ] .",
}


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_an_unsupported_feature_is_refused_not_misjudged(name: str) -> None:
    text = (
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> . "
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . " + UNSUPPORTED[name]
    )
    shapes = Graph().parse(data=text, format="turtle")
    with pytest.raises(Unsupported) as raised:
        compile_shapes(shapes)
    assert isinstance(raised.value, KgShapesError)
    assert raised.value.feature and "engine pyshacl" in str(raised.value)
    data = Graph().parse(
        data="<https://example.org/a> a <https://example.org/C> ; <https://example.org/p> 1 .",
        format="turtle",
    )
    # --engine sparql refuses; auto falls back to pySHACL and gives its report
    with pytest.raises(KgShapesError):
        kg.validate(data, shapes, engine="sparql")
    try:
        ref = kg.validate(data, shapes, engine="pyshacl")
    except KgShapesError as exc:  # pySHACL refuses it too (MINUS, $shapesGraph): so does auto
        with pytest.raises(KgShapesError, match=re.escape(str(exc))):
            kg.validate(data, shapes, engine="auto")
    else:
        assert _key(kg.validate(data, shapes, engine="auto"), shapes) == _key(ref, shapes)


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
    from kg.shacl_sparql import holds_only_shapes
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
    from kg.shacl_sparql import holds_only_shapes

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
    """The inverted query of a one-predicate constraint (``kg.shacl_sparql._Chooser``) finds
    what the query from the focus nodes finds: every shape case at once, each way forced."""
    from kg import shacl_sparql

    data = Graph()
    for case in CASES:
        data.parse(case)
    data += _ontology()
    expected = _key(kg.validate(data, _shapes(), engine="sparql"), _shapes())

    def count(self: Any, pattern: str) -> int:  # predicate's triples are counted with a LIMIT
        return int(not inverted) if "LIMIT" in pattern else 1

    monkeypatch.setattr(shacl_sparql._Chooser, "count", count)
    forced = kg.validate(data, _shapes(), engine="sparql")
    assert _key(forced, _shapes()) == expected
    assert any(c.inverted for c in compile_shapes(_shapes()))
