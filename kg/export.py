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

The writers sort once and join a list of strings at the end, so the cost grows as n log n with
the size of the graph.
"""

from __future__ import annotations

import gc
import hashlib
import heapq
import json
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from kg.errors import KgUsageError
from kg.graph import KnowledgeGraph
from kg.io import Format, write_atomic
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

#: A quad as the writers see it: the graph name is None for the merged default graph.
Quad = tuple[Node, Node, Node, "URIRef | None"]
Triple = tuple[Node, Node, Node]

_INDENT = "    "

_RDF_TYPE = RDF.type
_RDF_FIRST = RDF.first
_RDF_REST = RDF.rest
_RDF_NIL = RDF.nil
_KNOWN_TERMS = frozenset({URIRef, BNode, Literal})


def _is_blank(term: object) -> bool:
    """``isinstance(term, BNode)``, fast for rdflib's own classes (isinstance goes through abc)."""
    cls = term.__class__
    return cls is BNode if cls in _KNOWN_TERMS else isinstance(term, BNode)


def _is_literal(term: object) -> bool:
    cls = term.__class__
    return cls is Literal if cls in _KNOWN_TERMS else isinstance(term, Literal)


_WIDTH = 100


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
    gc.disable()  # millions of new tuples: the collector would rescan the store again and again
    try:
        found = _quads(kg, graph)
        quads: list[Quad]
        if fmt.quads:
            quads = found  # a store holds each quad once
        elif len({q[3] for q in found}) > 1:  # a triple in two graphs is written once
            quads = [(s, p, o, None) for s, p, o in dict.fromkeys(q[:3] for q in found)]
        else:
            quads = [(s, p, o, None) for s, p, o, _ in found]
        labels = canonical_labels(quads)
        return _WRITERS[fmt](quads, labels).encode("utf-8")
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


def _quads(kg: KnowledgeGraph, graph: str | None) -> list[Quad]:
    """The quads of every named graph, or of the one named ``graph``, on any store."""
    if graph is not None:
        kg.graph(graph)  # raises with the list of names when there is no such graph
        name = kg.resolve_name(graph)
        if hasattr(kg, "triples"):
            return [(s, p, o, name) for s, p, o in kg.triples(name)]
        return [(s, p, o, name) for s, p, o in kg.dataset.graph(name)]
    if hasattr(kg, "quads"):
        return list(kg.quads())
    wanted = set(kg.graph_names())  # one pass: much faster in rdflib than one per graph
    return [q for q in kg.dataset.quads((None, None, None, None)) if q[3] in wanted]


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
    templates: dict[BNode, list[tuple[str | BNode, ...]]] = defaultdict(list)
    for quad in quads:
        blanks = {t for t in quad if _is_blank(t)}
        if not blanks:
            continue
        template = tuple(t if _is_blank(t) else "" if t is None else _nq_term(t) for t in quad)
        for b in blanks:
            templates[b].append(template)
    if not templates:
        return {}

    # blank nodes that share a quad are in one component; breaking a tie only touches its own
    parent: dict[BNode, BNode] = {b: b for b in templates}

    def root(b: BNode) -> BNode:
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    for rows in templates.values():
        for row in rows:
            blanks = [t for t in row if _is_blank(t)]
            for other in blanks[1:]:
                parent[root(other)] = root(blanks[0])
    component: dict[BNode, list[BNode]] = defaultdict(list)
    for b in templates:
        component[root(b)].append(b)

    def signature(b: BNode, name: Callable[[BNode], str]) -> str:
        rows = sorted(
            " ".join("_:a" if t == b else name(t) if _is_blank(t) else t for t in row)
            for row in templates[b]
        )
        return "\n".join(rows)

    colour = {b: _sha("0\n" + signature(b, lambda _o: "_:z")) for b in templates}
    classes: dict[str, dict[BNode, None]] = defaultdict(dict)  # open nodes by colour
    for b, c in colour.items():
        classes[c][b] = None
    fixed: dict[BNode, str] = {}
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

    def recolour(b: BNode, c: str) -> str:
        old = colour[b]
        del classes[old][b]
        if not classes[old]:
            del classes[old]
        colour[b] = c
        classes[c][b] = None
        return old

    def refine(group: list[BNode], salt: str = "") -> None:
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


