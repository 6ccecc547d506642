"""kg viz: the offline page in headless Chromium, and each static format read back."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from test_network import small_graph

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
    assert "unit of" in relations


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
    assert 'tooltip="là đơn vị của"' in text
    # positions given: Graphviz draws them (neato -n2), it lays nothing out, routes no spline
    assert "splines=false" in text and 'pos="' in text


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
    browser: Any, small: KnowledgeGraph, tmp_path: Path, shots: Path
) -> None:
    """The README's picture: Hà Nội's People's Committee and its neighbourhood, two steps."""
    net = kg.network(small, focus="UBND thành phố Hà Nội", depth=2, include_units=True)
    path = tmp_path / "hanoi.html"
    write(net, path)
    page, requests = open_page(browser, path)
    page.wait_for_timeout(500)
    assert offline(requests, path) == []
    assert page.inner_text("#panel-label") == "Ủy ban nhân dân thành phố Hà Nội"
    shot = page.screenshot()
    assert shot.startswith(b"\x89PNG")
    (shots / "hanoi.png").write_bytes(shot)
    page.close()


# --- the national page (issue 19) --------------------------------------------------------------

K = "https://w3id.org/cchc/ontology#"
MINISTRIES = (K + "Ministry", K + "MinisterialLevelAgency")
BO = str(resource("agency", "bo-noi-vu"))


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browser tests keep their screenshots: test artefacts, never in git."""
    return tmp_path_factory.mktemp("viz-screenshots")


@pytest.fixture(scope="module")
def country(national: KnowledgeGraph) -> nx.MultiDiGraph:
    """The national network as ``kg viz`` draws it by default (units and documents)."""
    return kg.network(national, include_units=True, include_documents=True)


@pytest.fixture(scope="module")
def country_page(country: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("national") / "country.html"
    write(country, path)
    return path


@pytest.fixture(scope="module")
def country_data(country: nx.MultiDiGraph) -> dict[str, Any]:
    from kg.viz import page_data

    return page_data(country)


def agrees_with_overview(s: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The page shows what :func:`kg.viz.overview` (the static pictures) selects on its day."""
    from kg.viz import overview

    view = overview(data, date=s["date"])
    assert (s["nodes"], s["ghosts"], s["realEdges"], s["aggregated"]) == (
        len(view["nodes"]),
        len(view["ghosts"]),
        len(view["edges"]),
        len(view["aggregates"]),
    )
    return view


@pytest.fixture
def national_page(browser: Any, country_page: Path) -> Iterator[Any]:
    page, requests = open_page(browser, country_page)
    yield page
    assert offline(requests, country_page) == []
    page.close()


def state(page: Any) -> dict[str, Any]:
    return page.evaluate("window.kgState()")


def ministries(s: dict[str, Any]) -> int:
    return sum(s["kinds"].get(k, 0) for k in MINISTRIES)


def test_the_national_page_opens_on_the_structure(
    national_page: Any, country: nx.MultiDiGraph, country_data: dict[str, Any], shots: Path
) -> None:
    from kg.network import valid_on
    from kg.viz import default_date

    s = state(national_page)
    (shots / "national.png").write_bytes(national_page.screenshot())
    assert s["date"] == default_date(country) and s["date"] >= "2025-07-01"
    assert s["edges"] >= 100
    # the Government and every ministry valid on the day are labelled, whatever the zoom
    valid = sorted(
        d["label_vi"]
        for _, d in country.nodes(data=True)
        if d["kind"] in MINISTRIES and valid_on(d["begin"], d["end"], s["date"])
    )
    assert len(valid) == 17 and "Chính phủ" in s["forced"]
    assert set(valid) <= set(s["forced"])
    # no label twice
    assert len(s["labels"]) == len(set(s["labels"]))
    # the page and the static pictures agree on what the first picture holds
    agrees_with_overview(s, country_data)


def provinces(graph: KnowledgeGraph, date: str) -> int:
    """The provinces the catalog's unit-counts counts on ``date`` (surely valid)."""
    rows = kg.query(graph, "unit-counts", date=date).to_python()
    return sum(r["units"] for r in rows if r["level"].endswith("/province"))


