"""``kg serve``: the SPARQL 1.1 Protocol, the catalog API, linked data pages, limits, errors.

Protocol tests talk HTTP to a real server (uvicorn on a free loopback port, in a thread);
the rest call the app in-process with :func:`kg.serve.fetch`. Every answer is checked against
the graph itself (the same query run by the library), never against numbers written here.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, RDFS
from rdflib.query import Result

import kg
from kg.cli import cli
from kg.graph import KnowledgeGraph
from kg.namespaces import CCHC, ID
from kg.query import default_catalog
from kg.serve import ServeConfig, create_app, fetch
from kg.serve.resources import local

#: rdflib's JSON-LD parser warns about its own internal use of ConjunctiveGraph.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

SELECT = "SELECT ?o ?l WHERE { ?o a org:Organization ; rdfs:label ?l } ORDER BY ?o ?l LIMIT 5"
CONSTRUCT = (
    "CONSTRUCT { ?o rdfs:label ?l } WHERE { ?o a org:Organization ; rdfs:label ?l } "
    "ORDER BY ?o ?l LIMIT 6"
)
#: Slow on any graph of more than a few hundred triples, and it streams: rows come one by one
#: (a cross product), so the server's reader stops it at the deadline.
SLOW = "SELECT ?a ?c WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
RDF_TYPES = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "json-ld": "application/ld+json",
    "xml": "application/rdf+xml",
}


# --- servers ---------------------------------------------------------------------------------


class _Server:
    """An app served by uvicorn on a free loopback port, in a thread of this process."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self.thread.start()
        started = time.monotonic()
        while not self.server.started:
            if time.monotonic() - started > 30 or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def app(kgraph: KnowledgeGraph) -> Any:
    return create_app(kgraph, ServeConfig())


@pytest.fixture(scope="module")
def server(app: Any) -> Iterator[str]:
    running = _Server(app)
    yield running.url
    running.stop()


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=60) as http:
        yield http


def assert_error(status: int, headers: Any, body: bytes, expected: int) -> dict[str, Any]:
    """The one error shape: JSON ``{"ok": false, "error": message, "status": code}``, the code
    being the HTTP status, and no stack trace."""
    assert status == expected, body[:300]
    assert headers["content-type"].startswith("application/json")
    payload = json.loads(body)
    assert set(payload) == {"ok", "error", "status"}
    assert payload["ok"] is False
    assert payload["status"] == expected
    assert isinstance(payload["error"], str) and payload["error"].strip()
    assert "Traceback" not in payload["error"]
    return payload


def check_error(response: httpx.Response, expected: int) -> dict[str, Any]:
    return assert_error(response.status_code, response.headers, response.content, expected)


def rows_of(result: Result) -> list[dict[str, Any]]:
    return [
        {str(k): v for k, v in row.asdict().items()}  # type: ignore[union-attr]
        for row in result
    ]


# --- SPARQL 1.1 Protocol ---------------------------------------------------------------------


def test_query_by_get_post_form_and_post_body_give_the_graphs_answer(
    client: httpx.Client, kgraph: KnowledgeGraph
) -> None:
    expected = rows_of(kgraph.sparql(SELECT))
    accept = {"Accept": RESULT_TYPES["json"]}
    answers = [
        client.get("/sparql", params={"query": SELECT}, headers=accept),
        client.post("/sparql", data={"query": SELECT}, headers=accept),
        client.post(
            "/sparql",
            content=SELECT.encode(),
            headers={**accept, "Content-Type": "application/sparql-query"},
        ),
    ]
    for answer in answers:
        assert answer.status_code == 200
        assert answer.headers["content-type"] == RESULT_TYPES["json"]
        parsed = Result.parse(io.BytesIO(answer.content), format="json")
        assert rows_of(parsed) == expected
    assert len(expected) == 5


