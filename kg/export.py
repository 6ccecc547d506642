"""Serialise the knowledge graph to the standard RDF formats.

Turtle (and the other triple formats) merge every named graph into one default graph; TriG and
N-Quads keep the named graphs so that provenance survives the export.
"""

from __future__ import annotations

from rdflib import Dataset, Graph

from kg.graph import KnowledgeGraph
from kg.io import Format
from kg.namespaces import PREFIXES


def serialize(kg: KnowledgeGraph, format: Format, *, graph: str | None = None) -> bytes:
    """The graph (or one named graph) as bytes in ``format``.

    :param kg: the knowledge graph.
    :param format: the output format.
    :param graph: the short name or IRI of one named graph to export instead of all.
    :raises KgUsageError: no graph has that name.
    """
    if graph is not None:
        names = [kg.resolve_name(graph)]
        kg.graph(graph)  # raises with the list of names when unknown
    else:
        names = kg.graph_names()
    if format.quads:
        out: Graph = Dataset()
        for name in names:
            target = out.graph(name)  # type: ignore[attr-defined]
            for triple in kg.dataset.graph(name):
                target.add(triple)
    else:
        out = Graph()
        for name in names:
            for triple in kg.dataset.graph(name):
                out.add(triple)
    for prefix, iri in PREFIXES.items():
        out.bind(prefix, iri, override=True, replace=True)
    data = out.serialize(format=format.rdflib_name, encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode("utf-8")
