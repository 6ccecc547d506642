"""The build hooks of cchc-kg's sdist and wheel; pyproject.toml says the rest.

An installed cchc-kg needs two files that are not in git: the front ends of ``kg viz`` and of
``kg serve``'s query page, bundled from ``frontend/`` by npm. They are built here, when the
sdist or the wheel is built, so that installing either needs no Node.js. The wheel also carries
the project's ``ontology/``, ``data/`` and ``queries/`` as package data, in ``kg/share/``,
where :func:`kg.project.package_root` finds them when there is no checkout.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist
from setuptools.errors import SetupError

HERE = Path(__file__).resolve().parent

#: Each bundle and the npm script of frontend/package.json that builds it (with its .css).
BUNDLES = {
    "kg/viz/static/viz.bundle.js": "build",
    "kg/serve/static/query.bundle.js": "build:query",
}

#: The project's folders the wheel carries, under kg/share/.
SHARED = ("ontology", "data", "queries")


def build_bundles(*, required: bool) -> None:
    """Build the bundles that are missing with npm (``npm ci`` first when the modules are not
    installed from the lockfile).

    :param required: fail when they cannot be built (a wheel or sdist must carry them);
        else (an editable install of a checkout) warn and go on without them.
    """
    missing = {path: script for path, script in BUNDLES.items() if not (HERE / path).is_file()}
    if not missing:
        return
    npm = shutil.which("npm")
    frontend = HERE / "frontend"
    if npm is None or not (frontend / "package.json").is_file():
        why = "npm is not on the PATH" if npm is None else "there is no frontend/ folder"
        message = (
            f"the front-end bundles {', '.join(missing)} are not built and {why}: install "
            "Node.js and npm (https://nodejs.org/) and build again, or install cchc-kg from "
            "its wheel, which carries them"
        )
        if required:
            raise SetupError(message)
        print(
            f"warning: {message}; kg viz and kg serve's query page will not work", file=sys.stderr
        )
        return
    installed = frontend / "node_modules" / ".package-lock.json"
    if (
        not installed.is_file()
        or installed.stat().st_mtime < (frontend / "package-lock.json").stat().st_mtime
    ):
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=frontend, check=True
        )
    for script in dict.fromkeys(missing.values()):
        subprocess.run([npm, "run", "--silent", script], cwd=frontend, check=True)


class BuildPy(build_py):
    """The package, the bundles in it, and (not in an editable install, which reads the
    checkout itself) the project's folders as ``kg/share/``."""

    def run(self) -> None:
        build_bundles(required=not self.editable_mode)
        super().run()
        if self.editable_mode:
            return
        share = Path(self.build_lib) / "kg" / "share"
        for folder in SHARED:
            if not (HERE / folder).is_dir():
                raise SetupError(f"{HERE / folder} is missing: the wheel must carry {folder}/")
            shutil.rmtree(share / folder, ignore_errors=True)
            shutil.copytree(
                HERE / folder, share / folder, ignore=shutil.ignore_patterns("__pycache__", ".*")
            )


class Sdist(sdist):
    """The sdist, with the bundles built into it: a wheel made from it needs no npm."""

    def run(self) -> None:
        build_bundles(required=True)
        super().run()


if __name__ == "__main__":  # as setuptools runs it; a test imports the hooks alone
    setup(cmdclass={"build_py": BuildPy, "sdist": Sdist})
