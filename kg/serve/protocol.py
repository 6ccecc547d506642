"""The `SPARQL 1.1 Protocol <https://www.w3.org/TR/sparql11-protocol/>`_ at ``/sparql``.

A query comes by GET (``?query=``), by POST as a form (``query=``) or by POST as the body
(``application/sparql-query``); the answer's format follows ``Accept`` (or ``?format=``, see
:mod:`kg.serve.negotiation`). Every query is parsed and checked as ``kg query`` does
(:func:`kg.sparql.parse_query`, :func:`kg.sparql.refuse_remote`): ``SERVICE`` and ``FROM`` of a
graph the dataset does not hold are refused with 400, and so is ``LOAD``, so that no query makes
the server fetch a URL or read a file. Updates (``update=``, ``application/sparql-update``) are
refused with 403 unless the server was started with ``--allow-update --token``, and then need
``Authorization: Bearer TOKEN``.
"""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rdflib import URIRef
from rdflib.term import Node
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kg.errors import KgStoreError, KgUsageError
from kg.io import Format
from kg.render import render_results
from kg.serve.errors import ServeError
from kg.serve.limits import (
    Answer,
    decode_body,
    execute,
    one,
    parse_form,
    query_params,
    read_body,
)
from kg.serve.negotiation import (
    RESULT_MEDIA,
    graph_format,
    media_type,
    result_format,
    serialize_graph,
)
from kg.sparql import RemoteAccessRefused, parse_query, parse_update, plain, refuse_remote
from kg.stores.base import QueryDataset


@dataclass(frozen=True)
class Rendered:
    """An answer ready to send: its bytes, Content-Type and extra headers."""

    body: bytes
    media_type: str
    headers: Mapping[str, str] = field(default_factory=dict)

    def response(self) -> Response:
        """The HTTP response."""
        return Response(self.body, media_type=self.media_type, headers=dict(self.headers))

    def emit(self, context: Any, *, status: int = 200) -> tuple[Any, ...] | None:
        """Send the answer from a worker to the server (:mod:`kg.serve.pool`): a short one is
        returned, to go back whole as the job's value (one message); a long one is sent in
        parts now, and None returned."""
        head = (status, self.media_type, dict(self.headers))
        if len(self.body) <= PART:
            return (*head, self.body)
        context.emit(("head", *head))
        for start in range(0, len(self.body), PART):
            context.emit(("part", self.body[start : start + PART]))
        return None


#: The size of the parts an answer travels in from its worker.
PART = 64 << 10


def render_answer(answer: Answer, accept: str | None, label: str | None, max_rows: int) -> Rendered:
    """The answer in the format the client asked for, with the truncation headers.

    :raises ServeError: 400 or 406 for a format that does not fit the answer.
    """
    results = answer.results
    headers = {"Vary": "Accept"}
    if answer.truncated:
        headers.update({"Kg-Truncated": "true", "Kg-Max-Rows": str(max_rows)})
    if results.graph is not None:
        fmt = graph_format(accept, label)
        assert isinstance(fmt, Format)
        triples = sorted(results.graph, key=lambda t: (str(t[0]), str(t[1]), t[2].n3()))
        return Rendered(serialize_graph(triples, fmt), media_type(fmt), headers)
    key = result_format(accept, label)
    text = render_results(results, key, pretty=False)
    return Rendered(text.encode("utf-8"), RESULT_MEDIA[key], headers)


async def sparql_endpoint(request: Request) -> Response:
    """GET or POST ``/sparql``: run a query (or, when allowed, an update)."""
    state = request.app.state.kg_state
    params = query_params(request)
    query = one(params, "query")
    update = one(params, "update")
    if request.method == "POST":
        content_type = request.headers.get("content-type", "")
        base = content_type.split(";")[0].strip().lower()
        body = await read_body(request, state.config.max_body)
        if base == "application/x-www-form-urlencoded":
            form = parse_form(body, "the form body")
            query = one(form, "query") or query
            update = one(form, "update") or update
            params = {**params, **{k: v for k, v in form.items() if k not in params}}
        elif base == "application/sparql-query":
            query = decode_body(body, content_type)
        elif base == "application/sparql-update":
            update = decode_body(body, content_type)
        else:
            raise ServeError(
                415,
                f"a POST to /sparql is application/x-www-form-urlencoded, "
                f"application/sparql-query or application/sparql-update, not {base or 'untyped'}",
            )
    elif update is not None:
        raise ServeError(400, "an update is sent by POST (update= or application/sparql-update)")
    for name in ("using-graph-uri", "using-named-graph-uri"):
        if params.get(name):
            raise ServeError(400, f"{name} is not supported; use GRAPH <name> in the update")
    if (query is None) == (update is None):
        raise ServeError(
            400,
            "give one query: ?query=SPARQL (GET or a form POST) or an "
            "application/sparql-query body; see / for the catalog",
        )
    if update is not None:
        return await _update(request, update)
    assert query is not None
    label = one(params, "format")
    accept = request.headers.get("accept")
    dataset = protocol_dataset(params, state.graph_names())
    key = ("sparql", query, dataset, label, accept if label is None else None)
    return await state.answer(
        key, sparql_job, (query, dataset, accept, label, state.config.max_rows), request
    )


