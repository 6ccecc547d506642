"""SHACL by SPARQL: the project's shapes compiled into queries Oxigraph runs over the whole graph.

pySHACL (:mod:`kg.validate`) checks one focus node at a time in Python: 33 s for 100k triples. A
shape's constraint can instead be written as one SPARQL ``SELECT`` that returns *every* violation
of that constraint in the graph at once, and pyoxigraph (Rust) answers such a query in
milliseconds. :func:`compile_shapes` does that translation for the SHACL Core constraints and the
SPARQL-based constraints (https://www.w3.org/TR/shacl/) that the project's shapes use;
:func:`validate_fast` loads a data graph into an in-memory ``pyoxigraph.Store``, runs the queries
and returns the same :class:`kg.validate.Report` as pySHACL would, result for result.

The compiler refuses what it does not implement (:class:`Unsupported`, a :class:`KgShapesError`
naming the shape and the feature) rather than guessing, so a shapes graph a user brings falls back
to pySHACL (``engine="auto"``) instead of being misjudged. Where pySHACL departs from the letter of
SHACL, the queries follow pySHACL, the reference: ``sh:languageIn`` matches a tag or its first
subtag, ``sh:uniqueLang`` reports one result without a value per repeated language, and
``sh:datatype`` also refuses literals whose lexical form does not fit their datatype.

Each query binds ``?this`` (the focus node) and, where the result has them, ``?value`` and
``?path``. The focus nodes of a shape are a subquery joined in front of the constraint, which is
how the pre-binding of ``$this`` in a SPARQL constraint becomes one query over all targets.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from kg.errors import KgShapesError
from kg.labels import LABEL_PROPERTIES
from kg.report import Report, Severity, ValidationResult, sort_results
from kg.terms import to_oxigraph as store_term

if TYPE_CHECKING:
    import pyoxigraph

#: The named graph of the store that lists literals whose lexical form does not fit their datatype.
ILL_TYPED_GRAPH = "urn:x-cchc-kg:ill-typed"
_ILL_S, _ILL_P = "urn:x-cchc-kg:literal", "urn:x-cchc-kg:is"

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)

#: Predicates a shape may carry that do not constrain anything, or that the compiler reads itself.
_NON_VALIDATING = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    RDFS.seeAlso,
    RDFS.isDefinedBy,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.path,
    SH.property,
    SH.sparql,
    *_TARGETS,
}

#: Constraint parameters that test one value node at a time (compiled by :meth:`_Compiler.test`).
_VALUE_PARAMS = {
    SH.datatype: SH.DatatypeConstraintComponent,
    SH["class"]: SH.ClassConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH["and"]: SH.AndConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
}
#: Parameters that only make sense on a property shape (counted over the path's values).
_PROPERTY_PARAMS = {
    SH.minCount,
    SH.maxCount,
    SH.hasValue,
    SH.uniqueLang,
    SH.lessThan,
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
}
_FLAGS = {SH.flags}
_KNOWN = _NON_VALIDATING | set(_VALUE_PARAMS) | _PROPERTY_PARAMS | _FLAGS

_COMPARATORS = {
    SH.minInclusive: ">=",
    SH.maxInclusive: "<=",
    SH.minExclusive: ">",
    SH.maxExclusive: "<",
}


class Unsupported(KgShapesError):
    """A shape uses a SHACL feature the SPARQL compiler does not implement.

    :param shape: the shape at fault.
    :param feature: what it uses (a parameter, a path form, a SPARQL construct).
    """

    def __init__(self, shape: Node, feature: str) -> None:
        self.shape = shape
        self.feature = feature
        name = shape.n3() if not isinstance(shape, BNode) else "an anonymous shape"
        super().__init__(
            f"the SPARQL validator does not implement {feature} (used by {name}); "
            "validate with --engine pyshacl"
        )


@dataclass(frozen=True)
class CompiledConstraint:
    """One constraint of one shape, as a SPARQL query that returns all of its violations.

    The query binds ``?this``, and ``?value`` and ``?path`` where the result carries them.
    """

    shape: Node
    component: URIRef
    severity: URIRef
    path: Node | None
    messages: tuple[Literal, ...]
    query: str
    #: For SPARQL-based constraints: the ``sh:sparql`` node (``sh:sourceConstraint``).
    source_constraint: Node | None = None
    #: A node shape's own value is its focus node: SPARQL results without ``?value`` take it.
    value_is_focus: bool = False
    #: Variables of the query other than this/path/value, substituted into ``{?var}`` messages.
    message_vars: tuple[str, ...] = field(default=())
    #: The same query read the other way round, for a path that is one predicate: from the
    #: predicate's triples, each subject then checked to be a focus node. :func:`run` takes it
    #: when the predicate has fewer triples than the shape has focus nodes.
    inverted: str | None = None
    #: The predicate the inverted query reads.
    driver: str | None = None
    #: The focus nodes' group pattern (without DISTINCT), counted to choose between the two.
    focus: str | None = None


def _iri(term: Node) -> str:
    return f"<{term}>"


def _term(term: Node, shape: Node) -> str:
    """A constant of the shapes graph written in SPARQL."""
    if isinstance(term, URIRef):
        return _iri(term)
    if isinstance(term, Literal):
        text = (
            str(term)
            .replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype:
            return f'"{text}"^^<{term.datatype}>'
        return f'"{text}"'
    raise Unsupported(shape, "a blank node as a constant")


class _Compiler:
    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self.fresh = itertools.count()
        for p in (SH.parameter, SH.validator, SH.nodeValidator, SH.propertyValidator):
            for s in shapes.subjects(p, None):
                raise Unsupported(s, "constraint components of one's own (sh:ConstraintComponent)")
        if any(shapes.subjects(RDF.type, SH.ConstraintComponent)):
            raise Unsupported(
                next(iter(shapes.subjects(RDF.type, SH.ConstraintComponent))),
                "constraint components of one's own (sh:ConstraintComponent)",
            )
        self.prefixes_cache: dict[Node, str] = {}

    # ── shapes and their parts ──────────────────────────────────────────────────────────────
    def var(self) -> str:
        return f"?_v{next(self.fresh)}"

    def one(self, shape: Node, prop: URIRef) -> Node | None:
        values = list(self.g.objects(shape, prop))
        if len(values) > 1:
            raise Unsupported(shape, f"several values of {prop.n3(self.g.namespace_manager)}")
        return values[0] if values else None

    def items(self, shape: Node, node: Node) -> list[Node]:
        try:
            return list(Collection(self.g, node))  # type: ignore[arg-type]
        except Exception:
            raise Unsupported(shape, "a malformed RDF list") from None

    def check_known(self, shape: Node) -> None:
        for p in set(self.g.predicates(shape)):
            if str(p).startswith(str(SH)) and p not in _KNOWN:
                raise Unsupported(shape, p.n3(self.g.namespace_manager))

    def deactivated(self, shape: Node) -> bool:
        return self.one(shape, SH.deactivated) == Literal(True)

    def is_property(self, shape: Node) -> bool:
        return self.one(shape, SH.path) is not None

    def path(self, shape: Node, node: Node, depth: int = 0) -> str:
        """A SHACL property path as a SPARQL property path."""
        if depth > 20:
            raise Unsupported(shape, "a path nested too deep")
        if isinstance(node, URIRef):
            return _iri(node)
        if not isinstance(node, BNode):
            raise Unsupported(shape, "a path that is not an IRI or a blank node")
        if (node, RDF.first, None) in self.g:
            if set(self.g.predicates(node)) - {RDF.first, RDF.rest}:
                raise Unsupported(shape, "a path node that is a list and more")
            parts = [self.path(shape, p, depth + 1) for p in self.items(shape, node)]
            if len(parts) < 2:
                raise Unsupported(shape, "a sequence path of fewer than two members")
            return "(" + "/".join(parts) + ")"
        preds = set(self.g.predicates(node))
        if len(preds) != 1:
            raise Unsupported(shape, "a path node with several path predicates")
        (pred,) = preds
        (arg,) = list(self.g.objects(node, pred))
        if pred == SH.inversePath:
            return "^" + self.path(shape, arg, depth + 1)
        if pred == SH.alternativePath:
            parts = [self.path(shape, p, depth + 1) for p in self.items(shape, arg)]
            if len(parts) < 2:
                raise Unsupported(shape, "an alternative path of fewer than two members")
            return "(" + "|".join(parts) + ")"
        suffix = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}.get(pred)
        if suffix is None:
            raise Unsupported(shape, f"the path form {pred.n3(self.g.namespace_manager)}")
        return "(" + self.path(shape, arg, depth + 1) + ")" + suffix

    def targets(self, shape: Node) -> str | None:
        """A group pattern binding ``?this`` to every focus node of the shape, or None."""
        branches: list[str] = []
        classes = list(self.g.objects(shape, SH.targetClass))
        if isinstance(shape, URIRef) and (
            (shape, RDF.type, RDFS.Class) in self.g or (shape, RDF.type, OWL.Class) in self.g
        ):
            classes.append(shape)  # implicit class target
        for c in classes:
            branches.append(f"?this <{RDF.type}>/<{RDFS.subClassOf}>* {_term(c, shape)} .")
        nodes = [_term(n, shape) for n in self.g.objects(shape, SH.targetNode)]
        if nodes:
            branches.append("VALUES ?this { " + " ".join(nodes) + " }")
        for p in self.g.objects(shape, SH.targetSubjectsOf):
            branches.append(f"?this {_term(p, shape)} ?_t .")
        for p in self.g.objects(shape, SH.targetObjectsOf):
            branches.append(f"?_t {_term(p, shape)} ?this .")
        if not branches:
            return None
        union = " UNION ".join("{ " + b + " }" for b in branches)
        return "{ SELECT DISTINCT ?this WHERE { " + union + " } }"

    # ── tests of one value node (for nested shapes and per-value constraints) ───────────────
    def conforms(self, shape: Node, v: str, depth: int) -> str:
        """A SPARQL expression true when the node in ``v`` conforms to ``shape``."""
        if depth > 8:
            raise Unsupported(shape, "shapes nested too deep (or recursive)")
        self.check_known(shape)
        if self.deactivated(shape):
            return "true"
        if (shape, SH.sparql, None) in self.g:
            raise Unsupported(shape, "sh:sparql inside sh:or, sh:node or another shape")
        tests: list[str] = []
        path_node = self.one(shape, SH.path)
        if path_node is not None:
            path = self.path(shape, path_node)
            for param in set(self.g.predicates(shape)):
                if param in _VALUE_PARAMS:
                    w = self.var()
                    test = self.test(shape, param, w, depth)
                    tests.append(f"NOT EXISTS {{ {v} {path} {w} FILTER (!({test})) }}")
                elif param == SH.minCount:
                    n = self.count(shape, SH.minCount)
                    if n > 1:
                        raise Unsupported(shape, "sh:minCount above 1 in a nested shape")
                    if n == 1:
                        tests.append(f"EXISTS {{ {v} {path} {self.var()} }}")
                elif param in _PROPERTY_PARAMS:
                    raise Unsupported(shape, f"{param.n3(self.g.namespace_manager)} nested")
        else:
            for param in set(self.g.predicates(shape)):
                if param in _VALUE_PARAMS:
                    tests.append(self.test(shape, param, v, depth))
                elif param == SH.hasValue:
                    tests.append(f"sameTerm({v}, {_term(self.one(shape, SH.hasValue), shape)})")  # type: ignore[arg-type]
                elif param in _PROPERTY_PARAMS:
                    raise Unsupported(
                        shape, f"{param.n3(self.g.namespace_manager)} without sh:path"
                    )
        for prop in self.g.objects(shape, SH.property):
            tests.append(self.conforms(prop, v, depth + 1))
        return "(" + " && ".join(tests) + ")" if tests else "true"

    def count(self, shape: Node, prop: URIRef) -> int:
        value = self.one(shape, prop)
        if not isinstance(value, Literal) or not isinstance(value.value, int):
            raise Unsupported(shape, f"a non-integer {prop.n3(self.g.namespace_manager)}")
        return int(value.value)

    def test(self, shape: Node, param: URIRef, v: str, depth: int) -> str:
        """A SPARQL expression true when the value node in ``v`` satisfies one parameter."""
        value = self.one(shape, param)
        assert value is not None
        if param == SH.datatype:
            return self.datatype_test(shape, value, v)
        if param == SH["class"]:
            if len(list(self.g.objects(shape, param))) > 1:
                raise Unsupported(shape, "several sh:class")
            is_a = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
            return f"(!isLiteral({v}) && EXISTS {{ {v} {is_a} {_term(value, shape)} }})"
        if param == SH.nodeKind:
            kinds = {
                SH.IRI: f"isIRI({v})",
                SH.BlankNode: f"isBlank({v})",
                SH.Literal: f"isLiteral({v})",
                SH.BlankNodeOrIRI: f"(isBlank({v}) || isIRI({v}))",
                SH.BlankNodeOrLiteral: f"(isBlank({v}) || isLiteral({v}))",
                SH.IRIOrLiteral: f"(isIRI({v}) || isLiteral({v}))",
            }
            if value not in kinds:
                raise Unsupported(shape, f"sh:nodeKind {value.n3()}")
            return kinds[value]  # type: ignore[index]
        if param == SH["in"]:
            members = [f"sameTerm({v}, {_term(m, shape)})" for m in self.items(shape, value)]
            return "(" + " || ".join(members) + ")" if members else "false"
        if param == SH.languageIn:
            return self.language_test(shape, value, v)
        if param == SH.pattern:
            flags = self.one(shape, SH.flags)
            pattern = _term(Literal(str(value)), shape)
            extra = f", {_term(Literal(str(flags)), shape)}" if flags is not None else ""
            try:
                re.compile(str(value))
            except re.error as exc:
                raise KgShapesError(
                    "the shapes graph is malformed: "
                    f"a sh:pattern is not a regular expression: {exc}"
                ) from None
            if not _regex_is_portable(str(value)) or not _oxigraph_reads(pattern, extra):
                raise Unsupported(shape, "a sh:pattern Python and Rust regexes read differently")
            return f"COALESCE(!isBlank({v}) && REGEX(STR({v}), {pattern}{extra}), false)"
        if param in _COMPARATORS:
            if not isinstance(value, Literal):
                raise Unsupported(shape, "a range bound that is not a literal")
            bound = _term(value, shape)
            # pySHACL: a string and a non-string never compare; SPARQL errs there too (-> false)
            return f"COALESCE(!isBlank({v}) && {v} {_COMPARATORS[param]} {bound}, false)"
        if param in (SH.minLength, SH.maxLength):
            n = self.count(shape, param)
            op = ">=" if param == SH.minLength else "<="
            return f"COALESCE(!isBlank({v}) && STRLEN(STR({v})) {op} {n}, false)"
        if param in (SH["or"], SH["and"]):
            parts = [self.conforms(m, v, depth + 1) for m in self.items(shape, value)]
            joiner = " || " if param == SH["or"] else " && "
            empty = "false" if param == SH["or"] else "true"
            return "(" + joiner.join(parts) + ")" if parts else empty
        if param == SH["not"]:
            return "(!" + self.conforms(value, v, depth + 1) + ")"
        if param == SH.node:
            return self.conforms(value, v, depth + 1)
        raise Unsupported(shape, param.n3(self.g.namespace_manager))

    def datatype_test(self, shape: Node, dt: Node, v: str) -> str:
        if not isinstance(dt, URIRef):
            raise Unsupported(shape, "a sh:datatype that is not an IRI")
        if dt == RDFS.Literal:
            return f"isLiteral({v})"
        if dt == RDFS.Datatype:
            raise Unsupported(shape, "sh:datatype rdfs:Datatype")
        ill = f"NOT EXISTS {{ GRAPH <{ILL_TYPED_GRAPH}> {{ <{_ILL_S}> <{_ILL_P}> {v} }} }}"
        return f"(isLiteral({v}) && datatype({v}) = <{dt}> && {ill})"

    def language_test(self, shape: Node, node: Node, v: str) -> str:
        wanted = []
        for item in self.items(shape, node):
            if not isinstance(item, Literal) or not isinstance(item.value, str):
                raise Unsupported(shape, "a sh:languageIn member that is not a string")
            wanted.append(str(item).lower())
        if "*" in wanted:
            return f'(isLiteral({v}) && lang({v}) != "")'
        if not wanted:
            return "false"
        listed = ", ".join(_term(Literal(w), shape) for w in wanted)
        first = f'LCASE(STRBEFORE(CONCAT(lang({v}), "-"), "-"))'
        return (
            f'COALESCE(isLiteral({v}) && lang({v}) != "" && '
            f"(LCASE(lang({v})) IN ({listed}) || {first} IN ({listed})), false)"
        )

    # ── top-level constraints ───────────────────────────────────────────────────────────────
    def shapes_with_targets(self) -> list[Node]:
        found: set[Node] = set()
        for p in _TARGETS:
            found.update(self.g.subjects(p, None))
        for c in (RDFS.Class, OWL.Class):
            for s in self.g.subjects(RDF.type, c):
                if (s, RDF.type, SH.NodeShape) in self.g or (
                    s,
                    RDF.type,
                    SH.PropertyShape,
                ) in self.g:
                    found.add(s)
        return sorted(found, key=lambda n: n.n3())

    def compile(self) -> list[CompiledConstraint]:
        out: list[CompiledConstraint] = []
        for shape in self.shapes_with_targets():
            target = self.targets(shape)
            assert target is not None
            out.extend(self.shape_constraints(shape, target, 0))
        return out

    def severity(self, shape: Node) -> URIRef:
        sev = self.one(shape, SH.severity)
        if sev is None:
            return SH.Violation
        if not isinstance(sev, URIRef):
            raise Unsupported(shape, "a sh:severity that is not an IRI")
        return sev

    def messages(self, shape: Node) -> tuple[Literal, ...]:
        return tuple(m for m in self.g.objects(shape, SH.message) if isinstance(m, Literal))

    def shape_constraints(self, shape: Node, target: str, depth: int) -> list[CompiledConstraint]:
        if depth > 8:
            raise Unsupported(shape, "property shapes nested too deep")
        self.check_known(shape)
        if self.deactivated(shape):
            return []
        out: list[CompiledConstraint] = []
        path_node = self.one(shape, SH.path)
        base = {
            "shape": shape,
            "severity": self.severity(shape),
            "path": path_node,
            "messages": self.messages(shape),
        }
        params = set(self.g.predicates(shape))
        if path_node is None:
            for param in sorted(params & set(_PROPERTY_PARAMS)):
                raise Unsupported(shape, f"{param.n3(self.g.namespace_manager)} on a node shape")
            for param in sorted(params & set(_VALUE_PARAMS)):
                test = self.test(shape, param, "?value", depth)
                query = (
                    f"SELECT DISTINCT ?this ?value WHERE {{ {target} "
                    f"BIND (?this AS ?value) FILTER (!({test})) }}"
                )
                out.append(CompiledConstraint(component=_VALUE_PARAMS[param], query=query, **base))  # type: ignore[arg-type]
        else:
            path = self.path(shape, path_node)
            focus = _focus_pattern(target)
            for param in sorted(params & set(_VALUE_PARAMS)):
                test = self.test(shape, param, "?value", depth)
                query = (
                    f"SELECT DISTINCT ?this ?value WHERE {{ {target} "
                    f"?this {path} ?value . FILTER (!({test})) }}"
                )
                inverted = (
                    f"SELECT DISTINCT ?this ?value WHERE {{ ?this {path} ?value . "
                    f"FILTER (!({test})) FILTER EXISTS {focus} }}"
                )
                out.append(
                    _with_inverted(
                        CompiledConstraint(component=_VALUE_PARAMS[param], query=query, **base),  # type: ignore[arg-type]
                        path_node,
                        inverted,
                        focus,
                    )
                )
            for c in self.property_constraints(shape, params, target, path, base):
                out.append(self.inverted_count(c, path_node, path, focus))
        if path_node is not None and (shape, SH.property, None) in self.g:
            # pySHACL reports a nested shape's result once per value node, not per focus node
            raise Unsupported(shape, "sh:property inside a property shape")
        for prop in self.g.objects(shape, SH.property):
            out.extend(self.shape_constraints(prop, target, depth + 1))
        for constraint in self.g.objects(shape, SH.sparql):
            c = self.sparql_constraint(shape, constraint, target, path_node, base)
            if c is not None:
                out.append(c)
        return out

    def inverted_count(
        self, c: CompiledConstraint, path_node: Node, path: str, focus: str
    ) -> CompiledConstraint:
        """A count constraint with its inverted query, if it has one (maxCount, uniqueLang)."""
        if c.component == SH.MaxCountConstraintComponent:
            n = self.count(c.shape, SH.maxCount)
            inverted = (
                f"SELECT ?this WHERE {{ {{ SELECT ?this WHERE {{ ?this {path} ?_v }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) > {n}) }} FILTER EXISTS {focus} }}"
            )
            return _with_inverted(c, path_node, inverted, focus)
        if c.component == SH.UniqueLangConstraintComponent:
            inverted = (
                f"SELECT ?this ?_lang WHERE {{ {{ SELECT ?this ?_lang WHERE {{ ?this {path} ?_v . "
                f'FILTER (isLiteral(?_v) && lang(?_v) != "") BIND (LCASE(lang(?_v)) AS ?_lang) }} '
                "GROUP BY ?this ?_lang HAVING (COUNT(DISTINCT ?_v) > 1) } "
                f"FILTER EXISTS {focus} }}"
            )
            return _with_inverted(c, path_node, inverted, focus)
        return c

    def property_constraints(
        self, shape: Node, params: set[Node], target: str, path: str, base: dict[str, Any]
    ) -> Iterator[CompiledConstraint]:
        if SH.minCount in params:
            n = self.count(shape, SH.minCount)
            if n == 1:
                q = f"SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ ?this {path} ?_v }} }}"
            else:
                q = (
                    f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {path} ?_v }} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) < {n})"
                )
            if n > 0:
                yield CompiledConstraint(component=SH.MinCountConstraintComponent, query=q, **base)
        if SH.maxCount in params:
            n = self.count(shape, SH.maxCount)
            q = (
                f"SELECT ?this WHERE {{ {target} ?this {path} ?_v }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) > {n})"
            )
            yield CompiledConstraint(component=SH.MaxCountConstraintComponent, query=q, **base)
        for value in self.g.objects(shape, SH.hasValue):
            q = (
                f"SELECT ?this WHERE {{ {target} "
                f"FILTER NOT EXISTS {{ ?this {path} {_term(value, shape)} }} }}"
            )
            yield CompiledConstraint(component=SH.HasValueConstraintComponent, query=q, **base)
        if SH.uniqueLang in params and self.one(shape, SH.uniqueLang) == Literal(True):
            q = (
                f"SELECT ?this ?_lang WHERE {{ {target} ?this {path} ?_v . "
                f'FILTER (isLiteral(?_v) && lang(?_v) != "") BIND (LCASE(lang(?_v)) AS ?_lang) }} '
                "GROUP BY ?this ?_lang HAVING (COUNT(DISTINCT ?_v) > 1)"
            )
            yield CompiledConstraint(component=SH.UniqueLangConstraintComponent, query=q, **base)
        for other in self.g.objects(shape, SH.lessThan):
            if not isinstance(other, URIRef):
                raise Unsupported(shape, "a sh:lessThan that is not an IRI")
            less = (
                "COALESCE(IF(isIRI(?value) && isIRI(?_o), STR(?value) < STR(?_o), "
                "?value < ?_o), false)"
            )
            q = (
                f"SELECT DISTINCT ?this ?value ?_o WHERE {{ {target} ?this {path} ?value . "
                f"?this <{other}> ?_o . FILTER (!{less}) }}"  # one result per pair, as pySHACL
            )
            yield CompiledConstraint(component=SH.LessThanConstraintComponent, query=q, **base)
        qualified = self.one(shape, SH.qualifiedValueShape)
        if qualified is not None:
            if self.one(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
                raise Unsupported(shape, "sh:qualifiedValueShapesDisjoint")
            test = self.conforms(qualified, "?_v", 1)
            if SH.qualifiedMinCount in params:
                n = self.count(shape, SH.qualifiedMinCount)
                q = (
                    (
                        f"SELECT ?this WHERE {{ {target} "
                        f"FILTER NOT EXISTS {{ ?this {path} ?_v FILTER ({test}) }} }}"
                    )
                    if n == 1
                    else (
                        f"SELECT ?this WHERE {{ {target} "
                        f"OPTIONAL {{ ?this {path} ?_v FILTER ({test}) }} }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) < {n})"
                    )
                )
                if n > 0:
                    yield CompiledConstraint(
                        component=SH.QualifiedMinCountConstraintComponent, query=q, **base
                    )
            if SH.qualifiedMaxCount in params:
                n = self.count(shape, SH.qualifiedMaxCount)
                q = (
                    f"SELECT ?this WHERE {{ {target} ?this {path} ?_v FILTER ({test}) }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) > {n})"
                )
                yield CompiledConstraint(
                    component=SH.QualifiedMaxCountConstraintComponent, query=q, **base
                )
        elif params & {SH.qualifiedMinCount, SH.qualifiedMaxCount}:
            raise Unsupported(shape, "a qualified count without sh:qualifiedValueShape")

    # ── SPARQL-based constraints ────────────────────────────────────────────────────────────
    def prefixes(self, shape: Node, constraint: Node) -> str:
        lines = []
        for holder in self.g.objects(constraint, SH.prefixes):
            for decl in self.g.objects(holder, SH.declare):
                prefix = self.g.value(decl, SH.prefix)
                namespace = self.g.value(decl, SH.namespace)
                if prefix is None or namespace is None:
                    raise Unsupported(shape, "a sh:declare without sh:prefix or sh:namespace")
                lines.append(f"PREFIX {prefix}: <{namespace}>")
        return "\n".join(sorted(set(lines)))

    def sparql_constraint(
        self,
        shape: Node,
        constraint: Node,
        target: str,
        path_node: Node | None,
        base: dict[str, Any],
    ) -> CompiledConstraint | None:
        if self.one(constraint, SH.deactivated) == Literal(True):
            return None
        for p in set(self.g.predicates(constraint)):
            if str(p).startswith(str(SH)) and p not in (
                SH.select,
                SH.message,
                SH.prefixes,
                SH.deactivated,
            ):
                raise Unsupported(shape, f"{p.n3(self.g.namespace_manager)} in a SPARQL constraint")
        select = self.one(constraint, SH.select)
        if not isinstance(select, Literal):
            raise Unsupported(shape, "a SPARQL constraint without sh:select")
        text = str(select)
        if re.search(r"\$(currentShape|shapesGraph)\b", text):
            raise Unsupported(shape, "$currentShape or $shapesGraph in a SPARQL constraint")
        if "$PATH" in text:
            if path_node is None:
                raise Unsupported(shape, "$PATH in a SPARQL constraint of a node shape")
            text = re.sub(r"\$PATH\b", self.path(shape, path_node), text)
        prefixes = self.prefixes(shape, constraint)
        projected, _distinct = _check_select(shape, prefixes + "\n" + text)
        query = _inject_targets(shape, text, target, projected)
        extra = tuple(v for v in projected if v not in ("this", "path", "value"))
        messages = base["messages"] + tuple(
            m
            for m in self.g.objects(constraint, SH.message)
            if isinstance(m, Literal) and m not in base["messages"]
        )
        return CompiledConstraint(
            shape=shape,
            component=SH.SPARQLConstraintComponent,
            severity=base["severity"],
            path=path_node,
            messages=messages,
            query=prefixes + "\n" + query,
            source_constraint=constraint,
            value_is_focus=path_node is None,
            message_vars=extra,
        )


_FOCUS = re.compile(r"\{ SELECT DISTINCT \?this WHERE (\{ .* \}) \}", re.DOTALL)


def _focus_pattern(target: str) -> str:
    """The group pattern of a target subquery (:meth:`_Compiler.targets`), without DISTINCT."""
    m = _FOCUS.fullmatch(target)
    assert m is not None
    return m.group(1)


def _with_inverted(
    c: CompiledConstraint, path_node: Node, inverted: str, focus: str
) -> CompiledConstraint:
    """The constraint with its inverted query, when its path is one predicate (an IRI).

    Only then does the inverted query find the same violations: read from the triples, a path
    with ``*`` or ``?`` would miss the focus nodes that are in no triple.
    """
    if not isinstance(path_node, URIRef):
        return c
    return replace(c, inverted=inverted, driver=str(path_node), focus=focus)


def _regex_is_portable(pattern: str) -> bool:
    """True when Python's ``re`` (pySHACL) and Rust's ``regex`` (Oxigraph) read it alike."""
    return not re.search(r"\(\?[=!<]|\\[0-9]|\\[AZzbB]|\(\?P", pattern)


_REFUSED_KEYWORDS = {
    "MINUS": "MINUS",
    "SERVICE": "SERVICE",
    "VALUES": "VALUES",
    "GRAPH": "GRAPH",
    "FROM": "FROM",
    "GROUP": "GROUP BY",
    "HAVING": "HAVING",
    "LIMIT": "LIMIT",
    "OFFSET": "OFFSET",
    "COUNT": "an aggregate",
    "SUM": "an aggregate",
    "AVG": "an aggregate",
    "SAMPLE": "an aggregate",
    "GROUP_CONCAT": "an aggregate",
}
_NOT_A_NAME = r"(?<![?$\w:])"


def _oxigraph_reads(pattern: str, flags: str) -> bool:
    """True when Oxigraph's REGEX accepts the pattern (and flags)."""
    import pyoxigraph as ox

    rows = list(ox.Store().query(f'SELECT (REGEX("", {pattern}{flags}) AS ?ok) {{}}'))
    return bool(rows) and rows[0]["ok"] is not None


