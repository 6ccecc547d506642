"""SHACL validation: a graph and a shapes graph in, a :class:`Report` a person can act on out.

pySHACL is the engine (the W3C SHACL test suite is its measure). This module wraps it so that
callers get plain Python results (focus node, path, constraint component, severity, messages)
instead of a results graph to pick apart, and so that malformed shapes surface as one clear
error instead of a pySHACL traceback.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SH
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
    #: The ``sh:sparql`` constraint that produced the result (``sh:sourceConstraint``), if any.
    source_constraint: Node | None = None
    #: ``sh:resultSeverity`` as the shape gave it: SHACL allows severities of one's own, which
    #: :attr:`severity` counts as violations but the W3C report must show as they are.
    severity_iri: URIRef | None = None

    def message(self, lang: str = "vi") -> str:
        """The result message in ``lang`` when the shape gives one, else any message."""
        for msg in self.messages:
            if msg.language == lang:
                return str(msg)
        untagged = [m for m in self.messages if not m.language]
        chosen = untagged or list(self.messages)
        return str(chosen[0]) if chosen else ""


class Report:
    """The outcome of a validation: results, counts and the W3C results graph.

    The results graph and the graph of labels a report shows (``data``) may be given as
    functions that make them: the national graph's 14,000 warnings take seconds to turn into
    a results graph that ``kg build``, which only counts them, never reads.

    :param conforms: whether the data conforms (``sh:conforms``).
    :param results: the results, sorted.
    :param graph: the W3C results graph, or a function that makes it when first asked.
    :param data: the graph the report takes labels from, or a function that makes it.
    """

    def __init__(
        self,
        conforms: bool,
        results: list[ValidationResult],
        graph: Graph | Callable[[], Graph],
        data: Graph | Callable[[], Graph],
    ) -> None:
        self.conforms = conforms
        self.results = results
        self._graph = graph
        self._data = data

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
    engine: str = "auto",
) -> Report:
    """Validate RDF data against SHACL shapes (https://www.w3.org/TR/shacl/).

    :param data: the built graph, an rdflib graph, or RDF files to read.
    :param shapes: a shapes graph or file; the project's ``ontology/shapes.ttl`` when omitted
        (or the shapes graph of a built graph).
    :param ontology: extra triples (class hierarchy) to mix into the data before validating.
    :param engine: ``pyshacl`` (the reference), ``sparql`` (the shapes compiled into SPARQL
        queries that pyoxigraph runs, :mod:`kg.shacl_sparql`; refuses shapes it cannot compile)
        or ``auto``: ``sparql`` when the shapes compile and pyoxigraph is installed, else pySHACL.
    :returns: the report.
    :raises KgShapesError: the shapes graph is itself malformed.
    :raises KgParseError: a file does not parse.
    """
    import pyshacl

    from kg.sparql_cache import sparql_parse_cache

    in_place = _validate_in_place(data, shapes, engine) if ontology is None else None
    if in_place is not None:
        return in_place
    data_graph, shapes_graph = _data_and_shapes(data, shapes)
    if ontology is not None:
        data_graph += ontology
    if isinstance(shapes_graph, (str, Path)):
        shapes_graph = _read_shapes(shapes_graph)
    else:
        shapes_graph = _copy(shapes_graph)  # pySHACL adds triples to the graph it is given
    _only_true_is_true(shapes_graph)
    _follow_prefix_imports(shapes_graph)
    fast = _validate_fast(data_graph, shapes_graph, engine)
    if fast is not None:
        return fast
    try:
        with _quiet_literals(), sparql_parse_cache():
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
    except NotImplementedError as exc:
        # e.g. $shapesGraph, optional in SHACL: a processor without it must report a failure
        raise KgShapesError(f"the shapes use what pySHACL cannot do: {_first_line(exc)}") from None
    except re.error as exc:
        raise KgShapesError(
            f"the shapes graph is malformed: a sh:pattern is not a regular expression: {exc}"
        ) from None
    except KgShapesError:
        raise
    except Exception as exc:  # pySHACL lets others through, e.g. SPARQL text that does not parse
        raise KgShapesError(
            f"the shapes could not be applied: {type(exc).__name__}: {_first_line(exc)}"
        ) from exc
    if isinstance(results_graph, pyshacl.errors.ValidationFailure):
        # pySHACL returns (not raises) this for SPARQL a constraint must not use (MINUS, ...)
        raise KgShapesError(f"the shapes could not be applied: {_first_line(results_graph)}")
    return Report(
        conforms=bool(conforms),
        results=_sorted(_results(results_graph), results_graph),
        graph=results_graph,
        data=data_graph,
    )


ENGINES = ("auto", "pyshacl", "sparql")


def _validate_in_place(
    data: KnowledgeGraph | Graph | Iterable[str | Path],
    shapes: Graph | str | Path | None,
    engine: str,
) -> Report | None:
    """A graph held by Oxigraph, validated where it is by the SPARQL engine (nothing copied)."""
    if engine == "pyshacl" or not isinstance(data, KnowledgeGraph):
        return None
    if shapes is not None and not isinstance(shapes, Graph):
        return None
    try:
        import pyoxigraph

        from kg.shacl_sparql import Unsupported, validate_store
    except ImportError:
        return None
    store = getattr(data.store, "store", None)
    if not isinstance(store, pyoxigraph.Store):
        return None
    if shapes is None:
        names = data.graph_names()
        shapes = data.graph(SHAPES_GRAPH) if SHAPES_GRAPH in names else project_shapes()
    try:
        with _quiet_literals():
            return validate_store(
                store, shapes, graphs=[g for g in data.graph_names() if g != SHAPES_GRAPH]
            )
    except Unsupported:
        if engine == "sparql":
            raise
        return None


def _validate_fast(data: Graph, shapes: Graph, engine: str) -> Report | None:
    """The report of the SPARQL engine, or None when pySHACL is to run instead."""
    if engine not in ENGINES:
        raise KgUsageError(f"unknown validation engine {engine!r}; use {', '.join(ENGINES)}")
    if engine == "pyshacl":
        return None
    try:
        import pyoxigraph  # noqa: F401
    except ImportError:
        if engine == "sparql":
            raise KgUsageError("--engine sparql needs pyoxigraph: pip install pyoxigraph") from None
        return None
    from kg.shacl_sparql import Unsupported, validate_fast

    try:
        with _quiet_literals():
            return validate_fast(data, shapes)
    except Unsupported:
        if engine == "sparql":
            raise
        return None


#: SHACL parameters whose values are ``true`` or ``false``; absent means false.
_BOOLEAN_PARAMETERS = (SH.closed, SH.deactivated, SH.optional, SH.qualifiedValueShapesDisjoint)
_BOOLEAN_PARAMETERS += (SH.uniqueLang,)
_TRUE, _FALSE = Literal(True), Literal(False)


def _only_true_is_true(shapes: Graph) -> None:
    """Drop boolean parameters whose value is not the RDF term ``true`` or ``false``.

    SHACL compares RDF terms, so ``sh:uniqueLang "1"^^xsd:boolean`` is not ``true`` and does not
    switch the constraint on (W3C test ``core/property/uniqueLang-002``); pySHACL reads the
    literal's value and would. Dropping the triple gives the parameter its default, false.
    """
    for prop in _BOOLEAN_PARAMETERS:
        for s, o in list(shapes.subject_objects(prop)):
            if o != _TRUE and o != _FALSE:
                shapes.remove((s, prop, o))


def _follow_prefix_imports(shapes: Graph) -> None:
    """State the prefix declarations that ``sh:prefixes`` reaches through ``owl:imports``.

    SHACL takes a SPARQL constraint's prefixes from the path ``sh:prefixes/owl:imports*/
    sh:declare`` (https://www.w3.org/TR/shacl/#sparql-prefixes); pySHACL does not follow
    ``owl:imports`` (W3C test ``sparql/node/prefixes-001``), so the imported declarations are
    added to the ``sh:prefixes`` node itself.
    """
    for holder in set(shapes.objects(None, SH.prefixes)):
        reached: set[Node] = set()
        todo = list(shapes.objects(holder, OWL.imports))
        while todo:
            node = todo.pop()
            if node in reached or node == holder:
                continue
            reached.add(node)
            for declaration in list(shapes.objects(node, SH.declare)):
                shapes.add((holder, SH.declare, declaration))  # type: ignore[arg-type]
            todo.extend(shapes.objects(node, OWL.imports))


@contextlib.contextmanager
def _quiet_literals() -> Iterator[None]:
    """rdflib logs a traceback (and may warn) for every ill-typed literal it meets.

    Such literals are data being validated (``sh:datatype`` reports them), not faults of the
    program, so their noise is kept off the user's terminal, as is pySHACL's own log.
    """
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    # pySHACL also logs each error it raises to stderr; the error reaches the user once, from us
    pyshacl_logger = logging.getLogger("pyshacl-validate")
    disabled = pyshacl_logger.disabled
    pyshacl_logger.disabled = True
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="rdflib.term")
            warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
            yield
    finally:
        logger.setLevel(level)
        pyshacl_logger.disabled = disabled


def _read_shapes(path: str | Path) -> Graph:
    """A shapes file, with boolean parameters as written and every other literal as usual.

    rdflib turns ``"1"^^xsd:boolean`` into ``true`` while parsing, which would hide a value
    SHACL does not take as true (see :func:`_only_true_is_true`). The file is parsed without
    that normalisation, then every literal except the boolean parameters' is normalised, so
    the graph is the one :func:`kg.io.parse` gives but for those values. (rdflib's switch is
    process-wide: a parse in another thread at the same moment would see it too.)
    """
    import rdflib

    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        raw = _read_data([path])
    finally:
        rdflib.NORMALIZE_LITERALS = before
    shapes = Graph()
    with _quiet_literals():
        for s, p, o in raw:
            if isinstance(o, Literal) and p not in _BOOLEAN_PARAMETERS:
                o = o.normalize()
            shapes.add((s, p, o))
    return shapes


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
    return _read_data(data), shapes if shapes is not None else project_shapes()


def _read_data(paths: Iterable[str | Path]) -> Graph:
    """The RDF files a user brings (data or shapes), merged into one graph.

    A literal that is not a valid value of its datatype (``"c"^^xsd:byte``) is kept, not refused
    as :func:`kg.io.parse` does: finding such values is what ``sh:datatype`` is for, so
    validation reports them as results. Syntax errors still raise :class:`KgParseError`.
    """
    from kg.errors import KgDataError
    from kg.io import parse

    merged = Graph()
    for path in paths:
        try:
            parsed = parse(path)
        except KgDataError:
            parsed = _parse_keeping_ill_typed(path)
        if isinstance(parsed, Dataset):  # TriG, N-Quads: every named graph, not only the default
            for s, p, o, _g in parsed.quads((None, None, None, None)):
                merged.add((s, p, o))
        else:
            for triple in parsed:
                merged.add(triple)
    return merged


def _parse_keeping_ill_typed(path: str | Path) -> Graph:
    """Parse a file that :func:`kg.io.parse` refused only for its ill-typed literals."""
    from kg.io import Format, read_text

    fmt = Format.from_extension(path)
    graph: Graph = Dataset() if fmt.quads else Graph()
    with _quiet_literals():
        graph.parse(
            data=read_text(path), format=fmt.rdflib_name, publicID=Path(path).resolve().as_uri()
        )
    return graph


def _results(graph: Graph) -> Iterable[ValidationResult]:
    """The report's own results; not the nested ones pySHACL hangs under ``sh:detail``."""
    reports = graph.subjects(RDF.type, SH.ValidationReport)
    for node in {r for report in reports for r in graph.objects(report, SH.result)}:
        constraint = graph.value(node, SH.sourceConstraintComponent)
        severity = graph.value(node, SH.resultSeverity)
        yield ValidationResult(
            focus_node=graph.value(node, SH.focusNode),  # type: ignore[arg-type]
            path=graph.value(node, SH.resultPath),
            constraint=constraint if isinstance(constraint, URIRef) else None,
            severity=Severity.from_iri(severity),
            severity_iri=severity if isinstance(severity, URIRef) else None,
            shape=graph.value(node, SH.sourceShape),
            value=graph.value(node, SH.value),
            source_constraint=graph.value(node, SH.sourceConstraint),
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


def _sort_key(r: ValidationResult, graph: Graph) -> tuple[int | str | tuple[str, ...], ...]:
    return (
        -int(r.severity),
        structure_key(graph, r.shape),
        structure_key(graph, r.focus_node),
        structure_key(graph, r.path),
        structure_key(graph, r.constraint),
        structure_key(graph, r.value),
        structure_key(graph, r.source_constraint),
        tuple(m.n3() for m in r.messages),
    )


def _sorted(results: Iterable[ValidationResult], graph: Graph) -> list[ValidationResult]:
    """Results in :func:`_sort_key` order, each term keyed once however many results name it.

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
