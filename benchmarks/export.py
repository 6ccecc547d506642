"""Time ``kg export`` on a synthetic graph: each format, the hand-written writer beside pyoxigraph.

Issue #13 asked whether :mod:`kg.export`, which writes its six formats by hand, should sort the
statements and hand them to pyoxigraph's writers instead. Two writers are measured per format,
on the same graph:

- ``hand-written``: :func:`kg.export.serialize`, what ``kg export`` writes;
- ``pyoxigraph``: the export's own N-Quads (sorted, blank nodes with their canonical labels;
  N-Triples for the formats that merge the named graphs) read by ``pyoxigraph.parse`` and
  written by ``pyoxigraph.serialize`` with the contract's prefixes; the Turtle and TriG prefix
  lines then replaced by the contract's, in its order, and RDF/XML given the checks pyoxigraph
  0.5 lacks (see below). This is the cheapest deterministic way to hand sorted quads to
  pyoxigraph: the order is that of the N-Quads lines, so the statements cross into pyoxigraph
  once, parsed in Rust. (Handing it the export's own order, ``rdf:type`` first, means making
  one ``pyoxigraph.Triple`` per statement in Python: a prototype of that was some 10 % slower
  in Turtle and TriG than the hand-written writer.)

Each run is a process of its own (with its own ``PYTHONHASHSEED``), so each figure is that run's
alone: the wall-clock and CPU seconds of the call, the peak RSS during it and how far above the
loaded graph, the size, the longest line, and the SHA-256 of the bytes. Every run of a writer and
format on a store must give the same bytes. Medians are printed.

The graph is :mod:`benchmarks.generate`'s (seed 1, mistakes planted) with every file of
``ontology/``, the shapes among them (blank nodes, lists), loaded as ``kg`` loads files, each in
a named graph of its own, by default on Oxigraph in memory.

    python -m benchmarks.export --size 1M [--backends oxigraph,memory] [--repeat 3]

The machine's load average is printed before and after: on a shared machine the wall-clock
figures stretch with it, the CPU seconds much less.

What pyoxigraph 0.5.13 writes differently, found with this script and the tests of
``tests/test_export.py`` run against it: Turtle and TriG without ``[ ... ]`` or ``( ... )`` (every
blank node by its label, after all the named subjects), without wrapping long lists of objects
and without a blank line between subjects; JSON-LD neither compacted nor indented (one line of
full IRIs); RDF/XML not well-formed when an ``rdf:type`` or a predicate IRI does not end in an
XML name (``<oxprefix: ...>``), or when a literal holds a control character, and a carriage
return written as is (read back as a line feed).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WRITERS = ("hand-written", "pyoxigraph")
FORMATS = ("ttl", "trig", "nt", "nq", "jsonld", "xml")
_XML_INVALID = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


# ── the pyoxigraph writer ────────────────────────────────────────────────────────────────────


def pyoxigraph_serialize(graph: Any, label: str) -> bytes:
    """The export's sorted statements written by pyoxigraph (see the module docstring)."""
    import pyoxigraph as ox

    from kg.errors import KgUsageError
    from kg.export import serialize
    from kg.io import Format
    from kg.namespaces import PREFIXES

    fmt = Format.from_label(label)
    formats = {
        Format.TURTLE: ox.RdfFormat.TURTLE,
        Format.TRIG: ox.RdfFormat.TRIG,
        Format.NTRIPLES: ox.RdfFormat.N_TRIPLES,
        Format.NQUADS: ox.RdfFormat.N_QUADS,
        Format.JSONLD: ox.RdfFormat.JSON_LD,
        Format.RDFXML: ox.RdfFormat.RDF_XML,
    }
    sorted_lines = serialize(graph, Format.NQUADS if fmt.quads else Format.NTRIPLES)
    collecting = gc.isenabled()
    gc.disable()  # as kg.export.serialize does: a million new objects
    try:
        source = ox.RdfFormat.N_QUADS if fmt.quads else ox.RdfFormat.N_TRIPLES
        statements = ox.parse(sorted_lines, format=source)
        del sorted_lines
        out = ox.serialize(statements, format=formats[fmt], prefixes=dict(PREFIXES))
    finally:
        if collecting:
            gc.enable()
    if fmt in (Format.TURTLE, Format.TRIG):
        # pyoxigraph declares the prefixes longest namespace first: put the contract's order back
        head = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items()) + "\n"
        cut = 0
        for _ in PREFIXES if out else ():
            cut = out.index(b"\n", cut) + 1
        out = head.encode() + out[cut:]
    elif fmt is Format.RDFXML:
        # what pyoxigraph 0.5 writes as is and XML cannot carry (a predicate or class IRI that
        # no XML name ends is not checked here: it would have to be, before the call)
        if _XML_INVALID.search(out):
            raise KgUsageError("a literal holds a control character that XML cannot carry")
        out = out.replace(b"\r", b"&#13;") + b"\n"
    return out


# ── one measurement, in a child process ──────────────────────────────────────────────────────


def _status(field: str) -> int:
    """A field of /proc/self/status, in kB (VmRSS: now; VmHWM: the peak)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    """Start VmHWM again from the present RSS (Linux 4.0 and later)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def graph_files(path: Path) -> list[Path]:
    """The synthetic graph and every file of ontology/ (the shapes hold the blank nodes)."""
    return [path, *sorted((ROOT / "ontology").glob("*.ttl"))]


