"""``kg validate`` measured by the W3C SHACL test suite, on both engines, through the command line.

Every test of the suite (``tests/w3c-shacl``, core and SPARQL-based constraints, copied from the
W3C data-shapes test suite with its source named in its README) runs as
``kg validate DATA --shapes SHAPES --format turtle --engine ENGINE`` for the SPARQL engine and
for pySHACL. A test passes when

- the exit status is 0 for an expected report that conforms, 1 for one that does not, and 2 for a
  test whose expected result is a failure (``mf:result sht:Failure``);
- the printed report is an ``sh:ValidationReport`` whose ``sh:conforms`` and ``sh:result`` s match
  the expected report the way the suite says (https://w3c.github.io/data-shapes/data-shapes-test-suite/):
  the results are compared as a multiset of their triples, ``sh:resultMessage`` dropped unless
  the expected report states messages (``sh:detail`` likewise), and blank nodes (shapes, paths,
  focus nodes, values) compared by their structure, since their labels differ between graphs.

Where both engines pass a test, their reports are also compared with each other, result for
result (focus node, path, constraint component, value, shape, severity). The suite travels with
the repository: a checkout without it fails here, it does not skip.

Tests known to fail are ``xfail(strict=True)``: a fix turns them into an unexpected pass, which
fails the run until the mark is removed. ``benchmarks/w3c_shacl.py`` prints the figures.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "tests" / "w3c-shacl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

#: The engines the suite measures.
ENGINES = ("sparql", "pyshacl")

#: Tests that fail today on an engine, with the reason; the suite says so when one passes.
KNOWN_FAILURES: dict[tuple[str, str], str] = {
    ("pyshacl", "sparql/pre-binding/shapesGraph-001"): (
        "$shapesGraph is optional in SHACL and pySHACL does not support it; kg validate reports "
        "the failure (exit 2) as the specification requires of processors without it"
    ),
}


@dataclass(frozen=True)
class W3CTest:
    """One ``sht:Validate`` entry of a manifest."""

    iri: URIRef
    name: str
    manifest: Path
    data: Path
    shapes: Path
    expects_failure: bool


def discover(suite: Path = SUITE) -> list[W3CTest]:
    """Every test reachable from ``suite/manifest.ttl``, following ``mf:include``, in order."""
    found: list[W3CTest] = []
    seen: set[Path] = set()

    def visit(path: Path) -> None:
        if path in seen:
            return
        seen.add(path)
        graph = _manifest(path)
        doc = URIRef(path.as_uri())
        for entries in graph.objects(doc, MF.entries):
            for entry in Collection(graph, entries):
                found.append(_test(graph, entry, path, suite))  # type: ignore[arg-type]
        for included in sorted(graph.objects(doc, MF.include)):
            visit(_local(included))

    visit(suite / "manifest.ttl")
    return found


def _manifest(path: Path) -> Graph:
    with _quiet():
        return Graph().parse(path, format="turtle", publicID=path.as_uri())


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """rdflib logs a traceback for each ill-typed literal; the tests hold some on purpose."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="rdflib.term")
            yield
    finally:
        logger.setLevel(level)


def _local(iri: Node) -> Path:
    text = str(iri)
    assert text.startswith("file://"), text
    return Path(text.removeprefix("file://"))


def _test(graph: Graph, entry: URIRef, manifest: Path, suite: Path) -> W3CTest:
    action = graph.value(entry, MF.action)
    local = _local(entry)
    return W3CTest(
        iri=entry,
        name=str(local.relative_to(suite)),
        manifest=manifest,
        data=_local(graph.value(action, SHT.dataGraph)),
        shapes=_local(graph.value(action, SHT.shapesGraph)),
        expects_failure=graph.value(entry, MF.result) == SHT.Failure,
    )


@dataclass
class Outcome:
    """What ``kg validate`` did on one test, and whether that is what the suite expects."""

    test: W3CTest
    exit_code: int
    output: str
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems


