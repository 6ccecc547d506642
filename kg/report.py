"""A validation report: its results, their severities and their one order.

Both SHACL engines (pySHACL, :mod:`kg.validate`'s reference, and the compiled SPARQL engine of
:mod:`kg.shacl`) give their results in these types, sorted by :func:`sort_results`, so
that their reports compare equal result by result and render the same way.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.errors import KgUsageError

__all__ = [
    "ConstraintTiming",
    "Report",
    "Severity",
    "ValidationResult",
    "results_from_graph",
    "sort_results",
    "structure_key",
]


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
    #: The ``sh:sparql`` constraint that produced the result (``sh:sourceConstraint``), if any.
    source_constraint: Node | None = None
    #: ``sh:resultSeverity`` as the shape gave it: SHACL allows severities of one's own, which
    #: :attr:`severity` counts as violations but the W3C report must show as they are.
    severity_iri: URIRef | None = None
    #: The results that explain this one (``sh:detail``): why a value does not conform to the
    #: shape of a ``sh:node``.
    details: tuple[ValidationResult, ...] = ()

    def message(self, lang: str = "vi") -> str:
        """The result message in ``lang`` when the shape gives one, else any message."""
        for msg in self.messages:
            if msg.language == lang:
                return str(msg)
        untagged = [m for m in self.messages if not m.language]
        chosen = untagged or list(self.messages)
        return str(chosen[0]) if chosen else ""


@dataclass(frozen=True)
class ConstraintTiming:
    """How long the SPARQL engine took over one constraint of one shape, and what it found.

    Queries run in threads, so the times of a validation add up to more than its wall time;
    ``cpu`` is the time its thread computed, which other work on the machine does not stretch.
    """

    shape: Node
    constraint: URIRef
    seconds: float
    results: int
    cpu: float = 0.0
    #: How many constraints shared the query this one ran in (their time shared evenly).
    shared: int = 1


class Report:
    """The outcome of a validation: results, counts and the W3C results graph.

    The results graph and the graph of labels a report shows (``data``) may be given as
    functions that make them: the national graph's 14,000 warnings take seconds to turn into
    a results graph that ``kg build``, which only counts them, never reads.

    :param conforms: whether the data conforms (``sh:conforms``).
    :param results: the results, sorted.
    :param graph: the W3C results graph, or a function that makes it when first asked.
    :param data: the graph the report takes labels from, or a function that makes it.
    :param engine: the engine that validated: ``sparql`` or ``pyshacl``.
    :param fallback: why ``engine="auto"`` validated with pySHACL (the feature and the shape
        the SPARQL engine does not implement), or None.
    :param timings: the SPARQL engine's time over each constraint.
    """

    def __init__(
        self,
        conforms: bool,
        results: list[ValidationResult],
        graph: Graph | Callable[[], Graph],
        data: Graph | Callable[[], Graph],
        *,
        engine: str = "pyshacl",
        fallback: str | None = None,
        timings: list[ConstraintTiming] | None = None,
    ) -> None:
        self.conforms = conforms
        self.results = results
        self._graph = graph
        self._data = data
        self.engine = engine
        self.fallback = fallback
        self.timings = timings or []

    @property
    def graph(self) -> Graph:
        """The W3C results graph (``sh:ValidationReport``)."""
        if not isinstance(self._graph, Graph):
            self._graph = self._graph()
        return self._graph

    @property
    def data(self) -> Graph:
        """The graph the report's labels come from."""
        if not isinstance(self._data, Graph):
            self._data = self._data()
        return self._data

    def __repr__(self) -> str:
        return f"Report(conforms={self.conforms}, results={len(self.results)})"

    def counts(self) -> dict[Severity, int]:
        """Number of results per severity, every severity present (0 when none)."""
        found = Counter(r.severity for r in self.results)
        return {s: found.get(s, 0) for s in sorted(Severity, reverse=True)}

    def conforms_at(self, level: str | Severity) -> bool:
        """True when no result is at or above ``level`` (``violation``, ``warning``, ``info``)."""
        threshold = level if isinstance(level, Severity) else Severity.from_label(level)
        return all(r.severity < threshold for r in self.results)


