"""SPARQL text: constants written from the shapes graph, and a scanner of users' queries.

The compiler writes queries as text; this module owns the two places where text goes wrong:
writing an RDF term of the shapes graph as a SPARQL constant (escapes, language tags, blank
nodes, which SPARQL cannot name), and reading a query a user wrote (its variables, keywords and
braces, outside strings, IRIs and comments).
"""

from __future__ import annotations

import re

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

__all__ = [
    "BNODE_FUNCTION",
    "DETAIL_PARENT",
    "DETAIL_ROUTE",
    "ILL_TYPED_GRAPH",
    "ILL_TYPED_P",
    "ILL_TYPED_S",
    "REGEX_FUNCTION",
    "SHAPES_GRAPH",
    "blank_literals",
    "bnode_id",
    "constant",
    "iri",
    "literal",
    "variables",
]

#: ``<fn>("label")`` is the blank node of that label (:mod:`kg.shacl.functions`): SPARQL has
#: no syntax for a blank node constant, and a shape may name one (``sh:hasValue _:b``).
BNODE_FUNCTION = "urn:x-cchc-kg:fn:bnode"
#: ``<fn>(text, pattern, flags)``: Python's regular expressions, as pySHACL reads ``sh:pattern``,
#: for a pattern Oxigraph's (Rust) regular expressions read otherwise.
REGEX_FUNCTION = "urn:x-cchc-kg:fn:regex"


def iri(term: Node | str) -> str:
    """An IRI in angle brackets."""
    return f"<{term}>"


def literal(term: Literal) -> str:
    """A literal written in SPARQL, escaped."""
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


def constant(term: Node) -> str:
    """A term of the shapes graph as a SPARQL expression (a blank node through a function).

    >>> constant(Literal("Hà Nội", lang="vi"))
    '"Hà Nội"@vi'
    """
    if isinstance(term, URIRef):
        return iri(term)
    if isinstance(term, Literal):
        return literal(term)
    if isinstance(term, BNode):
        return f'<{BNODE_FUNCTION}>("{bnode_id(term)}")'
    raise TypeError(f"not an RDF term: {term!r}")


def bnode_id(b: BNode) -> str:
    """The label Oxigraph gives a blank node of rdflib (any label survives the trip)."""
    text = str(b)
    return (
        text
        if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", text) and text[-1] != "."
        else ("x" + text.encode().hex())
    )


def blank_literals(text: str) -> str:
    """The query text with strings, IRIs and comments blanked out (same length, same lines).

    >>> blank_literals('SELECT ?x { ?x <urn:a> "?y" } # ?z')
    'SELECT ?x { ?x         "  " }     '
    """
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            start = i
        elif c in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and text[j : j + len(quote)] != quote:
                j += 2 if text[j] == "\\" else 1
            j = min(n, j + len(quote))
            start = i + len(quote)  # the quotes stay: a string is still a term
            j_end = j - len(quote) if j - len(quote) >= start else j
            for k in range(start, j_end):
                if out[k] != "\n":
                    out[k] = " "
            i = j
            continue
        elif c == "<" and re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:]):
            j = text.index(">", i) + 1
            start = i
        else:
            i += 1
            continue
        for k in range(start, j):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)


_VARIABLE = re.compile(r"[?$]([A-Za-z_0-9][\w]*)")


def variables(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of every variable of a query, outside strings, IRIs and comments.

    >>> [v[2] for v in variables('SELECT $this { $this <urn:p?x> "?y" }')]
    ['this', 'this']
    """
    code = blank_literals(text)
    return [(m.start(), m.end(), m.group(1)) for m in _VARIABLE.finditer(code)]


#: The named graph that lists the literals whose lexical form does not fit their datatype
#: (``<S> <P> literal``): :func:`kg.shacl.components.value_type.datatype_test` looks values up
#: there, and the runner fills it (or writes the list into the query) before the queries run.
ILL_TYPED_GRAPH = "urn:x-cchc-kg:ill-typed"
ILL_TYPED_S = "urn:x-cchc-kg:literal"
ILL_TYPED_P = "urn:x-cchc-kg:is"

#: The named graph the runner loads the shapes graph into when a query names ``$shapesGraph``.
SHAPES_GRAPH = "urn:x-cchc-kg:shapes-graph"

#: ``DETAIL_ROUTE(?var)`` in a query: the runner writes there the values that failed a
#: ``sh:node`` as the focus nodes of the nested shape's queries (``sh:detail``), each with the
#: parent's focus node in :data:`DETAIL_PARENT`.
DETAIL_ROUTE = "KG_DETAIL_ROUTE"
DETAIL_PARENT = "?__parent"