def _check_select(shape: Node, text: str) -> tuple[list[str], bool]:
    """Read a constraint's query; refuse what joining over the targets cannot keep exact.

    A keyword scan of the text outside strings, IRIs and comments (parsing with rdflib costs a
    tenth of a second a query): MINUS, VALUES, GRAPH, SERVICE, FROM, subqueries, aggregates,
    GROUP BY, LIMIT and OFFSET change meaning when ``$this`` is joined instead of pre-bound, so
    they are refused. Oxigraph parses the query itself when it runs.

    :returns: the projected variables (``["*"]`` for ``SELECT *``) and whether DISTINCT.
    """
    code = _blank_literals(text)
    for word in re.findall(_NOT_A_NAME + r"([A-Za-z_]+)\b(?!:)", code):
        if word.upper() in _REFUSED_KEYWORDS:
            raise Unsupported(shape, f"{_REFUSED_KEYWORDS[word.upper()]} in a SPARQL constraint")
    _check_groups(shape, code)
    if len(re.findall(_NOT_A_NAME + r"SELECT\b", code, re.IGNORECASE)) != 1:
        raise Unsupported(shape, "a subquery (or no SELECT) in a SPARQL constraint")
    if re.search(_NOT_A_NAME + r"(ASK|CONSTRUCT|DESCRIBE)\b", code, re.IGNORECASE):
        raise Unsupported(shape, "a query form other than SELECT in sh:select")
    m = re.search(
        _NOT_A_NAME + r"SELECT\s+(DISTINCT\s+|REDUCED\s+)?(.*?)(WHERE\b|\{)",
        code,
        re.IGNORECASE | re.DOTALL,
    )
    if m is None:
        raise Unsupported(shape, "a SELECT without a WHERE group")
    distinct = bool(m.group(1))
    projection = m.group(2).strip()
    if projection == "*":
        return ["*"], distinct
    bare = re.sub(r"\([^()]*\)", " ", projection)  # (expr AS ?x) counted apart
    names = re.findall(r"[?$](\w+)", bare)
    names += re.findall(r"\bAS\s+[?$](\w+)", projection, re.IGNORECASE)
    names = list(dict.fromkeys(names))
    if "this" not in names:
        raise Unsupported(shape, "a SPARQL constraint that does not select $this")
    return names, distinct


