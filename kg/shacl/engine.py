"""The SPARQL engine's entry points: validate an rdflib graph, or a pyoxigraph store in place.

Compile (:mod:`kg.shacl.compiler`), run (:mod:`kg.shacl.runner`), report
(:mod:`kg.shacl.results`). :func:`validate_fast` loads a data graph into an in-memory store
first; :func:`validate_store` reads a store where it is (the built graph on Oxigraph), without
writing to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from kg.labels import LABEL_PROPERTIES
from kg.report import ConstraintTiming, Report
from kg.shacl.compiler import compile_shapes
from kg.shacl.model import CompiledConstraint, Unsupported
from kg.shacl.results import report_from
from kg.shacl.runner import run
from kg.shacl.store import from_oxigraph, load_store, to_oxigraph
from kg.shacl.text import SHAPES_GRAPH

if TYPE_CHECKING:
    import pyoxigraph

__all__ = ["holds_only_shapes", "validate_fast", "validate_store"]


def validate_fast(data: Graph, shapes: Graph) -> Report:
    """Validate ``data`` against ``shapes`` with compiled SPARQL queries run by pyoxigraph.

    Gives the results pySHACL gives (focus node, path, constraint component, severity, value,
    source shape).

    :param data: the data graph (class hierarchy included).
    :param shapes: the shapes graph.
    :returns: the report.
    :raises KgShapesError: the shapes graph is malformed, or a query could not be run.
    :raises Unsupported: a shape is recursive, or uses what SHACL Core and SHACL-SPARQL do not
        define; or the data holds a term Oxigraph refuses.

    >>> shapes = Graph().parse(format="turtle", data='''
    ...     @prefix sh: <http://www.w3.org/ns/shacl#> .
    ...     <urn:S> sh:targetNode <urn:a> ; sh:path <urn:p> ; sh:minCount 1 .
    ... ''')
    >>> report = validate_fast(Graph().parse(data="<urn:a> <urn:q> 1 .", format="turtle"), shapes)
    >>> [(str(r.focus_node), r.constraint.removeprefix(str(SH))) for r in report.results]
    [('urn:a', 'MinCountConstraintComponent')]
    """
    constraints = compile_shapes(shapes)
    try:
        store, literals = load_store(data)
    except ValueError as exc:
        raise Unsupported(URIRef("urn:x-cchc-kg:data"), f"data Oxigraph refuses ({exc})") from None
    if _names_shapes_graph(constraints):
        _load_shapes(store, shapes)
    timings: list[ConstraintTiming] = []
    results = run(store, constraints, literals, timings=timings)
    report = report_from(results, shapes, data)
    report.timings = timings
    return report


def validate_store(
    store: pyoxigraph.Store,
    shapes: Graph,
    *,
    union: bool = False,
    graphs: Iterable[URIRef] | None = None,
    data: Graph | None = None,
    grouped: bool = True,
) -> Report:
    """Validate the data of a pyoxigraph store in place (no copy; the store is only read).

    :param store: the store.
    :param shapes: the shapes graph.
    :param union: validate the union of the named graphs, not the default graph.
    :param graphs: validate the union of these named graphs (e.g. all but the shapes).
    :param data: the graph the report shows labels from (empty when omitted).
    :param grouped: run the constraints of a node shape as one query (the default, faster);
        false runs each alone, so that :attr:`Report.timings` gives each its own time.
    :returns: the report.
    :raises KgShapesError: the shapes graph is malformed, or a query could not be run.
    :raises Unsupported: a shape is recursive, or uses what SHACL Core and SHACL-SPARQL do not
        define.
    """
    import pyoxigraph as ox

    constraints = compile_shapes(shapes)
    names = [ox.NamedNode(str(g)) for g in graphs] if graphs is not None else None
    if _names_shapes_graph(constraints):  # $shapesGraph: a copy that holds the shapes too
        store, union, names = _with_shapes(store, shapes, union, names)
    timings: list[ConstraintTiming] = []
    results = run(store, constraints, union=union, graphs=names, timings=timings, grouped=grouped)
    if data is None:  # the labels a report shows, fetched only when it is shown
        terms = {t for r in results for t in (r.focus_node, r.value, r.shape)}
        report = report_from(results, shapes, lambda: _labels_of(store, terms))
    else:
        report = report_from(results, shapes, data)
    report.timings = timings
    return report


def _names_shapes_graph(constraints: list[CompiledConstraint]) -> bool:
    return any(f"<{SHAPES_GRAPH}>" in c.query for c in constraints)


def _load_shapes(store: pyoxigraph.Store, shapes: Graph) -> None:
    import pyoxigraph as ox

    name = ox.NamedNode(SHAPES_GRAPH)
    store.extend(
        ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), name) for s, p, o in shapes
    )


def _with_shapes(
    store: pyoxigraph.Store, shapes: Graph, union: bool, names: list[Any] | None
) -> tuple[pyoxigraph.Store, bool, list[Any] | None]:
    """A copy of the store with the shapes graph in a named graph of its own, and the data
    it validates named so that the shapes are not part of it."""
    import pyoxigraph as ox

    copy = ox.Store()
    copy.bulk_extend(store.quads_for_pattern(None, None, None, None))
    if union:
        names = [g for g in store.named_graphs() if g.value != SHAPES_GRAPH]
        union = False
    _load_shapes(copy, shapes)
    return copy, union, names


#: Predicates a shapes graph may use without being data: SHACL's own, lists, names and notes.
_SHAPE_ONLY_PREDICATES = frozenset(
    {str(RDF.type), str(RDF.first), str(RDF.rest), str(RDFS.label), str(RDFS.comment)}
)


def holds_only_shapes(store: pyoxigraph.Store, graph: URIRef, shapes: Graph) -> bool:
    """True when the named graph ``graph`` of ``store`` cannot change a validation's results.

    Oxigraph answers over the union of all named graphs about twice as fast as over a list of
    them, so :mod:`kg.validate` validates the union when the one graph it must leave out (the
    shapes) is inert: every triple in it is SHACL's own (``sh:`` predicates, lists, labels,
    types that are ``sh:`` classes), and no shape targets anything such a triple could make a
    focus node (a ``sh:`` class, or subjects or objects of those predicates).

    :param store: the store.
    :param graph: the named graph left out of the data.
    :param shapes: the shapes the data is validated against.
    :returns: whether validating the union gives the results of validating the rest.
    """
    import pyoxigraph as ox

    predicates: set[str] = set()
    for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph))):
        p = quad.predicate.value
        predicates.add(p)
        if not (p.startswith(str(SH)) or p in _SHAPE_ONLY_PREDICATES):
            return False
        if p == str(RDF.type) and not quad.object.value.startswith(str(SH)):
            return False
    for target in (SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetClass):
        for value in shapes.objects(None, target):
            if str(value).startswith(str(SH)) or str(value) in predicates:
                return False
    name = ox.NamedNode(str(graph))
    for node in shapes.objects(None, SH.targetNode):
        if isinstance(node, URIRef) and any(
            store.quads_for_pattern(ox.NamedNode(str(node)), None, None, name)
        ):
            return False
    return True


def _labels_of(store: pyoxigraph.Store, terms: set[Node]) -> Graph:
    """The labels of the terms a report names, so that it can show names, not only IRIs; and
    what the data says of a blank node it names (recursively), the only way to tell which
    anonymous node is meant."""
    import pyoxigraph as ox

    out = Graph()
    props = [ox.NamedNode(str(p)) for p in LABEL_PROPERTIES]
    blanks = [t for t in terms if isinstance(t, BNode)]
    seen = set(blanks)
    while blanks:
        node = blanks.pop()
        for quad in store.quads_for_pattern(to_oxigraph(node), None, None, None):
            value = from_oxigraph(quad.object)
            out.add((node, URIRef(quad.predicate.value), value))
            if isinstance(value, BNode) and value not in seen:
                seen.add(value)
                blanks.append(value)
    for term in terms:
        if not isinstance(term, URIRef):
            continue
        subject = ox.NamedNode(str(term))
        for prop in props:
            for quad in store.quads_for_pattern(subject, prop, None, None):
                out.add((term, URIRef(prop.value), from_oxigraph(quad.object)))
    return out
