"""Load test of ``kg serve``: many clients run the query catalog at once, one slow query among them.

Starts ``kg serve`` (the national graph, default backend) on a free loopback port in a child
process, waits until it answers, then runs ``--clients`` concurrent clients (asyncio + httpx,
one connection each) for ``--duration`` seconds. Each client goes round the catalog, starting
at its own place, with the requests of ``--mix`` (``api`` by default):

- ``api``: ``GET /queries/NAME`` with the query's defaults (the server keeps recent answers,
  so after the first round this measures the cached path);
- ``sparql``: ``POST /sparql`` with the query's text as the query page loads it (prefixes
  declared, parameters replaced by their defaults), parsed and run every time.

One more client sends a deliberately slow query (every path of three triples, counted), waits
``--slow-pause`` seconds, and sends it again; the server answers it 503 at its time limit (its
worker process is killed then). The others' latency is shown apart for requests that
overlapped a slow request and for the rest. (benchmarks/serve_attack.py measures runaway
queries, a memory bomb and slow queries with a C load client; benchmarks/serve_throughput.py
measures throughput beside oxigraph serve.)
Before the load, each catalog query is asked once, one at a time (``--cold`` skips this).

    .venv/bin/python -m benchmarks.serve_load               # 50 clients, 60 s, national graph
    .venv/bin/python -m benchmarks.serve_load --duration 10 --provinces-only
    .venv/bin/python -m benchmarks.serve_load --mix api,sparql --skip agencies-by-kind

Everything stays on 127.0.0.1. Figures depend on the machine and what else runs on it: the
client and the server share its cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9, */*;q=0.1"
LOG = Path(tempfile.gettempdir()) / "kg-serve-load.log"
#: Paths of three triples, counted: about 15 s alone on Oxigraph's national graph (8.6 million
#: paths), past the server's 10 s limit: its worker process is killed at the limit.
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?o ?q ?r . ?r ?x ?y }"


@dataclass
class Sample:
    """One answered (or failed) request."""

    kind: str
    start: float
    end: float
    status: int
    name: str = ""


@dataclass
class Log:
    """Every sample of the run, and the time spans a slow query was running."""

    samples: list[Sample] = field(default_factory=list)
    slow: list[tuple[float, float]] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _requests(kinds: list[str]) -> list[tuple[str, str, str, str | None]]:
    """(kind, name, path, body) for every catalog query and kind asked for."""
    from kg.query import default_catalog
    from kg.serve.query_page import editor_text

    out: list[tuple[str, str, str, str | None]] = []
    for query in default_catalog():
        if "api" in kinds:
            values = {p.name: p.example for p in query.parameters if p.default is None}
            path = f"/queries/{query.name}"
            if values:
                from urllib.parse import urlencode

                path += "?" + urlencode(values)
            out.append(("api", query.name, path, None))
        if "sparql" in kinds:
            out.append(("sparql", query.name, "/sparql", editor_text(query)))
    return out


async def _client(
    http: object, work: list[tuple[str, str, str, str | None]], offset: int, stop: float, log: Log
) -> None:
    import httpx

    assert isinstance(http, httpx.AsyncClient)
    i = offset
    while time.monotonic() < stop:
        kind, name, path, body = work[i % len(work)]
        i += 1
        start = time.monotonic()
        try:
            if body is None:
                response = await http.get(path, headers={"Accept": ACCEPT})
            else:
                response = await http.post(path, data={"query": body}, headers={"Accept": ACCEPT})
            status = response.status_code
        except httpx.HTTPError:
            status = 0
        log.samples.append(Sample(kind, start, time.monotonic(), status, name))


async def _slow_client(http: object, stop: float, log: Log, query: str, pause: float) -> None:
    import httpx

    assert isinstance(http, httpx.AsyncClient)
    while time.monotonic() < stop:
        start = time.monotonic()
        try:
            response = await http.post("/sparql", data={"query": query}, headers={"Accept": ACCEPT})
            status = response.status_code
        except httpx.HTTPError:
            status = 0
        end = time.monotonic()
        log.slow.append((start, end))
        log.samples.append(Sample("slow", start, end, status))
        # a pause between slow queries, so that the others are also seen without one
        await asyncio.sleep(max(0.0, min(pause, stop - time.monotonic())))


async def _run(
    base: str,
    clients: int,
    duration: float,
    work: list[tuple[str, str, str, str | None]],
    slow: str | None,
    pause: float,
) -> Log:
    import httpx

    log = Log()
    limits = httpx.Limits(max_connections=clients + 2, max_keepalive_connections=clients + 2)
    timeout = httpx.Timeout(120.0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as http:
        stop = time.monotonic() + duration
        step = max(1, len(work) // clients) if clients else 1
        tasks = [_client(http, work, n * step + n, stop, log) for n in range(clients)]
        if slow:
            tasks.append(_slow_client(http, stop, log, slow, pause))
        await asyncio.gather(*tasks)
    return log


def _warm(base: str, work: list[tuple[str, str, str, str | None]]) -> list[str]:
    """Ask each catalog query once, one after the other: the first answer of each, cold (the
    server keeps it, so the load that follows measures the steady state)."""
    import httpx

    lines = []
    with httpx.Client(base_url=base, timeout=120) as http:
        for kind, name, path, _ in work:
            if kind != "api":
                continue
            start = time.monotonic()
            try:
                status = http.get(path, headers={"Accept": ACCEPT}).status_code
            except httpx.HTTPError:
                status = 0
            lines.append(f"  {name:<22} HTTP {status}  {(time.monotonic() - start) * 1000:8.0f} ms")
    return lines


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def _line(label: str, samples: list[Sample], seconds: float) -> str:
    times = [(s.end - s.start) * 1000 for s in samples]
    errors = sum(1 for s in samples if not 200 <= s.status < 300)
    rate = len(samples) / seconds if seconds else 0.0
    median = statistics.median(times) if times else float("nan")
    return (
        f"{label:<28} {len(samples):>7} {rate:>9.1f} {median:>9.1f}"
        f" {_percentile(times, 99):>9.1f} {max(times, default=0):>9.1f} {errors:>7}"
    )


def _report(log: Log, duration: float, clients: int) -> str:
    regular = [s for s in log.samples if s.kind != "slow"]
    slow = [s for s in log.samples if s.kind == "slow"]

    def during_slow(s: Sample) -> bool:
        return any(a < s.end and s.start < b for a, b in log.slow)

    header = (
        f"{'requests':<28} {'count':>7} {'req/s':>9} {'median ms':>9} {'p99 ms':>9}"
        f" {'max ms':>9} {'errors':>7}"
    )
    lines = [header, "-" * len(header)]
    lines.append(_line(f"all ({clients} clients)", regular, duration))
    for kind in sorted({s.kind for s in regular}):
        lines.append(_line(f"  {kind}", [s for s in regular if s.kind == kind], duration))
    if slow:
        overlap = [s for s in regular if during_slow(s)]
        alone = [s for s in regular if not during_slow(s)]
        lines.append(_line("  while a slow query runs", overlap, duration))
        lines.append(_line("  while none runs", alone, duration))
        statuses = Counter(s.status for s in slow)
        took = ", ".join(f"{(s.end - s.start):.1f}" for s in slow)
        lines.append(
            f"slow query: {len(slow)} sent, HTTP "
            + ", ".join(f"{k}×{v}" for k, v in sorted(statuses.items()))
            + f"; seconds each: {took}"
        )
    failed = Counter((s.kind, s.name, s.status) for s in regular if not 200 <= s.status < 300)
    for (kind, name, status), count in sorted(failed.items()):
        lines.append(f"error: {kind} {name} HTTP {status} ×{count}")
    slowest: dict[str, float] = {}
    for s in regular:
        key = f"{s.kind} {s.name}"
        slowest[key] = max(slowest.get(key, 0.0), s.end - s.start)
    top = sorted(slowest.items(), key=lambda kv: -kv[1])[:5]
    lines.append("slowest requests: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in top))
    return "\n".join(lines)


def _start_server(port: int, provinces_only: bool, extra: list[str]) -> subprocess.Popen[bytes]:
    kg_cli = Path(sys.executable).with_name("kg")
    command = [str(kg_cli), "serve", "--host", "127.0.0.1", "--port", str(port), *extra]
    if provinces_only:
        command.append("--provinces-only")
    # its access log would drown the figures: it goes to a file, shown if the server fails
    log = LOG.open("wb")
    return subprocess.Popen(command, cwd=ROOT, start_new_session=True, stdout=log, stderr=log)


def _wait_ready(base: str, process: subprocess.Popen[bytes], limit: float) -> float:
    import httpx

    start = time.monotonic()
    while time.monotonic() - start < limit:
        if process.poll() is not None:
            raise SystemExit(
                f"kg serve exited with {process.returncode} before answering:\n"
                + LOG.read_text(errors="replace")[-2000:]
            )
        try:
            if httpx.get(base + "/queries", timeout=2).status_code == 200:
                return time.monotonic() - start
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"kg serve did not answer within {limit:.0f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument(
        "--mix", default="api", help="request kinds: api, sparql or api,sparql (api)"
    )
    parser.add_argument("--no-slow", action="store_true", help="leave out the slow query")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="start the load at once, without asking each query first",
    )
    parser.add_argument("--slow-query", default=SLOW_QUERY, help="the slow query's text")
    parser.add_argument(
        "--slow-pause", type=float, default=10.0, help="seconds between slow queries (10)"
    )
    parser.add_argument("--skip", default="", help="catalog queries to leave out, comma-separated")
    parser.add_argument(
        "--provinces-only", action="store_true", help="serve the small graph (a quick try)"
    )
    parser.add_argument(
        "--url", default=None, help="load a server already running here instead of starting one"
    )
    parser.add_argument(
        "--serve-arg", action="append", default=[], help="extra option for kg serve (repeatable)"
    )
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.mix.split(",") if k.strip()]
    if not set(kinds) <= {"api", "sparql"} or not kinds:
        parser.error("--mix takes api, sparql or api,sparql")
    skip = {n.strip() for n in args.skip.split(",") if n.strip()}
    work = [w for w in _requests(kinds) if w[1] not in skip]

    process = None
    base = args.url
    if base is None:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        process = _start_server(port, args.provinces_only, args.serve_arg)
    try:
        if process is not None:
            ready = _wait_ready(base, process, 600)
            print(f"kg serve ready in {ready:.1f} s at {base}", flush=True)
        if not args.cold:
            print("first answer of each catalog query, one at a time (cold):", flush=True)
            print("\n".join(_warm(base, work)), flush=True)
        load_before = os.getloadavg()
        began = time.monotonic()
        slow = None if args.no_slow else args.slow_query
        log = asyncio.run(_run(base, args.clients, args.duration, work, slow, args.slow_pause))
        elapsed = time.monotonic() - began
        load_after = os.getloadavg()
    finally:
        if process is not None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    graph = "provinces-only" if args.provinces_only else "national"
    print(
        f"\nkg serve, {graph} graph, {args.clients} clients for {elapsed:.0f} s, mix {args.mix}"
        f"{' without ' + ', '.join(sorted(skip)) if skip else ''}"
        f"{'' if args.no_slow else ' + 1 slow query'}{', cold start' if args.cold else ''}\n"
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average before {load_before[0]:.2f}, "
        f"after {load_after[0]:.2f} (other processes share these cores)\n"
    )
    print(_report(log, elapsed, args.clients))


if __name__ == "__main__":
    main()