def _check_groups(shape: Node, code: str) -> None:
    """Refuse FILTER or BIND inside a nested group other than (NOT) EXISTS and OPTIONAL.

    A FILTER in a UNION branch or a plain inner group is evaluated before the join with the
    targets, so it would not see ``$this`` that pre-binding gives it (W3C pre-binding tests).
    """
    first = code.find("{")
    stack: list[tuple[int, bool]] = []
    for m in re.finditer(r"[{}]", code[first + 1 :]):
        i = first + 1 + m.start()
        if m.group() == "{":
            before = code[:i].rstrip().upper()
            stack.append((i, before.endswith("EXISTS") or before.endswith("OPTIONAL")))
        elif stack:
            start, safe = stack.pop()
            body = code[start:i]
            if not safe and re.search(_NOT_A_NAME + r"(FILTER|BIND)\b", body, re.IGNORECASE):
                raise Unsupported(shape, "FILTER or BIND in a nested group of a SPARQL constraint")


def _blank_literals(text: str) -> str:
    """The query text with strings, IRIs and comments blanked out (same length)."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif c in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and text[j : j + len(quote)] != quote:
                j += 2 if text[j] == "\\" else 1
            j = min(n, j + len(quote))
        elif c == "<" and re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:]):
            j = text.index(">", i) + 1
        else:
            i += 1
            continue
        for k in range(i, j):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)


def _inject_targets(shape: Node, text: str, target: str, projected: list[str]) -> str:
    """Put the target subquery first in the WHERE group, and make the projection DISTINCT.

    The group is joined left to right, so every later pattern, BIND, OPTIONAL and FILTER (NOT)
    EXISTS sees ``?this`` bound, as the pre-binding of ``$this`` does.
    """
    i = _first_brace(text)
    if i < 0:
        raise Unsupported(shape, "a SPARQL constraint without a WHERE group")
    head, body = text[:i], text[i + 1 :]
    m = re.search(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?", head, re.IGNORECASE)
    if m is None:
        raise Unsupported(shape, "a sh:select that is not a SELECT query")
    head = head[: m.start()] + "SELECT DISTINCT " + head[m.end() :]
    return head + "{ " + target + "\n" + body


def _first_brace(text: str) -> int:
    """Index of the first ``{`` outside strings, IRIs and comments."""
    return _blank_literals(text).find("{")


def compile_shapes(shapes: Graph) -> list[CompiledConstraint]:
    """Compile a SHACL shapes graph into SPARQL queries, one per constraint of each shape.

    :param shapes: the shapes graph.
    :returns: the constraints, each with the query that finds all of its violations.
    :raises Unsupported: a shape uses a feature the compiler does not implement (a
        :class:`KgShapesError` that names the shape and the feature).
    """
    return _Compiler(shapes).compile()


def unsupported_features(shapes: Graph) -> list[str]:
    """What keeps ``shapes`` from the SPARQL validator: empty when every shape compiles."""
    try:
        compile_shapes(shapes)
    except Unsupported as exc:
        return [exc.feature]
    return []


# ── running the queries ─────────────────────────────────────────────────────────────────────


def _datatypes_checked(constraints: Iterable[CompiledConstraint]) -> set[str]:
    found: set[str] = set()
    for c in constraints:
        found.update(re.findall(r"datatype\(\?\w+\) = <([^>]+)>", c.query))
    return found


def _actual_value_fits(lit: Literal, datatype: URIRef) -> bool:
    """pySHACL's test of a literal's Python value against a datatype it knows."""
    if getattr(lit, "ill_typed", None) is True:
        return False
    value = lit.value
    expect: dict[URIRef, type | tuple[type, ...]] = {
        XSD.string: (str, bytes),
        RDF.langString: (str, bytes),
        XSD.integer: int,
        XSD.float: float,
        XSD.decimal: Decimal,
        XSD.boolean: bool,
        XSD.date: date,
        XSD.time: time,
        XSD.dateTime: datetime,
    }
    kind = expect.get(datatype)
    return True if kind is None else isinstance(value, kind)


def to_oxigraph(term: Node) -> Any:
    """An rdflib term as a pyoxigraph term (raises ValueError for terms Oxigraph refuses).

    The store's conversion, but for blank nodes: their labels are encoded so that any rdflib
    label survives the trip and :func:`from_oxigraph` gives the same blank node back.
    """
    import pyoxigraph as ox

    if isinstance(term, BNode):
        return ox.BlankNode(_bnode_id(term))
    return store_term(term)


def _bnode_id(b: BNode) -> str:
    text = str(b)
    return (
        text
        if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", text) and text[-1] != "."
        else ("x" + text.encode().hex())
    )


def from_oxigraph(term: Any, literals: dict[Any, Literal] | None = None) -> Node:
    """A pyoxigraph term as an rdflib term; ``literals`` gives back the data's own literals."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        value = term.value
        if value.startswith("x") and re.fullmatch(r"x([0-9a-f]{2})+", value):
            try:
                return BNode(bytes.fromhex(value[1:]).decode())
            except ValueError:
                pass
        return BNode(value)
    if literals is not None and term in literals:
        return literals[term]
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):
        return Literal(term.value)
    lit = Literal(term.value, datatype=URIRef(term.datatype.value))
    if literals is not None and lit.value is not None:
        # Oxigraph stores numbers by value and gives back "100" for the data's "100.0"
        return literals.get((lit.datatype, lit.value), lit)  # type: ignore[call-overload,no-any-return]
    return lit


