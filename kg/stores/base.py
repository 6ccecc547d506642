"""What every store behind :class:`~kg.graph.KnowledgeGraph` must do, in rdflib terms.

A store holds named graphs of triples and answers SPARQL over their union. Everything crosses
this boundary as rdflib terms and rdflib :class:`~rdflib.query.Result` objects, so that query
rendering, validation, export and the network code are the same whichever engine answers:
rdflib's own (the reference), Oxigraph (fast, in memory or on disk) or a remote endpoint.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from typing import ClassVar

from rdflib import Graph, URIRef
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

#: A triple of rdflib terms.
Triple = tuple[Node, Node, Node]
#: A triple and the name of the graph that holds it.
Quad = tuple[Node, Node, Node, URIRef]


class Store(ABC):
    """Named graphs of RDF and SPARQL over their union: the interface of every backend."""

    #: The name users give on the command line (``--store memory``).
    kind: ClassVar[str] = ""

    @abstractmethod
    def add(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        """Add triples to the named graph ``graph`` (created when new)."""

    @abstractmethod
    def triples(self, graph: URIRef) -> Iterator[Triple]:
        """The triples of one named graph."""

    def quads(self) -> Iterator[Quad]:
        """Every triple of every named graph, with its graph's name."""
        for name in self.graph_names():
            for s, p, o in self.triples(name):
                yield s, p, o, name

    @abstractmethod
    def graph_names(self) -> list[URIRef]:
        """The names of the non-empty named graphs, sorted."""

    def graph_size(self, graph: URIRef) -> int:
        """The number of triples in one named graph."""
        return sum(1 for _ in self.triples(graph))

    def __len__(self) -> int:
        return sum(self.graph_size(n) for n in self.graph_names())

    @abstractmethod
    def remove_graph(self, graph: URIRef) -> None:
        """Drop one named graph (nothing happens when there is none of that name)."""

    def replace_graph(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        """Replace the content of one named graph with ``triples``."""
        self.remove_graph(graph)
        self.add(graph, triples)

    @abstractmethod
    def query(self, text: str, prepared: Query, bindings: Mapping[str, Node]) -> Result:
        """Run a SPARQL query over the union of the named graphs.

        :param text: the query text as the user wrote it (the contract's prefixes are known).
        :param prepared: the same query parsed by rdflib: it has been checked already, and
            tells its form (SELECT, ASK, CONSTRUCT, DESCRIBE).
        :param bindings: values of variables, as RDF terms, bound before evaluation.
        """

    def close(self) -> None:  # noqa: B027 - most stores hold nothing to release
        """Release files and connections (an on-disk store is unlocked)."""

    def describe(self) -> str:
        """A short description for messages: ``oxigraph at store/``."""
        return self.kind


def query_form(prepared: Query) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, from rdflib's parse of the query."""
    name = prepared.algebra.name
    return {
        "SelectQuery": "SELECT",
        "AskQuery": "ASK",
        "ConstructQuery": "CONSTRUCT",
        "DescribeQuery": "DESCRIBE",
    }[name]


def make_result(
    form: str,
    *,
    variables: list[str] | None = None,
    rows: Iterable[Mapping[str, Node]] = (),
    boolean: bool | None = None,
    triples: Iterable[Triple] = (),
) -> Result:
    """An rdflib :class:`Result` built from another engine's answer."""
    from rdflib import Variable
    from rdflib.plugins.stores.memory import SimpleMemory

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
