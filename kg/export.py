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
JSON-LD keep the named graphs, so that provenance survives the export (docs/architecture.md).
JSON-LD is compacted with the context shipped as ``kg/context.jsonld``, which is made from
PREFIXES by :func:`jsonld_context` (a test keeps the file and the function in step).

Speed: the writers never hold a term as an rdflib object. Every term is its N-Triples text
(``<iri>``, ``_:id``, ``"text"@vi``) and every triple the line ``s p o``; on the Oxigraph store
those lines come from Oxigraph's own N-Triples writer (Rust), one named graph at a time, so a
million triples cross into Python as one string each. The order is computed once per distinct
term (a rank), and the triples sorted by one integer made of three ranks. Blank-node labelling
only looks at the lines that hold a blank node. The terms are written as
:func:`kg.stores.oxigraph.to_rdflib` would give them (a typed literal whose form rdflib
normalises is normalised here too), so the bytes are those of the rdflib path, whichever store
holds the graph.

Why not pyoxigraph's writers (issue 13; ``python -m benchmarks.export``, figures in
docs/benchmarks.md): handing the sorted, labelled N-Quads to ``pyoxigraph.serialize`` is just
as deterministic, and at a million triples it takes less CPU time for Turtle, TriG, JSON-LD and
RDF/XML. But pyoxigraph 0.5 writes less than these writers do. Its Turtle and TriG have no
``[ ... ]`` or ``( ... )``, so every blank node of the shapes appears under its label after all
the named subjects; it does not wrap long object lists or leave a blank line between subjects.
Its JSON-LD is neither compacted nor indented: one line of full IRIs. Its RDF/XML is not XML
when a class or predicate IRI does not end in an XML name (``<oxprefix:>``) or a literal holds a
control character, and it loses carriage returns.
"""

from __future__ import annotations

import gc
import hashlib
import heapq
import json
import re
from bisect import bisect_left
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cached_property, lru_cache
from itertools import accumulate, chain, compress, groupby, islice, repeat
from operator import (
    add,
    contains,
    eq,
    floordiv,
    getitem,
    gt,
    itemgetter,
    methodcaller,
    mod,
    mul,
    ne,
    not_,
    sub,
)
from pathlib import Path
from typing import IO, Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from kg.errors import KgUsageError
from kg.graph import KnowledgeGraph
from kg.io import Format, quiet_rdflib, write_atomic
from kg.namespaces import PREFIXES
from kg.ntriples import IRI_UNSAFE, nt_iri, quote, term, unescape

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
        data = _statements(kg, graph)
        if not fmt.quads:
            data = data.merged()
        return _WRITERS[fmt](data).encode("utf-8")
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


class _Data:
    """What the writers take: the lines ``s p o`` of each graph, and the blank-node labels.

    :ivar lines: the lines of each non-empty graph (its IRI, "" for the merged default graph).
    :ivar blank: the lines of each graph that may hold a blank node (``_:`` in them), so that
        the steps about blank nodes never look at the others.
    :ivar labels: the label of each blank node (:func:`canonical_labels`).
    :ivar repeats: whether a line may come twice in a graph (graphs merged into one): the
        writers then write it once.
    """

    def __init__(self, lines: Statements, blank: Statements, *, repeats: bool = False) -> None:
        self.lines = lines
        self.blank = blank
        self.repeats = repeats

    @cached_property
    def labels(self) -> dict[str, str]:
        return _blank_labels(self.blank)

    def merged(self) -> _Data:
        """The named graphs as one default graph (a triple in two graphs is written once)."""
        if not self.lines:
            return _Data({}, {})
        blank = {"": list(dict.fromkeys(chain.from_iterable(self.blank.values())))}
        if len(self.lines) == 1:
            return _Data({"": next(iter(self.lines.values()))}, blank)
        return _Data({"": list(chain.from_iterable(self.lines.values()))}, blank, repeats=True)


def _statements(kg: KnowledgeGraph, graph: str | None) -> _Data:
    """The lines of every non-empty named graph (or of the one named ``graph``), by graph."""
    if graph is not None:
        kg.graph(graph)  # raises with the list of names when there is no such graph
        names = [kg.resolve_name(graph)]
    else:
        names = kg.graph_names()
    dump = kg.store.dump_ntriples
    found: Statements = {}
    blank: Statements = {}
    # the store writes the N-Triples (Oxigraph in Rust, letting go of the interpreter): the next
    # graph is written while this one is read (one ahead, so that no more than two dumps are
    # held at once)
    with ThreadPoolExecutor(max_workers=1) as pool:
        dumps = deque(pool.submit(dump, name) for name in names[:1])
        for i, name in enumerate(names):
            if i + 1 < len(names):
                dumps.append(pool.submit(dump, names[i + 1]))
            found[str(name)], blank[str(name)] = _dumped_lines(dumps.popleft())
    names = sorted(name for name, lines in found.items() if lines)
    return _Data({name: found[name] for name in names}, {name: blank[name] for name in names})


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
    rows = [tuple("" if t is None else term(t) for t in quad) for quad in quads]
    labels = _canonical(rows)
    blanks = {t for quad in quads for t in quad if t is not None and _is_blank(t)}
    return {b: labels[term(b)] for b in blanks}


def _blank_labels(blank: Statements) -> dict[str, str]:
    """:func:`canonical_labels` of the lines that hold a blank node, by their ``_:`` term.

    :param blank: lines of each graph, among them all that hold a blank node.
    """
    rows = []
    for name, lines in blank.items():
        graph = nt_iri(name) if name else ""
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


def _iri(term: str) -> str:
    """The IRI an N-Triples ``<...>`` term stands for."""
    return unescape(term[1:-1])


def _literal(term: str) -> tuple[str, str, str]:
    """An N-Triples literal as (text, language or "", datatype IRI or "")."""
    close = term.rfind('"')  # a quote in the text is escaped; the suffix has none
    text = unescape(term[1:close])
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
_XSD = str(XSD)
_XSD_STRING = f"{_XSD}string"
_SAME = {  # forms rdflib writes back unchanged: (datatype, pattern of the form)
    f"{_XSD}integer": re.compile(r"0|-?[1-9][0-9]{0,99}"),
    f"{_XSD}date": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    f"{_XSD}boolean": re.compile(r"true|false"),
    f"{_XSD}gYear": re.compile(r"[0-9]{4}"),
    f"{_XSD}decimal": re.compile(r"-?(?:0|[1-9][0-9]{0,17})(?:\.[0-9]{1,18})?"),
}


def _dumped_lines(dump: Future[bytes]) -> tuple[list[str], list[str]]:
    """A store's N-Triples of one graph as lines ``s p o``, each term as rdflib would give it.

    :param dump: the store's N-Triples of the graph, being written.
    :returns: the lines, and those of them that may hold a blank node.
    """
    data = dump.result()
    lines: list[str] = []
    blank: list[str] = []
    forms: dict[str, str] = {}
    start = 0
    while start < len(data):  # a few MB at a time: the text of a million lines is 300 MB
        stop = data.find(b" .\n", start + _CHUNK * 64)
        stop = stop + 3 if stop >= 0 else len(data)
        text = data[start:stop].decode("utf-8")
        start = stop
        if "\\uFFF" in text:
            text = _NONCHARACTER.sub(_noncharacter, text)
        if _TYPED in text:
            text = _normalise_typed(text, forms)
        chunk = text.split(" .\n")  # " ." and a new line end every line, and nothing else
        chunk.pop()  # after the last one
        if "_:" in text:
            blank += _with_blanks(chunk)
        lines += chunk
    return lines, blank


_TYPED = '"^^<http://www.w3.org/'
_NORMALISED_TYPES = re.compile(r"(?:2001/XMLSchema#|1999/02/22-rdf-syntax-ns#)[^>\s]*")


def _normalise_typed(text: str, forms: dict[str, str]) -> str:
    """Each typed literal of rdflib's datatypes in the form rdflib gives it (most are already).

    Found by their ``"^^<http://www.w3.org/`` ending (``str.find``, fast), and only when that
    ends the line; the literal starts after the line's second space (subject and predicate
    hold none). Only the literals that change are rewritten.

    :param text: N-Triples lines.
    :param forms: the form of each typed literal met so far (filled in here).
    """
    pieces: list[str] = []
    done = 0
    find = text.find
    at = find(_TYPED)
    with quiet_rdflib():
        while at >= 0:
            stop = find(">", at + len(_TYPED))
            datatype = text[at + 4 : stop]
            if (
                stop < 0
                or not text.startswith(" .\n", stop + 1)
                or not _NORMALISED_TYPES.fullmatch(datatype, 18)
            ):
                at = find(_TYPED, at + 1)
                continue
            line = text.rfind("\n", 0, at) + 1
            start = text.index(" ", text.index(" ", line) + 1) + 1  # the literal's quote
            whole = text[start : stop + 1]
            form = forms.get(whole)
            if form is None:
                form = forms[whole] = rdflib_form(text[start + 1 : at], datatype)
            if form != whole:
                pieces += (text[done:start], form)
                done = stop + 1
            at = find(_TYPED, stop)
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def _noncharacter(match: re.Match[str]) -> str:
    escape = match.group()
    return escape if escape == "\\\\" else chr(int(escape[2:], 16))


def rdflib_form(body: str, datatype: str) -> str:
    """A typed literal as rdflib holds it, from its N-Triples string body and datatype."""
    same = _SAME.get(datatype)
    if same is not None and same.fullmatch(body):
        return f'"{body}"^^<{datatype}>'
    text = unescape(body)
    if datatype == _XSD_STRING:
        return quote(text)
    return quote(str(Literal(text, datatype=URIRef(datatype)))) + "^^" + nt_iri(datatype)


_CHUNK = 1 << 16


def _columns(lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Lines ``s p o`` as three columns (an IRI or blank node holds no space; a literal may).

    The lines are taken from the end of ``lines`` (left empty), a chunk at a time, so that a
    line is let go as soon as it is split: the columns come in no particular order.
    """
    columns: tuple[list[str], list[str], list[str]] = ([], [], [])
    while lines:
        chunk = lines[-_CHUNK:]
        del lines[-_CHUNK:]
        parts = zip(*map(str.split, chunk, repeat(" "), repeat(2)), strict=True)
        for column, part in zip(columns, parts, strict=True):
            column.extend(part)
    return columns


