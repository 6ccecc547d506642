"""The CLI's own documentation cannot lie: docs/cli.md is the help of the code, and every
``Example:`` a verb's help gives runs.

Each example runs as a user would type it, as a separate ``kg`` process, in a fresh folder that
holds links to the project's ``ontology/``, ``data/`` and ``queries/`` (so relative paths in
examples work and what they write lands in the temporary folder); the graph is the checkout's,
from the tests' build cache. Servers an example needs are started for it
on a free port: an Oxigraph server for ``kg push``; ``kg serve`` itself is stopped once it answers.
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent
KG = str(Path(sys.executable).with_name("kg"))


def _examples() -> list[tuple[str, str]]:
    """(verb, command line) of every example in every verb's help."""
    out = []
    for name, command in sorted(cli.commands.items()):
        text = command.help or ""
        assert "Example:" in text, f"kg {name} --help gives no example"
        example = " ".join(text.split("Example:", 1)[1].split())
        out += [(name, part.strip()) for part in example.split("; ") if part.strip()]
    return out


EXAMPLES = _examples()


def test_docs_cli_md_is_the_help_of_the_code() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("cog")), "--check", "docs/cli.md"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"run: cog -r docs/cli.md\n{done.stdout}{done.stderr}"


def test_every_verb_has_an_example_of_its_own() -> None:
    verbs = {verb for verb, _ in EXAMPLES}
    assert verbs == set(cli.commands)
    for verb, line in EXAMPLES:
        assert shlex.split(line)[:2] == ["kg", verb], line


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for folder in ("ontology", "data", "queries"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    return tmp_path


def _env(project: Path) -> dict[str, str]:
    """The project is the checkout (whose build the examples share, from the tests' build
    cache); ``project`` is where they run, so that their relative paths work."""
    env = {k: v for k, v in os.environ.items() if k != "CCHC_KG_ROOT"}
    return {**env, "PYTHONWARNINGS": "error"}


def _wait(url: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return bool(answer.status == 200)
        except OSError:
            time.sleep(0.5)
    return False


@pytest.mark.parametrize(("verb", "line"), EXAMPLES, ids=[line for _, line in EXAMPLES])
def test_the_example_runs(verb: str, line: str, project: Path) -> None:
    args = shlex.split(line)[1:]
    env = _env(project)
    server = None
    try:
        if verb == "push":
            port = _free_port()
            args = [a.replace(":7878/", f":{port}/") for a in args]
            oxigraph = Path(sys.executable).with_name("oxigraph")
            server = subprocess.Popen(
                [
                    str(oxigraph),
                    "serve",
                    "--location",
                    str(project / "oxi"),
                    "--bind",
                    f"127.0.0.1:{port}",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            assert _wait(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", time.monotonic() + 30)
        if verb == "serve" and "--port" in args:
            port = _free_port()
            args[args.index("--port") + 1] = str(port)
            server = subprocess.Popen(
                [KG, *args],
                cwd=project,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            assert _wait(f"http://127.0.0.1:{port}/queries", time.monotonic() + 180), line
            return
        done = subprocess.run(
            [KG, *args], cwd=project, env=env, capture_output=True, text=True, timeout=600
        )
        assert "Traceback" not in done.stderr, done.stderr
        # 0: done; 1: an answer of "no" (violations found), which an example may show
        assert done.returncode in (0, 1), f"{line}\n{done.stderr}"
        if "-o" in args:  # written where the example says, inside the user's folder
            assert (project / args[args.index("-o") + 1]).stat().st_size > 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
