"""What the build cache saves: each verb as a user runs it, a whole `kg` process, after one build.

Prints, for the national graph (``--provinces-only`` for the small one), in a cache folder of
its own (a temporary one unless ``--cache DIR``; the user's ``~/.cache`` is never touched):

- ``kg build -o cchc.trig``: the build that fills the cache (its wall time and peak RSS);
- ``kg build`` again: the cache's graph validated and written, not built;
- ``kg query hanoi-index-ranks``: the median of ``--repeat`` runs, the whole process (Python
  starting, the cache's key, the store opened read-only, the query in its child process);
- the same with ``--data cchc.trig``: the first run reads the file into the cache, the next
  ones open it;
- ``kg stats``, ``kg validate``, ``kg validate cchc.trig`` (the built file, read into the cache
  by the ``--data`` runs before) and ``kg viz --focus``, reusing the store (two runs each).

Every run must leave stderr free of the cache's "building" note (the store was reused): the
script stops if one does not. The machine's load average is printed first, since other work on
a shared machine stretches the wall-clock figures (the user and system CPU time of each process
is printed beside them).

    .venv/bin/python -m benchmarks.cache [--provinces-only] [--repeat 5] [--cache DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.child import measured

KG = str(Path(sys.executable).with_name("kg"))


def run(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int, str]:
    """Run ``kg args``: wall seconds, CPU seconds (user + system, children included), its own
    peak RSS in MiB, and stderr."""
    done = measured([KG, *args], env=env, cwd=cwd)
    if done.returncode not in (0, 1):
        sys.exit(f"kg {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.wall, done.cpu, done.peak_mib, done.stderr


def line(what: str, wall: float, cpu: float, extra: str = "") -> None:
    print(f"{what:<52} {wall:8.2f} s wall {cpu:8.2f} s cpu  {extra}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--provinces-only", action="store_true", help="the small graph")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each quick verb")
    parser.add_argument("--cache", type=Path, default=None, help="the cache folder to use")
    options = parser.parse_args(argv)
    scope = ["--provinces-only"] if options.provinces_only else []
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory(prefix="kg-bench-cache-") as tmp:
        work = Path(tmp)
        cache = options.cache or work / "cache"
        env = {**os.environ, "CCHC_KG_CACHE": str(cache)}
        env.pop("CCHC_KG_ROOT", None)
        # as a user's Python runs: modules compiled once (.pyc), not at every start
        env.pop("PYTHONDONTWRITEBYTECODE", None)

        wall, cpu, rss, err = run(["build", *scope, "-q", "-o", "cchc.trig"], env, work)
        how = "the cache was current" if "not built again" in err else "fills the cache"
        line(f"kg build -o cchc.trig ({how})", wall, cpu, f"peak {rss} MiB")
        wall, cpu, _, err = run(["build", *scope, "-q", "-o", "again.trig"], env, work)
        assert "not built again" in err, err
        line("kg build again (validated and written, not built)", wall, cpu)

        def quick(
            what: str, args: list[str], first: str | None = None, repeat: int = options.repeat
        ) -> None:
            if first is not None:
                wall, cpu, _, err = run(args, env, work)
                line(f"{what}, first ({first})", wall, cpu)
            walls, cpus = [], []
            for _ in range(repeat):
                wall, cpu, _, err = run(args, env, work)
                if "into the cache" in err:
                    sys.exit(f"kg {' '.join(args)} built again:\n{err}")
                walls.append(wall)
                cpus.append(cpu)
            spread = f"(runs {min(walls):.2f}–{max(walls):.2f} s)"
            line(f"{what}, median of {len(walls)}", statistics.median(walls),
                 statistics.median(cpus), spread)  # fmt: skip

        query = ["query", "hanoi-index-ranks", *scope, "--format", "csv"]
        quick("kg query hanoi-index-ranks", query)
        data = ["query", "hanoi-index-ranks", "--data", "cchc.trig", "--format", "csv"]
        quick("kg query hanoi-index-ranks --data cchc.trig", data, first="read into the cache")
        slow = min(options.repeat, 2)
        quick("kg stats", ["stats", *scope], repeat=slow)
        quick("kg validate", ["validate", *scope], repeat=slow)
        quick("kg validate cchc.trig (a built file)", ["validate", "cchc.trig"], repeat=slow)
        focus = ["viz", *scope, "--focus", "UBND thành phố Hà Nội", "-o", "hanoi.json"]
        quick("kg viz --focus 'UBND thành phố Hà Nội' -o hanoi.json", focus, repeat=slow)


if __name__ == "__main__":
    main()