def _with_blanks(lines: Sequence[str]) -> list[str]:
    """The lines that may hold a blank node (``_:`` may also be in a literal's text)."""
    return list(compress(lines, map(contains, lines, repeat("_:"))))


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


def term_key(term: str, blanks: dict[str, str]) -> tuple[int, str, str, str]:
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


class _Sorted:
    """The triples of one graph in output order, each term as its rank in the term order.

    The order: by subject, predicate (``rdf:type`` first) and object, terms compared by
    :func:`term_key`. Blank nodes sort by what they say (their predicates and objects) before
    their label, so that the ``[ ... ]`` of a subject come in an order a reader can follow (the
    ``sh:property`` of a shape by ``sh:path``), not in the random-looking order of hashes.

    Each distinct term is ranked once, and each triple becomes one number made of its ranks,
    ``(rank(s) * len(predicates) + index(p)) * len(terms) + rank(o)``: a million triples then
    sort as a list of numbers (floats while they are exact: they sort faster than large ints),
    and every step is a C function mapped over a list, with no Python loop over the triples.

    ``terms`` holds the terms by rank: the IRIs first (``iris`` of them), then the blank nodes
    (``blanks``), then the literals. Per triple, in output order: ``subject`` and ``object``
    are ranks, ``predicate`` an index into ``predicates``, and ``group`` the pair of subject
    and predicate as one integer (equal for the objects written after one predicate).
    """

    def __init__(self, data: _Data, graph: str) -> None:
        # the lines are taken out of ``data``: a million of them weigh some 200 MB, and the
        # writers need only these columns once they are made
        lines = data.lines[graph]
        data.lines[graph] = []
        subjects, predicates, objects = _columns(lines)
        terms = set(subjects)
        terms.update(objects)
        blanks: dict[str, str] = {}
        if data.labels:
            rows = (line.split(" ", 2) for line in data.blank[graph])
            blanks = _blank_order(rows, data.labels)
        self.terms, self.iris, self.blanks = _ordered(terms, blanks)
        del terms
        self.predicates = sorted(set(predicates), key=_predicate_key)
        n, m = len(self.terms), len(self.predicates)
        exact = n * n * m < 2**53
        kind: Callable[[int], float] = float if exact else int
        #: the rank of each term (a float while the keys are)
        self.rank = dict(zip(self.terms, map(kind, range(n)), strict=True))
        rank = self.rank.__getitem__
        offset = {p: kind(i * n) for i, p in enumerate(self.predicates)}.__getitem__
        keys = list(
            map(
                add,
                map(mul, map(rank, subjects), repeat(kind(n * m))),
                map(add, map(offset, predicates), map(rank, objects)),
            )
        )
        del subjects, predicates, objects
        keys.sort()
        if data.repeats:  # the same triple from two graphs: keep one
            keys = list(compress(keys, map(ne, keys, chain((-1,), keys))))
        if exact:
            keys = list(map(int, keys))
        self.group = list(map(floordiv, keys, repeat(n)))
        self.object = list(map(mod, keys, repeat(n)))
        del keys
        self.subject = list(map(floordiv, self.group, repeat(m)))
        self.predicate = list(map(mod, self.group, repeat(m)))
        #: where the triples of blank subjects start (they sort after the IRIs)
        self.cut = bisect_left(self.subject, self.iris)

    def triples(self) -> Iterator[tuple[str, str, str]]:
        """The triples in output order, as terms."""
        term = self.terms.__getitem__
        return zip(
            map(term, self.subject),
            map(self.predicates.__getitem__, self.predicate),
            map(term, self.object),
            strict=True,
        )


