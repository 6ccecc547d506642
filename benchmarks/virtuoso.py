"""The catalog on Virtuoso Open Source beside Oxigraph: push time, bulk-load time, query times,
and whether every query gives the same rows.

Starts Debian's ``virtuoso-t`` (``apt-get install virtuoso-opensource``) twice, each time with a
fresh database in a temporary folder, on free loopback ports, with Debian's own
``virtuoso.ini`` (only the paths and ports changed, and the temporary folder added to
``DirsAllowed`` for the bulk loader). Then:

1. builds the graph (the national one; ``--provinces-only`` for the quick build);
2. pushes it with ``kg push`` (the DBA's credentials, HTTP Digest, the Graph Store Protocol,
   requests of at most ``--max-request``), timed;
3. writes it as N-Quads (``kg export --format nq``) and loads that into the second server with
   Virtuoso's bulk loader (``ld_dir``, ``rdf_loader_run``, ``checkpoint``, through ``isql-vt``),
   timed, defines its graph group (``kg push --group-only``), timed, and checks the counts of
   both servers against the build's;
4. runs every catalog query, with its defaults (a required parameter: its example), on
   Oxigraph (in memory, the build itself) and on the pushed server, ``--repeat`` times, and
   prints the median times and whether the rows are the same (numbers compared by value to 15
   significant digits: Virtuoso keeps a decimal to 16).

    .venv/bin/python -m benchmarks.virtuoso                    # national graph
    .venv/bin/python -m benchmarks.virtuoso --provinces-only --repeat 1
    .venv/bin/python -m benchmarks.virtuoso --without-group    # each graph named, no group

Everything stays on 127.0.0.1; the servers are stopped at the end. The figures of
docs/virtuoso.md come from it.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: Debian's configuration, and the copy its package keeps of it.
INI_FILES = (
    Path("/etc/virtuoso-opensource-7/virtuoso.ini"),
    Path("/usr/share/virtuoso-opensource-7/virtuoso.ini"),
)
#: The database folder Debian's virtuoso.ini names.
DEBIAN_DB = "/var/lib/virtuoso-opensource-7/db"
#: A fresh database's administrator.
DBA = ("dba", "dba")


def virtuoso_binary() -> str | None:
    """Debian's ``virtuoso-t`` when it and its ``virtuoso.ini`` are installed, else None."""
    found = shutil.which("virtuoso-t")
    return found if found and any(p.exists() for p in INI_FILES) else None


def virtuoso_ini(template: str, folder: Path, sql_port: int, http_port: int) -> str:
    """Debian's virtuoso.ini with the database in ``folder``, the two ports given and
    ``folder`` allowed to the bulk loader: every other setting as installed.

    >>> ini = "[Database]\\nDatabaseFile = /var/lib/virtuoso-opensource-7/db/virtuoso.db\\n"
    >>> ini += "[Parameters]\\nServerPort = 1111\\nDirsAllowed = .\\n"
    >>> ini += "[HTTPServer]\\nServerPort = 8890\\n"
    >>> print(virtuoso_ini(ini, Path("/tmp/v"), 2, 3), end="")
    [Database]
    DatabaseFile = /tmp/v/virtuoso.db
    [Parameters]
    ServerPort = 2
    DirsAllowed = ., /tmp/v
    [HTTPServer]
    ServerPort = 3
    """
    section = ""
    out = []
    for line in template.splitlines():
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            section = header.group(1)
        elif re.match(r"\s*ServerPort\s*=", line) and section in ("Parameters", "HTTPServer"):
            line = f"ServerPort = {sql_port if section == 'Parameters' else http_port}"
        elif re.match(r"\s*ServerRoot\s*=", line) and section == "HTTPServer":
            line = f"ServerRoot = {folder / 'vsp'}"
        elif re.match(r"\s*DirsAllowed\s*=", line) and section == "Parameters":
            line = f"{line.split(';')[0].rstrip()}, {folder}"
        out.append(line.replace(DEBIAN_DB, str(folder)))
    return "\n".join(out) + "\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A running Virtuoso: its HTTP base URL, its SQL port and its folder."""

    def __init__(self, base: str, sql_port: int, folder: Path) -> None:
        self.base = base
        self.sql_port = sql_port
        self.folder = folder

    def isql(self, *statements: str) -> str:
        """Run SQL statements through ``isql-vt`` as the DBA; their output."""
        command = [
            shutil.which("isql-vt") or "isql-vt",
            f"127.0.0.1:{self.sql_port}",
            *DBA,
            "exec=" + " ".join(statements),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"isql-vt failed: {done.stdout[-500:]} {done.stderr[-500:]}")
        return done.stdout


