"""kg serve in headless Chromium: the query page runs a catalog query, a resource page shows its
label and links, and no request leaves 127.0.0.1. Also the query page's HTML without a browser.
"""

from __future__ import annotations

import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import kg
from kg.graph import KnowledgeGraph
from kg.namespaces import resource
from kg.query import default_catalog
from kg.serve.query_page import BUNDLE, EXAMPLES, editor_text, query_page

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
]
UBND_HN = resource("agency", "ubnd-thanh-pho-ha-noi")

needs_bundle = pytest.mark.skipif(
    not BUNDLE.exists(), reason="kg/serve/static/query.bundle.js is not built: run `make build`"
)


# --- the page's HTML, without a browser --------------------------------------------------------


class _Links(HTMLParser):
    """Every tag's URL-valued attribute, and the tags that would load something."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        for name, value in attrs:
            if name in ("href", "src", "action", "srcset", "poster", "data") and value:
                self.urls.append(value)


@pytest.fixture(scope="module")
def page_html() -> str:
    if not BUNDLE.exists():
        pytest.skip("kg/serve/static/query.bundle.js is not built: run `make build`")
    return query_page(default_catalog())


def test_the_page_lists_every_catalog_query(page_html: str) -> None:
    catalog = default_catalog()
    assert len(catalog) > 0
    for query in catalog:
        assert f'id="q-{query.name}"' in page_html
        assert f'data-load="{query.name}"' in page_html
        assert f'href="/queries/{query.name}"' in page_html
        assert f'<span lang="vi">{escape(query.title("vi"))}</span>' in page_html
        assert f'<span class="en" lang="en">{escape(query.title("en"))}</span>' in page_html
        for param in query.parameters:
            assert f"<code>{param.name}</code></td><td><code>{param.type}</code>" in page_html
    for title_vi, title_en, _ in EXAMPLES:
        assert f'<span lang="vi">{escape(title_vi)}</span>' in page_html
        assert f'<span class="en" lang="en">{escape(title_en)}</span>' in page_html


def test_the_page_names_no_other_host(page_html: str) -> None:
    parser = _Links()
    parser.feed(page_html)
    assert parser.urls, "the page links to the catalog API"
    outside = [u for u in parser.urls if not u.startswith(("/", "#"))]
    assert outside == []
    assert not [t for t, a in parser.tags if t == "link" or (t == "script" and "src" in a)]
    policy = next(a["content"] for t, a in parser.tags if a.get("http-equiv"))
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    # the endpoint the editor is pointed at is the server's own
    assert '"endpoint":"/sparql"' in page_html


def test_the_bundle_has_no_cdn() -> None:
    """No script, style or font is fetched from a CDN. (The bundle still holds YASGUI's list of
    prefix.cc namespaces, documentation links and the LOV address of the completers the page
    unregisters: strings, never requested, as the browser tests show.)"""
    if not BUNDLE.exists():
        pytest.skip("kg/serve/static/query.bundle.js is not built: run `make build`")
    text = BUNDLE.read_text(encoding="utf-8") + BUNDLE.with_suffix(".css").read_text("utf-8")
    cdn = re.compile(
        r"jsdelivr|unpkg|cdnjs|googleapis|gstatic|fonts\.|bootstrapcdn|cloudflare|"
        r"fontawesome\.com|url\(\s*['\"]?(https?:)?//"
    )
    assert [m.group(0) for m in cdn.finditer(text)] == []


@needs_bundle
def test_base_path_moves_the_endpoint_and_links() -> None:
    html = query_page(default_catalog(), base="/kg")
    assert '"endpoint":"/kg/sparql"' in html
    assert 'href="/kg/queries/search"' in html and 'href="/kg/viz"' in html
    assert query_page(default_catalog(), base="/kg/") == html


def test_a_missing_bundle_says_to_run_make_build(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import kg.serve.query_page as module

    monkeypatch.setattr(module, "BUNDLE", tmp_path / "query.bundle.js")
    with pytest.raises(kg.KgFileError, match="run `make build`"):
        query_page(default_catalog())


@pytest.mark.parametrize("name", ["article-facts", "hanoi-index-ranks", "search"])
def test_the_editor_text_gives_the_catalog_answer(kgraph: KnowledgeGraph, name: str) -> None:
    """What the load button puts in the editor answers as the catalog query does, with its
    defaults (else its examples) written into the text."""
    query = default_catalog().get(name)
    text = editor_text(query)
    body = "\n".join(ln for ln in text.splitlines() if not ln.startswith("#"))
    assert query.parameters and not [p for p in query.parameters if f"?_{p.name}" in body]
    params = {p.name: p.example for p in query.parameters if p.default is None}
    expected = kg.query(kgraph, name, **params)
    assert len(expected) > 0
    got = [row.asdict() for row in kgraph.sparql(text)]
    assert sorted(sorted(r.items()) for r in got) == sorted(
        sorted(dict(r).items()) for r in expected
    )


def test_every_editor_text_parses_without_the_catalogs_prefixes() -> None:
    from rdflib.plugins.sparql import prepareQuery

    for query in default_catalog():
        prepareQuery(editor_text(query))  # raises on a prefix the text does not declare


# --- the server in a browser ------------------------------------------------------------------


def _app(graph: KnowledgeGraph) -> Any:
    from kg.serve.app import create_app
    from kg.serve.config import ServeConfig

    return create_app(graph, ServeConfig())


@pytest.fixture(scope="module")
def server(kgraph: KnowledgeGraph) -> Iterator[str]:
    """kg serve on the provinces-only graph, on a free loopback port, in a thread."""
    uvicorn = pytest.importorskip("uvicorn")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(_app(kgraph), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    if not BUNDLE.exists():
        pytest.skip("kg/serve/static/query.bundle.js is not built: run `make build`")
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


@pytest.fixture
def requests(browser: Any) -> Iterator[list[str]]:
    """Every URL the browser asks for during one test, from any page."""
    seen: list[str] = []

    def record(request: Any) -> None:
        seen.append(request.url)

    browser.on("request", record)
    yield seen
    browser.remove_listener("request", record)


def open_page(browser: Any, url: str) -> tuple[Any, list[str]]:
    """Open ``url``; collect what the page says on its console (a request refused by the
    page's Content Security Policy is logged there, and never reaches the request log)."""
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.on("pageerror", lambda e: console.append(f"error: {e}"))
    response = page.goto(url)
    assert response is not None and response.status == 200
    return page, console


def refused(console: list[str]) -> list[str]:
    """Console lines of a request the page tried and its policy refused, or of a page error."""
    return [m for m in console if "Content Security Policy" in m or m.startswith("error:")]


def outside(urls: list[str]) -> list[str]:
    """The requests that left the machine: any host but 127.0.0.1 (data: and blob: stay)."""
    return [
        u
        for u in urls
        if not u.startswith(("data:", "blob:", "about:")) and urlsplit(u).hostname != "127.0.0.1"
    ]


def test_the_query_page_runs_a_catalog_query(
    browser: Any, server: str, kgraph: KnowledgeGraph, requests: list[str]
) -> None:
    name = "pci-history"
    expected = kg.query(kgraph, name)
    assert 0 < len(expected) < 50  # one page of the table
    page, console = open_page(browser, server + "/")
    page.wait_for_function("window.kgReady === true", timeout=30_000)
    assert page.get_attribute("html", "lang") == "vi"
    page.click(f'#q-{name} button[data-load="{name}"]')
    assert f"queries/{name}.rq" in page.evaluate("window.kg.yasgui.getTab().getQuery()")
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table.dataTable tbody tr td", timeout=30_000)
    rows = page.locator(".yasr table.dataTable tbody tr")
    assert rows.count() == len(expected)
    table = page.inner_text(".yasr table.dataTable")
    first = next(v for v in next(iter(expected)).values() if not str(v).startswith("http"))
    assert str(first) in table
    assert refused(console) == []
    assert outside(requests) == []
    assert any(urlsplit(u).path == "/sparql" for u in requests)
    page.close()


def test_the_editor_suggests_without_asking_anyone(
    browser: Any, server: str, requests: list[str]
) -> None:
    page, console = open_page(browser, server + "/")
    page.wait_for_function("window.kgReady === true", timeout=30_000)
    assert sorted(page.evaluate("Object.keys(window.Yasqe.Autocompleters)")) == [
        "kgPrefixes",
        "variables",
    ]
    page.evaluate("void window.kg.yasgui.getTab().setQuery('')")
    page.click(".yasqe .CodeMirror")
    page.keyboard.type("PREFIX cc")
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hints li", timeout=10_000)
    assert "cchc: <https://w3id.org/cchc/ontology#>" in page.inner_text(".CodeMirror-hints")
    page.keyboard.press("Escape")
    page.keyboard.type("\nSELECT * WHERE { ?s rdfs:lab")
    page.keyboard.press("Control+Space")
    page.keyboard.type("\nSELECT * WHERE { ?s a schema:Pl")
    page.keyboard.press("Control+Space")
    page.wait_for_timeout(500)
    assert outside(requests) == []
    assert refused(console) == []
    page.close()


def test_a_shared_link_opens_its_query_on_this_server_only(
    browser: Any, server: str, requests: list[str]
) -> None:
    """YASGUI's share links carry an endpoint; the page keeps its own whatever the link says."""
    link = "/#query=ASK%20%7B%7D&endpoint=https%3A%2F%2Fexample.org%2Fsparql"
    page, console = open_page(browser, server + link)
    page.wait_for_function("window.kgReady === true", timeout=30_000)
    tab = page.evaluate(
        "[window.kg.yasgui.getTab().getQuery(), window.kg.yasgui.getTab().getEndpoint()]"
    )
    assert tab == ["ASK {}", server + "/sparql"]
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr .booleanResult, .yasr_results :text('true')", timeout=30_000)
    assert outside(requests) == [] and refused(console) == []
    page.close()


def test_a_resource_page_shows_its_label_and_links(
    browser: Any, server: str, kgraph: KnowledgeGraph, requests: list[str]
) -> None:
    label = next(
        str(row["label"])
        for row in kgraph.sparql(
            f"SELECT ?label WHERE {{ <{UBND_HN}> rdfs:label ?label FILTER (LANG(?label) = 'vi') }}"
        )
    )
    path = urlsplit(str(UBND_HN)).path.removeprefix("/cchc")
    page, console = open_page(browser, server + path)
    assert label in page.inner_text("h1")
    links = page.locator('a[href^="/id/"]')
    assert links.count() > 0
    target = links.first.get_attribute("href")
    with page.expect_navigation():
        links.first.click()
    assert urlsplit(page.url).path == target
    assert page.inner_text("h1").strip()
    assert outside(requests) == [] and refused(console) == []
    page.close()
