"""``KnowledgeGraph``: one RDF dataset of named graphs, with the store hidden behind it.

Each origin of data (the ontology, the shapes, each source document, each reference data set,
the derived facts) keeps its own named graph so that provenance survives export and a user can
drop one source. Query, validation and export code talk to this class only, never to the store,
so that other backends can stand behind the same interface.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Dataset, Graph, URIRef
from rdflib.query import Result
from rdflib.term import Node

if TYPE_CHECKING:
    from kg.query import Results

from kg.errors import KgUsageError
from kg.namespaces import GRAPH, PREFIXES, graph_name
from kg.ntriples import read_ntriples
from kg.stores import Quad, Store, Triple, open_store

#: The named graph that holds the SHACL shapes: never part of the data that is validated.
SHAPES_GRAPH = graph_name("ontology/shapes")
#: The named graph that the derivation rules write into.
DERIVED_GRAPH = graph_name("derived")


class KnowledgeGraph:
    """The knowledge graph: named graphs of RDF with SPARQL over their union.

    The store behind it is rdflib's (``store="memory"``, the reference engine), Oxigraph's
    (``"oxigraph"``, the default, in memory or on disk) or a remote endpoint; every method
    here works the same on each, and takes and returns rdflib terms and graphs.

    >>> from rdflib import Graph, URIRef, Literal
    >>> kg = KnowledgeGraph()
    >>> g = Graph(); _ = g.add((URIRef("urn:x"), URIRef("urn:p"), Literal("Hà Nội", lang="vi")))
    >>> kg.add("example", g)
    >>> len(kg), [kg.short_name(n) for n in kg.graph_names()]
    (1, ['example'])
    >>> kg.sparql('ASK { ?s ?p "Hà Nội"@vi }').askAnswer
    True
    """

    def __init__(self, dataset: Dataset | None = None, *, store: Store | str | None = None) -> None:
        """
        :param dataset: an rdflib Dataset to wrap (the memory store over it).
        :param store: a :class:`~kg.stores.Store`, or the name of a kind of store
            (``memory``, ``oxigraph``); :data:`kg.stores.DEFAULT_STORE` when both are omitted.
        """
        self._copy: Dataset | None = None  # see :attr:`dataset`
        if dataset is not None:
            from kg.stores.memory import MemoryStore

            self._store: Store = MemoryStore(dataset)
        elif isinstance(store, Store):
            self._store = store
        else:
            self._store = open_store(store)

    @classmethod
    def open(
        cls,
        kind: str | None = None,
        *,
        path: str | Path | None = None,
        endpoint: str | None = None,
        update_endpoint: str | None = None,
        graph_store: str | None = None,
        timeout: float | None = None,
    ) -> KnowledgeGraph:
        """The graph already held by an on-disk store (``path``) or a remote endpoint.

        :raises KgStoreError: the folder is not a store, or is locked; the endpoint cannot be
            reached.
        """
        store = open_store(
            kind,
            path=path,
            endpoint=endpoint,
            update_endpoint=update_endpoint,
            graph_store=graph_store,
            timeout=timeout,
            read_only=path is not None,
        )
        return cls(store=store)

    @property
    def store(self) -> Store:
        """The store behind the graph."""
        return self._store

    @property
    def dataset(self) -> Dataset:
        """The graph as an rdflib Dataset: the store itself on the memory store; on others a
        read-only copy, made on first use and again after the graph changes.

        The copy costs time and memory on large graphs (rdflib holds each triple in Python):
        code that should be fast on every store uses :meth:`graph`, :meth:`union`,
        :meth:`quads` and :meth:`sparql` instead. Changes made to the copy are not kept.
        """
        dataset = getattr(self._store, "dataset", None)
        if isinstance(dataset, Dataset):
            return dataset
        if self._copy is None:
            copy = Dataset(default_union=True)
            for prefix, iri in PREFIXES.items():
                copy.bind(prefix, iri, override=True, replace=True)
            for s, p, o, g in self._store.quads():
                copy.graph(g).add((s, p, o))
            self._copy = copy
        return self._copy

    def resolve_name(self, name: str | URIRef) -> URIRef:
        """A graph name as an IRI: ``article/x`` and the full IRI both name the same graph."""
        text = str(name)
        if "://" in text or text.startswith("urn:"):
            return URIRef(text)
        return graph_name(text.removeprefix("graph:"))

    @staticmethod
    def short_name(name: URIRef) -> str:
        """The short name of a graph of ours (``article/x``); other IRIs stay whole."""
        text = str(name)
        return text[len(str(GRAPH)) :] if text.startswith(str(GRAPH)) else text

    def add(self, name: str | URIRef, graph: Graph | Iterable[Triple]) -> None:
        """Add the triples of ``graph`` to the named graph ``name`` (created when new)."""
        self._copy = None
        self._store.add(self.resolve_name(name), graph)

    def add_ntriples(self, name: str | URIRef, data: str) -> None:
        """Add N-Triples text (one triple a line, as :mod:`kg.ntriples` writes it) to the
        named graph ``name``.

        The importers of the national lists hand their triples over this way: a store with a
        parser of its own (Oxigraph) reads the text at once, many times faster than rdflib
        terms are converted; any other store gets the same triples as rdflib terms.
        """
        self._copy = None
        iri = self.resolve_name(name)
        fast = getattr(self._store, "add_ntriples", None)
        if fast is not None:
            fast(iri, data)
            return
        self._store.add(iri, read_ntriples(data))

    @contextmanager
    def writer(self, name: str | URIRef) -> Iterator[Graph]:
        """Something to ``add((s, p, o))`` triples to, straight into the named graph ``name``.

        Importers of large lists write through it, so that the triples are not first gathered
        in an rdflib graph (slow and memory-hungry) when the store is not rdflib's: on other
        stores they are sent in batches, the last when the ``with`` block ends.
        """
        iri = self.resolve_name(name)
        dataset = getattr(self._store, "dataset", None)
        if isinstance(dataset, Dataset):
            yield dataset.graph(iri)
            return
        self._copy = None
        sink = _Sink(self._store, iri)
        yield sink  # type: ignore[misc]
        sink.flush()

    def graph(self, name: str | URIRef) -> Graph:
        """The named graph ``name``: the live graph on the memory store, a copy on others
        (add to it with :meth:`add`).

        :raises KgUsageError: no graph of that name; the message lists the names there are.
        """
        iri = self.resolve_name(name)
        if iri not in set(self.graph_names()):
            names = ", ".join(self.short_name(n) for n in self.graph_names())
            raise KgUsageError(f"no graph named {name!s}; the graphs are: {names}")
        dataset = getattr(self._store, "dataset", None)
        if isinstance(dataset, Dataset):
            return dataset.graph(iri)
        out = _new_graph(iri)
        for triple in self._store.triples(iri):
            out.add(triple)
        return out

    def graph_names(self) -> list[URIRef]:
        """The names of the non-empty named graphs, sorted."""
        return self._store.graph_names()

    def graph_size(self, name: str | URIRef) -> int:
        """The number of triples in one named graph."""
        return self._store.graph_size(self.resolve_name(name))

    def triples(self, name: str | URIRef) -> Iterator[Triple]:
        """The triples of one named graph, without copying them into a graph."""
        return self._store.triples(self.resolve_name(name))

    def quads(self) -> Iterator[Quad]:
        """Every triple of every named graph with the name of its graph (for export)."""
        return self._store.quads()

    def remove_graph(self, name: str | URIRef) -> None:
        """Drop one named graph, e.g. to see the data without one source."""
        self.graph(name)  # raises with the list of names when there is no such graph
        self._copy = None
        self._store.remove_graph(self.resolve_name(name))

    def union(self, *, exclude: Iterable[str | URIRef] = ()) -> Graph:
        """A new graph with the triples of every named graph except those in ``exclude``."""
        skip = {self.resolve_name(n) for n in exclude}
        out = _new_graph()
        for name in self.graph_names():
            if name not in skip:
                for triple in self._store.triples(name):
                    out.add(triple)
        return out

    def data_graph(self) -> Graph:
        """Everything but the shapes: the graph that validation checks."""
        return self.union(exclude=[SHAPES_GRAPH])

    def labels(self, terms: Iterable[Node]) -> Graph:
        """A small graph of the labels (``rdfs:label``, ``skos:prefLabel``, names) of ``terms``.

        Tables show a label beside each IRI; this fetches just those, on any store.
        """
        from rdflib import Variable

        from kg.labels import LABEL_PROPERTIES

        out = _new_graph()
        iris = sorted({t for t in terms if isinstance(t, URIRef)})
        if not iris:
            return out
        props = ", ".join(p.n3() for p in LABEL_PROPERTIES)
        for start in range(0, len(iris), 500):
            chunk = " ".join(i.n3() for i in iris[start : start + 500])
            # A FILTER, not a second VALUES: Oxigraph joined two VALUES blocks in 1.4 s
            # where this takes 7 ms on the national graph.
            text = (
                f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {chunk} }} ?s ?p ?o "
                f"FILTER (?p IN ({props})) }}"
            )
            for row in self.sparql(text):
                out.add((row[Variable("s")], row[Variable("p")], row[Variable("o")]))  # type: ignore[index]
        return out

    def sparql(self, query: str, *, bindings: Mapping[str, Node] | None = None) -> Result:
        """Run a SPARQL query over the union of the named graphs.

        The contract's prefixes are declared for the query, so ``org:`` or ``qb:`` need no
        PREFIX line. Values in ``bindings`` are bound as RDF terms, never pasted into the text.

        :raises KgParseError: the query does not parse.
        :raises KgStoreError: the store could not answer (an endpoint down, a locked store).
        """
        from kg.sparql import prepare

        prepared = prepare(query)
        return self._store.query(query, prepared, dict(bindings or {}))

    def query(self, query: str, /, *, allow_remote: bool = False, **params: object) -> Results:
        """Run a catalog query by name (or a ``.rq`` file, or SPARQL text) with parameters.

        >>> graph.query("par-index-ranking", year=2019).to_dataframe()  # doctest: +SKIP

        :param query: a catalog name, a path to a ``.rq`` file, or SPARQL text.
        :param allow_remote: allow SERVICE and FROM of IRIs outside the dataset.
        :param params: the query's parameters, as strings or RDF terms.
        :raises KgUsageError: unknown name or parameter, or a refused query.
        :raises KgParseError: the query does not parse.
        """
        from kg.query import run

        return run(self, query, params, allow_remote=allow_remote)

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        """Release the store (an on-disk store is flushed and unlocked)."""
        self._store.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @classmethod
    def from_files(
        cls, paths: Iterable[str | Path], *, store: Store | str | None = None
    ) -> KnowledgeGraph:
        """A graph of the RDF files a user brings, each file in a named graph of its own
        (a TriG or N-Quads file: in the named graphs it names). See :func:`kg.io.load_file`."""
        from kg.io import load_file

        kg = cls(store=store)
        for path in paths:
            load_file(kg.store, path)
        return kg


def _new_graph(identifier: URIRef | None = None) -> Graph:
    out = Graph(identifier=identifier)
    for prefix, iri in PREFIXES.items():
        out.bind(prefix, iri, override=True, replace=True)
    return out


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
