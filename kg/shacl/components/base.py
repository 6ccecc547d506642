"""What a constraint component declares: its IRI, its parameters, and how it compiles.

SHACL defines a constraint component by its parameters
(https://www.w3.org/TR/shacl/#constraint-components-parameters): a shape uses the component
when it has a value for each mandatory parameter, and makes one constraint of each combination
of values. :class:`Component` is that declaration; the compiler does the matching.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.term import Node

from kg.shacl.model import Check, Context, Shape
from kg.shacl.shapes import ShapesGraph

__all__ = ["Build", "Component", "value_test"]

#: A component's compiler: the context, the shapes graph, the shape, the parameter values.
Build = Callable[[Context, ShapesGraph, Shape, Mapping[URIRef, Node | None]], Check | None]


@dataclass(frozen=True)
class Component:
    """A constraint component of SHACL Core (section 4).

    :param iri: the component (``sh:DatatypeConstraintComponent``).
    :param parameters: its mandatory parameters.
    :param build: its compiler; None from it means the constraint can never be violated.
    :param optional: its optional parameters (``sh:flags``).
    :param property_only: a node shape may not use it (``sh:minCount``): ill-formed if it does.
    """

    iri: URIRef
    parameters: tuple[URIRef, ...]
    build: Build
    optional: tuple[URIRef, ...] = ()
    property_only: bool = False


def value_test(component: URIRef, test: Callable[[str], str]) -> Check:
    """A check that tests each value node on its own."""
    return Check(component=component, test=test)
