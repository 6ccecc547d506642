"""Limits that keep one client from hurting the server: time, rows, body size, encoding.

**Time.** pyoxigraph cannot cancel a query once started (oxigraph issue #1926: the timeout of
the Rust API is not exposed to Python), and rdflib cannot either. So every query runs in a
bounded pool of threads (:class:`QueryRunner`; pyoxigraph releases the GIL while it works, so
the event loop keeps answering), and the request waits for it at most ``timeout`` seconds, then
answers 503. The thread is told to stop: answers are read row by row (:func:`execute`), and the
reader checks the deadline between rows, so a query that streams (most: no ORDER BY, GROUP BY
or aggregate over a large join) stops at the deadline. A query whose first row alone takes long
(an aggregate over a huge join) keeps its thread until Oxigraph is done: the client has its 503,
the other threads keep serving, and queries that wait for a free thread get 503 in their turn
rather than waiting forever. Stopping such a query for good would need a process per query,
which would copy the graph or reopen the store for each one.

**Rows.** An answer longer than ``max_rows`` rows (or triples) is cut there, and the response
says so with the headers ``Kg-Truncated: true`` and ``Kg-Max-Rows: N``: standard SPARQL
clients keep working on the first rows, and the reader stops pulling rows from Oxigraph, so
the limit also bounds the work.

**Bodies and text.** A body larger than ``max_body`` bytes is refused (413) before it is
read; query strings and bodies must be UTF-8 (400 otherwise).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from rdflib import Graph
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from kg.errors import KgError
from kg.query import Results
from kg.serve.errors import ServeError, error_response, log
from kg.stores.base import QueryDataset, make_result

T = TypeVar("T")


class Deadline:
    """When a query must be done by, and a flag the waiting request raises when it gives up."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.cancelled = threading.Event()

    def check(self) -> None:
        """Stop the work here when the time is up or the request has given up.

        :raises ServeError: 503, the query is past its time limit.
        """
        if self.cancelled.is_set() or time.monotonic() > self.at:
            raise timeout_error(self.seconds)


def timeout_error(seconds: float) -> ServeError:
    """The 503 a query past its time limit gets."""
    return ServeError(
        503,
        f"the query took longer than {seconds:g} s, the server's limit (kg serve --timeout); "
        "narrow it (LIMIT, more specific patterns) or ask for a higher limit",
        headers={"Retry-After": "1"},
    )


class QueryRunner:
    """A bounded pool of threads for queries, each waited for at most ``timeout`` seconds.

    :param workers: threads that run queries at once.
    :param timeout: the time limit of each query, waiting for a thread included.
    """

    def __init__(self, workers: int, timeout: float) -> None:
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kg-query")

    async def run(self, work: Callable[[Deadline], T]) -> T:
        """Run ``work(deadline)`` in the pool; 503 when it is not done in time.

        :raises ServeError: 503 past the time limit.
        """
        deadline = Deadline(self.timeout)
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._pool, _in_worker, work, deadline)
        try:
            return await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            deadline.cancelled.set()  # the thread stops at its next row
            raise timeout_error(self.timeout) from None

    def close(self) -> None:
        """Stop taking work; queries still running finish on their own."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def _in_worker(work: Callable[[Deadline], T], deadline: Deadline) -> T:
    """Run ``work``; an error leaves the thread without the frames it was raised through.

    pyoxigraph's answers may only be dropped by the thread that made them, and a traceback
    keeps every frame (and so every answer) it passes through alive until the request's thread
    drops it: the frames are let go here instead.
    """
    try:
        return work(deadline)
    except BaseException as exc:
        if not isinstance(exc, KgError):  # the server's fault: log where, before letting go
            log.error("a query worker failed", exc_info=exc)
        seen: set[int] = set()
        error: BaseException | None = exc
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            error.__traceback__ = None
            error = error.__cause__ or error.__context__
        raise


@dataclass
class Answer:
    """A query's results, and whether they were cut at the row limit."""

    results: Results
    truncated: bool = False


