"""Assemble the knowledge graph: ontology + data + importers + derivation rules.

The flow is one direction (ARCHITECTURE.md): every Turtle file under ``ontology/`` and ``data/``
is parsed into a named graph of its own, the CSV importers add the units and reference facts,
and the rules in ``ontology/rules/*.rq`` (SPARQL CONSTRUCT) add derived facts to
``graph:derived``. Nothing here writes files or prints; :func:`build_to_file` adds validation and
an atomic write for ``kg build``.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rdflib import Graph

from kg.errors import KgFileError
from kg.graph import DERIVED_GRAPH, SHAPES_GRAPH, KnowledgeGraph
from kg.io import Format, parse, quiet_rdflib, read_text, write_atomic
from kg.namespaces import CCHC, graph_name, resource
from kg.stores import Store

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query

    from kg.importers.units import UnitRow
    from kg.validate import Report


class Progress(Protocol):
    """What a build reports to: each step as it begins, and how far a long step has got.

    Called as ``progress(step)`` when a step begins, then, for the steps that can count (the
    importers of the national lists, which take seconds), ``progress(step, done, total)`` as
    they go. A plain ``Callable[[str], None]`` still works: it hears only the steps.
    """

    def __call__(self, step: str, done: int | None = None, total: int | None = None) -> None:
        """Hear of ``step``; ``done`` of ``total`` when the step can count."""


#: A callback of the older, one-argument form: it hears only the step names.
StepCallback = Callable[[str], None]

#: Called with (items done, items in all) by an importer as it goes.
Tick = Callable[[int, int], None]

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
    """A step that turns a non-RDF source file into the triples of one named graph.

    ``load(path, root, tick)`` returns the triples: N-Triples text (the national lists, which
    a store with its own parser reads at once, see :mod:`kg.ntriples`) or an rdflib graph;
    it may call ``tick(done, total)`` as it goes.
    """

    graph: str
    path: str
    load: Callable[[Path, Path, Tick], str | Graph]


#: Reads a units list (:func:`kg.importers.units.read_units`), once per build.
Rows = Callable[[Path], "Sequence[UnitRow]"]


def _units(
    era: str, levels: set[str] | None, rows: Rows
) -> Callable[[Path, Path, Tick], str | Graph]:
    def load(path: Path, root: Path, tick: Tick) -> str | Graph:
        from kg.importers.units import units_ntriples

        return units_ntriples(path, era=era, levels=levels, tick=tick, rows=rows(path))

    return load


def _bodies(
    era: str, levels: set[str] | None, rows: Rows
) -> Callable[[Path, Path, Tick], str | Graph]:
    def load(path: Path, root: Path, tick: Tick) -> str | Graph:
        from kg.importers.bodies import bodies_ntriples

        return bodies_ntriples(path, era=era, levels=levels, tick=tick, rows=rows(path))

    return load


def _read_units_once() -> Rows:
    """A reader of units lists that reads each file once: its units and its bodies both need
    the rows (a tenth of a second for the 2020 list)."""
    read: dict[Path, Sequence[UnitRow]] = {}

    def rows(path: Path) -> Sequence[UnitRow]:
        from kg.importers.units import read_units

        if path not in read:
            read[path] = read_units(path)
        return read[path]

    return rows


def _facts(path: Path, root: Path, tick: Tick) -> str | Graph:
    from kg.importers.reference import load_facts

    return load_facts(path, units=root / "data" / "units" / "units-2020.csv")


def _provinces_2025(path: Path, root: Path, tick: Tick) -> str | Graph:
    from kg.importers.reference import load_provinces_2025

    return load_provinces_2025(
        path,
        units_2020=root / "data" / "units" / "units-2020.csv",
        units_2025=root / "data" / "units" / "units-2025.csv",
    )


#: The named graphs of the generated units and bodies: too large for pySHACL (see
#: :func:`validation_view`).
GENERATED_GRAPHS = ("units/2020", "bodies/2020", "units/2025", "bodies/2025")


def importers(*, national: bool = True) -> list[Importer]:
    """The CSV importers of the build, in order.

    :param national: load every district and commune (and their UBND and HĐND) too; with
        False only the provinces and their bodies, for a quick build.
    """
    levels = None if national else {"province"}
    units_2020, units_2025 = "data/units/units-2020.csv", "data/units/units-2025.csv"
    rows = _read_units_once()
    return [
        Importer("units/2020", units_2020, _units("2020", levels, rows)),
        Importer("bodies/2020", units_2020, _bodies("2020", levels, rows)),
        Importer("units/2025", units_2025, _units("2025", levels, rows)),
        Importer("bodies/2025", units_2025, _bodies("2025", levels, rows)),
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

    Rules may build on each other's output, so they run in passes until a fixpoint. On a store
    that runs a CONSTRUCT in place (Oxigraph), the rule text goes straight to it: rdflib's
    parser (half a second for two rules) is asked only for the message of a rule Oxigraph refuses.

    :returns: the number of derived triples.
    :raises KgParseError: a rule is not valid SPARQL (file, line, column).
    """
    from kg.sparql import prepare

    paths = list(rules)
    texts = [read_text(path) for path in paths]
    in_place = getattr(kg.store, "add_construct", None)
    prepared: dict[int, Query] = {}
    if in_place is None:
        prepared = {
            i: prepare(text, source=str(path))
            for i, (text, path) in enumerate(zip(texts, paths, strict=True))
        }
    derived = kg.resolve_name(DERIVED_GRAPH)
    for _ in range(max_passes):
        before = kg.graph_size(DERIVED_GRAPH)
        for i, (text, path) in enumerate(zip(texts, paths, strict=True)):
            if i not in prepared:
                if in_place is not None and in_place(derived, text):
                    continue
                prepared[i] = prepare(text, source=str(path))  # raises with the line and column
            found = kg.store.query(text, prepared[i], {})
            if found.graph is not None and len(found.graph):
                kg.add(DERIVED_GRAPH, found.graph)
        if kg.graph_size(DERIVED_GRAPH) == before:
            break
    return kg.graph_size(DERIVED_GRAPH)


