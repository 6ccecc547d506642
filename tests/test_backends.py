"""One interface, three backends: rdflib's memory store, Oxigraph, and a remote endpoint.

Differential tests: every catalog query, run with its default and example parameters, gives the
same rows on every backend (as multisets; numbers compared by value), and validation gives the
same report. The remote endpoint is a real Oxigraph server (``oxigraph serve`` from the PyPI
package ``oxigraph``) on a free loopback port, one per test session. Failures of endpoints and
on-disk stores are checked with tiny local servers of our own: each must end in one line naming
the endpoint or folder, exit 2.
"""

from __future__ import annotations

import collections
import http.server
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import catalog_answer, reference_answer
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

import kg
from kg.cli import cli
from kg.graph import KnowledgeGraph
from kg.query import StoredQuery, default_catalog
from kg.report import structure_key
from kg.stores.base import QueryDataset
from kg.stores.remote import ENV_PASSWORD, ENV_USER, RemoteStore

ROOT = Path(__file__).resolve().parent.parent
OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server on a free loopback port: its base URL. Killed after the session."""
    if not Path(OXIGRAPH).exists():
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    port = _free_port()
    location = tmp_path_factory.mktemp("oxigraph-server")
    process = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the oxigraph server did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        process.kill()
        process.wait(timeout=10)


def _endpoint_args(base: str) -> list[str]:
    return [
        "--endpoint",
        base + "/query",
        "--update-endpoint",
        base + "/update",
        "--graph-store",
        base + "/store",
    ]


@pytest.fixture(scope="session")
def remote(server: str, small: dict[str, KnowledgeGraph]) -> KnowledgeGraph:
    """The small graph pushed to the server with ``kg push``, as a KnowledgeGraph."""
    source = small["oxigraph"]
    store = RemoteStore(
        server + "/query", update_endpoint=server + "/update", graph_store=server + "/store"
    )
    for name in source.graph_names():
        store.replace_graph(name, source.triples(name))
    return KnowledgeGraph(store=store)


# ---------------------------------------------------------------------------------------------
# Differential: the catalog on every backend


def _examples(query: StoredQuery) -> dict[str, str]:
    return {p.name: p.example for p in query.parameters if p.example is not None}


def _answer(graph: KnowledgeGraph, query: StoredQuery) -> Any:
    return catalog_answer(graph, query, _examples(query))


CATALOG = list(default_catalog(ROOT))


def _reference(small: dict[str, KnowledgeGraph], query: StoredQuery) -> Any:
    return reference_answer(small, query, _examples(query))


@pytest.mark.parametrize("query", CATALOG, ids=[q.name for q in CATALOG])
def test_catalog_query_answers_the_same_on_oxigraph_as_on_rdflib(
    small: dict[str, KnowledgeGraph], query: StoredQuery
) -> None:
    assert _answer(small["oxigraph"], query) == _reference(small, query)


@pytest.mark.parametrize("query", CATALOG, ids=[q.name for q in CATALOG])
def test_catalog_query_answers_the_same_on_an_oxigraph_server(
    small: dict[str, KnowledgeGraph], remote: KnowledgeGraph, query: StoredQuery
) -> None:
    assert _answer(remote, query) == _reference(small, query)


def test_every_backend_holds_the_same_quads(
    small: dict[str, KnowledgeGraph], remote: KnowledgeGraph
) -> None:
    memory = small["memory"]
    for other in (small["oxigraph"], remote):
        assert other.graph_names() == memory.graph_names()
        assert len(other) == len(memory)
        name = kg.graph.DERIVED_GRAPH
        assert other.graph_size(name) == memory.graph_size(name)


def test_validation_gives_the_same_report_on_every_backend(
    small: dict[str, KnowledgeGraph], remote: KnowledgeGraph
) -> None:
    def key(report: kg.Report) -> collections.Counter[tuple[Any, ...]]:
        # a path of several steps is a blank node: compared by what it says, not its label
        return collections.Counter(
            (r.focus_node, structure_key(report.graph, r.path), r.constraint, r.severity, r.value)
            for r in report.results
            if not isinstance(r.focus_node, Literal)
        )

    reports = {
        name: kg.validate(graph)
        for name, graph in (("memory", small["memory"]), ("oxigraph", small["oxigraph"]))
    }
    reports["remote"] = kg.validate(remote)
    assert reports["oxigraph"].conforms == reports["memory"].conforms
    assert reports["remote"].conforms == reports["memory"].conforms
    assert key(reports["oxigraph"]) == key(reports["memory"])
    assert key(reports["remote"]) == key(reports["memory"])


def test_parameters_are_bound_as_terms_on_every_backend(
    small: dict[str, KnowledgeGraph], remote: KnowledgeGraph
) -> None:
    text = 'SELECT ?s WHERE { ?s rdfs:label ?_name . FILTER (LANG(?_name) = "vi") }'
    hanoi = Literal("Thành phố Hà Nội", lang="vi")
    hostile = Literal('x" } ; DROP ALL ; #', lang="vi")
    for graph in (small["memory"], small["oxigraph"], remote):
        found = {r["s"] for r in graph.sparql(text, bindings={"_name": hanoi})}
        assert URIRef("https://w3id.org/cchc/id/unit/01") in found
        assert list(graph.sparql(text, bindings={"_name": hostile})) == []
    assert len(remote) == len(small["memory"])  # the hostile value dropped nothing


def test_labels_come_from_any_store(small: dict[str, KnowledgeGraph]) -> None:
    unit = URIRef("https://w3id.org/cchc/id/unit/01")
    for graph in small.values():
        labels = graph.labels([unit, Literal("x")])
        assert (unit, RDFS.label, Literal("Thành phố Hà Nội", lang="vi")) in labels


def test_export_is_the_same_from_memory_and_oxigraph(small: dict[str, KnowledgeGraph]) -> None:
    """Byte for byte but for the lexical form of numbers: Oxigraph keeps the value of an
    ``xsd:decimal``, not how it was written ("1.0" comes back as "1"), rdflib keeps both."""

    def lines(graph: KnowledgeGraph) -> collections.Counter[str]:
        text = kg.serialize(graph, "nq").decode("utf-8")
        return collections.Counter(re.sub(_DECIMAL, _by_value, line) for line in text.splitlines())

    assert lines(small["oxigraph"]) == lines(small["memory"])


_DECIMAL = re.compile(r'"([^"]*)"\^\^<http://www\.w3\.org/2001/XMLSchema#decimal>')


def _by_value(match: re.Match[str]) -> str:
    return f"decimal:{Decimal(match.group(1)).normalize()}"


# ---------------------------------------------------------------------------------------------
# The command line against the server and on-disk stores


def test_kg_push_then_query_and_validate_the_endpoint(server: str, tmp_path: Path) -> None:
    data = tmp_path / "tiny.trig"
    data.write_text(
        "<https://w3id.org/cchc/graph/tiny> { <urn:x:hn> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Hà Nội"@vi . }\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    pushed = runner.invoke(cli, ["push", "-q", "--data", str(data), *_endpoint_args(server)])
    assert pushed.exit_code == 0, pushed.output
    assert "Pushed 1 triples in 1 graphs" in pushed.output
    again = runner.invoke(cli, ["push", "-q", "--data", str(data), *_endpoint_args(server)])
    assert again.exit_code == 0  # replaced, not added twice
    store = RemoteStore(server + "/query")
    assert store.graph_size(URIRef("https://w3id.org/cchc/graph/tiny")) == 1
    asked = runner.invoke(
        cli,
        [
            "query",
            "--sparql",
            'SELECT ?s WHERE { ?s rdfs:label "Hà Nội"@vi }',
            "--format",
            "csv",
            "--endpoint",
            server + "/query",
        ],
    )
    assert asked.exit_code == 0, asked.output
    assert "urn:x:hn" in asked.output


def test_push_without_a_graph_store_uses_one_update_per_graph(server: str) -> None:
    store = RemoteStore(server + "/query", update_endpoint=server + "/update")
    name = URIRef("https://w3id.org/cchc/graph/update-test")
    store.replace_graph(name, [(URIRef("urn:a"), RDFS.label, Literal('một "hai"\nba', lang="vi"))])
    store.replace_graph(name, [(URIRef("urn:b"), RDFS.label, Literal("bốn", lang="vi"))])
    assert set(store.triples(name)) == {(URIRef("urn:b"), RDFS.label, Literal("bốn", lang="vi"))}


@pytest.mark.parametrize("graph_store", [True, False], ids=["graph-store", "update"])
def test_a_graph_larger_than_a_request_goes_in_pieces_through_a_staging_graph(
    server: str, graph_store: bool
) -> None:
    """No request larger than --max-request: the pieces gather in a staging graph outside the
    project's, which one MOVE puts in place of the old graph."""
    store = RemoteStore(
        server + "/query",
        update_endpoint=server + "/update",
        graph_store=server + "/store" if graph_store else None,
        max_request=4096,
    )
    name = URIRef("https://w3id.org/cchc/graph/pieces")
    store.replace_graph(name, [(URIRef("urn:x:old"), RDFS.label, Literal("cũ", lang="vi"))])
    new = {
        (URIRef(f"urn:x:{i}"), RDFS.label, Literal(f"nhãn {i} " + "x" * 80, lang="vi"))
        for i in range(400)
    }
    store.replace_graph(name, new)
    assert set(store.triples(name)) == new
    assert store.graph_names().count(name) == 1
    # every graph the server holds: no dataset of ours, its own (all named graphs)
    everything = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    server_default = QueryDataset(default=[], named=[])
    graphs = {
        r["g"] for r in KnowledgeGraph(store=store).sparql(everything, dataset=server_default)
    }
    assert name in graphs
    assert not any(str(g).startswith("https://w3id.org/cchc/staging/") for g in graphs)


