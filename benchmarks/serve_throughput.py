"""Throughput of ``kg serve`` beside ``oxigraph serve`` (the Rust server of PyPI's ``oxigraph``),
the same data, the same SELECT, the same load client, in one run.

The load client is ``wrk`` (Debian's package: ``apt-get install wrk``): C, one event loop per
thread, so that the client measures the servers rather than itself. Each case runs
``--connections`` connections for ``--duration`` seconds with ``Accept:
application/sparql-results+json``:

- ``catalog``: ``GET /queries/top-provinces`` (kg serve only: the catalog API);
- ``same``: the one-resource SELECT ``SELECT ?p ?o WHERE { <unit> ?p ?o }``, the same text
  every time (kg serve answers it from its cache after the first time);
- ``varied``: the same SELECT for a different resource each request, cycling through every
  administrative unit of the graph (more than the server's cache holds), so that each
  request is parsed and run.

Both servers get the graph from the TriG file the build writes: ``kg serve --data FILE``, and
``oxigraph load`` into a store that ``oxigraph serve-read-only --union-default-graph`` serves.

    .venv/bin/python -m benchmarks.serve_throughput --data dist/cchc.trig
    .venv/bin/python -m benchmarks.serve_throughput --data dist/cchc.trig --duration 10 \\
        --cases same,varied --serve-arg=--workers=3

Everything stays on 127.0.0.1; the servers and the client share the machine's cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
UNIT = "https://w3id.org/cchc/id/unit/01"
SELECT = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
ACCEPT = "application/sparql-results+json"
#: 50 clients behind one loopback proxy: each request names its client in X-Forwarded-For
#: (kg serve trusts it from 127.0.0.1, as uvicorn does by default), so that the server's share
#: per client sees many clients, as it would in front of a crowd; oxigraph serve ignores it.
CLIENTS = """
local thread_id = 0
local counter = 0
setup = function(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
end
init = function(args)
  id = tonumber(wrk.thread:get("id")) or 0
end
local function client()
  counter = counter + 1
  return "10.0." .. id .. "." .. (counter %% 25)
end
"""
LUA = (
    CLIENTS
    + """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local i = math.random(1, #paths)
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["X-Forwarded-For"] = client()})
end
"""
)
FIXED = (
    CLIENTS
    + """
request = function()
  return wrk.format("GET", "%s", {["X-Forwarded-For"] = client()})
end
"""
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, process: subprocess.Popen[bytes], limit: float = 900) -> float:
    import urllib.error
    import urllib.request

    start = time.monotonic()
    while time.monotonic() - start < limit:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return time.monotonic() - start
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"no answer from {url} within {limit:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    with _quiet():
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        with _quiet():
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(20)


class _quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], ProcessLookupError)  # type: ignore[arg-type]


def wrk(
    url: str, path: str | None, script: Path | None, args: argparse.Namespace
) -> dict[str, float]:
    """One wrk run: requests per second, latency percentiles (ms), errors."""
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration:.0f}s",
        "--latency",
        "--timeout",
        "30s",
        "-H",
        f"Accept: {ACCEPT}",
    ]
    if script is None:
        script = Path(tempfile.mkstemp(suffix=".lua")[1])
        script.write_text(FIXED % (path or "/"), encoding="utf-8")
        path = None
    command += ["-s", str(script)]
    command.append(url + (path or ""))
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    for pct in ("50", "90", "99"):
        match = re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if match:
            scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
            result[f"p{pct}"] = float(match.group(1)) * scale
    requests = re.search(r"(\d+) requests in", out)
    result["requests"] = float(requests.group(1)) if requests else 0.0
    errors = 0
    for pattern in (
        r"Non-2xx or 3xx responses: (\d+)",
        r"Socket errors: connect (\d+), "
        r"read (\d+), write (\d+), timeout (\d+)",
    ):
        found = re.search(pattern, out)
        if found:
            errors += sum(int(g) for g in found.groups())
    result["errors"] = float(errors)
    return result


def units(data: Path, limit: int = 20000) -> list[str]:
    """The IRIs of the administrative units in the data (for the varied case)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    store.bulk_load(path=str(data), format=pyoxigraph.RdfFormat.TRIG)
    answer = store.query(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } "
        "FILTER(STRSTARTS(STR(?s), 'https://w3id.org/cchc/id/unit/')) } ORDER BY ?s"
    )
    return [row[0].value for row in answer][:limit]


