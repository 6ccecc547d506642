"""Shared fixtures: the project's built graph, built once per test session."""

from __future__ import annotations

import collections
import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal

import kg
from kg.cache import open_graph
from kg.graph import KnowledgeGraph
from kg.project import ENV_CACHE
from kg.query import StoredQuery, run

ROOT = Path(__file__).resolve().parent.parent

# The cache of built stores and of the gazetteer (kg.project.cache_folder): the tests' own,
# under the ignored dist/, never the user's ~/.cache.
os.environ[ENV_CACHE] = str(ROOT / "dist" / "test-cache")


@pytest.fixture(scope="session")
def root() -> Path:
    """The checkout the tests run in."""
    return ROOT


@pytest.fixture(scope="session")
def kgraph() -> KnowledgeGraph:
    """The knowledge graph as ``kg build --provinces-only`` assembles it (sources, importers,
    rules; units and bodies at province level): every fact of the article and the references,
    quick enough for the many tests that query it. tests/test_national.py uses ``national``.

    Taken from the build cache (copied into memory, so a test may change it): built once for
    every test worker and every ``kg`` process the tests start, as the command line does."""
    return open_graph(ROOT, national=False, in_memory=True)


@pytest.fixture(scope="session")
def national() -> KnowledgeGraph:
    """The whole country as ``kg build`` assembles it by default, from the build cache as
    ``kgraph`` is (tests/test_cache.py: the cache's graph writes the bytes a build writes)."""
    return open_graph(ROOT, in_memory=True)


@pytest.fixture(scope="session")
def small() -> dict[str, KnowledgeGraph]:
    """The provinces-only build on rdflib's memory store (the reference) and on Oxigraph: the
    graphs of the differential tests (tests/test_backends.py, tests/test_virtuoso.py)."""
    return {
        "memory": kg.build(ROOT, national=False, store="memory"),
        "oxigraph": kg.build(ROOT, national=False, store="oxigraph"),
    }


@pytest.fixture(scope="session")
def report(kgraph: KnowledgeGraph) -> kg.Report:
    """The SHACL report of the built graph against the project's shapes, as ``kg build`` makes
    it."""
    return kg.validate(kgraph)


def comparable(term: Any) -> Any:
    """A term as the differential tests compare it across engines: numbers by value (Oxigraph
    writes ``73.40`` as ``73.4``), everything else as the RDF term it is."""
    value = term.toPython() if isinstance(term, Literal) else None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return ("number", Decimal(str(value)).normalize())
    return term


def catalog_answer(graph: KnowledgeGraph, query: StoredQuery, params: Mapping[str, str]) -> Any:
    """A catalog query's answer as the differential tests compare it: the boolean of an ASK,
    else its rows (or triples) as a multiset, in any order."""
    results = run(graph, query, params)
    if results.type == "ASK":
        return results.boolean
    if results.graph is not None:
        return collections.Counter(tuple(comparable(t) for t in triple) for triple in results.graph)
    return collections.Counter(
        tuple(sorted((k, comparable(v)) for k, v in row.items())) for row in results.rows
    )


_REFERENCE: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = {}


def reference_answer(
    small: dict[str, KnowledgeGraph], query: StoredQuery, params: Mapping[str, str]
) -> Any:
    """rdflib's answer (:func:`catalog_answer`), computed once per query and parameters for
    every differential test of the session: rdflib is the slow one."""
    key = (query.name, tuple(sorted(params.items())))
    if key not in _REFERENCE:
        _REFERENCE[key] = catalog_answer(small["memory"], query, params)
    return _REFERENCE[key]