def load_store(data: Graph) -> tuple[pyoxigraph.Store, dict[Any, Literal]]:
    """The data graph in an in-memory pyoxigraph store (default graph), and its literals.

    :raises ValueError: a term Oxigraph does not accept (an IRI with a space, a bad language tag).
    """
    import pyoxigraph as ox

    cache: dict[Node, Any] = {}
    literals: dict[Any, Literal] = {}
    default = ox.DefaultGraph()

    def conv(t: Node) -> Any:
        o = cache.get(t)
        if o is not None and isinstance(t, Literal) and bool(t.ill_typed) != (o in ill_set):
            # rdflib normalised "none"^^xsd:boolean to the term "false": one term, two verdicts
            raise ValueError(f"the literal {t.n3()} is both well- and ill-typed in the data")
        if o is None:
            o = cache[t] = to_oxigraph(t)
            if isinstance(t, Literal):
                literals[o] = t
                if getattr(t, "ill_typed", False):  # Oxigraph may keep it otherwise
                    literals[_round_trip(o)] = t
                if t.datatype is not None and not _actual_value_fits(t, t.datatype):
                    ill.append(o)
                if t.ill_typed:
                    ill_set.add(o)
                if t.datatype is not None and t.datatype != XSD.string and t.value is not None:
                    with contextlib.suppress(TypeError):  # an unhashable value (XML)
                        literals.setdefault((t.datatype, t.value), t)
        return o

    ill: list[Any] = []
    ill_set: set[Any] = set()
    store = ox.Store()
    store.bulk_extend(ox.Quad(conv(s), conv(p), conv(o), default) for s, p, o in data)
    marker, node = ox.NamedNode(ILL_TYPED_GRAPH), ox.NamedNode(_ILL_S)
    store.extend(ox.Quad(node, ox.NamedNode(_ILL_P), lit, marker) for lit in ill)
    return store, literals