def _nt_iri(iri: str) -> str:
    return "<" + _IRI_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04X}", iri) + ">"


def _quote(text: str) -> str:
    """A string literal body as N-Triples and Turtle both read it: one line, escaped."""
    return '"' + _STRING_UNSAFE.sub(lambda m: _ECHAR.get(m.group(), _uchar(m.group())), text) + '"'


def _uchar(char: str) -> str:
    return f"\\u{ord(char):04X}"


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


def _term_key(term: Node, labels: dict[BNode, str]) -> tuple[int, str, str, str]:
    """The sort key of a term: IRIs, then blank nodes, then literals.

    ``labels`` maps a blank node to its sort text (see :func:`_blank_order`).
    """
    if _is_blank(term):
        return (1, labels[term], "", "")
    if _is_literal(term):
        return (2, str(term), term.language or "", str(term.datatype or ""))
    return (0, str(term), "", "")


def _predicate_key(predicate: Node) -> tuple[int, str]:
    return (0 if predicate == _RDF_TYPE else 1, str(predicate))


def _sorted_triples(triples: Sequence[Triple], labels: dict[BNode, str]) -> list[Triple]:
    """The triples in output order: by subject, predicate (``rdf:type`` first) and object.

    Blank nodes sort by what they say (their predicates and objects) before their label, so
    that the ``[ ... ]`` of a subject come in an order a reader can follow (the
    ``sh:property`` of a shape by ``sh:path``), not in the random-looking order of hashes.
    """
    order = _blank_order(triples, labels)
    return sorted(
        triples,
        key=lambda t: (_term_key(t[0], order), _predicate_key(t[1]), _term_key(t[2], order)),
    )


def _blank_order(triples: Sequence[Triple], labels: dict[BNode, str]) -> dict[BNode, str]:
    """Sort text of each blank node: its own statements (one level deep), then its label."""
    said: dict[BNode, list[str]] = {}
    for s, p, o in triples:
        if _is_blank(o):
            said.setdefault(o, [])
        if _is_blank(s):
            obj = f"_:{labels[o]}" if _is_blank(o) else _nq_term(o)
            said.setdefault(s, []).append(f"{p} {obj}")
    return {b: "\n".join(sorted(lines)) + "\n" + labels[b] for b, lines in said.items()}


_NAMESPACES = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
_TURTLE_LOCAL = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_.\-/]*[A-Za-z0-9_\-/])?)?")


@lru_cache(maxsize=65536)
def _turtle_iri(iri: str) -> str:
    """``prefix:local`` when a prefix of the contract fits (``/`` escaped), else ``<iri>``."""
    for prefix, ns in _NAMESPACES:
        if iri.startswith(ns):
            local = iri[len(ns) :]
            if _TURTLE_LOCAL.fullmatch(local):
                return f"{prefix}:{local.replace('/', chr(92) + '/')}"
    return _nt_iri(iri)


_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")
_BARE = {str(XSD.integer): _INTEGER, str(XSD.decimal): _DECIMAL}


@lru_cache(maxsize=262144)
def _turtle_literal(literal: Literal) -> str:
    text = str(literal)
    if literal.language:
        return f"{_quote(text)}@{literal.language}"
    if literal.datatype is None:
        return _quote(text)
    datatype = str(literal.datatype)
    bare = _BARE.get(datatype)
    if (bare is not None and bare.fullmatch(text)) or (
        datatype == str(XSD.boolean) and text in ("true", "false")
    ):
        return text
    return f"{_quote(text)}^^{_turtle_iri(datatype)}"


