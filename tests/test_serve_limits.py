"""``kg serve`` under attack and load: queries in worker processes stopped at their time and
memory limits, a bounded and fair queue, streamed answers, the dataset of FROM and of the
protocol as SPARQL 1.1 says, and pages that run no script but their own.

Load figures are measured by benchmarks/serve_attack.py and benchmarks/serve_throughput.py,
never here: these tests check behaviour, with bounds wide enough for a busy machine.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import re
import socket
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.query import Result

from kg.errors import KgError
from kg.graph import KnowledgeGraph
from kg.namespaces import ID, graph_name
from kg.serve import ServeConfig, ServeError, create_app, fetch
from kg.serve.limits import inline_scripts
from kg.serve.pool import Pool
from kg.stores.base import QueryDataset

# the jobs a pool runs in tests live in a module of their own, which a fresh worker imports fast
sys.path.insert(0, str(Path(__file__).parent))
from serve_jobs import nap

#: Never ends on a graph of thousands of triples: a count over a product of three patterns.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: Wants the whole product of two patterns in memory before its one row.
BOMB = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
ASK = "ASK { ?s ?p ?o }"


class _Server:
    """An app served by uvicorn on a free loopback port, in a thread of this process."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.app = app
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


def _error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text[:300]
    payload = response.json()
    assert set(payload) == {"ok", "error", "status"} and payload["status"] == status
    assert "Traceback" not in payload["error"]
    return str(payload["error"])


@pytest.fixture(scope="module")
def graph(kgraph: KnowledgeGraph) -> KnowledgeGraph:
    return kgraph


@pytest.fixture(scope="module")
def limited(graph: KnowledgeGraph) -> Iterator[_Server]:
    running = _Server(
        create_app(graph, ServeConfig(timeout=2, max_memory=300 << 20, max_rows=10**6))
    )
    yield running
    running.stop()


# --- time and memory ---------------------------------------------------------------------------


def test_a_runaway_query_is_stopped_and_the_server_goes_on(limited: _Server) -> None:
    with httpx.Client(base_url=limited.url, timeout=60) as http:
        start = time.monotonic()
        message = _error(http.post("/sparql", data={"query": RUNAWAY}), 503)
        assert "longer than 2 s" in message and "--timeout" in message
        assert time.monotonic() - start < 20
        answers = [http.get("/sparql", params={"query": ASK}) for _ in range(3)]
        assert [a.json()["boolean"] for a in answers] == [True] * 3
        assert http.get("/queries").status_code == 200


def test_four_runaways_at_once_leave_a_worker_for_a_cheap_query(limited: _Server) -> None:
    """Each runaway gives its turn back past a second; a cheap ASK is answered meanwhile."""

    async def attack() -> tuple[list[int], list[float]]:
        async with httpx.AsyncClient(base_url=limited.url, timeout=60) as http:
            runs = [
                asyncio.create_task(
                    http.post(
                        "/sparql",
                        data={"query": RUNAWAY.replace("?n)", f"?n{i})")},
                        headers={"X-Forwarded-For": f"10.9.0.{i}"},
                    )
                )
                for i in range(4)
            ]
            await asyncio.sleep(1.5)
            took = []
            for _ in range(3):
                start = time.monotonic()
                answer = await http.get(
                    "/sparql", params={"query": ASK}, headers={"X-Forwarded-For": "10.8.0.1"}
                )
                assert answer.status_code == 200
                took.append(time.monotonic() - start)
            return [(await r).status_code for r in runs], took

    statuses, took = asyncio.run(attack())
    assert set(statuses) <= {503}
    assert max(took) < 10  # a bound for a busy machine; the benchmark measures 2 s


def test_a_memory_bomb_is_507_and_the_server_goes_on(graph: KnowledgeGraph) -> None:
    running = _Server(create_app(graph, ServeConfig(timeout=60, max_memory=200 << 20)))
    try:
        with httpx.Client(base_url=running.url, timeout=120) as http:
            message = _error(http.post("/sparql", data={"query": BOMB}), 507)
            assert "more than 200 MiB of memory" in message and "--max-memory" in message
            assert http.get("/sparql", params={"query": ASK}).json()["boolean"] is True
    finally:
        running.stop()


# --- admission -------------------------------------------------------------------------------