def _round_trip(term: Any) -> Any:
    """The term as an Oxigraph store gives it back (it rewrites some ill-typed literals)."""
    import pyoxigraph as ox

    store = ox.Store()
    node = ox.NamedNode(_ILL_S)
    store.add(ox.Quad(node, node, term, ox.DefaultGraph()))
    return next(iter(store)).object


def find_ill_typed(store: pyoxigraph.Store, datatypes: Iterable[str], **dataset: Any) -> list[Any]:
    """The literals of ``datatypes`` in the store whose lexical form does not fit their datatype.

    ``sh:datatype`` must refuse ``"c"^^xsd:integer``; SPARQL's ``datatype()`` cannot tell, so
    the literals of the checked datatypes are read once and judged as pySHACL judges them. The
    store is only read.

    :param dataset: ``use_default_graph_as_union`` or ``default_graph``, as for the queries.
    """
    wanted = sorted(set(datatypes) - {str(XSD.string), str(RDF.langString)})
    if not wanted:
        return []
    listed = ", ".join(f"<{d}>" for d in wanted)
    rows = store.query(
        "SELECT DISTINCT ?o WHERE { ?s ?p ?o "
        f"FILTER (isLiteral(?o) && datatype(?o) IN ({listed})) }}",
        **dataset,
    )
    bad = []
    logger = logging.getLogger("rdflib.term")  # it logs a traceback for each ill-typed literal
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        for row in rows:
            lit = row["o"]
            dt = URIRef(lit.datatype.value)
            if not _actual_value_fits(Literal(lit.value, datatype=dt), dt):
                bad.append(lit)
    finally:
        logger.setLevel(level)
    return bad


