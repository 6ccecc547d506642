"""Shared fixtures: the project's built graph, built once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import kg
from kg.graph import KnowledgeGraph
from kg.project import ENV_CACHE

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
    quick enough for the many tests that query it. tests/test_national.py uses ``national``."""
    return kg.build(ROOT, national=False)


@pytest.fixture(scope="session")
def national() -> KnowledgeGraph:
    """The whole country as ``kg build`` assembles it by default, built once per session."""
    return kg.build(ROOT)


@pytest.fixture(scope="session")
def report(kgraph: KnowledgeGraph) -> kg.Report:
    """The SHACL report of the built graph against the project's shapes, as ``kg build`` makes
    it."""
    return kg.validate(kgraph)
