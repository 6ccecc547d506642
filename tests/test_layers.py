"""The house rules of docs/architecture.md, checked on the code itself.

Each rule here broke once: an import cycle held together by imports inside functions, modules
reading each other's private names, code that asked which store it had.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kg"


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out.append((name, path))
    return out


def test_the_import_graph_of_kg_has_no_cycle() -> None:
    """Counting every import, inside functions and under TYPE_CHECKING too."""
    found = grimp.build_graph("kg")
    graph = nx.DiGraph()
    for module in found.modules:
        graph.add_node(module)
        for imported in found.find_modules_directly_imported_by(module):
            graph.add_edge(module, imported)
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == []


def test_the_layers_contract_is_kept() -> None:
    """pyproject.toml's import-linter contract: each layer imports only those below it."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def _imported_names(tree: ast.AST) -> list[tuple[str, str, int]]:
    """(module, name, line) of every ``from kg... import name`` and ``kg.x._name`` use."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kg"):
            out += [(node.module or "", alias.name, node.lineno) for alias in node.names]
    return out


def test_no_module_reads_a_private_name_of_another() -> None:
    offenders = []
    for name, path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for module, imported, line in _imported_names(tree):
            private = imported.startswith("_") and not imported.startswith("__")
            if private and module != name:
                offenders.append(f"{path.relative_to(ROOT)}:{line} {module}.{imported}")
    assert offenders == []


@pytest.mark.parametrize(
    "needle",
    [
        "getattr(kg.store",
        "getattr(self._store",
        "getattr(store",
        "getattr(data.store",
        ".store.store",
        "isinstance(kg.store",
        "isinstance(store, Oxigraph",
        "isinstance(store, Memory",
    ],
)
def test_no_code_asks_which_store_it_has(needle: str) -> None:
    """Every store declares what it can do (kg/stores/base.py); callers never probe."""
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for _name, path in _modules()
        if "stores" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if needle in line
    ]
    assert found == []


def test_one_function_refuses_remote_access() -> None:
    """SERVICE, LOAD and FROM are refused by kg.sparql.refuse_remote only."""
    owners = []
    for _name, path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value == "ServiceGraphPattern":
                owners.append(str(path.relative_to(ROOT)))
    assert owners == ["kg/sparql.py"]


def test_no_library_module_imports_the_cli() -> None:
    found = grimp.build_graph("kg")
    assert found.find_modules_that_directly_import("kg.cli") == set()