_MARKER = re.compile(
    r"NOT EXISTS \{ GRAPH <" + re.escape(ILL_TYPED_GRAPH) + r"> \{ <[^>]+> <[^>]+> (\?\w+) \} \}"
)


def _without_marker_graph(query: str, ill: list[Any]) -> str:
    """The query with the ill-typed graph lookup replaced by a test of the listed literals."""

    def test(m: re.Match[str]) -> str:
        if not ill:
            return "true"
        v = m.group(1)
        return "!(" + " || ".join(f"sameTerm({v}, {lit})" for lit in ill) + ")"

    return _MARKER.sub(test, query)


_INSTANCE_OF = re.compile(re.escape(f"<{RDF.type}>/<{RDFS.subClassOf}>* <") + r"([^>]+)>")


def _with_subclasses_listed(
    store: pyoxigraph.Store, queries: list[str], dataset: dict[str, Any]
) -> list[str]:
    """``?x rdf:type/rdfs:subClassOf* C`` as ``?x rdf:type ?c VALUES ?c {C and its subclasses}``.

    The same answers (the subclasses are read from the same data first), but Oxigraph evaluates
    a property path per focus node and a VALUES join once: measured 51 s against 32 s over the
    national graph.
    """
    import pyoxigraph as ox

    closure: dict[str, str] = {}
    fresh = itertools.count()

    def listed(m: re.Match[str]) -> str:
        cls = m.group(1)
        if cls not in closure:
            rows = store.query(
                f"SELECT DISTINCT ?s WHERE {{ ?s <{RDFS.subClassOf}>* <{cls}> }}", **dataset
            )
            terms = [r["s"] for r in rows]
            # a blank node cannot be written in VALUES: keep the path for such a class
            closure[cls] = (
                " ".join(sorted(str(t) for t in terms))
                if all(isinstance(t, ox.NamedNode) for t in terms)
                else ""
            )
        if not closure[cls]:
            return m.group(0)
        v = f"?_class{next(fresh)}"
        return f"<{RDF.type}> {v} . VALUES {v} {{ {closure[cls]} }}"

    return [_INSTANCE_OF.sub(listed, q) for q in queries]


