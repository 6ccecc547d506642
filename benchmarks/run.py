"""Measure cchc-kg on synthetic graphs: load, memory, catalog queries, SHACL, export, kg build.

Per size and backend, medians over repeated runs, each measurement in a fresh subprocess so that
peak memory (RSS) belongs to that measurement alone:

- load: parse the Turtle file into the backend (rdflib's memory store, or Oxigraph in memory),
  beside pyoxigraph's own parser reading the same file (the floor: within 1.5 times of it);
  triples per second, peak RSS and bytes per triple above the interpreter's own;
- each catalog query (``queries/*.rq`` with their defaults) through ``kg.query.run``;
- SHACL validation with the project's shapes: the SPARQL engine (:mod:`kg.shacl`), and
  pySHACL (the reference) up to 100k triples only, it takes minutes above;
- Turtle export through ``kg.export.serialize``;
- ``kg build`` of the real graph end to end (default backend, validation included).

    python -m benchmarks.run --sizes 100k,1M --backends memory,oxigraph

The table is printed and written to ``docs/benchmarks.md`` with the machine it ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA_GRAPH = "https://w3id.org/cchc/graph/synthetic"
QUERY_TIMEOUT = 120  # seconds; a query of rdflib's engine past this is recorded as a timeout
#: The 10M floor asks that the on-disk store answer the whole catalog: its time limit is long.
DISK_QUERY_TIMEOUT = 600
# Parameters that point into the synthetic graph (the catalog's defaults name real places, absent
# there, which would time an empty lookup): province 01, its first commune, and the UBND of 01.
SYNTHETIC_PARAMS: dict[str, dict[str, str]] = {
    "hanoi-index-ranks": {"area": "id:unit/01"},
    "pci-history": {"area": "id:unit/01"},
    "units-in-area": {"area": "id:unit/01"},
    "unit-bodies": {"area": "id:unit/0100101"},
    "sub-organisations": {"agency": "?ubnd01"},  # looked up in the graph: the UBND of unit 01
    "find-unit": {"name": "Ha Noi"},
}


def _rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _current_rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return _rss_kb()


# ── measurements, each run in a child process ────────────────────────────────────────────────


def _ontology_files() -> list[Path]:
    return [p for p in sorted((ROOT / "ontology").glob("*.ttl")) if p.name != "shapes.ttl"]


def _store_dir(path: Path) -> Path:
    """Where the on-disk Oxigraph store of a generated file lives (beside the file)."""
    return path.with_suffix(".oxigraph")


def _load(backend: str, path: Path) -> tuple[Any, int]:
    """The synthetic graph (and the ontology, for rdfs:subClassOf) in a KnowledgeGraph.

    Loaded as a user loads files, through ``KnowledgeGraph.from_files`` (NFC text, errors
    with their line, ill-typed literals refused), each file in a named graph of its own.
    ``oxigraph-disk`` loads into a fresh on-disk store beside the file (the store the work
    child then opens read-only). Two references load with pyoxigraph alone and check
    nothing: ``ox-parse`` parses the file and stores nothing; ``ox-load`` parses it into an
    in-memory ``pyoxigraph.Store`` (``Store.load``), the work kg's loading does beside its
    checks: the floor's reference (the issue's own figure for it, 655 MB, is a filled store).
    """
    from kg.graph import KnowledgeGraph

    if backend in ("ox-parse", "ox-load"):
        import pyoxigraph as ox

        if backend == "ox-parse":
            n = sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
            return None, n
        store = ox.Store()
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(DATA_GRAPH))
        return None, len(store)
    store_or_kind: Any = backend
    if backend == "oxigraph-disk":
        from kg.stores.oxigraph import OxigraphStore

        shutil.rmtree(_store_dir(path), ignore_errors=True)
        store_or_kind = OxigraphStore(_store_dir(path))
    kg = KnowledgeGraph.from_files([path, *_ontology_files()], store=store_or_kind)
    return kg, len(kg)


def _child_load(backend: str, path: Path) -> dict[str, Any]:
    import kg  # noqa: F401  (imports counted in the baseline, not in the load)

    if backend != "memory":
        import pyoxigraph  # noqa: F401
    base = _current_rss_kb()
    start = time.perf_counter()
    graph, n = _load(backend, path)
    seconds = time.perf_counter() - start
    peak = _rss_kb()
    if backend == "oxigraph-disk":  # the store the work child opens: completed as a build is
        _complete(graph)
    return {"seconds": seconds, "triples": n, "base_kb": base, "peak_kb": peak}


def _complete(graph: Any) -> None:
    """What ``kg build`` states last, for the catalog (the most specific types, the search
    keys: :func:`kg.build.complete`), stated after the load is timed: the synthetic file is
    data as a user brings it, the queries are timed on the graph as a build leaves it."""
    from kg.build import complete

    complete(graph, ROOT)
    graph.close()


class _Timeout(Exception):
    pass


def _alarm(_sig: int, _frame: Any) -> None:
    raise _Timeout


def _ubnd01(graph: Any) -> str:
    """The People's Committee of province 01 in the synthetic graph (its IRI depends on the
    generated name)."""
    from kg.sparql import parse_query

    text = (
        "SELECT ?a WHERE { ?a cchc:governs <https://w3id.org/cchc/id/unit/01> ; "
        "a cchc:PeoplesCommittee }"
    )
    for row in graph.store.query(text, parse_query(text), {}):
        return str(row[0])
    return "https://w3id.org/cchc/id/agency/none"


def _time_query(
    graph: Any, stored: Any, params: dict[str, object], repeat: int, timeout: int
) -> dict[str, Any]:
    """Median seconds of one stored query (``inf`` past the time limit) and its row count.

    Timed as a user of the library waits for it: ``kg.query.run``, its answer read into
    rows of rdflib terms. The text was parsed before (rdflib's parse is kept per process and
    reported on its own row), so what is timed is the safety check, the engine and the rows.
    """
    from kg.query import run

    times: list[float] = []
    rows = None
    for _ in range(repeat):
        signal.alarm(timeout)
        start = time.perf_counter()
        try:
            rows = len(run(graph, stored, params))
        except _Timeout:
            return {"seconds": float("inf"), "rows": None}
        except Exception as exc:  # a query the backend cannot run: say so in the table
            return {"error": f"{type(exc).__name__}: {exc}"[:200]}
        finally:
            signal.alarm(0)
        times.append(time.perf_counter() - start)
    return {"seconds": statistics.median(times), "rows": rows}


def _query_in_child(
    path: Path, name: str, ubnd01: str, repeat: int, timeout: int
) -> dict[str, Any]:
    argv = ["--child", "query", "--backend", "oxigraph-disk", "--file", str(path)]
    argv += ["--name", name, "--agency", ubnd01, "--repeat", str(repeat)]
    try:
        return _spawn(*argv, timeout=timeout * repeat + 30)
    except subprocess.TimeoutExpired:
        return {"seconds": float("inf"), "rows": None}


def _child_query(path: Path, name: str, ubnd01: str, repeat: int) -> dict[str, Any]:
    """One stored query on the on-disk store, opened read-only."""
    from kg.graph import KnowledgeGraph
    from kg.query import default_catalog
    from kg.sparql import parse_query

    graph = KnowledgeGraph.open(path=_store_dir(path))
    stored = next(q for q in default_catalog(ROOT) if q.name == name)
    params: dict[str, object] = {p.name: p.example for p in stored.parameters if p.default is None}
    for key, value in SYNTHETIC_PARAMS.get(name, {}).items():
        params[key] = ubnd01 if value == "?ubnd01" else value
    parse_query(stored.text, source=name)  # kept by kg, as in the parent: not timed
    entry = _time_query(graph, stored, params, repeat, 10**6)
    return {**entry, "peak_kb": _rss_kb()}


def _child_work(
    backend: str,
    path: Path,
    repeat: int,
    pyshacl: bool,
    *,
    catalog_only: bool = False,
    timeout: int = QUERY_TIMEOUT,
) -> dict[str, Any]:
    """Catalog queries, validation and export on one loaded graph."""
    from rdflib import Graph

    import kg
    from kg.export import serialize
    from kg.graph import KnowledgeGraph
    from kg.query import default_catalog
    from kg.sparql import parse_query

    if backend == "oxigraph-disk":  # the store the load child left, opened as a user would
        graph = KnowledgeGraph.open(path=_store_dir(path))
        n = len(graph)
    else:
        graph, n = _load(backend, path)
        from kg.build import complete

        complete(graph, ROOT)
    out: dict[str, Any] = {"triples": n, "queries": {}}
    signal.signal(signal.SIGALRM, _alarm)
    parse_times: list[float] = []
    ubnd01 = _ubnd01(graph)
    peaks: list[int] = []
    for stored in default_catalog(ROOT):
        # parameters without a default take their example (search: "ha noi"); some point
        # into the synthetic graph instead (SYNTHETIC_PARAMS)
        params: dict[str, object] = {
            p.name: p.example for p in stored.parameters if p.default is None
        }
        for name, value in SYNTHETIC_PARAMS.get(stored.name, {}).items():
            params[name] = ubnd01 if value == "?ubnd01" else value
        start = time.perf_counter()
        parse_query(stored.text, source=stored.name)  # kept by kg: the timed runs reuse it
        parse_times.append(time.perf_counter() - start)
        if backend == "oxigraph-disk":
            # Oxigraph holds the interpreter while it plans and sorts, so an alarm cannot stop
            # it: each query runs in a child of its own, killed at the time limit
            entry = _query_in_child(path, stored.name, ubnd01, repeat, timeout)
            peaks.append(entry.pop("peak_kb", 0))
        else:
            entry = _time_query(graph, stored, params, repeat, timeout)
        out["queries"][stored.name] = entry
        shown = _fmt_s(entry.get("seconds"), timeout)
        print(f"  {stored.name}: {shown}", file=sys.stderr, flush=True)
    out["query_parse"] = statistics.median(parse_times)
    out["query_timeout"] = timeout
    out["peak_kb"] = max([_rss_kb(), *peaks])
    if catalog_only:
        return out
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    fast: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        if backend == "oxigraph":
            from kg.shacl import validate_store

            report = validate_store(graph.store.oxigraph(), shapes, union=True)
        else:
            report = kg.validate(graph, shapes, engine="sparql")
        fast.append(time.perf_counter() - start)
    out["validate_sparql"] = {"seconds": statistics.median(fast), "results": len(report.results)}
    if pyshacl:
        start = time.perf_counter()
        data = graph.data_graph() if backend == "memory" else _as_rdflib(graph)
        slow = kg.validate(data, shapes, engine="pyshacl")
        out["validate_pyshacl"] = {
            "seconds": time.perf_counter() - start,
            "results": len(slow.results),
        }
    export: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(serialize(graph, "ttl"))
        export.append(time.perf_counter() - start)
    out["export_turtle"] = {"seconds": statistics.median(export), "bytes": size}
    return out


def _as_rdflib(graph: Any) -> Any:
    from rdflib import Graph

    data = Graph()
    for name in graph.graph_names():
        for triple in graph.triples(name):
            data.add(triple)
    return data


def _child(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if args.child == "load":
        result = _child_load(args.backend, path)
    elif args.child == "query":
        result = _child_query(path, args.name, args.agency, args.repeat)
    else:
        result = _child_work(
            args.backend,
            path,
            args.repeat,
            args.pyshacl,
            catalog_only=args.catalog_only,
            timeout=args.query_timeout,
        )
    print(json.dumps(result))
    return 0


# ── the parent: generate, spawn, collect, report ────────────────────────────────────────────


def _spawn(*argv: str, timeout: float | None = None) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.run", *argv]
    # the child's progress (stderr) goes to ours; its figures (stdout, one JSON line) to us
    proc = subprocess.run(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=None, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        return {"error": f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _turtle(nt: Path, ttl: Path) -> None:
    """The generated N-Triples as Turtle (prefixes, subjects grouped), written by Oxigraph."""
    import pyoxigraph as ox

    prefixes = {
        "id": "https://w3id.org/cchc/id/",
        "cchc": "https://w3id.org/cchc/ontology#",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "org": "http://www.w3.org/ns/org#",
        "schema": "https://schema.org/",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "time": "http://www.w3.org/2006/time#",
        "qb": "http://purl.org/linked-data/cube#",
    }
    triples = ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    with ttl.open("wb") as out:
        ox.serialize(triples, out, format=ox.RdfFormat.TURTLE, prefixes=prefixes)


#: The loads kg's are measured against: pyoxigraph alone (see :func:`_load`).
_REFERENCES = ("ox-parse", "ox-load")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def measure(
    sizes: list[int],
    backends: list[str],
    *,
    repeat: int,
    workdir: Path,
    build: bool,
    disk_sizes: list[int] = [],  # noqa: B006 (never mutated)
    pyshacl_limit: int = 100_000,
    query_timeout: int = QUERY_TIMEOUT,
    disk_query_timeout: int = DISK_QUERY_TIMEOUT,
    say: Any = print,
) -> dict[str, Any]:
    """Run every measurement; returns the figures by size and backend.

    ``disk_sizes`` run on the on-disk Oxigraph store only (load and catalog, one load: the
    sizes no in-memory store is meant for).
    """
    from benchmarks.generate import generate

    figures: dict[str, Any] = {"sizes": {}, "build": None}
    plan = [(size, backends, False) for size in sizes]
    plan += [(size, ["oxigraph-disk"], True) for size in disk_sizes]
    for size, size_backends, on_disk in plan:
        say(f"{size}: generating")
        nt, ttl = workdir / f"g{size}.nt", workdir / f"g{size}.ttl"
        with nt.open("w", encoding="utf-8") as out:
            generate(out, size, seed=1, errors=True)
        _turtle(nt, ttl)
        nt.unlink()
        by_backend: dict[str, Any] = {}
        references = _REFERENCES[:1] if on_disk else _REFERENCES  # no 10M in memory
        for backend in [*references, *size_backends]:
            loads_n = 1 if on_disk else repeat
            say(f"{size}: load {backend} x{loads_n}")
            loads = [
                _spawn("--child", "load", "--backend", backend, "--file", str(ttl))
                for _ in range(loads_n)
            ]
            good = [x for x in loads if "error" not in x]
            entry: dict[str, Any] = {"load": None}
            if good:
                entry["load"] = {
                    "seconds": _median([x["seconds"] for x in good]),
                    "triples": good[0]["triples"],
                    "peak_mb": _median([x["peak_kb"] for x in good]) / 1024,
                    "bytes_per_triple": _median(
                        [(x["peak_kb"] - x["base_kb"]) * 1024 / max(1, x["triples"]) for x in good]
                    ),
                }
            else:
                entry["error"] = loads[0].get("error")
            if backend not in _REFERENCES and good:
                # one run where one takes minutes: rdflib at 1M, the on-disk store at 10M
                reps = 1 if on_disk or (backend == "memory" and size > 100_000) else repeat
                say(f"{size}: queries, validation, export on {backend} x{reps}")
                args = ["--child", "work", "--backend", backend, "--file", str(ttl)]
                limit = disk_query_timeout if on_disk else query_timeout
                args += ["--repeat", str(reps), "--query-timeout", str(limit)]
                if backend == "memory" and size <= pyshacl_limit:
                    args.append("--pyshacl")
                if on_disk or (backend == "memory" and size > pyshacl_limit):
                    # rdflib's engine validating a million triples takes tens of minutes
                    args.append("--catalog-only")
                entry["work"] = _spawn(*args)
            by_backend[backend] = entry
        figures["sizes"][str(size) + ("-disk" if on_disk else "")] = by_backend
        shutil.rmtree(_store_dir(ttl), ignore_errors=True)
        ttl.unlink()
    if build:
        kg_cmd = shutil.which("kg", path=str(Path(sys.executable).parent)) or "kg"
        times = []
        for _ in range(repeat):
            say("kg build of the real graph")
            out = workdir / "cchc.trig"
            start = time.perf_counter()
            proc = subprocess.run(
                [kg_cmd, "build", "-q", "-o", str(out)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            times.append(time.perf_counter() - start)
            figures["build_exit"] = proc.returncode
            if proc.returncode not in (0, 1):
                figures["build_error"] = proc.stderr.strip()[-300:]
                break
        figures["build"] = _median(times)
    return figures


def _fmt_s(seconds: float | None, limit: int = QUERY_TIMEOUT) -> str:
    """Seconds for people; ``inf`` (stopped at the time limit) as "> limit"."""
    if seconds is None or seconds != seconds:
        return "–"
    if seconds == float("inf"):
        return f"> {limit} s"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def _label(size: int) -> str:
    return (
        f"{size // 1_000_000}M"
        if size >= 1_000_000 and size % 1_000_000 == 0
        else f"{size // 1000}k"
    )


def machine() -> dict[str, str]:
    """The machine and library versions the figures come from."""
    from importlib.metadata import version

    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    libs = ", ".join(f"{name} {version(name)}" for name in ("rdflib", "pyshacl", "pyoxigraph"))
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?"
            )
    except OSError:
        pass
    return {
        "cpus": str(os.cpu_count()),
        "model": model,
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "memory": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "libraries": libs,
    }


def table(figures: dict[str, Any]) -> str:
    """The figures as Markdown tables."""
    lines: list[str] = []
    for size_text, backends in figures["sizes"].items():
        size = int(size_text.removesuffix("-disk"))
        where = ", on-disk Oxigraph store" if size_text.endswith("-disk") else ""
        lines += [f"### {_label(size)} triples{where}", ""]
        lines += ["| measure | " + " | ".join(backends) + " |", "|---" * (len(backends) + 1) + "|"]
        ref = backends.get("memory", {})

        def row(
            name: str,
            get: Any,
            ratio: bool = False,
            backends: dict[str, Any] = backends,
            ref: dict[str, Any] = ref,
            lines: list[str] = lines,
        ) -> None:
            cells = []
            for b in backends.values():
                value = get(b)
                cell = value if isinstance(value, str) else _fmt_s(value)
                base = get(ref) if ref else None
                if (
                    ratio
                    and isinstance(value, float)
                    and isinstance(base, float)
                    and 0 < value < float("inf")
                    and b is not ref
                ):
                    if base == float("inf"):  # the reference timed out: a lower bound
                        cell += f" (≥ ×{_timeout(ref) / value:.0f})"
                    else:
                        cell += f" (×{base / value:.1f})"
                if value == float("inf"):
                    cell = f"> {_timeout(b)} s"
                cells.append(cell)
            lines.append(f"| {name} | " + " | ".join(cells) + " |")

        def load(b: dict[str, Any], key: str) -> Any:
            return (b.get("load") or {}).get(key)

        row("load (parse Turtle)", lambda b: load(b, "seconds"), ratio=True)
        row(
            "triples per second",
            lambda b: (
                f"{load(b, 'triples') / load(b, 'seconds'):,.0f}" if load(b, "seconds") else "–"
            ),
        )
        row("peak RSS", lambda b: f"{load(b, 'peak_mb'):,.0f} MB" if load(b, "peak_mb") else "–")
        row(
            "bytes per triple",
            lambda b: f"{load(b, 'bytes_per_triple'):,.0f}" if load(b, "bytes_per_triple") else "–",
        )
        names = sorted(
            {q for b in backends.values() for q in (b.get("work") or {}).get("queries", {})}
        )
        for q in names:
            row(f"query `{q}`", lambda b, q=q: _query(b, q), ratio=True)
        row("whole catalog (a timeout counts as its limit)", lambda b: _catalog(b), ratio=True)
        row(
            "queries over 200 ms",
            lambda b: (
                str(
                    sum(
                        1
                        for q in (b.get("work") or {}).get("queries", {}).values()
                        if q.get("seconds", 0) > 0.2
                    )
                )
                if (b.get("work") or {}).get("queries")
                else "–"
            ),
        )
        row(
            "peak RSS, catalog",
            lambda b: (
                f"{(b.get('work') or {}).get('peak_kb', 0) / 1024:,.0f} MB"
                if (b.get("work") or {}).get("peak_kb")
                else "–"
            ),
        )
        row(
            "rdflib parse of a query (kg.query.run, median)",
            lambda b: (b.get("work") or {}).get("query_parse") or "–",
        )
        row(
            "SHACL, SPARQL engine",
            lambda b: (b.get("work") or {}).get("validate_sparql", {}).get("seconds"),
            ratio=True,
        )
        row(
            "SHACL, pySHACL",
            lambda b: (b.get("work") or {}).get("validate_pyshacl", {}).get("seconds") or "–",
        )
        row("SHACL results (SPARQL / pySHACL)", lambda b: _results(b))
        row(
            "Turtle export",
            lambda b: (b.get("work") or {}).get("export_turtle", {}).get("seconds"),
            ratio=True,
        )
        lines.append("")
    if figures.get("build") is not None:
        lines.append(
            f"`kg build` of the real graph, end to end (default backend, validation "
            f"included): {_fmt_s(figures['build'])} (exit {figures.get('build_exit')})."
        )
        lines.append("")
    return "\n".join(lines)


def floors(figures: dict[str, Any]) -> str:
    """Issue 4's floors beside what this run measured, as a Markdown table."""
    rows: list[tuple[str, str, bool | None]] = []

    def mark(ok: bool | None) -> str:
        return {True: "yes", False: "**no**", None: "not measured"}[ok]

    build = figures.get("build")
    rows.append(
        (
            "`kg build` of the national graph, end to end, < 15 s",
            _fmt_s(build) if build is not None else "–",
            None if build is None else build < 15,
        )
    )
    million = figures["sizes"].get(str(1_000_000), {})
    ox, ref, mem = (million.get(k) or {} for k in ("oxigraph", "ox-load", "memory"))
    load = (ox.get("load") or {}).get("seconds")
    base = (ref.get("load") or {}).get("seconds")
    rows.append(
        (
            "1M: load within 1.5× of pyoxigraph's own `Store.load` of the file",
            f"{_fmt_s(load)} against {_fmt_s(base)}: ×{load / base:.2f}" if load and base else "–",
            None if not (load and base) else load <= 1.5 * base,
        )
    )
    peak = (ox.get("load") or {}).get("peak_mb")
    rows.append(
        (
            "1M: peak memory of the load < 1 GB",
            f"{peak:,.0f} MB" if peak else "–",
            None if not peak else peak < 1024,
        )
    )
    queries = (ox.get("work") or {}).get("queries", {})
    slow = sorted(
        ((q.get("seconds", float("inf")), name) for name, q in queries.items()),
        reverse=True,
    )
    limit = _timeout(ox)
    over = [
        f"`{name}` {_fmt_s(t, limit)}" + _rows(queries[name]) for t, name in slow if not t <= 0.2
    ]
    worst = f"slowest `{slow[0][1]}` {_fmt_s(slow[0][0], limit)}" if slow else ""
    rows.append(
        (
            "1M: every catalog query, median < 200 ms (Oxigraph in memory)",
            (
                f"{len(queries) - len(over)} of {len(queries)} under; "
                + ("over: " + ", ".join(over) if over else worst)
            )
            if queries
            else "–",
            None if not queries else not over,
        )
    )
    fast, reference = _catalog(ox), _catalog(mem)
    if isinstance(fast, float) and isinstance(reference, float) and fast > 0:
        capped = any(
            q.get("seconds") == float("inf")
            for q in (mem.get("work") or {}).get("queries", {}).values()
        )
        rows.append(
            (
                "1M: whole catalog ≥ 10× faster than rdflib's memory store",
                f"{_fmt_s(fast)} against {_fmt_s(reference)}{' or more' if capped else ''}: "
                f"×{reference / fast:.1f}{' at least' if capped else ''}",
                reference / fast >= 10 if (not capped or reference / fast >= 10) else None,
            )
        )
    else:
        rows.append(("1M: whole catalog ≥ 10× faster than rdflib's memory store", "–", None))
    work = ox.get("work") or {}
    shacl = work.get("validate_sparql", {}).get("seconds")
    rows.append(
        (
            "1M: SHACL validation with the project's shapes < 60 s",
            _fmt_s(shacl) if shacl is not None else "–",
            None if shacl is None else shacl < 60,
        )
    )
    export = work.get("export_turtle", {}).get("seconds")
    rows.append(
        (
            "1M: Turtle export, deterministic, < 10 s",
            _fmt_s(export) if export is not None else "–",
            None if export is None else export < 10,
        )
    )
    for size_text, backends in figures["sizes"].items():
        if not size_text.endswith("-disk"):
            continue
        disk = backends.get("oxigraph-disk") or {}
        answered = (disk.get("work") or {}).get("queries", {})
        done = [q for q in answered.values() if 0 <= q.get("seconds", -1) < float("inf")]
        peak = max(
            [(disk.get("load") or {}).get("peak_mb") or 0]
            + [q.get("peak_kb", 0) / 1024 for q in answered.values()]
        )
        label = _label(int(size_text.removesuffix("-disk")))
        rows.append(
            (
                f"{label}: load and answer the whole catalog on the on-disk store, without "
                "running out of memory",
                f"loaded in {_fmt_s((disk.get('load') or {}).get('seconds'))}; "
                f"{len(done)} of {len(answered)} queries answered; peak RSS {peak:,.0f} MB",
                None if not answered else len(done) == len(answered),
            )
        )
    lines = ["| floor | measured | met |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {mark(ok)} |" for name, value, ok in rows]
    return "\n".join(lines) + "\n"