_INSIDE = itemgetter(slice(1, -1))
_RPARTITION = methodcaller("rpartition", '"')


def _ordered(terms: Iterable[str], blanks: dict[str, str]) -> tuple[list[str], int, int]:
    """The terms in the order of :func:`term_key`: IRIs, blank nodes, literals.

    The same order as sorting by :func:`term_key`, faster: the three kinds are told apart by
    their first character and sorted apart (the IRIs are ASCII, which Python compares fastest),
    an IRI without escapes by what is inside its ``<...>``, taken by a C function rather than
    a Python one, and a literal without escapes by its text, quote and suffix.

    :returns: the ordered terms, how many are IRIs and how many blank nodes.
    """
    terms = list(terms)
    is_iri = list(map(str.startswith, terms, repeat("<")))
    iris = list(compress(terms, is_iri))
    rest = list(compress(terms, map(not_, is_iri)))
    del terms, is_iri
    is_blank = list(map(str.startswith, rest, repeat("_")))
    others = list(compress(rest, is_blank))
    literals = list(compress(rest, map(not_, is_blank)))
    iris.sort(key=_iri if any(map(contains, iris, repeat("\\"))) else _INSIDE)
    others.sort(key=blanks.__getitem__)
    _sort_literals(literals)
    return iris + others + literals, len(iris), len(others)