def test_kg_push_max_request_takes_a_size(server: str, tmp_path: Path) -> None:
    data = tmp_path / "big.trig"
    lines = "".join(f'<urn:x:{i}> <urn:x:p> "{"y" * 100}" .\n' for i in range(300))
    data.write_text(f"<https://w3id.org/cchc/graph/big> {{\n{lines}}}\n", encoding="utf-8")
    runner = CliRunner()
    pushed = runner.invoke(
        cli, ["push", "-q", "--data", str(data), "--max-request", "8K", *_endpoint_args(server)]
    )
    assert pushed.exit_code == 0, pushed.output
    assert (
        RemoteStore(server + "/query").graph_size(URIRef("https://w3id.org/cchc/graph/big")) == 300
    )
    wrong = runner.invoke(
        cli, ["push", "--data", str(data), "--max-request", "lots", *_endpoint_args(server)]
    )
    assert wrong.exit_code == 2
    assert "'lots' is not a size such as 4M, 512K or 4000000" in wrong.output


def test_build_to_disk_then_query_without_building(tmp_path: Path) -> None:
    store = tmp_path / "store"
    project = _tiny_project(tmp_path)
    runner = CliRunner()
    built = runner.invoke(
        cli, ["build", "-q", "--root", str(project), "--store", "oxigraph", "--path", str(store)]
    )
    assert built.exit_code == 0, built.output
    assert (store / "kg-store.json").exists()
    shutil.rmtree(project)  # nothing left to build from: the query must read the store
    asked = runner.invoke(
        cli,
        [
            *("query", "--sparql", "SELECT ?l WHERE { ?s rdfs:label ?l }"),
            *("--format", "csv", "--path", str(store)),
        ],
    )
    assert asked.exit_code == 0, asked.output
    assert "Hà Nội" in asked.output
    listed = runner.invoke(cli, ["export", "--list-graphs", "--path", str(store)])
    assert "ontology/shapes" in listed.output


