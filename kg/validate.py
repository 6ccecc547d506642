"""SHACL validation: a graph and a shapes graph in, a :class:`~kg.report.Report` out.

The one dispatcher between the two engines (https://www.w3.org/TR/shacl/):

* ``sparql``: the shapes compiled into SPARQL queries that Oxigraph runs where the graph is
  (:mod:`kg.shacl`): seconds for the national graph, where pySHACL needs minutes;
* ``pyshacl``: the reference, measured by the W3C SHACL test suite;
* ``auto`` (the default): ``sparql``, unless a shape uses what it does not implement (a
  recursive shape, SHACL Advanced Features): then pySHACL, with a
  :class:`~kg.errors.KgFallbackWarning` that names the feature and the shape, the same reason
  kept as :attr:`Report.fallback <kg.report.Report.fallback>`.

Either way the caller gets a :class:`~kg.report.Report` of plain results (focus node, path,
constraint component, severity, messages) in one order, and malformed shapes surface as one
clear :class:`~kg.errors.KgShapesError`, never a traceback of the engine.
"""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from rdflib import Dataset, Graph, Literal
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from kg.errors import KgDataError, KgFallbackWarning, KgShapesError, KgUsageError
from kg.graph import SHAPES_GRAPH, KnowledgeGraph
from kg.io import Format, parse, read_text
from kg.project import Project
from kg.report import Report, results_from_graph, sort_results
from kg.shacl import Unsupported, holds_only_shapes, validate_fast, validate_store
from kg.sparql_cache import sparql_parse_cache

#: The engines ``engine=`` (and ``kg validate --engine``) takes.
ENGINES = ("auto", "pyshacl", "sparql")


def project_shapes(root: str | Path | None = None) -> Graph:
    """The project's own shapes, ``ontology/shapes.ttl``."""
    return parse(Project.at(root).shapes)


def validate(
    data: KnowledgeGraph | Graph | Iterable[str | Path],
    shapes: Graph | str | Path | None = None,
    *,
    ontology: Graph | None = None,
    engine: str = "auto",
) -> Report:
    """Validate RDF data against SHACL shapes (https://www.w3.org/TR/shacl/).

    :param data: the built graph (validated where it is, every named graph but the shapes),
        an rdflib graph, or RDF files to read.
    :param shapes: a shapes graph or file; the shapes graph of a built graph when it has one,
        else the project's ``ontology/shapes.ttl``.
    :param ontology: extra triples (class hierarchy) to mix into the data before validating.
    :param engine: ``auto``, ``sparql`` or ``pyshacl`` (see the module's description).
    :returns: the report.
    :raises KgShapesError: the shapes graph is itself malformed, or (``engine="sparql"``) uses
        what the compiled engine cannot do.
    :warns KgFallbackWarning: ``engine="auto"`` validated with pySHACL, and why.
    :raises KgParseError: a file does not parse.
    :raises KgDataError: a file holds a literal that is not a valid value of its datatype and
        no shape reports it (with ``sh:datatype``): the file is refused, as every other use of
        it would refuse it, rather than said to conform.
    :raises KgUsageError: an unknown engine.
    """
    refused: list[tuple[KgDataError, set[Literal]]] = []
    report = _validate(data, shapes, ontology=ontology, engine=engine, refused=refused)
    reported = {r.value for r in report.results}
    for error, literals in refused:
        if literals - reported:
            raise error
    return report


def _validate(
    data: KnowledgeGraph | Graph | Iterable[str | Path],
    shapes: Graph | str | Path | None,
    *,
    ontology: Graph | None,
    engine: str,
    refused: list[tuple[KgDataError, set[Literal]]],
) -> Report:
    if engine not in ENGINES:
        raise KgUsageError(f"unknown validation engine {engine!r}; use {', '.join(ENGINES)}")
    if isinstance(shapes, (str, Path)):
        shapes = _read_shapes(shapes)
    fallback: str | None = None
    if isinstance(data, KnowledgeGraph) and ontology is None:
        if shapes is None:
            shapes = _own_shapes(data)
        if engine != "pyshacl":
            report, fallback = _compiled(lambda: _validate_built(data, shapes), engine)
            if report is not None:
                return report
    data_graph, shapes_graph = _data_and_shapes(data, shapes, refused)
    if ontology is not None:
        data_graph += ontology
    shapes_graph = _copy(shapes_graph)  # the engines may add triples to the graph they get
    _only_true_is_true(shapes_graph)
    _follow_prefix_imports(shapes_graph)
    if engine != "pyshacl" and fallback is None:
        report, fallback = _compiled(lambda: validate_fast(data_graph, shapes_graph), engine)
        if report is not None:
            return report
    report = _pyshacl(data_graph, shapes_graph)
    report.fallback = fallback
    return report


