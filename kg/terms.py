"""Terms across the boundary with Oxigraph: rdflib terms in, pyoxigraph terms out, and back.

Everything above the stores speaks rdflib terms (:mod:`kg.stores.base`); Oxigraph speaks its
own. The conversions live here, below the stores, so that the Oxigraph store, the compiled SHACL
engine and the server's streaming answers make terms the same way, and each distinct term of an
answer once: an rdflib literal takes microseconds of Python to make.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from kg.errors import KgUsageError

__all__ = ["graph_triples", "rdflib_terms", "select_rows", "to_oxigraph", "to_rdflib"]

#: A triple of rdflib terms.
Triple = tuple[Node, Node, Node]

_XSD_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)


def _ox() -> Any:
    try:
        import pyoxigraph
    except ImportError:  # pragma: no cover - a dependency of the package
        raise KgUsageError("the oxigraph store needs pyoxigraph: pip install pyoxigraph") from None
    return pyoxigraph


#: pyoxigraph terms already made, by a key of plain strings: rdflib's ``__eq__`` is Python,
#: and a cache keyed by rdflib terms called it on every hit.
_TERMS: dict[object, Any] = {}
_TERMS_MAX = 1 << 16


def to_oxigraph(term: Node) -> Any:
    """An rdflib term as a pyoxigraph term (a plain literal is an ``xsd:string``)."""
    kind = type(term)
    if kind is URIRef:
        key: object = str(term)
    elif kind is Literal:
        datatype = term.datatype  # type: ignore[attr-defined]
        key = (str(term), term.language, None if datatype is None else str(datatype))  # type: ignore[attr-defined]
    else:
        return _convert(term)
    found = _TERMS.get(key)
    if found is None:
        if len(_TERMS) >= _TERMS_MAX:
            _TERMS.clear()
        found = _TERMS[key] = _convert(term)
    return found


def _convert(term: Node) -> Any:
    ox = _ox()
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise KgUsageError(f"{term!r} is not an RDF term the oxigraph store can hold")


def to_rdflib(term: Any) -> Node:
    """A pyoxigraph term as an rdflib term; ``xsd:string`` comes back as a plain literal, as
    rdflib's parsers make it."""
    ox = _ox()
    kind = type(term)
    if kind is ox.NamedNode:
        return _iri(term.value)
    if kind is ox.Literal:
        if term.language:
            return _text(term.value, term.language)
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _LANG_STRING):
            return _text(term.value, None)
        # Oxigraph keeps the value of a number, not its lexical form: "1.0"^^xsd:decimal
        # comes back as "1", "080"^^xsd:integer as "80" (same value, so same answers)
        return Literal(term.value, datatype=URIRef(datatype))
    if kind is ox.BlankNode:
        return BNode(term.value)
    raise KgUsageError(f"the oxigraph store returned {term!r}, which cannot be shown as RDF 1.1")


def _iri(value: str) -> URIRef:
    """``URIRef(value)`` without its check: Oxigraph gives only IRIs it has parsed."""
    return str.__new__(URIRef, value)


def _text(value: str, language: str | None) -> Literal:
    """``Literal(value, lang=language)`` for a string Oxigraph gives, ten times faster.

    rdflib's constructor parses the lexical form against its datatype and checks the tag;
    a string has no datatype to parse and Oxigraph has checked the tag, so the literal is
    made as the constructor ends up making it (its value is the string itself).
    tests/test_oxigraph_terms.py holds it equal to the constructor's, slot by slot.
    """
    literal = str.__new__(Literal, value)
    literal._language = language
    literal._datatype = None
    literal._value = value
    literal._ill_typed = None
    return literal


def rdflib_terms() -> Callable[[Any], Node]:
    """:func:`to_rdflib` that makes each distinct term of one answer once.

    An answer repeats its terms (a kind, a level, a label on every row), and an rdflib term,
    a literal above all, takes microseconds of Python to make: at 57,000 rows of nine
    columns the conversion cost more than the query.
    """
    made: dict[Any, Node] = {}

    def convert(term: Any) -> Node:
        node = made.get(term)
        if node is None:
            node = made[term] = to_rdflib(term)
        return node

    return convert


def select_rows(answer: Any) -> tuple[list[str], Iterator[dict[str, Node]]]:
    """The variables of a pyoxigraph SELECT answer and its rows as rdflib terms (unbound
    variables left out), read as the caller iterates."""
    names = [v.value for v in answer.variables]
    convert = rdflib_terms()

    def rows() -> Iterator[dict[str, Node]]:
        for solution in answer:
            yield {n: convert(v) for n, v in zip(names, solution, strict=True) if v is not None}

    return names, rows()


def graph_triples(answer: Any) -> Iterator[Triple]:
    """The triples of a pyoxigraph CONSTRUCT or DESCRIBE answer as rdflib terms."""
    convert = rdflib_terms()
    for t in answer:
        yield convert(t.subject), convert(t.predicate), convert(t.object)
