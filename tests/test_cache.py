"""The build cache: kg build leaves the graph on disk, every verb opens it while nothing it was
built from has changed, and says so, in one line, when it builds it again. Files written get
the permissions of the umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg.cache
from kg.cache import build_entry, files_entry
from kg.cli import cli
from kg.io import write_atomic
from kg.project import ENV_CACHE
from kg.query import run as run_query

ONTOLOGY = """@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Thing a owl:Class ; rdfs:label "Vật"@vi, "Thing"@en .
"""
# The shapes graph holds an example thing without a label: validated as data, it would be
# a result; it never is.
SHAPES = """@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
  rdfs:label "Vật"@vi, "Thing"@en ;
  sh:property [ sh:path rdfs:label ; sh:minCount 1 ;
                sh:message "Thiếu nhãn"@vi, "Missing label"@en ] .
ex:example a ex:Thing .
"""
DATA = """@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:hn a ex:Thing ; rdfs:label "Hà Nội"@vi, "Hanoi"@en .
"""
MORE = '<http://example.org/hp> a <http://example.org/Thing> ; <http://www.w3.org/2000/01/rdf-schema#label> "Hải Phòng"@vi .\n'  # noqa: E501


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    (folder / "ontology").mkdir(parents=True)
    (folder / "data").mkdir()
    (folder / "ontology" / "cchc.ttl").write_text(ONTOLOGY, encoding="utf-8")
    (folder / "ontology" / "shapes.ttl").write_text(SHAPES, encoding="utf-8")
    (folder / "data" / "things.ttl").write_text(DATA, encoding="utf-8")
    return folder


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(ENV_CACHE, str(folder))
    return folder


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def notes(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Note:")]


def test_kg_build_leaves_the_store_that_the_verbs_open(project: Path, cache: Path) -> None:
    code, stdout, stderr = run("build", "--root", str(project), "-q", "-o", str(project / "o.trig"))
    assert code == 0, stderr
    entry = build_entry(project)
    assert entry.current() and entry.path.is_relative_to(cache)
    for verb in (["stats"], ["export", "--list-graphs"], ["validate"], ["viz", "-o", "n.json"]):
        code, _, stderr = run(*verb, "--root", str(project))
        assert code == 0, (verb, stderr)
        assert notes(stderr) == [], verb  # opened, not built
    code, stdout, _ = run("stats", "--root", str(project), "--format", "json")
    assert '"triples": 24' in stdout  # the shapes and the search keys counted, as built


def test_a_changed_input_builds_the_store_again_and_says_so(project: Path, cache: Path) -> None:
    run("build", "--root", str(project), "-q", "-o", str(project / "o.trig"))
    with (project / "data" / "things.ttl").open("a", encoding="utf-8") as data:
        data.write(MORE)
    code, stdout, stderr = run("stats", "--root", str(project), "--format", "json")
    assert code == 0, stderr
    entry = build_entry(project)
    assert notes(stderr) == [
        "Note: building the graph into the cache, as its inputs changed since the last "
        f"build: {entry.path}"
    ]
    assert '"triples": 28' in stdout
    code, _, stderr = run("stats", "--root", str(project))
    assert notes(stderr) == []
    # the store before is kept (a reader may hold it), none older
    stores = [p for p in entry.folder.iterdir() if p.is_dir()]
    assert len(stores) == 2 and entry.path in stores


def test_the_first_use_builds_the_store(project: Path, cache: Path) -> None:
    code, _, stderr = run("validate", "--root", str(project))
    assert code == 0, stderr
    entry = build_entry(project)
    assert notes(stderr) == [
        f"Note: building the graph into the cache, as there is none yet: {entry.path}"
    ]


def test_kg_query_answers_from_the_store_in_a_process_of_its_own(
    project: Path, cache: Path
) -> None:
    """As a user runs it: the child process that answers opens the store, says nothing."""
    run("build", "--root", str(project), "-q", "-o", str(project / "o.trig"))
    env = {**os.environ, ENV_CACHE: str(cache)}
    kg = str(Path(sys.executable).with_name("kg"))
    done = subprocess.run(
        [kg, "query", "--root", str(project), "--format", "csv", "--sparql",
         "SELECT ?l WHERE { ?t a <http://example.org/Thing> ; rdfs:label ?l } ORDER BY ?l"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "l\nHanoi\nHà Nội\n", "")
    (project / "data" / "more.ttl").write_text(MORE, encoding="utf-8")
    done = subprocess.run(
        [kg, "query", "--root", str(project), "--sparql", "ASK { ?s ?p 'Hải Phòng'@vi }"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout == "true\n"
    assert done.stderr.startswith("Note: building the graph into the cache, as its inputs")


def test_the_scope_and_the_project_are_in_the_key(project: Path, cache: Path) -> None:
    national, provinces = build_entry(project), build_entry(project, national=False)
    assert national.folder != provinces.folder and national.key != provinces.key
    assert build_entry(project).key == national.key  # the same content, the same key
    (project / "data" / "things.ttl").write_text(DATA + "\n", encoding="utf-8")
    assert build_entry(project).key != national.key


def test_store_memory_is_built_each_time_never_kept(project: Path, cache: Path) -> None:
    code, _, stderr = run("stats", "--root", str(project), "--store", "memory")
    assert code == 0 and notes(stderr) == []
    assert not cache.exists()


def test_a_large_data_file_is_read_once(
    project: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kg.cache, "FILES_THRESHOLD", 0)
    built = project / "built.trig"
    run("build", "--root", str(project), "-q", "-o", str(built))
    code, stdout, stderr = run("export", "--data", str(built), "--list-graphs")
    assert code == 0, stderr
    assert notes(stderr) == [
        f"Note: reading {built} into the cache, as there is none yet: {files_entry([built]).path}"
    ]
    code, again, stderr = run("export", "--data", str(built), "--list-graphs")
    assert (again, notes(stderr)) == (stdout, [])
    built.write_bytes(built.read_bytes() + b"\n")
    assert notes(run("stats", "--data", str(built))[2])[0].startswith("Note: reading")
    # the store of a file that is gone goes at the next write into the cache
    gone = files_entry([built]).folder
    built.unlink()
    (project / "data" / "more.ttl").write_text(MORE, encoding="utf-8")
    assert notes(run("stats", "--root", str(project))[2])
    assert gone.parent.exists() and not gone.exists()


def test_a_built_file_is_validated_without_its_shapes_as_data(project: Path, cache: Path) -> None:
    """The file holds the shapes graph (and an unlabelled example thing in it): kg validate of
    the file validates what kg build validates, against those shapes."""
    built = project / "built.trig"
    run("build", "--root", str(project), "-q", "-o", str(built))
    for args in (["validate", str(built)], ["validate", "--data", str(built)]):
        code, stdout, stderr = run(*args, "--format", "json")
        assert code == 0, stderr
        assert '"results": []' in stdout and "example" not in stdout
    # the library too, reading the file as it is
    report = kg.validate([built])
    assert report.results == [] and report.conforms


def test_a_damaged_store_is_built_again(project: Path, cache: Path) -> None:
    run("build", "--root", str(project), "-q", "-o", str(project / "o.trig"))
    entry = build_entry(project)
    for path in entry.path.iterdir():
        if path.name != "kg-store.json":
            path.unlink()
    code, stdout, stderr = run("stats", "--root", str(project), "--format", "json")
    assert code == 0, stderr
    assert notes(stderr) == [
        f"Note: building the graph into the cache, as the one there does not open: {entry.path}"
    ]
    assert '"triples": 24' in stdout


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_get_the_umask_s_permissions(tmp_path: Path, umask: int, mode: int) -> None:
    before = os.umask(umask)
    try:
        write_atomic(tmp_path / "out.txt", "x")
    finally:
        os.umask(before)
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == mode


def test_kg_build_writes_0644_under_umask_022(project: Path, cache: Path) -> None:
    before = os.umask(0o022)
    try:
        code, _, stderr = run("build", "--root", str(project), "-q", "-o", str(project / "o.trig"))
        run("viz", "--root", str(project), "-o", str(project / "n.json"))
    finally:
        os.umask(before)
    assert code == 0, stderr
    for name in ("o.trig", "n.json"):
        assert stat.S_IMODE((project / name).stat().st_mode) == 0o644, name


def test_kg_build_of_unchanged_inputs_validates_and_writes_the_cache_s_graph(
    project: Path, cache: Path
) -> None:
    first, again = project / "first.trig", project / "again.trig"
    code, stdout, _ = run("build", "--root", str(project), "-q", "-o", str(first))
    assert code == 0
    code, stdout2, stderr = run("build", "--root", str(project), "-q", "-o", str(again))
    assert code == 0, stderr
    assert notes(stderr) == [
        "Note: the graph of these inputs is in the cache, not built again (--rebuild builds it "
        f"anyway): {build_entry(project).path}"
    ]
    assert again.read_bytes() == first.read_bytes()
    assert stdout2.replace(str(again), "X") == stdout.replace(str(first), "X")
    code, _, stderr = run("build", "--root", str(project), "-q", "--rebuild", "-o", str(again))
    assert code == 0 and notes(stderr) == []


def test_the_key_covers_the_code_that_makes_the_graph() -> None:
    """Every module kg.cache imports (and so every one that builds the graph) is in BUILT_BY."""
    import grimp

    graph = grimp.build_graph("kg")
    needed = graph.find_upstream_modules("kg.cache") | {"kg.cache"}
    covered = {m for m in needed if any(m == b or m.startswith(b + ".") for b in kg.cache.BUILT_BY)}
    assert needed - covered == set()


RAW = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/cchc/id/unit/01> a <https://w3id.org/cchc/ontology#Province> ;
    rdfs:label "Thành phố Hà Nội"@vi .
"""