def _child(writer: str, label: str, backend: str, path: Path) -> dict[str, Any]:
    from kg.export import serialize
    from kg.graph import KnowledgeGraph

    graph = KnowledgeGraph.from_files(graph_files(path), store=backend)
    write = serialize if writer == "hand-written" else pyoxigraph_serialize
    gc.collect()
    base = _status("VmRSS")
    reset = _reset_peak()
    cpu, start = time.process_time(), time.perf_counter()
    data = write(graph, label)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _status("VmHWM")
    return {
        "writer": writer,
        "format": label,
        "backend": backend,
        "triples": len(graph),
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": peak / 1024 if reset else None,
        "above_mb": (peak - base) / 1024 if reset else None,
        "bytes": len(data),
        "lines": data.count(b"\n"),
        "longest_line": max(map(len, data.split(b"\n"))),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


# ── the parent: generate, spawn, report ──────────────────────────────────────────────────────


def _spawn(seed: int, *argv: str) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.export", *argv]
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def generate_file(size: int, folder: Path) -> Path:
    """The synthetic graph of ``size`` triples as Turtle in ``folder`` (kept there if it is)."""
    import pyoxigraph as ox

    from benchmarks.generate import generate

    ttl = folder / f"g{size}.ttl"
    if ttl.exists():
        return ttl
    nt = folder / f"g{size}.nt"
    with nt.open("w", encoding="utf-8") as out:
        generate(out, size, seed=1, errors=True)
    # Turtle, as benchmarks/run.py loads it: any writer will do, the order does not matter
    triples = ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    prefixes = {"id": "https://w3id.org/cchc/id/", "cchc": "https://w3id.org/cchc/ontology#"}
    with ttl.open("wb") as out:
        ox.serialize(triples, out, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    nt.unlink()
    return ttl


def measure(
    path: Path, formats: list[str], backends: list[str], repeat: int, say: Any = print
) -> list[dict[str, Any]]:
    """Every writer, format and backend, ``repeat`` times, the writers taking turns."""
    runs = []
    seed = 0
    for label in formats:
        for r in range(repeat):
            for backend in backends:
                for writer in WRITERS:
                    seed += 1
                    say(f"{label} {writer} on {backend}, run {r + 1} of {repeat}")
                    args = ["--child", writer, "--format", label, "--backend", backend]
                    result = _spawn(seed, *args, "--file", str(path))
                    runs.append({"writer": writer, "format": label, "backend": backend, **result})
    return runs


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def table(runs: list[dict[str, Any]], formats: list[str], backends: list[str]) -> str:
    """Medians per format and writer, with the pyoxigraph writer's ratio to the hand-written."""
    head = (
        "| format | store | writer | wall s | CPU s | peak MB (above graph) | MB out | lines | "
        "longest line | same bytes every run |\n"
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n"
    )
    rows = []
    for label in formats:
        for backend in backends:
            medians: dict[str, dict[str, float | None]] = {}
            for writer in WRITERS:
                key = (writer, label, backend)
                here = [r for r in runs if (r["writer"], r["format"], r["backend"]) == key]
                good = [r for r in here if "error" not in r]
                if not good:
                    error = here[0].get("error", "no run") if here else "no run"
                    rows.append(f"| {label} | {backend} | {writer} | {error} |||||||")
                    continue
                m = {k: _median(good, k) for k in ("seconds", "cpu", "peak_mb", "above_mb")}
                medians[writer] = m
                same = len({r["sha256"] for r in good}) == 1
                ratio = ""
                hand = medians.get("hand-written")
                if writer != "hand-written" and hand and hand["seconds"] and hand["cpu"]:
                    ratio = " (×{:.2f})".format(m["seconds"] / hand["seconds"])  # type: ignore[operator]
                    cpu_ratio = " (×{:.2f})".format(m["cpu"] / hand["cpu"])  # type: ignore[operator]
                else:
                    cpu_ratio = ""
                peak = (
                    f"{m['peak_mb']:.0f} ({m['above_mb']:.0f})"
                    if m["peak_mb"] is not None and m["above_mb"] is not None
                    else "–"
                )
                first = good[0]
                rows.append(
                    f"| {label} | {backend} | {writer} | {m['seconds']:.2f}{ratio} | "
                    f"{m['cpu']:.2f}{cpu_ratio} | {peak} | {first['bytes'] / 1e6:.1f} | "
                    f"{first['lines']:,} | {first['longest_line']:,} | "
                    f"{'yes' if same else 'NO'} ({len(good)} runs) |"
                )
    return head + "\n".join(rows) + "\n"


def _load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1M", help="triples of the synthetic graph (100k, 1M)")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--backends", default="oxigraph", help="oxigraph, memory or both")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--workdir", type=Path, help="keep the generated graph here, to use it again next time"
    )
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    # a child process: one measurement
    parser.add_argument("--child", choices=WRITERS, help=argparse.SUPPRESS)
    parser.add_argument("--format", help=argparse.SUPPRESS)
    parser.add_argument("--backend", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, args.format, args.backend, args.file)))
        return 0
    from benchmarks.generate import parse_size

    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    print(f"load average before: {_load_average()}")
    with tempfile.TemporaryDirectory(prefix="cchc-export-") as tmp:
        folder = args.workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        say(f"generating {args.size} triples")
        path = generate_file(parse_size(args.size), folder)
        runs = measure(path, formats, backends, args.repeat, say)
    print(f"load average after: {_load_average()}")
    triples = next((r["triples"] for r in runs if "triples" in r), 0)
    print(f"\n{triples:,} triples ({args.size} synthetic and ontology/), median of {args.repeat}\n")
    print(table(runs, formats, backends))
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
