"""N-Triples lines written and read quickly: how the importers hand large lists to a store.

The national units and bodies are some 530,000 triples. Made as rdflib terms, each IRI and
literal costs a Python object (seconds in all), and the Oxigraph store then converts every one
of them again. Written as N-Triples text instead, they cost a formatted line each, and Oxigraph
reads the text with its own parser (in Rust). rdflib's store, the reference, gets the same
lines as rdflib terms from :func:`read_ntriples`, so both stores hold the same triples.

The writers here make only what the importers need: IRIs they build themselves (no characters
to escape) and literals, escaped as `N-Triples <https://www.w3.org/TR/n-triples/>`_ allows.
"""

from __future__ import annotations

from collections.abc import Iterator
from json.encoder import encode_basestring_ascii as _quote

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

__all__ = ["iri", "literal", "read_ntriples"]


def iri(value: str) -> str:
    """An IRI as an N-Triples term, ``<value>`` (the value has nothing to escape).

    >>> iri("https://w3id.org/cchc/id/unit/01")
    '<https://w3id.org/cchc/id/unit/01>'
    """
    return f"<{value}>"


def literal(text: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    r"""A literal as an N-Triples term: quoted, with its language or datatype.

    The text is written in ASCII, every other character as a ``\uXXXX`` escape: the lines
    of a list then make a compact ASCII string that Oxigraph reads without a copy into UTF-8,
    and the escaping is done by the C encoder of :mod:`json` (whose escapes N-Triples shares).

    >>> print(literal('Xã "Tân Lập"', lang="vi"))
    "X\u00e3 \"T\u00e2n L\u1eadp\""@vi
    >>> print(literal("2025-06-30", datatype="http://www.w3.org/2001/XMLSchema#date"))
    "2025-06-30"^^<http://www.w3.org/2001/XMLSchema#date>
    """
    quoted = _quote(text)
    if "\\ud" in quoted and any(ord(c) > 0xFFFF for c in text):
        # JSON writes a character beyond the BMP as two surrogates; N-Triples as \UXXXXXXXX
        quoted = (
            '"'
            + "".join(_quote(c)[1:-1] if ord(c) <= 0xFFFF else f"\\U{ord(c):08X}" for c in text)
            + '"'
        )
    if lang:
        return f"{quoted}@{lang}"
    if datatype:
        return f"{quoted}^^<{datatype}>"
    return quoted


def _unescape(text: str) -> str:
    r"""The text of an escaped N-Triples string: ``\"``, ``\n``, ``\uXXXX`` and the rest.

    Python's ``unicode_escape`` codec knows every escape of N-Triples (and some that valid
    N-Triples never holds); other characters pass through it as escapes of their own.
    """
    if "\\" not in text:
        return text
    return text.encode("ascii", "backslashreplace").decode("unicode_escape")


def _term(text: str) -> Node:
    if text.startswith("<"):
        return URIRef(_unescape(text[1:-1]))
    if text.startswith("_:"):
        return BNode(text[2:])
    end = text.rindex('"')
    value = _unescape(text[1:end])
    rest = text[end + 1 :]
    if rest.startswith("@"):
        return Literal(value, lang=rest[1:])
    if rest.startswith("^^<"):
        return Literal(value, datatype=URIRef(_unescape(rest[3:-1])))
    return Literal(value)


def read_ntriples(data: str) -> Iterator[tuple[Node, Node, Node]]:
    """The triples of N-Triples text as rdflib terms, for a store that has no parser of its own.

    Reads the lines :func:`iri` and :func:`literal` make (one triple a line, the terms apart
    by single spaces, the line ending in `` .``); blank lines and comments are skipped. Each
    distinct term becomes one rdflib object, shared by the triples that use it.

    >>> [str(o) for _, _, o in read_ntriples('<urn:a> <urn:b> "x\\\\ty"@vi .\\n')]
    ['x\\ty']
    """
    terms: dict[str, Node] = {}
    get = terms.get
    for line in data.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        s, p, o = line.split(" ", 2)
        o = o[:-2] if o.endswith(" .") else o.removesuffix(".").rstrip()
        # each term made once, looked up after (inline: a call per term costs a third)
        subject = get(s)
        if subject is None:
            subject = terms[s] = _term(s)
        predicate = get(p)
        if predicate is None:
            predicate = terms[p] = _term(p)
        obj = get(o)
        if obj is None:
            obj = terms[o] = _term(o)
        yield subject, predicate, obj
