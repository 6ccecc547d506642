"""Every SHACL shape of ``ontology/shapes.ttl`` is tested with data that breaks it.

The cases live as data in ``tests/cases/shapes/{ShapeLocalName}-{n}.ttl``: a header comment says
which results the case must give (``# expect: focus=... path=... constraint=... severity=...``, or
``# expect: nothing`` for the valid cases ``-valid.ttl`` and ``-valid-{word}.ttl``), and the test
checks that validation gives exactly those results, no more, no fewer. A shape without a breaking
case and a valid case fails
the suite, so a new shape cannot land untested.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

import kg
from kg.namespaces import CCHC, PREFIXES

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ROOT / "ontology" / "shapes.ttl"
CASES = ROOT / "tests" / "cases" / "shapes"
CASE_FILES = sorted(CASES.glob("*.ttl"))

#: (focus node, path or None, constraint component, severity): what a case asserts.
Result = tuple[Node, Node | None, Node | None, URIRef]

_EXPECT = re.compile(
    r"^# expect: focus=(?P<focus>\S+) path=(?P<path>\S+) "
    r"constraint=(?P<constraint>\S+) severity=(?P<severity>\S+)\s*$"
)


@cache
def _shapes() -> Graph:
    return Graph().parse(SHAPES)


@cache
def _ontology() -> Graph:
    """The ontology files but the shapes: the class hierarchy that lets subclasses resolve."""
    graph = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        if path != SHAPES:
            graph.parse(path)
    return graph


def _validate(data: Graph) -> Counter[Result]:
    """Validate ``data`` (with the ontology mixed in) against the project's shapes."""
    return Counter((r.focus_node, r.path, r.constraint, r.severity.iri) for r in _report(data))


def _report(data: Graph) -> list[kg.ValidationResult]:
    return kg.validate(data, shapes=_shapes(), ontology=_ontology()).results


@cache
def _case_report(path: Path) -> list[kg.ValidationResult]:
    """The results of one case file, computed once for all the tests that read them."""
    return _report(_case(path)[0])


@cache
def _baseline() -> Counter[Result]:
    """What the ontology alone gives, so a case is judged on what it adds."""
    return _validate(Graph())


def _node_shapes() -> list[URIRef]:
    """The shapes under test: every shape of the file that has a target."""
    shapes = _shapes()
    targeted = {
        s
        for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
        for s in shapes.subjects(p, None)
    }
    return sorted(s for s in targeted if isinstance(s, URIRef))


def _term(text: str, graph: Graph) -> URIRef | None:
    if text == "-":
        return None
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    prefix, _, local = text.partition(":")
    namespace = dict(graph.namespaces()).get(prefix) or PREFIXES.get(prefix)
    if namespace is None:
        raise ValueError(f"unknown prefix in {text!r}")
    return URIRef(str(namespace) + local)


def _case(path: Path) -> tuple[Graph, Counter[Result]]:
    """Read a case file: its data and the results its header comment expects."""
    graph = Graph().parse(path, format="turtle")
    expected: Counter[Result] = Counter()
    said_nothing = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("# expect:"):
            continue
        if line.strip() == "# expect: nothing":
            said_nothing = True
            continue
        match = _EXPECT.match(line)
        assert match, f"{path.name}: malformed expect line {line!r}"
        focus, result_path, constraint, severity = (
            _term(match[k], graph) for k in ("focus", "path", "constraint", "severity")
        )
        expected[(focus, result_path, constraint, severity)] += 1  # type: ignore[index]
    assert said_nothing != bool(expected), f"{path.name}: say either results or nothing"
    return graph, expected


def _owners(shape: Node) -> set[Node]:
    """The shapes under test a result's source shape belongs to (itself or its parents)."""
    shapes = _shapes()
    return {shape} | set(shapes.subjects(SH.property, shape))


def test_every_shape_has_a_breaking_case_and_a_valid_case() -> None:
    names = {p.stem for p in CASE_FILES}
    missing = [
        str(shape)
        for shape in _node_shapes()
        for needed in ("-1", "-valid")
        if shape.removeprefix(str(CCHC)) + needed not in names
    ]
    assert not missing, f"shapes without a case: {missing}"


def test_every_case_names_a_shape() -> None:
    shapes = {s.removeprefix(str(CCHC)) for s in _node_shapes()}
    strays = [p.name for p in CASE_FILES if p.stem.split("-")[0] not in shapes]
    assert not strays


def test_every_class_of_the_ontology_has_a_shape() -> None:
    from rdflib.namespace import OWL

    classes = {c for c in _ontology().subjects(RDF.type, OWL.Class) if str(c).startswith(CCHC)}
    shapes = _shapes()
    targeted = set(shapes.objects(None, SH.targetClass))
    assert classes, "the ontology declares no cchc: class"
    assert not sorted(classes - targeted)
    for cls in classes:
        assert (CCHC[cls.removeprefix(str(CCHC)) + "Shape"], SH.targetClass, cls) in shapes


def test_every_constraint_says_what_is_wrong_in_vietnamese_and_english() -> None:
    shapes = _shapes()
    property_shapes = set(shapes.objects(None, SH.property))
    sparql = set(shapes.objects(None, SH.sparql))
    checked = 0
    for node in property_shapes | sparql:
        if node in sparql or (node, SH.sparql, None) not in shapes:
            languages = sorted(m.language for m in shapes.objects(node, SH.message))
            assert languages == ["en", "vi"], f"{node}: messages {languages}"
            checked += 1
    assert checked > 50


def test_the_ontology_alone_conforms() -> None:
    assert _baseline() == Counter()


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_case_gives_exactly_the_expected_results(path: Path) -> None:
    _, expected = _case(path)
    results = _case_report(path)
    got = Counter((r.focus_node, r.path, r.constraint, r.severity.iri) for r in results)
    got -= _baseline()
    assert sorted(got.elements(), key=str) == sorted(expected.elements(), key=str)


@pytest.mark.parametrize(
    "path", [p for p in CASE_FILES if "-valid" not in p.stem], ids=lambda p: p.stem
)
def test_breaking_case_breaks_its_own_shape(path: Path) -> None:
    shape = CCHC[path.stem.split("-")[0]]
    results = _case_report(path)
    assert any(shape in _owners(r.shape) for r in results if r.shape is not None)
