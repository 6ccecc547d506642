"""What every store behind :class:`~kg.graph.KnowledgeGraph` can do, in rdflib terms.

A store holds named graphs of triples and answers SPARQL over their union. Everything crosses
this boundary as rdflib terms and rdflib :class:`~rdflib.query.Result` objects, so that query
rendering, validation, export and the network code are the same whichever engine answers:
rdflib's own (the reference), Oxigraph (fast, in memory or on disk) or a remote endpoint.

The base class declares every operation the rest of the library uses and gives each a default
made of the few abstract ones (add, triples, graph names, remove, query). A store overrides what
it does faster (Oxigraph parses, dumps and constructs in Rust) or better (rdflib's store hands
out its live graphs); callers never ask which store they have.
"""

from __future__ import annotations

import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from rdflib import Dataset, Graph, Literal, URIRef, Variable
from rdflib.namespace import RDF, XSD
from rdflib.plugins.sparql.sparql import Query
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.query import Result
from rdflib.term import Node

from kg.errors import KgFileError, KgStoreError
from kg.namespaces import PREFIXES, iri_problem
from kg.ntriples import read_ntriples, term
from kg.sparql import prepare, query_form
from kg.terms import to_oxigraph

if TYPE_CHECKING:
    import pyoxigraph

__all__ = [
    "Quad",
    "QueryDataset",
    "Replica",
    "Store",
    "Stream",
    "Triple",
    "make_result",
    "new_graph",
]

#: A triple of rdflib terms.
Triple = tuple[Node, Node, Node]
#: A triple and the name of the graph that holds it.
Quad = tuple[Node, Node, Node, URIRef]

#: The formats :meth:`Store.load_rdf` reads, by the names rdflib gives them.
RDF_FORMATS = ("turtle", "nt", "nquads", "trig")

#: The name rdflib's Dataset gives its default graph (and so the graph a TriG file's default
#: graph has always been loaded into).
RDFLIB_DEFAULT = URIRef("urn:x-rdflib:default")

_STRING_TYPES = (XSD.string, RDF.langString)


class Stream(NamedTuple):
    """An answer read as it comes: the rows of a SELECT, the triples of a CONSTRUCT or DESCRIBE,
    or the boolean of an ASK (see :meth:`Store.stream`). ``items`` is a generator: close it when
    done, in the thread that read it."""

    form: str
    variables: list[str]
    items: Iterator[Any]
    boolean: bool | None = None


class QueryDataset(NamedTuple):
    """The RDF dataset a query runs over (SPARQL 1.1, section 13): the graphs whose merge is
    the default graph, and the named graphs ``GRAPH`` can reach. Without one a store answers
    over its own dataset: the default graph is the union of every named graph."""

    default: Sequence[URIRef]
    named: Sequence[URIRef]


class Replica(NamedTuple):
    """How another process opens the same graph, read-only (see :meth:`Store.replica`): the
    arguments of :func:`kg.stores.open_store`, and an N-Quads file to load into it when the
    graph has no home another process can open."""

    kind: str
    options: Mapping[str, Any]
    nquads: str | None = None


def new_graph(identifier: URIRef | None = None) -> Graph:
    """An empty rdflib graph with the contract's prefixes bound."""
    out = Graph(identifier=identifier)
    for prefix, iri in PREFIXES.items():
        out.bind(prefix, iri, override=True, replace=True)
    return out