def _tiny_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "ontology").mkdir(parents=True)
    (project / "data").mkdir()
    (project / "ontology" / "shapes.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:x:S> a sh:NodeShape .\n"
    )
    (project / "data" / "hn.ttl").write_text(
        '<urn:x:hn> <http://www.w3.org/2000/01/rdf-schema#label> "Hà Nội"@vi .\n',
        encoding="utf-8",
    )
    return project


def test_a_folder_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a store")
    runner = CliRunner()
    asked = runner.invoke(cli, ["query", "--sparql", "ASK {}", "--path", str(tmp_path)])
    assert asked.exit_code == 2
    assert f"{tmp_path} is not an Oxigraph store" in asked.output
    built = runner.invoke(
        cli, ["build", "-q", "--root", str(_tiny_project(tmp_path)), "--path", str(tmp_path)]
    )
    assert built.exit_code == 2
    assert "refusing to replace it" in built.output
    assert (tmp_path / "notes.txt").read_text() == "not a store"


def test_a_store_locked_by_another_process_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "store"
    project = _tiny_project(tmp_path)
    runner = CliRunner()
    built = runner.invoke(cli, ["build", "-q", "--root", str(project), "--path", str(store)])
    assert built.exit_code == 0, built.output
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); print('ok', flush=True);"
            " sys.stdin.read()",
            str(store),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"ok"
        again = runner.invoke(cli, ["build", "-q", "--root", str(project), "--path", str(store)])
        assert again.exit_code == 2
        assert "locked by another process" in again.output
        assert "Traceback" not in again.output
    finally:
        holder.kill()
        holder.communicate()  # closes its pipes too