def sparql_job(
    context: Any,
    query: str,
    dataset: QueryDataset | None,
    accept: str | None,
    label: str | None,
    max_rows: int,
) -> tuple[Any, ...] | None:
    """In a worker: parse and check the query, run it, send its answer.

    Parsed here, not on the server's event loop: rdflib takes up to a second for a long query
    (and a query built to make its parser slow is stopped at the time limit like any other).
    """
    answer = None
    if plain(query):  # nothing to refuse: the engine parses it (rdflib's parse: 6 ms)
        with contextlib.suppress(KgUsageError):  # rdflib's parse says what is wrong
            answer = execute(context.kg, query, None, {}, max_rows=max_rows, dataset=dataset)
    if answer is None:
        prepared = _parse(query)
        safe(prepared, graph_names(context))
        answer = execute(context.kg, query, prepared, {}, max_rows=max_rows, dataset=dataset)
    return render_answer(answer, accept, label, max_rows).emit(context)


def graph_names(context: Any) -> list[URIRef]:
    """The worker's graph's names, read once."""
    names: list[URIRef] | None = context.memo.get("graph_names")
    if names is None:
        names = context.memo["graph_names"] = context.kg.graph_names()
    return names


def protocol_dataset(params: Mapping[str, list[str]], held: list[URIRef]) -> QueryDataset | None:
    """The dataset a request names with ``default-graph-uri`` and ``named-graph-uri``.

    Only graphs the dataset holds may be named (nothing is fetched). As SPARQL 1.1 says, the
    default graph is the merge of the ``default-graph-uri`` graphs (empty when only
    ``named-graph-uri`` is given) and GRAPH reaches the ``named-graph-uri`` graphs (none when
    only ``default-graph-uri`` is given). Naming every graph both ways (as ``kg query
    --endpoint`` does) is the server's own dataset, and gives None; so does naming none.

    :raises ServeError: 400 for a graph the dataset does not hold.
    """
    default = [URIRef(i) for i in params.get("default-graph-uri", [])]
    named = [URIRef(i) for i in params.get("named-graph-uri", [])]
    known = set(held)
    for iri in default + named:
        if iri not in known:
            raise ServeError(
                400,
                f"<{iri}> is not a graph of the dataset; the server never fetches data "
                "(GET /sparql?query=SELECT DISTINCT ?g { GRAPH ?g {} } lists the graphs)",
            )
    if not default and not named:
        return None
    if set(default) == known and set(named) == known:
        return None
    return QueryDataset(tuple(default), tuple(named))


def safe(prepared: Any, graph_names: Any) -> None:
    """:func:`kg.sparql.refuse_remote`, with a message for a server (there is no way to allow
    it).

    :raises ServeError: 400 for SERVICE, LOAD, or FROM of a graph the dataset does not hold.
    """
    try:
        refuse_remote(prepared, graph_names)
    except RemoteAccessRefused as refused:
        raise ServeError(400, refused.without_hint() + "; the server never fetches data") from None


@lru_cache(maxsize=512)
def _parse(text: str) -> Any:
    """The parsed query, kept: clients send the same texts again and again, and rdflib's parser
    is slow (errors are not kept, so a bad query costs its parse each time)."""
    try:
        return parse_query(text, source="query")
    except KgUsageError:  # an update sent as a query
        safe(parse_update(text, source="update"), [])
        raise ServeError(
            403,
            "this is a SPARQL Update (INSERT, DELETE, CLEAR, DROP, ...); the server is read-only",
        ) from None


async def _update(request: Request, text: str) -> Response:
    state = request.app.state.kg_state
    if request.method != "POST":
        raise ServeError(400, "an update is sent by POST")
    safe(parse_update(text, source="update"), [])
    config = state.config
    if not config.allow_update:
        raise ServeError(
            403, "the server is read-only: SPARQL Update is refused (kg serve --allow-update)"
        )
    sent = request.headers.get("authorization", "")
    scheme, _, token = sent.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), (config.token or "").encode()
    ):
        raise ServeError(
            401,
            "an update needs the server's token: send 'Authorization: Bearer TOKEN'",
            headers={"WWW-Authenticate": 'Bearer realm="kg"'},
        )

    import asyncio

    await asyncio.get_running_loop().run_in_executor(None, apply_update, state.kg, text)
    state.changed()
    return JSONResponse({"ok": True, "status": 200})


def apply_update(kg: Any, text: str) -> None:
    """Run a SPARQL Update on the graph's store.

    :raises ServeError: 501 on a store that takes no updates here (a remote endpoint).
    :raises KgUsageError: the engine refuses the update.
    """
    try:
        kg.store.update(text)
    except KgStoreError as exc:
        raise ServeError(501, str(exc)) from None


def bindings_key(bindings: Mapping[str, Node]) -> tuple[tuple[str, str], ...]:
    """A hashable, canonical key for parameter values (for the answer cache)."""
    return tuple(sorted((k, v.n3()) for k, v in bindings.items()))
