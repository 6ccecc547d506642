"""SPARQL-based constraint components (https://www.w3.org/TR/shacl/#sparql-constraint-components):
components a shapes graph defines itself, with parameters and validators.

A shape uses such a component when it has values for all of its mandatory parameters; each
combination of values is a constraint, the values pre-bound to the parameters' variables (the
local names of their paths), an absent optional parameter left unbound. The validator is the
component's ``sh:nodeValidator`` (node shapes) or ``sh:propertyValidator`` (property shapes),
else its ``sh:validator``: an ASK query is asked of each value node (a result when it answers
false), a SELECT query gives a result per solution, as a ``sh:sparql`` constraint does.

Where pySHACL, the reference, departs from the letter (an ASK validator's result on a property
shape has no ``sh:value`` there), the results follow it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from kg.shacl.components.sparql import common_constants, embed_select
from kg.shacl.model import Check, Context, Found, Shape, shape_name
from kg.shacl.shapes import ShapesGraph, malformed
from kg.shacl.user_sparql import PREBOUND, UserQuery, read_query

__all__ = ["CustomComponent", "custom_components"]


@dataclass(frozen=True)
class Parameter:
    """A parameter of a component: its path, the variable it binds, whether it is optional."""

    path: URIRef
    name: str
    optional: bool


@dataclass(frozen=True)
class CustomComponent:
    """A ``sh:ConstraintComponent`` of the shapes graph, read."""

    iri: Node
    parameters: tuple[Parameter, ...]
    node_validator: Node | None
    property_validator: Node | None
    #: The component's own ``sh:nodeValidator`` and ``sh:propertyValidator`` (SELECT only).
    given_node: Node | None = None
    given_property: Node | None = None

    def checks(self, ctx: Context, shapes: ShapesGraph, shape: Shape) -> list[Check]:
        """A check for each combination of the shape's values of the parameters."""
        values: list[list[Node | None]] = []
        for p in self.parameters:
            found: list[Node | None] = list(shapes.values(shape.node, p.path))
            if not found:
                if not p.optional:
                    return []
                found = [None]
            values.append(found)
        validator = self.property_validator if shape.path is not None else self.node_validator
        if validator is None:
            return []
        out = []
        for combination in itertools.product(*values):
            bound = {
                p.name: value
                for p, value in zip(self.parameters, combination, strict=True)
                if value is not None
            }
            out.append(self._check(ctx, shapes, shape, validator, bound))
        return out

    def _check(
        self,
        ctx: Context,
        shapes: ShapesGraph,
        shape: Shape,
        validator: Node,
        bound: dict[str, Node],
    ) -> Check:
        prebound = PREBOUND | {"value"} | {p.name for p in self.parameters}
        written = {name: ctx.constant(value) for name, value in bound.items()}
        iri = self.iri if isinstance(self.iri, URIRef) else SH.ConstraintComponent
        common = {
            "component": iri,
            "messages": shapes.messages(validator),
            "parameters": bound,
            "templated": True,
        }
        ask = shapes.one(validator, SH.ask)
        select = shapes.one(validator, SH.select)
        if validator in (self.given_node, self.given_property) and select is None:
            raise malformed(
                f"the node or property validator of {shape_name(self.iri)} is not a SELECT "
                "validator (sh:select)"
            )
        if ask is not None:
            query = read_query(
                shapes, validator, ask, form="ASK", owner=self.iri, prebound=frozenset(prebound)
            )
            return Check(find=_ask(ctx, shape, query, written), **common)  # type: ignore[arg-type]
        if select is None:
            raise malformed(f"the sh:validator of {shape_name(self.iri)} has no sh:ask")
        query = read_query(
            shapes,
            validator,
            select,
            form="SELECT",
            owner=self.iri,
            prebound=frozenset(prebound),
        )
        return Check(
            find=embed_select(ctx, shape, query, written),
            value_is_focus=shape.path is None,
            **common,  # type: ignore[arg-type]
        )


def _ask(
    ctx: Context, shape: Shape, query: UserQuery, parameters: dict[str, str]
) -> Callable[[str], Found]:
    """The finder of an ASK validator: each value node at which it answers false."""

    def find(f: str) -> Found:
        v = ctx.fresh()
        suffix = ctx.fresh().removeprefix("?")
        constants = {**common_constants(ctx, shape, query), **parameters}
        text = query.rewrite({"this": f, "value": v}, constants, "_" + suffix)
        ctx.need(query.prologue)
        group = query.group(text)
        pattern = ctx.filtered(shape.values(f, v), lambda: ctx.absent((f, v), group))
        if shape.path is None:
            return Found(pattern, value=v)
        return Found(pattern, distinct=(v,))

    return find


def custom_components(shapes: ShapesGraph) -> list[CustomComponent]:
    """Every constraint component the shapes graph declares (an instance of
    ``sh:ConstraintComponent``, or a node with parameters and a validator)."""
    found: list[CustomComponent] = []
    typed = set(_instances(shapes, SH.ConstraintComponent))
    candidates = typed | set(shapes.graph.subjects(SH.parameter, None))
    for node in sorted(candidates, key=lambda n: n.n3()):
        parameters = tuple(_parameter(shapes, node, p) for p in shapes.values(node, SH.parameter))
        if not parameters:
            continue
        validator = shapes.one(node, SH.validator)
        given_node = shapes.one(node, SH.nodeValidator)
        given_property = shapes.one(node, SH.propertyValidator)
        found.append(
            CustomComponent(
                iri=node,
                parameters=parameters,
                node_validator=given_node or validator,
                property_validator=given_property or validator,
                given_node=given_node,
                given_property=given_property,
            )
        )
    return found


def _instances(shapes: ShapesGraph, cls: URIRef) -> list[Node]:
    classes = {cls}
    todo = [cls]
    while todo:
        for sub in shapes.graph.subjects(RDFS.subClassOf, todo.pop()):
            if sub not in classes:
                classes.add(sub)
                todo.append(sub)
    return [s for c in classes for s in shapes.graph.subjects(RDF.type, c)]


def _parameter(shapes: ShapesGraph, component: Node, node: Node) -> Parameter:
    path = shapes.one(node, SH.path)
    if not isinstance(path, URIRef):
        raise malformed(f"a parameter of {shape_name(component)} has no IRI as sh:path")
    name = re.split(r"[#/:]", str(path))[-1]
    if not re.fullmatch(r"\w+", name) or name in PREBOUND | {"value", "PATH", "path"}:
        raise malformed(
            f"the parameter {path.n3()} of {shape_name(component)} cannot name a variable"
        )
    return Parameter(path, name, shapes.one(node, SH.optional) == Literal(True))