def _add_turtle(kg: KnowledgeGraph, name: str, path: Path) -> None:
    """One Turtle file of the project into its named graph, by the store's own parser when it
    has one (Oxigraph: many times faster than rdflib's).

    What :func:`parse` promises still holds (NFC text; errors name the file, line and column;
    ill-typed literals refused): when Oxigraph refuses the file, or has read a typed literal
    that rdflib calls ill-typed, the file is parsed again by :func:`parse`, which raises with
    the message it always gave (or reads the file after all, when only Oxigraph refused it).
    """
    load = getattr(kg.store, "load_rdf", None)
    if load is None:
        kg.add(name, parse(path))
        return
    text = read_text(path)
    iri = kg.resolve_name(name)
    if load(text.encode("utf-8"), "turtle", graph=iri, base_iri=path.resolve().as_uri()):
        if "^^" not in text:
            return
        with quiet_rdflib():
            if not any(t.ill_typed for t in kg.store.typed_literals(iri)):  # type: ignore[attr-defined]
                return
        kg.store.remove_graph(iri)
    kg.add(name, parse(path, text=text))


def _reporter(progress: Progress | StepCallback | None) -> Progress:
    """``progress`` as a three-argument callback; a one-argument one hears only the steps."""
    if progress is None:
        return lambda step, done=None, total=None: None
    try:
        inspect.signature(progress).bind("step", 0, 0)
    except TypeError:
        steps_only = progress

        def say(step: str, done: int | None = None, total: int | None = None) -> None:
            if done is None:
                steps_only(step)  # type: ignore[call-arg]

        return say
    except ValueError:  # a builtin without a signature: call it the old way
        return _reporter(lambda step: progress(step))  # type: ignore[call-arg]
    return progress  # type: ignore[return-value]


def build(
    root: str | Path | None = None,
    *,
    national: bool = True,
    progress: Progress | StepCallback | None = None,
    store: Store | str | None = None,
) -> KnowledgeGraph:
    """Assemble the knowledge graph from the project's sources and run the derivation rules.

    The default is the whole country: the 63 provinces, 705 districts and 10,603 communes of the
    2020 list and the 34 provinces and 3,321 communes of 1 July 2025, each with its UBND and HĐND
    (some 540,000 triples). ``national=False`` keeps the provinces only, for a quick build.

    :param root: the project folder (``ontology/``, ``data/``); :func:`default_root` if omitted.
    :param national: include every district- and commune-level unit and its bodies.
    :param progress: hears each step, and how far the long ones have got (:class:`Progress`).
    :param store: the store to build into (a :class:`~kg.stores.Store` or its kind's name);
        :data:`kg.stores.DEFAULT_STORE` when omitted.
    :returns: the assembled graph.
    :raises KgParseError: a source file does not parse (file, line, column).
    :raises KgDataError: a source holds an invalid value or a bad CSV row.
    :raises KgFileError: a folder or file of the build is missing.
    """
    base = Path(root) if root is not None else default_root()
    say = _reporter(progress)
    kg = KnowledgeGraph(store=store)
    for name, path in turtle_files(base):
        say(f"parse {path.relative_to(base)}")
        _add_turtle(kg, name, path)
    # Oxigraph parses the importers' text without holding the GIL: each list is loaded in a
    # thread of its own while the next one is written (the two take about as long). Stores
    # that take rdflib terms are written here, in turn.
    threaded = getattr(kg.store, "add_ntriples", None) is not None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-build-load") as loader:
        loads: list[Future[None]] = []
        for step in importers(national=national):
            path = base / step.path
            if not path.exists():
                continue
            message = f"import {step.path} → {step.graph}"
            say(message)

            def tick(done: int, total: int, message: str = message) -> None:
                say(message, done, total)

            triples = step.load(path, base, tick)
            add = kg.add_ntriples if isinstance(triples, str) else kg.add
            if threaded:
                loads.append(loader.submit(add, step.graph, triples))  # type: ignore[arg-type]
            else:
                add(step.graph, triples)  # type: ignore[arg-type]
        for load in loads:
            load.result()  # raises what a load raised
    say("derive")
    derive(kg, rule_files(base))
    return kg