def _sort_literals(literals: list[str]) -> None:
    """Sort N-Triples literals by :func:`_literal`: text, then language, then datatype.

    The text is all before the last quote, so a C function splits it off (``str.rpartition``)
    and only a text with escapes goes through Python; literals with the same text
    (``"Hà Nội"@en`` and ``@vi``) are then sorted again, by language and datatype.
    """
    # '"' and the text (the last quote closes it): strings compare faster than tuples
    texts = list(map(itemgetter(0), map(_RPARTITION, literals)))
    for i in compress(range(len(texts)), map(contains, texts, repeat("\\"))):
        texts[i] = '"' + unescape(texts[i][1:])
    order = sorted(range(len(texts)), key=texts.__getitem__)
    literals[:] = map(literals.__getitem__, order)
    texts = list(map(texts.__getitem__, order))
    del order
    same = list(compress(range(1, len(texts)), map(eq, texts, islice(texts, 1, None))))
    start = end = -1
    for i in [*same, -1]:  # runs of equal text: sort each by language and datatype
        if i != end + 1:
            if end > start:
                literals[start : end + 1] = sorted(literals[start : end + 1], key=_literal)
            start = i - 1
        end = i


def term_ranks(terms: Iterable[str], blanks: dict[str, str]) -> dict[str, int]:
    """Each term's place in the order of :func:`term_key` (see :func:`_ordered`)."""
    order = _ordered(terms, blanks)[0]
    return dict(zip(order, range(len(order)), strict=True))