def test_the_date_plays_the_2025_reorganisation(
    national_page: Any, national: KnowledgeGraph, country_data: dict[str, Any], shots: Path
) -> None:
    national_page.evaluate("window.kg.setDate('2024-06-01')")
    before = state(national_page)
    (shots / "national-2024-06-01.png").write_bytes(national_page.screenshot())
    assert ministries(before) == 22
    # the page counts the provinces as the catalog does on that day
    assert provinces(national, "2024-06-01") == 63
    assert before["levels"][K + "AdministrativeUnit|province"] == 63
    assert before["levels"][K + "PeoplesCommittee|province"] == 63
    # what the page draws that day, ghosts of 2025 included, is what the static pictures draw
    assert agrees_with_overview(before, country_data)["ghosts"]
    # a merged ministry is shown with what it became: an edge of its own kind, and the new
    # ministry drawn faded with the day it begins
    plan, finance = (
        national_page.evaluate(f"String(window.kg.byId.get('{resource('agency', a)}'))")
        for a in ("bo-ke-hoach-va-dau-tu", "bo-tai-chinh")
    )
    assert national_page.evaluate(f"window.kg.graph.hasEdge('{plan}', '{finance}')")
    assert "Bộ Nông nghiệp và Môi trường (từ 2025-03-01)" in before["labels"]
    assert len(before["labels"]) == len(set(before["labels"]))
    national_page.click("#changes button[data-date='2025-07-01']")
    national_page.fill("#date", "2025-08-01")
    national_page.dispatch_event("#date", "change")
    after = state(national_page)
    (shots / "national-2025-08-01.png").write_bytes(national_page.screenshot())
    assert after["date"] == "2025-08-01"
    assert ministries(after) == 17
    assert provinces(national, "2025-08-01") == 34
    assert after["levels"][K + "AdministrativeUnit|province"] == 34
    assert after["levels"][K + "PeoplesCommittee|province"] == 34
    # 2020 and 2025 are one click away
    national_page.click("#years button:text-is('2020')")
    assert state(national_page)["date"] == "2020-12-31"
    assert ministries(state(national_page)) == 22


POSITIONS = """ids => ids.map(id => {
    const key = String(window.kg.byId.get(id));
    if (!window.kg.graph.hasNode(key)) return null;
    const a = window.kg.graph.getNodeAttributes(key);
    const v = window.kg.renderer.graphToViewport(a);
    return [a.x, a.y, Math.round(v.x * 100) / 100, Math.round(v.y * 100) / 100];
})"""


def test_filters_language_and_selection_move_no_node(national_page: Any) -> None:
    ids = [
        str(resource("agency", a))
        for a in ("chinh-phu", "bo-noi-vu", "bo-tai-chinh", "ubnd-thanh-pho-ha-noi")
    ] + [str(resource("unit", "2025/01")), str(resource("unit", "2025/79"))]
    first = national_page.evaluate(POSITIONS, ids)
    assert None not in first
    # a filter: documents hidden
    national_page.locator("#kinds input[data-id$='LegalDocument']").uncheck()
    assert national_page.evaluate(POSITIONS, ids) == first
    # a relation filter, then the language
    national_page.locator("#relations input").first.uncheck()
    national_page.select_option("#lang", "en")
    assert national_page.evaluate(POSITIONS, ids) == first
    assert national_page.title() == "The agency network"
    assert national_page.inner_text("#title") == "The agency network"
    # a selection moves the camera, never a node in the graph
    graph_xy = [p[:2] for p in first]
    national_page.evaluate(f"window.kg.select(window.kg.byId.get('{BO}'))")
    national_page.wait_for_timeout(400)
    assert [p[:2] for p in national_page.evaluate(POSITIONS, ids)] == graph_xy


def test_the_panel_never_hides_the_selection(
    national_page: Any, country_data: dict[str, Any], shots: Path
) -> None:
    hn = str(resource("agency", "ubnd-thanh-pho-ha-noi"))
    national_page.fill("#search", "ubnd ha noi")
    hits = national_page.locator("#results li").evaluate_all("els => els.map(e => e.dataset.iri)")
    assert hits[0] == hn
    national_page.locator("#results li").first.click()
    national_page.wait_for_selector("#panel:not([hidden])")
    national_page.wait_for_timeout(500)
    (shots / "national-ubnd-ha-noi.png").write_bytes(national_page.screenshot())
    x, _ = national_page.evaluate(POSITIONS, [hn])[0][2:]
    panel = national_page.locator("#panel").bounding_box()
    graph = national_page.locator("#graph").bounding_box()
    assert 0 < x < panel["x"] - graph["x"]
    # its People's Council and Party Committee are in its neighbourhood
    same = national_page.locator("#panel-same-place a").evaluate_all(
        "els => els.map(e => e.dataset.iri)"
    )
    for body in ("hdnd-thanh-pho-ha-noi", "thanh-uy-ha-noi"):
        assert str(resource("agency", body)) in same
    # its valid time is in the panel, its sources are titles with their links
    assert national_page.inner_text("#panel-valid")
    assert "w3id.org/cchc/graph" not in national_page.inner_text("#panel-sources")
    # a ministry's sources are the pages its rows cite: each by its title where it has one,
    # by its address where it is known by its address only (it has no label then)
    national_page.evaluate(f"window.kg.select(window.kg.byId.get('{BO}'))")
    links = national_page.locator("#panel-sources a").evaluate_all(
        "els => els.map(e => [e.textContent, e.getAttribute('href')])"
    )
    # (the page opens in Vietnamese)
    known = {s["url"]: s["vi"] for s in country_data["sources"] if s["url"]}
    assert links and all(href in known for _, href in links)
    assert [text for text, href in links] == [known[href] or href for _, href in links]
    # both kinds are there: titles (some of them English only) and a bare address
    assert any(known[href] for _, href in links) and any(not known[href] for _, href in links)