def run(test: W3CTest, engine: str = "auto") -> Outcome:
    """Run one test through the command line and compare exit status and report."""
    args = ["validate", str(test.data), "--shapes", str(test.shapes), "--format", "turtle"]
    args += ["--fail-on", "info", "--engine", engine]  # exit 1 exactly when not conforming
    result = CliRunner().invoke(cli, args)
    output = result.stdout
    problems: list[str] = []
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        problems.append(f"crashed: {type(result.exception).__name__}: {result.exception}")
        return Outcome(test, result.exit_code, output, problems)
    if test.expects_failure:
        if result.exit_code != 2:
            problems.append(f"exit {result.exit_code}, expected 2 (a failure)")
        elif len(result.stderr.strip().splitlines()) != 1:
            problems.append(f"the failure is not one line: {result.stderr!r}")
        return Outcome(test, result.exit_code, output, problems)
    expected_graph = _manifest(test.manifest)
    expected = expected_graph.value(test.iri, MF.result)
    conforms = expected_graph.value(expected, SH.conforms)
    want_exit = 0 if bool(conforms.toPython()) else 1  # type: ignore[union-attr]
    if result.exit_code != want_exit:
        problems.append(f"exit {result.exit_code}, expected {want_exit}: {result.stderr.strip()}")
        return Outcome(test, result.exit_code, output, problems)
    with _quiet():
        actual = Graph().parse(data=output, format="turtle")
    problems += compare_reports(actual, expected_graph, expected)
    return Outcome(test, result.exit_code, output, problems)


def compare_reports(actual: Graph, expected_graph: Graph, expected: Node) -> list[str]:
    """Differences between a printed report and the expected one, as the suite compares them."""
    reports = list(actual.subjects(RDF.type, SH.ValidationReport))
    if len(reports) != 1:
        return [f"{len(reports)} sh:ValidationReport nodes in the output, expected 1"]
    report = reports[0]
    problems: list[str] = []
    got_conforms = list(actual.objects(report, SH.conforms))
    want_conforms = expected_graph.value(expected, SH.conforms)
    if got_conforms != [want_conforms] or got_conforms[0].datatype != XSD.boolean:  # type: ignore[union-attr]
        problems.append(f"sh:conforms {got_conforms}, expected {want_conforms}")
    want_results = list(expected_graph.objects(expected, SH.result))
    ignored = {SH.resultMessage, SH.detail, SH.sourceShape}
    for prop in list(ignored):
        if any(expected_graph.value(r, prop) is not None for r in want_results):
            ignored.discard(prop)
    want = Counter(_result_key(expected_graph, r, ignored) for r in want_results)
    got = Counter(_result_key(actual, r, ignored) for r in actual.objects(report, SH.result))
    for key in sorted(map(_show, (want - got).elements())):
        problems.append(f"missing result {key}")
    for key in sorted(map(_show, (got - want).elements())):
        problems.append(f"unexpected result {key}")
    return problems


def _result_key(graph: Graph, result: Node, ignored: set[URIRef]) -> frozenset[Any]:
    return frozenset(
        (p, _structure(graph, o, ()))
        for p, o in graph.predicate_objects(result)
        if p not in ignored
    )


def _structure(graph: Graph, node: Node, above: tuple[Node, ...]) -> Any:
    """A blank node as the set of its outgoing triples, recursively; other terms as themselves."""
    if not isinstance(node, BNode):
        return node
    if node in above:
        return ("cycle", above.index(node))
    return frozenset(
        (p, _structure(graph, o, (*above, node))) for p, o in graph.predicate_objects(node)
    )


def _show(key: frozenset[Any]) -> str:
    parts = []
    for p, o in sorted(key, key=lambda po: str(po[0])):
        if p == RDF.type:
            continue
        name = str(p).removeprefix(str(SH))
        parts.append(f"{name}={o.n3() if isinstance(o, (URIRef, Literal)) else '[...]'}")
    return "{" + ", ".join(parts) + "}"


TESTS = discover() if SUITE.is_dir() else []


def _params() -> list[Any]:
    params = []
    for engine in ENGINES:
        for test in TESTS:
            marks = []
            known = KNOWN_FAILURES.get((engine, test.name))
            if known:
                marks.append(pytest.mark.xfail(reason=known, strict=True))
            params.append(pytest.param(test, engine, id=f"{engine}:{test.name}", marks=marks))
    return params