@pytest.fixture()
def pool(tmp_path: Path) -> Iterator[Any]:
    made: list[Pool] = []

    def make(**options: Any) -> Pool:
        graph = KnowledgeGraph()
        graph.add("a", [(URIRef("urn:a"), RDFS.label, Literal("a"))])
        settings = {
            "workers": 1,
            "slow_slots": 2,
            "timeout": 5.0,
            "memory": None,
            "queue": 4,
            "per_client": 4,
        }
        created = Pool(graph.store.replica, **{**settings, **options})
        made.append(created)
        return created

    yield make
    for each in made:
        each.close()


async def _gather(pool: Pool, jobs: list[tuple[str, float]]) -> list[Any]:
    async def one(client: str, seconds: float, delay: float) -> Any:
        await asyncio.sleep(delay)
        try:
            reply = await pool.run(nap, (seconds,), client=client)
        except KgError as exc:
            return exc
        return reply.body.decode()

    return await asyncio.gather(
        *(one(client, seconds, n * 0.05) for n, (client, seconds) in enumerate(jobs))
    )


def test_a_full_queue_is_429_at_once(pool: Any) -> None:
    workers = pool(queue=1, slow_after=10)
    asyncio.run(_gather(workers, [("warm", 0.0)]))
    start = time.monotonic()
    first, second, third = asyncio.run(_gather(workers, [("a", 0.8), ("b", 0.1), ("c", 0.1)]))
    assert first == "slept 0.8" and second == "slept 0.1"
    assert isinstance(third, ServeError) and third.status == 429
    assert third.headers["Retry-After"] == "1"
    assert time.monotonic() - start < 30


def test_one_client_cannot_fill_the_queue(pool: Any) -> None:
    workers = pool(queue=10, per_client=2, slow_after=10)
    asyncio.run(_gather(workers, [("warm", 0.0)]))
    answers = asyncio.run(
        _gather(workers, [("greedy", 0.5), ("greedy", 0.1), ("greedy", 0.1), ("other", 0.1)])
    )
    assert answers[0] == "slept 0.5" and answers[1] == "slept 0.1"
    assert isinstance(answers[2], ServeError) and answers[2].status == 429
    assert "too many requests from one client" in str(answers[2])
    assert answers[3] == "slept 0.1"


def test_waiting_does_not_count_against_the_time_limit(pool: Any) -> None:
    workers = pool(timeout=1.5, slow_after=10)
    asyncio.run(_gather(workers, [("warm", 0.0)]))
    answers = asyncio.run(_gather(workers, [("a", 1.0), ("b", 1.0)]))
    assert answers == ["slept 1.0", "slept 1.0"]  # b waited 1 s, then ran 1 s: not past 1.5


def test_a_cheap_client_goes_before_one_whose_queries_run_long(pool: Any) -> None:
    workers = pool(slow_after=10)
    asyncio.run(_gather(workers, [("cheap", 0.0), ("costly", 0.6)]))
    order: list[str] = []

    async def race() -> None:
        async def one(client: str, seconds: float, delay: float) -> None:
            await asyncio.sleep(delay)
            await workers.run(nap, (seconds,), client=client)
            order.append(client)

        await asyncio.gather(
            one("blocker", 0.5, 0), one("costly", 0.1, 0.1), one("cheap", 0.1, 0.2)
        )

    asyncio.run(race())
    assert order == ["blocker", "cheap", "costly"]


# --- answers ---------------------------------------------------------------------------------


def test_a_long_answer_is_streamed_whole(graph: KnowledgeGraph) -> None:
    # a time limit of its own: the whole graph takes about 2 s to write on a machine shared
    # with the other test workers, and the time limit is not what is tested here
    running = _Server(create_app(graph, ServeConfig(timeout=60, max_rows=10**6)))
    text = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    try:
        with httpx.Client(base_url=running.url, timeout=120) as http:
            answer = http.get("/sparql", params={"query": text, "format": "tsv"})
    finally:
        running.stop()
    assert answer.status_code == 200
    assert "content-length" not in answer.headers  # sent as it came from the worker
    assert len(answer.content) > 256 << 10
    assert len(answer.text.splitlines()) - 1 == len(graph.sparql(text))


