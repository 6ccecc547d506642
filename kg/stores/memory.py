"""rdflib's in-memory :class:`~rdflib.Dataset`: the reference engine.

Slow on large graphs (pure Python) but the one every other backend is checked against by the
differential tests: what rdflib answers is what the others must answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from rdflib import Dataset, URIRef
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from kg.namespaces import PREFIXES
from kg.stores.base import Quad, Store, Triple

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

    def query(self, text: str, prepared: Query, bindings: Mapping[str, Node]) -> Result:
        return self.dataset.query(prepared, initBindings=dict(bindings))