def validation_view(kg: KnowledgeGraph) -> Graph:
    """The part of the graph that ``kg build`` validates with pySHACL, as one graph.

    pySHACL needs minutes for the half-million triples of the national units and bodies, so
    until validation has a faster path the district- and commune-level units and their bodies
    are left out: everything else is here, the provinces of both lists and their bodies
    included, so that links from the article and the reference data to units still resolve.
    The unit shapes are checked over the whole lists by the tests (tests/test_national.py).

    :param kg: a built graph.
    :returns: every triple but the shapes and the units and bodies below province level.
    """
    generated = {graph_name(name) for name in GENERATED_GRAPHS}
    province = resource("level", "province")
    out = Graph()
    for name in kg.graph_names():
        if name == SHAPES_GRAPH:
            continue
        if name not in generated:
            for triple in kg.triples(name):
                out.add(triple)
            continue
        triples = list(kg.triples(name))
        below = {s for s, p, o in triples if p == CCHC.level and o != province}
        for triple in triples:
            if triple[0] not in below:
                out.add(triple)
    return out


def validate_built(kg: KnowledgeGraph, shapes: Graph | None = None) -> Report:
    """Validate a built graph, whole, against the project's shapes, the fast way.

    The shapes compiled into SPARQL (:mod:`kg.shacl_sparql`) run where the graph is: in place on
    an Oxigraph store (every named graph but the shapes, nothing copied), or over the data graph
    of rdflib's store. Seconds for the national units, where pySHACL needs minutes; the
    differential tests hold the two engines to the same results. Shapes the compiler refuses
    fall back to pySHACL over :func:`validation_view`.

    :param kg: the built graph.
    :param shapes: the shapes graph; the graph's own shapes graph, else ``ontology/shapes.ttl``.
    :returns: the report.
    """
    from kg.validate import project_shapes, validate

    if shapes is None:
        shapes = kg.graph(SHAPES_GRAPH) if SHAPES_GRAPH in kg.graph_names() else project_shapes()
    try:
        import pyoxigraph

        from kg.shacl_sparql import Unsupported, holds_only_shapes, validate_store
    except ImportError:
        return validate(validation_view(kg), shapes, engine="pyshacl")
    store = getattr(kg.store, "store", None)
    try:
        if isinstance(store, pyoxigraph.Store):
            names = kg.graph_names()
            if SHAPES_GRAPH not in names or holds_only_shapes(store, SHAPES_GRAPH, shapes):
                return validate_store(store, shapes, union=True)  # twice as fast as a list
            graphs = [g for g in names if g != SHAPES_GRAPH]
            return validate_store(store, shapes, graphs=graphs)
        return validate(kg.data_graph(), shapes, engine="sparql")
    except Unsupported:
        return validate(validation_view(kg), shapes, engine="pyshacl")


def build_to_file(
    output: str | Path | None,
    root: str | Path | None = None,
    *,
    format: Format | None = None,
    check: bool = True,
    national: bool = True,
    progress: Progress | StepCallback | None = None,
    store: Store | str | None = None,
) -> tuple[KnowledgeGraph, object | None]:
    """``kg build``: build, validate against the project's shapes, and write the dataset.

    Nothing is written when the graph has violations (with ``check``) or when any step fails.
    Validation is :func:`validate_built`: the whole graph, by the SPARQL engine.

    :returns: the graph and the validation report (None without ``check``).
    """
    from kg.export import serialize

    say = _reporter(progress)
    fmt = format or (Format.from_extension(output) if output is not None else None)
    kg = build(root, national=national, progress=progress, store=store)
    report = None
    if check:
        say("validate")
        shapes = kg.graph(SHAPES_GRAPH) if SHAPES_GRAPH in kg.graph_names() else None
        report = validate_built(kg, shapes)
        if not report.conforms_at("violation"):
            return kg, report
    if output is not None and fmt is not None:  # None: the graph stays in its store only
        say(f"write {output}")
        write_atomic(output, serialize(kg, fmt))
    return kg, report