def _rows(entry: dict[str, Any]) -> str:
    """How big the answer was that took the time, as " (57,441 rows)"."""
    rows = entry.get("rows")
    return f" ({rows:,} rows)" if isinstance(rows, int) else ""


def _query(b: dict[str, Any], name: str) -> Any:
    q = (b.get("work") or {}).get("queries", {}).get(name)
    if q is None:
        return "–"
    if "error" in q:
        return "error"
    return q["seconds"]


def _catalog(b: dict[str, Any]) -> Any:
    qs = (b.get("work") or {}).get("queries", {})
    if not qs:
        return "–"
    if any("error" in q for q in qs.values()):
        return "–"
    seconds = [min(q["seconds"], _timeout(b)) for q in qs.values()]
    return float(sum(seconds))


def _timeout(b: dict[str, Any]) -> int:
    return int((b.get("work") or {}).get("query_timeout", QUERY_TIMEOUT))


def _results(b: dict[str, Any]) -> str:
    w = b.get("work") or {}
    fast = w.get("validate_sparql", {}).get("results")
    slow = w.get("validate_pyshacl", {}).get("results")
    if fast is None:
        return "–"
    return f"{fast} / {slow}" if slow is not None else str(fast)


BEGIN, END = "<!-- benchmarks/run.py: begin -->", "<!-- benchmarks/run.py: end -->"


