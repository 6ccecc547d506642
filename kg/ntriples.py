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

import re
from collections.abc import Iterator
from functools import lru_cache
from json.encoder import encode_basestring_ascii as _quote

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

__all__ = [
    "IRI_UNSAFE",
    "iri",
    "literal",
    "nt_iri",
    "quote",
    "read_ntriples",
    "term",
    "unescape",
]


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


#: Characters an IRI written in N-Triples must escape.
IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_STRING_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\]')
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_UNECHAR = {v[1]: k for k, v in _ECHAR.items()} | {"'": "'"}
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_BLANK_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def nt_iri(value: str) -> str:
    r"""An IRI as N-Triples writes it, the characters it may not hold escaped.

    >>> print(nt_iri("urn:a b"))
    <urn:a\u0020b>
    """
    return "<" + IRI_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04X}", value) + ">"


def quote(text: str) -> str:
    """A string literal body as N-Triples and Turtle both read it: one line, escaped, every
    other character as it is (as Oxigraph writes it).

    >>> print(quote('Xã "Tân Lập"'))
    "Xã \\"Tân Lập\\""
    """
    return '"' + _STRING_UNSAFE.sub(lambda m: _ECHAR.get(m.group(), _uchar(m.group())), text) + '"'


def _uchar(char: str) -> str:
    return f"\\u{ord(char):04X}"


def unescape(text: str) -> str:
    """The characters an N-Triples string or IRI body stands for (``\\n``, ``\\u00E9``).

    >>> unescape("a\\u00E9\\n")
    'aé\\n'
    """
    if "\\" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        code = m.group(1) or m.group(2)
        return chr(int(code, 16)) if code else _UNECHAR.get(m.group(3), m.group(3))

    return _ESCAPE.sub(one, text)


@lru_cache(maxsize=262144)
def term(node: Node) -> str:
    """Any rdflib term as N-Triples (and N-Quads) writes it, in the form Oxigraph writes, so that
    a graph dumped by either store reads the same (a blank node keeps its label where N-Triples
    allows it, else a label made of its hex).

    >>> term(Literal("Hà Nội", lang="vi")), term(BNode("b1")), term(URIRef("urn:x"))
    ('"Hà Nội"@vi', '_:b1', '<urn:x>')
    """
    cls = node.__class__
    if cls is Literal or (cls is not URIRef and isinstance(node, Literal)):
        text = quote(str(node))
        if node.language:  # type: ignore[attr-defined]
            return f"{text}@{node.language}"  # type: ignore[attr-defined]
        if node.datatype is not None:  # type: ignore[attr-defined]
            return f"{text}^^{nt_iri(node.datatype)}"  # type: ignore[attr-defined]
        return text
    if cls is BNode or (cls is not URIRef and isinstance(node, BNode)):
        label = str(node)
        if not _BLANK_LABEL.fullmatch(label) or label.endswith("."):
            label = "x" + label.encode().hex()
        return f"_:{label}"
    return nt_iri(str(node))


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
