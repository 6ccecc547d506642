"""cchc-kg: a knowledge graph of Vietnam's public administration reform (cải cách hành chính).

The library behind the ``kg`` command; each verb of the command is a function here::

    import kg
    graph = kg.build()                      # ontology + data + rules, one RDF dataset
    report = kg.validate(graph)             # SHACL, against ontology/shapes.ttl
    draft = kg.ingest(text, url=..., published="2022-05-25")    # candidate facts of a text
    rows = kg.query(graph, "pci-history", area="id:unit/01")   # a catalog query
    graph.sparql("SELECT ...")              # the contract's prefixes are declared for you
"""

from kg.build import build
from kg.build_file import build_to_file
from kg.errors import (
    KgDataError,
    KgError,
    KgFallbackWarning,
    KgFileError,
    KgLimitError,
    KgParseError,
    KgShapesError,
    KgStoreError,
    KgUsageError,
    KgWarning,
)
from kg.export import serialize
from kg.graph import KnowledgeGraph
from kg.ingest import ingest
from kg.io import Format, parse
from kg.network import network
from kg.query import Results, query
from kg.report import Report, Severity, ValidationResult
from kg.stats import Stats, stats
from kg.validate import validate
from kg.version import __version__

__all__ = [
    "Format",
    "KgDataError",
    "KgError",
    "KgFallbackWarning",
    "KgFileError",
    "KgLimitError",
    "KgParseError",
    "KgShapesError",
    "KgStoreError",
    "KgUsageError",
    "KgWarning",
    "KnowledgeGraph",
    "Report",
    "Results",
    "Severity",
    "Stats",
    "ValidationResult",
    "__version__",
    "build",
    "build_to_file",
    "ingest",
    "network",
    "parse",
    "query",
    "serialize",
    "stats",
    "validate",
]
