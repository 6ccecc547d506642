"""SHACL validation timed: the SPARQL engine (:mod:`kg.shacl`) against pySHACL, on two shapes files.

For each size of synthetic graph (``benchmarks/generate.py``, mistakes planted) and each shapes
file, the project's ``ontology/shapes.ttl`` and ``benchmarks/shapes/every-component.ttl`` (a file
of its own that uses every constraint component of SHACL Core and SHACL-SPARQL), in a fresh
process each, so that peak memory belongs to that measurement alone:

- the SPARQL engine validates the graph held by an in-memory Oxigraph store (data and ontology,
  loaded first and timed apart), as ``kg validate`` does a built graph: wall time, CPU time (the
  queries run in threads: on a busy machine the CPU time is the steadier figure), peak RSS, the
  number of results, and the time of each constraint;
- pySHACL validates the same triples in rdflib (parsed first, not timed), up to a time limit
  counted from the end of the parse, after which it is stopped and the figure is the limit, a
  lower bound;
- where both finished, their results are compared: focus node, path, constraint component,
  value, shape and severity, as multisets.

It prints a table, then where the time goes at 1M (by constraint component, by shape, the
slowest constraints), from a second run of the SPARQL engine in which each constraint has a
query of its own (run together, the constraints of a node shape share one). It is not a test;
``--quick`` runs a small graph for a smoke test.

    python -m benchmarks.shacl                          # 100k, 1M, 10M; pySHACL to 1M, 600 s
    python -m benchmarks.shacl --sizes 100k,1M --pyshacl-limit 1200 --json figures.json
    python -m benchmarks.shacl --quick
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHAPES = {
    "project": ROOT / "ontology" / "shapes.ttl",
    "every-component": ROOT / "benchmarks" / "shapes" / "every-component.ttl",
}
DEFAULT_SIZES = "100k,1M,10M"
#: pySHACL runs at these sizes and below; above, only the SPARQL engine.
PYSHACL_UP_TO = 1_000_000
PYSHACL_LIMIT = 600  # seconds
#: At these sizes and below, the SPARQL engine runs a second time, each constraint alone, to
#: say which constraints the time goes to (run together, a node shape's share one query).
PROFILE_UP_TO = 1_000_000
SEED = 1


def _ontology_files() -> list[Path]:
    return [p for p in sorted((ROOT / "ontology").glob("*.ttl")) if p.name != "shapes.ttl"]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ── children: one measurement each ──────────────────────────────────────────────────────────


def _value_key(term: Any) -> str:
    """A term as a key that does not depend on how a number is written: Oxigraph keeps
    ``"80.0"^^xsd:decimal`` as ``80``, the same value, where rdflib keeps the text."""
    from rdflib import Literal

    if not isinstance(term, Literal):
        return "" if term is None else term.n3()
    value = term.value
    if isinstance(value, Decimal):
        shown = format(value.normalize(), "f")
    elif value is None or isinstance(value, str):
        shown = str(term)
    else:
        shown = repr(value)
    return f"{shown}|{term.datatype}|{term.language or ''}"


def _keys(results: list[Any], shapes: Any) -> list[str]:
    from kg.report import structure_key

    return sorted(
        "\t".join(
            (
                r.focus_node.n3(),
                structure_key(shapes, r.path),
                str(r.constraint),
                _value_key(r.value),
                structure_key(shapes, r.shape),
                str(r.severity_iri or r.severity.iri),
            )
        )
        for r in results
    )


def _timings(report: Any, shapes: Any) -> list[dict[str, Any]]:
    from kg.report import structure_key

    return [
        {
            "shape": structure_key(shapes, t.shape)[:120],
            "component": str(t.constraint).rsplit("#", 1)[-1].rsplit("/", 1)[-1],
            "seconds": t.seconds,
            "cpu": t.cpu,
            "results": t.results,
            "shared": t.shared,
        }
        for t in report.timings
    ]


def _child_sparql(path: Path, shapes_path: Path, keys: bool, profile: bool) -> dict[str, Any]:
    import pyoxigraph as ox
    from rdflib import Graph

    from kg.shacl import validate_store

    start = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    for p in _ontology_files():
        store.bulk_load(path=str(p), format=ox.RdfFormat.TURTLE)
    load = time.perf_counter() - start
    shapes = Graph().parse(shapes_path)
    start, cpu = time.perf_counter(), time.process_time()
    report = validate_store(store, shapes)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    timings = _timings(report, shapes)
    peak = _peak_mb()
    alone: list[dict[str, Any]] = []
    if profile:  # again, each constraint in a query of its own: the time of each
        alone = _timings(validate_store(store, shapes, grouped=False), shapes)
    out: dict[str, Any] = {
        "triples": len(store),
        "load": load,
        "seconds": seconds,
        "cpu": cpu,
        "results": len(report.results),
        "constraints": len(timings),
        "queries": sum(1 / t["shared"] for t in timings),
        "timings": timings,
        "alone": alone,
        "peak_mb": peak,
    }
    if keys:
        out["keys"] = _keys(report.results, shapes)
    return out


def _child_pyshacl(path: Path, shapes_path: Path, limit: float | None) -> dict[str, Any]:
    """pySHACL's validation of the file, stopped ``limit`` seconds after it began (the parse
    of the file, which comes first, is not counted)."""
    import threading
    import warnings

    from rdflib import Graph

    import kg

    began = time.perf_counter()
    data = Graph()
    data.parse(path, format="nt")
    for p in _ontology_files():
        data.parse(p)
    shapes = Graph().parse(shapes_path)
    parse = time.perf_counter() - began
    timer = None
    if limit:

        def stop() -> None:  # pySHACL cannot be interrupted: the process ends, figures said
            print(json.dumps({"stopped": limit, "parse": parse}), flush=True)
            os._exit(0)

        timer = threading.Timer(limit, stop)
        timer.daemon = True
        timer.start()
    start, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = kg.validate(data, shapes, engine="pyshacl")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if timer is not None:
        timer.cancel()
    return {
        "parse": parse,
        "seconds": seconds,
        "cpu": cpu,
        "results": len(report.results),
        "peak_mb": _peak_mb(),
        "keys": _keys(report.results, shapes),
    }


def _child(args: argparse.Namespace) -> int:
    path, shapes = Path(args.file), Path(args.shapes)
    if args.child == "sparql":
        result = _child_sparql(path, shapes, keys=args.keys, profile=args.profile)
    else:
        result = _child_pyshacl(path, shapes, args.limit)
    print(json.dumps(result))
    return 0


# ── the parent: generate, spawn, compare, report ────────────────────────────────────────────


def _spawn(*argv: str, timeout: float | None = None) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.shacl", *argv]
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=None, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return {"stopped": timeout}
    if proc.returncode != 0:
        return {"error": f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _graph_file(size: int, workdir: Path) -> Path:
    from benchmarks.generate import generate

    path = workdir / f"shacl-{size}-seed{SEED}.nt"
    if not path.exists():
        began = time.perf_counter()
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as out:
            count, planted = generate(out, size, seed=SEED, errors=True)
        partial.rename(path)
        print(
            f"  generated {count:,} triples, {planted:,} mistakes planted "
            f"({time.perf_counter() - began:.0f} s)",
            file=sys.stderr,
        )
    return path


def compare(sparql: list[str], pyshacl: list[str]) -> dict[str, Any]:
    """How two engines' results differ, as multisets of result keys."""
    a, b = Counter(sparql), Counter(pyshacl)
    only_sparql, only_pyshacl = a - b, b - a
    return {
        "same": not only_sparql and not only_pyshacl,
        "only_sparql": sorted(only_sparql.elements())[:10],
        "only_pyshacl": sorted(only_pyshacl.elements())[:10],
        "differences": sum(only_sparql.values()) + sum(only_pyshacl.values()),
    }


