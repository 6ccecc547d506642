"""README.md runs: every command and Python block of it, as a user types it in a checkout, and
the output it shows is the output they give.

The blocks run in the order of the page, in a fresh folder that holds links to the checkout's
``ontology/``, ``data/``, ``queries/``, ``tests/`` and ``docs/`` (so relative paths work) and
an empty ``dist/`` (where every example writes). The project is the checkout and the build
cache is the tests' (``dist/test-cache``, see conftest.py): the national graph is built once
and every example after opens it. What a reader cannot tell from the page is here:

- a block of output (a fenced block without a language) is the standard output of the last
  command of the block before it (or of the Python block); one that begins with ``Note:``
  begins with the notes that command wrote on stderr (the build cache's own notes aside);
- ``make build`` and ``make test`` run as ``make -n`` (what they would do; the suite is what
  ``make test`` runs, and this test is part of it);
- a server (``kg serve`` without ``--get``, ``oxigraph serve``) is started, waited for, and
  stopped at the end; the ports of the page (8000, 8080, 7878) are replaced by free ones, in
  the commands and in the Python blocks that call them;
- a command exits 0, except those of :data:`EXIT` (an answer of "no" is exit 1);
- ``--format svg`` and ``png`` need Graphviz: without ``dot`` those commands are skipped.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BIN = Path(sys.executable).parent

#: Commands that answer "no" by design, by how they begin.
EXIT = {
    "kg validate --fail-on warning": 1,  # the graph has warnings
    "kg validate docs/examples/people.ttl": 1,  # the example has a person without a name
}

#: Links the folder the examples run in holds, to the checkout's folders.
LINKED = ("ontology", "data", "queries", "tests", "docs")


@dataclass(frozen=True)
class Block:
    """A fenced block of the page: ``sh`` or ``python``, and the output block after it."""

    language: str
    text: str
    line: int
    expected: str | None

    @property
    def id(self) -> str:
        first = next((ln for ln in self.text.splitlines() if ln and not ln.startswith("#")), "")
        return f"README.md:{self.line} {first[:60]}"


def _blocks() -> list[Block]:
    fence = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.M | re.S)
    text = README.read_text(encoding="utf-8")
    found = [
        (m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1) for m in fence.finditer(text)
    ]
    blocks = []
    for i, (language, body, line) in enumerate(found):
        if not language:
            continue
        assert language in ("sh", "python"), f"README.md:{line}: a ```{language} block"
        after = found[i + 1] if i + 1 < len(found) else None
        expected = after[1] if after is not None and after[0] == "" else None
        blocks.append(Block(language, body, line, expected))
    return blocks


def commands(text: str) -> list[str]:
    """The commands of a ``sh`` block: a line each, or more when a quote or a backslash at the
    end of a line goes on; comment lines left out."""
    out: list[str] = []
    pending = ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending = f"{pending}\n{line}" if pending else line
        if pending.endswith("\\"):
            continue
        try:
            shlex.split(pending, comments=True)
        except ValueError:  # a quote still open
            continue
        out.append(pending)
        pending = ""
    assert not pending, f"an unfinished command: {pending}"
    return out


def uncommented(command: str) -> str:
    """The command without its trailing comment (a ``#`` outside quotes, after a space)."""
    quote = ""
    for i, char in enumerate(command):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or command[i - 1].isspace()):
            return command[:i].rstrip()
    return command


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Session:
    """The folder, the environment, the ports and the servers every block shares."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        (folder / "dist").mkdir()
        for name in LINKED:
            (folder / name).symlink_to(ROOT / name)
        self.env = {k: v for k, v in os.environ.items() if k != "CCHC_KG_ROOT"}
        self.env["PATH"] = f"{BIN}{os.pathsep}{self.env.get('PATH', '')}"
        self.ports = {port: _free_port() for port in (8000, 8080, 7878)}
        self.servers: list[subprocess.Popen[bytes]] = []

    def localise(self, text: str) -> str:
        """The page's ports replaced by this session's."""
        for port, mine in self.ports.items():
            text = text.replace(f"127.0.0.1:{port}", f"127.0.0.1:{mine}")
            text = text.replace(f"--port {port}", f"--port {mine}")
        return text

    def serve(self, command: str) -> None:
        """Start a server of the page and wait until it answers."""
        command = self.localise(command)
        if command.startswith("kg serve") and "--port" not in command:
            command += f" --port {self.ports[8000]}"
        port = int(re.findall(r"(?:--port |127\.0\.0\.1:)(\d+)", command)[0])
        with (self.folder / f"server-{port}.log").open("wb") as log:  # the server's own copy
            server = subprocess.Popen(
                ["bash", "-c", f"exec {command}"], cwd=self.folder, env=self.env, stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.servers.append(server)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            assert server.poll() is None, (self.folder / f"server-{port}.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5):
                    return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.5)
        raise AssertionError(f"{command} did not answer in 10 minutes")

    def run(self, command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", self.localise(command)], cwd=self.folder, env=self.env,
            capture_output=True, text=True, timeout=1800, check=False,
        )  # fmt: skip

    def close(self) -> None:
        for server in self.servers:
            server.terminate()
        for server in self.servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


BLOCKS = _blocks()


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    started = Session(tmp_path_factory.mktemp("readme"))
    yield started
    started.close()


def _server(command: str) -> bool:
    words = shlex.split(command, comments=True)
    return words[:2] in (["kg", "serve"], ["oxigraph", "serve"]) and "--get" not in words


def _exit(command: str) -> int:
    return next((code for start, code in EXIT.items() if command.startswith(start)), 0)


def _notes(stderr: str) -> str:
    kept = [
        line for line in stderr.splitlines()
        if line.startswith("Note:") and "into the cache" not in line and "in the cache" not in line
    ]  # fmt: skip
    return "".join(f"{line}\n" for line in kept)


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_the_block_runs_and_gives_what_the_page_shows(block: Block, session: Session) -> None:
    shown = ""
    if block.language == "python":
        script = session.folder / f"block-{block.line}.py"
        script.write_text(session.localise(block.text), encoding="utf-8")
        done = session.run(f"{shlex.quote(sys.executable)} {script.name}")
        assert done.returncode == 0, done.stderr
        shown, notes = done.stdout, _notes(done.stderr)
    else:
        notes = ""
        for command in map(uncommented, commands(block.text)):
            words = shlex.split(command)
            if words[0] == "make":
                done = subprocess.run(
                    ["make", "-n", *words[1:]], cwd=ROOT, capture_output=True, text=True
                )
                assert done.returncode == 0, done.stderr
                continue
            if _server(command):
                session.serve(command)
                continue
            if re.search(r"--format (svg|png)", command) and shutil.which("dot") is None:
                continue  # Graphviz is optional (README: prerequisites)
            done = session.run(command)
            assert done.returncode == _exit(command), (command, done.stderr[-3000:])
            shown, notes = done.stdout, _notes(done.stderr)
    if block.expected is not None:
        if block.expected.startswith("Note:"):
            shown = notes + shown
        assert shown == block.expected
