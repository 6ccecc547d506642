"""What the remote store makes of what endpoints do: challenges, cut answers, their values.

Each test runs a tiny SPARQL endpoint of its own on a free loopback port, answering as the
engines the store meets do (Virtuoso's Digest challenge, its ``X-SPARQL-MaxRows`` header, its 1
and 0 for booleans), and checks what a user of ``kg`` gets: the whole answer, one line when it
cannot be had, values as SPARQL 1.1 says they are.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

import kg
from kg.cli import cli
from kg.graph import KnowledgeGraph
from kg.query import run
from kg.stores.remote import ENV_PASSWORD, ENV_USER, RemoteStore, group_of, members_graph

REALM = "SPARQL"
NONCE = "b2264325003239ab69d39d243d"
GRAPH = "https://w3id.org/cchc/graph/"


class Endpoint(http.server.BaseHTTPRequestHandler):
    """A SPARQL endpoint whose answers a test writes: ``answer(query) -> (status, headers,
    body)``; ``auth`` is None, ``"basic"`` or ``"digest"`` (user ``dba``, password ``dba``)."""

    answer: Callable[[str], tuple[int, dict[str, str], bytes]]
    auth: str | None = None
    seen: list[dict[str, Any]]

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        fields = (
            urllib.parse.parse_qs(body)
            if "form-urlencoded" in (self.headers.get("Content-Type") or "")
            else {}
        )
        query = (fields.get("query") or fields.get("update") or [body])[0]
        sent = self.headers.get("Authorization") or ""
        self.seen.append(
            {
                "method": self.command,
                "auth": sent.split(" ")[0],
                "query": query,
                "fields": fields,
                "path": self.path,
            }
        )
        if self.auth and not self._authorised(sent):
            challenge = (
                f'Basic realm="{REALM}"'
                if self.auth == "basic"
                else f'Digest realm="{REALM}", nonce="{NONCE}", qop="auth", algorithm="MD5"'
            )
            self._send(401, {"WWW-Authenticate": challenge, "Connection": "close"}, b"")
            return
        status, headers, data = type(self).answer(query)
        self._send(status, headers, data)

    def _authorised(self, sent: str) -> bool:
        if self.auth == "basic":
            return sent == "Basic ZGJhOmRiYQ=="  # dba:dba
        if not sent.startswith("Digest "):
            return False
        parts = dict(re.findall(r'(\w+)="?([^",]*)"?', sent[len("Digest ") :]))

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        ha1 = md5(f"dba:{REALM}:dba")
        ha2 = md5(f"{self.command}:{parts.get('uri')}")
        expected = md5(f"{ha1}:{NONCE}:{parts.get('nc')}:{parts.get('cnonce')}:auth:{ha2}")
        return parts.get("nonce") == NONCE and parts.get("response") == expected

    def _send(self, status: int, headers: dict[str, str], data: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def endpoint() -> Iterator[tuple[str, type[Endpoint]]]:
    handler: type[Endpoint] = type("Handler", (Endpoint,), {"seen": []})  # type: ignore[assignment]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/sparql", handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def _json(variables: list[str], rows: list[dict[str, dict[str, str]]]) -> bytes:
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": rows}}).encode()


def _graphs(*names: str) -> bytes:
    return _json(["g"], [{"g": {"type": "uri", "value": n}} for n in names])


def _uri(i: int) -> dict[str, str]:
    return {"type": "uri", "value": f"urn:x:{i}"}


def _answers(*, rows: Callable[[str], tuple[int, dict[str, str], bytes]]) -> Any:
    """An endpoint holding the graph ``x`` of the project, that answers other queries with
    ``rows``."""

    def answer(query: str) -> tuple[int, dict[str, str], bytes]:
        if "GRAPH ?g" in query:
            return 200, {}, _graphs(GRAPH + "x", "http://www.openlinksw.com/schemas/virtrdf#")
        return rows(query)

    return staticmethod(answer)


# ---- credentials ------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["digest", "basic"])
def test_credentials_go_as_the_server_asks_and_with_every_request_after(
    endpoint: tuple[str, type[Endpoint]], monkeypatch: pytest.MonkeyPatch, scheme: str
) -> None:
    url, handler = endpoint
    handler.auth = scheme
    handler.answer = _answers(rows=lambda q: (200, {}, _json(["s"], [{"s": _uri(1)}])))
    monkeypatch.setenv(ENV_USER, "dba")
    monkeypatch.setenv(ENV_PASSWORD, "dba")
    graph = KnowledgeGraph(store=RemoteStore(url))
    for _ in range(3):
        assert [r["s"] for r in run(graph, "SELECT ?s WHERE { ?s ?p ?o }")] == [URIRef("urn:x:1")]
    said = [(s["method"], s["auth"]) for s in handler.seen]
    # asked once, with a HEAD, how; then the credentials go with every request, sent once each
    # (the graphs of the dataset, then three queries)
    assert (
        said == [("HEAD", ""), ("HEAD", scheme.capitalize())] + [("POST", scheme.capitalize())] * 4
    )


def test_a_body_is_sent_once_after_a_head_asks_for_the_challenge(
    endpoint: tuple[str, type[Endpoint]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Virtuoso answers the first try of a request with a challenge and closes the connection:
    a large body would end in a broken pipe. The store asks with a HEAD first."""
    url, handler = endpoint
    handler.auth = "digest"
    handler.answer = staticmethod(lambda q: (200, {}, b""))
    monkeypatch.setenv(ENV_USER, "dba")
    monkeypatch.setenv(ENV_PASSWORD, "dba")
    store = RemoteStore(url, graph_store=url.replace("/sparql", "/store"))
    name = URIRef(GRAPH + "big")
    store.replace_graph(
        name, [(URIRef(f"urn:x:{i}"), URIRef("urn:x:p"), Literal("x" * 200)) for i in range(2000)]
    )
    methods = [(s["method"], s["auth"]) for s in handler.seen]
    assert methods == [("HEAD", ""), ("HEAD", "Digest"), ("PUT", "Digest")]


