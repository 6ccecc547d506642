"""The shapes graph as the compiler reads it (https://www.w3.org/TR/shacl/#shapes).

Which nodes are shapes and which have targets, a shape's parameters, severity, messages and
whether it is deactivated, well-formed RDF lists, and the syntax rules whose breach makes the
shapes graph ill-formed (a failure, :class:`~kg.errors.KgShapesError`, as pySHACL raises it).
Recursive shapes are found here too: SHACL leaves their validation undefined, and no finite
query can follow them.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from kg.errors import KgShapesError
from kg.shacl.model import Unsupported, shape_name

__all__ = ["TARGETS", "ShapesGraph", "malformed"]

#: The target declarations of SHACL Core.
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)

#: Parameters that take a shape (or a list of shapes): the edges of the shape graph.
_SHAPE_PARAMETERS = (SH.node, SH.property, SH["not"], SH.qualifiedValueShape)
_SHAPE_LISTS = (SH["and"], SH["or"], SH.xone)

#: Parameters that hold one value at most (https://www.w3.org/TR/shacl/#syntax-rules).
SINGLE = (
    SH.minCount,
    SH.maxCount,
    SH.minLength,
    SH.maxLength,
    SH.closed,
    SH.ignoredProperties,
    SH["in"],
    SH.languageIn,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
    SH.uniqueLang,
    SH.flags,
    SH.path,
    SH.severity,
    SH.deactivated,
)


def malformed(what: str) -> KgShapesError:
    """The error of a shapes graph that breaks a syntax rule of SHACL."""
    return KgShapesError(f"the shapes graph is malformed: {what}")


class ShapesGraph:
    """A shapes graph, read: values, lists, shapes with targets, and shape references.

    :param graph: the shapes graph.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def values(self, node: Node, prop: URIRef) -> list[Node]:
        """The values of ``prop`` at ``node``, in one order run after run."""
        return sorted(self.graph.objects(node, prop), key=_order)

    def one(self, node: Node, prop: URIRef) -> Node | None:
        """The one value of ``prop`` at ``node``, or None.

        :raises KgShapesError: the node has several.
        """
        values = self.values(node, prop)
        if len(values) > 1:
            raise malformed(f"{shape_name(node)} has {len(values)} values of {_short(prop)}")
        return values[0] if values else None

    def count(self, node: Node, prop: URIRef) -> int | None:
        """A cardinality parameter (``sh:minCount`` ...): a non-negative integer, or None."""
        value = self.one(node, prop)
        if value is None:
            return None
        if (
            not isinstance(value, Literal)
            or value.datatype != XSD.integer
            or not isinstance(value.value, int)
            or value.value < 0
        ):
            raise malformed(
                f"{_short(prop)} of {shape_name(node)} is {value.n3()}, not a non-negative "
                "xsd:integer"
            )
        return int(value.value)

    def flag(self, node: Node, prop: URIRef) -> bool:
        """A boolean parameter: true only for the term ``true`` (SHACL compares terms)."""
        return self.one(node, prop) == Literal(True)

    def items(self, node: Node) -> list[Node]:
        """The members of a well-formed RDF list.

        :raises KgShapesError: the list is not one (a cycle, a node without ``rdf:rest``).
        """
        out: list[Node] = []
        seen: set[Node] = set()
        while node != RDF.nil:
            if node in seen or not isinstance(node, BNode | URIRef):
                raise malformed(f"{node.n3()} is not a well-formed RDF list")
            seen.add(node)
            first = list(self.graph.objects(node, RDF.first))
            rest = list(self.graph.objects(node, RDF.rest))
            if len(first) != 1 or len(rest) != 1:
                raise malformed(f"{node.n3()} is not a well-formed RDF list")
            out.append(first[0])
            node = rest[0]
        return out

    def is_deactivated(self, shape: Node) -> bool:
        return self.flag(shape, SH.deactivated)

    def severity(self, shape: Node) -> URIRef:
        value = self.one(shape, SH.severity)
        if value is None:
            return SH.Violation
        if not isinstance(value, URIRef):
            raise malformed(f"the sh:severity of {shape_name(shape)} is not an IRI")
        return value

    def messages(self, node: Node) -> tuple[Literal, ...]:
        return tuple(m for m in self.values(node, SH.message) if isinstance(m, Literal))

    def with_targets(self) -> list[Node]:
        """The shapes that have targets, explicit or implicit (a shape that is a class)."""
        found: set[Node] = set()
        for prop in TARGETS:
            found.update(self.graph.subjects(prop, None))
        for cls in (RDFS.Class, OWL.Class):
            for s in self.graph.subjects(RDF.type, cls):
                if self.is_typed_shape(s):
                    found.add(s)
        for s in self.graph.subjects(SH.target, None):
            raise Unsupported(s, "sh:target (SHACL Advanced Features)")
        return sorted(found, key=_order)

    def is_typed_shape(self, node: Node) -> bool:
        return (node, RDF.type, SH.NodeShape) in self.graph or (
            node,
            RDF.type,
            SH.PropertyShape,
        ) in self.graph

    def implicit_class(self, shape: Node) -> bool:
        """True when the shape is a class itself, and so targets its instances."""
        return isinstance(shape, URIRef) and any(
            (shape, RDF.type, c) in self.graph for c in (RDFS.Class, OWL.Class)
        )

    def referenced(self, shape: Node) -> Iterator[tuple[URIRef, Node]]:
        """(parameter, shape) for every shape ``shape`` refers to."""
        for prop in _SHAPE_PARAMETERS:
            for value in self.values(shape, prop):
                yield prop, value
        for prop in _SHAPE_LISTS:
            for value in self.values(shape, prop):
                for member in self.items(value):
                    yield prop, member

    def refuse_recursion(self, roots: list[Node]) -> None:
        """Refuse a shape that refers to itself, through any chain of shape parameters.

        SHACL leaves the validation of recursive shapes undefined
        (https://www.w3.org/TR/shacl/#shapes-recursion); a shape that refers to itself has no
        finite query, so the engine says which chain loops rather than guess.

        :raises Unsupported: a chain of references from ``roots`` returns to a shape.
        """
        done: set[Node] = set()
        for root in roots:
            self._visit(root, [], [], done)

    def _visit(self, shape: Node, chain: list[Node], via: list[URIRef], done: set[Node]) -> None:
        if shape in chain:
            start = chain.index(shape)
            steps = [shape_name(chain[start])]
            for prop, node in zip(via[start:], [*chain[start + 1 :], shape], strict=True):
                steps.append(f"{_short(prop)} {shape_name(node)}")
            raise Unsupported(
                shape,
                "recursive shapes",
                " → ".join(steps) + ": SHACL leaves their validation undefined",
            )
        if shape in done:
            return
        chain.append(shape)
        for prop, other in self.referenced(shape):
            via.append(prop)
            self._visit(other, chain, via, done)
            via.pop()
        chain.pop()
        done.add(shape)


def _order(term: Node) -> tuple[int, str]:
    """IRIs and literals by their text; blank nodes by what the graph says of them is left to
    the report's sort, which alone must not depend on labels."""
    return (isinstance(term, BNode), term.n3())


def _short(prop: URIRef) -> str:
    text = str(prop)
    return "sh:" + text.removeprefix(str(SH)) if text.startswith(str(SH)) else f"<{text}>"
