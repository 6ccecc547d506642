"""rdflib's in-memory :class:`~rdflib.Dataset`: the reference engine.

Slow on large graphs (pure Python) but the one every other backend is checked against by the
differential tests: what rdflib answers is what the others must answer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from kg.errors import KgUsageError
from kg.namespaces import PREFIXES
from kg.sparql import dataset_clause
from kg.stores.base import Quad, QueryDataset, Store, Triple

_DEFAULT = URIRef("urn:x-rdflib:default")


class MemoryStore(Store):
    """Named graphs in an rdflib Dataset whose default graph is the union of them all."""

    kind = "memory"

    def __init__(self, dataset: Dataset | None = None) -> None:
        self.dataset = dataset if dataset is not None else Dataset(default_union=True)
        self.dataset.default_union = True
        for prefix, iri in PREFIXES.items():
            self.dataset.bind(prefix, iri, override=True, replace=True)

    def add(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        target = self.dataset.graph(graph)
        for triple in triples:
            target.add(triple)

    def triples(self, graph: URIRef) -> Iterator[Triple]:
        return iter(self.dataset.graph(graph))

    def quads(self) -> Iterator[Quad]:
        # one pass over the store: much faster in rdflib than one pass per named graph
        wanted = set(self.graph_names())
        for s, p, o, c in self.dataset.quads((None, None, None, None)):
            if c in wanted:
                yield s, p, o, c  # type: ignore[misc]

    def graph_names(self) -> list[URIRef]:
        names = {
            g.identifier
            for g in self.dataset.graphs()
            if isinstance(g.identifier, URIRef) and len(g) > 0
        }
        names.discard(_DEFAULT)
        return sorted(names)

    def graph_size(self, graph: URIRef) -> int:
        return len(self.dataset.graph(graph))

    def remove_graph(self, graph: URIRef) -> None:
        self.dataset.remove_graph(self.dataset.graph(graph))

    def graph_view(self, graph: URIRef) -> Graph:
        """The live graph: what is added to it is in the store."""
        return self.dataset.graph(graph)

    def as_dataset(self) -> Dataset:
        """The store's own Dataset, not a copy."""
        return self.dataset

    @contextlib.contextmanager
    def writer(self, graph: URIRef) -> Iterator[Any]:
        yield self.dataset.graph(graph)

    def update(self, text: str) -> None:
        try:
            self.dataset.update(text, initNs=PREFIXES)
        except (SyntaxError, ValueError) as exc:
            raise KgUsageError(f"the update failed: {exc}") from None

    def query(
        self,
        text: str,
        prepared: Query,
        bindings: Mapping[str, Node],
        *,
        dataset: QueryDataset | None = None,
    ) -> Result:
        if dataset is None:
            default, named = dataset_clause(prepared)
            if default or named:
                dataset = QueryDataset(default, named)
        if dataset is None:
            return self.dataset.query(prepared, initBindings=dict(bindings))
        # rdflib would fetch what FROM names (from the web, even a graph it holds): the dataset
        # is made here from the graphs held, and the query runs on it without its clause
        chosen = Dataset(default_union=False)
        for prefix, iri in PREFIXES.items():
            chosen.bind(prefix, iri, override=True, replace=True)
        default_graph = chosen.default_graph
        for name in dataset.default:
            for triple in self.dataset.graph(name):
                default_graph.add(triple)
        for name in dataset.named:
            target = chosen.graph(name)
            for triple in self.dataset.graph(name):
                target.add(triple)
        return chosen.query(_without_dataset_clause(prepared), initBindings=dict(bindings))


def _without_dataset_clause(prepared: Query) -> Query:
    """The same query with no FROM / FROM NAMED: its dataset is given otherwise."""
    algebra = prepared.algebra
    kept = CompValue(algebra.name, **{k: v for k, v in algebra.items() if k != "datasetClause"})
    return Query(prepared.prologue, kept)