def write_docs(path: Path, figures: dict[str, Any], command: str) -> None:
    """Write the run's figures into ``path`` between the BEGIN and END markers.

    What the page says around them (how to read the figures, what was rewritten and why) is
    written by people and kept; a page without the markers is started afresh.
    """
    info = machine()
    block = "\n".join(
        [
            BEGIN,
            "",
            "Regenerate with:",
            "",
            f"    {command}",
            "",
            "Machine: " + f"{info['cpus']} CPUs ({info['model']}), {info['memory']} memory, "
            f"Python {info['python']}, load average {info['load']} when the run ended, "
            f"{info['platform']}; {info['libraries']}.",
            "",
            "### Floors (issue 4)",
            "",
            floors(figures),
            table(figures),
            END,
        ]
    )
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in old and END in old:
        head, _, rest = old.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + block + tail
    else:
        text = "# Benchmarks\n\n" + block + "\n"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,1M")
    parser.add_argument("--backends", default="memory,oxigraph")
    parser.add_argument(
        "--disk-sizes", default="", help="sizes run on the on-disk Oxigraph store only (10M)"
    )
    parser.add_argument("--query-timeout", type=int, default=QUERY_TIMEOUT, help="seconds")
    parser.add_argument(
        "--disk-query-timeout",
        type=int,
        default=DISK_QUERY_TIMEOUT,
        help="seconds, for the --disk-sizes (the floor: answer the whole catalog)",
    )
    parser.add_argument(
        "--catalog-only", action="store_true", help="load and catalog, no SHACL or export"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-build", action="store_true", help="skip kg build of the real graph")
    parser.add_argument("--quick", action="store_true", help="one run, 2k triples, no kg build")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    # a child process: one measurement
    parser.add_argument("--child", choices=["load", "work", "query"], help=argparse.SUPPRESS)
    parser.add_argument("--name", help=argparse.SUPPRESS)
    parser.add_argument("--agency", help=argparse.SUPPRESS)
    parser.add_argument("--backend", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--pyshacl", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args)
    from benchmarks.generate import parse_size

    sizes = [2000] if args.quick else [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    repeat = 1 if args.quick else args.repeat
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    with tempfile.TemporaryDirectory(prefix="cchc-bench-") as tmp:
        figures = measure(
            sizes,
            backends,
            repeat=repeat,
            workdir=Path(tmp),
            build=not (args.no_build or args.quick),
            disk_sizes=[parse_size(s) for s in args.disk_sizes.split(",") if s.strip()],
            query_timeout=args.query_timeout,
            disk_query_timeout=args.disk_query_timeout,
            say=lambda m: print(m, file=sys.stderr, flush=True),
        )
    print(floors(figures))
    print(table(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    command = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])
    write_docs(args.docs, figures, command.strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
