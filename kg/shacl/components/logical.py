"""Logical constraint components (https://www.w3.org/TR/shacl/#core-components-logical):
``sh:not``, ``sh:and``, ``sh:or`` and ``sh:xone``, each a test of one value node against other
shapes, which the compiler turns into expressions of their own constraints."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.shacl.components.base import Component, value_test
from kg.shacl.model import Check, Context, Shape
from kg.shacl.shapes import ShapesGraph

__all__ = ["COMPONENTS"]


def _not(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check:
    other = args[SH["not"]]
    assert other is not None
    return value_test(SH.NotConstraintComponent, lambda v: f"(!{ctx.conforms(other, v)})")


def _members(
    shapes: ShapesGraph, args: Mapping[URIRef, Node | None], parameter: URIRef
) -> list[Node]:
    listed = args[parameter]
    assert listed is not None
    return shapes.items(listed)


def _and(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check:
    members = _members(shapes, args, SH["and"])

    def test(v: str) -> str:
        parts = [ctx.conforms(m, v) for m in members]
        return "(" + " && ".join(parts) + ")" if parts else "true"

    return value_test(SH.AndConstraintComponent, test)


def _or(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check:
    members = _members(shapes, args, SH["or"])

    def test(v: str) -> str:
        parts = [ctx.conforms(m, v) for m in members]
        return "(" + " || ".join(parts) + ")" if parts else "false"

    return value_test(SH.OrConstraintComponent, test)


def _xone(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check:
    members = _members(shapes, args, SH.xone)

    def test(v: str) -> str:
        counted = [f"IF(COALESCE({ctx.conforms(m, v)}, false), 1, 0)" for m in members]
        return "((" + " + ".join(counted) + ") = 1)" if counted else "false"

    return value_test(SH.XoneConstraintComponent, test)


COMPONENTS = (
    Component(SH.NotConstraintComponent, (SH["not"],), _not),
    Component(SH.AndConstraintComponent, (SH["and"],), _and),
    Component(SH.OrConstraintComponent, (SH["or"],), _or),
    Component(SH.XoneConstraintComponent, (SH.xone,), _xone),
)
