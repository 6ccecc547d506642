"""The catalog on Virtuoso Open Source, as Debian ships it: pushed with ``kg push``, answered as
Oxigraph and rdflib answer it.

A fresh database in a temporary folder, on free loopback ports, with Debian's own
``virtuoso.ini`` (only the paths and ports changed: ``ResultSetMaxRows`` 10,000,
``MaxQueryCostEstimationTime`` 400 s and the rest as installed). The graph is the provinces-only
build, pushed by the command line with the DBA's credentials (Virtuoso asks for HTTP Digest),
a graph a request. (A graph pushed in pieces through a staging graph and ``MOVE`` is tested
on its own, after the catalog: after a ``MOVE`` Virtuoso's planner estimates some queries far
higher, past its limit.) Then every catalog query, with its default parameters, its examples
and a few others, must give the same rows on Virtuoso as on Oxigraph; with its examples, the
same as on rdflib's store too (the answer tests/test_backends.py compares with Oxigraph's,
computed once: rdflib takes a minute for some queries).

Skipped when Virtuoso is not installed (``apt-get install virtuoso-opensource``); ``.ci/run``
installs it, so CI runs this module.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import catalog_answer, reference_answer
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

import kg
from benchmarks.virtuoso import DBA, Server, virtuoso_binary, virtuoso_server
from kg.cli import cli
from kg.graph import KnowledgeGraph
from kg.query import StoredQuery, default_catalog, run
from kg.stores.remote import ENV_PASSWORD, ENV_USER, RemoteStore, group_of

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    virtuoso_binary() is None,
    reason="Virtuoso is not installed (Debian: apt-get install virtuoso-opensource; "
    ".ci/run installs it)",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A Virtuoso server with a fresh database on free loopback ports."""
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as running:
        yield running


@pytest.fixture(scope="module")
def virtuoso(server: Server) -> str:
    """The server's base URL."""
    return server.base


@pytest.fixture(scope="module")
def stores(
    virtuoso: str,
    small: dict[str, KnowledgeGraph],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch_module: pytest.MonkeyPatch,
) -> dict[str, KnowledgeGraph]:
    """The provinces-only build on Oxigraph, on rdflib's store and on Virtuoso (its TriG
    pushed with ``kg push`` and the DBA's credentials)."""
    kgraph = small["oxigraph"]
    trig = tmp_path_factory.mktemp("push") / "provinces.trig"
    trig.write_bytes(kg.serialize(kgraph, "trig"))
    monkeypatch_module.setenv(ENV_USER, DBA[0])
    monkeypatch_module.setenv(ENV_PASSWORD, DBA[1])
    pushed = CliRunner().invoke(
        cli,
        [
            *("push", "-q", "--data", str(trig)),
            *("--endpoint", virtuoso + "/sparql-auth"),
            *("--graph-store", virtuoso + "/sparql-graph-crud-auth"),
        ],
    )
    assert pushed.exit_code == 0, pushed.output
    assert f"Pushed {len(kgraph)} triples in {len(kgraph.graph_names())} graphs" in pushed.output
    return {
        **small,
        # anonymous, as a reader of the public endpoint
        "virtuoso": KnowledgeGraph(store=RemoteStore(virtuoso + "/sparql", timeout=120)),
    }


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


#: Parameters beyond the defaults and the examples, chosen to give rows on the provinces-only
#: build where those give none (a district, a commune), or to give other rows.
OTHERS: dict[str, list[dict[str, str]]] = {
    "find-unit": [{"name": "ha noi"}, {"name": "THÀNH PHỐ"}],
    "search": [{"text": "UBND"}, {"text": "đỗ quý tiến", "lang": "en"}],
    "unit-bodies": [{"area": "id:unit/01"}, {"area": "id:unit/2025/01", "lang": "en"}],
    "units-in-area": [{"area": "id:unit/79"}],
    "sub-organisations": [{"agency": "id:agency/chinh-phu"}],
    "top-provinces": [{"index": "id:index/pci", "year": "2019", "n": "63"}],
    "government-on-date": [{"date": "2025-03-01"}],
    "hanoi-index-ranks": [{"area": "id:unit/79", "lang": "en"}],
}


def _cases() -> list[tuple[StoredQuery, dict[str, str]]]:
    cases = []
    for query in default_catalog(ROOT):
        needed = {p.name: p.example for p in query.parameters if p.default is None}
        examples = {p.name: p.example for p in query.parameters if p.example is not None}
        for params in (needed, examples, *OTHERS.get(query.name, [])):
            if all(v is not None for v in params.values()):
                cases.append((query, params))
    return cases


CASES = _cases()


@pytest.mark.parametrize(
    ("query", "params"),
    CASES,
    ids=[
        f"{q.name}-{'-'.join(v.split('/')[-1] for v in p.values()) or 'defaults'}" for q, p in CASES
    ],
)
def test_catalog_query_gives_the_same_rows_on_virtuoso_oxigraph_and_rdflib(
    stores: dict[str, KnowledgeGraph], query: StoredQuery, params: dict[str, str]
) -> None:
    oxigraph = catalog_answer(stores["oxigraph"], query, params)
    assert catalog_answer(stores["virtuoso"], query, params) == oxigraph
    if params == _examples(query):  # rdflib's answer, shared with tests/test_backends.py
        assert reference_answer(stores, query, params) == oxigraph