def paths(endpoint: str, iris: list[str], folder: Path, name: str) -> Path:
    """A wrk script that asks for each IRI's SELECT in turn."""
    listing = folder / f"{name}.txt"
    listing.write_text(
        "".join(f"{endpoint}?query={quote(SELECT.format(iri=i), safe='')}\n" for i in iris),
        encoding="utf-8",
    )
    script = folder / f"{name}.lua"
    script.write_text(LUA % listing, encoding="utf-8")
    return script


def line(server: str, case: str, r: dict[str, float]) -> str:
    return (
        f"{server:<16} {case:<9} {r['requests']:>9.0f} {r['rps']:>9.0f} {r.get('p50', 0):>8.1f}"
        f" {r.get('p90', 0):>8.1f} {r.get('p99', 0):>8.1f} {r['errors']:>7.0f}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "dist" / "cchc.trig")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cases", default="catalog,same,varied")
    parser.add_argument("--serve-arg", action="append", default=[])
    parser.add_argument("--skip-oxigraph", action="store_true")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    folder = Path(tempfile.mkdtemp(prefix="kg-throughput-"))
    iris = units(args.data)
    same = "?query=" + quote(SELECT.format(iri=UNIT), safe="")
    results: list[str] = []
    try:
        if not args.skip_oxigraph and ("same" in cases or "varied" in cases):
            store = folder / "oxigraph"
            subprocess.run(
                [str(BIN / "oxigraph"), "load", "--location", str(store), "--file", str(args.data)],
                check=True,
                capture_output=True,
            )
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            process = subprocess.Popen(
                [str(BIN / "oxigraph"), "serve-read-only", "--location", str(store),
                 "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            try:
                wait_ready(url + "/query" + same, process)
                for case in ("same", "varied"):
                    if case in cases:
                        script = paths("/query", iris, folder, "ox") if case == "varied" else None
                        path = "/query" + same if case == "same" else None
                        results.append(line("oxigraph serve", case, wrk(url, path, script, args)))
                        print(results[-1], flush=True)
            finally:
                stop(process)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [str(BIN / "kg"), "serve", "--port", str(port), "--data", str(args.data)]
        log = (folder / "kg-serve.log").open("wb")
        process = subprocess.Popen(
            command + args.serve_arg, cwd=ROOT, start_new_session=True, stdout=log, stderr=log
        )
        try:
            ready = wait_ready(url + "/sparql" + same, process)
            print(f"kg serve ready in {ready:.1f} s", flush=True)
            for case in cases:
                if case == "catalog":
                    r = wrk(url, "/queries/top-provinces", None, args)
                elif case == "same":
                    r = wrk(url, "/sparql" + same, None, args)
                else:
                    r = wrk(url, None, paths("/sparql", iris, folder, "kg"), args)
                results.append(line("kg serve", case, r))
                print(results[-1], flush=True)
        finally:
            stop(process)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"\n{args.connections} connections, {args.threads} wrk threads, {args.duration:.0f} s each;"
        f" {args.data.name}; {len(iris)} resources for 'varied'; {platform.machine()}, "
        f"{os.cpu_count()} cores (shared), load average {os.getloadavg()[0]:.2f}\n"
    )
    head = (
        f"{'server':<16} {'case':<9} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8}"
        f" {'p99 ms':>8} {'errors':>7}"
    )
    print(head + "\n" + "-" * len(head) + "\n" + "\n".join(results))


if __name__ == "__main__":
    main()
