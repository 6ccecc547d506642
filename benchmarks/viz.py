"""How long `kg viz` takes on the whole country, and how the page answers in headless Chromium.

Prints, for the graph as `kg build` assembles it (every province, district and commune of 2020
and 2025, with their People's Committees and Councils; ``--provinces-only`` for the small one):

- the build;
- the network: the agency-network query and the facts of its nodes, with the default groups
  and with the administrative units (``--units``, some 45,000 nodes);
- the page: the time to write it and its size;
- in headless Chromium (Debian's /usr/bin/chromium, WebGL through SwiftShader): the time from
  opening the file to sigma.js's first picture, then the answers to a search, a zoom, and a
  click that opens a province;
- ``kg viz [--units] -o ...`` end to end (national by default), build included, in a fresh process.

Each time is wall-clock with the process's CPU time beside it: the machine's load average is
printed first, since other work on a shared machine stretches the wall-clock figures.

    .venv/bin/python benchmarks/viz.py [--provinces-only] [--no-cli] [--no-browser]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import kg
from kg.viz import write

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-unsafe-swiftshader",
    "--use-angle=swiftshader",
]
HANOI_2025 = "https://w3id.org/cchc/id/unit/2025/01"


@contextmanager
def timed(what: str, note: Callable[[], str] = lambda: "") -> Iterator[None]:
    """Print how long the block took, wall-clock and CPU."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    extra = note()
    print(
        f"{what:<34} {time.perf_counter() - wall:6.2f} s  (cpu {time.process_time() - cpu:5.2f} s)"
        + (f"  {extra}" if extra else ""),
        flush=True,
    )


def browser(path: Path) -> None:
    """Open the page and print the first picture's time, then search, zoom and open times."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1400, "height": 900},
        )
        page = context.new_page()
        start = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_function("window.kgReady === true", timeout=120_000)
        took = time.perf_counter() - start
        shown = page.evaluate("window.kg.graph.order")
        total = page.evaluate("window.kg.nodes.length")
        print(f"{'first picture in Chromium':<34} {took:6.2f} s  ({shown:,} of {total:,} nodes)")
        start = time.perf_counter()
        page.fill("#search", "phuong ba dinh")
        page.wait_for_selector("#results li")
        hits = page.locator("#results li").count()
        print(
            f"{'search typed -> results shown':<34} {time.perf_counter() - start:6.2f} s  ({hits})"
        )
        inside = page.evaluate(
            "() => { const t = performance.now(); window.kg.search('ha noi');"
            " return performance.now() - t; }"
        )
        print(f"{'  of which the search itself':<34} {inside / 1000:6.3f} s")
        zoom = page.evaluate(
            """() => new Promise(done => {
                const r = window.kg.renderer, t = performance.now();
                r.once("afterRender", () => done(performance.now() - t));
                r.getCamera().setState({ ratio: 0.3 });
            })"""
        )
        print(f"{'zoom -> next frame drawn':<34} {zoom / 1000:6.3f} s")
        page.evaluate("window.kg.renderer.getCamera().setState({ ratio: 1, x: 0.5, y: 0.5 })")
        page.wait_for_timeout(200)
        if page.evaluate("iri => window.kg.byId.has(iri)", HANOI_2025):
            x, y = page.evaluate(
                """iri => {
                    const r = window.kg.renderer;
                    const d = r.getNodeDisplayData(String(window.kg.byId.get(iri)));
                    const p = r.framedGraphToViewport(d);
                    return [p.x, p.y];
                }""",
                HANOI_2025,
            )
            box = page.locator("#graph").bounding_box()
            start = time.perf_counter()
            page.mouse.click(box["x"] + x, box["y"] + y)
            page.wait_for_function(f"window.kg.graph.order > {shown}", timeout=60_000)
            opened = page.evaluate("window.kg.graph.order") - shown
            print(
                f"{'click Hà Nội (2025) -> opened':<34} {time.perf_counter() - start:6.2f} s  "
                f"(+{opened} nodes)"
            )
        context.close()


def cli(args: list[str], out: Path) -> None:
    """Run ``kg viz`` in a fresh process and print its wall-clock time."""
    exe = Path(sys.executable).parent / "kg"
    start = time.perf_counter()
    done = subprocess.run(
        [str(exe), "viz", *args, "-o", str(out)], capture_output=True, text=True, check=False
    )
    took = time.perf_counter() - start
    status = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    print(f"{'kg viz ' + ' '.join(args):<34} {took:6.2f} s  {status}", flush=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces-only", action="store_true", help="the small graph")
    parser.add_argument("--no-cli", action="store_true", help="skip kg viz end to end")
    parser.add_argument("--no-browser", action="store_true", help="skip headless Chromium")
    args = parser.parse_args()
    national = not args.provinces_only
    print(
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on "
        f"{os.cpu_count()} cores"
    )
    graph: Any = None
    with timed("build", lambda: f"{len(graph):,} triples"):
        graph = kg.build(ROOT, national=national)
    nets: dict[str, Any] = {}
    for name, units in (("default", False), ("units", True)):
        with timed(
            f"network ({name})",
            lambda n=name: (
                f"{nets[n].number_of_nodes():,} nodes, {nets[n].number_of_edges():,} edges"
            ),
        ):
            nets[name] = kg.network(graph, include_units=units)
    with tempfile.TemporaryDirectory() as tmp:
        for name, net in nets.items():
            path = Path(tmp) / f"{name}.html"
            with timed(f"page written ({name})", lambda p=path: f"{p.stat().st_size / 1e6:.1f} MB"):
                write(net, path)
        if not args.no_browser:
            browser(Path(tmp) / "units.html")
        if not args.no_cli:
            flag = [] if national else ["--provinces-only"]
            cli(flag, Path(tmp) / "cli.html")
            cli([*flag, "--units"], Path(tmp) / "cli-units.html")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