def test_a_wrong_password_for_digest_is_one_line(
    endpoint: tuple[str, type[Endpoint]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, handler = endpoint
    handler.auth = "digest"
    handler.answer = _answers(rows=lambda q: (200, {}, _json([], [])))
    monkeypatch.setenv(ENV_USER, "dba")
    monkeypatch.setenv(ENV_PASSWORD, "wrong")
    result = CliRunner().invoke(cli, ["query", "--sparql", "ASK {}", "--endpoint", url])
    assert result.exit_code == 2
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "refused the credentials (HTTP 401" in lines[0], result.output
    assert ENV_PASSWORD in lines[0] and "wrong" not in lines[0]


# ---- the dataset ------------------------------------------------------------------------------


def test_the_dataset_is_the_projects_graphs_never_the_engines(
    endpoint: tuple[str, type[Endpoint]],
) -> None:
    url, handler = endpoint
    handler.answer = _answers(rows=lambda q: (200, {}, _json(["s"], [])))
    graph = KnowledgeGraph(store=RemoteStore(url))
    assert graph.graph_names() == [URIRef(GRAPH + "x")]
    run(graph, "SELECT ?s WHERE { ?s ?p ?o }")
    fields = handler.seen[-1]["fields"]
    assert fields["default-graph-uri"] == [GRAPH + "x"]
    assert fields["named-graph-uri"] == [GRAPH + "x"]


# ---- Virtuoso's graph groups ------------------------------------------------------------------

VIRTUOSO = "Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu"
REFUSED = (
    b"Virtuoso 42000 Error SR186:SECURITY: No permission to execute procedure "
    b"DB.DBA.RDF_GRAPH_GROUP_DROP with user ID 107, group ID 107"
)


class FakeVirtuoso:
    """What a Virtuoso server keeps of graph groups, as far as the store can see it: the
    project's graphs ``x`` and ``y``, the groups its SQL procedures define, the graphs put
    by the Graph Store Protocol; ``refuse`` answers every procedure call as Virtuoso answers a
    user without the right."""

    def __init__(self, handler: type[Endpoint], *, refuse: bool = False) -> None:
        handler.server_version = VIRTUOSO
        handler.sys_version = ""
        handler.answer = staticmethod(self.answer)
        self.handler = handler
        self.refuse = refuse
        self.names = [GRAPH + "x", GRAPH + "y"]
        self.groups: dict[str, list[str]] = {}
        self.lists: dict[str, str] = {}  # a members graph: what was put there
        self.calls: list[str] = []

    def answer(self, query: str) -> tuple[int, dict[str, str], bytes]:
        said = self.handler.seen[-1]
        if said["method"] == "PUT":
            graph = urllib.parse.parse_qs(urllib.parse.urlsplit(said["path"]).query)["graph"][0]
            if graph.endswith("/members"):
                self.lists[graph] = query
            return 201, {}, b""
        if "<sql:" in query:
            if self.refuse:
                return 500, {}, REFUSED
            procedure = re.search(r"<sql:(\w+)>", query).group(1)  # type: ignore[union-attr]
            group = re.search(r'\("([^"]+)"', query).group(1)  # type: ignore[union-attr]
            self.calls.append(f"{procedure} {group}")
            if procedure == "RDF_GRAPH_GROUP_DROP":
                self.groups.pop(group, None)
            elif procedure == "RDF_GRAPH_GROUP_CREATE":
                self.groups[group] = []
            else:
                self.groups[group] += re.findall(r"<([^>]+)>", query.split("VALUES", 1)[1])
            return 200, {}, _json(["done"], [{"done": {"type": "literal", "value": "0"}}])
        if query.startswith("DROP SILENT GRAPH"):  # and INSERT DATA, when the graph is put
            graph = re.search(r"<([^>]+)>", query).group(1)  # type: ignore[union-attr]
            self.lists.pop(graph, None)
            if "INSERT DATA" in query and graph.endswith("/members"):
                self.lists[graph] = query
            return 200, {}, b""
        if query.startswith("ASK") and "/members>" in query:
            listed = re.search(r"GRAPH <([^>]+)>", query).group(1)  # type: ignore[union-attr]
            return 200, {}, json.dumps({"boolean": listed in self.lists}).encode()
        if "GRAPH ?g" in query:
            return 200, {}, _graphs(*self.names, "http://www.openlinksw.com/schemas/virtrdf#")
        return 200, {}, _json(["s"], [])


def _push(url: str, tmp_path: Any, *extra: str) -> Any:
    trig = tmp_path / "two.trig"
    trig.write_text(
        f"<{GRAPH}x> {{ <urn:x:a> <urn:x:p> <urn:x:b> . }}\n"
        f"<{GRAPH}y> {{ <urn:x:b> <urn:x:p> <urn:x:c> . }}\n",
        encoding="utf-8",
    )
    return CliRunner().invoke(
        cli,
        [
            *("push", "--data", str(trig), "--endpoint", url),
            *("--graph-store", url.replace("/sparql", "/store")),
            *extra,
        ],
    )


def test_push_to_virtuoso_defines_the_group_and_queries_name_it(
    endpoint: tuple[str, type[Endpoint]], tmp_path: Any
) -> None:
    url, handler = endpoint
    server = FakeVirtuoso(handler)
    result = _push(url, tmp_path)
    assert result.exit_code == 0, result.output
    group = str(group_of([URIRef(n) for n in server.names]))
    assert f"Virtuoso graph group {group} of the 2 graphs it holds" in result.output
    assert server.groups == {group: server.names}
    # the list of members is written only once the group is whole
    assert server.calls[-1] == f"RDF_GRAPH_GROUP_INS {group}"
    puts = [s["path"] for s in handler.seen if s["method"] == "PUT"]
    assert "members" in urllib.parse.unquote(puts[-1])
    assert set(server.lists) == {str(members_graph(URIRef(group)))}

    reader = KnowledgeGraph(store=RemoteStore(url))
    run(reader, "SELECT ?s WHERE { ?s ?p ?o }")
    fields = handler.seen[-1]["fields"]
    assert fields["default-graph-uri"] == [group]
    assert fields["named-graph-uri"] == server.names  # GRAPH ?g still sees each graph


def test_a_group_without_its_list_of_members_is_never_used(
    endpoint: tuple[str, type[Endpoint]],
) -> None:
    """A push that stopped before the list was written may have left a group half-made."""
    url, handler = endpoint
    server = FakeVirtuoso(handler)
    server.groups[str(group_of([URIRef(n) for n in server.names]))] = server.names[:1]
    reader = KnowledgeGraph(store=RemoteStore(url))
    run(reader, "SELECT ?s WHERE { ?s ?p ?o }")
    assert handler.seen[-1]["fields"]["default-graph-uri"] == server.names


def test_a_group_of_other_graphs_is_never_used(endpoint: tuple[str, type[Endpoint]]) -> None:
    url, handler = endpoint
    server = FakeVirtuoso(handler)
    old = group_of([URIRef(server.names[0])])  # pushed before y was
    server.groups[str(old)] = server.names[:1]
    server.lists[str(members_graph(old))] = "listed"
    reader = KnowledgeGraph(store=RemoteStore(url))
    run(reader, "SELECT ?s WHERE { ?s ?p ?o }")
    assert handler.seen[-1]["fields"]["default-graph-uri"] == server.names


def test_a_push_of_other_graphs_leaves_the_group_before_for_readers_that_name_it(
    endpoint: tuple[str, type[Endpoint]], tmp_path: Any
) -> None:
    url, handler = endpoint
    server = FakeVirtuoso(handler)
    old = str(group_of([URIRef(server.names[0])]))
    server.groups[old] = server.names[:1]
    server.lists[str(members_graph(URIRef(old)))] = "listed"
    assert _push(url, tmp_path).exit_code == 0
    group = str(group_of([URIRef(n) for n in server.names]))
    assert server.groups == {old: server.names[:1], group: server.names}
    assert set(server.lists) == {str(members_graph(URIRef(g))) for g in (old, group)}
    run(KnowledgeGraph(store=RemoteStore(url)), "SELECT ?s WHERE { ?s ?p ?o }")
    assert handler.seen[-1]["fields"]["default-graph-uri"] == [group]


def test_a_group_refused_leaves_the_push_done_with_a_warning(
    endpoint: tuple[str, type[Endpoint]], tmp_path: Any
) -> None:
    url, handler = endpoint
    server = FakeVirtuoso(handler, refuse=True)
    result = _push(url, tmp_path)
    assert result.exit_code == 0, result.output
    assert "Pushed 2 triples in 2 graphs" in result.output
    warning = next(ln for ln in result.output.splitlines() if ln.startswith("Warning"))
    assert "no graph group of the project's graphs was defined" in warning
    assert "SR186:SECURITY: No permission" in warning and "kg push --group-only" in warning
    assert not server.lists and not server.groups


def test_another_engine_is_never_asked_for_a_group(
    endpoint: tuple[str, type[Endpoint]], tmp_path: Any
) -> None:
    url, handler = endpoint
    handler.answer = _answers(rows=lambda q: (200, {}, _json(["s"], [])))
    result = _push(url, tmp_path)
    assert result.exit_code == 0, result.output
    run(KnowledgeGraph(store=RemoteStore(url)), "SELECT ?s WHERE { ?s ?p ?o }")
    assert not [s for s in handler.seen if "sql:" in s["query"] or "members" in s["query"]]
    assert "graph group" not in result.output
    # nor asked for its graphs once they are pushed: it said what it is in its answers
    assert [s["method"] for s in handler.seen].count("POST") == 2  # the reader's names, query


def test_group_only_defines_the_group_of_the_graphs_held(
    endpoint: tuple[str, type[Endpoint]],
) -> None:
    """After a bulk load, which pushes nothing through kg."""
    url, handler = endpoint
    server = FakeVirtuoso(handler)
    result = CliRunner().invoke(cli, ["push", "--group-only", "--endpoint", url])
    assert result.exit_code == 0, result.output
    group = str(group_of([URIRef(n) for n in server.names]))
    assert result.output.strip() == f"Defined the graph group {group} of 2 graphs"
    assert server.groups == {group: server.names}
    assert not [s for s in handler.seen if s["method"] == "PUT"]  # no --graph-store: an update
    assert set(server.lists) == {str(members_graph(URIRef(group)))}


def test_group_only_with_a_graph_to_push_is_a_usage_error(
    endpoint: tuple[str, type[Endpoint]], tmp_path: Any
) -> None:
    url, handler = endpoint
    FakeVirtuoso(handler)
    result = _push(url, tmp_path, "--group-only")
    assert result.exit_code == 2
    assert "--group-only pushes nothing: drop --data, --path and --national" in result.output
    provinces = CliRunner().invoke(
        cli, ["push", "--group-only", "--provinces-only", "--endpoint", url]
    )
    assert provinces.exit_code == 2 and "pushes nothing" in provinces.output
    assert not handler.seen


def test_group_only_on_another_engine_is_one_line(endpoint: tuple[str, type[Endpoint]]) -> None:
    url, handler = endpoint
    handler.answer = _answers(rows=lambda q: (200, {}, _json(["s"], [])))
    result = CliRunner().invoke(cli, ["push", "--group-only", "--endpoint", url])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"Error: {url} is not Virtuoso, or holds none of the project's graphs: "
        "no graph group to define"
    )


def test_a_graph_name_that_would_break_a_query_is_none_of_the_projects(
    endpoint: tuple[str, type[Endpoint]],
) -> None:
    """A graph's name read from a server is written into queries (the group's members, the
    count of the dataset): one that would close the IRI and go on as SPARQL is left out."""
    url, handler = endpoint
    hostile = GRAPH + "x> } } ; DROP ALL ; #"

    def answer(query: str) -> tuple[int, dict[str, str], bytes]:
        if "SELECT DISTINCT ?g" in query:
            return 200, {}, _graphs(GRAPH + "x", hostile, GRAPH + "a b")
        return 200, {}, _json(["n"], [{"n": {"type": "literal", "value": "1"}}])

    handler.answer = staticmethod(answer)
    graph = KnowledgeGraph(store=RemoteStore(url))
    assert graph.graph_names() == [URIRef(GRAPH + "x")]
    assert len(graph) == 1
    assert not [s for s in handler.seen if "DROP ALL" in s["query"]]


# ---- answers cut short ------------------------------------------------------------------------

ROWS = [{"s": _uri(i)} for i in range(7)]


def _pages(limit: int, *, header: bool) -> Callable[[str], tuple[int, dict[str, str], bytes]]:
    """An endpoint that gives at most ``limit`` rows of ROWS, a page when asked for one."""

    def rows(query: str) -> tuple[int, dict[str, str], bytes]:
        found = re.search(r"LIMIT (\d+) OFFSET (\d+)\s*$", query)
        start, size = (int(found.group(2)), int(found.group(1))) if found else (0, limit)
        page = ROWS[start : start + min(size, limit)]
        cut = {"X-SPARQL-MaxRows": str(limit)} if header and len(page) == limit else {}
        return 200, cut, _json(["s"], page)

    return rows


def test_an_answer_the_endpoint_says_it_cut_is_fetched_a_page_at_a_time(
    endpoint: tuple[str, type[Endpoint]],
) -> None:
    url, handler = endpoint
    handler.answer = _answers(rows=_pages(3, header=True))
    graph = KnowledgeGraph(store=RemoteStore(url))
    rows = run(graph, "SELECT ?s WHERE { ?s ?p ?o }").rows
    assert [r["s"] for r in rows] == [URIRef(f"urn:x:{i}") for i in range(7)]
    asked = [s["query"] for s in handler.seen[2:]]
    assert [re.search(r"LIMIT \d+ OFFSET \d+", q).group() for q in asked] == [  # type: ignore[union-attr]
        "LIMIT 3 OFFSET 0",
        "LIMIT 3 OFFSET 3",
        "LIMIT 3 OFFSET 6",
    ]
    # in a fixed order, the query inside a subquery
    assert all("ORDER BY ?s" in q and "SELECT * WHERE {" in q for q in asked)


def test_an_answer_as_long_as_a_known_limit_is_fetched_a_page_at_a_time(
    endpoint: tuple[str, type[Endpoint]],
) -> None:
    url, handler = endpoint
    handler.answer = _answers(rows=_pages(3, header=False))
    graph = KnowledgeGraph(store=RemoteStore(url, max_rows=3))
    rows = run(graph, "SELECT ?s WHERE { ?s ?p ?o }").rows
    assert len(rows) == 7


def test_a_cut_construct_is_fetched_a_page_at_a_time(
    endpoint: tuple[str, type[Endpoint]],
) -> None:
    url, handler = endpoint

    def triples(query: str) -> tuple[int, dict[str, str], bytes]:
        found = re.search(r"OFFSET (\d+)\s*$", query)
        start = int(found.group(1)) if found else 0
        lines = [f"<urn:x:{i}> <urn:x:p> <urn:x:o> .\n" for i in range(7)][start : start + 3]
        cut = {"X-SPARQL-MaxRows": "3"} if len(lines) == 3 else {}
        return 200, cut, "".join(lines).encode()

    handler.answer = _answers(rows=triples)
    graph = KnowledgeGraph(store=RemoteStore(url))
    made = run(graph, "CONSTRUCT { ?s <urn:x:p> ?o } WHERE { ?s ?p ?o }").graph
    assert made is not None and len(made) == 7
    assert "ORDER BY ?o ?s" in handler.seen[-1]["query"]


@pytest.mark.parametrize(
    "text",
    [
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 50000",
        "SELECT ?s WHERE { ?s ?p ?o } VALUES ?o { 1 }",
    ],
    ids=["construct-with-limit", "select-with-closing-values"],
)
def test_a_cut_answer_that_cannot_be_paged_is_one_line(
    endpoint: tuple[str, type[Endpoint]], text: str
) -> None:
    url, handler = endpoint

    def cut(query: str) -> tuple[int, dict[str, str], bytes]:
        if query.lstrip().startswith("PREFIX") and "CONSTRUCT" in query:
            return 200, {"X-SPARQL-MaxRows": "3"}, b"<urn:x:1> <urn:x:p> <urn:x:2> .\n" * 3
        return 200, {"X-SPARQL-MaxRows": "3"}, _json(["s"], ROWS[:3])

    handler.answer = _answers(rows=cut)
    form = "nt" if text.startswith("CONSTRUCT") else "csv"
    result = CliRunner().invoke(
        cli, ["query", "--sparql", text, "--endpoint", url, "--format", form]
    )
    assert result.exit_code == 2
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    assert "cut the answer at 3 rows" in lines[0] and "ResultSetMaxRows" in lines[0]


def test_an_endpoint_that_does_not_page_is_one_line(endpoint: tuple[str, type[Endpoint]]) -> None:
    url, handler = endpoint
    handler.answer = _answers(
        rows=lambda q: (200, {"X-SPARQL-MaxRows": "3"}, _json(["s"], ROWS[:3]))
    )
    with pytest.raises(kg.KgStoreError, match="does not take LIMIT and OFFSET"):
        run(KnowledgeGraph(store=RemoteStore(url)), "SELECT ?s WHERE { ?s ?p ?o }")


# ---- values -----------------------------------------------------------------------------------


def test_booleans_and_numbers_read_as_sparql_says(endpoint: tuple[str, type[Endpoint]]) -> None:
    """Virtuoso writes a stored xsd:boolean as 1 and answers BOUND or EXISTS with an integer."""
    url, handler = endpoint

    def values(query: str) -> tuple[int, dict[str, str], bytes]:
        integer, boolean = str(XSD.integer), str(XSD.boolean)
        row = {
            "stored": {"type": "typed-literal", "datatype": boolean, "value": "1"},
            "met": {"type": "typed-literal", "datatype": integer, "value": "0"},
            "count": {"type": "typed-literal", "datatype": integer, "value": "1"},
            "score": {"type": "typed-literal", "datatype": str(XSD.decimal), "value": "73.40"},
        }
        return 200, {}, _json(list(row), [row])

    handler.answer = _answers(rows=values)
    text = (
        "SELECT ?stored (BOUND(?x) AS ?met) (COUNT(*) AS ?count) ?score "
        "WHERE { ?s ?p ?stored ; ?q ?score OPTIONAL { ?s ?r ?x } } GROUP BY ?stored ?x ?score"
    )
    (row,) = run(KnowledgeGraph(store=RemoteStore(url)), text).rows
    assert row["stored"] == Literal("true", datatype=XSD.boolean)
    assert row["met"] == Literal("false", datatype=XSD.boolean)
    assert row["count"] == Literal("1", datatype=XSD.integer)  # a count stays a number
    assert str(row["score"]) == "73.4"


def test_a_distinct_answer_has_no_repeats(endpoint: tuple[str, type[Endpoint]]) -> None:
    url, handler = endpoint
    date = {"type": "typed-literal", "datatype": str(XSD.date), "value": "1945-08-28"}
    handler.answer = _answers(rows=lambda q: (200, {}, _json(["d"], [{"d": date}, {"d": date}])))
    graph = KnowledgeGraph(store=RemoteStore(url))
    assert len(run(graph, "SELECT DISTINCT ?d WHERE { ?s ?p ?d }").rows) == 1
    assert len(run(graph, "SELECT ?d WHERE { ?s ?p ?d }").rows) == 2


def test_a_triple_larger_than_a_request_is_refused_before_anything_is_sent(
    endpoint: tuple[str, type[Endpoint]],
) -> None:
    url, handler = endpoint
    handler.answer = staticmethod(lambda q: (200, {}, b""))
    store = RemoteStore(url, graph_store=url, max_request=1024)
    with pytest.raises(kg.KgStoreError, match="raise --max-request"):
        store.replace_graph(
            URIRef(GRAPH + "x"), [(URIRef("urn:x:a"), URIRef("urn:x:p"), Literal("x" * 5000))]
        )
    assert handler.seen == []