class Store(ABC):
    """Named graphs of RDF and SPARQL over their union: the interface of every backend."""

    #: The name users give on the command line (``--store memory``).
    kind: ClassVar[str] = ""

    # ---- what each store must do --------------------------------------------------------

    @abstractmethod
    def add(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        """Add triples to the named graph ``graph`` (created when new)."""

    @abstractmethod
    def triples(self, graph: URIRef) -> Iterator[Triple]:
        """The triples of one named graph."""

    @abstractmethod
    def graph_names(self) -> list[URIRef]:
        """The names of the non-empty named graphs, sorted."""

    @abstractmethod
    def remove_graph(self, graph: URIRef) -> None:
        """Drop one named graph (nothing happens when there is none of that name)."""

    @abstractmethod
    def query(
        self,
        text: str,
        prepared: Query,
        bindings: Mapping[str, Node],
        *,
        dataset: QueryDataset | None = None,
    ) -> Result:
        """Run a SPARQL query.

        The dataset is, in this order: ``dataset`` when given (the protocol's
        ``default-graph-uri`` and ``named-graph-uri``); the query's own ``FROM`` and ``FROM
        NAMED`` (graphs of this store only: the caller has refused others, see
        :func:`kg.sparql.refuse_remote`); else every named graph, their union as the default.

        :param text: the query text as the user wrote it (the contract's prefixes are known).
        :param prepared: the same query parsed by rdflib: it has been checked already, and
            tells its form (SELECT, ASK, CONSTRUCT, DESCRIBE).
        :param bindings: values of variables, as RDF terms, bound before evaluation.
        :param dataset: the dataset to query instead of the store's own.
        """

    # ---- what each store can do, by default from the operations above --------------------

    def quads(self) -> Iterator[Quad]:
        """Every triple of every named graph, with its graph's name."""
        for name in self.graph_names():
            for s, p, o in self.triples(name):
                yield s, p, o, name

    def graph_size(self, graph: URIRef) -> int:
        """The number of triples in one named graph."""
        return sum(1 for _ in self.triples(graph))

    def __len__(self) -> int:
        return sum(self.graph_size(n) for n in self.graph_names())

    def replace_graph(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        """Replace the content of one named graph with ``triples``."""
        self.remove_graph(graph)
        self.add(graph, triples)

    def load_ntriples(self, graph: URIRef, data: str) -> None:
        """Add N-Triples text the project wrote itself (:mod:`kg.ntriples`) to ``graph``.

        The importers of the national lists hand their triples over this way: a store with a
        parser of its own reads the text at once, many times faster than rdflib terms are made.
        """
        self.add(graph, read_ntriples(data))

    def load_rdf(self, data: bytes, format: str, *, graph: URIRef | None, base_iri: str) -> bool:
        """Parse RDF text straight into the store, all or nothing.

        On a syntax error nothing is written and False comes back, so that the caller can parse
        again for a message that names the line and column (:func:`kg.io.parse`).

        :param data: the text, UTF-8.
        :param format: one of :data:`RDF_FORMATS`.
        :param graph: the named graph for a triple format; None for a quad format, whose
            default graph goes to ``urn:x-rdflib:default``, as rdflib's Dataset names it.
        :param base_iri: the IRI relative IRIs are resolved against.
        :returns: whether the text parsed (and was loaded).
        """
        parsed: Graph = Dataset() if graph is None else Graph()
        terms = logging.getLogger("rdflib.term")
        level = terms.level
        terms.setLevel(logging.CRITICAL)  # the caller reports what rdflib would log
        try:
            parsed.parse(data=data, format=format, publicID=base_iri)
        except Exception:  # rdflib's parsers raise many types; the caller says where
            return False
        finally:
            terms.setLevel(level)
        statements = (
            parsed.quads((None, None, None, None)) if isinstance(parsed, Dataset) else parsed
        )
        if any(isinstance(t, URIRef) and iri_problem(t) for q in statements for t in q):
            return False  # rdflib took an IRI no other tool takes: the caller says where
        if isinstance(parsed, Dataset):
            for part in parsed.graphs():
                if len(part):
                    self.add(part.identifier, part)  # type: ignore[arg-type]
        else:
            self.add(graph, parsed)  # type: ignore[arg-type]
        return True

    def add_construct(self, graph: URIRef, text: str, *, source: str = "<rule>") -> None:
        """Run a CONSTRUCT over the union of the named graphs and add what it makes to
        ``graph`` (the derivation rules).

        :raises KgParseError: the text is not valid SPARQL (file, line, column).
        """
        found = self.query(text, prepare(text, source=source), {})
        if found.graph is not None and len(found.graph):
            self.add(graph, found.graph)

    def dump_ntriples(self, graph: URIRef) -> bytes:
        """One named graph as N-Triples, lines in no particular order (for export, which sorts
        and labels them)."""
        return "".join(
            f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in self.triples(graph)
        ).encode("utf-8")

    def typed_literals(self, graph: URIRef | None = None) -> list[Literal]:
        """The distinct literals of ``graph`` (or of every named graph) with a datatype other
        than a string's: those a parser may have let through with a value its datatype refuses.
        """
        names = self.graph_names() if graph is None else [graph]
        found: set[Literal] = set()
        for name in names:
            for _, _, o in self.triples(name):
                if isinstance(o, Literal) and o.datatype not in (None, *_STRING_TYPES):
                    found.add(o)
        return sorted(found)

    def select_text(self, text: str) -> list[tuple[str, ...]]:
        """The rows of a SELECT as plain text: an IRI or a literal's lexical form.

        For code that reads many rows and needs no rdflib term (the agency network): a store
        that can answer without making rdflib terms does so. Every column must be bound.
        """
        result = self.query(text, prepare(text), {})
        names = list(result.vars or [])
        return [tuple(str(row[n]) for n in names) for row in result]  # type: ignore[index]

    def stream(
        self,
        text: str,
        prepared: Query | None,
        bindings: Mapping[str, Node],
        *,
        dataset: QueryDataset | None = None,
    ) -> Stream:
        """The answer of :meth:`query`, read a row (or a triple) at a time, so that a caller with
        a row limit can stop early: a store that can hand out rows before the whole answer is
        made does so (Oxigraph).

        ``prepared`` may be None for a text :func:`kg.sparql.plain` passed (no dataset clause,
        nothing to refuse): a store that parses queries itself then skips rdflib's parser
        (Oxigraph); others parse it here.
        """
        if prepared is None:
            prepared = prepare(text)
        result = self.query(text, prepared, bindings, dataset=dataset)
        form = query_form(prepared)
        if form == "ASK":
            return Stream(form, [], _items(()), bool(result.askAnswer))
        if form == "SELECT":
            names = [str(v) for v in (result.vars or [])]
            return Stream(form, names, _items(r.asdict() for r in result))  # type: ignore[union-attr]
        return Stream(form, [], _items(result.graph if result.graph is not None else ()))

    def answer_text(
        self, text: str, prepared: Query
    ) -> tuple[list[str], list[tuple[str | None, ...]]]:
        """The variables and rows of a SELECT (or the triples of a CONSTRUCT or DESCRIBE, as
        rows of ``subject predicate object``), each term in its N-Triples form (``<iri>``,
        ``_:id``, ``"text"@vi``), None where unbound.

        For code that reads a large answer and needs no rdflib term (the agency network); a
        store that can answer without making rdflib terms does so.
        """
        result = self.query(text, prepared, {})
        if result.type == "SELECT":
            names = list(result.vars or [])
            return [str(n) for n in names], [
                tuple(None if (v := row.get(n)) is None else term(v) for n in names)  # type: ignore[union-attr]
                for row in result.bindings
            ]
        triples = result.graph if result.graph is not None else ()
        return ["subject", "predicate", "object"], [
            (term(s), term(p), term(o)) for s, p, o in triples
        ]

    def update(self, text: str) -> None:
        """Run a SPARQL Update (``kg serve --allow-update``).

        :raises KgStoreError: the store takes no updates.
        """
        raise KgStoreError(f"updates are not supported on {self.describe()}")

    def graph_view(self, graph: URIRef) -> Graph:
        """One named graph as an rdflib Graph: a copy (rdflib's store gives its live graph)."""
        out = new_graph(graph)
        for triple in self.triples(graph):
            out.add(triple)
        return out

    def as_dataset(self) -> Dataset:
        """The store as an rdflib Dataset, its default graph the union of the named graphs:
        a copy (rdflib's store gives itself)."""
        copy = Dataset(default_union=True)
        for prefix, iri in PREFIXES.items():
            copy.bind(prefix, iri, override=True, replace=True)
        for s, p, o, g in self.quads():
            copy.graph(g).add((s, p, o))
        return copy

    @contextlib.contextmanager
    def writer(self, graph: URIRef) -> Iterator[Any]:
        """Something to ``add((s, p, o))`` triples to, straight into the named graph ``graph``:
        batches of triples sent to the store, the last when the ``with`` block ends (rdflib's
        store gives its live graph)."""
        sink = _Sink(self, graph)
        yield sink
        sink.flush()

    def oxigraph(self) -> pyoxigraph.Store:
        """The quads of this store in an Oxigraph store, for work that runs many SPARQL queries
        inside Oxigraph (the compiled SHACL engine): a copy in memory (Oxigraph's own store
        gives itself)."""
        import pyoxigraph

        copy = pyoxigraph.Store()
        copy.extend(
            pyoxigraph.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), to_oxigraph(g))
            for s, p, o, g in self.quads()
        )
        return copy

    def replica(self, folder: Path) -> Replica:
        """How a worker process opens this graph for reading (``kg serve`` and ``kg query``
        run queries in processes that can be stopped, see :mod:`kg.workers`): an on-disk store
        is opened again where it is, an endpoint is called again; a store held in this
        process's memory is written into ``folder`` first. By default the quads are written
        there as N-Quads, for a new store of the same kind to load.

        :param folder: an empty folder this store may write into, kept while workers run.
        :raises KgFileError: the folder cannot be written.
        """
        target = folder / "graph.nq"
        try:
            with target.open("w", encoding="utf-8") as out:
                for s, p, o, g in self.quads():
                    out.write(f"{term(s)} {term(p)} {term(o)} {term(g)} .\n")
        except OSError as exc:
            raise KgFileError(
                f"cannot write a copy of the graph: {exc.strerror}", path=target
            ) from None
        return Replica(self.kind, {}, str(target))

    def close(self) -> None:  # noqa: B027 - most stores hold nothing to release
        """Release files and connections (an on-disk store is unlocked)."""

    def describe(self) -> str:
        """A short description for messages: ``oxigraph at store/``."""
        return self.kind


