"""How long `kg viz` takes on the whole network, and how soon the page shows a first picture.

Prints, for the graph as `kg build` assembles it (``--national``: with every district and
commune, once the build offers it): the time to build, to make the network (the agency-network
query and the node facts), to write the page, the page's size, and the time from opening the
page in headless Chromium until sigma.js has drawn its first picture.

    .venv/bin/python benchmarks/viz.py [--national] [--units]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import kg
from kg.viz import write

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


def first_picture(path: Path) -> float:
    """Seconds from opening ``path`` until the page says it has drawn (``window.kgReady``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=ARGS
        )
        page = context.new_page()
        start = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_function("window.kgReady === true", timeout=120_000)
        took = time.perf_counter() - start
        start = time.perf_counter()
        page.fill("#search", "ha noi")
        page.wait_for_selector("#results li")
        print(f"search 'ha noi' answered in {time.perf_counter() - start:.2f} s")
        context.close()
    return took


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", action="store_true", help="every district and commune")
    parser.add_argument("--units", action="store_true", help="show administrative units too")
    args = parser.parse_args()
    start = time.perf_counter()
    graph = kg.build(national=args.national)
    print(f"build: {time.perf_counter() - start:.1f} s, {len(graph):,} triples")
    start = time.perf_counter()
    net = kg.network(graph, include_units=args.units)
    made = time.perf_counter() - start
    print(
        f"network: {made:.1f} s, {net.number_of_nodes():,} nodes, {net.number_of_edges():,} edges"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "agencies.html"
        start = time.perf_counter()
        write(net, path)
        wrote = time.perf_counter() - start
        size = path.stat().st_size
        print(
            f"page written: {wrote:.1f} s ({size / 1e6:.1f} MB); "
            f"network + page {made + wrote:.1f} s"
        )
        print(f"first picture in headless Chromium: {first_picture(path):.1f} s")


if __name__ == "__main__":
    main()
