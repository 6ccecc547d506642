"""Serialise the knowledge graph to the standard RDF formats, byte for byte the same every time.

Two exports of the same graph, made in any two processes, are identical bytes, so that a diff of
two exports shows only what changed. That takes three things rdflib's own serialisers do not
promise, so every format here has a small writer of its own:

* **one order**: subjects sorted (IRIs, then blank nodes, by text), ``rdf:type`` first and the
  other predicates sorted by IRI, objects sorted (IRIs, blank nodes, literals), named graphs
  sorted by name;
* **one prefix set**: the contract's :data:`kg.namespaces.PREFIXES`, all of them, in that order,
  declared whether used or not (never an invented ``ns1:``);
* **stable blank-node labels**: see :func:`canonical_labels`. In Turtle and TriG a blank node
  used once is written inline as ``[ ... ]`` (or ``( ... )`` for an RDF list), so most labels
  never show.

Turtle, N-Triples and RDF/XML merge every named graph into one default graph; TriG, N-Quads and
JSON-LD keep the named graphs, so that provenance survives the export (ARCHITECTURE.md, "Named
graphs"). JSON-LD is compacted with the context shipped as ``kg/context.jsonld``, which is made
from PREFIXES by :func:`jsonld_context` (a test keeps the file and the function in step).

Speed: the writers never hold a term as an rdflib object. Every term is its N-Triples text
(``<iri>``, ``_:id``, ``"text"@vi``) and every triple the line ``s p o``; on the Oxigraph store
those lines come from Oxigraph's own N-Triples writer (Rust), one named graph at a time, so a
million triples cross into Python as one string each. The order is computed once per distinct
term (a rank), and the triples sorted by one integer made of three ranks. Blank-node labelling
only looks at the lines that hold a blank node. The terms are written as
:func:`kg.stores.oxigraph.to_rdflib` would give them (a typed literal whose form rdflib
normalises is normalised here too), so the bytes are those of the rdflib path, whichever store
holds the graph.
"""

from __future__ import annotations

import gc
import hashlib
import heapq
import json
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from itertools import groupby, islice, repeat
from operator import add, itemgetter, mul
from pathlib import Path
from typing import IO, Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from kg.errors import KgUsageError
from kg.graph import KnowledgeGraph
from kg.io import Format, quiet_rdflib, write_atomic
from kg.namespaces import PREFIXES

__all__ = [
    "CONTEXT_FILE",
    "canonical_labels",
    "export",
    "graph_sizes",
    "jsonld_context",
    "serialize",
]

#: The JSON-LD context shipped with the package: the contract's prefixes as JSON-LD terms.
CONTEXT_FILE = Path(__file__).with_name("context.jsonld")

#: A quad as :func:`canonical_labels` takes it: the graph name is None for the default graph.
Quad = tuple[Node, Node, Node, "URIRef | None"]

#: The statements to write: named graph (its IRI, "" for the merged default graph) -> lines
#: ``s p o`` of N-Triples terms (no final `` .``), blank nodes as ``_:`` and any id.
Statements = dict[str, list[str]]
#: A triple of N-Triples terms.
Triple = Sequence[str]

_INDENT = "    "
_WIDTH = 100

_RDF_TYPE = f"<{RDF.type}>"
_RDF_FIRST = f"<{RDF.first}>"
_RDF_REST = f"<{RDF.rest}>"
_RDF_NIL = f"<{RDF.nil}>"
_KNOWN_TERMS = frozenset({URIRef, BNode, Literal})


def _is_blank(term: object) -> bool:
    """``isinstance(term, BNode)``, fast for rdflib's own classes (isinstance goes through abc)."""
    cls = term.__class__
    return cls is BNode if cls in _KNOWN_TERMS else isinstance(term, BNode)


def _is_literal(term: object) -> bool:
    cls = term.__class__
    return cls is Literal if cls in _KNOWN_TERMS else isinstance(term, Literal)


