"""What the compiler makes: the parts of a compiled constraint, and the one refusal.

A constraint component (https://www.w3.org/TR/shacl/#constraint-components) compiles to a
:class:`Check`, in one of two forms:

* a *test* of one value node, a SPARQL expression true when the node passes (``sh:datatype``,
  ``sh:class``, ``sh:node`` ...): the compiler reads the value nodes itself, so a test serves a
  node shape, a property shape and a shape nested in ``sh:or`` alike;
* a *finder* of violations at one focus node, a group pattern with one solution per result
  (:class:`Found`: ``sh:minCount``, ``sh:equals``, ``sh:closed``, SPARQL-based constraints ...).

The compiler (:mod:`kg.shacl.compiler`) joins either form to the focus nodes of a shape into
one query that returns every result of the constraint in the graph (a
:class:`CompiledConstraint`), or negates it inside ``NOT EXISTS`` where another shape asks
whether a node conforms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.errors import KgShapesError

__all__ = [
    "Check",
    "CompiledConstraint",
    "Context",
    "Found",
    "Shape",
    "Unsupported",
]


class Unsupported(KgShapesError):
    """A shape uses what the SPARQL engine cannot compile (a recursive shape, a SHACL
    Advanced Features term); ``engine="auto"`` then validates with pySHACL and says why.

    :param shape: the shape at fault.
    :param feature: what it uses.
    :param detail: where and why, in a few words; "used by" the shape when omitted.
    """

    def __init__(self, shape: Node, feature: str, detail: str | None = None) -> None:
        self.shape = shape
        self.feature = feature
        self.detail = detail if detail is not None else f"used by {shape_name(shape)}"
        super().__init__(
            f"the SPARQL validator does not implement {feature} ({self.detail}); "
            "validate with --engine pyshacl"
        )


def shape_name(shape: Node) -> str:
    """A shape as messages name it: its IRI, or "an anonymous shape"."""
    return "an anonymous shape" if isinstance(shape, BNode) else shape.n3()


@dataclass(frozen=True)
class Shape:
    """A shape as the compiler reads it: the node, and its path when it is a property shape.

    :param node: the shape's IRI or blank node in the shapes graph.
    :param path_node: the value of ``sh:path`` (None for a node shape).
    :param path: that path as a SPARQL property path.
    """

    node: Node
    path_node: Node | None = None
    path: str | None = None

    @property
    def is_property(self) -> bool:
        return self.path is not None

    def values(self, focus: str, value: str) -> str:
        """A pattern binding ``value`` to each value node of the focus node in ``focus``."""
        if self.path is None:
            return f"BIND ({focus} AS {value})"
        return f"{focus} {self.path} {value} ."

    @property
    def simple(self) -> bool:
        """The path is one predicate: a value is one triple away."""
        return isinstance(self.path_node, URIRef)


@dataclass(frozen=True)
class Found:
    """Violations at one focus node: a group pattern with one solution per result.

    :param pattern: the pattern, evaluated with the focus variable already bound.
    :param value: the variable holding ``sh:value``, if the result has one.
    :param path: the variable holding ``sh:resultPath`` when it varies (``sh:closed``).
    :param extras: (name, variable) of further variables a message may name (``{?lang}``).
    :param distinct: variables that tell two results with the same value apart (the other
        value of a ``sh:lessThan`` pair).
    :param correlated: the pattern reads the focus variable inside a subquery or aggregate, so
        it must be evaluated once per focus node (``LATERAL``), never joined after the fact.
    :param inject: for a query that may run as one join: the focus nodes' pattern -> the
        query with that pattern first in its WHERE group (a subquery).
    :param counted: for a count (``pattern`` is then this subquery and a FILTER of this
        condition): the subquery binding the count at the focus node, and the condition true
        when the count breaks the constraint; a nested shape tests the count directly.
    """

    pattern: str
    value: str | None = None
    path: str | None = None
    extras: tuple[tuple[str, str], ...] = ()
    distinct: tuple[str, ...] = ()
    correlated: bool = False
    inject: Callable[[str], str] | None = None
    counted: tuple[str, str] | None = None


@dataclass(frozen=True)
class Check:
    """One constraint of one shape, compiled: a test of a value node, or a finder.

    :param component: the constraint component (``sh:sourceConstraintComponent``).
    :param test: value-node variable -> SPARQL expression true when the node passes.
    :param find: focus-node variable -> the violations there.
    :param source_constraint: ``sh:sourceConstraint`` (the ``sh:sparql`` node), if any.
    :param messages: the messages when the shape gives none (a validator's ``sh:message``).
    :param parameters: parameter values a message may name (``{$lang}``).
    :param value_is_focus: a result without a value takes the focus node (SPARQL-based
        constraints of node shapes).
    :param templated: the messages are templates (``{?var}``, ``{$var}``), filled per result.
    :param details: shapes whose results explain a result (``sh:node``, for ``sh:detail``).
    """

    component: URIRef
    test: Callable[[str], str] | None = None
    find: Callable[[str], Found] | None = None
    source_constraint: Node | None = None
    messages: tuple[Literal, ...] = ()
    parameters: Mapping[str, Node] = field(default_factory=dict)
    value_is_focus: bool = False
    templated: bool = False
    details: tuple[Node, ...] = ()


class Context(Protocol):
    """What a component's compiler may ask of the shapes compiler."""

    def fresh(self) -> str:
        """A new SPARQL variable, unused elsewhere in the query."""
        ...

    def constant(self, term: Node) -> str:
        """A constant of the shapes graph, written as a SPARQL expression."""
        ...

    def conforms(self, shape: Node, focus: str) -> str:
        """An expression true when the node in ``focus`` conforms to ``shape``; what it needs
        evaluated first goes to the group being written (see :meth:`filtered`)."""
        ...

    def absent(self, bound: tuple[str, ...], pattern: str, *, simple: bool = False) -> str:
        """An expression true when ``pattern`` has no solution for the ``bound`` variables.

        Oxigraph evaluates ``NOT EXISTS`` over a join without the outer bindings (a hash join,
        the inner side read whole for every row), so only a ``simple`` pattern (one triple
        pattern) is written so; any other is counted in a ``LATERAL`` subquery placed before the
        filter, which Oxigraph evaluates with the variables bound.
        """
        ...

    def filtered(self, pattern: str, condition: Callable[[], str]) -> str:
        """``pattern``, then what the condition needs evaluated first, then the FILTER."""
        ...

    def need(self, prologue: tuple[str, ...]) -> None:
        """Declare prefixes the query being written must carry."""
        ...


@dataclass(frozen=True)
class CompiledConstraint:
    """One constraint of one shape, as a SPARQL query that returns all of its results.

    The query binds ``?this``, and ``?value`` and ``?path`` where results carry them. A query
    over nested property shapes (``sh:property`` of a property shape) also binds the focus
    nodes it came through, so that a value reached twice gives two results, as SHACL's
    recursive definition does.
    """

    shape: Node
    component: URIRef
    severity: URIRef
    path: Node | None
    messages: tuple[Literal, ...]
    query: str
    source_constraint: Node | None = None
    value_is_focus: bool = False
    #: (name, column): the query's columns substituted into ``{?name}`` templates of messages.
    message_vars: tuple[tuple[str, str], ...] = ()
    #: Constants substituted into ``{$var}`` templates (SPARQL-based components' parameters).
    parameters: Mapping[str, Node] = field(default_factory=dict)
    templated: bool = False
    #: The same query read the other way round, for a constraint on one predicate: from the
    #: predicate's triples, each subject then checked to be a focus node. The runner takes it
    #: when the predicate has fewer triples than the shape has focus nodes.
    inverted: str | None = None
    #: The predicate the inverted query reads.
    driver: str | None = None
    #: The focus nodes' group pattern, counted to choose between the two queries.
    focus: str | None = None
    #: Shapes whose results explain each result (``sh:detail``), and the query that finds them.
    details: tuple[CompiledConstraint, ...] = ()
    #: The query uses the custom functions of :mod:`kg.shacl.functions`.
    functions: bool = False
    #: The constraints of one node shape and its property shapes share a group: the runner
    #: may run them as one query, visiting each focus node once (``LATERAL``) and trying each
    #: constraint's ``branch`` there, a ``UNION`` tagged by constraint. ``route`` is the focus
    #: nodes' pattern, the same for the whole group; ``branch`` binds ``?value`` and ``?path``,
    #: and ``columns`` are the further variables its results need.
    group: int | None = None
    route: str | None = None
    branch: str | None = None
    columns: tuple[str, ...] = ()
    #: The variables of the focus nodes the route passed on the way (``sh:property`` of a
    #: property shape), projected before ``?this``.
    chain: tuple[str, ...] = ()
    #: The PREFIX lines of the query (a group merges its members').
    prologue: tuple[str, ...] = ()
    #: The predicates whose objects any ``sh:datatype`` of the shapes graph tests, or None when
    #: one tests other nodes too (a node shape, a path of several steps): where the runner
    #: looks for ill-typed literals. The same for every constraint of one compilation.
    literal_predicates: frozenset[str] | None = None
