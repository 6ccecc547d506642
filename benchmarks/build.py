"""``kg build`` now beside ``kg build`` of an earlier commit: wall time, CPU time, peak memory, and
both per million triples (the graph grows between commits, so the totals alone compare
different work).

Each commit's code builds its own data (the commit's ``ontology/``, ``data/`` and ``queries/``),
from a ``git worktree`` in a temporary folder, run with this checkout's virtual environment
(``PYTHONPATH`` set to the worktree, so the worktree's ``kg`` is imported). The current build
is run with ``--rebuild`` and a temporary cache folder, so it builds and fills the cache as a
first ``kg build`` does; an earlier commit without the cache runs ``kg build -q -o FILE``.

CPU time is user + system of the process and of its children (the forked copy to the cache
counts); peak memory is each build's own (:mod:`benchmarks.child`). The machine's load average
is printed first: other work on a shared machine stretches wall-clock figures, less so CPU time.

    .venv/bin/python -m benchmarks.build                       # against a2d45f9, 3 runs each
    .venv/bin/python -m benchmarks.build --against HEAD~5 --repeat 1 --provinces-only
    .venv/bin/python -m benchmarks.build --now 3587af1   # issue 13's own change, same data

a2d45f9 is the last commit before issue 13 (the layers), whose "kg build is no slower than
today" this measures.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.child import measured

ROOT = Path(__file__).resolve().parent.parent
#: The last commit before issue 13.
BASELINE = "a2d45f9"
_RUN = "import sys; from kg.cli import main; sys.argv = ['kg', *sys.argv[1:]]; main()"


def build_once(tree: Path, args: list[str], cache: Path) -> tuple[float, float, int, int]:
    """One ``kg build`` of ``tree``'s code and data: wall s, CPU s, peak RSS MiB, triples."""
    env = {**os.environ, "PYTHONPATH": str(tree), "CCHC_KG_CACHE": str(cache)}
    env.pop("CCHC_KG_ROOT", None)
    done = measured(
        [sys.executable, "-c", _RUN, "build", "--root", str(tree), *args], env=env, cwd=tree
    )
    if done.returncode != 0:
        sys.exit(f"kg build in {tree} failed ({done.returncode}):\n{done.stderr}{done.stdout}")
    found = re.search(r"(\d+) triples", done.stdout + done.stderr)
    if found is None:
        sys.exit(f"kg build in {tree} did not say how many triples it wrote:\n{done.stdout}")
    return done.wall, done.cpu, done.peak_mib, int(found.group(1))


def _help(tree: Path) -> str:
    """``kg build --help`` of ``tree``'s code."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", _RUN, "build", "--help"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    return done.stdout


def measure(tree: Path, args: list[str], repeat: int, label: str) -> dict[str, float]:
    walls, cpus, rss, triples = [], [], 0, 0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="kg-bench-build-") as tmp:
            out = Path(tmp) / "cchc.trig"
            wall, cpu, peak, triples = build_once(tree, [*args, "-o", str(out)], Path(tmp))
            walls.append(wall)
            cpus.append(cpu)
            rss = max(rss, peak)
            print(f"  {label}: {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    million = triples / 1e6
    return {
        "triples": triples,
        "wall": wall,
        "cpu": cpu,
        "rss": rss,
        "wall_per_m": wall / million,
        "cpu_per_m": cpu / million,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", default=BASELINE, help="the earlier commit")
    parser.add_argument(
        "--now", default=None, help="a later commit to measure instead of this checkout"
    )
    parser.add_argument("--repeat", type=int, default=3, help="builds of each (median)")
    parser.add_argument("--provinces-only", action="store_true", help="the quick build")
    options = parser.parse_args()
    scope = ["--provinces-only"] if options.provinces_only else []
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    label = options.now or "this checkout"
    with tempfile.TemporaryDirectory(prefix="kg-bench-tree-") as tmp:
        trees = {options.against: Path(tmp) / "then"}
        if options.now:
            trees[options.now] = Path(tmp) / "now"
        for commit, tree in trees.items():
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), commit],
                check=True,
            )
        try:
            old = measure(trees[options.against], ["-q", *scope], options.repeat, options.against)
            tree = trees.get(options.now or "", ROOT)
            # (a commit that has the build cache fills it, as a first kg build does)
            fresh = ["--rebuild"] if "--rebuild" in _help(tree) else []
            now = measure(tree, ["-q", *fresh, *scope], options.repeat, label)
        finally:
            for tree in trees.values():
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                    check=False,
                )
    print()
    print("| build | triples | wall | CPU | peak RSS | wall / 1M triples | CPU / 1M triples |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, row in ((options.against, old), (label, now)):
        print(
            f"| {name} | {row['triples']:,} | {row['wall']:.1f} s | {row['cpu']:.1f} s "
            f"| {row['rss']:,} MiB | {row['wall_per_m']:.1f} s | {row['cpu_per_m']:.1f} s |"
        )
    wall, cpu = now["wall_per_m"] / old["wall_per_m"], now["cpu_per_m"] / old["cpu_per_m"]
    print(f"\nper million triples, {label} / {options.against}: wall ×{wall:.2f}, CPU ×{cpu:.2f}")


if __name__ == "__main__":
    main()
