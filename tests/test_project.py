"""Where the files are: cchc-kg's own project (a checkout, or the copy a wheel carries), a
project of one's own on top of it (``kg init``), and the hooks that build the wheel."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import kg
from kg.cli import cli
from kg.errors import KgFileError
from kg.graph import KnowledgeGraph
from kg.project import PROJECT_FILE, Project, package_root

ROOT = Path(__file__).resolve().parent.parent
MINE = "https://example.org/my-project/"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def mine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project of one's own, as kg init writes it."""
    folder = tmp_path_factory.mktemp("projects") / "mine"
    code, _, stderr = run("init", str(folder))
    assert code == 0, stderr
    return folder


def test_kg_init_writes_a_project_that_extends_ours(mine: Path) -> None:
    files = sorted(p.relative_to(mine).as_posix() for p in mine.rglob("*") if p.is_file())
    assert files == [
        "README.md",
        "cchc-kg.toml",
        "data/my-watchlist.ttl",
        "ontology/my-ontology.ttl",
        "ontology/shapes/my-shapes.ttl",
        "queries/my-watchlist.rq",
    ]
    project = Project.at(mine)
    assert project.layers == (package_root(), mine)
    names = [name for name, _ in project.turtle_files()]
    assert "ontology/cchc" in names and "article/hanoi-cchc-workshop-2020-10-22" in names
    assert "my-watchlist" in names and "ontology/my-ontology" in names
    # the shapes of both go into the one shapes graph
    shapes = [path for name, path in project.turtle_files() if name == "ontology/shapes"]
    assert shapes == [ROOT / "ontology" / "shapes.ttl", mine / "ontology/shapes/my-shapes.ttl"]
    catalog = {p.stem for p in project.query_files()}
    assert {"my-watchlist", "hanoi-index-ranks"} <= catalog


def test_kg_init_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    code, _, stderr = run("init", str(tmp_path))
    assert code == 2
    assert stderr == f"Error: {tmp_path}: is not empty; kg init makes a project in a new or " \
        "empty folder (nothing was written)\n"  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_kg_build_root_builds_ours_and_theirs_together(mine: Path, tmp_path: Path) -> None:
    """What the issue asks: kg build --root DIR builds on top of ours, and every verb reads
    the same project (the catalog, the shapes) with --root."""
    out = tmp_path / "mine.trig"
    code, stdout, stderr = run(
        "build", "--root", str(mine), "--provinces-only", "-q", "-o", str(out)
    )
    assert code == 0, stderr
    assert "0 violation" in stdout
    built = KnowledgeGraph.from_files([out])
    names = {built.short_name(n) for n in built.graph_names()}
    assert {"my-watchlist", "ontology/my-ontology", "ontology/cchc", "units/2020"} <= names
    # the user's property is a sub-property of skos:member: the entailment rule states it
    ask = f"ASK {{ <{MINE}id/watchlist> skos:member <https://w3id.org/cchc/id/unit/01> }}"
    assert built.sparql(ask).askAnswer
    code, stdout, stderr = run(
        "query", "my-watchlist", "--root", str(mine), "--provinces-only", "--lang", "en",
        "--format", "csv",
    )  # fmt: skip
    assert code == 0, stderr
    rows = stdout.splitlines()
    assert rows[0] == "areaLabel,year,rank,rankBasisLabel,area"
    assert "Quảng Ninh Province,2019,1,stated,https://w3id.org/cchc/id/unit/22" in rows
    code, stdout, _ = run("query", "--list", "--root", str(mine), "--format", "json")
    assert '"name": "my-watchlist"' in stdout and '"name": "search"' in stdout


def test_the_user_s_shapes_validate_the_user_s_data(mine: Path, tmp_path: Path) -> None:
    """A watch list that follows a person breaks the project's own shape: kg build refuses it."""
    bad = tmp_path / "bad"
    shutil.copytree(mine, bad)
    data = bad / "data" / "my-watchlist.ttl"
    data.write_text(
        data.read_text(encoding="utf-8").replace(
            "<https://w3id.org/cchc/id/unit/22>", "<https://w3id.org/cchc/id/person/do-quy-tien>"
        ),
        encoding="utf-8",
    )
    out = tmp_path / "bad.trig"
    code, _, stderr = run(
        "build", "--root", str(bad), "--provinces-only", "-q", "-o", str(out), "--lang", "en"
    )
    assert code == 1
    assert "A watch list follows at least one administrative unit" in stderr
    assert "Units followed" in stderr  # the shape by its name, never "Shape []"
    assert not out.exists()


def test_a_file_of_the_project_replaces_ours_at_the_same_path(mine: Path, tmp_path: Path) -> None:
    mine2 = tmp_path / "mine2"
    shutil.copytree(mine, mine2)
    (mine2 / "queries" / "search.rq").write_text("#+ title@en: Mine\nASK { ?s ?p ?o }\n")
    catalog = {p.stem: p for p in Project.at(mine2).query_files()}
    assert catalog["search"] == mine2 / "queries" / "search.rq"
    assert catalog["pci-history"] == ROOT / "queries" / "pci-history.rq"