class _Cache(dict[Any, Any]):
    """A dict that computes a missing value once: ``cache[key]`` stays a C-speed lookup."""

    def __init__(self, make: Callable[[Any], Any]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.make(key)
        return value


# ---------------------------------------------------------------------------------------------
# Public API


def serialize(kg: KnowledgeGraph, format: Format | str, *, graph: str | None = None) -> bytes:
    """The graph (or one named graph) as UTF-8 bytes in ``format``, the same bytes every time.

    Triple formats (Turtle, N-Triples, RDF/XML) merge the named graphs into one; quad formats
    (TriG, N-Quads, JSON-LD) keep them. See the module docstring for the order and labels.

    :param kg: the knowledge graph.
    :param format: a :class:`~kg.io.Format`, or a ``--format`` label such as ``"ttl"``.
    :param graph: the short name (``article/x``) or IRI of one named graph to export instead.
    :returns: the serialisation.
    :raises KgUsageError: the format is unknown, or no graph has that name (the message lists
        the names there are).

    >>> from rdflib import Graph, Literal, URIRef
    >>> kg = KnowledgeGraph()
    >>> g = Graph(); _ = g.add((URIRef("urn:x"), URIRef("urn:p"), Literal("Hà Nội", lang="vi")))
    >>> kg.add("example", g)
    >>> print(serialize(kg, "nq").decode(), end="")
    <urn:x> <urn:p> "Hà Nội"@vi <https://w3id.org/cchc/graph/example> .
    """
    fmt = format if isinstance(format, Format) else Format.from_label(format)
    collecting = gc.isenabled()
    gc.disable()  # millions of new strings and tuples: the collector would rescan them all
    try:
        found = _statements(kg, graph)
        if not fmt.quads:  # a triple in two graphs is written once
            lines = next(iter(found.values()), [])
            if len(found) > 1:
                lines = list(dict.fromkeys(line for group in found.values() for line in group))
            found = {"": lines}
        labels = _blank_labels(found)
        return _WRITERS[fmt](found, labels).encode("utf-8")
    finally:
        if collecting:
            gc.enable()


def export(
    kg: KnowledgeGraph,
    output: str | Path | IO[bytes] | None = None,
    *,
    format: Format | str,
    graph: str | None = None,
) -> bytes:
    """Serialise the graph and write it to ``output``: a file (atomically) or a binary stream.

    A file is written whole or not at all (:func:`kg.io.write_atomic`), so a failed export never
    leaves half a file behind. With no ``output`` the bytes are only returned.

    :param kg: the knowledge graph.
    :param output: a path, an open binary stream, or None.
    :param format: a :class:`~kg.io.Format` or a ``--format`` label.
    :param graph: the short name or IRI of one named graph to export instead of all.
    :returns: the bytes written.
    :raises KgUsageError: unknown format or graph name.
    :raises KgFileError: the file cannot be written.
    """
    data = serialize(kg, format, graph=graph)
    if isinstance(output, str | Path):
        write_atomic(output, data)
    elif output is not None:
        output.write(data)
    return data


def _quads(kg: KnowledgeGraph, graph: str | None) -> list[tuple[Node, Node, Node, URIRef]]:
    """The quads of every named graph, or of the one named ``graph``, as rdflib terms."""
    if graph is not None:
        kg.graph(graph)  # raises with the list of names when there is no such graph
        name = kg.resolve_name(graph)
        return [(s, p, o, name) for s, p, o in kg.triples(name)]
    return list(kg.quads())


def _statements(kg: KnowledgeGraph, graph: str | None) -> Statements:
    """The lines of every non-empty named graph (or of the one named ``graph``), by graph."""
    if graph is not None:
        kg.graph(graph)  # raises with the list of names when there is no such graph
        names = [kg.resolve_name(graph)]
    else:
        names = kg.graph_names()
    dump = getattr(kg.store, "ntriples", None)
    found: Statements = {}
    if dump is not None:  # Oxigraph writes the N-Triples itself
        for name in names:
            found[str(name)] = _oxigraph_lines(dump(name))
    else:
        terms = _RdflibTerms()
        quads = (
            ((s, p, o, names[0]) for s, p, o in kg.triples(names[0]))
            if graph is not None
            else kg.quads()
        )
        text = terms.text
        for s, p, o, g in quads:
            found.setdefault(str(g), []).append(f"{text[s]} {text[p]} {text[o]}")
    return {name: lines for name, lines in sorted(found.items()) if lines}


class _RdflibTerms:
    """N-Triples text of rdflib terms; blank nodes get short ids of their own (``_:n1``)."""

    def __init__(self) -> None:
        self.blanks = 0
        self.text: dict[Node, str] = _Cache(self._make)

    def _make(self, term: Node) -> str:
        if _is_blank(term):
            self.blanks += 1
            return f"_:n{self.blanks}"
        return _nq_term(term)


def graph_sizes(kg: KnowledgeGraph) -> list[tuple[URIRef, int]]:
    """Each named graph with its number of triples, sorted by name (``kg export --list-graphs``).

    >>> from rdflib import Graph, URIRef
    >>> kg = KnowledgeGraph()
    >>> g = Graph(); _ = g.add((URIRef("urn:x"), URIRef("urn:p"), URIRef("urn:y")))
    >>> kg.add("example", g)
    >>> [(kg.short_name(n), size) for n, size in graph_sizes(kg)]
    [('example', 1)]
    """
    return [(name, kg.graph_size(name)) for name in kg.graph_names()]


def jsonld_context() -> dict[str, Any]:
    """The JSON-LD context of the export: each prefix of PREFIXES as a term, in that order.

    ``kg/context.jsonld`` holds exactly this, so users can compact their own JSON-LD with it.

    >>> jsonld_context()["@context"]["org"]
    'http://www.w3.org/ns/org#'
    """
    return {"@context": dict(PREFIXES)}


def context_text() -> str:
    """The text of ``kg/context.jsonld`` as :func:`jsonld_context` makes it."""
    return json.dumps(jsonld_context(), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------------------------------------
# Blank-node labels


def canonical_labels(quads: Sequence[Quad]) -> dict[BNode, str]:
    """A label for every blank node that depends only on the graph, never on rdflib's labels.

    rdflib gives each blank node a random label per process, so it cannot be written as is. This
    is colour refinement, the scheme RDFC-1.0 (https://www.w3.org/TR/rdf-canon/) starts from:

    1. Each blank node's first colour is the SHA-256 of its sorted quads written as N-Quads,
       with itself written ``_:a`` and every other blank node ``_:z`` (RDFC-1.0's "hash first
       degree quads"): a node is told apart by what it says and what is said of it.
    2. Each round, every blank node's new colour is the hash of its colour and its sorted
       quads with each other blank node written as that node's colour of the last round; so
       after n rounds a colour sums up everything within n steps. Rounds go on while they
       split colour classes. A node gets its label the round its colour becomes unique, and
       keeps it: a label depends on the node's neighbourhood, so an edit in one shape does
       not relabel the blank nodes of another.
    3. If a class of equal colours remains when rounds stop splitting (nodes such as the two
       ``[]`` in ``ex:s ex:p [], []``), the first of the class with the smallest colour is made
       distinct and rounds resume. For nodes that are interchangeable (an automorphism of the
       graph swaps them), which is how ties arise in RDF written as ``[ ... ]`` and lists,
       either choice gives the same output. Graphs built to fool colour refinement (regular
       graphs of blank nodes) can still label differently from run to run: RDFC-1.0's
       n-degree search is what full canonicity costs, and our data has no such graphs.

    The label is ``b`` and the first 16 hex digits of the colour (more if two would clash).

    :param quads: the quads to be written (graph name None for the default graph).
    :returns: the label (without ``_:``) of every blank node in them.

    >>> from rdflib import BNode, URIRef
    >>> p = URIRef("urn:p")
    >>> one = canonical_labels([(URIRef("urn:s"), p, BNode(), None)])
    >>> two = canonical_labels([(URIRef("urn:s"), p, BNode(), None)])
    >>> list(one.values()) == list(two.values())
    True
    """
    terms = _RdflibTerms()
    text = terms.text
    rows = [tuple("" if t is None else text[t] for t in quad) for quad in quads]
    labels = _canonical(rows)
    return {b: labels[text[b]] for b in text if _is_blank(b)}


def _blank_labels(found: Statements) -> dict[str, str]:
    """:func:`canonical_labels` of the lines that hold a blank node, by their ``_:`` term."""
    rows = []
    for name, lines in found.items():
        graph = _nt_iri(name) if name else ""
        for line in lines:
            if "_:" in line:  # also in a literal's text: the split tells
                s, p, o = line.split(" ", 2)
                if s[0] == "_" or o[0] == "_":
                    rows.append((s, p, o, graph))
    return _canonical(rows) if rows else {}


def _canonical(rows: Sequence[tuple[str, ...]]) -> dict[str, str]:
    """The labels of :func:`canonical_labels`, for quads of N-Triples terms (``_:`` blank)."""
    templates: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for row in rows:
        blanks = {t for t in row if t[:2] == "_:"}
        for b in blanks:
            templates[b].append(row)
    if not templates:
        return {}

    # blank nodes that share a quad are in one component; breaking a tie only touches its own
    parent: dict[str, str] = {b: b for b in templates}

    def root(b: str) -> str:
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    for found in templates.values():
        for row in found:
            blanks = [t for t in row if t[:2] == "_:"]
            for other in blanks[1:]:
                parent[root(other)] = root(blanks[0])
    component: dict[str, list[str]] = defaultdict(list)
    for b in templates:
        component[root(b)].append(b)

    def signature(b: str, name: Callable[[str], str]) -> str:
        lines = sorted(
            " ".join("_:a" if t == b else name(t) if t[:2] == "_:" else t for t in row)
            for row in templates[b]
        )
        return "\n".join(lines)

    colour = {b: _sha("0\n" + signature(b, lambda _o: "_:z")) for b in templates}
    classes: dict[str, dict[str, None]] = defaultdict(dict)  # open nodes by colour
    for b, c in colour.items():
        classes[c][b] = None
    fixed: dict[str, str] = {}
    ties: list[str] = []  # a heap of colours that may have two or more open nodes

    def settle(c: str) -> None:
        members = classes.get(c)
        if members is not None and len(members) == 1 and c not in fixed_colours:
            (b,) = members
            del classes[c]
            fixed[b] = c
            fixed_colours.add(c)
        elif members is not None and len(members) > 1:
            heapq.heappush(ties, c)

    def recolour(b: str, c: str) -> str:
        old = colour[b]
        del classes[old][b]
        if not classes[old]:
            del classes[old]
        colour[b] = c
        classes[c][b] = None
        return old

    def refine(group: list[str], salt: str = "") -> None:
        """Rounds over ``group`` until they split its colour classes no further.

        ``salt`` (the colour of the node just chosen) keeps the new colours of this component
        apart from those of a copy of it that has not been refined yet.
        """
        group = [b for b in group if b not in fixed]
        while group:
            before = len({colour[b] for b in group})
            new = {
                b: _sha(colour[b] + salt + "\n" + signature(b, colour.__getitem__)) for b in group
            }
            touched = {recolour(b, c) for b, c in new.items()} | set(new.values())
            for c in sorted(touched):
                settle(c)
            if len(set(new.values())) == before:
                return
            group = [b for b in group if b not in fixed]

    fixed_colours: set[str] = set()
    for c in sorted(classes):
        settle(c)
    refine(list(templates))
    chosen: dict[str, int] = defaultdict(int)
    while ties:
        c = heapq.heappop(ties)
        if len(classes.get(c, ())) < 2:
            continue
        first = next(iter(classes[c]))
        recolour(first, _sha(f"{c}\nchosen {chosen[c]}"))
        chosen[c] += 1
        settle(colour[first])
        settle(c)
        refine(component[root(first)], colour[first])
    for b in templates:  # only a hash collision leaves a node here; keep the output sound
        if b not in fixed:
            fixed[b] = _sha(f"{colour[b]}\nleft {len(fixed)}")

    short: dict[str, int] = defaultdict(int)
    for digest in fixed.values():
        short[digest[:16]] += 1
    return {b: "b" + (d[:16] if short[d[:16]] == 1 else d) for b, d in fixed.items()}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# Terms


_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_STRING_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\]')
_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_UNECHAR = {v[1]: k for k, v in _ECHAR.items()} | {"'": "'"}
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)


