"""The constraint components, one module per section of the SHACL specification.

=========================  ==============================================================
module                     components
=========================  ==============================================================
``value_type``             4.1 ``sh:class``, ``sh:datatype``, ``sh:nodeKind``
``cardinality``            4.2 ``sh:minCount``, ``sh:maxCount``
``value_range``            4.3 ``sh:minExclusive`` ... ``sh:maxInclusive``
``string_based``           4.4 ``sh:minLength``, ``sh:maxLength``, ``sh:pattern``,
                           ``sh:languageIn``, ``sh:uniqueLang``
``property_pair``          4.5 ``sh:equals``, ``sh:disjoint``, ``sh:lessThan``,
                           ``sh:lessThanOrEquals``
``logical``                4.6 ``sh:not``, ``sh:and``, ``sh:or``, ``sh:xone``
``shape_based``            4.7 ``sh:node``, ``sh:qualifiedValueShape`` (``sh:property`` is
                           the compiler's: a route to more focus nodes)
``other``                  4.8 ``sh:closed``, ``sh:hasValue``, ``sh:in``
``sparql``                 5 ``sh:sparql`` (SPARQL-based constraints)
``custom``                 6 ``sh:ConstraintComponent`` (SPARQL-based constraint components)
=========================  ==============================================================

A new core component is a :class:`~kg.shacl.components.base.Component` in its section's module,
listed in that module's ``COMPONENTS``.
"""

from __future__ import annotations

from kg.shacl.components import (
    cardinality,
    logical,
    other,
    property_pair,
    shape_based,
    string_based,
    value_range,
    value_type,
)
from kg.shacl.components.base import Component

__all__ = ["CORE", "PARAMETERS"]

#: Every constraint component of SHACL Core, in the order of the specification.
CORE: tuple[Component, ...] = (
    *value_type.COMPONENTS,
    *cardinality.COMPONENTS,
    *value_range.COMPONENTS,
    *string_based.COMPONENTS,
    *property_pair.COMPONENTS,
    *logical.COMPONENTS,
    *shape_based.COMPONENTS,
    *other.COMPONENTS,
)

#: Every parameter of SHACL Core's components.
PARAMETERS = frozenset(p for c in CORE for p in (*c.parameters, *c.optional))