def test_the_suite_travels_with_the_repository() -> None:
    assert SUITE.is_dir(), f"the W3C SHACL test suite is missing from {SUITE}"
    assert (SUITE / "README.md").read_text(encoding="utf-8").count("data-shapes") >= 2
    assert len(TESTS) == 120
    assert len({t.iri for t in TESTS}) == 120
    assert sum(t.expects_failure for t in TESTS) == 7


@pytest.mark.parametrize(("test", "engine"), _params())
def test_w3c(test: W3CTest, engine: str) -> None:
    outcome = run(test, engine)
    assert outcome.passed, "\n".join([*outcome.problems, outcome.output])


def _agreeing() -> list[Any]:
    return [
        pytest.param(t, id=t.name)
        for t in TESTS
        if not any(KNOWN_FAILURES.get((e, t.name)) for e in ENGINES)
    ]


@pytest.mark.parametrize("test", _agreeing())
def test_both_engines_give_the_same_results(test: W3CTest) -> None:
    """Result for result, where both engines pass: focus node, path, component, value, shape,
    severity and SPARQL constraint (pySHACL makes up messages where the shapes give none)."""
    outcomes = {engine: run(test, engine) for engine in ENGINES}
    codes = {engine: o.exit_code for engine, o in outcomes.items()}
    assert len(set(codes.values())) == 1, codes
    if test.expects_failure:
        return
    keys = []
    for outcome in outcomes.values():
        with _quiet():
            graph = Graph().parse(data=outcome.output, format="turtle")
        (report,) = graph.subjects(RDF.type, SH.ValidationReport)
        ignored = {SH.resultMessage, SH.detail}
        keys.append(
            Counter(_result_key(graph, r, ignored) for r in graph.objects(report, SH.result))
        )
    sparql, pyshacl = keys
    assert sorted(map(_show, (sparql - pyshacl).elements())) == []
    assert sorted(map(_show, (pyshacl - sparql).elements())) == []