def _blank_order(triples: Iterable[Triple], labels: dict[str, str]) -> dict[str, str]:
    """Sort text of each blank node: its own statements (one level deep), then its label.

    ``triples`` must hold every triple with a blank subject or object (others are skipped).
    """
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
    return nt_iri(iri)


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


def _turtle_names(order: _Sorted, labels: dict[str, str]) -> list[str]:
    """Each term of ``order`` as Turtle writes it (:func:`_turtle_term`), by rank."""
    terms = order.terms
    start = order.iris + order.blanks
    blanks = ["_:" + labels[b] for b in terms[order.iris : start]]
    literals = terms[start:]
    names = _iri_names(terms[: order.iris]) + blanks + literals
    # a plain or language-tagged literal is written as in N-Triples; a typed one may change
    for i in compress(range(start, len(terms)), map(str.endswith, literals, repeat(">"))):
        names[i] = _turtle_term(terms[i])
    return names


def _iri_names(iris: list[str]) -> list[str]:
    """:func:`_turtle_term` of each IRI of a list sorted as :func:`_ordered` sorts them.

    The IRIs a namespace starts are neighbours in that order, so each prefix is tried on one
    slice of the list (C functions mapped over it), not each IRI against every prefix. A
    longer namespace is tried later and wins, as in :func:`_turtle_iri`.
    """
    inside = list(map(_INSIDE, iris))
    if any(map(contains, iris, repeat("\\"))) or IRI_UNSAFE.search("".join(inside)):
        return list(map(_turtle_term, iris))  # escapes: the sort order is not that of inside
    names = list(iris)
    for prefix, ns in reversed(_NAMESPACES):
        lo = bisect_left(inside, ns)
        hi = bisect_left(inside, ns[:-1] + chr(ord(ns[-1]) + 1), lo)
        if lo == hi:
            continue
        local = list(map(itemgetter(slice(len(ns), None)), inside[lo:hi]))
        fits = list(map(_TURTLE_LOCAL.fullmatch, local))
        written = map(
            add,
            repeat(prefix + ":"),
            map(str.replace, compress(local, fits), repeat("/"), repeat("\\/")),
        )
        deque(map(names.__setitem__, compress(range(lo, hi), fits), written), maxlen=0)
    return names


# ---------------------------------------------------------------------------------------------
# N-Triples and N-Quads


def _relabelled(lines: list[str], labels: dict[str, str]) -> list[str]:
    """The lines with each blank node written with its canonical label (a new list)."""
    lines = list(lines)
    if labels:
        for i in compress(range(len(lines)), map(str.__contains__, lines, repeat("_:"))):
            lines[i] = _relabel(lines[i], labels)
    return lines


def _write_ntriples(data: _Data) -> str:
    lines = _relabelled(data.lines.get("", []), data.labels)
    if not lines:
        return ""
    lines.sort()  # as whole lines: no line is the start of another followed by " "
    if data.repeats:
        lines = list(compress(lines, map(ne, lines, chain(("",), lines))))
    lines.append("")
    return " .\n".join(lines)


def _write_nquads(data: _Data) -> str:
    out = []
    for name in sorted(data.lines):
        lines = _relabelled(data.lines[name], data.labels)
        lines.sort()
        lines.append("")
        out.append((" " + nt_iri(name) + " .\n").join(lines))
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Turtle and TriG


def _write_turtle(data: _Data) -> str:
    if not data.lines:
        return _prefix_block()
    body = _TurtleBody(data, "", _inlinable(data.blank), "").write()
    body.insert(0, _prefix_block())
    return "".join(body)