def _nt_iri(iri: str) -> str:
    return "<" + _IRI_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04X}", iri) + ">"


def _quote(text: str) -> str:
    """A string literal body as N-Triples and Turtle both read it: one line, escaped."""
    return '"' + _STRING_UNSAFE.sub(lambda m: _ECHAR.get(m.group(), _uchar(m.group())), text) + '"'


def _uchar(char: str) -> str:
    return f"\\u{ord(char):04X}"


def _unescape(text: str) -> str:
    """The characters an N-Triples string or IRI body stands for (``\\n``, ``\\u00E9``)."""
    if "\\" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        code = m.group(1) or m.group(2)
        return chr(int(code, 16)) if code else _UNECHAR.get(m.group(3), m.group(3))

    return _ESCAPE.sub(one, text)


@lru_cache(maxsize=262144)
def _nq_term(term: Node) -> str:
    """An IRI or literal as N-Quads writes it (blank nodes are the caller's business)."""
    if _is_literal(term):
        text = _quote(str(term))
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return f"{text}^^{_nt_iri(term.datatype)}"
        return text
    return _nt_iri(str(term))


def _iri(term: str) -> str:
    """The IRI an N-Triples ``<...>`` term stands for."""
    return _unescape(term[1:-1])


def _literal(term: str) -> tuple[str, str, str]:
    """An N-Triples literal as (text, language or "", datatype IRI or "")."""
    close = term.rfind('"')  # a quote in the text is escaped; the suffix has none
    text = _unescape(term[1:close])
    suffix = term[close + 1 :]
    if not suffix:
        return text, "", ""
    if suffix[0] == "@":
        return text, suffix[1:], ""
    return text, "", _iri(suffix[2:])


