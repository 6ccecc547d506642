"""Pages of a query's answer: ``kg.query.run(limit=, offset=)`` and ``kg query --limit --offset``.

A page is the answer's rows ``offset`` to ``offset + limit``, in the query's order, the same on
every store; the engine is sent a LIMIT and OFFSET written from validated integers, and the
answer says when it was cut (``Results.truncated``, a note on stderr), never silently.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from kg.cli import cli
from kg.errors import KgUsageError
from kg.graph import KnowledgeGraph
from kg.query import StoredQuery, run

P = URIRef("http://example.org/p")
ORDERED = "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?o"


def _graph(store: str) -> KnowledgeGraph:
    graph = KnowledgeGraph(store=store)
    graph.add("t", [(URIRef(f"http://example.org/s{i:02d}"), P, Literal(i)) for i in range(10)])
    return graph


@pytest.fixture(params=["memory", "oxigraph"])
def graph(request: pytest.FixtureRequest) -> KnowledgeGraph:
    return _graph(request.param)


def _values(results: object) -> list[int]:
    return [row["o"].toPython() for row in results]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("limit", "offset", "rows", "truncated"),
    [
        (None, 0, list(range(10)), False),
        (0, 0, list(range(10)), False),
        (3, 0, [0, 1, 2], True),
        (3, 6, [6, 7, 8], True),
        (3, 7, [7, 8, 9], False),
        (3, 8, [8, 9], False),
        (None, 7, [7, 8, 9], False),
        (5, 20, [], False),
        (10, 0, list(range(10)), False),
    ],
)
def test_a_page_is_the_slice_of_the_whole_answer(
    graph: KnowledgeGraph, limit: int | None, offset: int, rows: list[int], truncated: bool
) -> None:
    page = run(graph, ORDERED, limit=limit, offset=offset)
    assert _values(page) == rows
    assert (page.truncated, page.offset, page.limit) == (truncated, offset, limit or None)


@pytest.mark.parametrize(
    "text",
    [
        ORDERED + " LIMIT 6",  # its own LIMIT: the page is cut from the six rows
        ORDERED + " OFFSET 0 LIMIT 6",
        "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?o LIMIT 6 VALUES ?x { 1 }",
    ],
)
def test_a_query_that_slices_itself_is_paged_within_its_answer(
    graph: KnowledgeGraph, text: str
) -> None:
    assert _values(run(graph, text, limit=4, offset=3)) == [3, 4, 5]
    last = run(graph, text, limit=4, offset=4)
    assert (_values(last), last.truncated) == ([4, 5], False)


def test_the_engine_gets_a_limit_it_can_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page is asked of the engine (one row more, to know whether the answer goes on), in
    numbers written by kg, not by the caller."""
    graph = _graph("oxigraph")
    sent: list[str] = []
    real = graph.store.query

    def spy(text: str, prepared: object, bindings: object) -> object:
        sent.append(text)
        return real(text, prepared, bindings)  # type: ignore[arg-type]

    monkeypatch.setattr(graph.store, "query", spy)
    run(graph, ORDERED, limit=2, offset=5)
    assert sent == [ORDERED + "\nLIMIT 3 OFFSET 5\n"]


@pytest.mark.parametrize(
    ("limit", "offset"), [(-1, 0), (2, -3), ("5", 0), (2, "1; DROP ALL"), (1.5, 0), (True, 0)]
)
def test_a_bad_page_is_a_clear_error(graph: KnowledgeGraph, limit: object, offset: object) -> None:
    with pytest.raises(KgUsageError, match="whole number >= 0"):
        run(graph, ORDERED, limit=limit, offset=offset)  # type: ignore[arg-type]


def test_only_select_answers_come_in_pages(graph: KnowledgeGraph) -> None:
    query = StoredQuery.from_text("CONSTRUCT WHERE { ?s ?p ?o }", name="everything")
    with pytest.raises(KgUsageError, match="everything: only the rows of a SELECT"):
        run(graph, query, limit=2)
    assert len(run(graph, query)) == 10


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("paging") / "ten.ttl"
    path.write_text(
        "".join(f"<http://example.org/s{i:02d}> <http://example.org/p> {i} .\n" for i in range(10))
    )
    return path


def _kgq(data: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["query", "--data", str(data), "--sparql", ORDERED, *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["csv", "json", "table", "md"])
def test_cli_a_cut_answer_says_so_on_stderr(data: Path, fmt: str) -> None:
    code, stdout, stderr = _kgq(data, "--limit", "3", "--offset", "2", "--format", fmt)
    assert code == 0
    assert stderr == (
        "note: rows 3-5 shown, the answer goes on: --offset 5 for the next page, "
        "--limit 0 for all of it\n"
    )
    assert "s02" in stdout and "s04" in stdout and "s05" not in stdout and "s01" not in stdout


def test_cli_the_last_page_and_the_whole_answer_have_no_note(data: Path) -> None:
    code, stdout, stderr = _kgq(data, "--limit", "3", "--offset", "8", "--format", "csv")
    assert (code, stdout.split(), stderr) == (
        0,
        ["s,o", "http://example.org/s08,8", "http://example.org/s09,9"],
        "",
    )
    code, stdout, stderr = _kgq(data, "--limit", "0", "--format", "csv")
    assert (code, len(stdout.split()), stderr) == (0, 11, "")


def test_cli_a_negative_limit_is_a_usage_error(data: Path) -> None:
    code, _, stderr = _kgq(data, "--limit", "-2")
    assert code == 2
    assert "Invalid value for '--limit': -2 is not in the range x>=0." in stderr
