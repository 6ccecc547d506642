"""Shape-based constraint components (https://www.w3.org/TR/shacl/#core-components-shape):
``sh:node`` and the qualified value shapes (``sh:qualifiedValueShape`` with
``sh:qualifiedMinCount`` / ``sh:qualifiedMaxCount``, ``sh:qualifiedValueShapesDisjoint``).

``sh:property`` is the third: its results are the nested shape's own, with the value nodes as
focus nodes, so the compiler follows it as a route to more focus nodes rather than as a test.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.shacl.components.base import Component
from kg.shacl.components.cardinality import count_values
from kg.shacl.model import Check, Context, Found, Shape
from kg.shacl.shapes import ShapesGraph

__all__ = ["COMPONENTS", "siblings"]


def _node(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check:
    other = args[SH.node]
    assert other is not None
    return Check(
        SH.NodeConstraintComponent, test=lambda v: ctx.conforms(other, v), details=(other,)
    )


def siblings(shapes: ShapesGraph, shape: Node, qualified: Node) -> list[Node]:
    """The sibling shapes of a qualified value shape
    (https://www.w3.org/TR/shacl/#QualifiedValueShapeConstraintComponent): the qualified value
    shapes of the other property shapes of every shape that has this one as ``sh:property``."""
    found: list[Node] = []
    for parent in sorted(shapes.graph.subjects(SH.property, shape), key=lambda n: n.n3()):
        for other in shapes.values(parent, SH.property):
            for value in shapes.values(other, SH.qualifiedValueShape):
                if value != qualified and value not in found:
                    found.append(value)
    return found


def _qualified(count: URIRef, component: URIRef, minimum: bool) -> Component:
    def build(
        ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
    ) -> Check | None:
        qualified = args[SH.qualifiedValueShape]
        assert qualified is not None
        n = shapes.count(shape.node, count)
        assert n is not None
        if minimum and n == 0:
            return None
        others = (
            siblings(shapes, shape.node, qualified)
            if shapes.flag(shape.node, SH.qualifiedValueShapesDisjoint)
            else []
        )

        def conforming(x: str) -> str:
            parts = [ctx.conforms(qualified, x)]
            parts += [f"!{ctx.conforms(o, x)}" for o in others]
            return " && ".join(parts)

        def find(f: str) -> Found:
            x, c = ctx.fresh(), ctx.fresh()
            values = ctx.filtered(shape.values(f, x), lambda: conforming(x))
            if minimum and n == 1:
                return Found(f"FILTER ({ctx.absent((f,), values)})")
            counted = count_values(f, x, c, values)
            broken = f"{c} {'<' if minimum else '>'} {n}"
            return Found(f"{counted} FILTER ({broken})", correlated=True, counted=(counted, broken))

        return Check(component, find=find)

    return Component(
        component,
        (SH.qualifiedValueShape, count),
        build,
        optional=(SH.qualifiedValueShapesDisjoint,),
        property_only=True,
    )


COMPONENTS = (
    Component(SH.NodeConstraintComponent, (SH.node,), _node),
    _qualified(SH.qualifiedMinCount, SH.QualifiedMinCountConstraintComponent, minimum=True),
    _qualified(SH.qualifiedMaxCount, SH.QualifiedMaxCountConstraintComponent, minimum=False),
)