def _write_trig(data: _Data) -> str:
    inline = _inlinable(data.blank)
    out = [_prefix_block()]
    for name in sorted(data.lines):
        out.append("\n")
        body = _TurtleBody(data, name, inline, _INDENT).write()
        head = _turtle_iri(name) + " {\n" if name else "{\n"
        out.append(head + "".join(body).lstrip("\n") + "}\n")
    return "".join(out)


def _prefix_block() -> str:
    return "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())


def _inlinable(blank: Statements) -> set[str]:
    """Blank nodes that are the object of exactly one triple and live in one graph only.

    Such a node can be written as ``[ ... ]`` where it is used, with no label; a node used
    twice, or in two graphs of a TriG file, keeps its label so both uses name the same node.
    """
    uses: dict[str, int] = defaultdict(int)
    graphs: dict[str, set[str]] = defaultdict(set)
    for g, lines in blank.items():
        for line in lines:
            s, _, o = line.split(" ", 2)
            if o[0] == "_":
                uses[o] += 1
                graphs[o].add(g)
            if s[0] == "_":
                graphs[s].add(g)
    return {b for b, n in uses.items() if n == 1 and len(graphs[b]) == 1}


class _TurtleBody:
    """The statements of one graph in Turtle: grouped by subject, sorted, blank nodes inlined.

    Subjects that are IRIs are written all at once (:meth:`_iri_subjects`); the statements of
    blank nodes (which sort last) are gathered first, to be written inline where used.
    """

    def __init__(self, data: _Data, graph: str, inline: set[str], indent: str) -> None:
        self.indent = indent
        self.order = order = _Sorted(data, graph)
        self.labels = data.labels
        self.names = _names(data.labels)  # for the few terms written one by one
        terms = order.terms
        # blank subject -> [(predicate, [objects])], all in output order
        self.props: dict[str, list[tuple[str, list[str]]]] = {}
        rows = range(order.cut, len(order.subject))
        for s, group in groupby(rows, key=order.subject.__getitem__):
            self.props[terms[s]] = self._entries(list(group))
        # subjects with a blank node as object: their objects may be written inline
        self.holders: set[int] = set()
        for line in data.blank[graph]:
            s, _, o = line.split(" ", 2)
            if o[0] == "_" and s[0] == "<":
                self.holders.add(int(order.rank[s]))
        self.inline = set(inline)  # one with no statements of its own is written ``[]``
        self.done: set[str] = set()
        self.lists = self._find_lists()

    def _entries(self, rows: Sequence[int]) -> list[tuple[str, list[str]]]:
        """The triples ``rows`` (of one subject) as [(predicate, [objects])]."""
        order = self.order
        term = order.terms.__getitem__
        return [
            (order.predicates[p], [term(order.object[i]) for i in group])
            for p, group in groupby(rows, key=order.predicate.__getitem__)
        ]

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
        out = self._iri_subjects()
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

    def _iri_subjects(self) -> list[str]:
        """The statements of the subjects that are IRIs, as pieces of text.

        This is where a million triples go, so it is written without a Python loop over them:
        each triple gives two pieces, the text before its object (``, `` after an object of
        the same predicate, `` ;`` and the predicate after another predicate, `` .`` and the
        subject after another subject) and its object; lists of objects too long for a line
        are then wrapped, and the subjects that hold a blank node are written one by one.
        """
        order = self.order
        cut = order.cut
        if not cut:
            return []
        names = _turtle_names(order, self.labels)
        name = names.__getitem__
        before = "\n" + self.indent
        indent = self.indent + _INDENT
        heads = ["a " if p == _RDF_TYPE else self.names[p] + " " for p in order.predicates]
        subject, predicate, group = order.subject[:cut], order.predicate[:cut], order.group[:cut]
        new_subject = list(map(ne, subject, chain((-1,), subject)))
        new_group = list(map(ne, group, chain((-1,), group)))
        del group
        # the text before each object: ", " or the predicate...
        choice = [(", ", " ;\n" + indent + head) for head in heads]
        pieces = list(map(getitem, map(choice.__getitem__, predicate), new_group))
        objects = list(map(name, order.object[:cut]))
        # ... or the subject and its first predicate
        starts = list(compress(range(cut), new_subject))
        first = map(subject.__getitem__, starts)
        head = map(getitem, repeat([" " + h for h in heads]), map(predicate.__getitem__, starts))
        text = map(add, map(add, repeat(" .\n" + before), map(name, first)), head)
        deque(map(pieces.__setitem__, starts, text), maxlen=0)
        pieces[0] = pieces[0][3:]  # no " ." before the first subject
        self._wrap(pieces, objects, list(compress(range(cut), new_group)), predicate, heads)
        if self.holders:
            held = list(map(self.holders.__contains__, map(subject.__getitem__, starts)))
            ends = chain(starts[1:], (cut,))
            for start, end in zip(compress(starts, held), compress(ends, held), strict=True):
                po = self._po_list(self._entries(range(start, end)), indent)
                lead = " .\n" + before if start else before
                pieces[start] = f"{lead}{name(subject[start])} {po}"
                objects[start] = ""
                pieces[start + 1 : end] = objects[start + 1 : end] = [""] * (end - start - 1)
        out = [""] * (2 * cut + 1)
        out[0:-1:2] = pieces
        out[1:-1:2] = objects
        out[-1] = " .\n"
        return out

    def _wrap(
        self,
        pieces: list[str],
        objects: list[str],
        starts: list[int],
        predicate: list[int],
        heads: list[str],
    ) -> None:
        """One object a line for a predicate whose objects do not fit in :data:`_WIDTH`."""
        indent = self.indent + _INDENT
        ends = starts[1:]
        ends.append(len(objects))
        several = list(map(gt, map(sub, ends, starts), repeat(1)))
        starts = list(compress(starts, several))
        if not starts:
            return
        ends = list(compress(ends, several))
        width = list(accumulate(map(len, objects), initial=0))
        # len(indent) + len(head) + the objects' lengths + ", " between them
        line = map(
            add,
            map(sub, map(width.__getitem__, ends), map(width.__getitem__, starts)),
            map(add, map(mul, map(sub, ends, starts), repeat(2)), repeat(len(indent) - 2)),
        )
        line = map(add, line, map(len, map(heads.__getitem__, map(predicate.__getitem__, starts))))
        wrap = ",\n" + indent + _INDENT
        long = list(map(gt, line, repeat(_WIDTH)))
        for start, end in zip(compress(starts, long), compress(ends, long), strict=True):
            pieces[start + 1 : end] = repeat(wrap, end - start - 1)

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


