"""SHACL validation: a graph and a shapes graph in, a :class:`Report` a person can act on out.

pySHACL is the engine (the W3C SHACL test suite is its measure). This module wraps it so that
callers get plain Python results (focus node, path, constraint component, severity, messages)
instead of a results graph to pick apart, and so that malformed shapes surface as one clear
error instead of a pySHACL traceback.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.errors import KgShapesError, KgUsageError
from kg.graph import SHAPES_GRAPH, KnowledgeGraph


class Severity(enum.IntEnum):
    """SHACL severities, ordered so that ``Severity.WARNING < Severity.VIOLATION``."""

    INFO = 1
    WARNING = 2
    VIOLATION = 3

    @property
    def iri(self) -> URIRef:
        return {1: SH.Info, 2: SH.Warning, 3: SH.Violation}[self.value]

    @classmethod
    def from_iri(cls, iri: Node | None) -> Severity:
        return {SH.Info: cls.INFO, SH.Warning: cls.WARNING}.get(iri, cls.VIOLATION)  # type: ignore[call-overload]

    @classmethod
    def from_label(cls, label: str) -> Severity:
        """``violation``, ``warning`` or ``info``, as users type them after ``--fail-on``."""
        try:
            return cls[label.strip().upper()]
        except KeyError:
            raise KgUsageError(
                f"unknown severity {label!r}; use violation, warning or info"
            ) from None


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL validation result (``sh:ValidationResult``)."""

    focus_node: Node
    path: Node | None
    constraint: URIRef | None
    severity: Severity
    shape: Node | None
    value: Node | None
    messages: tuple[Literal, ...]

    def message(self, lang: str = "vi") -> str:
        """The result message in ``lang`` when the shape gives one, else any message."""
        for msg in self.messages:
            if msg.language == lang:
                return str(msg)
        untagged = [m for m in self.messages if not m.language]
        chosen = untagged or list(self.messages)
        return str(chosen[0]) if chosen else ""


@dataclass
class Report:
    """The outcome of a validation: results, counts and the W3C results graph."""

    conforms: bool
    results: list[ValidationResult]
    graph: Graph
    data: Graph = field(repr=False)

    def counts(self) -> dict[Severity, int]:
        """Number of results per severity, every severity present (0 when none)."""
        found = Counter(r.severity for r in self.results)
        return {s: found.get(s, 0) for s in sorted(Severity, reverse=True)}

    def conforms_at(self, level: str | Severity) -> bool:
        """True when no result is at or above ``level`` (``violation``, ``warning``, ``info``)."""
        threshold = level if isinstance(level, Severity) else Severity.from_label(level)
        return all(r.severity < threshold for r in self.results)


def project_shapes(root: Path | None = None) -> Graph:
    """The project's own shapes, ``ontology/shapes.ttl``."""
    from kg.build import default_root
    from kg.io import parse

    base = root or default_root()
    return parse(base / "ontology" / "shapes.ttl")


def validate(
    data: KnowledgeGraph | Graph | Iterable[str | Path],
    shapes: Graph | str | Path | None = None,
    *,
    ontology: Graph | None = None,
) -> Report:
    """Validate RDF data against SHACL shapes (https://www.w3.org/TR/shacl/).

    :param data: the built graph, an rdflib graph, or RDF files to read.
    :param shapes: a shapes graph or file; the project's ``ontology/shapes.ttl`` when omitted
        (or the shapes graph of a built graph).
    :param ontology: extra triples (class hierarchy) to mix into the data before validating.
    :returns: the report.
    :raises KgShapesError: the shapes graph is itself malformed.
    :raises KgParseError: a file does not parse.
    """
    import pyshacl

    from kg.io import parse

    data_graph, shapes_graph = _data_and_shapes(data, shapes)
    if ontology is not None:
        data_graph += ontology
    if isinstance(shapes_graph, (str, Path)):
        shapes_graph = parse(shapes_graph)
    else:
        shapes_graph = _copy(shapes_graph)  # pySHACL adds triples to the graph it is given
    try:
        conforms, results_graph, _text = pyshacl.validate(
            data_graph,
            shacl_graph=shapes_graph,
            inference="none",
            advanced=True,
            allow_infos=False,
            allow_warnings=False,
        )
    except (
        pyshacl.errors.ShapeLoadError,
        pyshacl.errors.ConstraintLoadError,
        pyshacl.errors.RuleLoadError,
    ) as exc:
        raise KgShapesError(f"the shapes graph is malformed: {_first_line(exc)}") from None
    except pyshacl.errors.ReportableRuntimeError as exc:
        raise KgShapesError(f"the shapes could not be applied: {_first_line(exc)}") from None
    return Report(
        conforms=bool(conforms),
        results=sorted(_results(results_graph), key=_sort_key),
        graph=results_graph,
        data=data_graph,
    )


def _copy(graph: Graph) -> Graph:
    out = Graph()
    for triple in graph:
        out.add(triple)
    return out


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "message", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _data_and_shapes(
    data: KnowledgeGraph | Graph | Iterable[str | Path], shapes: Graph | str | Path | None
) -> tuple[Graph, Graph | str | Path]:
    if isinstance(data, KnowledgeGraph):
        if shapes is None:
            shapes = (
                data.graph(SHAPES_GRAPH) if SHAPES_GRAPH in data.graph_names() else project_shapes()
            )
        return data.data_graph(), shapes
    if isinstance(data, Dataset):
        merged = Graph()
        for triple in data.triples((None, None, None)):
            merged.add(triple)
        return merged, shapes if shapes is not None else project_shapes()
    if isinstance(data, Graph):
        return data, shapes if shapes is not None else project_shapes()
    kg = KnowledgeGraph.from_files(data)
    return kg.union(), shapes if shapes is not None else project_shapes()


def _results(graph: Graph) -> Iterable[ValidationResult]:
    for node in graph.subjects(RDF.type, SH.ValidationResult):
        constraint = graph.value(node, SH.sourceConstraintComponent)
        yield ValidationResult(
            focus_node=graph.value(node, SH.focusNode),  # type: ignore[arg-type]
            path=graph.value(node, SH.resultPath),
            constraint=constraint if isinstance(constraint, URIRef) else None,
            severity=Severity.from_iri(graph.value(node, SH.resultSeverity)),
            shape=graph.value(node, SH.sourceShape),
            value=graph.value(node, SH.value),
            messages=tuple(
                sorted(
                    (m for m in graph.objects(node, SH.resultMessage) if isinstance(m, Literal)),
                    key=lambda m: (m.language or "", str(m)),
                )
            ),
        )


def _term_key(term: Node | None) -> str:
    if term is None:
        return ""
    return ("~" + str(term)) if isinstance(term, BNode) else str(term)


def _sort_key(r: ValidationResult) -> tuple[int, str, str, str, str, str]:
    return (
        -int(r.severity),
        _term_key(r.shape),
        _term_key(r.focus_node),
        _term_key(r.path),
        _term_key(r.constraint),
        _term_key(r.value),
    )
