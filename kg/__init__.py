"""cchc-kg: a knowledge graph of Vietnam's public administration reform (cải cách hành chính).

The library behind the ``kg`` command::

    import kg
    graph = kg.build()                      # ontology + data + rules, one RDF dataset
    report = kg.validate(graph)             # SHACL, against ontology/shapes.ttl
    graph.sparql("SELECT ...")              # the contract's prefixes are declared for you
"""

from kg.build import build, build_to_file
from kg.errors import (
    KgDataError,
    KgError,
    KgFileError,
    KgParseError,
    KgShapesError,
    KgUsageError,
)
from kg.export import serialize
from kg.graph import KnowledgeGraph
from kg.io import Format, parse
from kg.network import network
from kg.stats import Stats, stats
from kg.validate import Report, Severity, ValidationResult, validate

__version__ = "0.1.0"

__all__ = [
    "Format",
    "KgDataError",
    "KgError",
    "KgFileError",
    "KgParseError",
    "KgShapesError",
    "KgUsageError",
    "KnowledgeGraph",
    "Report",
    "Severity",
    "Stats",
    "ValidationResult",
    "__version__",
    "build",
    "build_to_file",
    "network",
    "parse",
    "serialize",
    "stats",
    "validate",
]
