"""``kg build``: build the graph, validate it against the project's shapes, write the dataset.

Above :mod:`kg.build` (which assembles a graph) and :mod:`kg.validate` (which checks one): a
file is written only when the graph has no violation, whole or not at all. The graph is kept
on disk, in the build cache (:mod:`kg.cache`) or a folder of the user's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from kg.build import Progress, StepCallback, build, reporter
from kg.cache import CacheEntry, Notice, build_entry, open_graph
from kg.errors import KgStoreError
from kg.export import serialize
from kg.graph import KnowledgeGraph
from kg.io import Format, write_atomic
from kg.report import Report
from kg.stores import Store
from kg.stores.disk import OnDiskBuild
from kg.validate import validate

__all__ = ["Built", "build_and_keep", "build_to_file", "check_and_write"]


def build_to_file(
    output: str | Path | None,
    root: str | Path | None = None,
    *,
    format: Format | None = None,
    check: bool = True,
    national: bool = True,
    progress: Progress | StepCallback | None = None,
    store: Store | str | None = None,
) -> tuple[KnowledgeGraph, Report | None]:
    """Build, validate against the project's shapes, and write the dataset.

    Nothing is written when the graph has violations (with ``check``) or when any step fails.
    Validation is :func:`kg.validate.validate` of the whole graph, by the compiled engine.

    :param output: the file to write; None keeps the graph in its store only.
    :param root: the project folder; :func:`kg.project.default_root` if omitted.
    :param format: the format to write; from ``output``'s extension if omitted.
    :param check: validate, and write nothing when there is a violation.
    :param national: every district and commune too (:func:`kg.build.build`).
    :param progress: hears each step.
    :param store: the store to build into.
    :returns: the graph and the validation report (None without ``check``).
    :raises KgError: what building, validating or writing raises.
    """
    kg = build(root, national=national, progress=progress, store=store)
    return kg, check_and_write(kg, output, format=format, check=check, progress=progress)


def check_and_write(
    kg: KnowledgeGraph,
    output: str | Path | None,
    *,
    format: Format | None = None,
    check: bool = True,
    progress: Progress | StepCallback | None = None,
) -> Report | None:
    """Validate a built graph, and write it when it has no violation (see :func:`build_to_file`).

    :returns: the validation report (None without ``check``).
    """
    say = reporter(progress)
    fmt = format or (Format.from_extension(output) if output is not None else None)
    report = None
    if check:
        say("validate")
        report = validate(kg)
        if not report.conforms:
            return report
    if output is not None and fmt is not None:
        say(f"write {output}")
        write_atomic(output, serialize(kg, fmt))
    return report


@dataclass(frozen=True)
class Built:
    """What ``kg build`` made: the counts, the report, where the graph was kept."""

    #: Triples and named graphs of the graph.
    triples: int
    graphs: int
    #: The validation report (None without ``check``).
    report: Report | None
    #: The store the graph is in (``path``, or the cache's), None when it was not kept.
    store: Path | None


def build_and_keep(
    output: str | Path | None,
    root: str | Path | None = None,
    *,
    format: Format | None = None,
    check: bool = True,
    national: bool = True,
    progress: Progress | StepCallback | None = None,
    path: str | Path | None = None,
    store: str | None = None,
    cache: bool | str | Path = True,
    rebuild: bool = False,
    notice: Notice | None = None,
) -> Built:
    """``kg build``: :func:`kg.build_file.build_to_file`, the graph kept on disk.

    Into ``path`` when given (replacing the store there only with a graph without
    violations), else into the cache, whatever the validation finds: ``kg validate`` then
    reports it without building again. A cache whose store is current for the inputs is not
    built again (unless ``rebuild``): its graph is validated and written.

    :param output: the file to write (none when None).
    :param root: the project folder.
    :param format: the format to write; from ``output``'s extension if omitted.
    :param check: validate, and write no file when there is a violation.
    :param national: the whole country, or the provinces only.
    :param progress: hears each step.
    :param path: an on-disk Oxigraph store to build (a folder).
    :param store: ``memory`` builds into rdflib's store, kept nowhere.
    :param cache: keep the graph in the cache (in :func:`kg.project.cache_folder`, or in
        this folder).
    :param rebuild: build even when the cache holds the graph of these inputs.
    :param notice: hears that the cache's graph is used, or that another process holds it.
    :raises KgError: what building, validating or writing raises.
    """
    args = {"format": format, "check": check, "national": national, "progress": progress}
    if path is None and (cache is False or store == "memory"):
        graph, report = build_to_file(output, root, store=store, **args)  # type: ignore[arg-type]
        return Built(len(graph), len(graph.graph_names()), report, None)
    entry = None
    if path is None:
        entry = build_entry(root, national=national, cache=None if cache is True else cache)
        if not rebuild and entry.current():
            kept = _reuse(entry, output, format=format, check=check, progress=progress)
            if kept is not None:
                if notice is not None:
                    notice(f"the graph of these inputs is in the cache, not built again "
                           f"(--rebuild builds it anyway): {entry.path}")  # fmt: skip
                return kept
    # Built in memory (several times faster than on disk), then copied into the store on disk
    # by a child process while this one validates and writes the file (where it may fork).
    if entry is None:
        disk = OnDiskBuild(path)  # type: ignore[arg-type]  # a locked store: refused up front
        try:
            graph, report, filling = _build_beside(
                lambda graph: disk.start_filling(graph.store),
                output,
                root,
                **args,  # type: ignore[arg-type]
            )
            if report is not None and not report.conforms:
                filling.cancel()
                disk.abandon()
                return Built(len(graph), len(graph.graph_names()), report, None)
            filling.wait()
        except BaseException:
            disk.abandon()
            raise
        disk.commit()
        return Built(len(graph), len(graph.graph_names()), report, disk.path)
    with entry.locked(notice):
        graph, report, keeping = _build_beside(entry.start_keeping, output, root, **args)  # type: ignore[arg-type]
        keeping.finish()
    return Built(len(graph), len(graph.graph_names()), report, entry.path)


class _Copy(Protocol):
    def cancel(self) -> None: ...


_C = TypeVar("_C", bound=_Copy)


def _build_beside(
    start_copy: Callable[[KnowledgeGraph], _C],
    output: str | Path | None,
    root: str | Path | None,
    *,
    format: Format | None,
    check: bool,
    national: bool,
    progress: Progress | StepCallback | None,
) -> tuple[KnowledgeGraph, Report | None, _C]:
    """Build in memory, start the copy of the graph to disk, then validate and write the file
    while it runs (:func:`check_and_write`); the copy is cancelled when that fails."""
    graph = build(root, national=national, progress=progress)
    copy = start_copy(graph)
    try:
        report = check_and_write(graph, output, format=format, check=check, progress=progress)
    except BaseException:
        copy.cancel()
        raise
    return graph, report, copy


def _reuse(
    entry: CacheEntry,
    output: str | Path | None,
    *,
    format: Format | None,
    check: bool,
    progress: Progress | StepCallback | None,
) -> Built | None:
    """The cache's current graph, validated and written; None when it does not open."""
    try:
        graph = open_graph(path=entry.path, in_memory=True)  # validated in memory: faster
    except KgStoreError:
        return None
    report = check_and_write(graph, output, format=format, check=check, progress=progress)
    return Built(len(graph), len(graph.graph_names()), report, entry.path)