def _items(source: Iterable[Any]) -> Iterator[Any]:
    yield from source


class _Sink:
    """Takes ``add(triple)`` calls like an rdflib Graph and sends them to a store in batches."""

    BATCH = 50_000

    def __init__(self, store: Store, graph: URIRef) -> None:
        self._store = store
        self._graph = graph
        self._buffer: list[Triple] = []

    def add(self, triple: Triple) -> _Sink:
        self._buffer.append(triple)
        if len(self._buffer) >= self.BATCH:
            self.flush()
        return self

    def bind(self, *args: Any, **kwargs: Any) -> None:
        """Prefixes are the contract's, declared on export: nothing to do."""

    def flush(self) -> None:
        if self._buffer:
            self._store.add(self._graph, self._buffer)
            self._buffer = []


def make_result(
    form: str,
    *,
    variables: list[str] | None = None,
    rows: Iterable[Mapping[str, Node]] = (),
    boolean: bool | None = None,
    triples: Iterable[Triple] = (),
) -> Result:
    """An rdflib :class:`Result` built from another engine's answer."""
    result = Result(form)
    if form == "SELECT":
        named = {v: Variable(v) for v in variables or []}
        result.vars = list(named.values())
        result.bindings = [{named.get(k) or Variable(k): v for k, v in row.items()} for row in rows]
    elif form == "ASK":
        result.askAnswer = bool(boolean)
    else:
        # rdflib's simplest store: no contexts to keep, a third less time an added triple
        graph = Graph(store=SimpleMemory())
        add = graph.add
        for triple in triples:
            add(triple)
        result.graph = graph
    return result
