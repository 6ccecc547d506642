"""kg.forking.beside, and kg build's copy of its graph to disk made by it: in a forked child
when the process runs one thread, in the process itself when it runs more; a failure is one
line and leaves no store behind, a cancelled copy leaves nothing.

The forking cases run in a fresh interpreter: a test runner's process may run threads of its
own, and then nothing forks."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg.forking
from kg.cache import build_entry
from kg.cli import cli
from kg.errors import KgStoreError
from kg.forking import beside
from kg.project import ENV_CACHE
from kg.stores.disk import OnDiskBuild

ROOT = Path(__file__).resolve().parent.parent


def python(
    script: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def test_the_job_runs_in_a_child_while_the_parent_goes_on(tmp_path: Path) -> None:
    done = python(
        """
        import os, sys, time
        from pathlib import Path
        from kg.forking import beside, can_fork
        out = Path(sys.argv[1])
        assert can_fork()
        def job():
            time.sleep(1)
            (out / "child").write_text(str(os.getpid()))
        started = time.monotonic()
        job_handle = beside(job, "writing a file")
        (out / "parent").write_text(f"{os.getpid()} {time.monotonic() - started:.3f}")
        assert not (out / "child").exists()  # the parent went on before the job ended
        job_handle.wait()
        """,
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    parent, waited = (tmp_path / "parent").read_text().split()
    assert float(waited) < 0.5
    assert (tmp_path / "child").read_text() != parent


def test_a_failed_child_raises_its_message(tmp_path: Path) -> None:
    done = python(
        """
        from kg.forking import beside
        def job():
            raise OSError("No space left on device")
        try:
            beside(job, "copying the graph to /x").wait()
        except Exception as exc:
            print(type(exc).__name__, exc)
        """
    )
    assert done.stdout.strip() == "KgStoreError copying the graph to /x: No space left on device"


def test_a_killed_child_is_an_error(tmp_path: Path) -> None:
    done = python(
        """
        import os, signal
        from kg.forking import beside
        try:
            beside(lambda: os.kill(os.getpid(), signal.SIGKILL), "copying").wait()
        except Exception as exc:
            print(type(exc).__name__, exc)
        """
    )
    assert done.stdout.strip() == "KgStoreError copying: the process was killed (signal 9)"


def test_cancel_stops_the_child_before_it_writes(tmp_path: Path) -> None:
    done = python(
        """
        import sys, time
        from pathlib import Path
        from kg.forking import beside
        out = Path(sys.argv[1]) / "late"
        def job():
            time.sleep(3)
            out.write_text("too late")
        started = time.monotonic()
        beside(job, "writing").cancel()
        print(f"{time.monotonic() - started:.3f}")
        time.sleep(4)
        """,
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) < 2
    assert not (tmp_path / "late").exists()


def test_a_process_with_threads_runs_the_job_itself_when_it_waits() -> None:
    done = python(
        """
        import os, threading
        from kg.forking import beside, can_fork
        stop = threading.Event()
        threading.Thread(target=stop.wait).start()
        ran = []
        handle = beside(lambda: ran.append(os.getpid()), "appending")
        assert not can_fork() and ran == []  # not yet: at wait()
        handle.wait()
        print(ran == [os.getpid()])
        stop.set()
        """
    )
    assert done.stdout.strip() == "True", done.stderr


def test_without_a_fork_an_error_is_raised_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kg.forking, "can_fork", lambda: False)

    def job() -> None:
        raise KgStoreError("full")

    handle = beside(job, "copying")
    with pytest.raises(KgStoreError, match=r"^full$"):
        handle.wait()
    handle.wait()  # once only: a second wait does nothing


# --- kg build: the copy to disk -------------------------------------------------------------

_KG = """
import sys
import kg.forking
import kg.stores.disk
from kg.cli import main
from kg.stores.disk import OnDiskBuild

def beside(job, what):
    print("forked" if kg.forking.can_fork() else "not forked", file=sys.stderr)
    return kg.forking.beside(job, what)

def fill_from(self, source):
    raise OSError(28, "No space left on device")

kg.stores.disk.beside = beside
if sys.argv[1] == "--failing-copy":
    OnDiskBuild.fill_from = fill_from
sys.argv = ["kg", *sys.argv[2:]]
main()
"""


def _project(folder: Path) -> Path:
    (folder / "ontology").mkdir(parents=True)
    (folder / "data").mkdir()
    (folder / "ontology" / "cchc.ttl").write_text(
        "@prefix ex: <http://example.org/> .\n"
        '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\nex:hn rdfs:label "Hà Nội"@vi .\n',
        encoding="utf-8",
    )
    return folder


def test_kg_build_copies_its_graph_to_the_cache_in_a_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path / "project")
    cache = tmp_path / "cache"
    done = python(
        _KG,
        *("--", "build", "-q", "--root", str(project), "-o", str(tmp_path / "g.trig")),
        env={ENV_CACHE: str(cache)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == ["forked"]  # one thread when the copy starts
    monkeypatch.setenv(ENV_CACHE, str(cache))
    entry = build_entry(project)
    assert entry.current()
    assert [p.name for p in entry.folder.iterdir() if p.name.startswith(".") and p.is_dir()] == []
    asked = CliRunner().invoke(
        cli, ["query", "--path", str(entry.path), "--format", "csv", "--sparql",
              "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"],
    )  # fmt: skip
    assert "Hà Nội" in asked.stdout, asked.stderr


def test_a_failed_copy_to_the_cache_is_one_line_and_leaves_no_store(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    cache = tmp_path / "cache"
    done = python(
        _KG,
        *("--failing-copy", "build", "-q", "--root", str(project), "-o", str(tmp_path / "g.trig")),
        env={ENV_CACHE: str(cache)},
    )
    assert done.returncode == 2
    assert done.stderr.startswith("forked\nError: copying the graph to ")
    assert done.stderr.rstrip().endswith("No space left on device")
    assert len(done.stderr.strip().splitlines()) == 2
    stores = [p for p in cache.rglob("*") if p.is_dir() and (p / "CURRENT").exists()]
    assert stores == []


def test_a_failed_copy_to_a_store_folder_leaves_the_old_store(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    store = tmp_path / "store"
    built = CliRunner().invoke(cli, ["build", "-q", "--root", str(project), "--path", str(store)])
    assert built.exit_code == 0, built.stderr
    (project / "ontology" / "cchc.ttl").write_text(
        '<http://example.org/hp> <http://www.w3.org/2000/01/rdf-schema#label> "Hải Phòng"@vi .\n',
        encoding="utf-8",
    )
    done = python(
        _KG, "--failing-copy", "build", "-q", "--root", str(project), "--path", str(store)
    )
    assert done.returncode == 2 and "No space left on device" in done.stderr
    assert [p.name for p in tmp_path.iterdir() if ".building-" in p.name] == []
    asked = CliRunner().invoke(
        cli, ["query", "--path", str(store), "--format", "csv", "--sparql",
              "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"],
    )  # fmt: skip
    assert "Hà Nội" in asked.stdout and "Hải Phòng" not in asked.stdout


def test_the_disk_build_opens_its_store_only_when_used(tmp_path: Path) -> None:
    disk = OnDiskBuild(tmp_path / "s")
    assert not any((tmp_path).glob(".s.building-*/CURRENT"))  # nothing opened: may fork
    assert len(disk.store) == 0
    disk.abandon()
    assert list(tmp_path.iterdir()) == []
