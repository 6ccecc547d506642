"""Value range constraint components (https://www.w3.org/TR/shacl/#core-components-range):
``sh:minExclusive``, ``sh:minInclusive``, ``sh:maxExclusive``, ``sh:maxInclusive``.

SPARQL's comparison operators are the ones SHACL names; a value they cannot compare with the
bound (an IRI, a string against a number) is an error there, and a violation here.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.shacl.components.base import Component, value_test
from kg.shacl.model import Check, Context, Shape
from kg.shacl.shapes import ShapesGraph, malformed
from kg.shacl.text import literal

__all__ = ["COMPONENTS"]

_OPERATORS = {
    SH.minExclusive: (">", SH.MinExclusiveConstraintComponent),
    SH.minInclusive: (">=", SH.MinInclusiveConstraintComponent),
    SH.maxExclusive: ("<", SH.MaxExclusiveConstraintComponent),
    SH.maxInclusive: ("<=", SH.MaxInclusiveConstraintComponent),
}


def _range(parameter: URIRef) -> Component:
    operator, iri = _OPERATORS[parameter]

    def build(
        ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
    ) -> Check:
        bound = args[parameter]
        if not isinstance(bound, Literal):
            raise malformed(f"the {parameter.n3()} of {shape.node.n3()} is not a literal")
        written = literal(bound)
        return value_test(
            iri, lambda v: f"COALESCE(!isBlank({v}) && {v} {operator} {written}, false)"
        )

    return Component(iri, (parameter,), build)


COMPONENTS = tuple(_range(p) for p in _OPERATORS)
