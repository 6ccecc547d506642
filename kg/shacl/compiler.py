"""A shapes graph compiled into SPARQL queries, one per constraint of each shape reached.

The compiler walks the shapes that have targets and, through ``sh:property``, the shapes they
hold; every constraint component a shape uses becomes a :class:`~kg.shacl.model.Check`
(:mod:`kg.shacl.components`), and every check becomes one query that returns all of its results
over the whole graph at once: the focus nodes first, then the check's pattern. A shape that
another shape only asks about (``sh:node``, ``sh:not``, ``sh:or``, a qualified value shape)
becomes an expression, each of its checks negated in ``NOT EXISTS``, written where it is asked.

Focus nodes reached through ``sh:property`` of a property shape are the value nodes of that
shape; their queries keep the earlier focus nodes as columns, so that a node reached twice gives
its results twice, as SHACL's definition does (W3C test ``core/validation-reports/shared``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace

from rdflib import Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.shacl.components import CORE, PARAMETERS
from kg.shacl.components.custom import CustomComponent, custom_components
from kg.shacl.components.sparql import sparql_constraints
from kg.shacl.model import Check, CompiledConstraint, Found, Shape, Unsupported, shape_name
from kg.shacl.paths import last_predicates, sparql_path
from kg.shacl.shapes import SINGLE, TARGETS, ShapesGraph, malformed
from kg.shacl.targets import target_pattern
from kg.shacl.text import BNODE_FUNCTION, DETAIL_PARENT, DETAIL_ROUTE, REGEX_FUNCTION, constant

__all__ = ["compile_shapes"]

#: What a shape may carry besides constraint parameters: SHACL's own terms that constrain
#: nothing, or that the compiler reads itself.
_NON_VALIDATING = frozenset(
    {
        *TARGETS,
        SH.path,
        SH.property,
        SH.sparql,
        SH.deactivated,
        SH.severity,
        SH.message,
        SH.name,
        SH.description,
        SH.order,
        SH.group,
        SH.defaultValue,
        SH.declare,
        SH.prefixes,
        SH.shapesGraph,
        SH.entailment,
        SH.suggestedShapesGraph,
        SH.parameter,
        SH.labelTemplate,
        SH.validator,
        SH.nodeValidator,
        SH.propertyValidator,
        SH.optional,
        SH.select,
        SH.ask,
    }
)
_ADVANCED = {
    SH.rule: "sh:rule",
    SH.target: "sh:target",
    URIRef(f"{SH}values"): "sh:values",
    SH.expression: "sh:expression",
    SH.condition: "sh:condition",
}


def compile_shapes(shapes: Graph) -> list[CompiledConstraint]:
    """Compile a SHACL shapes graph into SPARQL queries, one per constraint of each shape.

    :param shapes: the shapes graph.
    :returns: the constraints, each with the query that finds all of its results.
    :raises KgShapesError: the shapes graph is malformed (a bad count, a path that is no path,
        SPARQL that does not parse or breaks a rule of pre-binding).
    :raises Unsupported: a shape is recursive, or uses SHACL Advanced Features.

    >>> shapes = Graph().parse(format="turtle", data='''
    ...     @prefix sh: <http://www.w3.org/ns/shacl#> .
    ...     <urn:S> sh:targetNode <urn:a> ; sh:path <urn:p> ; sh:minCount 1 ; sh:datatype <urn:t> .
    ... ''')
    >>> sorted(c.component.removeprefix(str(SH)) for c in compile_shapes(shapes))
    ['DatatypeConstraintComponent', 'MinCountConstraintComponent']
    """
    return _Compiler(ShapesGraph(shapes)).compile()


@dataclass(frozen=True)
class _Route:
    """How the focus nodes of a shape are reached.

    :param pattern: variable -> a group pattern binding it to each focus node.
    :param chain: the variables of the focus nodes passed on the way (kept in DISTINCT).
    :param union: the targets' own pattern of ``?this`` (top-level routes only), which the
        runner counts and the inverted queries test.
    """

    pattern: Callable[[str], str]
    chain: tuple[str, ...] = ()
    union: str | None = None
    group: int | None = None


class _Compiler:
    """Compiles one shapes graph; also the :class:`~kg.shacl.model.Context` of components."""

    def __init__(self, shapes: ShapesGraph) -> None:
        self.shapes = shapes
        self.custom: list[CustomComponent] = custom_components(shapes)
        self.custom_parameters = {p.path for c in self.custom for p in c.parameters}
        self._fresh = itertools.count()
        self._shapes: dict[Node, Shape] = {}
        self._checks: dict[Node, list[Check]] = {}
        self._prologue: dict[str, str] = {}
        self._out: list[CompiledConstraint] = []
        #: What the group being written must evaluate before its FILTER (LATERAL counts).
        self._preludes: list[list[str]] = [[]]
        self._groups = itertools.count()
        self._routes: dict[int, str] = {}
        #: The predicates whose objects sh:datatype tests; None once it tests other nodes.
        self._literal_predicates: set[str] | None = set()

    # ── the context components compile in ───────────────────────────────────────────────────
    def fresh(self) -> str:
        return f"?__v{next(self._fresh)}"

    def constant(self, term: Node) -> str:
        return constant(term)

    def need(self, prologue: tuple[str, ...]) -> None:
        for line in prologue:
            prefix, _, namespace = line.removeprefix("PREFIX ").partition(" ")
            known = self._prologue.setdefault(prefix, namespace)
            if known != namespace:
                raise Unsupported(
                    URIRef(namespace.strip("<>")),
                    f"two SPARQL queries in one constraint that bind {prefix} to different "
                    "namespaces",
                )

    def absent(self, bound: tuple[str, ...], pattern: str, *, simple: bool = False) -> str:
        if simple:
            return f"NOT EXISTS {{ {pattern} }}"
        n, w = self.fresh(), self.fresh()
        keys = " ".join(bound)
        self._preludes[-1].append(
            f"LATERAL {{ SELECT {keys} (COUNT({w}) AS {n}) WHERE {{ OPTIONAL {{ {pattern} "
            f"BIND (1 AS {w}) }} }} GROUP BY {keys} }}"
        )
        return f"({n} = 0)"

    def filtered(self, pattern: str, condition: Callable[[], str]) -> str:
        self._preludes.append([])
        try:
            expression = condition()
        finally:
            preludes = self._preludes.pop()
        return " ".join([pattern, *preludes, f"FILTER ({expression})"])

    def _found(self, check: Check, focus: str) -> tuple[Found, list[str]]:
        """A check's finder at ``focus``, and what it left to evaluate before its pattern."""
        assert check.find is not None
        self._preludes.append([])
        try:
            found = check.find(focus)
        finally:
            preludes = self._preludes.pop()
        return found, preludes

    def conforms(self, shape: Node, focus: str) -> str:
        """An expression true when the node in ``focus`` conforms to ``shape``."""
        if self.shapes.is_deactivated(shape):
            return "true"
        s = self.shape(shape)
        parts: list[str] = []
        checks = self.checks(shape)
        nested = self._properties(shape)
        tested = [c for c in checks if c.test is not None]
        if s.is_property and (tested or nested):
            x = self.fresh()

            def fails() -> str:
                passes = [c.test(x) for c in tested if c.test is not None]
                passes += [self.conforms(p, x) for p in nested]
                return "!(" + " && ".join(passes) + ")"

            values = f"{focus} {s.path} {x} ."
            self._preludes.append([])
            condition = fails()
            inner = self._preludes.pop()
            pattern = " ".join([values, *inner, f"FILTER ({condition})"])
            parts.append(self.absent((focus,), pattern, simple=s.simple and not inner))
        elif not s.is_property:
            parts += [c.test(focus) for c in tested if c.test is not None]
            parts += [self.conforms(p, focus) for p in nested]
        for check in checks:
            if check.test is None:
                found, preludes = self._found(check, focus)
                if found.counted is not None:  # the count itself, no count of its violations
                    subquery, broken = found.counted
                    self._preludes[-1].extend([*preludes, f"LATERAL {{ {subquery} }}"])
                    parts.append(f"!({broken})")
                    continue
                parts.append(self.absent((focus,), " ".join([*preludes, found.pattern])))
        return "(" + " && ".join(parts) + ")" if parts else "true"

    # ── shapes and their checks ─────────────────────────────────────────────────────────────
    def shape(self, node: Node) -> Shape:
        found = self._shapes.get(node)
        if found is None:
            path_node = self.shapes.one(node, SH.path)
            path = sparql_path(self.shapes, path_node) if path_node is not None else None
            found = self._shapes[node] = Shape(node, path_node, path)
        return found

    def checks(self, node: Node) -> list[Check]:
        """The checks of every constraint the shape declares (compiled once a shape)."""
        found = self._checks.get(node)
        if found is None:
            found = self._checks[node] = self._compile_checks(node)
        return found

    def _compile_checks(self, node: Node) -> list[Check]:
        self._refuse_unknown(node)
        shape = self.shape(node)
        out: list[Check] = []
        for component in CORE:
            values = [self.shapes.values(node, p) for p in component.parameters]
            if not all(values):
                continue
            if component.property_only and not shape.is_property:
                raise malformed(
                    f"{shape_name(node)} is a node shape and cannot have "
                    f"{_short(component.parameters[-1])}"
                )
            for p, found in zip(component.parameters, values, strict=True):
                if p in SINGLE and len(found) > 1:
                    raise malformed(f"{shape_name(node)} has {len(found)} values of {_short(p)}")
            optional = {p: self.shapes.one(node, p) for p in component.optional}
            for combination in itertools.product(*values):
                args = {**dict(zip(component.parameters, combination, strict=True)), **optional}
                check = component.build(self, self.shapes, shape, args)
                if check is not None:
                    out.append(check)
        if self._literal_predicates is not None and any(
            c.component == SH.DatatypeConstraintComponent for c in out
        ):
            ends = None
            if shape.path_node is not None:
                ends = last_predicates(self.shapes, shape.path_node)
            if ends is None:  # a node shape, a path that may stay where it is
                self._literal_predicates = None
            else:
                self._literal_predicates |= ends
        out += sparql_constraints(self, self.shapes, shape)
        for custom in self.custom:
            out += custom.checks(self, self.shapes, shape)
        return out

    def _refuse_unknown(self, node: Node) -> None:
        for p in sorted(set(self.shapes.graph.predicates(node, None))):
            if p in _ADVANCED:
                raise Unsupported(node, f"{_ADVANCED[p]} (SHACL Advanced Features)")
            if (
                isinstance(p, URIRef)
                and str(p).startswith(str(SH))
                and p not in PARAMETERS
                and p not in _NON_VALIDATING
                and p not in self.custom_parameters
            ):
                raise Unsupported(node, f"the parameter {_short(p)}, which SHACL does not define")

    # ── the queries ─────────────────────────────────────────────────────────────────────────
    def compile(self) -> list[CompiledConstraint]:
        roots = self.shapes.with_targets()
        self.shapes.refuse_recursion(roots)
        for root in roots:
            union = target_pattern(self.shapes, root, "?this", self.fresh)
            assert union is not None

            def pattern(var: str, root: Node = root) -> str:
                found = target_pattern(self.shapes, root, var, self.fresh)
                return f"{{ SELECT DISTINCT {var} WHERE {{ {found} }} }}"

            self._emit(root, _Route(pattern, union=union, group=next(self._groups)))
        found = self._literal_predicates
        sources = frozenset(found) if found is not None else None
        return [_with_sources(c, sources) for c in self._out]

    def _emit(self, node: Node, route: _Route) -> None:
        if self.shapes.is_deactivated(node):
            return
        shape = self.shape(node)
        for check in self.checks(node):
            self._out.append(self._query(shape, check, route))
        for nested in self._properties(node):
            if not shape.is_property:
                self._emit(nested, route)
                continue
            before = self.fresh()

            def pattern(var: str, before: str = before, outer: _Route = route) -> str:
                return f"{outer.pattern(before)} {before} {shape.path} {var} ."

            self._emit(nested, _Route(pattern, (*route.chain, before), group=next(self._groups)))

    def _properties(self, node: Node) -> list[Node]:
        """The property shapes of ``sh:property`` (each must have a path)."""
        found = self.shapes.values(node, SH.property)
        for p in found:
            if self.shapes.one(p, SH.path) is None:
                raise malformed(
                    f"{shape_name(p)}, a sh:property of {shape_name(node)}, has no sh:path"
                )
        return found

    def _route(self, route: _Route) -> str:
        """The focus nodes' pattern of ``?this``, written once a group: its key there."""
        if route.group is None:
            return route.pattern("?this")
        found = self._routes.get(route.group)
        if found is None:
            found = self._routes[route.group] = route.pattern("?this")
        return found

    def _query(self, shape: Shape, check: Check, route: _Route) -> CompiledConstraint:
        self._prologue = {}
        chain = " ".join(route.chain)
        inverted = driver = focus = None
        found: Found | None = None
        foci = self._route(route)
        columns: list[str] = []
        if check.test is not None:
            test = check.test
            head = f"SELECT DISTINCT {chain} ?this ?value"
            if shape.is_property:
                fails = self.filtered(
                    f"?this {shape.path} ?value .", lambda: f"!({test('?value')})"
                )
                where = f"{foci} {fails}"
                branch: str | None = fails
                if shape.simple and route.union is not None:
                    driver = str(shape.path_node)
                    focus = "{ " + route.union + " }"
                    inverted = (
                        f"SELECT DISTINCT ?this ?value WHERE {{ {fails} FILTER EXISTS {focus} }}"
                    )
            else:
                head = f"SELECT DISTINCT {chain} ?this (?this AS ?value)"
                fails = self.filtered("", lambda: f"!({test('?this')})")
                where = f"{foci} {fails}"
                branch = f"{fails} BIND (?this AS ?value)"
        else:
            found, preludes = self._found(check, "?this")
            columns = [*dict.fromkeys([*found.distinct, *(v for _n, v in found.extras)])]
            projected = [*route.chain, "?this", *found.distinct]
            binds = []
            if found.value is not None:
                projected.append(f"({found.value} AS ?value)")
                binds.append(f"BIND ({found.value} AS ?value)")
            if found.path is not None:
                projected.append(f"({found.path} AS ?path)")
                binds.append(f"BIND ({found.path} AS ?path)")
            projected += [v for _n, v in found.extras]
            head = "SELECT DISTINCT " + " ".join(dict.fromkeys(projected))
            pattern = " ".join([*preludes, found.pattern])
            branch = " ".join([pattern, *binds])
            if found.inject is not None and not route.chain and not preludes:
                where = found.inject(foci)
                branch = None  # one join over all focus nodes, planned once: faster alone
            else:
                if found.correlated:
                    pattern = f"LATERAL {{ {pattern} }}"
                where = f"{foci} {pattern}"
        lines = tuple(f"PREFIX {p} {ns}" for p, ns in sorted(self._prologue.items()))
        prologue = "".join(line + "\n" for line in lines)
        query = f"{prologue}{head} WHERE {{ {where} }}"
        if DETAIL_PARENT in route.chain:
            branch = None  # run over the failed values only, by the runner
        details = self._details(check) if check.details else ()
        messages = self.shapes.messages(shape.node)
        messages += tuple(m for m in check.messages if m not in messages)
        return CompiledConstraint(
            shape=shape.node,
            component=check.component,
            severity=self.shapes.severity(shape.node),
            path=shape.path_node,
            messages=messages,
            query=query,
            source_constraint=check.source_constraint,
            value_is_focus=check.value_is_focus,
            message_vars=tuple(found.extras) if found is not None else (),
            parameters=dict(check.parameters),
            templated=check.templated,
            inverted=inverted,
            driver=driver,
            focus=focus,
            functions=BNODE_FUNCTION in query or REGEX_FUNCTION in query,
            details=details,
            group=route.group,
            route=foci,
            branch=branch,
            columns=tuple(columns),
            chain=route.chain,
            prologue=lines,
        )

    def _details(self, check: Check) -> tuple[CompiledConstraint, ...]:
        """The constraints of the shapes that explain a result of ``check`` (``sh:detail``),
        over the values that failed it, which the runner writes in at ``DETAIL_ROUTE``."""
        saved = self._out, self._prologue
        out: list[CompiledConstraint] = []
        try:
            for shape in check.details:
                self._out = []
                self._emit(shape, _Route(lambda var: f"{DETAIL_ROUTE}({var})", (DETAIL_PARENT,)))
                out += self._out
        finally:
            self._out, self._prologue = saved
        return tuple(out)


def _with_sources(c: CompiledConstraint, sources: frozenset[str] | None) -> CompiledConstraint:
    details = tuple(_with_sources(d, sources) for d in c.details)
    return replace(c, literal_predicates=sources, details=details)


def _short(prop: Node) -> str:
    text = str(prop)
    return "sh:" + text.removeprefix(str(SH)) if text.startswith(str(SH)) else f"<{text}>"