# ---------------------------------------------------------------------------------------------
# N-Triples and N-Quads


def _write_ntriples(quads: Sequence[Quad], labels: dict[BNode, str]) -> str:
    return "".join(sorted(_nq_line(q, labels, with_graph=False) for q in quads))


def _write_nquads(quads: Sequence[Quad], labels: dict[BNode, str]) -> str:
    keyed = sorted((str(q[3]), _nq_line(q, labels, with_graph=True)) for q in quads)
    return "".join(line for _, line in keyed)


def _nq_line(quad: Quad, labels: dict[BNode, str], *, with_graph: bool) -> str:
    s, p, o, g = quad
    parts = [f"_:{labels[t]}" if _is_blank(t) else _nq_term(t) for t in (s, p, o)]
    if with_graph and g is not None:
        parts.append(_nt_iri(str(g)))
    return " ".join(parts) + " .\n"


# ---------------------------------------------------------------------------------------------
# Turtle and TriG


def _write_turtle(quads: Sequence[Quad], labels: dict[BNode, str]) -> str:
    triples = [(s, p, o) for s, p, o, _ in quads]
    out = [_prefix_block()]
    out.extend(_TurtleBody(triples, labels, _inlinable(quads), "").write())
    return "".join(out)


def _write_trig(quads: Sequence[Quad], labels: dict[BNode, str]) -> str:
    by_graph: dict[URIRef | None, list[Triple]] = defaultdict(list)
    for s, p, o, g in quads:
        by_graph[g].append((s, p, o))
    inline = _inlinable(quads)
    out = [_prefix_block()]
    for name in sorted(by_graph, key=lambda n: str(n) if n is not None else ""):
        out.append("\n")
        body = _TurtleBody(by_graph[name], labels, inline, _INDENT).write()
        head = _turtle_iri(str(name)) + " {\n" if name is not None else "{\n"
        out.append(head + "".join(body).lstrip("\n") + "}\n")
    return "".join(out)


def _prefix_block() -> str:
    return "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())


def _inlinable(quads: Sequence[Quad]) -> set[BNode]:
    """Blank nodes that are the object of exactly one triple and live in one graph only.

    Such a node can be written as ``[ ... ]`` where it is used, with no label; a node used
    twice, or in two graphs of a TriG file, keeps its label so both uses name the same node.
    """
    uses: dict[BNode, int] = defaultdict(int)
    graphs: dict[BNode, set[URIRef | None]] = defaultdict(set)
    for s, _, o, g in quads:
        if _is_blank(o):
            uses[o] += 1
            graphs[o].add(g)
        if _is_blank(s):
            graphs[s].add(g)
    return {b for b, n in uses.items() if n == 1 and len(graphs[b]) == 1}


