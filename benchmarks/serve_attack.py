"""``kg serve`` under attack: runaway queries, a memory bomb, slow queries beside cheap ones.

Starts ``kg serve --data FILE`` (the national graph: dist/cchc.trig) on a free loopback port and
runs, one after the other:

- ``runaway-N`` (N = 4, then 40): N copies of a query that never ends on its own (a count of
  every pair of triples), sent at once, each from a client of its own; meanwhile a regular
  user (who has asked cheap things before) sends a cheap ASK every quarter second. Reported:
  what the runaways got, the slowest ASK and whether every ASK was a 200 within 2 s; the
  memory of the server (front process and workers) before, and after they end.
- ``bomb``: ``SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c LIMIT 1``, which wants the whole
  cross product in memory: what the client got, and the front process's memory sampled every
  50 ms throughout (it must stay under 1 GB), and whether the server still answers.
- ``large``: twelve answers of 10,000 rows at once: the front's memory throughout, and the
  server's after (workers that grew retire, so the memory goes back).
- ``cheap`` and ``slow``: the same cheap load without, then with, slow queries. ``slow``: 5
  clients keep a slow query in flight (paths of three triples, counted: longer
  than the time limit) while 20 clients send cheap requests (catalog queries, a one-resource
  SELECT for a different unit each time, a resource page) for ``--duration`` seconds: the
  cheap requests' latency and statuses (no 503 is expected among them).

Clients are told apart by ``X-Forwarded-For`` (kg serve trusts it from 127.0.0.1, as uvicorn
does by default), as they would be behind a reverse proxy.

    .venv/bin/python -m benchmarks.serve_attack --data dist/cchc.trig
    .venv/bin/python -m benchmarks.serve_attack --data dist/cchc.trig --cases runaway-4,bomb

Everything stays on 127.0.0.1, every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from benchmarks.serve_throughput import free_port, units, wait_ready

ROOT = Path(__file__).resolve().parent.parent
ACCEPT = {"Accept": "application/sparql-results+json"}
#: Each copy names its count differently: the server answers identical requests in flight
#: once, and an attacker varies the text as easily.
RUNAWAY = "SELECT (COUNT(*) AS ?n{n}) WHERE {{ ?a ?b ?c . ?d ?e ?f }}"
BOMB = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c LIMIT 1"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?o ?q ?r . ?r ?x ?y }"
ASK = "ASK { <https://w3id.org/cchc/id/unit/01> ?p ?o }"
SELECT = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"


def tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    out = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                for child in handle.read().split():
                    out += tree(int(child))
    except OSError:
        pass
    return out


def rss(pid: int) -> int:
    """Resident memory of one process, bytes (0 when gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def pss(pid: int) -> int:
    """Proportional memory of one process (shared pages split among their users), bytes."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss(pid)


def memory(pid: int) -> tuple[int, int, int]:
    """(front RSS, whole server PSS, number of processes)."""
    pids = tree(pid)
    return rss(pid), sum(pss(p) for p in pids), len(pids)


def mb(size: float) -> str:
    return f"{size / (1 << 20):.0f} MB"


async def send(
    http: object, query: str, client: str, method: str = "POST"
) -> tuple[int, float, str]:
    import httpx

    assert isinstance(http, httpx.AsyncClient)
    headers = {**ACCEPT, "X-Forwarded-For": client}
    if query.startswith("/id/"):
        headers["Accept"] = "text/html"
    start = time.monotonic()
    try:
        if method == "POST":
            answer = await http.post("/sparql", data={"query": query}, headers=headers)
        else:
            answer = await http.get(query, headers=headers)
        status, text = answer.status_code, answer.text[:200]
    except httpx.HTTPError as exc:
        status, text = 0, type(exc).__name__
    return status, time.monotonic() - start, text


async def runaway(base: str, pid: int, count: int) -> list[str]:
    import httpx

    lines = [
        f"runaway-{count}: {count} copies of {RUNAWAY.format(n='')!r} at once, from {count} clients"
    ]
    limits = httpx.Limits(max_connections=count + 10)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:
        for _ in range(5):  # the regular user's history: cheap questions
            await send(http, ASK, "10.8.0.1")
        await asyncio.sleep(3)
        front0, total0, procs0 = memory(pid)
        runs = [
            asyncio.create_task(send(http, RUNAWAY.format(n=i), f"10.9.{i // 250}.{i % 250}"))
            for i in range(count)
        ]
        probes: list[tuple[int, float]] = []
        while not all(r.done() for r in runs):
            status, took, _ = await send(http, ASK, "10.8.0.1")
            probes.append((status, took))
            await asyncio.sleep(0.25)
        results = [r.result() for r in runs]
        await asyncio.sleep(5)  # the killed workers replaced, the memory back
        front1, total1, procs1 = memory(pid)
    statuses = Counter(s for s, _, _ in results)
    took = [t for _, t, _ in results]
    worst = max(t for _, t in probes)
    ok = all(s == 200 and t <= 2.0 for s, t in probes)
    lines.append(
        "  runaways: "
        + ", ".join(f"HTTP {k} ×{v}" for k, v in sorted(statuses.items()))
        + f"; answered within {min(took):.1f}-{max(took):.1f} s"
    )
    for status in sorted(statuses):
        sample = next(text for s, _, text in results if s == status)
        lines.append(f"    {status}: {sample[:150]}")
    lines.append(
        f"  cheap ASK during them: {len(probes)} sent, "
        f"{Counter(s for s, _ in probes)}, median {statistics.median(t for _, t in probes):.3f} s,"
        f" slowest {worst:.3f} s -> {'every one 200 within 2 s' if ok else 'FAILED'}"
    )
    change = (total1 - total0) / total0 * 100
    lines.append(
        f"  memory of the server (PSS of front + workers): {mb(total0)} in {procs0} processes "
        f"before, {mb(total1)} in {procs1} after ({change:+.0f}%); front RSS {mb(front0)} -> "
        f"{mb(front1)}"
    )
    return lines


async def bomb(base: str, pid: int) -> list[str]:
    import httpx

    peak_front, peak_total = 0, 0
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        before = memory(pid)
        task = asyncio.create_task(send(http, BOMB, "10.7.0.1"))
        while not task.done():
            front = rss(pid)
            total = sum(rss(p) for p in tree(pid))
            peak_front, peak_total = max(peak_front, front), max(peak_total, total)
            await asyncio.sleep(0.05)
        status, took, text = task.result()
        await asyncio.sleep(3)
        after = memory(pid)
        alive, _, _ = await send(http, ASK, "10.8.0.1")
    return [
        f"bomb: {BOMB!r}",
        f"  answer: HTTP {status} after {took:.1f} s: {text[:160]}",
        f"  front RSS: {mb(before[0])} before, peak {mb(peak_front)} (limit 1 GB: "
        f"{'kept' if peak_front < 1 << 30 else 'EXCEEDED'}), {mb(after[0])} after; all processes"
        f" peak RSS {mb(peak_total)}; server PSS {mb(before[1])} before, {mb(after[1])} after",
        f"  the server after it: ASK answered HTTP {alive}",
    ]


CHEAP_LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local threads = {}
setup = function(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end
init = function(args)
  id = tonumber(wrk.thread:get("id")) or 0
  i = math.random(1, #paths)
  counter = 0
  s503 = 0
  other = 0
end
request = function()
  i = i %% #paths + 1
  counter = counter + 1
  local kind, path = paths[i]:match("^(%%S+) (.*)$")
  local accept = "application/sparql-results+json"
  if kind == "page" then accept = "text/html" end
  local client = "10.5." .. id .. "." .. (counter %% 10)
  return wrk.format("GET", path, {["Accept"] = accept, ["X-Forwarded-For"] = client})
end
delay = function()
  return THINK
end
response = function(status, headers, body)
  if status == 503 then s503 = s503 + 1 elseif status >= 300 then other = other + 1 end
end
done = function(summary, latency, requests)
  local n503, nother = 0, 0
  for _, thread in ipairs(threads) do
    n503 = n503 + (tonumber(thread:get("s503")) or 0)
    nother = nother + (tonumber(thread:get("other")) or 0)
  end
  io.write(string.format("statuses: 503 %%d, other non-2xx %%d\\n", n503, nother))
end
"""


#: The catalog queries of the cheap load, asked once before it.
WARM = [
    "/queries/top-provinces",
    "/queries/hanoi-index-ranks",
    "/queries/pci-history?area=id%3Aunit%2F01",
]


def cheap_script(iris: list[str], folder: Path, think: int) -> Path:
    """A wrk script of cheap requests, a quarter each: catalog queries (answered from the
    server's cache after the first), the one-resource SELECT of a unit (a different one each
    time), the unit's page, and an ASK."""
    catalog = [path.removeprefix("/queries/") for path in WARM]
    lines = []
    for n, iri in enumerate(iris):
        kind = ("catalog", "select", "page", "ask")[n % 4]
        if kind == "catalog":
            path = "/queries/" + catalog[n % 3]
        elif kind == "select":
            path = "/sparql?query=" + quote(SELECT.format(iri=iri), safe="")
        elif kind == "page":
            path = "/id/" + quote(iri.split("/id/", 1)[1], safe="/")
        else:
            path = "/sparql?query=" + quote(ASK, safe="")
        lines.append(f"{kind} {path}\n")
    listing = folder / "cheap.txt"
    listing.write_text("".join(lines), encoding="utf-8")
    script = folder / "cheap.lua"
    script.write_text((CHEAP_LUA % listing).replace("THINK", str(think)), encoding="utf-8")
    return script


async def slow(
    base: str, duration: float, iris: list[str], slow_clients: int = 5, think: int = 100
) -> list[str]:
    """Cheap requests by wrk (a C client: Python's clients measure themselves at this rate),
    20 users who each wait ``think`` ms between an answer and their next request, while
    ``slow_clients`` Python clients keep a slow query each in flight."""
    import httpx

    stop = time.monotonic() + duration + 5
    slow_statuses: Counter[int] = Counter()

    async def slow_client(n: int, http: httpx.AsyncClient) -> None:
        while time.monotonic() < stop:
            status, _, _ = await send(http, SLOW.replace("?n)", f"?n{n})"), f"10.6.0.{n}")
            slow_statuses[status] += 1

    script = cheap_script(iris, Path(tempfile.mkdtemp(prefix="kg-attack-")), think)
    command = ["wrk", "-t2", "-c20", f"-d{duration:.0f}s", "--latency", "--timeout", "30s"]
    command += ["-s", str(script), base]
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        for path in WARM:  # the catalog queries' first answers (cold: up to a second each)
            await send(http, path, "10.4.0.1", "GET")
        tasks = [asyncio.create_task(slow_client(n, http)) for n in range(slow_clients)]
        await asyncio.sleep(2 if slow_clients else 0)  # the slow queries in flight first
        load = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
        out = (await load.communicate())[0].decode()
        stop = time.monotonic()
        await asyncio.gather(*tasks)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"(\d+) requests in", out)
    pcts = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)\s*$", out, re.M))
    statuses = re.search(r"statuses: 503 (\d+), other non-2xx (\d+)", out)
    n503, other = (int(statuses.group(1)), int(statuses.group(2))) if statuses else (-1, -1)
    p99 = _ms(pcts.get("99", "0ms"))
    verdict = "p99 under 500 ms, no 503" if p99 < 500 and n503 == 0 else "FAILED"
    return [
        f"slow: {slow_clients} clients keep {SLOW!r} in flight (each its own text), 20 wrk "
        f"connections send cheap requests ({think} ms between an answer and the next request),"
        f" {duration:.0f} s",
        f"  cheap: {count.group(1) if count else '?'} requests, "
        f"{rate.group(1) if rate else '?'} req/s, median {pcts.get('50')}, p90 "
        f"{pcts.get('90')}, p99 {pcts.get('99')}; 503: {n503}, other non-2xx: {other} -> "
        + verdict,
        f"  slow queries: {dict(slow_statuses)}",
    ]


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        return float("inf")
    return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]


