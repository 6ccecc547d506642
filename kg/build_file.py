"""``kg build``: build the graph, validate it against the project's shapes, write the dataset.

Above :mod:`kg.build` (which assembles a graph) and :mod:`kg.validate` (which checks one): a
file is written only when the graph has no violation, whole or not at all.
"""

from __future__ import annotations

from pathlib import Path

from kg.build import Progress, StepCallback, build, reporter
from kg.export import serialize
from kg.graph import KnowledgeGraph
from kg.io import Format, write_atomic
from kg.report import Report
from kg.stores import Store
from kg.validate import validate

__all__ = ["build_to_file"]


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
    say = reporter(progress)
    fmt = format or (Format.from_extension(output) if output is not None else None)
    kg = build(root, national=national, progress=progress, store=store)
    report = None
    if check:
        say("validate")
        report = validate(kg)
        if not report.conforms_at("violation"):
            return kg, report
    if output is not None and fmt is not None:
        say(f"write {output}")
        write_atomic(output, serialize(kg, fmt))
    return kg, report