def _workers() -> int:
    """Threads that run constraint queries: one per core the process may use, at most 8."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(8, cores))


def run(
    store: pyoxigraph.Store,
    constraints: list[CompiledConstraint],
    literals: dict[Any, Literal] | None = None,
    *,
    union: bool = False,
    graphs: list[Any] | None = None,
) -> list[Any]:
    """Run compiled constraints over a store whose default graph holds the data.

    pyoxigraph lets go of the interpreter while it answers a query and while it gives the next
    row, so the queries run in threads, one per core: on two cores the national graph's 403
    queries take half the time. The results keep the order of the constraints, and an error is
    the one the first failing constraint gives, as when they ran one after the other.

    :param literals: the data's own literals by their Oxigraph term, when :func:`load_store`
        loaded the store (it also marked the ill-typed ones); None for a store of one's own,
        which is then only read.
    :param union: the data is the union of the store's named graphs.
    :param graphs: the data is these named graphs (pyoxigraph terms).
    :returns: the :class:`kg.validate.ValidationResult` of every violation, unsorted.
    """
    dataset: dict[str, Any] = {"use_default_graph_as_union": union} if union else {}
    if graphs is not None:
        dataset = {"default_graph": graphs}
    n = len(constraints)
    texts = [c.query for c in constraints]
    texts += [c.inverted or "" for c in constraints] + [c.focus or "" for c in constraints]
    texts = _with_subclasses_listed(store, texts, dataset)
    queries, inverted, focus = texts[:n], texts[n : 2 * n], texts[2 * n :]
    choose = _Chooser(store, dataset)
    pool = ThreadPoolExecutor(_workers())
    try:
        ill: Future[list[Any]] | None = None
        if literals is None:  # a store of one's own: judge its literals now, without writing
            datatypes = _datatypes_checked(constraints)
            ill = pool.submit(find_ill_typed, store, datatypes, **dataset)
        futures: list[Future[list[Any]] | None] = []
        waiting: list[int] = []  # queries that need the ill-typed literals first
        for i, (c, query) in enumerate(zip(constraints, queries, strict=True)):
            if ill is not None and _MARKER.search(query):
                futures.append(None)
                waiting.append(i)
            else:
                task = (c, query, inverted[i], focus[i], literals)
                futures.append(pool.submit(choose.run, *task))
        if ill is not None:  # its error, if any, comes first, as when it ran first
            bad = ill.result()
            for i in waiting:
                c = constraints[i]
                query, other = (_without_marker_graph(q, bad) for q in (queries[i], inverted[i]))
                futures[i] = pool.submit(choose.run, c, query, other, focus[i], literals)
        results: list[Any] = []
        for future in futures:
            assert future is not None
            results.extend(future.result())
        return results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _Chooser:
    """Picks, for a constraint with an inverted query, the query that reads fewer triples.

    A shape's query visits each focus node; its inverted query visits each triple of the
    path's predicate. The inverted one is taken when the predicate has fewer triples than the
    shape has focus nodes (counted once each, the predicate's only up to that number): the
    national graph's 29,000 agencies each have one ``org:subOrganizationOf``, but the 13
    roles share the graph's 75,000 labels with everything else.
    """

    def __init__(self, store: pyoxigraph.Store, dataset: dict[str, Any]) -> None:
        self.store = store
        self.dataset = dataset
        self.counts: dict[str, int] = {}

    def count(self, pattern: str) -> int:
        key = re.sub(r"\?_class\d+", "?_class", pattern)  # one count for the same pattern
        found = self.counts.get(key)
        if found is None:
            query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
            found = self.counts[key] = int(
                next(iter(self.store.query(query, **self.dataset)))["n"].value
            )
        return found

    def run(
        self,
        c: CompiledConstraint,
        query: str,
        inverted: str,
        focus: str,
        literals: dict[Any, Literal] | None,
    ) -> list[Any]:
        """The results of the constraint, found by the query that reads less."""
        if c.inverted is not None and c.driver is not None:
            nodes = self.count(focus)
            triples = self.count(f"SELECT * WHERE {{ ?_s <{c.driver}> ?_o }} LIMIT {nodes}")
            if triples < nodes:
                query = inverted
        return _run_one(self.store, c, query, literals, self.dataset)


def _run_one(
    store: pyoxigraph.Store,
    c: CompiledConstraint,
    query: str,
    literals: dict[Any, Literal] | None,
    dataset: dict[str, Any],
) -> list[Any]:
    """The results of one constraint's query (run in a worker thread of :func:`run`)."""

    try:
        rows = store.query(query, **dataset)
    except SyntaxError as exc:  # SPARQL of the shapes that Oxigraph reads otherwise
        raise Unsupported(c.shape, f"SPARQL that Oxigraph does not parse ({exc})") from None
    except (OSError, ValueError) as exc:
        raise KgShapesError(
            f"the SPARQL validator could not run a constraint of {c.shape.n3()}: {exc}"
        ) from None
    severity = Severity.from_iri(c.severity)
    sparql = c.component == SH.SPARQLConstraintComponent
    results = []
    for row in rows:
        focus = from_oxigraph(row["this"], literals)
        value = _get(row, "value", literals)
        path: Node | None = c.path
        messages = c.messages
        if sparql:
            bound_path = _get(row, "path", literals)
            path = bound_path if bound_path is not None else c.path
            if value is None and c.value_is_focus:
                value = focus
            bound = {"this": focus, "path": path, "value": value}
            bound.update({v: _get(row, v, literals) for v in c.message_vars})
            messages = tuple(_format_message(m, bound) for m in messages)
        results.append(
            ValidationResult(
                focus_node=focus,
                path=path,
                constraint=c.component,
                severity=severity,
                severity_iri=c.severity,
                shape=c.shape,
                value=value,
                source_constraint=c.source_constraint,
                messages=tuple(sorted(messages, key=lambda m: (m.language or "", str(m)))),
            )
        )
    return results


def _get(row: Any, name: str, literals: dict[Any, Literal] | None) -> Node | None:
    try:
        term = row[name]
    except (KeyError, IndexError, TypeError):
        return None
    return None if term is None else from_oxigraph(term, literals)


def _format_message(message: Literal, bound: dict[str, Node | None]) -> Literal:
    """``{$this}``, ``{?value}``... replaced by the solution's values, as pySHACL does."""
    text = str(message)
    for name, term in bound.items():
        if term is not None:
            text = re.sub(
                r"\{[?$]" + re.escape(name) + r"\}", str(term).replace("\\", "\\\\"), text
            )
    if text == str(message):
        return message
    return Literal(text, lang=message.language, datatype=message.datatype)


def report_from(results: list[Any], shapes: Graph, data: Graph | Callable[[], Graph]) -> Report:
    """The :class:`kg.validate.Report` of results: sorted, with the W3C results graph.

    Results are sorted on the structure of the blank-node shapes and paths they name, which is
    all the sort needs; the results graph itself is made only when someone reads it.
    """

    structure = Graph()
    copied: set[Node] = set()
    for r in results:
        for term in (r.path, r.shape, r.source_constraint):
            _copy_bnode(shapes, term, structure, copied)
    ordered = sort_results(results, structure)
    return Report(
        conforms=not results,
        results=ordered,
        graph=lambda: _results_graph(ordered, shapes),
        data=data,
    )


def _results_graph(results: list[Any], shapes: Graph) -> Graph:
    """The W3C results graph (``sh:ValidationReport``) of results."""
    graph = Graph()
    root = BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(not results)))
    copied: set[Node] = set()
    for r in results:
        node = BNode()
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((root, SH.result, node))
        graph.add((node, SH.resultSeverity, r.severity_iri or r.severity.iri))
        for prop, term in (
            (SH.focusNode, r.focus_node),
            (SH.resultPath, r.path),
            (SH.sourceConstraintComponent, r.constraint),
            (SH.sourceShape, r.shape),
            (SH.value, r.value),
            (SH.sourceConstraint, r.source_constraint),
        ):
            if term is not None:
                graph.add((node, prop, term))
                if prop in (SH.resultPath, SH.sourceShape, SH.sourceConstraint):
                    _copy_bnode(shapes, term, graph, copied)
        for m in r.messages:
            graph.add((node, SH.resultMessage, m))
    return graph


