"""The data in Oxigraph, and terms across the boundary, as the SHACL engine needs them.

A data graph a user brings (rdflib) is loaded into an in-memory pyoxigraph store; its literals
are kept by their Oxigraph term so that a report gives back the data's own literals (Oxigraph
writes ``"80.0"^^xsd:decimal`` as ``80``), and the literals whose lexical form does not fit
their datatype are marked in a graph of their own (:data:`~kg.shacl.text.ILL_TYPED_GRAPH`),
which ``sh:datatype`` looks values up in. Blank nodes keep their labels both ways.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from kg.shacl.text import ILL_TYPED_GRAPH, ILL_TYPED_P, ILL_TYPED_S, bnode_id
from kg.terms import to_oxigraph as store_term

if TYPE_CHECKING:
    import pyoxigraph

__all__ = [
    "ILL_TYPED_DATATYPE",
    "find_ill_typed",
    "from_oxigraph",
    "load_store",
    "to_oxigraph",
    "value_fits",
]

#: The datatype of an ill-typed literal of the data in the store: this prefix, then its own.
ILL_TYPED_DATATYPE = "urn:x-cchc-kg:ill-typed:"


def value_fits(lit: Literal, datatype: URIRef) -> bool:
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
        return ox.BlankNode(bnode_id(term))
    return store_term(term)


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

    A literal rdflib found ill-typed (``"c"^^xsd:byte``) is stored with a datatype of its own
    (:data:`ILL_TYPED_DATATYPE`), so that it stays apart from a well-typed literal rdflib made
    it equal to, and fails ``sh:datatype`` as it must; the report gives back the data's literal.

    :raises ValueError: a term Oxigraph does not accept (an IRI with a space, a bad language tag).
    """
    import pyoxigraph as ox

    # keyed by the term and its verdict: rdflib makes "none"^^xsd:boolean equal to "false"
    cache: dict[tuple[Node, bool], Any] = {}
    literals: dict[Any, Literal] = {}
    default = ox.DefaultGraph()

    def conv(t: Node) -> Any:
        key = (t, isinstance(t, Literal) and bool(t.ill_typed))
        o = cache.get(key)
        if o is None:
            if isinstance(t, Literal) and t.ill_typed:
                # rdflib may have normalised it into a well-typed term ("none"^^xsd:boolean
                # into "false"): a datatype of its own keeps it apart in the store
                o = ox.Literal(str(t), datatype=ox.NamedNode(f"{ILL_TYPED_DATATYPE}{t.datatype}"))
                plain_ill[to_oxigraph(t)] = t  # as a shape may name it (sh:targetNode)
            else:
                o = to_oxigraph(t)
            cache[key] = o
            if isinstance(t, Literal):
                literals[o] = t
                if t.datatype is not None and not value_fits(t, t.datatype):
                    ill.append(o)
                if not t.ill_typed and t.datatype not in (None, XSD.string) and t.value is not None:
                    with contextlib.suppress(TypeError):  # an unhashable value (XML)
                        literals.setdefault((t.datatype, t.value), t)
        return o

    ill: list[Any] = []
    plain_ill: dict[Any, Literal] = {}
    store = ox.Store()
    store.bulk_extend(ox.Quad(conv(s), conv(p), conv(o), default) for s, p, o in data)
    for term, lit in plain_ill.items():
        if term not in literals:  # no well-typed literal of the data is that term
            ill.append(term)
            literals.setdefault(term, lit)
    marker, node = ox.NamedNode(ILL_TYPED_GRAPH), ox.NamedNode(ILL_TYPED_S)
    store.extend(ox.Quad(node, ox.NamedNode(ILL_TYPED_P), lit, marker) for lit in ill)
    return store, literals


def find_ill_typed(
    store: pyoxigraph.Store,
    datatypes: Iterable[str],
    predicates: Iterable[str] | None = None,
    **dataset: Any,
) -> list[Any]:
    """The literals of ``datatypes`` in the store whose lexical form does not fit their datatype.

    ``sh:datatype`` must refuse ``"c"^^xsd:integer``; SPARQL's ``datatype()`` cannot tell, so
    the literals of the checked datatypes are read once and judged as pySHACL judges them. The
    store is only read.

    :param predicates: the predicates whose objects are checked, when the shapes say (a
        tenth of the reading at 1M triples); None reads every triple.
    :param dataset: ``use_default_graph_as_union`` or ``default_graph``, as for the queries.
    """
    wanted = sorted(set(datatypes) - {str(XSD.string), str(RDF.langString)})
    if not wanted:
        return []
    listed = ", ".join(f"<{d}>" for d in wanted)
    only = ""
    if predicates is not None:
        named = " ".join(f"<{p}>" for p in sorted(set(predicates)))
        only = f"VALUES ?p {{ {named} }} "
    rows = store.query(
        f"SELECT DISTINCT ?o WHERE {{ {only}?s ?p ?o "
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
            if not value_fits(Literal(lit.value, datatype=dt), dt):
                bad.append(lit)
    finally:
        logger.setLevel(level)
    return bad
