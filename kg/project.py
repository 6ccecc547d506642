"""Where a project's files are: the ontology, the shapes, the rules, the catalog and the data.

Every other module asks here instead of joining paths of its own, so that a project folder laid
out differently (a user's own project, an installed package) changes one module. A project
folder holds ``ontology/`` (``*.ttl``; ``shapes.ttl`` is the SHACL shapes; ``rules/*.rq`` the
derivation rules), ``data/`` (``*.ttl`` and the CSV files the importers read) and ``queries/``
(``*.rq``, the catalog).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgFileError

__all__ = ["ENV_ROOT", "Project", "default_root"]

#: The environment variable that names the project folder.
ENV_ROOT = "CCHC_KG_ROOT"


def default_root() -> Path:
    """The project folder a command reads when none is given.

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
class Project:
    """A project folder and the files of each kind in it.

    >>> project = Project.at()
    >>> project.shapes.name, project.queries.name
    ('shapes.ttl', 'queries')
    """

    root: Path

    @classmethod
    def at(cls, root: str | Path | None = None) -> Project:
        """The project at ``root``, or at :func:`default_root` when it is None."""
        return cls(Path(root) if root is not None else default_root())

    @property
    def ontology(self) -> Path:
        """``ontology/``: the OWL ontology, the SKOS schemes and the shapes."""
        return self.root / "ontology"

    @property
    def data(self) -> Path:
        """``data/``: the facts, in Turtle and in the CSV files the importers read."""
        return self.root / "data"

    @property
    def shapes(self) -> Path:
        """``ontology/shapes.ttl``: the SHACL shapes every build is validated against."""
        return self.ontology / "shapes.ttl"

    @property
    def queries(self) -> Path:
        """``queries/``: the catalog of stored queries."""
        return self.root / "queries"

    def turtle_files(self) -> list[tuple[str, Path]]:
        """Every Turtle file of the build with the short name of its graph, in a fixed order.

        ``ontology/cchc.ttl`` → ``ontology/cchc``; ``data/article/x.ttl`` → ``article/x``.

        :raises KgFileError: there is no ``ontology/`` or ``data/`` folder.
        """
        found: list[tuple[str, Path]] = []
        for base, prefix in ((self.ontology, "ontology/"), (self.data, "")):
            if not base.is_dir():
                raise KgFileError(
                    f"no {base.name}/ folder; is this a cchc-kg project? (--root or ${ENV_ROOT})",
                    path=base,
                )
            for path in sorted(base.rglob("*.ttl")):
                name = prefix + path.relative_to(base).with_suffix("").as_posix()
                found.append((name, path))
        return found

    def rule_files(self) -> list[Path]:
        """The derivation rules, ``ontology/rules/*.rq``, in name order."""
        return sorted((self.ontology / "rules").glob("*.rq"))

    def closing_rule_files(self) -> list[Path]:
        """The rules that run once, after the others have reached their fixpoint,
        ``ontology/rules/closing/*.rq``: what they state would be wrong if another rule could
        still add to what they read (the most specific type of a resource)."""
        return sorted((self.ontology / "rules" / "closing").glob("*.rq"))

    def data_file(self, relative: str) -> Path:
        """A file of ``data/`` by its path inside it (``units/units-2020.csv``)."""
        return self.data / relative
