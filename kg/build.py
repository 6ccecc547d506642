"""Assemble the knowledge graph: ontology + data + importers + derivation rules.

The flow is one direction (ARCHITECTURE.md): every Turtle file under ``ontology/`` and ``data/``
is parsed into a named graph of its own, the CSV importers add the units and reference facts,
and the rules in ``ontology/rules/*.rq`` (SPARQL CONSTRUCT) add derived facts to
``graph:derived``. Nothing here writes files or prints; :func:`build_to_file` adds validation and
an atomic write for ``kg build``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from kg.errors import KgFileError
from kg.graph import DERIVED_GRAPH, KnowledgeGraph
from kg.io import Format, parse, write_atomic
from kg.namespaces import graph_name

#: Called with a short description of each step as the build reaches it.
Progress = Callable[[str], None]

ENV_ROOT = "CCHC_KG_ROOT"


def default_root() -> Path:
    """The project folder whose ``ontology/`` and ``data/`` the build reads.

    ``$CCHC_KG_ROOT`` when set; else the checkout this package was installed from; else the
    current directory.
    """
    if os.environ.get(ENV_ROOT):
        return Path(os.environ[ENV_ROOT])
    here = Path(__file__).resolve().parent.parent
    if (here / "ontology").is_dir():
        return here
    return Path.cwd()


@dataclass(frozen=True)
class Importer:
    """A step that turns a non-RDF source file into the triples of one named graph."""

    graph: str
    path: str
    load: Callable[[Path, Path], Graph]


def _units(era: str, levels: set[str] | None) -> Callable[[Path, Path], Graph]:
    def load(path: Path, root: Path) -> Graph:
        from kg.importers.units import load_units

        return load_units(path, era=era, levels=levels)

    return load


def _facts(path: Path, root: Path) -> Graph:
    from kg.importers.reference import load_facts

    return load_facts(path, units=root / "data" / "units" / "units-2020.csv")


def _provinces_2025(path: Path, root: Path) -> Graph:
    from kg.importers.reference import load_provinces_2025

    return load_provinces_2025(
        path,
        units_2020=root / "data" / "units" / "units-2020.csv",
        units_2025=root / "data" / "units" / "units-2025.csv",
    )


def importers(*, national: bool = False) -> list[Importer]:
    """The CSV importers of the default build, in order.

    :param national: load every district and commune too, not only the provinces.
    """
    levels = None if national else {"province"}
    return [
        Importer("units/2020", "data/units/units-2020.csv", _units("2020", levels)),
        Importer("units/2025", "data/units/units-2025.csv", _units("2025", levels)),
        Importer("reference/facts", "data/reference/facts.csv", _facts),
        Importer("reference/provinces-2025", "data/reference/provinces-2025.csv", _provinces_2025),
    ]


def turtle_files(root: Path) -> list[tuple[str, Path]]:
    """Every Turtle file of the build with the short name of its graph, in a fixed order.

    ``ontology/cchc.ttl`` → ``ontology/cchc``; ``data/article/x.ttl`` → ``article/x``.
    """
    found: list[tuple[str, Path]] = []
    for folder, prefix in (("ontology", "ontology/"), ("data", "")):
        base = root / folder
        if not base.is_dir():
            raise KgFileError(f"no {folder}/ folder; is this a cchc-kg checkout?", path=base)
        for path in sorted(base.rglob("*.ttl")):
            name = prefix + path.relative_to(base).with_suffix("").as_posix()
            found.append((name, path))
    return found


def rule_files(root: Path) -> list[Path]:
    """The derivation rules, ``ontology/rules/*.rq``, in name order."""
    return sorted((root / "ontology" / "rules").glob("*.rq"))


def derive(kg: KnowledgeGraph, rules: Iterable[Path], *, max_passes: int = 5) -> int:
    """Run the CONSTRUCT rules into ``graph:derived`` until nothing new appears.

    Rules may build on each other's output, so they run in passes until a fixpoint.

    :returns: the number of derived triples.
    """
    from kg.io import read_text
    from kg.sparql import prepare

    prepared = [(path, prepare(read_text(path), source=str(path))) for path in rules]
    derived = kg.dataset.graph(DERIVED_GRAPH)
    for _ in range(max_passes):
        before = len(derived)
        for _path, query in prepared:
            for triple in kg.dataset.query(query):
                derived.add(triple)  # type: ignore[arg-type]
        if len(derived) == before:
            break
    return len(derived)


def build(
    root: str | Path | None = None,
    *,
    national: bool = False,
    progress: Progress | None = None,
) -> KnowledgeGraph:
    """Assemble the knowledge graph from the project's sources and run the derivation rules.

    :param root: the project folder (``ontology/``, ``data/``); :func:`default_root` if omitted.
    :param national: include every district- and commune-level unit, not only provinces.
    :param progress: called with a description of each step.
    :returns: the assembled graph.
    :raises KgParseError: a source file does not parse (file, line, column).
    :raises KgDataError: a source holds an invalid value or a bad CSV row.
    :raises KgFileError: a folder or file of the build is missing.
    """
    base = Path(root) if root is not None else default_root()
    say = progress or (lambda _msg: None)
    kg = KnowledgeGraph()
    for name, path in turtle_files(base):
        say(f"parse {path.relative_to(base)}")
        parse(path, into=kg.dataset.graph(graph_name(name)))
    for step in importers(national=national):
        path = base / step.path
        if not path.exists():
            continue
        say(f"import {step.path}")
        kg.add(step.graph, step.load(path, base))
    say("derive")
    derive(kg, rule_files(base))
    return kg


def build_to_file(
    output: str | Path,
    root: str | Path | None = None,
    *,
    format: Format | None = None,
    check: bool = True,
    national: bool = False,
    progress: Progress | None = None,
) -> tuple[KnowledgeGraph, object | None]:
    """``kg build``: build, validate against the project's shapes, and write the dataset.

    Nothing is written when the graph has violations (with ``check``) or when any step fails.

    :returns: the graph and the validation report (None without ``check``).
    """
    from kg.export import serialize
    from kg.validate import validate

    fmt = format or Format.from_extension(output)
    kg = build(root, national=national, progress=progress)
    report = None
    if check:
        (progress or (lambda _m: None))("validate")
        report = validate(kg)
        if not report.conforms_at("violation"):
            return kg, report
    write_atomic(output, serialize(kg, fmt))
    return kg, report
