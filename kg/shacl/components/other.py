"""Other constraint components (https://www.w3.org/TR/shacl/#core-components-others):
``sh:closed`` (with ``sh:ignoredProperties``), ``sh:hasValue`` and ``sh:in``.

``sh:closed`` gives a result per triple of a value node whose predicate the shape does not
name, that predicate as the result's path; like pySHACL it lets ``rdf:type rdfs:Resource``
pass, which every resource is.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import BNode, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from kg.shacl.components.base import Component, value_test
from kg.shacl.model import Check, Context, Found, Shape
from kg.shacl.shapes import ShapesGraph
from kg.shacl.text import iri

__all__ = ["COMPONENTS"]


def _closed(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check | None:
    if not shapes.flag(shape.node, SH.closed):
        return None
    allowed: list[Node] = []
    for prop in shapes.values(shape.node, SH.property):
        allowed += [p for p in shapes.values(prop, SH.path) if isinstance(p, URIRef)]
    ignored = args.get(SH.ignoredProperties)
    if ignored is not None:
        allowed += shapes.items(ignored)
    listed = sorted({iri(p) for p in allowed if isinstance(p, URIRef)})
    resource = f"({{p}} = <{RDF.type}> && {{o}} = <{RDFS.Resource}>)"

    def find(f: str) -> Found:
        v, p, o = ctx.fresh(), ctx.fresh(), ctx.fresh()
        keep = f" FILTER ({p} NOT IN ({', '.join(listed)}))" if listed else ""
        return Found(
            f"{shape.values(f, v)} {v} {p} {o} .{keep} FILTER (!{resource.format(p=p, o=o)})",
            value=o,
            path=p,
        )

    return Check(SH.ClosedConstraintComponent, find=find)


def _has_value(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check:
    wanted = args[SH.hasValue]
    assert wanted is not None
    written = ctx.constant(wanted)

    def find(f: str) -> Found:
        if shape.path is None:
            return Found(f"FILTER (!sameTerm({f}, {written}))")
        if isinstance(wanted, BNode):
            x = ctx.fresh()
            pattern = f"{f} {shape.path} {x} FILTER (sameTerm({x}, {written}))"
            return Found(f"FILTER ({ctx.absent((f,), pattern)})")
        pattern = f"{f} {shape.path} {written}"
        return Found(f"FILTER ({ctx.absent((f,), pattern, simple=shape.simple)})")

    return Check(SH.HasValueConstraintComponent, find=find)


def _in(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check:
    listed = args[SH["in"]]
    assert listed is not None
    members = [ctx.constant(m) for m in shapes.items(listed)]

    def test(v: str) -> str:
        return (
            "(" + " || ".join(f"sameTerm({v}, {m})" for m in members) + ")" if members else "false"
        )

    return value_test(SH.InConstraintComponent, test)


COMPONENTS = (
    Component(
        SH.ClosedConstraintComponent, (SH.closed,), _closed, optional=(SH.ignoredProperties,)
    ),
    Component(SH.HasValueConstraintComponent, (SH.hasValue,), _has_value),
    Component(SH.InConstraintComponent, (SH["in"],), _in),
)
