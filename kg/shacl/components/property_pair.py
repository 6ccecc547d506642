"""Property pair constraint components
(https://www.w3.org/TR/shacl/#core-components-property-pairs): ``sh:equals``, ``sh:disjoint``,
``sh:lessThan``, ``sh:lessThanOrEquals``, which compare the value nodes with the values of
another property at the same focus node.

``sh:lessThan`` gives one result per pair that fails, as SHACL says; two IRIs compare as their
text, as pySHACL compares them (SPARQL cannot order IRIs).
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.shacl.components.base import Component
from kg.shacl.model import Check, Context, Found, Shape
from kg.shacl.shapes import ShapesGraph, malformed
from kg.shacl.text import iri

__all__ = ["COMPONENTS", "ordered"]


def _property(shape: Shape, parameter: URIRef, value: Node | None) -> str:
    if not isinstance(value, URIRef):
        raise malformed(f"the {parameter.n3()} of {shape.node.n3()} is not an IRI")
    return iri(value)


def _equals(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check:
    other = _property(shape, SH.equals, args[SH.equals])

    def find(f: str) -> Found:
        v, o, value = ctx.fresh(), ctx.fresh(), ctx.fresh()
        missing = ctx.filtered(
            shape.values(f, v), lambda: ctx.absent((f, v), f"{f} {other} {v}", simple=True)
        )
        if shape.path is None:
            extra = f"FILTER (!sameTerm({o}, {f}))"
        else:
            extra = ctx.filtered(
                "", lambda: ctx.absent((f, o), f"{f} {shape.path} {o}", simple=shape.simple)
            )
        return Found(
            f"{{ {missing} BIND ({v} AS {value}) }} UNION "
            f"{{ {f} {other} {o} {extra} BIND ({o} AS {value}) }}",
            value=value,
            correlated=True,
        )

    return Check(SH.EqualsConstraintComponent, find=find)


def _disjoint(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check:
    other = _property(shape, SH.disjoint, args[SH.disjoint])

    def find(f: str) -> Found:
        v = ctx.fresh()
        shared = ctx.filtered(
            shape.values(f, v), lambda: "!" + ctx.absent((f, v), f"{f} {other} {v}", simple=True)
        )
        return Found(shared, value=v)

    return Check(SH.DisjointConstraintComponent, find=find)


def ordered(a: str, b: str, operator: str) -> str:
    """True when ``a`` comes before ``b`` (``<`` or ``<=``); false when they do not compare."""
    return (
        f"COALESCE(IF(isIRI({a}) && isIRI({b}), STR({a}) {operator} STR({b}), "
        f"{a} {operator} {b}), false)"
    )


def _less(parameter: URIRef, operator: str, component: URIRef) -> Component:
    def build(
        ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
    ) -> Check:
        other = _property(shape, parameter, args[parameter])

        def find(f: str) -> Found:
            v, o = ctx.fresh(), ctx.fresh()
            return Found(
                f"{shape.values(f, v)} {f} {other} {o} . FILTER (!{ordered(v, o, operator)})",
                value=v,
                distinct=(o,),
            )

        return Check(component, find=find)

    return Component(component, (parameter,), build, property_only=True)


COMPONENTS = (
    Component(SH.EqualsConstraintComponent, (SH.equals,), _equals),
    Component(SH.DisjointConstraintComponent, (SH.disjoint,), _disjoint),
    _less(SH.lessThan, "<", SH.LessThanConstraintComponent),
    _less(SH.lessThanOrEquals, "<=", SH.LessThanOrEqualsConstraintComponent),
)