# ---------------------------------------------------------------------------------------------
# JSON-LD


def _write_jsonld(data: _Data) -> str:
    """JSON-LD with the context inline, one node object per line (so a diff shows subjects)."""
    context = json.dumps(jsonld_context()["@context"], ensure_ascii=False, indent=2)
    out = ['{\n  "@context": ', context.replace("\n", "\n  "), ',\n  "@graph": [']
    first = True
    for name in sorted(data.lines):
        nodes = [_json(node) for node in _jsonld_nodes(data, name)]
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


def _jsonld_nodes(data: _Data, graph: str) -> list[dict[str, Any]]:
    labels = data.labels
    nodes: list[dict[str, Any]] = []
    current = ""
    node: dict[str, Any] = {}
    for s, p, o in _Sorted(data, graph).triples():
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


def _write_rdfxml(data: _Data) -> str:
    labels = data.labels
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF']
    out.extend(f'\n    xmlns:{p}="{_xml_escape(iri, _XML_ATTR)}"' for p, iri in PREFIXES.items())
    out.append(">\n")
    current = ""
    for s, p, o in _Sorted(data, "").triples() if data.lines else ():
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


_WRITERS: dict[Format, Callable[[_Data], str]] = {
    Format.TURTLE: _write_turtle,
    Format.NTRIPLES: _write_ntriples,
    Format.NQUADS: _write_nquads,
    Format.TRIG: _write_trig,
    Format.JSONLD: _write_jsonld,
    Format.RDFXML: _write_rdfxml,
}
