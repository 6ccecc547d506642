"""``kg stats``: how big the graph is, what is in it, and how well it is labelled.

A data team's first questions about a build: did every source land (triples per named graph),
what kinds of things are there (instances per class), and can a person read them in both
languages (label coverage per language).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.graph import SHAPES_GRAPH, KnowledgeGraph

LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class Stats:
    """Counts that describe a built graph."""

    triples: int
    graphs: dict[str, int]
    classes: dict[str, int]
    labelled: dict[str, int]
    resources: int

    def coverage(self, lang: str) -> float:
        """Share of typed resources with an ``rdfs:label`` in ``lang`` (0.0 to 1.0)."""
        return self.labelled.get(lang, 0) / self.resources if self.resources else 0.0


def stats(kg: KnowledgeGraph) -> Stats:
    """Count triples per named graph, instances per class and labels per language.

    Label coverage counts the typed IRIs of the data (not the ontology or the shapes).

    >>> from kg.graph import KnowledgeGraph
    >>> stats(KnowledgeGraph()).triples
    0
    """
    graphs = {kg.short_name(n): kg.graph_size(n) for n in kg.graph_names()}
    data = kg.union(exclude=[SHAPES_GRAPH, "ontology/cchc", "ontology/concepts"])
    classes: Counter[str] = Counter()
    typed: set[URIRef] = set()
    for subject, cls in data.subject_objects(RDF.type):
        if isinstance(subject, URIRef) and isinstance(cls, URIRef):
            classes[str(cls)] += 1
            typed.add(subject)
    labelled: Counter[str] = Counter()
    for subject in typed:
        langs = {o.language for o in data.objects(subject, RDFS.label) if isinstance(o, Literal)}
        for lang in LANGUAGES:
            if lang in langs:
                labelled[lang] += 1
    return Stats(
        triples=len(kg),
        graphs=dict(sorted(graphs.items())),
        classes=dict(sorted(classes.items(), key=lambda kv: (-kv[1], kv[0]))),
        labelled={lang: labelled.get(lang, 0) for lang in LANGUAGES},
        resources=len(typed),
    )