def test_the_panel_gives_the_span_of_a_day_the_lists_do_not_give(national_page: Any) -> None:
    """Thành phố Thủ Đức began on a day between the lists of 2020 and 2021: shown from the
    list that has it, and the panel says between which days it began."""
    thu_duc = str(resource("unit", "769"))
    national_page.evaluate("window.kg.setDate('2021-01-01')")
    assert not national_page.evaluate(
        f"window.kg.graph.hasNode(String(window.kg.byId.get('{thu_duc}')))"
    )
    national_page.evaluate(f"window.kg.select(window.kg.byId.get('{thu_duc}'))")
    valid = national_page.inner_text("#panel-valid")
    assert "2020-02-26" in valid and "2021-02-03" in valid and "2025-06-30" in valid
    national_page.evaluate("window.kg.setDate('2021-02-03')")
    assert national_page.evaluate(
        f"window.kg.graph.hasNode(String(window.kg.byId.get('{thu_duc}')))"
    )
    national_page.select_option("#lang", "en")
    assert "from a day between 2020-02-26 and 2021-02-03" in national_page.inner_text(
        "#panel-valid"
    )


def test_search_by_words_says_when_nothing_matches(national_page: Any) -> None:
    national_page.fill("#search", "qqq khong co")
    assert national_page.locator("#results li").count() == 0
    assert "qqq khong co" in national_page.inner_text("#no-match")
    # people are not drawn on this page, and the page says how to draw them
    assert "--people" in national_page.inner_text("#hidden-hint")
    national_page.fill("#search", "Bo Noi vu")
    assert national_page.locator("#results li").first.get_attribute("data-iri") == BO


def test_a_ministry_department_is_drawn_once(national_page: Any) -> None:
    national_page.evaluate(f"window.kg.select(window.kg.byId.get('{BO}'))")
    national_page.locator(".panel-toggle[data-group='agency']").click()
    national_page.wait_for_timeout(200)
    count = national_page.evaluate(
        """([a, b]) => { const g = window.kg.graph, s = String(window.kg.byId.get(a)),
            t = String(window.kg.byId.get(b));
            if (!g.hasNode(s)) return -1;
            return g.filterEdges((k, _, x, y) => (x === s && y === t) || (x === t && y === s))
                .length; }""",
        [VU, BO],
    )
    assert count == 1


def test_the_org_chart_fits_the_view(national_page: Any, shots: Path) -> None:
    national_page.click("#layout-hierarchy")
    national_page.wait_for_timeout(400)
    (shots / "national-org-chart.png").write_bytes(national_page.screenshot())
    assert state(national_page)["layout"] == "hierarchy"
    box = national_page.locator("#graph").bounding_box()
    outside = national_page.evaluate(
        """([w, h]) => window.kg.graph.nodes().filter(k => {
            const v = window.kg.renderer.graphToViewport(window.kg.graph.getNodeAttributes(k));
            return v.x < -1 || v.y < -1 || v.x > w + 1 || v.y > h + 1; }).length""",
        [box["width"], box["height"]],
    )
    assert outside == 0
    # zoom in and away, then "fit" brings everything back
    national_page.evaluate("window.kg.renderer.getCamera().setState({x: 0.9, y: 0.9, ratio: 0.05})")
    national_page.click("#fit")
    national_page.wait_for_timeout(500)
    assert (
        national_page.evaluate(
            """([w, h]) => window.kg.graph.nodes().filter(k => {
            const v = window.kg.renderer.graphToViewport(window.kg.graph.getNodeAttributes(k));
            return v.x < -1 || v.y < -1 || v.x > w + 1 || v.y > h + 1; }).length""",
            [box["width"], box["height"]],
        )
        == 0
    )


def test_a_kind_has_one_colour_on_every_page(
    browser: Any, national_page: Any, small: KnowledgeGraph, tmp_path: Path
) -> None:
    path = tmp_path / "hanoi.html"
    write(kg.network(small, focus="ha noi", include_units=True), path)
    page, _ = open_page(browser, path)
    legend = (
        "els => Object.fromEntries(els.map(e => "
        "[e.dataset.id, e.nextElementSibling.style.background]))"
    )
    here = page.locator("#kinds input").evaluate_all(legend)
    there = national_page.locator("#kinds input").evaluate_all(legend)
    shared = set(here) & set(there)
    assert K + "PeoplesCommittee" in shared
    assert {k: here[k] for k in shared} == {k: there[k] for k in shared}
    page.close()


@needs_dot
@pytest.mark.parametrize("layout", ["network", "hierarchy"])
def test_the_national_overview_as_svg_and_png(
    country: nx.MultiDiGraph, shots: Path, layout: str
) -> None:
    import re
    import struct

    svg = render(country, "svg", layout=layout).decode("utf-8")
    assert "Chính phủ" in svg and "Bộ Nội vụ" in svg
    png = render(country, "png", layout=layout)
    (shots / f"national-{layout}.png").write_bytes(png)
    width, height = struct.unpack(">II", png[16:24])
    assert max(width, height) <= 40 * 72 and max(width, height) / min(width, height) < 4
    assert re.search(r'<svg width="\d+pt"', svg)
