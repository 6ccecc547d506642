"""The `SPARQL 1.1 Protocol <https://www.w3.org/TR/sparql11-protocol/>`_ at ``/sparql``.

A query comes by GET (``?query=``), by POST as a form (``query=``) or by POST as the body
(``application/sparql-query``); the answer's format follows ``Accept`` (or ``?format=``, see
:mod:`kg.serve.negotiation`). Every query is parsed and checked as ``kg query`` does
(:func:`kg.query.parse_query`, :func:`kg.query.check_safe`): ``SERVICE`` and ``FROM`` of a graph
the dataset does not hold are refused with 400, and so is ``LOAD``, so that no query makes the
server fetch a URL or read a file. Updates (``update=``, ``application/sparql-update``) are
refused with 403 unless the server was started with ``--allow-update --token``, and then need
``Authorization: Bearer TOKEN``.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rdflib import URIRef
from rdflib.term import Node
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kg.errors import KgParseError, KgUsageError
from kg.io import Format
from kg.query import check_safe, parse_query
from kg.serve.errors import ServeError
from kg.serve.limits import (
    Answer,
    Deadline,
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


@dataclass(frozen=True)
class Rendered:
    """An answer ready to send: its bytes, Content-Type and extra headers."""

    body: bytes
    media_type: str
    headers: Mapping[str, str] = field(default_factory=dict)

    def response(self) -> Response:
        """The HTTP response."""
        return Response(self.body, media_type=self.media_type, headers=dict(self.headers))


def render_answer(answer: Answer, accept: str | None, label: str | None, max_rows: int) -> Rendered:
    """The answer in the format the client asked for, with the truncation headers.

    :raises ServeError: 400 or 406 for a format that does not fit the answer.
    """
    from kg.render import render_results

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
    text = render_results(results, key)
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

    def work(deadline: Deadline) -> Rendered:
        # Parsed here, not on the event loop: rdflib takes up to a second for a long query,
        # and every other request would wait for it (measured by benchmarks/serve_load.py).
        prepared = _parse(query)
        safe(prepared, state.graph_names())
        dataset = protocol_dataset(state.kg, params, state.graph_names())
        answer = execute(
            state.kg,
            query,
            prepared,
            {},
            deadline=deadline,
            max_rows=state.config.max_rows,
            dataset=dataset,
        )
        return render_answer(answer, accept, label, state.config.max_rows)

    rendered: Rendered = await state.runner.run(work)
    return rendered.response()


def protocol_dataset(
    kg: Any, params: Mapping[str, list[str]], held: list[URIRef]
) -> tuple[list[URIRef], list[URIRef]] | None:
    """The dataset a request names with ``default-graph-uri`` and ``named-graph-uri``.

    Only graphs the dataset holds may be named (nothing is fetched). Naming every graph (as
    ``kg query --endpoint`` does) is the server's own dataset, and gives None; another choice
    is passed to Oxigraph, and refused on stores that cannot restrict the dataset.

    :raises ServeError: 400 for a graph the dataset does not hold, or a restriction the store
        cannot make.
    """
    from kg.stores.oxigraph import OxigraphStore

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
    if set(default) in (set(), known) and set(named) in (set(), known):
        return None
    if not isinstance(kg.store, OxigraphStore):
        raise ServeError(
            400, "default-graph-uri and named-graph-uri need the Oxigraph store; use GRAPH <name>"
        )
    return default, named


def safe(prepared: Any, graph_names: Any) -> None:
    """:func:`kg.query.check_safe`, with a message for a server (there is no way to allow it).

    :raises ServeError: 400 for SERVICE, or FROM of a graph the dataset does not hold.
    """
    try:
        check_safe(prepared, graph_names)
    except KgUsageError as exc:
        message = str(exc).replace(" (use --allow-remote to allow it)", "")
        raise ServeError(400, message + "; the server never fetches data") from None


@lru_cache(maxsize=512)
def _parse(text: str) -> Any:
    """The parsed query, kept: clients send the same texts again and again, and rdflib's parser
    is slow (errors are not kept, so a bad query costs its parse each time)."""
    try:
        return parse_query(text, source="query")
    except KgUsageError:  # an update sent as a query
        _refuse_remote_update(text)
        raise ServeError(
            403,
            "this is a SPARQL Update (INSERT, DELETE, CLEAR, DROP, ...); the server is read-only",
        ) from None


def _refuse_remote_update(text: str) -> Any:
    """Parse an update; refuse LOAD and SERVICE, which would fetch from the network.

    :raises KgParseError: not valid SPARQL Update.
    :raises ServeError: 400 for LOAD or SERVICE.
    """
    from rdflib.plugins.sparql import prepareUpdate

    from kg.namespaces import PREFIXES
    from kg.query import _walk
    from kg.sparql import syntax_error

    try:
        parsed = prepareUpdate(text, initNs=PREFIXES)
    except Exception as exc:  # pyparsing and rdflib raise various types for bad syntax
        raise syntax_error(exc, text, "update") from None
    for node in _walk(parsed.algebra):
        if node.name == "Load":
            raise ServeError(
                400, f"LOAD <{node.get('iri')}> would fetch a URL; the server never does"
            )
        if node.name == "ServiceGraphPattern":
            raise ServeError(
                400, f"SERVICE <{node.get('term')}> would query another endpoint; refused"
            )
    return parsed


async def _update(request: Request, text: str) -> Response:
    state = request.app.state.kg_state
    if request.method != "POST":
        raise ServeError(400, "an update is sent by POST")
    _refuse_remote_update(text)
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

    def work(deadline: Deadline) -> None:
        apply_update(state.kg, text)

    await state.runner.run(work)
    state.changed()
    return JSONResponse({"ok": True, "status": 200})


def apply_update(kg: Any, text: str) -> None:
    """Run a SPARQL Update on the graph's store (Oxigraph or rdflib's).

    :raises ServeError: 501 on a store that takes no updates here (a remote endpoint).
    :raises KgUsageError: the engine refuses the update.
    """
    from kg.namespaces import PREFIXES
    from kg.stores.memory import MemoryStore
    from kg.stores.oxigraph import OxigraphStore

    store = kg.store
    try:
        if isinstance(store, OxigraphStore):
            store.store.update(text, prefixes=dict(PREFIXES))
        elif isinstance(store, MemoryStore):
            store.dataset.update(text, initNs=PREFIXES)
        else:
            raise ServeError(501, f"updates are not supported on {store.describe()}")
    except (SyntaxError, ValueError) as exc:
        if isinstance(exc, (ServeError, KgParseError)):
            raise
        raise KgUsageError(f"the update failed: {exc}") from None


def bindings_key(bindings: Mapping[str, Node]) -> tuple[tuple[str, str], ...]:
    """A hashable, canonical key for parameter values (for the answer cache)."""
    return tuple(sorted((k, v.n3()) for k, v in bindings.items()))