# ---------------------------------------------------------------------------------------------
# Endpoints that fail


class _Handler(http.server.BaseHTTPRequestHandler):
    status = 500
    body = b"Internal error: the disk is full"
    delay = 0.0
    seen: list[str] = []  # noqa: RUF012 - one list per server class, reset by each test

    def _answer(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        if self.delay:
            time.sleep(self.delay)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(self.status)
        if self.status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="sparql"')
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def failing() -> Iterator[tuple[str, type[_Handler]]]:
    """A tiny HTTP server whose answer each test sets: (base URL, handler class)."""
    handler = type("Handler", (_Handler,), {"seen": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # a client that gave up (the timeout tests) makes the late answer fail: say nothing, or
    # socketserver prints a traceback into whatever test reads stderr next
    httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def _one_line_error(result: Any, url: str) -> str:
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    assert url in lines[0]
    assert "Traceback" not in result.output
    return lines[0]


def test_an_unreachable_endpoint_is_one_line_exit_2() -> None:
    url = f"http://127.0.0.1:{_free_port()}/sparql"
    result = CliRunner().invoke(cli, ["query", "--sparql", "ASK {}", "--endpoint", url])
    assert "cannot reach" in _one_line_error(result, url)


def test_a_wrong_password_is_one_line_exit_2(
    failing: tuple[str, type[_Handler]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, handler = failing
    handler.status, handler.body = 401, b"Unauthorized"
    monkeypatch.setenv(ENV_USER, "admin")
    monkeypatch.setenv(ENV_PASSWORD, "wrong")
    url = base + "/sparql"
    result = CliRunner().invoke(cli, ["validate", "--endpoint", url])
    line = _one_line_error(result, url)
    assert "refused the credentials (HTTP 401" in line
    assert ENV_PASSWORD in line and "wrong" not in line


def test_a_server_error_is_one_line_with_what_it_said(failing: tuple[str, type[_Handler]]) -> None:
    base, _handler = failing
    url = base + "/sparql"
    result = CliRunner().invoke(cli, ["stats", "--endpoint", url])
    line = _one_line_error(result, url)
    assert "HTTP 500: Internal error: the disk is full" in line


def test_a_server_that_does_not_answer_times_out(failing: tuple[str, type[_Handler]]) -> None:
    base, handler = failing
    handler.delay = 3.0
    url = base + "/sparql"
    result = CliRunner().invoke(
        cli, ["query", "--sparql", "ASK {}", "--endpoint", url, "--timeout", "0.5"]
    )
    assert "did not answer within 0.5 s" in _one_line_error(result, url)


def test_a_failed_push_names_the_graph_left_as_it_was(
    failing: tuple[str, type[_Handler]], tmp_path: Path
) -> None:
    base, handler = failing
    data = tmp_path / "two.trig"
    data.write_text(
        "<https://w3id.org/cchc/graph/a> { <urn:x:a> <urn:x:p> 1 . }\n"
        "<https://w3id.org/cchc/graph/b> { <urn:x:b> <urn:x:p> 2 . }\n"
    )
    url = base + "/sparql"
    result = CliRunner().invoke(
        cli, ["push", "-q", "--data", str(data), "--endpoint", url, "--graph-store", base + "/gs"]
    )
    assert result.exit_code == 2
    assert "graph a left as it was; 0 of 2 graphs pushed" in result.output
    assert [s.split(" ")[0] for s in handler.seen] == ["PUT"]  # stopped at the first failure


def test_remote_store_refuses_a_url_that_is_not_http() -> None:
    with pytest.raises(kg.KgUsageError, match="not an http"):
        RemoteStore("file:///etc/passwd")


def test_dataset_of_another_store_is_a_copy_made_again_after_a_change() -> None:
    graph = KnowledgeGraph(store="oxigraph")
    one = Graph()
    one.add((URIRef("urn:x:a"), RDFS.label, Literal("một", lang="vi")))
    graph.add("one", one)
    assert len(graph.dataset) == 1
    graph.add("two", [(URIRef("urn:x:b"), RDFS.label, Literal("hai", lang="vi"))])
    assert len(graph.dataset) == 2
    assert graph.dataset is graph.dataset  # made once per change, not per use