# Oxigraph's N-Triples are what :func:`_nq_term` writes of the rdflib terms that
# :func:`kg.stores.oxigraph.to_rdflib` makes, but for two things fixed here: Oxigraph escapes
# the non-characters U+FFFE and U+FFFF, and gives a typed literal's lexical form as it holds
# it, where rdflib normalises the forms it can read (``"1.5E0"^^xsd:double`` is ``"1.5"``).
_NONCHARACTER = re.compile(r"\\\\|\\uFFF[EF]")
_NORMALISED = re.compile(
    r'"\^\^<(http://www\.w3\.org/(?:2001/XMLSchema#|1999/02/22-rdf-syntax-ns#)[^>\s]*)>'
)
_XSD = str(XSD)
_XSD_STRING = f"{_XSD}string"
_SAME = {  # forms rdflib writes back unchanged: (datatype, pattern of the form)
    f"{_XSD}integer": re.compile(r"0|-?[1-9][0-9]{0,99}"),
    f"{_XSD}date": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    f"{_XSD}boolean": re.compile(r"true|false"),
}


def _oxigraph_lines(data: bytes) -> list[str]:
    """Oxigraph's N-Triples of one graph as lines ``s p o``, each term as rdflib would give it."""
    text = data.decode("utf-8")
    if "\\uFFF" in text:
        text = _NONCHARACTER.sub(_noncharacter, text)
    if '"^^<http://www.w3.org/' in text:
        text = _normalise_typed(text)
    lines = text.split(" .\n")  # " ." and a new line end every line, and nothing else
    lines.pop()  # after the last one
    return lines


def _normalise_typed(text: str) -> str:
    """Each typed literal of rdflib's datatypes in the form rdflib gives it (most are already).

    Found by their ``"^^<datatype>`` ending (a fast search), then read back to the opening
    quote (a quote inside the text is escaped); only the literals that change are rewritten.
    """
    forms: dict[str, str] = {}
    pieces: list[str] = []
    done = 0
    with quiet_rdflib():
        for match in _NORMALISED.finditer(text):
            if not text.startswith(" .\n", match.end()):
                continue  # the same characters inside a literal's text
            start = text.rfind('"', 0, match.start())  # no quote in the text is unescaped
            whole = text[start : match.end()]
            form = forms.get(whole)
            if form is None:
                body = text[start + 1 : match.start()]
                form = forms[whole] = _rdflib_form(body, match.group(1))
            if form != whole:
                pieces += (text[done:start], form)
                done = match.end()
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def _noncharacter(match: re.Match[str]) -> str:
    escape = match.group()
    return escape if escape == "\\\\" else chr(int(escape[2:], 16))


def _rdflib_form(body: str, datatype: str) -> str:
    """A typed literal as rdflib holds it, from its N-Triples string body and datatype."""
    same = _SAME.get(datatype)
    if same is not None and same.fullmatch(body):
        return f'"{body}"^^<{datatype}>'
    text = _unescape(body)
    if datatype == _XSD_STRING:
        return _quote(text)
    return _quote(str(Literal(text, datatype=URIRef(datatype)))) + "^^" + _nt_iri(datatype)


