"""How long `kg viz` takes on the whole country, and how the page answers in headless Chromium.

Prints, for the graph as `kg build` assembles it (every province, district and commune of 2020
and 2025, with their People's Committees and Councils; ``--provinces-only`` for the small one):

- the build;
- the network: the agency-network query and the facts of its nodes, as ``kg viz`` draws it by
  default (units and documents: some 45,000 nodes), and without units;
- the page: the time to write it (positions computed once, in Python) and its size;
- the static pictures of the national overview: SVG and PNG, network and org chart (each must
  finish in under 30 s);
- in headless Chromium (Debian's /usr/bin/chromium, WebGL through SwiftShader): the time from
  opening the file to sigma.js's first picture (must stay under 2 s) and what it shows
  (``window.kgState()``), then the answers to a date change, a search, a zoom, and a click that
  opens a province;
- ``kg viz [--units] -o ...`` end to end (national by default), build included, in a fresh process.

Each time is wall-clock with the process's CPU time beside it: the machine's load average is
printed first, since other work on a shared machine stretches the wall-clock figures. The static
pictures of the national overview and the first picture are marked against their limits (30 s,
2 s: issue 19), and the script exits 1 when one is over.

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


#: The limits of issue 19's "done when": each static picture of the national overview, and the
#: first picture of the national page in headless Chromium. A figure over its limit is marked
#: and makes the script exit 1.
STATIC_LIMIT = 30.0
FIRST_PICTURE_LIMIT = 2.0
OVER: list[str] = []


def verdict(what: str, took: float, limit: float | None) -> str:
    """ "[limit N s: ok]", or "[limit N s: OVER]" noted for the exit status."""
    if limit is None:
        return ""
    if took < limit:
        return f"  [limit {limit:g} s: ok]"
    OVER.append(f"{what}: {took:.2f} s, limit {limit:g} s")
    return f"  [limit {limit:g} s: OVER]"


@contextmanager
def timed(
    what: str, note: Callable[[], str] = lambda: "", *, limit: float | None = None
) -> Iterator[None]:
    """Print how long the block took, wall-clock and CPU, against ``limit`` if given."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    extra = note()
    took = time.perf_counter() - wall
    print(
        f"{what:<34} {took:6.2f} s  (cpu {time.process_time() - cpu:5.2f} s)"
        + (f"  {extra}" if extra else "")
        + verdict(what, took, limit),
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
        state = page.evaluate("window.kgState()")
        print(
            f"{'first picture in Chromium':<34} {took:6.2f} s  ({state['nodes']:,} of {total:,} "
            f"nodes, {state['edges']} edges, {state['aggregated']} of them aggregates, on "
            f"{state['date']})" + verdict("first picture in Chromium", took, FIRST_PICTURE_LIMIT)
        )
        for day in ("2024-06-01", "2025-08-01"):
            took = page.evaluate(
                f"() => {{ const t = performance.now(); window.kg.setDate('{day}'); "
                "return performance.now() - t; }"
            )
            s = page.evaluate("window.kgState()")
            k = "https://w3id.org/cchc/ontology#"
            ministries = s["kinds"].get(k + "Ministry", 0) + s["kinds"].get(
                k + "MinisterialLevelAgency", 0
            )
            provinces = s["levels"].get(k + "AdministrativeUnit|province", 0)
            print(
                f"{'date -> ' + day:<34} {took / 1000:6.3f} s  ({ministries} ministries, "
                f"{provinces} provinces)"
            )
        page.evaluate(f"window.kg.setDate('{state['date']}')")
        shown = page.evaluate("window.kg.graph.order")
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
            page.click(".panel-toggle[data-group='unit']")
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
    for name, units in (("default", True), ("no units", False)):
        with timed(
            f"network ({name})",
            lambda n=name: (
                f"{nets[n].number_of_nodes():,} nodes, {nets[n].number_of_edges():,} edges"
            ),
        ):
            nets[name] = kg.network(graph, include_units=units, include_documents=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, net in nets.items():
            path = Path(tmp) / f"{name.replace(' ', '-')}.html"
            with timed(f"page written ({name})", lambda p=path: f"{p.stat().st_size / 1e6:.1f} MB"):
                write(net, path)
        for layout in ("network", "hierarchy"):
            for fmt in ("svg", "png"):
                path = Path(tmp) / f"overview-{layout}.{fmt}"
                with timed(
                    f"{fmt.upper()} of the overview ({layout})",
                    lambda p=path: f"{p.stat().st_size / 1e3:.0f} kB",
                    limit=STATIC_LIMIT if national else None,
                ):
                    write(nets["default"], path, layout=layout)
        if not args.no_browser:
            browser(Path(tmp) / "default.html")
        if not args.no_cli:
            flag = [] if national else ["--provinces-only"]
            cli(flag, Path(tmp) / "cli.html")
            cli([*flag, "--no-units"], Path(tmp) / "cli-no-units.html")
            cli(flag, Path(tmp) / "cli.svg")
            cli([*flag, "--focus", "ha noi", "--depth", "2"], Path(tmp) / "cli-ha-noi.png")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if OVER:
        raise SystemExit("over the limits of issue 19: " + "; ".join(OVER))


if __name__ == "__main__":
    main()
