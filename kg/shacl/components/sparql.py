"""SPARQL-based constraints (https://www.w3.org/TR/shacl/#sparql-constraints): ``sh:sparql``
with a ``sh:select`` query whose every solution is a result.

The query runs once per focus node with ``$this`` pre-bound (the compiler puts it in a
``LATERAL`` group after the focus nodes, or in ``NOT EXISTS`` where a shape is nested), with
``$PATH`` the property shape's path, ``$currentShape`` the shape and ``$shapesGraph`` the
shapes graph, which the runner loads into the store under :data:`SHAPES_GRAPH` when a query
names it.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib.namespace import SH

from kg.shacl.model import Check, Context, Found, Shape, shape_name
from kg.shacl.shapes import ShapesGraph, malformed
from kg.shacl.text import SHAPES_GRAPH
from kg.shacl.user_sparql import UserQuery, read_query

__all__ = ["embed_select", "sparql_constraints"]


def sparql_constraints(ctx: Context, shapes: ShapesGraph, shape: Shape) -> list[Check]:
    """A check for each active ``sh:sparql`` constraint of the shape."""
    out: list[Check] = []
    for constraint in shapes.values(shape.node, SH.sparql):
        if shapes.is_deactivated(constraint):
            continue
        query = read_query(
            shapes, constraint, shapes.one(constraint, SH.select), form="SELECT", owner=shape.node
        )
        messages = shapes.messages(constraint)
        out.append(
            Check(
                SH.SPARQLConstraintComponent,
                find=embed_select(ctx, shape, query, {}),
                source_constraint=constraint,
                messages=messages,
                value_is_focus=shape.path is None,
                templated=True,
            )
        )
    return out


def common_constants(ctx: Context, shape: Shape, query: UserQuery) -> dict[str, str]:
    """``$currentShape``, ``$shapesGraph`` and ``$PATH`` as the query's text may name them."""
    constants = {"currentShape": ctx.constant(shape.node), "shapesGraph": f"<{SHAPES_GRAPH}>"}
    if shape.path is not None:
        constants["PATH"] = shape.path
    elif "PATH" in query.names():
        raise malformed(f"the SPARQL query of {shape_name(shape.node)} uses $PATH without a path")
    return constants


def embed_select(
    ctx: Context, shape: Shape, query: UserQuery, parameters: dict[str, str]
) -> Callable[[str], Found]:
    """The finder of a SELECT query: its solutions at the focus node, as results."""

    def find(f: str) -> Found:
        suffix = ctx.fresh().removeprefix("?")
        constants = {**common_constants(ctx, shape, query), **parameters}
        text = query.rewrite({"this": f}, constants, "_" + suffix)
        projected = query.projected if query.projected is not None else tuple(query.names())
        column = {n: f"?{n}_{suffix}" for n in projected if n != "this" and n not in constants}
        ctx.need(query.prologue)
        joinable = query.joinable

        def inject(focus: str) -> str:
            return "{ " + query.inject(text, focus) + " }"

        return Found(
            "{ " + text + " }",
            inject=inject if joinable else None,
            value=column.get("value"),
            path=column.get("path"),
            extras=tuple((n, v) for n, v in column.items() if n not in ("value", "path")),
            correlated=True,
        )

    return find