class _TurtleBody:
    """The statements of one graph in Turtle: grouped by subject, sorted, blank nodes inlined."""

    def __init__(
        self,
        triples: Sequence[Triple],
        labels: dict[BNode, str],
        inline: set[BNode],
        indent: str,
    ) -> None:
        self.labels = labels
        self.indent = indent
        # subject -> [(predicate, [objects])], all in output order
        self.props: dict[Node, list[tuple[Node, list[Node]]]] = {}
        for s, p, o in _sorted_triples(triples, labels):
            entries = self.props.setdefault(s, [])
            if entries and entries[-1][0] == p:
                entries[-1][1].append(o)
            else:
                entries.append((p, [o]))
        self.inline = set(inline)  # one with no statements of its own is written ``[]``
        self.done: set[Node] = set()
        self.lists = self._find_lists()

    def _find_lists(self) -> dict[BNode, list[Node]]:
        """Well-formed RDF lists whose nodes are all inlinable: head -> items."""
        found: dict[BNode, list[Node]] = {}
        for head in self.inline:
            items: list[Node] = []
            node: Node = head
            seen: set[Node] = set()
            while node != _RDF_NIL:
                entries = self.props.get(node)
                if (
                    not _is_blank(node)
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
        for subject in self.props:
            if subject not in self.inline:
                out.append(self._statement(subject))
        # inlinable nodes no top-level subject reaches (a cycle of blank nodes): write them
        # top-level, in label order, so that every node is written exactly once
        for subject in self.props:
            if subject not in self.done and _is_blank(subject):
                self.inline.discard(subject)
                out.append(self._statement(subject))
        return out

    def _statement(self, subject: Node) -> str:
        self.done.add(subject)
        cont = self.indent + _INDENT
        return f"\n{self.indent}{self._name(subject)} {self._po_list(subject, cont)} .\n"

    def _name(self, term: Node) -> str:
        if _is_blank(term):
            return f"_:{self.labels[term]}"
        if _is_literal(term):
            return _turtle_literal(term)
        return _turtle_iri(str(term))

    def _po_list(self, subject: Node, indent: str) -> str:
        parts = []
        for predicate, objects in self.props[subject]:
            head = "a" if predicate == _RDF_TYPE else self._name(predicate)
            blocks = any(self._is_inline(o) for o in objects)
            rendered = [self._object(o, indent) for o in objects]
            line = head + " " + ", ".join(rendered)
            if len(objects) > 1 and not blocks and len(indent) + len(line) > _WIDTH:
                line = head + " " + (",\n" + indent + _INDENT).join(rendered)
            parts.append(line)
        return (" ;\n" + indent).join(parts)

    def _is_inline(self, term: Node) -> bool:
        return _is_blank(term) and term in self.inline and term not in self.done

    def _object(self, term: Node, indent: str) -> str:
        if not self._is_inline(term):
            return self._name(term)
        assert _is_blank(term)
        items = self.lists.get(term)
        if items is not None:
            node: Node = term
            while node != _RDF_NIL:  # mark the list's own nodes as written
                self.done.add(node)
                node = self.props[node][1][1][0]
            return "( " + " ".join(self._object(i, indent) for i in items) + " )"
        self.done.add(term)
        if term not in self.props:
            return "[]"
        inner = indent + _INDENT
        return "[\n" + inner + self._po_list(term, inner) + "\n" + indent + "]"


# ---------------------------------------------------------------------------------------------
# JSON-LD


def _write_jsonld(quads: Sequence[Quad], labels: dict[BNode, str]) -> str:
    """JSON-LD with the context inline, one node object per line (so a diff shows subjects)."""
    by_graph: dict[URIRef | None, list[Triple]] = defaultdict(list)
    for s, p, o, g in quads:
        by_graph[g].append((s, p, o))
    context = json.dumps(jsonld_context()["@context"], ensure_ascii=False, indent=2)
    out = ['{\n  "@context": ', context.replace("\n", "\n  "), ',\n  "@graph": [']
    first = True
    for name in sorted(by_graph, key=lambda n: str(n) if n is not None else ""):
        nodes = [_json(node) for node in _jsonld_nodes(by_graph[name], labels)]
        if name is None:  # the default graph's nodes stand at the top level
            items = nodes
        else:
            head = '{"@id": ' + _json(_jsonld_iri(str(name))) + ', "@graph": ['
            items = [head + "\n      " + ",\n      ".join(nodes) + "\n    ]}"]
        for item in items:
            out.append(("\n    " if first else ",\n    ") + item)
            first = False
    out.append("\n  ]\n}\n")
    return "".join(out)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _jsonld_nodes(triples: Sequence[Triple], labels: dict[BNode, str]) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    current: Node | None = None
    node: dict[str, Any] = {}
    for s, p, o in _sorted_triples(triples, labels):
        if s != current:
            current = s
            node = {"@id": _jsonld_id(s, labels)}
            nodes.append(node)
        if p == _RDF_TYPE and not _is_literal(o):
            node.setdefault("@type", []).append(_jsonld_id(o, labels))
        else:
            node.setdefault(_jsonld_iri(str(p)), []).append(_jsonld_value(o, labels))
    return nodes


def _jsonld_id(term: Node, labels: dict[BNode, str]) -> str:
    return f"_:{labels[term]}" if _is_blank(term) else _jsonld_iri(str(term))


@lru_cache(maxsize=65536)
def _jsonld_iri(iri: str) -> str:
    """A compact IRI (``id:unit/01``) when a prefix fits, else the IRI itself."""
    for prefix, ns in _NAMESPACES:
        if iri.startswith(ns):
            local = iri[len(ns) :]
            if local and not local.startswith("//"):
                return f"{prefix}:{local}"
    return iri


def _jsonld_value(term: Node, labels: dict[BNode, str]) -> Any:
    if not _is_literal(term):
        return {"@id": _jsonld_id(term, labels)}
    if term.language:
        return {"@value": str(term), "@language": term.language}
    if term.datatype is not None:
        return {"@value": str(term), "@type": _jsonld_iri(str(term.datatype))}
    return str(term)


# ---------------------------------------------------------------------------------------------
# RDF/XML

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_XML_TEXT = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}
_XML_ATTR = {**_XML_TEXT, '"': "&quot;", "\n": "&#10;", "\t": "&#9;"}


