"""kg viz: the offline page in headless Chromium, and each static format read back."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from test_network import national_network, small_graph

import kg
from kg.graph import KnowledgeGraph
from kg.namespaces import resource
from kg.viz import BUNDLE, render, write

ROOT = Path(__file__).resolve().parent.parent
UBND_HN = str(resource("agency", "ubnd-thanh-pho-ha-noi"))
VU = str(resource("agency", "vu-cai-cach-hanh-chinh-bo-noi-vu"))
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
    # WebGL without a GPU: sigma.js draws through SwiftShader, Chromium's software renderer.
    "--enable-unsafe-swiftshader",
    "--use-angle=swiftshader",
]

needs_bundle = pytest.mark.skipif(
    not BUNDLE.exists(), reason="kg/viz/static/viz.bundle.js is not built: run `make build`"
)
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz `dot` is not installed (apt-get install graphviz)"
)


@pytest.fixture(scope="module")
def small() -> KnowledgeGraph:
    return small_graph()


@pytest.fixture(scope="module")
def net(small: KnowledgeGraph) -> nx.MultiDiGraph:
    return kg.network(small, include_units=True, include_people=True, include_documents=True)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_and_gexf_read_back_with_labels_and_kinds(
    net: nx.MultiDiGraph, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"net.{fmt}"
    write(net, path)
    back = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert set(back.nodes) == set(net.nodes)
    assert back.number_of_edges() == net.number_of_edges()
    node = back.nodes[UBND_HN]
    assert node["label_vi"] == "Ủy ban nhân dân thành phố Hà Nội"
    assert node["kind_label_en"] == "People's Committee"
    assert node["kind"].endswith("#PeoplesCommittee")
    relations = {d["label_en"] for _, _, d in back.edges(data=True)}
    assert "sub-organization of" in relations


def test_json_is_node_link(net: nx.MultiDiGraph) -> None:
    import json

    data = json.loads(render(net, "json"))
    back = nx.node_link_graph(data, edges="edges")
    assert back.has_edge(VU, str(resource("agency", "bo-noi-vu")))
    assert back.nodes[UBND_HN]["kind_label_vi"] == "Ủy ban nhân dân"


def test_dot_names_nodes_and_relations(net: nx.MultiDiGraph) -> None:
    text = render(net, "dot", layout="hierarchy").decode("utf-8")
    assert text.startswith("digraph network {")
    assert '"Ủy ban nhân dân thành phố Hà Nội"' in text
    assert 'label="trực thuộc"' in text


@needs_dot
def test_svg_contains_the_labels_and_png_is_a_png(net: nx.MultiDiGraph) -> None:
    svg = render(net, "svg", lang="en").decode("utf-8")
    assert "<svg" in svg and "Hà Nội People&#39;s Committee" in svg
    assert render(net, "png").startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize(
    "fmt",
    ["html", "graphml", "gexf", "dot", "json"] + (["svg", "png"] if shutil.which("dot") else []),
)
def test_the_same_network_gives_the_same_bytes(small: KnowledgeGraph, fmt: str) -> None:
    if fmt == "html" and not BUNDLE.exists():
        pytest.skip("kg/viz/static/viz.bundle.js is not built: run `make build`")
    first = render(kg.network(small, include_units=True), fmt)
    again = render(kg.network(small_graph(), include_units=True), fmt)
    assert first == again


def test_unknown_format_and_layout(net: nx.MultiDiGraph) -> None:
    with pytest.raises(kg.KgUsageError, match="unknown visualisation format 'pdf'"):
        render(net, "pdf")
    with pytest.raises(kg.KgUsageError, match="unknown layout 'circle'"):
        render(net, "dot", layout="circle")


def test_a_missing_bundle_says_to_run_make_build(
    net: nx.MultiDiGraph, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import kg.viz

    monkeypatch.setattr(kg.viz, "BUNDLE", tmp_path / "viz.bundle.js")
    with pytest.raises(kg.KgFileError, match="run `make build`"):
        render(net, "html")


@needs_bundle
def test_the_page_is_self_contained(net: nx.MultiDiGraph) -> None:
    page = render(net, "html").decode("utf-8")
    assert "<script src" not in page and "<link" not in page
    assert "default-src 'none'" in page  # the page may not load anything, by its own policy


# --- the page in a browser -------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    if not BUNDLE.exists():
        pytest.skip("kg/viz/static/viz.bundle.js is not built: run `make build`")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1400, "height": 900},
        )
        yield context
        context.close()


def open_page(browser: Any, path: Path) -> tuple[Any, list[str]]:
    """Open ``path`` and wait for the first picture; record every request the page makes."""
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_function("window.kgReady === true", timeout=30_000)
    return page, requests


def offline(requests: list[str], path: Path) -> list[str]:
    """The requests that left the file: anything but the file itself, data: and blob:."""
    return [u for u in requests if u != path.as_uri() and not u.startswith(("data:", "blob:"))]


@pytest.fixture(scope="module")
def page_file(net: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("viz") / "net.html"
    write(net, path)
    return path


def test_the_page_makes_no_request(browser: Any, page_file: Path) -> None:
    page, requests = open_page(browser, page_file)
    page.fill("#search", "ha noi")
    page.locator("#results li").first.click()
    page.wait_for_timeout(300)
    assert requests and offline(requests, page_file) == []
    # sigma drew into WebGL canvases: the picture is there
    assert page.locator("#graph canvas").count() >= 2
    page.close()


@pytest.mark.parametrize("typed", ["ha noi", "Hà Nội", "UBND thanh pho"])
def test_search_with_or_without_diacritics(browser: Any, page_file: Path, typed: str) -> None:
    page, _ = open_page(browser, page_file)
    page.fill("#search", typed)
    found = page.locator("#results li").evaluate_all("els => els.map(e => e.dataset.iri)")
    assert UBND_HN in found
    page.close()


def test_click_a_node_shows_its_details_and_language_switches(
    browser: Any, page_file: Path
) -> None:
    page, _ = open_page(browser, page_file)
    # a click on the node's place on the canvas, as a user would
    x, y = page.evaluate(
        """iri => {
            const r = window.kg.renderer;
            const d = r.getNodeDisplayData(String(window.kg.byId.get(iri)));
            const p = r.framedGraphToViewport(d);
            return [p.x, p.y];
        }""",
        UBND_HN,
    )
    box = page.locator("#graph").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_selector("#panel:not([hidden])")
    assert page.inner_text("#panel-label") == "Ủy ban nhân dân thành phố Hà Nội"
    assert page.inner_text("#panel-kind") == "Ủy ban nhân dân"
    assert page.inner_text("#panel-iri") == UBND_HN
    assert "Thành phố Hà Nội" in page.inner_text("#panel-relations")
    assert "hanoi-cchc-workshop-2020-10-22" in page.inner_text("#panel-sources")
    page.select_option("#lang", "en")
    assert page.inner_text("#panel-label") == "Hà Nội People's Committee"
    assert page.inner_text("#panel-kind") == "People's Committee"
    assert page.get_attribute("html", "lang") == "en"
    page.close()


def test_an_empty_network_says_so(browser: Any, small: KnowledgeGraph, tmp_path: Path) -> None:
    empty = kg.network(small, query="CONSTRUCT { ?a ?b ?c } WHERE { ?a ?b ?c FILTER(1 = 0) }")
    path = tmp_path / "empty.html"
    write(empty, path)
    page, requests = open_page(browser, path)
    assert "empty" in page.inner_text("#empty") or "trống" in page.inner_text("#empty")
    assert offline(requests, path) == []
    page.close()


def test_screenshot_of_the_hanoi_view(
    browser: Any, small: KnowledgeGraph, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The README's picture: Hà Nội's People's Committee and its neighbourhood, two steps.
    Taken into the test's folder; ``pytest --update-docs`` puts it in docs/viz-hanoi.png."""
    net = kg.network(small, focus="UBND thành phố Hà Nội", depth=2, include_units=True)
    path = tmp_path / "hanoi.html"
    write(net, path, layout="force")
    page, requests = open_page(browser, path)
    page.wait_for_timeout(500)
    assert offline(requests, path) == []
    assert page.inner_text("#panel-label") == "Ủy ban nhân dân thành phố Hà Nội"
    shot = page.screenshot()
    assert shot.startswith(b"\x89PNG")
    (tmp_path / "viz-hanoi.png").write_bytes(shot)
    if request.config.getoption("--update-docs"):
        (ROOT / "docs" / "viz-hanoi.png").write_bytes(shot)
    page.close()


def test_the_national_page_opens_on_an_overview(
    browser: Any, national: KnowledgeGraph, tmp_path: Path
) -> None:
    """45,000 nodes: the first picture is the provinces, folded; search opens the way down."""
    net = national_network(national)
    path = tmp_path / "country.html"
    write(net, path)
    page, requests = open_page(browser, path)
    first = page.evaluate("window.kg.graph.order")
    assert 0 < first < 300
    assert f"{first} trong {net.number_of_nodes()} nút" in page.inner_text("#status")
    ward = str(resource("unit", "2025/00004"))  # Phường Ba Đình, in Hà Nội since 2025
    page.fill("#search", "phuong ba dinh")
    page.locator(f'#results li[data-iri="{ward}"]').click()
    page.wait_for_selector("#panel:not([hidden])")
    assert page.inner_text("#panel-iri") == ward
    assert "Thành phố Hà Nội" in page.inner_text("#panel-relations")
    # its province was opened to show it, and nothing else was
    shown = page.evaluate("iri => window.kg.graph.hasNode(String(window.kg.byId.get(iri)))", ward)
    assert shown
    assert first < page.evaluate("window.kg.graph.order") < first + 300
    assert offline(requests, path) == []
    page.close()
