"""Cardinality constraint components (https://www.w3.org/TR/shacl/#core-components-count):
``sh:minCount`` and ``sh:maxCount``, which count the value nodes of a property shape.

A count of one is an existence test; other counts group the values of the one focus node the
pattern is evaluated at (a correlated subquery), so that a focus node without values counts 0.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.shacl.components.base import Component
from kg.shacl.model import Check, Context, Found, Shape
from kg.shacl.shapes import ShapesGraph

__all__ = ["COMPONENTS", "count_values"]


def count_values(focus: str, value: str, counted: str, pattern: str) -> str:
    """A subquery binding ``counted`` to the number of distinct bindings of ``value`` that
    ``pattern`` gives at the focus node: 0 when it gives none.

    The focus node must be bound when it is evaluated (``LATERAL`` or ``EXISTS``): the
    ``OPTIONAL`` then keeps it in one group of its own even without values.
    """
    return (
        f"{{ SELECT {focus} (COUNT(DISTINCT {value}) AS {counted}) "
        f"WHERE {{ OPTIONAL {{ {pattern} }} }} GROUP BY {focus} }}"
    )


def _min_count(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check | None:
    n = shapes.count(shape.node, SH.minCount)
    assert n is not None and shape.path is not None
    if n == 0:
        return None

    def find(f: str) -> Found:
        x = ctx.fresh()
        if n == 1:
            return Found(
                f"FILTER ({ctx.absent((f,), f'{f} {shape.path} {x}', simple=shape.simple)})"
            )
        c = ctx.fresh()
        counted = count_values(f, x, c, f"{f} {shape.path} {x}")
        return Found(
            f"{counted} FILTER ({c} < {n})", correlated=True, counted=(counted, f"{c} < {n}")
        )

    return Check(SH.MinCountConstraintComponent, find=find)


def _max_count(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check:
    n = shapes.count(shape.node, SH.maxCount)
    assert n is not None and shape.path is not None

    def find(f: str) -> Found:
        x = ctx.fresh()
        if n == 0:
            return Found(
                f"FILTER (!{ctx.absent((f,), f'{f} {shape.path} {x}', simple=shape.simple)})"
            )
        c = ctx.fresh()
        counted = count_values(f, x, c, f"{f} {shape.path} {x}")
        return Found(
            f"{counted} FILTER ({c} > {n})", correlated=True, counted=(counted, f"{c} > {n}")
        )

    return Check(SH.MaxCountConstraintComponent, find=find)


COMPONENTS = (
    Component(SH.MinCountConstraintComponent, (SH.minCount,), _min_count, property_only=True),
    Component(SH.MaxCountConstraintComponent, (SH.maxCount,), _max_count, property_only=True),
)