def _split(lines: Iterable[str]) -> list[list[str]]:
    """Lines ``s p o`` as triples (an IRI or blank node holds no space; a literal may)."""
    return [line.split(" ", 2) for line in lines]


def _relabel(line: str, labels: dict[str, str]) -> str:
    """A line with each blank node written with its canonical label."""
    if "_:" not in line:
        return line
    s, p, o = line.split(" ", 2)
    if s[0] != "_" and o[0] != "_":
        return line
    s = "_:" + labels[s] if s[0] == "_" else s
    o = "_:" + labels[o] if o[0] == "_" else o
    return f"{s} {p} {o}"


def _term_key(term: str, blanks: dict[str, str]) -> tuple[int, str, str, str]:
    """The sort key of a term: IRIs, then blank nodes, then literals.

    ``blanks`` maps a blank node to its sort text (see :func:`_blank_order`).
    """
    first = term[0]
    if first == "<":
        return (0, _iri(term), "", "")
    if first == "_":
        return (1, blanks[term], "", "")
    return (2, *_literal(term))


def _predicate_key(predicate: str) -> tuple[int, str]:
    return (0 if predicate == _RDF_TYPE else 1, _iri(predicate))


def _sorted_triples(triples: list[list[str]], labels: dict[str, str]) -> list[list[str]]:
    """The triples in output order: by subject, predicate (``rdf:type`` first) and object.

    Blank nodes sort by what they say (their predicates and objects) before their label, so
    that the ``[ ... ]`` of a subject come in an order a reader can follow (the
    ``sh:property`` of a shape by ``sh:path``), not in the random-looking order of hashes.

    Each distinct term is ranked once; a triple's key is then one integer made of the ranks.
    """
    terms = set(map(itemgetter(0), triples))
    terms.update(map(itemgetter(2), triples))
    rank = _ranks(terms, _blank_order(triples, labels) if labels else {})
    predicates = sorted(set(map(itemgetter(1), triples)), key=_predicate_key)
    prank = {p: n * len(rank) for n, p in enumerate(predicates)}
    width = len(prank) * len(rank)
    # key = rank(s) * width + prank(p) + rank(o), computed by C functions only (map)
    of_rank = rank.__getitem__
    subjects = map(mul, map(of_rank, map(itemgetter(0), triples)), repeat(width))
    rest = map(
        add,
        map(prank.__getitem__, map(itemgetter(1), triples)),
        map(of_rank, map(itemgetter(2), triples)),
    )
    keys = list(map(add, subjects, rest))
    return list(map(triples.__getitem__, sorted(range(len(triples)), key=keys.__getitem__)))


_INSIDE = itemgetter(slice(1, -1))


def _ranks(terms: Iterable[str], blanks: dict[str, str]) -> dict[str, int]:
    """Each term's place in the order of :func:`_term_key`: IRIs, blank nodes, literals.

    The same order as sorting by :func:`_term_key`, faster: an IRI without escapes sorts by
    what is inside its ``<...>``, taken by a C function rather than a Python one.
    """
    ordered = sorted(terms)  # as text: literals ("), IRIs (<), blank nodes (_)
    first_iri, first_blank = bisect_left(ordered, "<"), bisect_left(ordered, "_")
    literals, iris = ordered[:first_iri], ordered[first_iri:first_blank]
    others = ordered[first_blank:]
    iris.sort(key=_iri if any("\\" in t for t in iris) else _INSIDE)
    others.sort(key=blanks.__getitem__)
    literals.sort(key=_literal)
    order = iris + others + literals
    return dict(zip(order, range(len(order)), strict=True))


def _blank_order(triples: Iterable[Triple], labels: dict[str, str]) -> dict[str, str]:
    """Sort text of each blank node: its own statements (one level deep), then its label."""
    said: dict[str, list[str]] = {}
    for s, p, o in triples:
        if o[0] == "_":
            said.setdefault(o, [])
        if s[0] == "_":
            obj = f"_:{labels[o]}" if o[0] == "_" else o
            said.setdefault(s, []).append(f"{_iri(p)} {obj}")
    return {b: "\n".join(sorted(lines)) + "\n" + labels[b] for b, lines in said.items()}


_NAMESPACES = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
_TURTLE_LOCAL = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.\-/]*[A-Za-z0-9_\-/])?)?")


def _authority(iri: str) -> str:
    """``https://w3id.org/`` of an IRI: every namespace that starts an IRI shares its own."""
    return iri[: iri.find("/", 8) + 1]


_BY_AUTHORITY: dict[str, list[tuple[str, str]]] = defaultdict(list)
for _prefix, _ns in _NAMESPACES:
    _BY_AUTHORITY[_authority(_ns) if _ns.find("/", 8) > 0 else ""].append((_prefix, _ns))


def _namespaces(iri: str) -> list[tuple[str, str]]:
    """The (prefix, namespace) pairs that may start ``iri``, longest namespace first."""
    if "" in _BY_AUTHORITY:  # a namespace with no path: no shortcut
        return _NAMESPACES
    return _BY_AUTHORITY.get(_authority(iri), [])


@lru_cache(maxsize=65536)
def _turtle_iri(iri: str) -> str:
    """``prefix:local`` when a prefix of the contract fits (``/`` escaped), else ``<iri>``."""
    for prefix, ns in _namespaces(iri):
        if iri.startswith(ns):
            local = iri[len(ns) :]
            if _TURTLE_LOCAL.fullmatch(local):
                return f"{prefix}:{local.replace('/', chr(92) + '/')}"
    return _nt_iri(iri)