@pytest.mark.parametrize("fmt", sorted(RESULT_TYPES))
def test_each_result_format_by_accept(
    client: httpx.Client, kgraph: KnowledgeGraph, fmt: str
) -> None:
    answer = client.get("/sparql", params={"query": SELECT}, headers={"Accept": RESULT_TYPES[fmt]})
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == RESULT_TYPES[fmt]
    expected = rows_of(kgraph.sparql(SELECT))
    parsed = rows_of(Result.parse(io.BytesIO(answer.content), format=fmt))
    if fmt == "csv":  # CSV keeps the text of each term, not its kind or language
        expected = [{k: str(v) for k, v in row.items()} for row in expected]
        parsed = [{k: str(v) for k, v in row.items()} for row in parsed]
    assert parsed == expected


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_ask_in_json_and_xml(client: httpx.Client, fmt: str) -> None:
    for text, truth in (("ASK { ?o a org:Organization }", True), ("ASK { <urn:no> ?p ?o }", False)):
        answer = client.get(
            "/sparql", params={"query": text}, headers={"Accept": RESULT_TYPES[fmt]}
        )
        assert Result.parse(io.BytesIO(answer.content), format=fmt).askAnswer is truth


@pytest.mark.parametrize("fmt", sorted(RDF_TYPES))
def test_construct_in_each_rdf_format_by_accept(
    client: httpx.Client, kgraph: KnowledgeGraph, fmt: str
) -> None:
    answer = client.post("/sparql", data={"query": CONSTRUCT}, headers={"Accept": RDF_TYPES[fmt]})
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == RDF_TYPES[fmt]
    expected = kgraph.sparql(CONSTRUCT).graph
    assert expected is not None and len(expected) >= 2
    assert isomorphic(Graph().parse(data=answer.content, format=fmt), expected)


