"""``KnowledgeGraph``: one RDF dataset of named graphs, with the store hidden behind it.

Each origin of data (the ontology, the shapes, each source document, each reference data set,
the derived facts) keeps its own named graph so that provenance survives export and a user can
drop one source. Query, validation and export code talk to this class only, never to the store,
so that other backends can stand behind the same interface.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, URIRef
from rdflib.query import Result
from rdflib.term import Node

if TYPE_CHECKING:
    from kg.query import Results

from kg.errors import KgUsageError
from kg.namespaces import GRAPH, PREFIXES, graph_name

#: The named graph that holds the SHACL shapes: never part of the data that is validated.
SHAPES_GRAPH = graph_name("ontology/shapes")
#: The named graph that the derivation rules write into.
DERIVED_GRAPH = graph_name("derived")


class KnowledgeGraph:
    """The knowledge graph: named graphs of RDF with SPARQL over their union.

    >>> from rdflib import Graph, URIRef, Literal
    >>> kg = KnowledgeGraph()
    >>> g = Graph(); _ = g.add((URIRef("urn:x"), URIRef("urn:p"), Literal("Hà Nội", lang="vi")))
    >>> kg.add("example", g)
    >>> len(kg), [kg.short_name(n) for n in kg.graph_names()]
    (1, ['example'])
    >>> kg.sparql('ASK { ?s ?p "Hà Nội"@vi }').askAnswer
    True
    """

    def __init__(self, dataset: Dataset | None = None) -> None:
        self._dataset = dataset if dataset is not None else Dataset(default_union=True)
        self._dataset.default_union = True
        for prefix, iri in PREFIXES.items():
            self._dataset.bind(prefix, iri, override=True, replace=True)

    @property
    def dataset(self) -> Dataset:
        """The rdflib dataset behind the graph (named graphs, default graph = their union)."""
        return self._dataset

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

    def add(self, name: str | URIRef, graph: Graph) -> None:
        """Add the triples of ``graph`` to the named graph ``name`` (created when new)."""
        target = self._dataset.graph(self.resolve_name(name))
        for triple in graph:
            target.add(triple)

    def graph(self, name: str | URIRef) -> Graph:
        """The named graph ``name``.

        :raises KgUsageError: no graph of that name; the message lists the names there are.
        """
        iri = self.resolve_name(name)
        if iri not in set(self.graph_names()):
            names = ", ".join(self.short_name(n) for n in self.graph_names())
            raise KgUsageError(f"no graph named {name!s}; the graphs are: {names}")
        return self._dataset.graph(iri)

    def graph_names(self) -> list[URIRef]:
        """The names of the non-empty named graphs, sorted."""
        names = {
            g.identifier
            for g in self._dataset.graphs()
            if isinstance(g.identifier, URIRef) and len(g) > 0
        }
        names.discard(URIRef("urn:x-rdflib:default"))
        return sorted(names)

    def remove_graph(self, name: str | URIRef) -> None:
        """Drop one named graph, e.g. to see the data without one source."""
        self._dataset.remove_graph(self.graph(name))

    def union(self, *, exclude: Iterable[str | URIRef] = ()) -> Graph:
        """A new graph with the triples of every named graph except those in ``exclude``."""
        skip = {self.resolve_name(n) for n in exclude}
        out = Graph()
        for prefix, iri in PREFIXES.items():
            out.bind(prefix, iri, override=True, replace=True)
        for name in self.graph_names():
            if name not in skip:
                for triple in self._dataset.graph(name):
                    out.add(triple)
        return out

    def data_graph(self) -> Graph:
        """Everything but the shapes: the graph that validation checks."""
        return self.union(exclude=[SHAPES_GRAPH])

    def sparql(self, query: str, *, bindings: Mapping[str, Node] | None = None) -> Result:
        """Run a SPARQL query over the union of the named graphs.

        The contract's prefixes are declared for the query, so ``org:`` or ``qb:`` need no
        PREFIX line. Values in ``bindings`` are bound as RDF terms, never pasted into the text.

        :raises KgParseError: the query does not parse.
        """
        from kg.sparql import prepare

        prepared = prepare(query)
        return self._dataset.query(prepared, initBindings=dict(bindings or {}))

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
        return sum(len(self._dataset.graph(n)) for n in self.graph_names())

    @classmethod
    def from_files(cls, paths: Iterable[str | Path]) -> KnowledgeGraph:
        """A graph of the RDF files a user brings, each file in a named graph of its own."""
        from kg.io import parse

        kg = cls()
        for path in paths:
            parsed = parse(path)
            if isinstance(parsed, Dataset):
                for g in parsed.graphs():
                    if len(g):
                        kg.add(g.identifier, g)
            else:
                kg.add(Path(path).resolve().as_uri(), parsed)
        return kg