_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")
_BARE = {str(XSD.integer): _INTEGER, str(XSD.decimal): _DECIMAL}


def _turtle_term(term: str) -> str:
    """An IRI or literal in Turtle: a prefixed name, a bare number, or N-Triples text."""
    if term[0] == "<":
        return _turtle_iri(_iri(term) if "\\" in term else term[1:-1])
    if term[-1] != ">":  # a plain or language-tagged literal: as in N-Triples
        return term
    text, _, datatype = _literal(term)
    bare = _BARE.get(datatype)
    if (bare is not None and bare.fullmatch(text)) or (
        datatype == str(XSD.boolean) and text in ("true", "false")
    ):
        return text
    return term[: term.rfind('"') + 1] + "^^" + _turtle_iri(datatype)


def _names(labels: dict[str, str]) -> dict[str, str]:
    """Each term as Turtle writes it, computed on first use; blank nodes by their label."""
    names = _Cache(_turtle_term)
    for b, label in labels.items():
        names[b] = "_:" + label
    return names


# ---------------------------------------------------------------------------------------------
# N-Triples and N-Quads


def _write_ntriples(found: Statements, labels: dict[str, str]) -> str:
    lines = [_relabel(line, labels) for line in found[""]] if labels else list(found[""])
    lines.sort()  # as whole lines: no line is the start of another followed by " "
    return "".join(line + " .\n" for line in lines)


def _write_nquads(found: Statements, labels: dict[str, str]) -> str:
    out = []
    for name in sorted(found):
        graph = " " + _nt_iri(name) + " .\n"
        lines = [_relabel(line, labels) for line in found[name]] if labels else found[name]
        out.extend(line + graph for line in sorted(lines))
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Turtle and TriG


def _write_turtle(found: Statements, labels: dict[str, str]) -> str:
    names = _names(labels)
    body = _TurtleBody(_split(found[""]), labels, _inlinable(found), "", names)
    return _prefix_block() + "".join(body.write())


def _write_trig(found: Statements, labels: dict[str, str]) -> str:
    inline = _inlinable(found)
    names = _names(labels)
    out = [_prefix_block()]
    for name in sorted(found):
        out.append("\n")
        body = _TurtleBody(_split(found[name]), labels, inline, _INDENT, names).write()
        head = _turtle_iri(name) + " {\n" if name else "{\n"
        out.append(head + "".join(body).lstrip("\n") + "}\n")
    return "".join(out)


def _prefix_block() -> str:
    return "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())


def _inlinable(found: Statements) -> set[str]:
    """Blank nodes that are the object of exactly one triple and live in one graph only.

    Such a node can be written as ``[ ... ]`` where it is used, with no label; a node used
    twice, or in two graphs of a TriG file, keeps its label so both uses name the same node.
    """
    uses: dict[str, int] = defaultdict(int)
    graphs: dict[str, set[str]] = defaultdict(set)
    for g, lines in found.items():
        for line in lines:
            if "_:" not in line:
                continue
            s, _, o = line.split(" ", 2)
            if o[0] == "_":
                uses[o] += 1
                graphs[o].add(g)
            if s[0] == "_":
                graphs[s].add(g)
    return {b for b, n in uses.items() if n == 1 and len(graphs[b]) == 1}


