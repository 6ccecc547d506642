"""The focus nodes of a shape (https://www.w3.org/TR/shacl/#targets), as a SPARQL pattern.

``sh:targetNode``, ``sh:targetClass`` (the SHACL instances: ``rdf:type/rdfs:subClassOf*``),
``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, and the implicit class target of a shape that is
a class. Class membership is written as the path :data:`INSTANCE_OF`; the runner lists the
subclasses it reaches before the queries run (one ``VALUES`` join instead of a path walked per
node), which only it can do, since it needs the data.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import BNode, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from kg.shacl.shapes import ShapesGraph
from kg.shacl.text import constant, iri

__all__ = ["INSTANCE_OF", "instance_of", "target_pattern"]

#: ``?x`` INSTANCE_OF ``<C>``: ?x is a SHACL instance of C.
INSTANCE_OF = f"<{RDF.type}>/<{RDFS.subClassOf}>*"


def instance_of(node: str, cls: Node, fresh: Callable[[], str]) -> str:
    """A pattern true when the node in ``node`` is a SHACL instance of ``cls``."""
    if isinstance(cls, BNode):  # no constant for a blank node: compare after the path
        found = fresh()
        return f"{node} {INSTANCE_OF} {found} . FILTER (sameTerm({found}, {constant(cls)}))"
    return f"{node} {INSTANCE_OF} {constant(cls)} ."


def target_pattern(
    shapes: ShapesGraph, shape: Node, var: str, fresh: Callable[[], str]
) -> str | None:
    """A group pattern binding ``var`` to every focus node of ``shape`` (with repeats), or
    None when the shape has no target."""
    branches: list[str] = []
    classes = shapes.values(shape, SH.targetClass)
    if shapes.implicit_class(shape):
        classes.append(shape)
    for cls in classes:
        branches.append(instance_of(var, cls, fresh))
    nodes = shapes.values(shape, SH.targetNode)
    listed = [constant(n) for n in nodes if not isinstance(n, BNode)]
    if listed:
        branches.append(f"VALUES {var} {{ " + " ".join(listed) + " }")
    for node in nodes:
        if isinstance(node, BNode):
            branches.append(f"BIND ({constant(node)} AS {var})")
    for prop in shapes.values(shape, SH.targetSubjectsOf):
        branches.append(f"{var} {_predicate(prop)} [] .")
    for prop in shapes.values(shape, SH.targetObjectsOf):
        branches.append(f"[] {_predicate(prop)} {var} .")
    if not branches:
        return None
    return " UNION ".join("{ " + b + " }" for b in branches)


def _predicate(prop: Node) -> str:
    if not isinstance(prop, URIRef):  # a blank node or a literal is no predicate: no focus node
        return f"<{SH}x-never>"
    return iri(prop)
