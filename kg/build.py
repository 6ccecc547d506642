"""Assemble the knowledge graph: ontology + data + importers + derivation rules.

The flow is one direction (docs/architecture.md): every Turtle file under ``ontology/`` and
``data/`` is parsed into a named graph of its own, the CSV importers add the units and reference
facts, and the rules in ``ontology/rules/*.rq`` (SPARQL CONSTRUCT) add derived facts to
``graph:derived``. Nothing here validates, writes files or prints: :mod:`kg.build_file` adds
validation and an atomic write for ``kg build``.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rdflib import Graph, Literal
from rdflib.namespace import FOAF, OWL, RDF, RDFS, SKOS, XSD

from kg.graph import DERIVED_GRAPH, KnowledgeGraph
from kg.importers.bodies import bodies_ntriples, history_bodies_ntriples
from kg.importers.history import History, history_ntriples, read_history
from kg.importers.observations import (
    is_observation_table,
    load_datasets,
    observations_ntriples,
)
from kg.importers.reference import load_facts, load_provinces_2025
from kg.importers.regions import load_regions
from kg.importers.state import load_state
from kg.importers.units import UnitRow, read_units, units_ntriples
from kg.io import parse, quiet_rdflib, read_text
from kg.namespaces import BASE, CCHC, resource, search_key
from kg.ntriples import literal, nt_iri
from kg.project import Project
from kg.stores import Store
from kg.version import __version__


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


@dataclass(frozen=True)
class Importer:
    """A step that turns a non-RDF source file into the triples of one named graph.

    ``load(path, project, tick)`` returns the triples: N-Triples text (the national lists, which
    a store with its own parser reads at once, see :mod:`kg.ntriples`) or an rdflib graph;
    it may call ``tick(done, total)`` as it goes.
    """

    graph: str
    path: str
    load: Callable[[Path, Project, Tick], str | Graph]


#: Reads a units list (:func:`kg.importers.units.read_units`), once per build.
Rows = Callable[[Path], Sequence[UnitRow]]


def _units(
    era: str, levels: set[str] | None, rows: Rows
) -> Callable[[Path, Project, Tick], str | Graph]:
    def load(path: Path, project: Project, tick: Tick) -> str | Graph:
        return units_ntriples(path, era=era, levels=levels, tick=tick, rows=rows(path))

    return load


def _bodies(
    era: str, levels: set[str] | None, rows: Rows
) -> Callable[[Path, Project, Tick], str | Graph]:
    def load(path: Path, project: Project, tick: Tick) -> str | Graph:
        return bodies_ntriples(path, era=era, levels=levels, tick=tick, rows=rows(path))

    return load


def _history_units(
    levels: set[str] | None, history: Callable[[Path], History]
) -> Callable[[Path, Project, Tick], str | Graph]:
    def load(path: Path, project: Project, tick: Tick) -> str | Graph:
        return history_ntriples(history(path), levels=levels, tick=tick)

    return load


def _history_bodies(
    levels: set[str] | None, history: Callable[[Path], History]
) -> Callable[[Path, Project, Tick], str | Graph]:
    def load(path: Path, project: Project, tick: Tick) -> str | Graph:
        return history_bodies_ntriples(history(path), levels=levels, tick=tick)

    return load


def _read_history_once(rows: Rows) -> Callable[[Path], History]:
    """A reader of the three-tier lists (data/units/lists.csv) that reads them once a build."""
    read: dict[Path, History] = {}

    def history(path: Path) -> History:
        if path not in read:
            read[path] = read_history(path, rows)
        return read[path]

    return history


def _read_units_once() -> Rows:
    """A reader of units lists that reads each file once: its units and its bodies both need
    the rows (a tenth of a second for the 2020 list)."""
    read: dict[Path, Sequence[UnitRow]] = {}

    def rows(path: Path) -> Sequence[UnitRow]:
        if path not in read:
            read[path] = read_units(path)
        return read[path]

    return rows


def _facts(path: Path, project: Project, tick: Tick) -> str | Graph:
    return load_facts(path, units=project.data_file("units/units-2020.csv"))


def _state(path: Path, project: Project, tick: Tick) -> str | Graph:
    return load_state(path)


def _datasets(path: Path, project: Project, tick: Tick) -> str | Graph:
    return load_datasets(path)


def _observations(path: Path, project: Project, tick: Tick) -> str | Graph:
    return observations_ntriples(path, project.data_file("units"))


def _regions(path: Path, project: Project, tick: Tick) -> str | Graph:
    return load_regions(path, project.data_file("units"))


def _provinces_2025(
    history: Callable[[Path], History],
) -> Callable[[Path, Project, Tick], str | Graph]:
    def load(path: Path, project: Project, tick: Tick) -> str | Graph:
        lists = project.data_file("units/lists.csv")
        if not lists.exists():
            return load_provinces_2025(
                path,
                units_2020=project.data_file("units/units-2020.csv"),
                units_2025=project.data_file("units/units-2025.csv"),
            )
        # the provinces of 30 June 2025: those of the last list of three tiers
        known = history(lists)
        last = len(known.lists) - 1
        return load_provinces_2025(
            path,
            units_2020=known.lists[last].path,
            units_2025=project.data_file("units/units-2025.csv"),
            old_unit=lambda code: resource("unit", known.unit_key(last, "province", code)),
        )

    return load


#: The named graphs of the generated units and bodies: too large for pySHACL (see
#: :func:`validation_view`).
GENERATED_GRAPHS = ("units/2020", "bodies/2020", "units/2025", "bodies/2025")


def importers(root: Path | Project | None = None, *, national: bool = True) -> list[Importer]:
    """The CSV importers of the build, in order.

    :param root: the project (or its folder): each table of index values in its
        ``data/indices/`` (a CSV file with the header of
        :data:`kg.importers.observations.OBSERVATION_COLUMNS`) gets an importer of its own,
        into the named graph ``indices/{file name}``.
    :param national: load every district and commune (and their UBND and HĐND) too, and the
        publishers' full tables of index values (``data/indices/panels/``); with False only the
        provinces and their bodies and the index values of pages, for a quick build.
    """
    project = root if isinstance(root, Project) else Project.at(root)
    levels = None if national else {"province"}
    lists, units_2025 = "data/units/lists.csv", "data/units/units-2025.csv"
    provinces_2025 = "data/reference/provinces-2025.csv"
    rows = _read_units_once()
    history = _read_history_once(rows)
    return [
        Importer("units/2020", lists, _history_units(levels, history)),
        Importer("bodies/2020", lists, _history_bodies(levels, history)),
        Importer("units/2025", units_2025, _units("2025", levels, rows)),
        Importer("bodies/2025", units_2025, _bodies("2025", levels, rows)),
        Importer("units/regions", "data/units/regions.csv", _regions),
        Importer("reference/facts", "data/reference/facts.csv", _facts),
        Importer("reference/provinces-2025", provinces_2025, _provinces_2025(history)),
        Importer("state", "data/state", _state),
        Importer("indices/datasets", "data/indices/datasets.csv", _datasets),
        *[
            Importer(f"indices/{path.stem}", f"data/indices/{path.name}", _observations)
            for path in project.files("data/indices", "*.csv")
            if is_observation_table(path)
        ],
        # the publishers' full tables (tens of thousands of values): the national build only
        *[
            Importer(
                f"indices/panels/{path.stem}", f"data/indices/panels/{path.name}", _observations
            )
            for path in project.files("data/indices/panels", "*.csv")
            if national and is_observation_table(path)
        ],
    ]


def derive(
    kg: KnowledgeGraph,
    rules: Iterable[Path],
    *,
    closing: Iterable[Path] = (),
    max_passes: int = 5,
) -> int:
    """Run the CONSTRUCT rules into ``graph:derived`` until nothing new appears, then the
    closing rules once.

    Rules may build on each other's output, so they run in passes until a fixpoint. A closing
    rule reads what the others have finished (the most specific type of each resource), so it
    runs once after them. Each runs where the store is (:meth:`~kg.stores.Store.add_construct`):
    on Oxigraph no term crosses into Python.

    :returns: the number of derived triples.
    :raises KgParseError: a rule is not valid SPARQL (file, line, column).
    """
    rules = [(read_text(path), str(path)) for path in rules]
    for _ in range(max_passes):
        before = kg.graph_size(DERIVED_GRAPH)
        for text, source in rules:
            kg.add_construct(DERIVED_GRAPH, text, source=source)
        if kg.graph_size(DERIVED_GRAPH) == before:
            break
    for path in closing:
        kg.add_construct(DERIVED_GRAPH, read_text(path), source=str(path))
    return kg.graph_size(DERIVED_GRAPH)


def _add_turtle(kg: KnowledgeGraph, name: str, path: Path) -> None:
    """One Turtle file of the project into its named graph, by the store's own parser (Oxigraph's
    is many times faster than rdflib's).

    What :func:`parse` promises still holds (NFC text; errors name the file, line and column;
    ill-typed literals refused): when Oxigraph refuses the file, or has read a typed literal
    that rdflib calls ill-typed, the file is parsed again by :func:`parse`, which raises with
    the message it always gave (or reads the file after all, when only the store refused it).
    """
    text = read_text(path)
    iri = kg.resolve_name(name)
    base_iri = path.resolve().as_uri()
    if kg.graph_size(iri):  # a second file of one graph (the shapes): added, never replaced
        kg.add(name, parse(path, text=text))
        return
    if kg.store.load_rdf(text.encode("utf-8"), "turtle", graph=iri, base_iri=base_iri):
        if "^^" not in text:
            return
        with quiet_rdflib():
            if not any(t.ill_typed for t in kg.store.typed_literals(iri)):
                return
        kg.store.remove_graph(iri)
    kg.add(name, parse(path, text=text))


def reporter(progress: Progress | StepCallback | None) -> Progress:
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
        return reporter(lambda step: progress(step))  # type: ignore[call-arg]
    return progress  # type: ignore[return-value]


def build(
    root: str | Path | None = None,
    *,
    national: bool = True,
    progress: Progress | StepCallback | None = None,
    store: Store | str | None = None,
) -> KnowledgeGraph:
    """Assemble the knowledge graph from the project's sources and run the derivation rules.

    The default is the whole country: the provinces, districts and communes of the four lists of
    three tiers of 2020–2025 (12,510 units, data/units/lists.csv) and the 34 provinces and 3,321
    communes of 1 July 2025, each with its UBND and HĐND (some 650,000 triples).
    ``national=False`` keeps the provinces only, for a quick build.

    :param root: the project folder (``ontology/``, ``data/``); :func:`kg.project.default_root`
        if omitted.
    :param national: include every district- and commune-level unit and its bodies.
    :param progress: hears each step, and how far the long ones have got (:class:`Progress`).
    :param store: the store to build into (a :class:`~kg.stores.Store` or its kind's name);
        :data:`kg.stores.DEFAULT_STORE` when omitted.
    :returns: the assembled graph.
    :raises KgParseError: a source file does not parse (file, line, column).
    :raises KgDataError: a source holds an invalid value or a bad CSV row.
    :raises KgFileError: a folder or file of the build is missing.
    """
    project = Project.at(root)
    say = reporter(progress)
    kg = KnowledgeGraph(store=store)
    for name, path in project.turtle_files():
        say(f"parse {_shown(project, path)}")
        _add_turtle(kg, name, path)
    # Oxigraph parses the importers' text without holding the GIL: each list is loaded in a
    # thread of its own while the next one is written (the two take about as long).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-build-load") as loader:
        loads: list[Future[None]] = []
        for step in importers(project, national=national):
            path = project.file(step.path)
            if not path.exists():
                continue
            message = f"import {step.path} → {step.graph}"
            say(message)

            def tick(done: int, total: int, message: str = message) -> None:
                say(message, done, total)

            triples = step.load(path, project, tick)
            add = kg.add_ntriples if isinstance(triples, str) else kg.add
            loads.append(loader.submit(add, step.graph, triples))  # type: ignore[arg-type]
        for load in loads:
            load.result()  # raises what a load raised
    _stamp_version(kg)
    say("derive")
    derive(kg, project.rule_files())
    say("kinds and search keys")
    complete(kg, project.root)
    return kg


def _shown(project: Project, path: Path) -> str:
    """A file of the build as the progress lines name it: by its path in its folder."""
    for layer in reversed(project.layers):
        if path.is_relative_to(layer):
            return path.relative_to(layer).as_posix()
    return str(path)


def complete(kg: KnowledgeGraph, root: str | Path | None = None) -> None:
    """State what the catalog reads and a build states last: the most specific type of each
    resource (the closing rules, ``ontology/rules/closing/``) and the search key of each label
    (:func:`add_search_keys`).

    :func:`build` ends with it; a graph assembled another way (files a user brings, a graph
    made in a test) gets the same with it, so that ``search``, ``find-unit`` and the queries
    that ask a kind answer on it as on a build.

    :param kg: the graph; its rules have run (``graph:derived`` is complete).
    :param root: the project whose closing rules to run; :func:`kg.project.default_root` if
        omitted.
    """
    derive(kg, (), closing=Project.at(root).closing_rule_files())
    add_search_keys(kg)


#: The named graph of the search keys (:func:`add_search_keys`).
SEARCH_KEYS_GRAPH = "search-keys"
#: Where the node of each label's search key lives.
SEARCH_KEY_BASE = BASE + "search-key/"
#: The label properties the catalog's search reads (``queries/search.rq``).
SEARCH_LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, FOAF.name)
_XSD_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)


def add_search_keys(kg: KnowledgeGraph) -> int:
    """State the search key of every label: its text folded as a user may type it (lower case,
    no diacritics, single spaces: :func:`kg.namespaces.search_key`), in the graph
    ``search-keys``.

    Each distinct label text of a resource (``rdfs:label``, ``skos:prefLabel``,
    ``skos:altLabel``, ``foaf:name``) gets a node of its own,
    ``<https://w3id.org/cchc/search-key/…>`` (named by a digest of the label, so a re-build
    names it the same), with ``cchc:keyedLabel`` the label and ``cchc:searchKey`` the folded
    text. Why: ``search`` and ``find-unit`` then find "Hà Nội" from "ha noi" with a plain
    ``CONTAINS`` on every engine; folded in SPARQL, with REPLACE over Vietnamese character
    classes, the fold is slow, and on Virtuoso it silently matches nothing.

    :returns: the number of labels keyed.
    """
    props = " ".join(p.n3() for p in SEARCH_LABEL_PROPERTIES)
    # (the distinct labels first: each is then taken apart once)
    text = (
        "SELECT ?text ?lang ?datatype WHERE { { SELECT DISTINCT ?label WHERE { "
        f"VALUES ?p {{ {props} }} ?s ?p ?label . FILTER (isLiteral(?label) && isIRI(?s)) }} }} "
        "BIND (STR(?label) AS ?text) BIND (LANG(?label) AS ?lang) "
        "BIND (STR(DATATYPE(?label)) AS ?datatype) }"
    )
    key, keyed = nt_iri(str(CCHC.searchKey)), nt_iri(str(CCHC.keyedLabel))
    lines: list[str] = []
    for label_text, lang, datatype in kg.store.select_text(text):
        plain = datatype in (_XSD_STRING, _LANG_STRING)
        label = literal(label_text, lang=lang or None, datatype=None if plain else datatype)
        node = nt_iri(SEARCH_KEY_BASE + hashlib.sha1(label.encode("utf-8")).hexdigest()[:20])
        lines.append(
            f"{node} {keyed} {label} .\n{node} {key} {literal(search_key(label_text))} .\n"
        )
    lines.sort()
    kg.add_ntriples(SEARCH_KEYS_GRAPH, "".join(lines))
    return len(lines)


def _stamp_version(kg: KnowledgeGraph) -> None:
    """State ``owl:versionInfo`` of each ontology the project declares, from :mod:`kg.version`:
    the version is written in one place, and the built ontology says which one built it."""
    for name in kg.graph_names():
        text = (
            f"SELECT ?o WHERE {{ GRAPH <{name}> {{ ?o a owl:Ontology "
            "FILTER NOT EXISTS { ?o owl:versionInfo ?v } } }"
        )
        found = [row[0] for row in kg.sparql(text)]  # type: ignore[index]
        if found:
            kg.add(name, [(o, OWL.versionInfo, Literal(__version__)) for o in found])
