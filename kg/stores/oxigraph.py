"""Oxigraph (pyoxigraph): a SPARQL engine in Rust, in memory or on disk; the default backend.

Measured on this project's graphs (see the README's "Backends"), it loads, answers and exports
many times faster than rdflib's store, and the differential tests check that it answers the
catalog as rdflib does. Terms cross into and out of it as rdflib terms (:func:`to_oxigraph`,
:func:`to_rdflib`), so no caller sees pyoxigraph.

On disk (``--path DIR``), the folder is Oxigraph's own (RocksDB) and is locked while a process
writes it: reading commands open it read-only, so ``kg query --path`` works while nothing
writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from kg.errors import KgStoreError, KgUsageError
from kg.namespaces import PREFIXES
from kg.stores.base import Quad, Store, Triple, make_result, query_form

#: Written beside Oxigraph's files by ``kg build --path``: which graph, when, how big.
MARKER = "kg-store.json"

_XSD_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)
#: The name rdflib's Dataset gives its default graph (and so the graph a TriG file's
#: default graph has always been loaded into).
_RDFLIB_DEFAULT = "urn:x-rdflib:default"


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


def is_store(path: Path) -> bool:
    """True when ``path`` is a folder holding an Oxigraph store."""
    return path.is_dir() and (path / "CURRENT").is_file()


class OxigraphStore(Store):
    """Named graphs in a pyoxigraph ``Store``, queried with the default graph as their union."""

    kind = "oxigraph"

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        ox = _ox()
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        if self.path is None:
            self._store = ox.Store()
            return
        if self.path.exists() and not self.path.is_dir():
            raise KgStoreError(f"{self.path} is a file, not an Oxigraph store (a folder)")
        if read_only and not is_store(self.path):
            raise KgStoreError(
                f"{self.path} is not an Oxigraph store (no CURRENT file); "
                f"make one with: kg build --store oxigraph --path {self.path}"
            )
        writes_into_other = self.path.is_dir() and any(self.path.iterdir())
        if not read_only and writes_into_other and not is_store(self.path):
            raise KgStoreError(
                f"{self.path} is not an Oxigraph store and not empty; refusing to write "
                "into it (choose a new or empty folder)"
            )
        try:
            self._store = ox.Store.read_only(str(self.path)) if read_only else ox.Store(str(path))
        except OSError as exc:
            raise KgStoreError(_open_error(self.path, exc)) from None

    @property
    def store(self) -> Any:
        """The pyoxigraph Store (for callers that want Oxigraph itself, e.g. benchmarks)."""
        return self._store

    def describe(self) -> str:
        return f"oxigraph at {self.path}" if self.path else "oxigraph in memory"

    def add(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        self._writable()
        ox = _ox()
        name = to_oxigraph(graph)
        quad, term = ox.Quad, to_oxigraph  # locals: looked up once, not per triple
        quads = (quad(term(s), term(p), term(o), name) for s, p, o in triples)
        try:
            if self.path is not None:
                self._store.bulk_extend(quads)
            else:
                self._store.extend(quads)
        except OSError as exc:
            raise KgStoreError(f"{self.describe()}: {exc}") from None

    def add_ntriples(self, graph: URIRef, data: str) -> None:
        """Add N-Triples text to the named graph ``graph``, parsed by Oxigraph (in Rust).

        For text the project writes itself (the importers' lines, :mod:`kg.ntriples`): the
        parser skips the checks of IRIs that a user's file gets (:meth:`load_rdf`), which
        saves a fifth of the load of the national lists. Several times faster than
        :meth:`add`, which converts each rdflib term.

        :raises KgStoreError: the text is not N-Triples (a bug of the writer), or the store
            failed.
        """
        self._writable()
        ox = _ox()
        load = self._store.bulk_load if self.path is not None else self._store.load
        try:
            load(data, ox.RdfFormat.N_TRIPLES, to_graph=to_oxigraph(graph), lenient=True)
        except (OSError, SyntaxError) as exc:
            raise KgStoreError(f"{self.describe()}: {exc}") from None

    def add_construct(self, graph: URIRef, text: str) -> bool:
        """Run a CONSTRUCT query over the union of the named graphs and add what it makes to
        ``graph``, all inside Oxigraph: no term crosses into Python (the derivation rules).

        A query of another form adds nothing.

        :returns: False when Oxigraph cannot parse the text (nothing is added): the caller
            then parses it with rdflib, for the message.
        """
        self._writable()
        ox = _ox()
        try:
            answer = self._store.query(
                text, prefixes=dict(PREFIXES), use_default_graph_as_union=True
            )
            if isinstance(answer, ox.QueryTriples):
                name = to_oxigraph(graph)
                self._store.extend(
                    [ox.Quad(t.subject, t.predicate, t.object, name) for t in answer]
                )
        except SyntaxError:
            return False
        except OSError as exc:
            raise KgStoreError(f"{self.describe()}: {exc}") from None
        return True

    def triples(self, graph: URIRef) -> Iterator[Triple]:
        for q in self._store.quads_for_pattern(None, None, None, to_oxigraph(graph)):
            yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)

    def load_rdf(self, data: bytes, format: str, *, graph: URIRef | None, base_iri: str) -> bool:
        """Parse RDF text with Oxigraph's own parser (Rust) straight into the store.

        All or nothing: on a syntax error nothing is written and False comes back, so that
        the caller can parse again with rdflib for a message naming the line and column.

        :param data: the text, UTF-8.
        :param format: ``turtle``, ``nt``, ``nquads`` or ``trig``.
        :param graph: the named graph for a triple format; None for a quad format, whose
            default graph goes to ``urn:x-rdflib:default``, as rdflib's Dataset names it.
        :param base_iri: the IRI relative IRIs are resolved against.
        :returns: whether the text parsed (and was loaded).
        """
        self._writable()
        ox = _ox()
        formats = {
            "turtle": ox.RdfFormat.TURTLE,
            "nt": ox.RdfFormat.N_TRIPLES,
            "nquads": ox.RdfFormat.N_QUADS,
            "trig": ox.RdfFormat.TRIG,
        }
        target = to_oxigraph(graph) if graph is not None else None
        # On disk, one transaction of a whole file holds it all in memory (1M triples: 1.6 GB
        # and minutes): the bulk loader instead, where a failure is undone by dropping the
        # graph it was filling (a triple format into a graph the store does not hold yet).
        bulk = (
            self.path is not None
            and target is not None
            and not self._store.contains_named_graph(target)
        )
        try:
            if bulk:
                self._store.bulk_load(data, formats[format], base_iri=base_iri, to_graph=target)
            else:
                self._store.load(data, formats[format], base_iri=base_iri, to_graph=target)
        except SyntaxError:
            if bulk:
                self._store.remove_graph(target)
            return False
        except OSError as exc:
            raise KgStoreError(f"{self.describe()}: {exc}") from None
        if (
            graph is None
            and next(iter(self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None)
            is not None
        ):
            self._store.update(f"ADD DEFAULT TO <{_RDFLIB_DEFAULT}> ; CLEAR DEFAULT")
        return True

    def typed_literals(self, graph: URIRef | None = None) -> list[Literal]:
        """The distinct literals of the named graphs (or of ``graph`` alone) that have a
        datatype other than a string's: those a parser may have let through with a value its
        datatype refuses."""
        name = "?g" if graph is None else to_oxigraph(graph)
        answer = self._store.query(
            f"SELECT DISTINCT ?o WHERE {{ GRAPH {name} {{ ?s ?p ?o }} FILTER(isLiteral(?o) && "
            f"DATATYPE(?o) != <{_XSD_STRING}> && DATATYPE(?o) != <{_LANG_STRING}>) }}"
        )
        return [to_rdflib(row[0]) for row in answer]  # type: ignore[misc]

    def ntriples(self, graph: URIRef) -> bytes:
        """One named graph as N-Triples, written by Oxigraph (in Rust, so fast): for export.

        The lines are in no particular order, and the terms are Oxigraph's: a typed literal
        comes as Oxigraph holds it (``"1"^^xsd:decimal`` for ``1.0``), a blank node with
        Oxigraph's id. :func:`kg.export.serialize` sorts, labels and normalises them.
        """
        ox = _ox()
        try:
            data: bytes = self._store.dump(
                format=ox.RdfFormat.N_TRIPLES, from_graph=to_oxigraph(graph)
            )
        except OSError as exc:
            raise KgStoreError(f"{self.describe()}: {exc}") from None
        return data

    def quads(self) -> Iterator[Quad]:
        ox = _ox()
        for q in self._store.quads_for_pattern(None, None, None, None):
            if isinstance(q.graph_name, ox.NamedNode):
                yield (
                    to_rdflib(q.subject),
                    to_rdflib(q.predicate),
                    to_rdflib(q.object),
                    URIRef(q.graph_name.value),
                )

    def graph_names(self) -> list[URIRef]:
        ox = _ox()
        names = []
        for name in self._store.named_graphs():
            if not isinstance(name, ox.NamedNode):
                continue
            if next(iter(self._store.quads_for_pattern(None, None, None, name)), None) is not None:
                names.append(URIRef(name.value))
        return sorted(names)

    def graph_size(self, graph: URIRef) -> int:
        answer = self._store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {to_oxigraph(graph)} {{ ?s ?p ?o }} }}"
        )
        return int(next(iter(answer))[0].value)

    def __len__(self) -> int:
        answer = self._store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(answer))[0].value)

    def remove_graph(self, graph: URIRef) -> None:
        self._writable()
        name = to_oxigraph(graph)
        if self._store.contains_named_graph(name):
            self._store.remove_graph(name)

    def replace_graph(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        self.remove_graph(graph)
        self.add(graph, triples)

    def query(self, text: str, prepared: Query, bindings: Mapping[str, Node]) -> Result:
        from kg.stores.remote import substitute

        form = query_form(prepared)
        # pyoxigraph's ``substitutions`` insist on projected variables, and parameters are
        # not: the values are substituted as RDF terms in the text, as for an endpoint
        text = substitute(text, bindings)
        try:
            answer = self._store.query(
                text, prefixes=dict(PREFIXES), use_default_graph_as_union=True
            )
        except SyntaxError as exc:
            raise KgUsageError(f"Oxigraph cannot run this query: {exc}") from None
        except OSError as exc:
            raise KgStoreError(f"{self.describe()}: {exc}") from None
        if form == "ASK":
            return make_result("ASK", boolean=bool(answer))
        if form == "SELECT":
            names, rows = select_rows(answer)
            return make_result("SELECT", variables=names, rows=rows)
        return make_result(form, triples=graph_triples(answer))

    def write_marker(self, info: Mapping[str, object]) -> None:
        """Record what was built into an on-disk store (read by ``kg stats``, for people)."""
        if self.path is not None:
            text = json.dumps(dict(info), ensure_ascii=False, indent=2, sort_keys=True)
            (self.path / MARKER).write_text(text + "\n", encoding="utf-8")

    def clear(self) -> None:
        """Empty the store (``kg build --path`` rebuilds an existing store from scratch)."""
        self._writable()
        self._store.clear()

    def close(self) -> None:
        if self._store is not None and self.path is not None and not self.read_only:
            self._store.flush()
        self._store = None

    def _writable(self) -> None:
        if self.read_only:
            raise KgStoreError(f"{self.describe()} is open read-only")


def _open_error(path: Path, exc: OSError) -> str:
    text = str(exc)
    if "lock" in text.lower():
        return (
            f"the Oxigraph store at {path} is locked by another process (a kg build, or an "
            "oxigraph server?); wait for it to finish or stop it"
        )
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return f"cannot open the Oxigraph store at {path}: {first}"