def measure(
    sizes: list[int],
    workdir: Path,
    *,
    shapes: dict[str, Path] | None = None,
    pyshacl_up_to: int = PYSHACL_UP_TO,
    pyshacl_limit: float = PYSHACL_LIMIT,
) -> dict[str, Any]:
    """Every measurement, as figures: ``{"sizes": {size: {shapes: {...}}}, "machine": ...}``."""
    workdir.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {"sizes": {}, "pyshacl_limit": pyshacl_limit}
    for size in sizes:
        print(f"{_label(size)}:", file=sys.stderr)
        path = _graph_file(size, workdir)
        by_shapes: dict[str, Any] = {}
        for name, shapes_path in (shapes or SHAPES).items():
            slow = size <= pyshacl_up_to
            print(f"  {name}: SPARQL engine", file=sys.stderr)
            args = _args("sparql", path, shapes_path, slow)
            if size <= PROFILE_UP_TO:
                args.append("--profile")
            entry: dict[str, Any] = {"sparql": _spawn(*args)}
            if slow:
                print(f"  {name}: pySHACL (at most {pyshacl_limit:.0f} s)", file=sys.stderr)
                limit = ["--limit", str(pyshacl_limit)]
                # the limit is the child's, counted from the end of its parse; this one only
                # keeps a child that cannot even parse from running for ever
                entry["pyshacl"] = _spawn(
                    *_args("pyshacl", path, shapes_path, True), *limit, timeout=4 * pyshacl_limit
                )
                fast_keys = entry["sparql"].pop("keys", None)
                slow_keys = entry["pyshacl"].pop("keys", None)
                if fast_keys is not None and slow_keys is not None:
                    entry["compared"] = compare(fast_keys, slow_keys)
            by_shapes[name] = entry
        figures["sizes"][str(size)] = by_shapes
    figures["machine"] = machine()
    return figures