def _own_shapes(kg: KnowledgeGraph) -> Graph:
    """A built graph's own shapes graph, else the project's shapes."""
    return kg.graph(SHAPES_GRAPH) if SHAPES_GRAPH in kg.graph_names() else project_shapes()


def _validate_built(kg: KnowledgeGraph, shapes: Graph) -> Report:
    """The compiled engine over a built graph, in its store when that is Oxigraph (a copy of
    its quads otherwise): every named graph but the shapes, or, when the shapes graph holds
    nothing the shapes could reach as data, the union of all of them (twice as fast)."""
    store = kg.store.oxigraph()
    names = kg.graph_names()
    with _quiet_literals():
        if SHAPES_GRAPH not in names or holds_only_shapes(store, SHAPES_GRAPH, shapes):
            return validate_store(store, shapes, union=True)
        return validate_store(store, shapes, graphs=[g for g in names if g != SHAPES_GRAPH])


def _compiled(run: Callable[[], Report], engine: str) -> tuple[Report | None, str | None]:
    """The compiled engine's report; else, when ``auto`` may fall back to pySHACL, why it must.

    :warns KgFallbackWarning: the shapes use what the compiled engine does not implement.
    """
    try:
        with _quiet_literals():
            return run(), None
    except Unsupported as exc:
        if engine == "sparql":
            raise
        reason = (
            f"validated with pySHACL: the SPARQL engine does not implement {exc.feature} "
            f"({exc.detail})"
        )
    warnings.warn(reason, KgFallbackWarning, stacklevel=3)
    return None, reason


def _pyshacl(data_graph: Graph, shapes_graph: Graph) -> Report:
    """pySHACL's report, its errors turned into :class:`KgShapesError`."""
    import pyshacl

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
        results=sort_results(results_from_graph(results_graph), results_graph),
        graph=results_graph,
        data=data_graph,
    )


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
            # pySHACL backs out of a recursive shape (as conforming) with a warning of its own;
            # kg.validate has said why pySHACL validates (KgFallbackWarning)
            warnings.filterwarnings("ignore", message=".*Recursive Shape", module="pyshacl")
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
    data: KnowledgeGraph | Graph | Iterable[str | Path],
    shapes: Graph | None,
    refused: list[tuple[KgDataError, set[Literal]]] | None = None,
) -> tuple[Graph, Graph]:
    if isinstance(data, KnowledgeGraph):
        return data.data_graph(), shapes if shapes is not None else _own_shapes(data)
    if isinstance(data, Dataset):
        merged = Graph()
        for triple in data.triples((None, None, None)):
            merged.add(triple)
        return merged, shapes if shapes is not None else project_shapes()
    if isinstance(data, Graph):
        return data, shapes if shapes is not None else project_shapes()
    return _read_data(data, refused), shapes if shapes is not None else project_shapes()


def _read_data(
    paths: Iterable[str | Path], refused: list[tuple[KgDataError, set[Literal]]] | None = None
) -> Graph:
    """The RDF files a user brings (data or shapes), merged into one graph.

    A literal that is not a valid value of its datatype (``"c"^^xsd:byte``) is kept, not refused
    as :func:`kg.io.parse` does: finding such values is what ``sh:datatype`` is for, so
    validation reports them as results. Syntax errors still raise :class:`KgParseError`. Each
    refusal is added to ``refused`` with the literals it was for (the caller refuses the file
    after all when no shape reports them).
    """
    merged = Graph()
    for path in paths:
        try:
            with _quiet_literals():  # rdflib warns of "none"^^xsd:boolean before we refuse it
                parsed = parse(path)
        except KgDataError as error:
            parsed = _parse_keeping_ill_typed(path)
            if refused is not None:
                terms = (
                    (q[2] for q in parsed.quads((None, None, None, None)))
                    if isinstance(parsed, Dataset)
                    else parsed.objects()
                )
                ill = {o for o in terms if isinstance(o, Literal) and o.ill_typed}
                refused.append((error, ill))
        if isinstance(parsed, Dataset):  # TriG, N-Quads: every named graph, not only the default
            for s, p, o, _g in parsed.quads((None, None, None, None)):
                merged.add((s, p, o))
        else:
            for triple in parsed:
                merged.add(triple)
    return merged


def _parse_keeping_ill_typed(path: str | Path) -> Graph:
    """Parse a file that :func:`kg.io.parse` refused only for its ill-typed literals."""
    fmt = Format.from_extension(path)
    graph: Graph = Dataset() if fmt.quads else Graph()
    with _quiet_literals():
        graph.parse(
            data=read_text(path), format=fmt.rdflib_name, publicID=Path(path).resolve().as_uri()
        )
    return graph