def execute(
    kg: Any,
    text: str,
    prepared: Query,
    bindings: Mapping[str, Node],
    *,
    deadline: Deadline,
    max_rows: int,
    dataset: QueryDataset | None = None,
) -> Answer:
    """Run a checked query, reading its answer row by row within the deadline and row limit.

    The answer is read as the store streams it (:meth:`~kg.stores.Store.stream`): on Oxigraph
    rows are pulled one at a time.

    :param kg: the :class:`~kg.graph.KnowledgeGraph`.
    :param text: the query text (parameters are ``bindings``).
    :param prepared: the same text parsed by rdflib and checked by
        :func:`kg.sparql.refuse_remote`.
    :param bindings: parameter values as RDF terms.
    :param deadline: when to stop.
    :param max_rows: rows (or triples) after which the answer is cut.
    :param dataset: the default and named graphs, when not the union of all.
    :raises ServeError: 503 past the deadline.
    :raises KgUsageError: the engine refuses the query.
    """
    stream = kg.store.stream(text, prepared, dict(bindings), dataset=dataset)
    form, names, items, boolean = stream
    if form == "ASK":
        deadline.check()
        return Answer(Results(make_result("ASK", boolean=boolean)))  # nothing to close
    kept: list[Any] = []
    truncated = False
    failure: BaseException | None = None
    try:
        for item in items:
            if len(kept) % 64 == 0:
                deadline.check()
            if len(kept) >= max_rows:
                truncated = True
                break
            kept.append(item)
        deadline.check()
    except BaseException as exc:
        failure = exc
    finally:
        # pyoxigraph's answers may only be dropped by the thread that made them: let go of
        # them here, and send an error on without the frames that hold them
        items.close()
        del items, stream
    if failure is not None:
        raise failure.with_traceback(None)
    if form == "SELECT":
        return Answer(Results(make_result("SELECT", variables=names, rows=kept)), truncated)
    return Answer(Results(make_result(form, triples=kept)), truncated)


def graph_of(results: Results) -> Graph:
    """The graph of a CONSTRUCT or DESCRIBE answer."""
    assert results.graph is not None
    return results.graph


# --- request text --------------------------------------------------------------------------


def parse_form(raw: bytes, what: str) -> dict[str, list[str]]:
    """``a=1&b=2`` (a query string or a form body) as lists of values, strictly UTF-8.

    >>> parse_form(b"query=ASK%20%7B%7D&x=1&x=2", "the query string")
    {'query': ['ASK {}'], 'x': ['1', '2']}

    :raises ServeError: 400, the text is not UTF-8 (raw or percent-encoded).
    """
    try:
        text = raw.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ServeError(400, f"{what} is not valid UTF-8; percent-encode UTF-8 text") from None
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


def query_params(request: Request) -> dict[str, list[str]]:
    """The request's query string, strictly decoded (starlette's would replace bad bytes)."""
    return parse_form(request.scope.get("query_string", b""), "the query string")


def one(params: Mapping[str, list[str]], name: str) -> str | None:
    """The single value of ``name``, None when absent.

    :raises ServeError: 400, the parameter is given more than once.
    """
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise ServeError(400, f"the parameter {name} is given {len(values)} times; give it once")
    return values[0]


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused past ``limit`` bytes without reading the rest.

    :raises ServeError: 413, the body is larger than the limit; 400, a bad Content-Length.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ServeError(400, f"Content-Length {declared!r} is not a number")
        if int(declared) > limit:
            raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(limit: int) -> ServeError:
    """The 413 a body over the limit gets."""
    return ServeError(413, f"the request body is larger than the server's limit of {limit} bytes")


def decode_body(body: bytes, content_type: str) -> str:
    """A text body as a string: UTF-8 (the only charset SPARQL's media types allow).

    :raises ServeError: 400 for bytes that are not UTF-8; 415 for another declared charset.
    """
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value.strip('"').lower() not in ("utf-8", "utf8"):
            raise ServeError(415, f"charset {value} is not supported; send UTF-8")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ServeError(
            400, f"the request body is not valid UTF-8 (byte {exc.start}); send UTF-8"
        ) from None


class BodyLimit:
    """ASGI middleware: refuse a declared body over the limit on any route, before routing."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for key, value in scope.get("headers", []):
                if key == b"content-length" and value.isdigit() and int(value) > self.limit:
                    error = too_large(self.limit)
                    await error_response(error.status, str(error))(scope, receive, send)
                    return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """ASGI middleware: ``nosniff`` on every answer, so a browser never reads a JSON or text
    answer as a page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"no-referrer"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)
