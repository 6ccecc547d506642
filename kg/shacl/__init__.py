"""SHACL by SPARQL: shapes compiled into queries that Oxigraph runs over the whole graph.

pySHACL checks one focus node at a time in Python. A constraint can instead be written as one
SPARQL ``SELECT`` that returns *every* result of that constraint in the graph at once, and
Oxigraph (Rust) answers such a query in milliseconds. This package does that translation for
every constraint component of SHACL Core and SHACL-SPARQL (https://www.w3.org/TR/shacl/), split
by job as the specification is split by section:

==================  =============================================================================
``shapes``          the shapes graph read: shapes, targets, parameters, lists, recursion
``paths``           SHACL property paths as SPARQL paths (2.3.1)
``targets``         focus nodes (2.1.3), with SHACL instances (``rdf:type/rdfs:subClassOf*``)
``components``      one module per section of constraint components (4, 5, 6)
``user_sparql``     users' SPARQL read, refused if unsafe, pre-bound variables written in (5.3)
``compiler``        shapes -> one query per constraint; nested shapes as expressions
``runner``          the queries run in Oxigraph, in threads, each timed
``results``         solutions -> validation results -> the report (3.6)
``engine``          the entry points: an rdflib graph, or a pyoxigraph store in place
==================  =============================================================================

:mod:`kg.validate` is the one dispatcher between this engine and pySHACL, the reference. The
engine refuses (:class:`Unsupported`) only what no finite query can do (a recursive shape) and
what lies outside SHACL Core and SHACL-SPARQL (SHACL Advanced Features), naming the shape and
the feature; ``engine="auto"`` then validates with pySHACL and says why.
"""

from kg.shacl.compiler import compile_shapes
from kg.shacl.engine import holds_only_shapes, validate_fast, validate_store
from kg.shacl.model import CompiledConstraint, Unsupported

__all__ = [
    "CompiledConstraint",
    "Unsupported",
    "compile_shapes",
    "holds_only_shapes",
    "validate_fast",
    "validate_store",
]