async def large(base: str, pid: int, count: int = 12) -> list[str]:
    """``count`` answers of 10,000 rows each (the server's row limit), then the memory."""
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        before = memory(pid)
        peak = 0
        texts = [
            f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT 10000 OFFSET {n * 10000}"
            for n in range(count)
        ]
        tasks = [
            asyncio.create_task(send(http, text, f"10.3.0.{n}")) for n, text in enumerate(texts)
        ]
        while not all(t.done() for t in tasks):
            peak = max(peak, rss(pid))
            await asyncio.sleep(0.05)
        results = [t.result() for t in tasks]
        await asyncio.sleep(5)
        after = memory(pid)
    statuses = Counter(s for s, _, _ in results)
    return [
        f"large: {count} answers of 10,000 rows at once",
        f"  statuses {dict(statuses)}; slowest {max(t for _, t, _ in results):.1f} s",
        f"  front RSS {mb(before[0])} before, peak {mb(peak)}, {mb(after[0])} after; server PSS "
        f"{mb(before[1])} in {before[2]} processes before, {mb(after[1])} in {after[2]} after",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "dist" / "cchc.trig")
    parser.add_argument("--cases", default="runaway-4,runaway-40,bomb,large,cheap,slow")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of 'slow' (60)")
    parser.add_argument("--serve-arg", action="append", default=[])
    args = parser.parse_args(argv)
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(tempfile.gettempdir()) / "kg-serve-attack.log"
    command = [str(Path(sys.executable).with_name("kg")), "serve", "--port", str(port)]
    command += ["--data", str(args.data), *args.serve_arg]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, start_new_session=True, stdout=out, stderr=out
        )
    report: list[str] = []
    try:
        ready = wait_ready(base + "/queries", process)
        report.append(f"kg serve ready in {ready:.1f} s ({' '.join(command[1:])})")
        iris = units(args.data)
        for case in cases:
            if case.startswith("runaway-"):
                lines = asyncio.run(runaway(base, process.pid, int(case.split("-")[1])))
            elif case == "bomb":
                lines = asyncio.run(bomb(base, process.pid))
            elif case == "large":
                lines = asyncio.run(large(base, process.pid))
            elif case == "slow":
                lines = asyncio.run(slow(base, args.duration, iris))
            elif case == "cheap":  # the same cheap load without slow queries: the baseline
                lines = asyncio.run(slow(base, args.duration, iris, slow_clients=0))
            else:
                raise SystemExit(f"unknown case {case}")
            print("\n".join(lines), flush=True)
            report += lines
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    print(
        f"\n{platform.machine()}, {os.cpu_count()} cores (shared), load average "
        f"{os.getloadavg()[0]:.2f}; server log: {log}"
    )


if __name__ == "__main__":
    main()