def test_a_syntax_error_is_400_with_the_message(client: httpx.Client) -> None:
    payload = check_error(client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x"}), 400)
    assert "SPARQL syntax error" in payload["error"]


def test_format_parameter_wins_over_accept(client: httpx.Client) -> None:
    answer = client.get(
        "/sparql",
        params={"query": SELECT, "format": "csv"},
        headers={"Accept": RESULT_TYPES["xml"]},
    )
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.text.splitlines()[0] == "o,l"


def test_sparqlwrapper_runs_a_query(server: str, kgraph: KnowledgeGraph) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper

    endpoint = SPARQLWrapper(f"{server}/sparql")
    endpoint.setQuery(SELECT)
    endpoint.setReturnFormat(JSON)
    bindings = endpoint.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    expected = rows_of(kgraph.sparql(SELECT))
    assert [(b["o"]["value"], b["l"]["value"]) for b in bindings] == [
        (str(r["o"]), str(r["l"])) for r in expected
    ]


def test_rdflib_sparqlstore_runs_a_query(server: str, kgraph: KnowledgeGraph) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(f"{server}/sparql")
    graph = Graph(store=store)
    prefixes = {"org": "http://www.w3.org/ns/org#", "rdfs": str(RDFS)}
    query = "".join(f"PREFIX {p}: <{iri}> " for p, iri in prefixes.items()) + SELECT
    assert rows_of(graph.query(query)) == rows_of(kgraph.sparql(SELECT))
    assert (URIRef(rows_of(kgraph.sparql(SELECT))[0]["o"]), None, None) in graph
    store.close()


def test_kg_own_remote_store_queries_the_server(server: str, kgraph: KnowledgeGraph) -> None:
    """``kg query --endpoint`` sends every graph as default-graph-uri and named-graph-uri."""
    remote = KnowledgeGraph.open(endpoint=f"{server}/sparql")
    assert remote.graph_names() == kgraph.graph_names()
    assert kg.query(remote, "hanoi-index-ranks").rows == kg.query(kgraph, "hanoi-index-ranks").rows


def test_default_graph_uri_restricts_the_dataset(
    client: httpx.Client, kgraph: KnowledgeGraph
) -> None:
    name = kgraph.graph_names()[0]
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    answer = client.post("/sparql", data={"query": text, "default-graph-uri": str(name)})
    count = int(answer.json()["results"]["bindings"][0]["n"]["value"])
    assert count == kgraph.graph_size(name)


def test_the_memory_store_is_served_alike(kgraph: KnowledgeGraph) -> None:
    graph = KnowledgeGraph(store="memory")
    for name in kgraph.graph_names()[:3]:
        graph.add(name, kgraph.triples(name))
    app = create_app(graph, ServeConfig(max_rows=3))
    for text in (SELECT, CONSTRUCT, "ASK { ?s ?p ?o }"):
        status, _, body = fetch(
            app, "/sparql?" + urlencode({"query": text}), headers={"Accept": "text/turtle, */*"}
        )
        assert status == 200
        expected = graph.sparql(text)
        if expected.type == "SELECT":
            parsed = Result.parse(io.BytesIO(body), format="json")
            assert rows_of(parsed) == rows_of(expected)[:3]
        elif expected.type == "CONSTRUCT":
            assert expected.graph is not None
            assert len(Graph().parse(data=body, format="turtle")) == min(3, len(expected.graph))
        else:
            assert json.loads(body)["boolean"] is True


def test_a_long_answer_is_cut_at_max_rows_with_headers(kgraph: KnowledgeGraph) -> None:
    small = create_app(kgraph, ServeConfig(max_rows=2))
    text = "SELECT ?o WHERE { ?o a org:Organization }"
    status, headers, body = fetch(small, "/sparql?" + urlencode({"query": text}))
    assert status == 200
    assert headers["kg-truncated"] == "true" and headers["kg-max-rows"] == "2"
    assert len(json.loads(body)["results"]["bindings"]) == 2
    text += " LIMIT 2"
    status, headers, body = fetch(small, "/sparql?" + urlencode({"query": text}))
    assert len(json.loads(body)["results"]["bindings"]) == 2
    assert status == 200 and "kg-truncated" not in headers


def test_a_slow_query_gets_503_and_the_server_keeps_answering(kgraph: KnowledgeGraph) -> None:
    running = _Server(create_app(kgraph, ServeConfig(timeout=1, max_rows=10**9)))
    try:
        with httpx.Client(base_url=running.url, timeout=60) as http:
            payload = check_error(http.get("/sparql", params={"query": SLOW}), 503)
            assert "--timeout" in payload["error"]
            answer = http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
            assert answer.status_code == 200 and answer.json()["boolean"] is True
            assert http.get("/queries").status_code == 200
    finally:
        running.stop()


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected", "word"),
    [
        (
            {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"},
            400,
            "SERVICE",
        ),
        ({"query": "SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }"}, 400, "FROM"),
        ({"update": "LOAD <http://example.org/data.ttl>"}, 400, "LOAD"),
        ({"query": "LOAD <file:///etc/passwd>"}, 400, "LOAD"),
        ({"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, 403, "read-only"),
        ({"query": "DROP ALL"}, 403, "read-only"),
    ],
)
def test_service_load_from_and_updates_are_refused(
    client: httpx.Client, kgraph: KnowledgeGraph, data: dict[str, str], expected: int, word: str
) -> None:
    size = len(kgraph)
    payload = check_error(client.post("/sparql", data=data), expected)
    assert word in payload["error"]
    assert len(kgraph) == size


def test_updates_need_the_flag_and_the_token() -> None:
    graph = KnowledgeGraph()
    graph.add("example", [(URIRef("urn:a"), RDFS.label, Literal("a"))])
    app = create_app(graph, ServeConfig(allow_update=True, token="s3cret"))
    update = b"INSERT DATA { GRAPH <urn:g> { <urn:x> <urn:p> <urn:y> } }"
    kind = {"Content-Type": "application/sparql-update"}
    for auth in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret"}):
        status, headers, body = fetch(
            app, "/sparql", method="POST", headers=kind | auth, body=update
        )
        assert_error(status, headers, body, 401)
        assert headers["www-authenticate"].startswith("Bearer")
    status, _, _ = fetch(
        app,
        "/sparql",
        method="POST",
        headers=kind | {"Authorization": "Bearer s3cret"},
        body=update,
    )
    assert status == 200
    assert graph.sparql("ASK { <urn:x> <urn:p> <urn:y> }").askAnswer is True


def test_allow_update_without_a_token_is_refused() -> None:
    with pytest.raises(ValueError, match="--token"):
        ServeConfig(allow_update=True)


def test_cors_is_off_unless_an_origin_is_given(kgraph: KnowledgeGraph, app: Any) -> None:
    origin = {"Origin": "https://example.org"}
    _, headers, _ = fetch(app, "/queries", headers=origin)
    assert "access-control-allow-origin" not in headers
    opened = create_app(kgraph, ServeConfig(cors="https://example.org"))
    _, headers, _ = fetch(opened, "/queries", headers=origin)
    assert headers["access-control-allow-origin"] == "https://example.org"
    _, headers, _ = fetch(opened, "/queries", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in headers


def test_an_internal_error_is_500_in_the_shape_without_a_trace() -> None:
    class Broken(KnowledgeGraph):
        def graph_names(self) -> list[URIRef]:
            raise RuntimeError("secret internals")

    status, headers, body = fetch(create_app(Broken(), ServeConfig()), "/sparql?query=ASK%7B%7D")
    payload = assert_error(status, headers, body, 500)
    assert "secret" not in payload["error"]


# --- the error shape on every error route -----------------------------------------------------

BIG = b"query=" + b"x" * (2 << 20)
ERROR_ROUTES = [
    ("GET", "/no/such/page", {}, b"", 404),
    ("PUT", "/sparql", {}, b"", 405),
    ("GET", "/sparql", {}, b"", 400),
    ("GET", "/sparql?query=SELEC", {}, b"", 400),
    ("GET", "/sparql?query=%FF%FE", {}, b"", 400),
    ("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", {}, b"", 400),
    ("GET", "/sparql?query=ASK%7B%7D", {"Accept": "image/png"}, b"", 406),
    ("GET", "/sparql?query=ASK%7B%7D&format=pdf", {}, b"", 400),
    ("GET", "/sparql?query=ASK%7B%7D&default-graph-uri=http://example.org/", {}, b"", 400),
    ("POST", "/sparql", {"Content-Type": "application/sparql-query"}, b"ASK {\xff}", 400),
    ("POST", "/sparql", {"Content-Type": "text/plain"}, b"ASK {}", 415),
    ("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, BIG, 413),
    ("POST", "/sparql", {"Content-Type": "application/sparql-update"}, b"CLEAR ALL", 403),
    ("GET", "/queries/no-such-query", {}, b"", 404),
    ("GET", "/queries/top-provinces?year=twenty", {}, b"", 400),
    ("GET", "/queries/top-provinces?colour=red", {}, b"", 400),
    ("GET", "/queries/search", {}, b"", 400),
    ("GET", "/queries/top-provinces?format=pdf", {}, b"", 400),
    ("GET", "/id/unit/no-such-unit", {}, b"", 404),
    ("GET", "/id/unit/01", {"Accept": "image/png"}, b"", 406),
    ("GET", "/viz?depth=deep", {}, b"", 400),
    ("GET", "/viz?focus=no%20such%20agency%20anywhere", {}, b"", 400),
]


@pytest.mark.parametrize(("method", "path", "headers", "body", "expected"), ERROR_ROUTES)
def test_every_error_route_answers_in_the_one_shape(
    client: httpx.Client,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    expected: int,
) -> None:
    request = client.build_request(method, path, headers=headers, content=body or None)
    request.url = request.url.copy_with(raw_path=path.encode())  # no re-encoding of %FF
    check_error(client.send(request), expected)


def test_a_bad_parameter_is_named_in_the_message(client: httpx.Client) -> None:
    assert "year" in check_error(client.get("/queries/top-provinces?year=twenty"), 400)["error"]
    assert "colour" in check_error(client.get("/queries/top-provinces?colour=red"), 400)["error"]
    assert "text" in check_error(client.get("/queries/search"), 400)["error"]


# --- the catalog API --------------------------------------------------------------------------


def test_queries_lists_the_catalog(client: httpx.Client) -> None:
    listed = client.get("/queries").json()["queries"]
    catalog = default_catalog()
    assert [q["name"] for q in listed] == [q.name for q in catalog]
    by_name = {q["name"]: q for q in listed}
    for query in catalog:
        assert [p["name"] for p in by_name[query.name]["parameters"]] == [
            p.name for p in query.parameters
        ]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_catalog_query_answers_as_the_library_does(
    client: httpx.Client, kgraph: KnowledgeGraph, fmt: str
) -> None:
    from kg.render import render_results

    params = {"index": "id:index/par-index", "year": "2019", "n": "3"}
    answer = client.get("/queries/top-provinces", params={**params, "format": fmt})
    assert answer.status_code == 200
    expected = render_results(kg.query(kgraph, "top-provinces", **params), fmt, pretty=False)
    assert answer.text == expected
    assert len(kg.query(kgraph, "top-provinces", **params)) > 0


def test_a_catalog_query_by_accept(client: httpx.Client, kgraph: KnowledgeGraph) -> None:
    answer = client.get(
        "/queries/hanoi-index-ranks", headers={"Accept": "text/tab-separated-values"}
    )
    assert answer.headers["content-type"].startswith("text/tab-separated-values")
    rows = Result.parse(io.BytesIO(answer.content), format="tsv")
    assert len(rows_of(rows)) == len(kg.query(kgraph, "hanoi-index-ranks"))


def test_openapi_lists_every_query_and_its_parameters(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    for query in default_catalog():
        operation = spec["paths"][f"/queries/{query.name}"]["get"]
        listed = {p["name"]: p for p in operation["parameters"]}
        assert set(listed) == {p.name for p in query.parameters} | {"format"}
        for param in query.parameters:
            entry = listed[param.name]
            assert entry["x-rdf-type"] == param.type
            assert entry["required"] is (param.default is None)
            assert "type" in entry["schema"]
            if param.example is not None:
                assert str(entry["example"]).lower() == param.example.lower()


# --- linked data ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def described(kgraph: KnowledgeGraph) -> URIRef:
    """A resource with labels in both languages, a quote and a source."""
    rows = kgraph.sparql(
        "SELECT ?s WHERE { ?s rdfs:label ?vi , ?en ; cchc:quote ?q ; prov:wasDerivedFrom ?src "
        "FILTER(LANG(?vi) = 'vi' && LANG(?en) = 'en') } ORDER BY ?s LIMIT 1"
    )
    return URIRef(next(iter(rows))[0])  # type: ignore[index]


def test_a_resource_page_has_its_labels_quotes_sources_and_links(
    client: httpx.Client, kgraph: KnowledgeGraph, described: URIRef
) -> None:
    path = local(described)
    assert path is not None
    answer = client.get(path, headers={"Accept": "text/html,*/*;q=0.8"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    page = answer.text
    for lang in ("vi", "en"):
        labels = [o for o in kgraph.union().objects(described, RDFS.label) if o.language == lang]
        assert any(escape(str(label)) in page for label in labels)
    for quote in kgraph.union().objects(described, CCHC.quote):
        assert escape(str(quote)) in page
    neighbours = set(kgraph.union().objects(described, PROV.wasDerivedFrom))
    neighbours |= {o for o in kgraph.union().objects(described, None) if str(o).startswith(ID)}
    for other in neighbours:
        if local(other):
            assert f'href="{local(other)}"' in page
    assert "<svg" in page and "/viz?focus=" in page
    linked = next(iter(sorted(n for n in neighbours if local(n))))
    assert client.get(local(linked)).status_code == 200  # type: ignore[arg-type]


def test_a_resource_in_turtle_jsonld_and_ntriples(
    client: httpx.Client, kgraph: KnowledgeGraph, described: URIRef
) -> None:
    union = kgraph.union()
    path = local(described)
    graphs = {}
    for fmt in ("turtle", "json-ld", "nt"):
        answer = client.get(path, headers={"Accept": RDF_TYPES[fmt]})  # type: ignore[arg-type]
        assert answer.headers["content-type"].split(";")[0] == RDF_TYPES[fmt]
        graphs[fmt] = Graph().parse(data=answer.content, format=fmt)
    assert set(graphs["turtle"].triples((described, None, None))) == set(
        union.triples((described, None, None))
    )
    assert set(graphs["turtle"].triples((None, None, described))) == set(
        union.triples((None, None, described))
    )
    assert isomorphic(graphs["turtle"], graphs["json-ld"])
    assert isomorphic(graphs["turtle"], graphs["nt"])


def test_the_plain_home_page_links_every_query() -> None:
    from kg.serve.app import catalog_page

    page = catalog_page(default_catalog())
    for query in default_catalog():
        assert f'href="/queries/{query.name}"' in page
        assert escape(query.title("vi")) in page


def test_viz_is_the_page_kg_viz_writes(app: Any, kgraph: KnowledgeGraph) -> None:
    from kg.network import network
    from kg.viz import render

    status, headers, body = fetch(app, "/viz")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert body == render(network(kgraph), "html")


# --- the command line -------------------------------------------------------------------------


def test_cli_get_answers_one_request(tmp_path: Path) -> None:
    data = tmp_path / "tiny.ttl"
    data.write_text('<urn:a> <http://www.w3.org/2000/01/rdf-schema#label> "a" .\n')
    runner = CliRunner()
    done = runner.invoke(cli, ["serve", "--data", str(data), "--get", "/queries"])
    assert done.exit_code == 0, done.output
    names = [q["name"] for q in json.loads(done.stdout)["queries"]]
    assert names == [q.name for q in default_catalog()]
    missing = runner.invoke(cli, ["serve", "--data", str(data), "--get", "/queries/nope"])
    assert missing.exit_code == 1
    assert json.loads(missing.stdout)["status"] == 404


def test_cli_takes_the_token_from_the_environment(tmp_path: Path) -> None:
    data = tmp_path / "tiny.ttl"
    data.write_text('<urn:a> <http://www.w3.org/2000/01/rdf-schema#label> "a" .\n')
    done = CliRunner().invoke(
        cli,
        ["serve", "--data", str(data), "--allow-update", "--get", "/queries"],
        env={"CCHC_KG_SERVE_TOKEN": "s3cret"},
    )
    assert done.exit_code == 0, done.output


def test_cli_refuses_update_without_a_token(tmp_path: Path) -> None:
    done = CliRunner().invoke(
        cli, ["serve", "--allow-update", "--get", "/queries"], env={"CCHC_KG_SERVE_TOKEN": None}
    )
    assert done.exit_code == 2
    assert done.stderr.startswith("Error: --allow-update needs --token")


def test_serve_on_a_busy_port_says_so_before_building(monkeypatch: pytest.MonkeyPatch) -> None:
    """The port is taken before the graph is built: a busy one is one line and exit 2, at once."""
    import importlib

    def no_build(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the graph was built before the port was checked")

    monkeypatch.setattr(importlib.import_module("kg.build"), "build", no_build)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use; "
        "choose another --port or --host"
    )
