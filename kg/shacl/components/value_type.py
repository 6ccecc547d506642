"""Value type constraint components (https://www.w3.org/TR/shacl/#core-components-value-type):
``sh:class``, ``sh:datatype``, ``sh:nodeKind``, each a test of one value node."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import URIRef
from rdflib.namespace import RDFS, SH
from rdflib.term import Node

from kg.shacl.components.base import Component, value_test
from kg.shacl.model import Check, Context, Shape
from kg.shacl.shapes import ShapesGraph, malformed
from kg.shacl.targets import instance_of
from kg.shacl.text import ILL_TYPED_GRAPH, ILL_TYPED_P, ILL_TYPED_S

__all__ = ["COMPONENTS"]

_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}


def _class(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check:
    cls = args[SH["class"]]
    assert cls is not None

    def test(v: str) -> str:
        return f"EXISTS {{ {instance_of(v, cls, ctx.fresh)} }}"

    return value_test(SH.ClassConstraintComponent, test)


def datatype_test(datatype: URIRef, v: str) -> str:
    """True when ``v`` is a literal of ``datatype`` whose lexical form fits it.

    SPARQL's ``datatype()`` cannot tell ``"c"^^xsd:integer`` from ``"1"^^xsd:integer``; the
    runner marks the literals whose form does not fit (the ill-typed graph), as pySHACL judges
    them, and this test looks the value up there.
    """
    if datatype == RDFS.Literal:
        return f"isLiteral({v})"
    ill = f"NOT EXISTS {{ GRAPH <{ILL_TYPED_GRAPH}> {{ <{ILL_TYPED_S}> <{ILL_TYPED_P}> {v} }} }}"
    return f"(isLiteral({v}) && datatype({v}) = <{datatype}> && {ill})"


def _datatype(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check:
    datatype = args[SH.datatype]
    if not isinstance(datatype, URIRef):
        raise malformed(f"the sh:datatype of {shape.node.n3()} is not an IRI")
    return value_test(SH.DatatypeConstraintComponent, lambda v: datatype_test(datatype, v))


def _node_kind(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check:
    kind = args[SH.nodeKind]
    if kind not in _KINDS:
        raise malformed(f"the sh:nodeKind of {shape.node.n3()} is not a node kind of SHACL")
    template = _KINDS[kind]  # type: ignore[index]
    return value_test(SH.NodeKindConstraintComponent, lambda v: template.format(v=v))


COMPONENTS = (
    Component(SH.ClassConstraintComponent, (SH["class"],), _class),
    Component(SH.DatatypeConstraintComponent, (SH.datatype,), _datatype),
    Component(SH.NodeKindConstraintComponent, (SH.nodeKind,), _node_kind),
)