def _xml_escape(text: str, table: dict[str, str]) -> str:
    return "".join(table.get(c, c) for c in text) if any(c in table for c in text) else text


@lru_cache(maxsize=65536)
def _xml_element(iri: str) -> tuple[str, str]:
    """The element name of a predicate and, when no prefix of ours fits, its own xmlns."""
    for prefix, ns in _NAMESPACES:
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


def _write_rdfxml(quads: Sequence[Quad], labels: dict[BNode, str]) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF']
    out.extend(f'\n    xmlns:{p}="{_xml_escape(iri, _XML_ATTR)}"' for p, iri in PREFIXES.items())
    out.append(">\n")
    current: Node | None = None
    for s, p, o in _sorted_triples([(s, p, o) for s, p, o, _ in quads], labels):
        if s != current:
            if current is not None:
                out.append("  </rdf:Description>\n")
            current = s
            out.append(f"  <rdf:Description {_xml_node(s, 'about', labels)}>\n")
        name, xmlns = _xml_element(str(p))
        if _is_literal(o):
            attrs = xmlns
            if o.language:
                attrs += f' xml:lang="{o.language}"'
            elif o.datatype is not None:
                attrs += f' rdf:datatype="{_xml_escape(str(o.datatype), _XML_ATTR)}"'
            if _XML_INVALID.search(str(o)):
                raise KgUsageError(
                    f"the literal {_nq_term(o)} holds a control character that XML cannot "
                    "carry; export as Turtle, N-Triples or JSON-LD instead"
                )
            text = _xml_escape(str(o), _XML_TEXT)
            out.append(f"    <{name}{attrs}>{text}</{name}>\n")
        else:
            out.append(f"    <{name}{xmlns} {_xml_node(o, 'resource', labels)}/>\n")
    if current is not None:
        out.append("  </rdf:Description>\n")
    out.append("</rdf:RDF>\n")
    return "".join(out)


def _xml_node(term: Node, attribute: str, labels: dict[BNode, str]) -> str:
    if _is_blank(term):
        return f'rdf:nodeID="{labels[term]}"'
    return f'rdf:{attribute}="{_xml_escape(str(term), _XML_ATTR)}"'


_WRITERS: dict[Format, Callable[[Sequence[Quad], dict[BNode, str]], str]] = {
    Format.TURTLE: _write_turtle,
    Format.NTRIPLES: _write_ntriples,
    Format.NQUADS: _write_nquads,
    Format.TRIG: _write_trig,
    Format.JSONLD: _write_jsonld,
    Format.RDFXML: _write_rdfxml,
}