@pytest.mark.parametrize("threshold", [1 << 20, 0], ids=["small file", "file kept in the cache"])
def test_catalog_queries_answer_on_files_not_made_by_kg_build(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, threshold: int
) -> None:
    """A user's file has no search keys and no most specific types: the verbs that run the
    catalog state them as a build does, the others read the file as it is."""
    monkeypatch.setattr(kg.cache, "FILES_THRESHOLD", threshold)
    raw = tmp_path / "raw.ttl"
    raw.write_text(RAW, encoding="utf-8")
    queried = kg.cache.open_graph(data=[raw], complete=True)
    rows = run_query(queried, "search", {"text": "ha noi"}).rows
    assert [str(row["resource"]) for row in rows] == ["https://w3id.org/cchc/id/unit/01"]
    kinds = run_query(queried, "SELECT ?k WHERE { ?s cchc:mostSpecificType ?k }").rows
    assert [str(row["k"]) for row in kinds] == ["https://w3id.org/cchc/ontology#Province"]
    # read as it is: the triples of the file, in its graph, and nothing else
    plain = kg.cache.open_graph(data=[raw])
    assert len(plain) == 2 and len(plain.graph_names()) == 1
    code, stdout, stderr = run("query", "--data", str(raw), "search", "--param", "text=HA NOI")
    assert code == 0 and "Thành phố Hà Nội" in stdout, stderr
