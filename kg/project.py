"""Where a project's files are: the ontology, the shapes, the rules, the catalog and the data.

Every other module asks here instead of joining paths of its own, so that a project folder laid
out differently (a user's own project, an installed package) changes one module. A project
folder holds ``ontology/`` (``*.ttl``; ``shapes.ttl`` and ``shapes/*.ttl`` are the SHACL shapes;
``rules/*.rq`` the derivation rules), ``data/`` (``*.ttl`` and the CSV files the importers read)
and ``queries/`` (``*.rq``, the catalog).

cchc-kg's own project is the checkout it runs from, or, installed from a wheel, the copy of
those folders the wheel carries as package data (``kg/share/``, read through
:mod:`importlib.resources`). A folder of one's own (``kg init DIR``) holds a ``cchc-kg.toml``
that says ``extends = "cchc-kg"``: its files are then read on top of ours, a file at the same
path replacing ours, every other file adding to them. A folder without it stands alone.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgFileError

__all__ = [
    "BUNDLE_HINT",
    "ENV_CACHE",
    "ENV_ROOT",
    "PROJECT_FILE",
    "Project",
    "cache_folder",
    "default_root",
    "package_file",
    "package_root",
]

#: The environment variable that names the project folder.
ENV_ROOT = "CCHC_KG_ROOT"

#: The environment variable that names the cache folder (the gazetteer, the built stores).
ENV_CACHE = "CCHC_KG_CACHE"

#: The file that makes a folder a project of one's own built on top of cchc-kg's.
PROJECT_FILE = "cchc-kg.toml"

#: What ``extends`` may name: cchc-kg's own project, the only one a folder can extend.
EXTENDS = "cchc-kg"

#: The folders of a project that a build, a validation or a catalog reads.
FOLDERS = ("ontology", "data", "queries")

#: Where the shapes of a project are, beside ``ontology/shapes.ttl``: each file goes into the
#: one shapes graph.
SHAPES_FOLDER = "ontology/shapes"


def package_root() -> Path:
    """cchc-kg's own project folder: the checkout this package runs from, else the copy of
    ``ontology/``, ``data/`` and ``queries/`` the installed wheel carries (``kg/share/``).

    :raises KgFileError: neither is there (a broken install).
    """
    here = Path(__file__).resolve().parent
    checkout = here.parent
    if (checkout / "ontology").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout
    shipped = importlib.resources.files("kg").joinpath("share")
    # a wheel is installed unpacked: its package data are files on disk
    if isinstance(shipped, Path) and (shipped / "ontology").is_dir():
        return shipped
    raise KgFileError(
        "cchc-kg's ontology and data are missing from this installation (kg/share/); "
        "reinstall the package, or give a project folder with --root or $" + ENV_ROOT,
        path=here / "share",
    )


def package_file(package: str, relative: str) -> Path:
    """A file that a package of kg ships (a front-end bundle, a page template), found through
    :mod:`importlib.resources` wherever the package is installed.

    >>> package_file("kg.viz", "page.html").name
    'page.html'
    """
    # a wheel is installed unpacked, so the resource is a file on disk
    return Path(str(importlib.resources.files(package).joinpath(relative)))


#: What to do when a front-end bundle is missing, for the messages that say so.
BUNDLE_HINT = (
    "it is built from frontend/ with npm when cchc-kg's wheel is built: install cchc-kg from "
    "its wheel, or, in a checkout, install Node.js and npm and run `make build`"
)


def default_root() -> Path:
    """The project folder a command reads when none is given: ``$CCHC_KG_ROOT`` when set,
    else cchc-kg's own (:func:`package_root`)."""
    if os.environ.get(ENV_ROOT):
        return Path(os.environ[ENV_ROOT])
    return package_root()


def cache_folder() -> Path:
    """Where kg keeps what it can make again (the gazetteer, the built stores):
    ``$CCHC_KG_CACHE``, else ``$XDG_CACHE_HOME/cchc-kg``, else ``~/.cache/cchc-kg``."""
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cchc-kg"