def test_query_text_is_read_as_nfc(kgraph: KnowledgeGraph) -> None:
    graph = KnowledgeGraph()
    graph.add("a", [(URIRef("urn:hn"), RDFS.label, Literal("Hà Nội", lang="vi"))])
    app = create_app(graph, ServeConfig())
    nfd = unicodedata.normalize("NFD", "Hà Nội")
    status, _, body = fetch(app, "/sparql?" + urlencode({"query": f'ASK {{ ?s ?p "{nfd}"@vi }}'}))
    assert status == 200 and json.loads(body)["boolean"] is True


def test_an_update_is_seen_by_the_workers() -> None:
    graph = KnowledgeGraph()
    graph.add("a", [(URIRef("urn:a"), RDFS.label, Literal("a"))])
    app = create_app(graph, ServeConfig(allow_update=True, token="s3cret"))
    ask = "/sparql?" + urlencode({"query": "ASK { <urn:x> <urn:p> <urn:y> }"})
    assert json.loads(fetch(app, ask)[2])["boolean"] is False
    status, _, _ = fetch(
        app,
        "/sparql",
        method="POST",
        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer s3cret"},
        body=b"INSERT DATA { GRAPH <urn:g> { <urn:x> <urn:p> <urn:y> } }",
    )
    assert status == 200
    assert json.loads(fetch(app, ask)[2])["boolean"] is True


# --- the dataset: FROM, FROM NAMED, GRAPH and the protocol's graphs ---------------------------

A, B, C = graph_name("a"), graph_name("b"), graph_name("c")


def _small(store: str) -> KnowledgeGraph:
    graph = KnowledgeGraph(store=store)
    for name, count in (("a", 1), ("b", 2), ("c", 3)):
        graph.add(
            name, [(URIRef(f"urn:{name}{i}"), URIRef("urn:p"), Literal(i)) for i in range(count)]
        )
    return graph


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
#: (query, default-graph-uri, named-graph-uri)
DATASETS: list[tuple[str, list[URIRef], list[URIRef]]] = [
    (COUNT, [], []),
    (PER_GRAPH, [], []),
    (f"SELECT (COUNT(*) AS ?n) FROM <{A}> FROM <{C}> WHERE {{ ?s ?p ?o }}", [], []),
    (f"SELECT (COUNT(*) AS ?n) FROM NAMED <{B}> WHERE {{ ?s ?p ?o }}", [], []),
    (
        f"SELECT ?g (COUNT(*) AS ?n) FROM <{A}> FROM NAMED <{B}> FROM NAMED <{C}> "
        "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
        [],
        [],
    ),
    (f"ASK FROM <{A}> WHERE {{ <urn:b1> ?p ?o }}", [], []),
    (COUNT, [B], []),
    (COUNT, [A, C], []),
    (COUNT, [], [B]),
    (PER_GRAPH, [A], []),
    (PER_GRAPH, [], [B, C]),
    (PER_GRAPH, [A], [C]),
    (COUNT, [A, B, C], [A, B, C]),
    (f"SELECT (COUNT(*) AS ?n) FROM <{A}> WHERE {{ ?s ?p ?o }}", [C], []),  # the protocol wins
]


def _reference(text: str, default: list[URIRef], named: list[URIRef]) -> object:
    """rdflib's store's answer, the dataset given as SPARQL 1.1 says."""
    from kg.sparql import prepare

    graph = _small("memory")
    dataset = QueryDataset(default, named) if default or named else None
    result = graph.store.query(text, prepare(text), {}, dataset=dataset)
    if result.type == "ASK":
        return result.askAnswer
    return [{str(k): str(v) for k, v in row.asdict().items()} for row in result]  # type: ignore[union-attr]


@pytest.mark.parametrize("store", ["oxigraph", "memory"])
def test_the_servers_dataset_is_rdflibs(store: str) -> None:
    app = create_app(_small(store), ServeConfig())
    for text, default, named in DATASETS:
        params = [("query", text)]
        params += [("default-graph-uri", str(g)) for g in default]
        params += [("named-graph-uri", str(g)) for g in named]
        status, _, body = fetch(app, "/sparql?" + urlencode(params))
        assert status == 200, body
        parsed = Result.parse(io.BytesIO(body), format="json")
        got = (
            parsed.askAnswer
            if parsed.type == "ASK"
            else [{str(k): str(v) for k, v in row.asdict().items()} for row in parsed]  # type: ignore[union-attr]
        )
        assert got == _reference(text, default, named), (text, default, named)


