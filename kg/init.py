"""``kg init DIR``: start a project of one's own, read on top of cchc-kg's.

The folder gets a ``cchc-kg.toml`` that says so (:mod:`kg.project`), an extension of the
ontology, a shapes file, a data file and a stored query: a small example of each kind of file
a project holds, which ``kg build --root DIR`` builds with ours and validates with our shapes
and its own. The files are copied from ``kg/project_template/``, package data of the wheel.
"""

from __future__ import annotations

import importlib.resources
from importlib.resources.abc import Traversable
from pathlib import Path

from kg.errors import KgFileError
from kg.io import write_atomic

__all__ = ["init"]


def _template_files(folder: Traversable, prefix: str = "") -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.name.startswith((".", "__")):
            continue
        if item.is_dir():
            found += _template_files(item, f"{prefix}{item.name}/")
        else:
            found.append((prefix + item.name, item.read_bytes()))
    return found


def init(folder: str | Path) -> list[Path]:
    """Write a new project into ``folder`` (made when missing; it must be empty).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.relative_to(tmp).as_posix() for p in init(Path(tmp) / "mine")][:2]
    ['mine/README.md', 'mine/cchc-kg.toml']

    :param folder: where the project goes.
    :returns: the files written, in path order.
    :raises KgFileError: the folder is a file, or holds files already (nothing is changed).
    """
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise KgFileError(
            "is a file; kg init makes a project in a new or empty folder", path=target
        )
    if target.is_dir() and any(target.iterdir()):
        raise KgFileError(
            "is not empty; kg init makes a project in a new or empty folder (nothing was written)",
            path=target,
        )
    template = importlib.resources.files("kg").joinpath("project_template")
    written = []
    for relative, content in _template_files(template):
        path = target / relative
        write_atomic(path, content)
        written.append(path)
    return written
