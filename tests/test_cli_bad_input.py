"""The command line under bad input and a hostile machine: one line on stderr, exit 2 (1 for an
answer), never a traceback, and nothing half-written anywhere.

Each case of :data:`MATRIX` is a command, the files it gets, and the first words of the one
line it must print; the machine's own failures (a full disk, a file that cannot be replaced,
a write killed half-way) are simulated where the library writes.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

KG = str(Path(sys.executable).with_name("kg"))
SPACE_TRIG = '<urn:g> { <http://exa mple.org/x y> <urn:p> "v" . }\n'
SPACE_TTL = '@prefix ex: <http://example.org/> .\n<http://exa mple.org/x y> ex:p "v" .\n'
ILL_TTL = (
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    '<http://example.org/e> <http://example.org/d> "2020-20-20"^^xsd:date .\n'
)
GOOD_TTL = (
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    '<http://example.org/hn> rdfs:label "Hà Nội"@vi .\n'
)
DATE_RQ = "#+ param: d | xsd:date\nSELECT * WHERE { ?s ?p ?_d }\n"
INT_RQ = "#+ param: n | xsd:integer\nSELECT * WHERE { ?s ?p ?o FILTER (?o != ?_n) }\n"
SPACE_MSG = "is not a valid IRI: it holds a space; percent-encode it (a space is %20)"
#: Triples enough for a product of three patterns to run for minutes.
PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _big(path: Path) -> Path:
    path.write_text(
        "".join(f'<urn:s{i}> <urn:p{i % 7}> "value {i}" .\n' for i in range(3000)),
        encoding="utf-8",
    )
    return path


#: (id, files to write, arguments, exit code, the start of stderr's one line). ``@{name}`` in
#: the arguments or the message is the path of the file of that name. (A syntax error shows
#: the line and a caret under its one line.)
MATRIX: list[tuple[str, dict[str, str | bytes], list[str], int, str]] = [
    (
        "query-trig-iri-with-space",
        {"d.trig": SPACE_TRIG},
        ["query", "--data", "@{d.trig}", "--sparql", "SELECT * { ?s ?p ?o }"],
        2,
        "Error: @{d.trig}:1: <http://exa mple.org/x y> " + SPACE_MSG,
    ),
    (
        "query-memory-store-iri-with-space",
        {"d.ttl": SPACE_TTL},
        ["query", "--store", "memory", "--data", "@{d.ttl}", "--sparql", "ASK {}"],
        2,
        "Error: @{d.ttl}:2: <http://exa mple.org/x y> " + SPACE_MSG,
    ),
    (
        "export-trig-iri-with-space",
        {"d.trig": SPACE_TRIG},
        ["export", "--data", "@{d.trig}"],
        2,
        "Error: @{d.trig}:1: <http://exa mple.org/x y> " + SPACE_MSG,
    ),
    (
        "validate-iri-with-space",
        {"d.ttl": SPACE_TTL, "s.ttl": ""},
        ["validate", "@{d.ttl}", "--shapes", "@{s.ttl}"],
        2,
        "Error: @{d.ttl}:2: <http://exa mple.org/x y> " + SPACE_MSG,
    ),
    (
        "validate-ill-typed-literal",
        {"d.ttl": ILL_TTL, "s.ttl": ""},
        ["validate", "@{d.ttl}", "--shapes", "@{s.ttl}"],
        2,
        'Error: @{d.ttl}:2: "2020-20-20" is not a valid value of xsd:date',
    ),
    (
        "query-ill-typed-literal-in-data",
        {"d.ttl": ILL_TTL},
        ["query", "--data", "@{d.ttl}", "--sparql", "ASK {}"],
        2,
        'Error: @{d.ttl}:2: "2020-20-20" is not a valid value of xsd:date',
    ),
    (
        "param-date-out-of-range",
        {"d.ttl": GOOD_TTL, "q.rq": DATE_RQ},
        ["query", "--data", "@{d.ttl}", "@{q.rq}", "-p", "d=2020-20-20"],
        2,
        "Error: parameter d: '2020-20-20' is not a valid xsd:date",
    ),
    (
        "sparql-ill-typed-literal",
        {"d.ttl": GOOD_TTL},
        ["query", "--data", "@{d.ttl}", "--sparql", 'ASK { ?s ?p "2020-20-20"^^xsd:date }'],
        2,
        'Error: --sparql: "2020-20-20"^^<http://www.w3.org/2001/XMLSchema#date> is not a valid',
    ),
    (
        "param-integer-past-64-bits",
        {"d.ttl": GOOD_TTL, "q.rq": INT_RQ},
        ["query", "--data", "@{d.ttl}", "@{q.rq}", "-p", "n=9223372036854775808"],
        2,
        "Error: parameter n: '9223372036854775808' is not a valid xsd:integer (out of range",
    ),
    (
        "query-syntax-error",
        {"d.ttl": GOOD_TTL},
        ["query", "--data", "@{d.ttl}", "--sparql", "SELECT ?x WHERE { ?x"],
        2,
        "Error: --sparql:1:",
    ),
    (
        "query-service-refused",
        {"d.ttl": GOOD_TTL},
        [
            "query",
            "--data",
            "@{d.ttl}",
            "--sparql",
            "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }",
        ],
        2,
        "Error: SERVICE <http://x/> would query another endpoint over the network; refused",
    ),
    (
        "query-missing-file",
        {},
        ["query", "--data", "@{nope.ttl}", "--sparql", "ASK {}"],
        2,
        "Error: @{nope.ttl}: no such file",
    ),
    (
        "query-not-utf8-file",
        {"d.ttl": b'<urn:a> <urn:b> "\xff" .\n'},
        ["query", "--data", "@{d.ttl}", "--sparql", "ASK {}"],
        2,
        "Error: @{d.ttl}:1: the file is not UTF-8 text",
    ),
    (
        "query-past-its-time-limit",
        {"big.nt": ""},
        ["query", "--data", "@{big.nt}", "--sparql", PRODUCT, "--timeout", "1"],
        2,
        "Error: the query took longer than 1 s, the limit (--timeout)",
    ),
    (
        "query-past-its-memory-limit",
        {"big.nt": ""},
        [
            "query",
            "--data",
            "@{big.nt}",
            "--sparql",
            "SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c LIMIT 1",
            "--max-memory",
            "200M",
        ],
        2,
        "Error: the query needed more than 200 MiB of memory, the limit (--max-memory)",
    ),
    (
        "query-bad-memory-size",
        {"d.ttl": GOOD_TTL},
        ["query", "--data", "@{d.ttl}", "--sparql", "ASK {}", "--max-memory", "lots"],
        2,
        "Error: Invalid value for --max-memory: 'lots' is not a size",
    ),
    (
        "build-memory-store-iri-with-space",
        {"ontology/o.ttl": GOOD_TTL, "data/d.ttl": SPACE_TTL},
        ["build", "--root", "@{.}", "--store", "memory", "-o", "@{out.trig}", "-q"],
        2,
        "Error: @{data/d.ttl}:2: <http://exa mple.org/x y> " + SPACE_MSG,
    ),
]


def _fill(text: str, folder: Path) -> str:
    """``@{name}`` replaced by the path of ``name`` in ``folder``."""
    import re

    return re.sub(r"@\{([^{}]+)\}", lambda m: str(folder / m.group(1)), text)


def _files(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*")}


@pytest.mark.parametrize(
    ("files", "args", "code", "message"), [m[1:] for m in MATRIX], ids=[m[0] for m in MATRIX]
)
def test_bad_input_is_one_line_and_leaves_nothing(
    tmp_path: Path, files: dict[str, str | bytes], args: list[str], code: int, message: str
) -> None:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name == "big.nt":
            _big(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    before = _files(tmp_path)
    done = subprocess.run(
        [KG, *(_fill(a, tmp_path) for a in args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    if code == 2 and "Invalid value" not in message:
        assert len(lines) == (3 if "syntax" in args[-1] or "WHERE { ?x" in args[-1] else 1), lines
    if "Invalid value" in message:  # click's usage error: its usage line, then the error
        assert _fill(message, tmp_path) in done.stderr, done.stderr
    else:
        assert done.stderr.startswith(_fill(message, tmp_path)), done.stderr
    assert _files(tmp_path) == before  # nothing written, nothing left half-written


# --- the machine's own failures ------------------------------------------------------------


def _disk_full(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def _immutable(*args: object, **kwargs: object) -> None:
    raise PermissionError(errno.EPERM, "Operation not permitted")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "small.ttl"
    path.write_text(GOOD_TTL, encoding="utf-8")
    return path


def _verbs(small: Path, out: Path) -> dict[str, list[str]]:
    return {
        "export": ["export", "--data", str(small), "-o", str(out.with_suffix(".ttl"))],
        "query": ["query", "--data", str(small), "--sparql", "SELECT * {?s ?p ?o}", "-o", str(out)],
        "viz": ["viz", "--data", str(small), "--format", "json", "-o", str(out)],
    }


@pytest.mark.parametrize("verb", ["export", "query", "viz", "build"])
@pytest.mark.parametrize("failure", [_disk_full, _immutable], ids=["disk-full", "immutable"])
def test_a_full_disk_or_an_immutable_target_is_one_line(
    tmp_path: Path,
    small: Path,
    monkeypatch: pytest.MonkeyPatch,
    verb: str,
    failure: Callable[..., None],
) -> None:
    import kg.io

    out = tmp_path / "out" / "result.json"
    out.parent.mkdir()
    old = b"the old content"
    target = out.with_suffix(".ttl") if verb == "export" else out
    if verb == "build":
        root = tmp_path / "project"
        (root / "ontology").mkdir(parents=True)
        (root / "data").mkdir()
        (root / "ontology" / "o.ttl").write_text(GOOD_TTL, encoding="utf-8")
        (root / "ontology" / "shapes.ttl").write_text("", encoding="utf-8")
        target = out.with_suffix(".trig")
        args = ["build", "--root", str(root), "-o", str(target), "-q"]
    else:
        args = _verbs(small, out)[verb]
    target.write_bytes(old)
    monkeypatch.setattr(kg.io.os, "replace", failure)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    expected = "No space left on device" if failure is _disk_full else "Operation not permitted"
    assert (
        result.stderr == f"Error: {target}: cannot write: {expected}; the file was left as it was\n"
    )
    assert target.read_bytes() == old
    assert sorted(p.name for p in out.parent.iterdir()) == [target.name]  # no .tmp left


def test_a_full_standard_output_is_one_line(small: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [KG, "export", "--data", str(small)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 2
    assert done.stderr == "Error: No space left on device\n"


def test_a_closed_pipe_is_a_quiet_exit(small: Path) -> None:
    reader = subprocess.Popen(["head", "-c", "1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    big = _big(small.with_name("big.nt"))
    done = subprocess.run(
        [KG, "export", "--data", str(big), "--format", "nt"],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )
    assert reader.stdin is not None
    reader.stdin.close()
    reader.wait(30)
    assert "Traceback" not in done.stderr
    assert done.returncode in (0, 1)


def test_standard_input_that_is_not_utf8_is_one_line(small: Path) -> None:
    done = subprocess.run(
        [KG, "query", "-", "--data", str(small)],
        input=b'ASK { ?s ?p "\xff" }',
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.decode() == "Error: <stdin>:1: the file is not UTF-8 text\n"


def test_a_write_killed_half_way_is_cleaned_up_by_the_next(tmp_path: Path, small: Path) -> None:
    """A writer killed by SIGKILL leaves its .NAME.PID.XXXX.tmp; the next write of the same
    file removes it (its process is gone), and leaves a live writer's alone."""
    killer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    killer.kill()
    killer.wait()
    out = tmp_path / "out.ttl"
    dead_tmp = tmp_path / f".out.ttl.{killer.pid}.k1ll3d.tmp"
    live_tmp = tmp_path / f".out.ttl.{alive.pid}.wr1t1n.tmp"
    other = tmp_path / f".other.ttl.{killer.pid}.k1ll3d.tmp"
    for leftover in (dead_tmp, live_tmp, other):
        leftover.write_text("half a file", encoding="utf-8")
    try:
        result = CliRunner().invoke(cli, ["export", "--data", str(small), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert not dead_tmp.exists()
        assert live_tmp.exists() and other.exists()
        assert out.read_text(encoding="utf-8").strip()
    finally:
        alive.kill()
        alive.wait()


def test_a_decomposed_literal_finds_the_composed_label(small: Path) -> None:
    """Query text is NFC, as data files are: "Hà Nội" typed with combining marks matches."""
    nfd = unicodedata.normalize("NFD", "Hà Nội")
    assert nfd != "Hà Nội"
    result = CliRunner().invoke(
        cli, ["query", "--data", str(small), "--sparql", f'ASK {{ ?s ?p "{nfd}"@vi }}']
    )
    assert (result.exit_code, result.stdout.strip()) == (0, "true")


def test_the_time_limit_does_not_count_loading(tmp_path: Path) -> None:
    """The clock starts once the graph is loaded: a quick query over a file is never cut."""
    big = _big(tmp_path / "big.nt")
    result = CliRunner().invoke(
        cli, ["query", "--data", str(big), "--sparql", "ASK { ?s ?p ?o }", "--timeout", "5"]
    )
    assert (result.exit_code, result.stdout.strip()) == (0, "true")
    assert os.listdir(tmp_path) == ["big.nt"]