class _TurtleBody:
    """The statements of one graph in Turtle: grouped by subject, sorted, blank nodes inlined.

    Subjects that are IRIs are written as the sorted triples stream by; the statements of
    blank nodes (which sort last) are gathered first, to be written inline where used.
    """

    def __init__(
        self,
        triples: list[list[str]],
        labels: dict[str, str],
        inline: set[str],
        indent: str,
        names: dict[str, str],
    ) -> None:
        self.names = names
        self.indent = indent
        self.ordered = _sorted_triples(triples, labels)
        self.cut = len(self.ordered)  # where the blank subjects start
        while self.cut and self.ordered[self.cut - 1][0][0] == "_":
            self.cut -= 1
        # blank subject -> [(predicate, [objects])], all in output order
        self.props = {
            s: _entries(group) for s, group in groupby(self.ordered[self.cut :], key=itemgetter(0))
        }
        # subjects with a blank node as object: their objects may be written inline
        self.holders = {t[0] for t in triples if t[2][0] == "_"} if labels else set()
        self.inline = set(inline)  # one with no statements of its own is written ``[]``
        self.done: set[str] = set()
        self.lists = self._find_lists()

    def _find_lists(self) -> dict[str, list[str]]:
        """Well-formed RDF lists whose nodes are all inlinable: head -> items."""
        found: dict[str, list[str]] = {}
        for head in self.inline:
            items: list[str] = []
            node = head
            seen: set[str] = set()
            while node != _RDF_NIL:
                entries = self.props.get(node)
                if (
                    node[0] != "_"
                    or node in seen
                    or node not in self.inline
                    or entries is None
                    or len(entries) != 2
                    or entries[0][0] != _RDF_FIRST
                    or entries[1][0] != _RDF_REST
                    or len(entries[0][1]) != 1
                    or len(entries[1][1]) != 1
                ):
                    break
                seen.add(node)
                items.append(entries[0][1][0])
                node = entries[1][1][0]
            else:
                found[head] = items
        return found

    def write(self) -> list[str]:
        out: list[str] = []
        before = "\n" + self.indent
        cont = self.indent + _INDENT
        if self.holders:
            for subject, group in groupby(self.ordered[: self.cut], key=itemgetter(0)):
                entries = _entries(group)
                if subject in self.holders:
                    body = self._po_list(entries, cont)
                else:
                    body = _plain_po_list(entries, cont, self.names)
                out.append(f"{before}{self.names[subject]} {body} .\n")
        else:
            _write_plain(self.ordered, self.cut, before, cont, self.names, out)
        for subject in self.props:
            if subject not in self.inline:
                out.append(self._statement(subject))
        # inlinable nodes no top-level subject reaches (a cycle of blank nodes): write them
        # top-level, in label order, so that every node is written exactly once
        for subject in self.props:
            if subject not in self.done:
                self.inline.discard(subject)
                out.append(self._statement(subject))
        return out

    def _statement(self, subject: str) -> str:
        self.done.add(subject)
        cont = self.indent + _INDENT
        po = self._po_list(self.props[subject], cont)
        return f"\n{self.indent}{self.names[subject]} {po} .\n"

    def _po_list(self, entries: list[tuple[str, list[str]]], indent: str) -> str:
        parts = []
        for predicate, objects in entries:
            head = "a" if predicate == _RDF_TYPE else self.names[predicate]
            blocks = any(self._is_inline(o) for o in objects)
            rendered = [self._object(o, indent) for o in objects]
            line = head + " " + ", ".join(rendered)
            if len(objects) > 1 and not blocks and len(indent) + len(line) > _WIDTH:
                line = head + " " + (",\n" + indent + _INDENT).join(rendered)
            parts.append(line)
        return (" ;\n" + indent).join(parts)

    def _is_inline(self, term: str) -> bool:
        return term[0] == "_" and term in self.inline and term not in self.done

    def _object(self, term: str, indent: str) -> str:
        if not self._is_inline(term):
            return self.names[term]
        items = self.lists.get(term)
        if items is not None:
            node = term
            while node != _RDF_NIL:  # mark the list's own nodes as written
                self.done.add(node)
                node = self.props[node][1][1][0]
            return "( " + " ".join(self._object(i, indent) for i in items) + " )"
        self.done.add(term)
        if term not in self.props:
            return "[]"
        inner = indent + _INDENT
        return "[\n" + inner + self._po_list(self.props[term], inner) + "\n" + indent + "]"


def _plain_po_list(entries: list[tuple[str, list[str]]], indent: str, names: dict[str, str]) -> str:
    """:meth:`_TurtleBody._po_list` when no object is a blank node: each object is its name."""
    parts = []
    get = names.__getitem__
    for predicate, objects in entries:
        rendered = list(map(get, objects))
        head = "a " if predicate == _RDF_TYPE else get(predicate) + " "
        line = head + ", ".join(rendered)
        if len(objects) > 1 and len(indent) + len(line) > _WIDTH:
            line = head + (",\n" + indent + _INDENT).join(rendered)
        parts.append(line)
    return (" ;\n" + indent).join(parts)


def _write_plain(
    ordered: list[list[str]],
    stop: int,
    before: str,
    indent: str,
    names: dict[str, str],
    out: list[str],
) -> None:
    """The statements of ``ordered[:stop]``, none with a blank node, appended to ``out``.

    What :meth:`_TurtleBody.write` does, in one pass over the triples: this is the loop a
    million triples go through, so it does as little per triple as it can.
    """
    wrap = ",\n" + indent + _INDENT
    next_predicate = " ;\n" + indent
    heads = _Cache(lambda p: "a " if p == _RDF_TYPE else names[p] + " ")
    subject = predicate = ""
    head = ""
    objects: list[str] = []
    parts: list[str] = []
    for s, p, o in islice(ordered, stop):
        if p == predicate and s == subject:
            objects.append(o)
            continue
        if objects:  # the last predicate's line
            if len(objects) == 1:
                parts.append(head + names[objects[0]])
            else:
                rendered = list(map(names.__getitem__, objects))
                line = head + ", ".join(rendered)
                if len(indent) + len(line) > _WIDTH:
                    line = head + wrap.join(rendered)
                parts.append(line)
        if s != subject:
            if parts:
                out.append(f"{before}{names[subject]} {next_predicate.join(parts)} .\n")
                parts = []
            subject = s
        predicate = p
        head = heads[p]
        objects = [o]
    if objects:
        rendered = list(map(names.__getitem__, objects))
        line = head + ", ".join(rendered)
        if len(objects) > 1 and len(indent) + len(line) > _WIDTH:
            line = head + wrap.join(rendered)
        parts.append(line)
        out.append(f"{before}{names[subject]} {next_predicate.join(parts)} .\n")


def _entries(triples: Iterable[Triple]) -> list[tuple[str, list[str]]]:
    """The sorted triples of one subject as [(predicate, [objects])]."""
    return [(p, [t[2] for t in group]) for p, group in groupby(triples, key=itemgetter(1))]


# ---------------------------------------------------------------------------------------------
# JSON-LD