# The fixes that the suite measures, each pinned by a small case of its own (these run even
# where the suite is absent).

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _validate(tmp_path: Path, data: str, shapes: str, *extra: str) -> tuple[int, str, str]:
    (tmp_path / "data.ttl").write_text(PREFIXES + data)
    (tmp_path / "shapes.ttl").write_text(PREFIXES + shapes)
    args = ["validate", str(tmp_path / "data.ttl"), "--shapes", str(tmp_path / "shapes.ttl")]
    result = CliRunner().invoke(cli, [*args, "--format", "turtle", "--fail-on", "info", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _results(turtle: str) -> list[dict[URIRef, Node]]:
    graph = Graph().parse(data=turtle, format="turtle")
    (report,) = graph.subjects(RDF.type, SH.ValidationReport)
    return [dict(graph.predicate_objects(r)) for r in graph.objects(report, SH.result)]


@pytest.mark.parametrize(
    ("value", "results"),
    [("true", 1), ('"true"^^xsd:boolean', 1), ('"1"^^xsd:boolean', 0), ("false", 0)],
)
def test_unique_lang_is_on_only_for_the_term_true(tmp_path: Path, value: str, results: int) -> None:
    shapes = f"ex:S sh:targetNode ex:i ; sh:path ex:m ; sh:uniqueLang {value} ."
    code, out, _ = _validate(tmp_path, 'ex:i ex:m "HI"@en, "Hi"@en .', shapes)
    assert (code, len(_results(out))) == (1 if results else 0, results)


def test_deactivated_1_does_not_deactivate(tmp_path: Path) -> None:
    shapes = 'ex:S sh:targetNode ex:i ; sh:class ex:C ; sh:deactivated "1"^^xsd:boolean .'
    code, out, _ = _validate(tmp_path, "ex:i ex:m 1 .", shapes)
    assert code == 1
    assert [r[SH.sourceConstraintComponent] for r in _results(out)] == [SH.ClassConstraintComponent]


def test_other_literals_of_the_shapes_are_read_as_usual(tmp_path: Path) -> None:
    # the shapes are parsed without rdflib's normalisation, then normalised but for booleans
    shapes = 'ex:S sh:targetNode ex:i ; sh:path ex:n ; sh:hasValue "01"^^xsd:integer .'
    code, _, _ = _validate(tmp_path, "ex:i ex:n 1 .", shapes)
    assert code == 0


def test_ill_typed_literals_are_results_not_errors(tmp_path: Path) -> None:
    shapes = "ex:S sh:targetNode ex:i ; sh:path ex:p ; sh:datatype xsd:byte ."
    code, out, err = _validate(tmp_path, 'ex:i ex:p "c"^^xsd:byte, "300"^^xsd:byte, 5 .', shapes)
    assert (code, err) == (1, "")
    values = {str(r[SH.value]) for r in _results(out)}
    assert values == {"c", "300", "5"}


def test_sparql_prefixes_follow_owl_imports(tmp_path: Path) -> None:
    shapes = """
    ex:ontology sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
    ex:Prefixes owl:imports ex:ontology .
    ex:S sh:targetNode ex:i ;
      sh:sparql [ sh:prefixes ex:Prefixes ;
                  sh:select "SELECT $this WHERE { $this ex:p ?v . FILTER (?v > 3) }" ] .
    """
    # the data file binds no ex: prefix that could stand in for the declaration
    (tmp_path / "data.nt").write_text(
        '<http://example.org/i> <http://example.org/p> "5"^^<http://www.w3.org/2001/XMLSchema#int>'
        " .\n"
    )
    (tmp_path / "shapes.ttl").write_text(PREFIXES + shapes)
    args = ["validate", str(tmp_path / "data.nt"), "--shapes", str(tmp_path / "shapes.ttl")]
    result = CliRunner().invoke(cli, [*args, "--format", "turtle"])
    assert result.exit_code == 1, result.stderr
    assert [r[SH.focusNode] for r in _results(result.stdout)] == [URIRef("http://example.org/i")]


MALFORMED = {
    "minCount-not-integer": 'sh:path ex:p ; sh:minCount "x"',
    "two-minCounts": "sh:path ex:p ; sh:minCount 1, 2",
    "bad-pattern": 'sh:path ex:p ; sh:pattern "["',
    "sparql-syntax": 'sh:sparql [ sh:select "SELECT $this WHERE { garbage" ]',
    "sparql-minus": 'sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o MINUS { ?s ?p 1 }}" ]',
    "values": 'sh:sparql [ sh:select "SELECT $this WHERE { VALUES ?x { 1 } $this ex:p ?x }" ]',
    "rebinding": 'sh:sparql [ sh:select "SELECT $this WHERE { BIND (ex:j AS $this) }" ]',
}


@pytest.mark.parametrize("shape", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_shapes_exit_2_with_one_line(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], shape: str
) -> None:
    code, out, err = _validate(tmp_path, "ex:i ex:p 1 .", f"ex:S sh:targetNode ex:i ; {shape} .")
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1 and err.startswith("Error: the shapes"), err
    assert capfd.readouterr().err == ""  # nor anything pySHACL would log to the terminal


def test_shapes_graph_and_current_shape_are_pre_bound_by_the_sparql_engine(tmp_path: Path) -> None:
    """Optional in SHACL, and pySHACL refuses them (exit 2); the SPARQL engine binds both."""
    shapes = (
        "ex:S sh:targetNode ex:i ; ex:limit 0 ; sh:sparql [ sh:select "
        '"SELECT $this WHERE { GRAPH $shapesGraph { $currentShape <http://example.org/limit> ?n }'
        ' $this <http://example.org/p> ?v FILTER (?v > ?n) }" ] .'
    )
    code, out, err = _validate(tmp_path, "ex:i ex:p 1 .", shapes, "--engine", "sparql")
    assert (code, err) == (1, "")
    assert [r[SH.focusNode] for r in _results(out)] == [URIRef("http://example.org/i")]
    code, _, err = _validate(tmp_path, "ex:i ex:p 1 .", shapes, "--engine", "pyshacl")
    assert code == 2 and "shapesGraph" in err


def test_nested_results_are_not_results_of_the_report(tmp_path: Path) -> None:
    shapes = "ex:S sh:targetNode ex:i ; sh:node [ sh:class ex:C ] ."
    code, out, _ = _validate(tmp_path, "ex:i ex:p 1 .", shapes)
    assert code == 1
    assert [r[SH.sourceConstraintComponent] for r in _results(out)] == [SH.NodeConstraintComponent]


def test_severities_of_ones_own_are_kept(tmp_path: Path) -> None:
    shapes = "ex:S sh:targetNode ex:i ; sh:class ex:C ; sh:severity ex:Mine ."
    code, out, _ = _validate(tmp_path, "ex:i ex:p 1 .", shapes)
    assert code == 1
    assert [r[SH.resultSeverity] for r in _results(out)] == [URIRef("http://example.org/Mine")]


REPORT_SHAPES = """
ex:S sh:targetClass ex:T ;
  sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ] ;
  sh:property [ sh:path [ sh:inversePath ex:r ] ; sh:maxCount 0 ; sh:message "no r"@en ] ;
  sh:property [ sh:path ex:p ; sh:datatype xsd:string ] .
"""
REPORT_DATA = """
ex:a a ex:T ; ex:p 1, 2 . ex:b a ex:T ; ex:p [ ex:q 3 ] . _:x ex:r ex:a . _:y ex:r ex:b .
[] a ex:T ; ex:p "x" .
"""


def test_turtle_report_is_a_w3c_report(tmp_path: Path) -> None:
    code, out, _ = _validate(tmp_path, REPORT_DATA, REPORT_SHAPES)
    assert code == 1
    graph = Graph().parse(data=out, format="turtle")
    (report,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms) == Literal(False)
    results = list(graph.objects(report, SH.result))
    assert len(results) == 7  # a: 2 datatype, 1 count, 1 inverse; b: 1 datatype, 1 inverse; []: 1
    for r in results:
        assert (r, RDF.type, SH.ValidationResult) in graph
        for prop in (SH.focusNode, SH.resultSeverity, SH.sourceConstraintComponent, SH.sourceShape):
            assert graph.value(r, prop) is not None
    # anonymous shapes and paths are described, so that a reader can tell them apart
    paths = {_structure(graph, graph.value(r, SH.resultPath), ()) for r in results}
    assert frozenset({(SH.inversePath, URIRef("http://example.org/r"))}) in paths
    code, out, _ = _validate(tmp_path, "ex:a ex:p 1 .", REPORT_SHAPES)
    graph = Graph().parse(data=out, format="turtle")
    (report,) = graph.subjects(RDF.type, SH.ValidationReport)
    assert (code, graph.value(report, SH.conforms), graph.value(report, SH.result)) == (
        0,
        Literal(True),
        None,
    )


def test_turtle_report_is_byte_identical_run_after_run(tmp_path: Path) -> None:
    _, first, _ = _validate(tmp_path, REPORT_DATA, REPORT_SHAPES)
    _, second, _ = _validate(tmp_path, REPORT_DATA, REPORT_SHAPES)
    assert first == second
    # in fresh processes too, where string hashing (and so set order) differs
    outputs = set()
    files = [str(tmp_path / "data.ttl"), "--shapes", str(tmp_path / "shapes.ttl"), "--format"]
    files.append("turtle")
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", "from kg.cli import main; main()", "validate", *files],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=ROOT,
            check=False,
        )
        outputs.add(done.stdout)
    assert outputs == {first}


@pytest.mark.parametrize(
    ("value", "term"),
    [('"c"^^xsd:byte', ("c", XSD.byte)), ("1", ("1", XSD.integer))],
    ids=["ill-typed", "well-typed"],
)
def test_named_graphs_of_a_trig_file_are_validated(
    tmp_path: Path, value: str, term: tuple[str, URIRef]
) -> None:
    (tmp_path / "data.trig").write_text(PREFIXES + f"ex:g {{ ex:i ex:p {value} . }}\n")
    (tmp_path / "shapes.ttl").write_text(
        PREFIXES + "ex:S sh:targetNode ex:i ; sh:path ex:p ; sh:datatype xsd:byte ."
    )
    args = ["validate", str(tmp_path / "data.trig"), "--shapes", str(tmp_path / "shapes.ttl")]
    result = CliRunner().invoke(cli, [*args, "--format", "turtle"])
    assert result.exit_code == 1, result.stderr
    values = [r[SH.value] for r in _results(result.stdout)]
    assert [(str(v), v.datatype) for v in values] == [term]  # type: ignore[attr-defined]
