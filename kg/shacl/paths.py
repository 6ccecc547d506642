"""SHACL property paths as SPARQL property paths (https://www.w3.org/TR/shacl/#property-paths).

Every SHACL path has a SPARQL equivalent: a predicate, a sequence ``(a/b)``, alternatives
``(a|b)``, an inverse ``^a``, and ``*``, ``+``, ``?``. A path node that is an RDF list and
something else besides (W3C test ``core/path/path-strange-001``) is read as the list, as pySHACL
reads it; :func:`path_triples` gives the triples of the path as read, so the report shows that
path and not the rest of the node.
"""

from __future__ import annotations

from rdflib import BNode, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.shacl.shapes import ShapesGraph, malformed
from kg.shacl.text import iri

__all__ = ["last_predicates", "path_triples", "sparql_path"]

_SUFFIX = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}
_FORMS = (SH.inversePath, SH.alternativePath, *_SUFFIX)
_DEEPEST = 64


def sparql_path(shapes: ShapesGraph, node: Node, depth: int = 0) -> str:
    """The SPARQL property path of a SHACL path.

    :raises KgShapesError: the node is not a well-formed SHACL path.
    """
    if depth > _DEEPEST:
        raise malformed(f"the path {node.n3()} nests deeper than {_DEEPEST} or loops")
    if isinstance(node, URIRef):
        return iri(node)
    if not isinstance(node, BNode):
        raise malformed(f"{node.n3()} is not a SHACL path")
    if (node, RDF.first, None) in shapes.graph:
        members = [sparql_path(shapes, m, depth + 1) for m in shapes.items(node)]
        if len(members) < 2:
            raise malformed(f"the sequence path {node.n3()} has fewer than two members")
        return "(" + "/".join(members) + ")"
    form, arg = _form(shapes, node)
    if form == SH.inversePath:
        return "^" + sparql_path(shapes, arg, depth + 1)
    if form == SH.alternativePath:
        members = [sparql_path(shapes, m, depth + 1) for m in shapes.items(arg)]
        if len(members) < 2:
            raise malformed(f"the alternative path {node.n3()} has fewer than two members")
        return "(" + "|".join(members) + ")"
    return "(" + sparql_path(shapes, arg, depth + 1) + ")" + _SUFFIX[form]


def _form(shapes: ShapesGraph, node: Node) -> tuple[URIRef, Node]:
    found = [(p, o) for p in _FORMS for o in shapes.graph.objects(node, p)]
    if len(found) != 1:
        raise malformed(f"the path {node.n3()} is not one of SHACL's path forms")
    return found[0]


def last_predicates(shapes: ShapesGraph, node: Node) -> set[str] | None:
    """The predicates whose objects are the literals a path can reach (its last steps; an
    inverse step reaches subjects, never literals), or None when the path may stay at the
    focus node itself (``*``, ``?``), which may be a literal of any triple.

    >>> from rdflib import Graph
    >>> g = Graph().parse(format="turtle", data='''
    ...     @prefix sh: <http://www.w3.org/ns/shacl#> .
    ...     <urn:s> sh:path ( <urn:a>
    ...         [ sh:alternativePath ( <urn:b> [ sh:inversePath <urn:c> ] ) ] ) .
    ... ''')
    >>> sorted(last_predicates(ShapesGraph(g), g.value(URIRef("urn:s"), SH.path)))
    ['urn:b']
    """
    found, empty = _ends(shapes, node, 0)
    return None if empty else found


def _ends(shapes: ShapesGraph, node: Node, depth: int) -> tuple[set[str], bool]:
    """(the predicates of the path's last steps, whether the path may be of length zero)."""
    if depth > _DEEPEST:
        raise malformed(f"the path {node.n3()} nests deeper than {_DEEPEST} or loops")
    if isinstance(node, URIRef):
        return {str(node)}, False
    if (node, RDF.first, None) in shapes.graph:
        found: set[str] = set()
        for member in reversed(shapes.items(node)):
            ends, empty = _ends(shapes, member, depth + 1)
            found |= ends
            if not empty:
                return found, False
        return found, True
    form, arg = _form(shapes, node)
    if form == SH.inversePath:
        return set(), False
    if form == SH.alternativePath:
        found, empty = set(), False
        for member in shapes.items(arg):
            ends, may = _ends(shapes, member, depth + 1)
            found |= ends
            empty = empty or may
        return found, empty
    ends, empty = _ends(shapes, arg, depth + 1)
    return ends, empty or form != SH.oneOrMorePath


def path_triples(shapes: ShapesGraph, node: Node) -> list[tuple[Node, Node, Node]]:
    """The triples that make the path ``node`` as :func:`sparql_path` reads it."""
    out: list[tuple[Node, Node, Node]] = []
    todo = [node]
    seen: set[Node] = set()
    while todo:
        current = todo.pop()
        if not isinstance(current, BNode) or current in seen:
            continue
        seen.add(current)
        if (current, RDF.first, None) in shapes.graph:
            for p in (RDF.first, RDF.rest):
                for o in shapes.graph.objects(current, p):
                    out.append((current, p, o))
                    todo.append(o)
            continue
        for p in _FORMS:
            for o in shapes.graph.objects(current, p):
                out.append((current, p, o))
                todo.append(o)
    return out