def _write_jsonld(found: Statements, labels: dict[str, str]) -> str:
    """JSON-LD with the context inline, one node object per line (so a diff shows subjects)."""
    context = json.dumps(jsonld_context()["@context"], ensure_ascii=False, indent=2)
    out = ['{\n  "@context": ', context.replace("\n", "\n  "), ',\n  "@graph": [']
    first = True
    for name in sorted(found):
        nodes = [_json(node) for node in _jsonld_nodes(_split(found[name]), labels)]
        if not name:  # the default graph's nodes stand at the top level
            items = nodes
        else:
            head = '{"@id": ' + _json(_jsonld_iri(name)) + ', "@graph": ['
            items = [head + "\n      " + ",\n      ".join(nodes) + "\n    ]}"]
        for item in items:
            out.append(("\n    " if first else ",\n    ") + item)
            first = False
    out.append("\n  ]\n}\n")
    return "".join(out)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _jsonld_nodes(triples: list[list[str]], labels: dict[str, str]) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    current = ""
    node: dict[str, Any] = {}
    for s, p, o in _sorted_triples(triples, labels):
        if s != current:
            current = s
            node = {"@id": _jsonld_id(s, labels)}
            nodes.append(node)
        if p == _RDF_TYPE and o[0] != '"':
            node.setdefault("@type", []).append(_jsonld_id(o, labels))
        else:
            node.setdefault(_jsonld_iri(_iri(p)), []).append(_jsonld_value(o, labels))
    return nodes


def _jsonld_id(term: str, labels: dict[str, str]) -> str:
    return f"_:{labels[term]}" if term[0] == "_" else _jsonld_iri(_iri(term))


@lru_cache(maxsize=65536)
def _jsonld_iri(iri: str) -> str:
    """A compact IRI (``id:unit/01``) when a prefix fits, else the IRI itself."""
    for prefix, ns in _namespaces(iri):
        if iri.startswith(ns):
            local = iri[len(ns) :]
            if local and not local.startswith("//"):
                return f"{prefix}:{local}"
    return iri


def _jsonld_value(term: str, labels: dict[str, str]) -> Any:
    if term[0] != '"':
        return {"@id": _jsonld_id(term, labels)}
    text, language, datatype = _literal(term)
    if language:
        return {"@value": text, "@language": language}
    if datatype:
        return {"@value": text, "@type": _jsonld_iri(datatype)}
    return text


# ---------------------------------------------------------------------------------------------
# RDF/XML

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_XML_ATTR = _XML_TEXT | str.maketrans({'"': "&quot;", "\n": "&#10;", "\t": "&#9;"})


def _xml_escape(text: str, table: dict[int, str]) -> str:
    return text.translate(table)


@lru_cache(maxsize=65536)
def _xml_element(iri: str) -> tuple[str, str]:
    """The element name of a predicate and, when no prefix of ours fits, its own xmlns."""
    for prefix, ns in _namespaces(iri):
        if iri.startswith(ns) and _NCNAME.fullmatch(iri[len(ns) :]):
            return f"{prefix}:{iri[len(ns) :]}", ""
    match = re.search(r"[A-Za-z_][A-Za-z0-9_.\-]*$", iri)
    if not match:
        raise KgUsageError(
            f"the predicate <{iri}> cannot be written in RDF/XML (its IRI does not end in an "
            "XML name); export as Turtle or N-Triples instead"
        )
    ns = iri[: match.start()]
    return f"p:{match.group()}", f' xmlns:p="{_xml_escape(ns, _XML_ATTR)}"'


def _write_rdfxml(found: Statements, labels: dict[str, str]) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF']
    out.extend(f'\n    xmlns:{p}="{_xml_escape(iri, _XML_ATTR)}"' for p, iri in PREFIXES.items())
    out.append(">\n")
    current = ""
    for s, p, o in _sorted_triples(_split(found[""]), labels):
        if s != current:
            if current:
                out.append("  </rdf:Description>\n")
            current = s
            out.append(f"  <rdf:Description {_xml_node(s, 'about', labels)}>\n")
        name, xmlns = _xml_element(_iri(p))
        if o[0] == '"':
            text, language, datatype = _literal(o)
            attrs = xmlns
            if language:
                attrs += f' xml:lang="{language}"'
            elif datatype:
                attrs += f' rdf:datatype="{_xml_escape(datatype, _XML_ATTR)}"'
            if _XML_INVALID.search(text):
                raise KgUsageError(
                    f"the literal {o} holds a control character that XML cannot "
                    "carry; export as Turtle, N-Triples or JSON-LD instead"
                )
            out.append(f"    <{name}{attrs}>{_xml_escape(text, _XML_TEXT)}</{name}>\n")
        else:
            out.append(f"    <{name}{xmlns} {_xml_node(o, 'resource', labels)}/>\n")
    if current:
        out.append("  </rdf:Description>\n")
    out.append("</rdf:RDF>\n")
    return "".join(out)


def _xml_node(term: str, attribute: str, labels: dict[str, str]) -> str:
    if term[0] == "_":
        return f'rdf:nodeID="{labels[term]}"'
    return f'rdf:{attribute}="{_xml_escape(_iri(term), _XML_ATTR)}"'


_WRITERS: dict[Format, Callable[[Statements, dict[str, str]], str]] = {
    Format.TURTLE: _write_turtle,
    Format.NTRIPLES: _write_ntriples,
    Format.NQUADS: _write_nquads,
    Format.TRIG: _write_trig,
    Format.JSONLD: _write_jsonld,
    Format.RDFXML: _write_rdfxml,
}
