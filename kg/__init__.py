"""cchc-kg: a knowledge graph of Vietnam's public administration reform (cải cách hành chính).

The library behind the ``kg`` command; each verb of the command is a function here::

    import kg
    graph = kg.build()                      # ontology + data + rules, one RDF dataset
    report = kg.validate(graph)             # SHACL, against ontology/shapes.ttl
    rows = kg.query(graph, "pci-history", area="id:unit/01")   # a catalog query
    graph.sparql("SELECT ...")              # the contract's prefixes are declared for you
"""

from kg.build import build
from kg.build_file import build_to_file
from kg.errors import (
    KgDataError,
    KgError,
    KgFileError,
    KgLimitError,
    KgParseError,
    KgShapesError,
    KgStoreError,
    KgUsageError,
)
from kg.export import serialize
from kg.graph import KnowledgeGraph
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
    "KgFileError",
    "KgLimitError",
    "KgParseError",
    "KgShapesError",
    "KgStoreError",
    "KgUsageError",
    "KnowledgeGraph",
    "Report",
    "Results",
    "Severity",
    "Stats",
    "ValidationResult",
    "__version__",
    "build",
    "build_to_file",
    "network",
    "parse",
    "query",
    "serialize",
    "stats",
    "validate",
]