def _extends(folder: Path) -> bool:
    """Whether ``folder`` is a project of one's own built on top of cchc-kg's.

    :raises KgFileError: its ``cchc-kg.toml`` does not parse, or extends something else.
    """
    path = folder / PROJECT_FILE
    if not path.is_file():
        return False
    try:
        settings = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise KgFileError(f"not valid TOML: {exc}", path=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KgFileError(f"cannot read: {exc}", path=path) from None
    extends = settings.get("extends")
    if extends is None:
        return False
    if extends != EXTENDS:
        raise KgFileError(
            f"extends = {extends!r}: a project can extend {EXTENDS!r} only (or leave it out "
            "to stand alone)",
            path=path,
        )
    return True


@dataclass(frozen=True)
class Project:
    """A project folder and the files of each kind in it, on top of cchc-kg's own when it
    extends them.

    >>> project = Project.at()
    >>> project.shapes.name, project.queries.name
    ('shapes.ttl', 'queries')
    >>> len(project.query_files()) > 20
    True
    """

    #: The project folder: a user's own, or cchc-kg's; where ``kg ingest --accept`` writes.
    root: Path
    #: The folder it extends (cchc-kg's own project), or None when it stands alone.
    base: Path | None = None

    @classmethod
    def at(cls, root: str | Path | None = None) -> Project:
        """The project at ``root``, or at :func:`default_root` when it is None.

        :raises KgFileError: its ``cchc-kg.toml`` is malformed.
        """
        folder = Path(root) if root is not None else default_root()
        if _extends(folder):
            return cls(folder, package_root())
        return cls(folder)

    @property
    def layers(self) -> tuple[Path, ...]:
        """The folders read, lowest first: a file of a later one replaces the same path's."""
        return (self.root,) if self.base is None else (self.base, self.root)

    @property
    def packaged(self) -> bool:
        """True when the project is the copy an installed wheel carries: not to be written."""
        root = self.root.resolve()
        return root.name == "share" and (root.parent / "project.py").is_file()

    @property
    def ontology(self) -> Path:
        """``ontology/`` of the project folder: the OWL ontology, the SKOS schemes and the
        shapes."""
        return self.root / "ontology"

    @property
    def data(self) -> Path:
        """``data/`` of the project folder: the facts, in Turtle and in CSV files."""
        return self.root / "data"

    @property
    def shapes(self) -> Path:
        """``ontology/shapes.ttl``: the SHACL shapes every build is validated against (with
        those of :meth:`shape_files`)."""
        return self.file("ontology/shapes.ttl")

    @property
    def queries(self) -> Path:
        """``queries/`` of the project folder: the catalog of stored queries."""
        return self.root / "queries"

    def file(self, relative: str) -> Path:
        """The file at ``relative`` (``data/units/lists.csv``) of the highest folder that has
        it; else where the project folder would have it."""
        for layer in reversed(self.layers):
            if (layer / relative).exists():
                return layer / relative
        return self.root / relative

    def files(self, folder: str, pattern: str, *, recursive: bool = False) -> list[Path]:
        """The files of ``folder`` matching ``pattern`` in every layer, one per path inside
        the folder (the highest layer's), in path order."""
        return list(self._found(folder, pattern, recursive).values())

    def _found(self, folder: str, pattern: str, recursive: bool) -> dict[str, Path]:
        """:meth:`files` by their path inside ``folder``."""
        found: dict[str, Path] = {}
        for layer in self.layers:
            base = layer / folder
            if not base.is_dir():
                continue
            matches = base.rglob(pattern) if recursive else base.glob(pattern)
            for path in matches:
                if path.is_file():
                    found[path.relative_to(base).as_posix()] = path
        return {key: found[key] for key in sorted(found)}

    def turtle_files(self) -> list[tuple[str, Path]]:
        """Every Turtle file of the build with the short name of its graph, in a fixed order.

        ``ontology/cchc.ttl`` → ``ontology/cchc``; ``data/article/x.ttl`` → ``article/x``;
        ``ontology/shapes/x.ttl`` → ``ontology/shapes`` (every shapes file in the one shapes
        graph).

        :raises KgFileError: there is no ``ontology/`` or ``data/`` folder.
        """
        found: list[tuple[str, Path]] = []
        for folder, prefix in (("ontology", "ontology/"), ("data", "")):
            if not any((layer / folder).is_dir() for layer in self.layers):
                raise KgFileError(
                    f"no {folder}/ folder; is this a cchc-kg project? (--root or ${ENV_ROOT}; "
                    "kg init DIR starts one of your own)",
                    path=self.root / folder,
                )
            for inside, path in self._found(folder, "*.ttl", True).items():
                name = prefix + inside.removesuffix(".ttl")
                if name.rpartition("/")[0] == SHAPES_FOLDER:
                    name = SHAPES_FOLDER
                found.append((name, path))
        return found

    def shape_files(self) -> list[Path]:
        """The SHACL shapes: ``ontology/shapes.ttl`` and every ``ontology/shapes/*.ttl``."""
        main = [self.shapes] if self.shapes.is_file() else []
        return main + self.files(SHAPES_FOLDER, "*.ttl")

    def rule_files(self) -> list[Path]:
        """The derivation rules, ``ontology/rules/*.rq``, in name order."""
        return self.files("ontology/rules", "*.rq")

    def query_files(self) -> list[Path]:
        """The catalog, ``queries/*.rq``, in name order."""
        return self.files("queries", "*.rq")

    def closing_rule_files(self) -> list[Path]:
        """The rules that run once, after the others have reached their fixpoint,
        ``ontology/rules/closing/*.rq``: what they state would be wrong if another rule could
        still add to what they read (the most specific type of a resource)."""
        return self.files("ontology/rules/closing", "*.rq")

    def data_file(self, relative: str) -> Path:
        """A file of ``data/`` by its path inside it (``units/units-2020.csv``)."""
        return self.file(f"data/{relative}")

    def input_files(self, folders: tuple[str, ...] = FOLDERS) -> Iterator[tuple[str, Path]]:
        """Every file of ``folders`` (``ontology/``, ``data/``, ``queries/``) by its path in
        the project, in path order: what a digest of the project's content covers."""
        for folder in folders:
            for inside, path in self._found(folder, "*", True).items():
                yield f"{folder}/{inside}", path

    def digest(self, folders: tuple[str, ...] = ("ontology", "data")) -> str:
        """A SHA-256 of the path and content of every file a build reads (``ontology/`` and
        ``data/``, by default): the same for the same content, wherever the folder is."""
        total = hashlib.sha256()
        for relative, path in self.input_files(folders):
            total.update(relative.encode() + b"\0")
            total.update(hashlib.sha256(path.read_bytes()).digest())
        return total.hexdigest()