def _examples(query: StoredQuery) -> dict[str, str]:
    return {p.name: p.example for p in query.parameters if p.example is not None}


def test_every_catalog_query_is_tested_on_virtuoso() -> None:
    names = {q.name for q, _params in CASES}
    assert names == {q.name for q in default_catalog(ROOT)}
    assert len(names) >= 21


def test_the_dataset_is_the_projects_graphs_only(stores: dict[str, KnowledgeGraph]) -> None:
    remote, local = stores["virtuoso"], stores["oxigraph"]
    assert remote.graph_names() == local.graph_names()
    assert len(remote) == len(local)
    # Virtuoso keeps its own schema in a graph of its own; no query of ours sees it
    schema = "ASK { ?map a <http://www.openlinksw.com/schemas/virtrdf#QuadMap> }"
    assert run(remote, schema).boolean is False
    assert run(remote, "ASK { ?a a cchc:Agency }").boolean is True


def test_queries_name_the_graph_group_the_push_defined(
    stores: dict[str, KnowledgeGraph], virtuoso: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One default graph, not one per project graph: Virtuoso estimates a query over a list of
    graphs about as many times over as the list is long (the national graph's 30 took
    ``agencies-by-kind`` past its limit). The group is the project's graphs, no more."""
    remote = stores["virtuoso"]
    names = remote.graph_names()
    assert remote.store.defined_group() == group_of(names)  # type: ignore[attr-defined]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert run(remote, count).rows == run(stores["oxigraph"], count).rows
    by_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    assert sorted(map(str, run(remote, by_graph).rows)) == sorted(
        map(str, run(stores["oxigraph"], by_graph).rows)
    )
    # defined again for the graphs the server holds, as after a bulk load: the same group
    monkeypatch.setenv(ENV_USER, DBA[0])
    monkeypatch.setenv(ENV_PASSWORD, DBA[1])
    again = CliRunner().invoke(
        cli, ["push", "--group-only", "--endpoint", virtuoso + "/sparql-auth"]
    )
    assert again.exit_code == 0, again.output
    assert again.output.strip() == (
        f"Defined the graph group {group_of(names)} of {len(names)} graphs"
    )


def test_a_user_without_the_dbas_rights_pushes_and_is_told_there_is_no_group(
    stores: dict[str, KnowledgeGraph],
    server: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A user with SPARQL_UPDATE alone may push, not call Virtuoso's graph-group procedures:
    the push succeeds with a warning, readers name the graphs one by one (and see the new
    one), and ``kg push --group-only`` as the DBA defines the group afterwards."""
    server.isql("DB.DBA.USER_CREATE ('pusher', 'pusher');", 'GRANT SPARQL_UPDATE TO "pusher";')
    name = URIRef("https://w3id.org/cchc/graph/by-pusher")
    data = tmp_path / "pusher.trig"
    data.write_text(f'<{name}> {{ <urn:x:pushed> <urn:x:p> "by the pusher" . }}\n')
    monkeypatch.setenv(ENV_USER, "pusher")
    monkeypatch.setenv(ENV_PASSWORD, "pusher")
    try:
        pushed = CliRunner().invoke(
            cli,
            [
                *("push", "-q", "--data", str(data)),
                *("--endpoint", server.base + "/sparql-auth"),
                *("--graph-store", server.base + "/sparql-graph-crud-auth"),
            ],
        )
        assert pushed.exit_code == 0, pushed.output
        warning = next(ln for ln in pushed.output.splitlines() if ln.startswith("Warning"))
        assert "no graph group of the project's graphs was defined" in warning
        assert "SR186" in warning and "kg push --group-only" in warning
        reader = KnowledgeGraph(store=RemoteStore(server.base + "/sparql"))
        assert reader.store.defined_group() is None  # type: ignore[attr-defined]
        ask = "ASK { <urn:x:pushed> <urn:x:p> ?o }"
        assert run(reader, ask).boolean is True
        monkeypatch.setenv(ENV_USER, DBA[0])
        monkeypatch.setenv(ENV_PASSWORD, DBA[1])
        grouped = CliRunner().invoke(
            cli, ["push", "--group-only", "--endpoint", server.base + "/sparql-auth"]
        )
        assert grouped.exit_code == 0, grouped.output
        reader = KnowledgeGraph(store=RemoteStore(server.base + "/sparql"))
        names = reader.graph_names()
        assert name in names
        assert reader.store.defined_group() == group_of(names)  # type: ignore[attr-defined]
        assert run(reader, ask).boolean is True
    finally:
        monkeypatch.setenv(ENV_USER, DBA[0])
        monkeypatch.setenv(ENV_PASSWORD, DBA[1])
        RemoteStore(server.base + "/sparql-auth").remove_graph(name)


def test_an_answer_past_virtuosos_row_limit_is_fetched_whole(
    stores: dict[str, KnowledgeGraph],
) -> None:
    """Debian's ResultSetMaxRows is 10,000: every triple of the graph (18,000) is more."""
    text = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER (!isBlank(?s) && !isBlank(?o)) }"
    remote = run(stores["virtuoso"], text)
    local = run(stores["oxigraph"], text)
    assert len(local.rows) > 10_000
    assert stores["virtuoso"].store.max_rows == 10_000  # said by its X-SPARQL-MaxRows header
    key = sorted(tuple(r.values()) for r in local.rows)
    assert sorted(tuple(r.values()) for r in remote.rows) == key
    ordered = text + " ORDER BY DESC(?s) ?p ?o"
    assert [r["s"] for r in run(stores["virtuoso"], ordered).rows] == [
        r["s"] for r in run(stores["oxigraph"], ordered).rows
    ]


def test_booleans_come_back_as_xsd_boolean(stores: dict[str, KnowledgeGraph]) -> None:
    text = (
        "SELECT (BOUND(?x) AS ?bound) (EXISTS { ?x a cchc:Agency } AS ?agency) (1 AS ?one) "
        "(?x = ?x AS ?same) WHERE { VALUES ?x { id:agency/bo-noi-vu } }"
    ).replace("id:agency/bo-noi-vu", "<https://w3id.org/cchc/id/agency/bo-noi-vu>")
    (row,) = run(stores["virtuoso"], text).rows
    true = Literal("true", datatype=XSD.boolean)
    assert (row["bound"], row["agency"], row["same"]) == (true, true, true)
    assert row["one"] == Literal("1", datatype=XSD.integer)  # a number stays a number


def test_a_wrong_password_is_refused_in_one_line(
    virtuoso: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "tiny.trig"
    data.write_text('<https://w3id.org/cchc/graph/tiny> { <urn:x:a> <urn:x:p> "a" . }\n')
    monkeypatch.setenv(ENV_USER, "dba")
    monkeypatch.setenv(ENV_PASSWORD, "not-the-password")
    result = CliRunner().invoke(
        cli, ["push", "-q", "--data", str(data), "--endpoint", virtuoso + "/sparql-auth"]
    )
    assert result.exit_code == 2
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "refused the credentials (HTTP 401" in lines[0], result.output
    assert "not-the-password" not in result.output


def test_a_graph_pushed_in_pieces_arrives_whole(
    stores: dict[str, KnowledgeGraph], virtuoso: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Requests of at most 8 KB: the graph gathers in a staging graph, which one MOVE puts in
    place; the server then holds the same triples, and no staging graph."""
    monkeypatch.setenv(ENV_USER, DBA[0])
    monkeypatch.setenv(ENV_PASSWORD, DBA[1])
    remote = RemoteStore(
        virtuoso + "/sparql-auth",
        graph_store=virtuoso + "/sparql-graph-crud-auth",
        max_request=8 * 1024,
    )
    name = URIRef("https://w3id.org/cchc/graph/pieces")
    triples = {
        (
            URIRef(f"urn:x:{i}"),
            URIRef("urn:x:label"),
            Literal(f"nhãn số {i} " + "x" * 60, lang="vi"),
        )
        for i in range(600)
    }
    remote.replace_graph(name, triples)
    assert set(remote.triples(name)) == triples
    assert not _staging_graphs(virtuoso)
    remote.remove_graph(name)


def _staging_graphs(virtuoso: str) -> bool:
    """Whether the server holds a staging graph of kg push (asked without kg's dataset)."""
    staging = "https://w3id.org/cchc/staging/"
    ask = f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (STRSTARTS(STR(?g), '{staging}')) }}"
    request = urllib.request.Request(
        virtuoso + "/sparql?" + urllib.parse.urlencode({"query": ask}),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return bool(json.loads(answer.read())["boolean"])


def test_a_push_that_fails_half_way_leaves_the_old_graph_whole(
    stores: dict[str, KnowledgeGraph], virtuoso: str
) -> None:
    """A graph sent in pieces into its staging graph, and the push stopped after a few: the
    graph pushed before is still there, whole, and no staging graph is left."""
    remote = RemoteStore(
        virtuoso + "/sparql-auth",
        graph_store=virtuoso + "/sparql-graph-crud-auth",
        max_request=2048,
    )
    name = URIRef("https://w3id.org/cchc/graph/state")
    before = stores["virtuoso"].graph_size(name)

    def triples() -> Iterator[tuple[URIRef, URIRef, Literal]]:
        for i in range(40):  # some 20 requests' worth
            yield URIRef(f"urn:x:s{i}"), URIRef("urn:x:p"), Literal("x" * 100)
        raise kg.KgStoreError("the source went away")

    with pytest.raises(kg.KgStoreError, match="the source went away"):
        remote.replace_graph(name, triples())
    assert stores["virtuoso"].graph_size(name) == before
    assert not _staging_graphs(virtuoso)
