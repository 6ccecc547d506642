"""Query solutions as validation results, and results as a report
(https://www.w3.org/TR/shacl/#validation-report).

Each solution of a compiled constraint's query is one ``sh:ValidationResult``: its focus node,
the shape's path (or the one the solution binds: ``sh:closed``, SPARQL-based constraints), the
value, the constraint component, the shape, the ``sh:sparql`` node, the severity and the
messages, whose ``{$var}`` / ``{?var}`` templates SPARQL-based constraints fill from the
solution and the component's parameters. The report sorts them in the one order both engines
use, and writes the W3C results graph, with the paths and anonymous shapes it names described.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.report import Report, Severity, ValidationResult, sort_results
from kg.shacl.model import CompiledConstraint
from kg.shacl.paths import path_triples
from kg.shacl.shapes import ShapesGraph
from kg.shacl.store import from_oxigraph

__all__ = ["fill_template", "report_from", "results_of"]


def results_of(
    c: CompiledConstraint, rows: Iterable[Any], literals: dict[Any, Literal] | None
) -> list[ValidationResult]:
    """The results of the solutions of one constraint's query."""
    severity = Severity.from_iri(c.severity)
    out = []
    for row in rows:
        focus = from_oxigraph(row["this"], literals)
        value = _get(row, "value", literals)
        path = _get(row, "path", literals)
        if path is None:
            path = c.path
        if value is None and c.value_is_focus:
            value = focus
        messages = c.messages
        if c.templated and messages:
            bound: dict[str, Node | None] = {**c.parameters}
            bound.update({"this": focus, "path": path, "value": value})
            for name, column in c.message_vars:
                bound[name] = _get(row, column.removeprefix("?"), literals)
            messages = tuple(fill_template(m, bound) for m in messages)
        out.append(
            ValidationResult(
                focus_node=focus,
                path=path,
                constraint=c.component,
                severity=severity,
                severity_iri=c.severity,
                shape=c.shape,
                value=value,
                source_constraint=c.source_constraint,
                messages=tuple(sorted(messages, key=lambda m: (m.language or "", str(m)))),
            )
        )
    return out


def _get(row: Any, name: str, literals: dict[Any, Literal] | None) -> Node | None:
    try:
        term = row[name]
    except (KeyError, IndexError, TypeError):
        return None
    return None if term is None else from_oxigraph(term, literals)


def fill_template(message: Literal, bound: dict[str, Node | None]) -> Literal:
    """``{$this}``, ``{?value}``... replaced by the solution's values, as pySHACL does.

    >>> from rdflib import URIRef
    >>> str(fill_template(Literal("{?n} is not {$lang}"), {"n": Literal(3), "lang": Literal("vi")}))
    '3 is not vi'
    """
    text = str(message)
    for name, term in bound.items():
        if term is not None:
            text = re.sub(
                r"\{[?$]" + re.escape(name) + r"\}", str(term).replace("\\", "\\\\"), text
            )
    if text == str(message):
        return message
    return Literal(text, lang=message.language, datatype=message.datatype)


def report_from(
    results: list[ValidationResult], shapes: Graph, data: Graph | Callable[[], Graph]
) -> Report:
    """The :class:`kg.report.Report` of results: sorted, with the W3C results graph.

    Results are sorted on the structure of the blank-node shapes and paths they name, which is
    all the sort needs; the results graph itself is made only when someone reads it.
    """
    read = ShapesGraph(shapes)
    structure = Graph()
    copied: set[Node] = set()
    todo = list(results)
    while todo:
        r = todo.pop()
        todo.extend(r.details)
        for term in (r.path, r.shape, r.source_constraint):
            _describe(read, term, structure, copied, path=term is r.path)
    ordered = _sorted(results, structure)
    return Report(
        conforms=not results,
        results=ordered,
        graph=lambda: results_graph(ordered, read),
        data=data,
        engine="sparql",
    )


def results_graph(results: list[ValidationResult], shapes: ShapesGraph) -> Graph:
    """The W3C results graph (``sh:ValidationReport``) of results."""
    graph = Graph()
    root = BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(not results)))
    copied: set[Node] = set()
    for r in results:
        _write(graph, root, SH.result, r, shapes, copied)
    return graph


def _sorted(results: list[ValidationResult], structure: Graph) -> list[ValidationResult]:
    """Results in the report's order, their details too."""
    return [
        replace(r, details=tuple(_sorted(list(r.details), structure))) if r.details else r
        for r in sort_results(results, structure)
    ]


def _write(
    graph: Graph,
    parent: Node,
    prop: URIRef,
    r: ValidationResult,
    shapes: ShapesGraph,
    copied: set[Node],
) -> None:
    """One result (and its details, under ``sh:detail``) into a results graph."""
    node = BNode()
    graph.add((node, RDF.type, SH.ValidationResult))
    graph.add((parent, prop, node))
    graph.add((node, SH.resultSeverity, r.severity_iri or r.severity.iri))
    for key, term in (
        (SH.focusNode, r.focus_node),
        (SH.resultPath, r.path),
        (SH.sourceConstraintComponent, r.constraint),
        (SH.sourceShape, r.shape),
        (SH.value, r.value),
        (SH.sourceConstraint, r.source_constraint),
    ):
        if term is not None:
            graph.add((node, key, term))
            if key in (SH.resultPath, SH.sourceShape, SH.sourceConstraint):
                _describe(shapes, term, graph, copied, path=key == SH.resultPath)
    for m in r.messages:
        graph.add((node, SH.resultMessage, m))
    for d in r.details:
        _write(graph, node, SH.detail, d, shapes, copied)


def _describe(
    shapes: ShapesGraph, term: Node | None, into: Graph, copied: set[Node], *, path: bool
) -> None:
    """Copy what the shapes graph says of a blank node (a path: only the path as read)."""
    if not isinstance(term, BNode) or term in copied:
        return
    if path:
        for triple in path_triples(shapes, term):
            into.add(triple)
        copied.add(term)
        return
    copied.add(term)
    for p, o in shapes.graph.predicate_objects(term):
        into.add((term, p, o))
        _describe(shapes, o, into, copied, path=p == SH.path)
