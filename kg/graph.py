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
from typing import Any

from rdflib import Dataset, Graph, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Node

from kg.errors import KgUsageError
from kg.io import load_file
from kg.labels import LABEL_PROPERTIES
from kg.namespaces import GRAPH, graph_name
from kg.sparql import prepare
from kg.stores import Quad, Store, Triple, open_store
from kg.stores.base import QueryDataset, new_graph
from kg.stores.memory import MemoryStore

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
        max_request: int | None = None,
        max_rows: int | None = None,
    ) -> KnowledgeGraph:
        """The graph already held by an on-disk store (``path``) or a remote endpoint (the
        other arguments: :class:`~kg.stores.remote.RemoteStore`'s).

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
            max_request=max_request,
            max_rows=max_rows,
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
        if self._copy is None:
            self._copy = self._store.as_dataset()
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
        self._store.load_ntriples(self.resolve_name(name), data)

    def add_construct(self, name: str | URIRef, text: str, *, source: str = "<rule>") -> None:
        """Add what a CONSTRUCT query over the union makes to the named graph ``name``, the query
        run where the store is (the derivation rules).

        :raises KgParseError: the text is not valid SPARQL (file, line, column).
        """
        self._copy = None
        self._store.add_construct(self.resolve_name(name), text, source=source)

    @contextmanager
    def writer(self, name: str | URIRef) -> Iterator[Graph]:
        """Something to ``add((s, p, o))`` triples to, straight into the named graph ``name``.

        Importers of large lists write through it, so that the triples are not first gathered
        in an rdflib graph (slow and memory-hungry) when the store is not rdflib's: on other
        stores they are sent in batches, the last when the ``with`` block ends.
        """
        self._copy = None
        with self._store.writer(self.resolve_name(name)) as sink:
            yield sink

    def graph(self, name: str | URIRef) -> Graph:
        """The named graph ``name``: the live graph on the memory store, a copy on others
        (add to it with :meth:`add`).

        :raises KgUsageError: no graph of that name; the message lists the names there are.
        """
        iri = self.resolve_name(name)
        if iri not in set(self.graph_names()):
            names = ", ".join(self.short_name(n) for n in self.graph_names())
            raise KgUsageError(f"no graph named {name!s}; the graphs are: {names}")
        return self._store.graph_view(iri)

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
        out = new_graph()
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
        out = new_graph()
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

    def sparql(
        self,
        query: str,
        *,
        bindings: Mapping[str, Node] | None = None,
        dataset: QueryDataset | None = None,
    ) -> Result:
        """Run a SPARQL query over the union of the named graphs (or over ``dataset``, or the
        graphs its FROM and FROM NAMED name).

        The contract's prefixes are declared for the query, so ``org:`` or ``qb:`` need no
        PREFIX line. Values in ``bindings`` are bound as RDF terms, never pasted into the text.
        Nothing here refuses a query: :func:`kg.query.run` is the path for untrusted text.

        :raises KgParseError: the query does not parse.
        :raises KgStoreError: the store could not answer (an endpoint down, a locked store).
        """
        prepared = prepare(query)
        return self._store.query(query, prepared, dict(bindings or {}), dataset=dataset)

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

        kg = cls(store=store)
        for path in paths:
            load_file(kg.store, path)
        return kg