def results_from_graph(graph: Graph) -> Iterable[ValidationResult]:
    """The report's own results, each with the nested ones pySHACL hangs under ``sh:detail``."""
    reports = graph.subjects(RDF.type, SH.ValidationReport)
    for node in {r for report in reports for r in graph.objects(report, SH.result)}:
        yield _result(graph, node, ())


def _result(graph: Graph, node: Node, above: tuple[Node, ...]) -> ValidationResult:
    """The result at ``node`` of a results graph, with its details (a cycle read once)."""
    constraint = graph.value(node, SH.sourceConstraintComponent)
    severity = graph.value(node, SH.resultSeverity)
    details = [
        _result(graph, d, (*above, node))
        for d in graph.objects(node, SH.detail)
        if d not in above and d != node
    ]
    return ValidationResult(
        focus_node=graph.value(node, SH.focusNode),  # type: ignore[arg-type]
        path=graph.value(node, SH.resultPath),
        constraint=constraint if isinstance(constraint, URIRef) else None,
        severity=Severity.from_iri(severity),
        severity_iri=severity if isinstance(severity, URIRef) else None,
        shape=graph.value(node, SH.sourceShape),
        value=graph.value(node, SH.value),
        source_constraint=graph.value(node, SH.sourceConstraint),
        details=tuple(sort_results(details, graph)),
        messages=tuple(
            sorted(
                (m for m in graph.objects(node, SH.resultMessage) if isinstance(m, Literal)),
                key=lambda m: (m.language or "", str(m)),
            )
        ),
    )


def structure_key(graph: Graph, term: Node | None, above: tuple[Node, ...] = ()) -> str:
    """A sort key for a term that does not depend on blank node labels.

    Labels are random and differ from run to run; a blank node (an anonymous shape, a path, a
    blank focus node) is keyed by what the graph says about it, recursively, so that the same
    input gives results (and reports) in the same order every time.
    """
    if term is None:
        return ""
    if not isinstance(term, BNode):
        return term.n3()
    if term in above:
        return f"~{above.index(term)}"
    parts = sorted(
        f"{p.n3()} {structure_key(graph, o, (*above, term))}"
        for p, o in graph.predicate_objects(term)
    )
    return "~[" + "; ".join(parts) + "]"


def sort_results(results: Iterable[ValidationResult], graph: Graph) -> list[ValidationResult]:
    """Results in one order that does not depend on blank node labels: severity (the worst
    first), shape, focus node, path, constraint, value, SPARQL constraint, messages. Each term
    is keyed once however many results name it.

    The national graph's 14,000 warnings name a few shapes, paths and messages over and over;
    keying each of them once takes a fifth of the time.
    """
    # rdflib's literals equal whatever the case of their language tag; their keys do not
    keys: dict[tuple[Node | None, str | None], str] = {}
    texts: dict[tuple[tuple[Literal, str | None], ...], tuple[str, ...]] = {}

    def key(term: Node | None) -> str:
        held = (term, term.language if isinstance(term, Literal) else None)
        found = keys.get(held)
        if found is None:
            found = keys[held] = structure_key(graph, term)
        return found

    def sort_key(r: ValidationResult) -> tuple[int | str | tuple[str, ...], ...]:
        held = tuple((m, m.language) for m in r.messages)
        text = texts.get(held)
        if text is None:
            text = texts[held] = tuple(m.n3() for m in r.messages)
        return (
            -int(r.severity),
            key(r.shape),
            key(r.focus_node),
            key(r.path),
            key(r.constraint),
            key(r.value),
            key(r.source_constraint),
            text,
        )

    return sorted(results, key=sort_key)