def _args(child: str, path: Path, shapes: Path, keys: bool) -> list[str]:
    args = ["--child", child, "--file", str(path), "--shapes", str(shapes)]
    return [*args, "--keys"] if keys else args


def machine() -> dict[str, str]:
    """The machine and library versions the figures come from, and its load when they end."""
    from importlib.metadata import version

    libs = ", ".join(f"{name} {version(name)}" for name in ("rdflib", "pyshacl", "pyoxigraph"))
    return {
        "cpus": str(os.cpu_count()),
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "libraries": libs,
    }


# ── the report ──────────────────────────────────────────────────────────────────────────────


def _label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1000 and size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def _seconds(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "–"
    if "stopped" in entry:
        return f"> {entry['stopped']:.0f} s (stopped)"
    if "error" in entry:
        return entry["error"]
    return f"{entry['seconds']:.2f} s"


def table(figures: dict[str, Any]) -> str:
    """The figures as a Markdown table, one row per size and shapes file."""
    lines = [
        "| triples | shapes | SPARQL engine | its CPU | peak RSS | results | pySHACL "
        "| results | speed-up | same results |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for size, by_shapes in figures["sizes"].items():
        for name, entry in by_shapes.items():
            fast, slow = entry.get("sparql", {}), entry.get("pyshacl")
            speedup = "–"
            if fast.get("seconds") and slow:
                if "stopped" in slow:
                    speedup = f"> {slow['stopped'] / fast['seconds']:.0f}×"
                elif "seconds" in slow:
                    speedup = f"{slow['seconds'] / fast['seconds']:.0f}×"
            compared = entry.get("compared")
            same = "–" if compared is None else ("yes" if compared["same"] else "**no**")
            if compared and not compared["same"]:
                same += f" ({compared['differences']} differ)"
            lines.append(
                f"| {_label(int(size))} | {name} | {_seconds(fast)} "
                f"| {fast.get('cpu', 0):.2f} s | {fast.get('peak_mb', 0):,.0f} MB "
                f"| {fast.get('results', '–')} | {_seconds(slow)} "
                f"| {(slow or {}).get('results', '–')} | {speedup} | {same} |"
            )
    return "\n".join(lines)


def where_the_time_goes(entry: dict[str, Any], top: int = 10) -> str:
    """Where one SPARQL run's time goes: by constraint component, by shape, the slowest
    constraints; from the profiling run (each constraint alone) when there is one, in CPU
    seconds of the thread that ran each query, which a busy machine does not stretch."""
    timings = entry.get("alone") or entry.get("timings") or []
    if not timings:
        return ""
    alone = bool(entry.get("alone"))
    total = sum(t["cpu"] for t in timings) or 1.0
    by_component: dict[str, float] = defaultdict(float)
    by_shape: dict[str, float] = defaultdict(float)
    for t in timings:
        by_component[t["component"]] += t["cpu"]
        by_shape[t["shape"]] += t["cpu"]
    how = "each alone" if alone else "grouped by node shape, time shared"
    lines = [
        f"{len(timings)} constraints in {entry.get('queries', 0):.0f} queries "
        f"({entry['seconds']:.2f} s wall, {entry['cpu']:.2f} s CPU); profiled {how}: "
        f"{total:.2f} s of query CPU",
        "",
        "by constraint component:",
    ]
    for name, cpu in sorted(by_component.items(), key=lambda x: -x[1])[:top]:
        lines.append(f"  {cpu:7.2f} s  {100 * cpu / total:4.1f} %  {name}")
    lines += ["", "by shape (anonymous shapes by what they say):"]
    for name, cpu in sorted(by_shape.items(), key=lambda x: -x[1])[:top]:
        lines.append(f"  {cpu:7.2f} s  {100 * cpu / total:4.1f} %  {name[:90]}")
    lines += ["", "slowest constraints:"]
    for t in sorted(timings, key=lambda x: -x["cpu"])[:top]:
        lines.append(
            f"  {t['cpu']:7.2f} s  {t['results']:6d} results  {t['component']:38s} "
            f"{t['shape'][:70]}"
        )
    return "\n".join(lines)


def report(figures: dict[str, Any]) -> str:
    """The table and, for the largest size profiled, where the SPARQL engine's time went."""
    out = [table(figures), ""]
    profiled = [
        s for s, e in figures["sizes"].items() if any(x["sparql"].get("alone") for x in e.values())
    ]
    sizes = sorted(profiled or figures["sizes"], key=int)
    if sizes:
        largest = figures["sizes"][sizes[-1]]
        for name, entry in largest.items():
            text = where_the_time_goes(entry.get("sparql", {}))
            if text:
                out += [f"Where the time goes, {_label(int(sizes[-1]))}, {name}:", text, ""]
    m = figures.get("machine", {})
    out.append(
        f"Machine: {m.get('cpus')} CPUs, load {m.get('load')} when the run ended, "
        f"Python {m.get('python')}; {m.get('libraries')}."
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="100k,1M,10M")
    parser.add_argument("--pyshacl-up-to", default=_label(PYSHACL_UP_TO), help="largest size")
    parser.add_argument("--pyshacl-limit", type=float, default=PYSHACL_LIMIT, help="seconds")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/cchc-kg-shacl-bench"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--quick", action="store_true", help="a small graph: a smoke test")
    parser.add_argument("--child", choices=["sparql", "pyshacl"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--shapes", help=argparse.SUPPRESS)
    parser.add_argument("--keys", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args)
    from benchmarks.generate import parse_size

    sizes = [3000] if args.quick else [parse_size(s) for s in args.sizes.split(",") if s]
    figures = measure(
        sizes,
        args.workdir,
        pyshacl_up_to=parse_size(args.pyshacl_up_to),
        pyshacl_limit=60 if args.quick else args.pyshacl_limit,
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(report(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