# --- pages: Content-Security-Policy, framing, IRIs with escapes --------------------------------


def _policy(headers: dict[str, str]) -> dict[str, str]:
    text = headers["content-security-policy"]
    return {d.split()[0]: d.partition(" ")[2] for d in (p.strip() for p in text.split(";")) if d}


def _sha(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def test_every_page_runs_its_own_scripts_only_and_cannot_be_framed(kgraph: KnowledgeGraph) -> None:
    from kg.serve.query_page import BUNDLE

    app = create_app(kgraph, ServeConfig())
    pages = ["/id/unit/01", "/viz"] + (["/"] if BUNDLE.exists() else [])
    for path in pages:
        status, headers, body = fetch(app, path, headers={"Accept": "text/html"})
        assert status == 200 and headers["content-type"].startswith("text/html"), path
        policy = _policy(headers)
        assert policy["frame-ancestors"] == "'none'" and headers["x-frame-options"] == "DENY"
        assert "unsafe-inline" not in policy["script-src"], path
        scripts = inline_scripts(body.decode())
        assert policy["script-src"] == (" ".join(_sha(s) for s in scripts) or "'none'"), path
        if path == "/":  # the query page's own <meta> policy holds no 'unsafe-inline' either
            head = body.decode().split("<body")[0]
            assert "unsafe-inline" not in re.sub(r"style-src[^;]*", "", head)
    for path in ("/queries", "/sparql?query=ASK%7B%7D", "/nowhere"):
        _, headers, _ = fetch(app, path)
        assert _policy(headers)["frame-ancestors"] == "'none'"
        assert _policy(headers)["default-src"] == "'none'"


def test_the_plain_catalog_page_runs_no_script() -> None:
    from kg.query import default_catalog
    from kg.serve.app import catalog_page

    assert inline_scripts(catalog_page(default_catalog())) == ()


def test_iris_with_percent_escapes_and_letters_are_found() -> None:
    graph = KnowledgeGraph()
    spaced = URIRef(str(ID) + "doc/x%20y")
    lettered = URIRef(str(ID) + "unit/Hà-Nội")
    graph.add("a", [(spaced, RDFS.label, Literal("spaced")), (lettered, RDFS.label, Literal("hn"))])
    app = create_app(graph, ServeConfig())
    status, _, body = fetch(app, "/id/doc/x%20y", headers={"Accept": "text/turtle"})
    assert status == 200 and "spaced" in body.decode()
    status, _, body = fetch(app, "/id/unit/H%C3%A0-N%E1%BB%99i", headers={"Accept": "text/turtle"})
    assert status == 200 and '"hn"' in body.decode()
    status, _, page = fetch(app, "/id/doc/x%20y", headers={"Accept": "text/html"})
    assert status == 200 and "x%20y" in page.decode()
    assert fetch(app, "/id/doc/x%2520y")[0] == 404  # another IRI: x%2520y


# --- the address -------------------------------------------------------------------------------


def _log_lines(host: str, data: Path) -> list[str]:
    """The first lines ``kg serve`` logs, up to the one that says where it listens."""
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("kg")), "serve", "--host", host, "--port", "0",
         "--data", str(data), "--workers", "1"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    lines: list[str] = []
    try:
        assert process.stderr is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if "listening on" in line:
                break
    finally:
        process.terminate()
        process.wait(30)
        if process.stderr is not None:
            process.stderr.close()
    return lines


def test_the_log_says_where_the_server_listens_and_warns_beyond_this_machine(
    tmp_path: Path,
) -> None:
    data = tmp_path / "tiny.ttl"
    data.write_text('<urn:a> <http://www.w3.org/2000/01/rdf-schema#label> "a" .\n')
    local = _log_lines("127.0.0.1", data)
    assert re.search(r"listening on http://127\.0\.0\.1:\d+ ", local[-1]), local
    assert not any("WARNING" in line for line in local)
    exposed = _log_lines("0.0.0.0", data)
    assert re.search(r"listening on http://0\.0\.0\.0:\d+ ", exposed[-1]), exposed
    warnings = [line for line in exposed if line.startswith("WARNING")]
    assert warnings == [
        "WARNING:  kg serve listens on 0.0.0.0: any machine that can reach this one can query "
        "the graph; use --host 127.0.0.1 (the default) to keep it on this machine"
    ]