def test_a_folder_without_cchc_kg_toml_stands_alone(tmp_path: Path) -> None:
    (tmp_path / "ontology").mkdir()
    (tmp_path / "data").mkdir()
    project = Project.at(tmp_path)
    assert project.layers == (tmp_path,)
    assert project.turtle_files() == []
    assert project.query_files() == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("extends = [", "not valid TOML"),
        ('extends = "other"', "extends = 'other': a project can extend 'cchc-kg' only"),
    ],
)
def test_a_bad_cchc_kg_toml_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / PROJECT_FILE).write_text(text + "\n")
    with pytest.raises(KgFileError, match=message) as caught:
        Project.at(tmp_path)
    assert str(tmp_path / PROJECT_FILE) in str(caught.value)
    code, _, stderr = run("query", "--list", "--root", str(tmp_path))
    assert (
        code == 2 and stderr.startswith(f"Error: {tmp_path / PROJECT_FILE}") and message in stderr
    )


def test_root_is_honoured_where_viz_finds_its_network_query(tmp_path: Path) -> None:
    """kg viz --root DIR reads the network query of DIR's catalog (it once read ours only)."""
    (tmp_path / "ontology").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "queries").mkdir()
    (tmp_path / "data" / "x.ttl").write_text(
        "<https://w3id.org/cchc/id/agency/a> <https://example.org/p> "
        "<https://w3id.org/cchc/id/agency/b> .\n"
    )
    (tmp_path / "queries" / "agency-network.rq").write_text(
        "CONSTRUCT { ?s <https://example.org/p> ?o } WHERE { ?s <https://example.org/p> ?o }\n"
    )
    out = tmp_path / "net.json"
    code, _, stderr = run("viz", "--root", str(tmp_path), "-o", str(out))
    assert code == 0, stderr
    assert "2 nodes, 1 edges" in stderr


def _installed_copy(tmp_path: Path) -> Path:
    """The package as a wheel installs it: kg/ with kg/share/ beside no checkout."""
    site = tmp_path / "site-packages"
    shutil.copytree(ROOT / "kg", site / "kg", ignore=shutil.ignore_patterns("__pycache__"))
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, site / "kg" / "share" / folder)
    return site


def test_installed_without_a_checkout_the_package_data_are_the_project(tmp_path: Path) -> None:
    site = _installed_copy(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "CCHC_KG_ROOT"}
    env["PYTHONPATH"] = str(site)
    script = (
        "from kg.project import Project, package_root\n"
        "from kg.query import default_catalog\n"
        "print(package_root())\n"
        "print(len(default_catalog()), Project.at().packaged)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    where, count = done.stdout.splitlines()
    assert where == str(site / "kg" / "share")
    assert int(count.split()[0]) >= 21 and count.endswith("True")


def test_the_installed_package_s_data_are_not_written_by_ingest(tmp_path: Path) -> None:
    from kg.ingest import accept

    site = _installed_copy(tmp_path)
    share = site / "kg" / "share"
    assert Project(share).packaged and not Project.at(ROOT).packaged
    with pytest.raises(KgFileError, match="start a project of your own with kg init DIR"):
        accept(KnowledgeGraph(), root=share)
    assert not (share / "data" / "ingested").exists()


def _setup_hooks() -> Any:
    spec = importlib.util.spec_from_file_location("cchc_kg_setup", ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_building_without_npm_or_bundles_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wheel or sdist built from a source tree without the bundles needs npm: without it,
    the build stops and says what to install; an editable install warns and goes on."""
    from setuptools.errors import SetupError

    hooks = _setup_hooks()
    (tmp_path / "frontend").mkdir()
    (tmp_path / "frontend" / "package.json").write_text("{}\n")
    monkeypatch.setattr(hooks, "HERE", tmp_path)
    monkeypatch.setattr(hooks.shutil, "which", lambda name: None)
    with pytest.raises(SetupError, match=r"npm is not on the PATH: install Node\.js and npm"):
        hooks.build_bundles(required=True)
    hooks.build_bundles(required=False)
    assert "kg viz and kg serve's query page will not work" in capsys.readouterr().err
    for path in hooks.BUNDLES:  # built already (an sdist's): nothing to do, npm or not
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("//\n")
    hooks.build_bundles(required=True)


def test_kg_init_is_the_verb_s_function(tmp_path: Path) -> None:
    written = kg.init(tmp_path / "x")
    assert [p.name for p in written][:2] == ["README.md", "cchc-kg.toml"]
    assert Project.at(tmp_path / "x").base == package_root()


def test_make_without_npm_installs_and_builds_and_says_what_is_missing() -> None:
    """make build and make test go on without npm (the bundles are what is lost)."""
    done = subprocess.run(
        ["make", "-n", "build", "test", "NPM="], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "npm not found" in done.stdout and "npm ci" not in done.stdout
    assert "kg build -o dist/cchc.trig" in done.stdout and "pytest" in done.stdout