def _copy_bnode(source: Graph, term: Node, into: Graph, copied: set[Node]) -> None:
    """Copy what ``source`` says about a blank node (recursively), so it can be told apart."""
    if not isinstance(term, BNode) or term in copied:
        return
    copied.add(term)
    for p, o in source.predicate_objects(term):
        into.add((term, p, o))
        _copy_bnode(source, o, into, copied)


def validate_fast(data: Graph, shapes: Graph) -> Report:
    """Validate ``data`` against ``shapes`` with compiled SPARQL queries run by pyoxigraph.

    Gives the results pySHACL gives (focus node, path, constraint component, severity, value,
    source shape), for shapes that :func:`compile_shapes` accepts.

    :param data: the data graph (class hierarchy included).
    :param shapes: the shapes graph.
    :returns: the report.
    :raises Unsupported: the shapes use a feature the compiler does not implement.
    :raises KgShapesError: a query could not be run.
    """
    constraints = compile_shapes(shapes)
    try:
        store, literals = load_store(data)
    except ValueError as exc:
        raise Unsupported(URIRef("urn:x-cchc-kg:data"), f"data Oxigraph refuses ({exc})") from None
    return report_from(run(store, constraints, literals), shapes, data)


def validate_store(
    store: pyoxigraph.Store,
    shapes: Graph,
    *,
    union: bool = False,
    graphs: Iterable[URIRef] | None = None,
    data: Graph | None = None,
) -> Report:
    """Validate the data of a pyoxigraph store in place (no copy; the store is only read).

    :param store: the store.
    :param shapes: the shapes graph.
    :param union: validate the union of the named graphs, not the default graph.
    :param graphs: validate the union of these named graphs (e.g. all but the shapes).
    :param data: the graph the report shows labels from (empty when omitted).
    :returns: the report.
    :raises Unsupported: the shapes use a feature the compiler does not implement.
    """
    import pyoxigraph as ox

    constraints = compile_shapes(shapes)
    names = [ox.NamedNode(str(g)) for g in graphs] if graphs is not None else None
    results = run(store, constraints, union=union, graphs=names)
    if data is None:  # the labels a report shows, fetched only when it is shown
        terms = {t for r in results for t in (r.focus_node, r.value, r.shape)}
        return report_from(results, shapes, lambda: _labels_of(store, terms))
    return report_from(results, shapes, data)


#: Predicates a shapes graph may use without being data: SHACL's own, lists, names and notes.
_SHAPE_ONLY_PREDICATES = frozenset(
    {str(RDF.type), str(RDF.first), str(RDF.rest), str(RDFS.label), str(RDFS.comment)}
)


def holds_only_shapes(store: pyoxigraph.Store, graph: URIRef, shapes: Graph) -> bool:
    """True when the named graph ``graph`` of ``store`` cannot change a validation's results.

    Oxigraph answers over the union of all named graphs about twice as fast as over a list of
    them, so :func:`kg.build.validate_built` validates the union when the one graph it must leave
    out (the shapes) is inert: every triple in it is SHACL's own (``sh:`` predicates, lists,
    labels, types that are ``sh:`` classes), and no shape targets anything such a triple could
    make a focus node (a ``sh:`` class, or subjects or objects of those predicates).

    :param store: the store.
    :param graph: the named graph left out of the data.
    :param shapes: the shapes the data is validated against.
    :returns: whether validating the union gives the results of validating the rest.
    """
    import pyoxigraph as ox

    predicates: set[str] = set()
    for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph))):
        p = quad.predicate.value
        predicates.add(p)
        if not (p.startswith(str(SH)) or p in _SHAPE_ONLY_PREDICATES):
            return False
        if p == str(RDF.type) and not quad.object.value.startswith(str(SH)):
            return False
    for target in (SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetClass):
        for value in shapes.objects(None, target):
            if str(value).startswith(str(SH)) or str(value) in predicates:
                return False
    name = ox.NamedNode(str(graph))
    for node in shapes.objects(None, SH.targetNode):
        if isinstance(node, URIRef) and any(
            store.quads_for_pattern(ox.NamedNode(str(node)), None, None, name)
        ):
            return False
    return True


def _labels_of(store: pyoxigraph.Store, terms: set[Node]) -> Graph:
    """The labels of the terms a report names, so that it can show names, not only IRIs."""
    import pyoxigraph as ox

    out = Graph()
    props = [ox.NamedNode(str(p)) for p in LABEL_PROPERTIES]
    for term in terms:
        if not isinstance(term, URIRef):
            continue
        subject = ox.NamedNode(str(term))
        for prop in props:
            for quad in store.quads_for_pattern(subject, prop, None, None):
                out.add((term, URIRef(prop.value), from_oxigraph(quad.object)))
    return out