@contextlib.contextmanager
def virtuoso_server(folder: Path, *, timeout: float = 120) -> Iterator[Server]:
    """Debian's Virtuoso with a fresh database in ``folder`` on free loopback ports, stopped
    when the block ends.

    :raises RuntimeError: Virtuoso is not installed, or did not start in time (its log says why).
    """
    binary = virtuoso_binary()
    if binary is None:
        raise RuntimeError("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    (folder / "vsp").mkdir(parents=True, exist_ok=True)
    template = next(p for p in INI_FILES if p.exists()).read_text(encoding="utf-8")
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(virtuoso_ini(template, folder, sql_port, http_port), encoding="utf-8")
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)],
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{http_port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    urllib.request.urlopen(base + "/sparql?query=ASK%7B%7D", timeout=2).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        said = log_path.read_text("utf-8", "replace")[-2000:]
                        raise RuntimeError(f"Virtuoso did not start:\n{said}") from None
                    time.sleep(0.25)
            yield Server(base, sql_port, folder)
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@contextlib.contextmanager
def _as_dba() -> Iterator[None]:
    """The DBA's credentials in the environment, where kg's remote store reads them."""
    from kg.stores.remote import ENV_PASSWORD, ENV_USER

    saved = {name: os.environ.get(name) for name in (ENV_USER, ENV_PASSWORD)}
    os.environ[ENV_USER], os.environ[ENV_PASSWORD] = DBA
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _kg(*args: str) -> str:
    """Run this environment's ``kg`` as the DBA; what it printed."""
    with _as_dba():
        done = subprocess.run(
            [str(Path(sys.executable).with_name("kg")), *args],
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"kg {args[0]} failed: {done.stdout}{done.stderr}")
    return done.stdout


# ---- the measurements ---------------------------------------------------------------------------


def _by_value(term: Any) -> Any:
    """A term as compared here: numbers by value to 15 significant digits."""
    from rdflib import Literal

    value = term.toPython() if isinstance(term, Literal) else None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return ("number", f"{Decimal(str(value)):.15g}")
    return term


def _rows(results: Any) -> Any:
    if results.type == "ASK":
        return results.boolean
    if results.graph is not None:
        return collections.Counter(tuple(_by_value(t) for t in tr) for tr in results.graph)
    return collections.Counter(
        tuple(sorted((k, _by_value(v)) for k, v in row.items())) for row in results.rows
    )


def _time(graph: Any, query: Any, params: dict[str, str], repeat: int) -> tuple[Any, Any]:
    from kg.query import run

    times, answer = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            answer = run(graph, query, params)
        except Exception as exc:  # a query the engine refuses: say so in the table
            return f"{type(exc).__name__}: {str(exc)[:160]}", None
        times.append(time.perf_counter() - start)
    return statistics.median(times), answer


def measure(args: argparse.Namespace) -> int:
    import kg
    from kg.graph import KnowledgeGraph
    from kg.query import default_catalog
    from kg.stores.remote import RemoteStore, members_graph

    work = Path(tempfile.mkdtemp(prefix="kg-virtuoso-"))
    try:
        say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
        start = time.perf_counter()
        graph = kg.build(ROOT, national=not args.provinces_only)
        say(
            f"build: {len(graph):,} triples in {len(graph.graph_names())} graphs, "
            f"{time.perf_counter() - start:.1f} s"
        )
        trig, nq = work / "graph.trig", work / "load" / "graph.nq"
        nq.parent.mkdir()
        trig.write_bytes(kg.serialize(graph, "trig"))
        nq.write_bytes(kg.serialize(graph, "nq"))
        figures: dict[str, Any] = {"triples": len(graph), "graphs": len(graph.graph_names())}

        with virtuoso_server(work / "bulk") as bulk:
            start = time.perf_counter()
            bulk.isql(
                f"ld_dir('{nq.parent}', '*.nq', 'urn:kg:unused');",
                "rdf_loader_run();",
                "checkpoint;",
            )
            figures["bulk load"] = time.perf_counter() - start
            loaded = KnowledgeGraph(store=RemoteStore(bulk.base + "/sparql", timeout=600))
            figures["bulk count"] = len(loaded)
            start = time.perf_counter()
            _kg("push", "--group-only", "--endpoint", bulk.base + "/sparql-auth")
            figures["bulk group"] = time.perf_counter() - start
        say(f"bulk load: {figures['bulk load']:.1f} s, {figures['bulk count']:,} triples")

        with virtuoso_server(work / "push") as server:
            start = time.perf_counter()
            _kg(
                "push", "-q", "--data", str(trig),
                "--endpoint", server.base + "/sparql-auth",
                "--graph-store", server.base + "/sparql-graph-crud-auth",
                *(("--max-request", args.max_request) if args.max_request else ()),
            )  # fmt: skip
            figures["push"] = time.perf_counter() - start
            say(f"kg push (reading the TriG included): {figures['push']:.1f} s")
            if args.without_group:  # the list of its members gone, no reader uses the group
                with _as_dba():
                    writer = RemoteStore(server.base + "/sparql-auth", timeout=600)
                    group = writer.defined_group()
                    if group is not None:
                        writer.remove_graph(members_graph(group))
            remote = KnowledgeGraph(store=RemoteStore(server.base + "/sparql", timeout=600))
            figures["group"] = remote.store.defined_group()  # type: ignore[attr-defined]
            figures["push count"] = len(remote)
            rows = []
            for query in default_catalog(ROOT):
                if args.only and query.name not in args.only:
                    continue
                params = {
                    p.name: p.example
                    for p in query.parameters
                    if p.default is None and p.example is not None
                }
                local_time, local = _time(graph, query, params, args.repeat)
                remote_time, answer = _time(remote, query, params, args.repeat)
                same = (
                    "—"
                    if local is None or answer is None
                    else ("same" if _rows(local) == _rows(answer) else "DIFFERENT")
                )
                count = len(local) if local is not None else "—"
                rows.append((query.name, count, local_time, remote_time, same))
                say(f"{query.name}: {count} rows, {_fmt(local_time)} / {_fmt(remote_time)} {same}")
        print(table(figures, rows))
        return 0 if all(r[4] == "same" for r in rows) else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    text = str(value)
    estimate = re.search(r"estimated execution time (\d+) \(sec\) exceeds the limit of (\d+)", text)
    if estimate:
        return f"refused: estimated {estimate.group(1)} s > {estimate.group(2)} s"
    if "Transaction timed out" in text:
        return "stopped at MaxQueryExecutionTime"
    return text[:80]


def table(figures: dict[str, Any], rows: list[tuple[Any, ...]]) -> str:
    """The figures as the Markdown tables of docs/virtuoso.md."""
    lines = [
        f"Graph: {figures['triples']:,} triples in {figures['graphs']} named graphs.",
        "",
        "| what | figure |",
        "| --- | --- |",
        f"| `kg push` (Graph Store Protocol, Digest) | {figures['push']:.1f} s, "
        f"{figures['push count']:,} triples on the server |",
        f"| bulk load of `kg export --format nq` | {figures['bulk load']:.1f} s, "
        f"{figures['bulk count']:,} triples on the server |",
        f"| `kg push --group-only` after the bulk load | {figures['bulk group']:.1f} s |",
        "| default graph of the queries | "
        + (
            f"the graph group `{figures['group']}`"
            if figures.get("group")
            else f"the {figures['graphs']} graphs named one by one"
        )
        + " |",
        "",
        "| query | rows | Oxigraph | Virtuoso | rows on Virtuoso |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, count, local, remote, same in rows:
        lines.append(f"| `{name}` | {count} | {_fmt(local)} | {_fmt(remote)} | {same} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--provinces-only", action="store_true", help="the quick build")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query (median)")
    parser.add_argument("--max-request", default=None, help="kg push --max-request (its default)")
    parser.add_argument("--only", nargs="*", default=[], help="these catalog queries only")
    parser.add_argument(
        "--without-group",
        action="store_true",
        help="query as if kg push had defined no graph group (each graph named)",
    )
    args = parser.parse_args(argv)
    if virtuoso_binary() is None:
        print("Virtuoso is not installed (apt-get install virtuoso-opensource)", file=sys.stderr)
        return 2
    return measure(args)


if __name__ == "__main__":
    sys.exit(main())
