"""Labels for IRIs, in the language the user asked for.

Reports and tables show a label beside each IRI so a person can read them; Vietnamese is the
default language, English the alternative, and a compact IRI the last resort.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDFS, SKOS
from rdflib.term import Node

from kg.namespaces import SCHEMA, compact

LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, SCHEMA.name, FOAF.name)


def label(graph: Graph, term: Node | None, lang: str = "vi") -> str:
    """The best label of ``term`` in ``lang``: a tagged label, else an untagged one, else ''.

    >>> from rdflib import Graph, URIRef, Literal
    >>> from rdflib.namespace import RDFS
    >>> g = Graph()
    >>> _ = g.add((URIRef("urn:hn"), RDFS.label, Literal("Hà Nội", lang="vi")))
    >>> _ = g.add((URIRef("urn:hn"), RDFS.label, Literal("Hanoi", lang="en")))
    >>> label(g, URIRef("urn:hn"), "en")
    'Hanoi'
    """
    if not isinstance(term, URIRef):
        return ""
    fallback = ""
    for prop in LABEL_PROPERTIES:
        for value in sorted(graph.objects(term, prop), key=str):
            if not isinstance(value, Literal):
                continue
            if value.language == lang:
                return str(value)
            if not value.language and not fallback:
                fallback = str(value)
    return fallback


def show(graph: Graph, term: Node | None, lang: str = "vi") -> str:
    """A term as a person reads it: ``label (prefix:local)`` for IRIs, the text for literals."""
    if term is None:
        return "-"
    if isinstance(term, URIRef):
        name = label(graph, term, lang)
        short = compact(str(term))
        return f"{name} ({short})" if name else short
    if isinstance(term, Literal):
        return str(term)
    return "[]"  # a blank node: no name a person could use
