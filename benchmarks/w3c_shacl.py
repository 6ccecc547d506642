"""Print how ``kg validate`` does on the W3C SHACL test suite: ``W3C SHACL: N of M passed``.

Runs every test of ``tests/w3c-shacl`` through the command line, with the same
harness as ``tests/test_w3c_shacl.py`` (which the tests and this script share, so the figure
here is the figure CI checks), then lists each failure with what went wrong.

Usage: .venv/bin/python benchmarks/w3c_shacl.py [-v]
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _harness() -> ModuleType:
    path = ROOT / "tests" / "test_w3c_shacl.py"
    spec = importlib.util.spec_from_file_location("test_w3c_shacl", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> int:
    """Run the suite; exit 0 when every test passes, 1 otherwise, 2 when the suite is missing."""
    harness = _harness()
    if not harness.SUITE.is_dir():
        print(f"the W3C SHACL test suite is not at {harness.SUITE}", file=sys.stderr)
        return 2
    verbose = "-v" in argv
    engines = [argv[argv.index("--engine") + 1]] if "--engine" in argv else list(harness.ENGINES)
    failed = 0
    for engine in engines:
        start = time.perf_counter()
        outcomes = []
        for test in harness.TESTS:
            began = time.perf_counter()
            outcome = harness.run(test, engine)
            outcomes.append(outcome)
            if verbose:
                mark = "ok  " if outcome.passed else "FAIL"
                seconds = time.perf_counter() - began
                print(f"{mark} {seconds:5.2f}s {engine} {test.name}", file=sys.stderr)
        passed = sum(o.passed for o in outcomes)
        seconds = time.perf_counter() - start
        print(f"W3C SHACL, {engine}: {passed} of {len(outcomes)} passed ({seconds:.1f} s)")
        for outcome in outcomes:
            if not outcome.passed:
                known = harness.KNOWN_FAILURES.get((engine, outcome.test.name))
                print(f"  FAIL {outcome.test.name}" + (f" (known: {known})" if known else ""))
                for problem in outcome.problems:
                    print(f"       {problem}")
        failed += len(outcomes) - passed
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
