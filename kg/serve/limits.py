"""Limits that keep one client from hurting the server: rows, body size, encoding; the
answer read row by row.

Time and memory are the worker processes' (:mod:`kg.serve.pool`): a query runs in a process
that is killed at its limit, because pyoxigraph and rdflib cannot stop a query once started.

**Rows.** An answer longer than ``max_rows`` rows (or triples) is cut there, and the response
says so with the headers ``Kg-Truncated: true`` and ``Kg-Max-Rows: N``: standard SPARQL
clients keep working on the first rows, and the reader stops pulling rows from Oxigraph, so
the limit also bounds the work.

**Bodies and text.** A body larger than ``max_body`` bytes is refused (413) before it is
read; query strings and bodies must be UTF-8 (400 otherwise), and query text is read as NFC,
as every file is (:func:`kg.io.nfc`), so that "Hà Nội" typed with decomposed diacritics finds
the labels of the graph.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from rdflib import Graph
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from kg.io import nfc
from kg.query import Results
from kg.serve.errors import ServeError, error_response
from kg.stores.base import QueryDataset, make_result


@dataclass
class Answer:
    """A query's results, and whether they were cut at the row limit."""

    results: Results
    truncated: bool = False


def execute(
    kg: Any,
    text: str,
    prepared: Query | None,
    bindings: Mapping[str, Node],
    *,
    max_rows: int,
    dataset: QueryDataset | None = None,
) -> Answer:
    """Run a checked query, reading its answer row by row up to the row limit (its worker
    process is stopped from outside at its time limit).

    The answer is read as the store streams it (:meth:`~kg.stores.Store.stream`): on Oxigraph
    rows are pulled one at a time.

    :param kg: the :class:`~kg.graph.KnowledgeGraph`.
    :param text: the query text (parameters are ``bindings``).
    :param prepared: the same text parsed by rdflib and checked by
        :func:`kg.sparql.refuse_remote`; or None for a text :func:`kg.sparql.plain` passed.
    :param bindings: parameter values as RDF terms.
    :param max_rows: rows (or triples) after which the answer is cut.
    :param dataset: the default and named graphs, when not the union of all.
    :raises KgUsageError: the engine refuses the query.
    """
    stream = kg.store.stream(text, prepared, dict(bindings), dataset=dataset)
    form, names, items, boolean = stream
    if form == "ASK":
        return Answer(Results(make_result("ASK", boolean=boolean)))  # nothing to close
    kept: list[Any] = []
    truncated = False
    try:
        for item in items:
            if len(kept) >= max_rows:
                truncated = True
                break
            kept.append(item)
    finally:
        items.close()
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
        out.setdefault(key, []).append(nfc(value))
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
        return nfc(body.decode("utf-8"))
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
    answer as a page; no page of the server may be framed by another (``frame-ancestors
    'none'`` in each page's Content-Security-Policy, and ``X-Frame-Options: DENY`` for older
    browsers); an HTML answer without a policy of its own gets the strictest one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"no-referrer"))
                headers.append((b"x-frame-options", b"DENY"))
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", STRICT_CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


#: The policy of an answer that brings none of its own: nothing runs, nothing loads, nothing
#: frames it.
STRICT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def page_csp(scripts: tuple[str, ...] = (), *, connect: bool = False) -> str:
    """The Content-Security-Policy of one of the server's HTML pages: its own inline scripts
    may run, each named by its SHA-256 (an injected script has another hash and does not run;
    no ``'unsafe-inline'``); styles inline; images from the page and ``data:``; requests only
    to the server itself; nothing may frame it.

    >>> page_csp()
    "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; \
font-src data:; connect-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    :param scripts: the text of each inline ``<script>`` the page runs.
    :param connect: whether the page's script talks to the server (the query page).
    """
    import base64
    import hashlib

    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'"
        for s in scripts
    )
    none, own = "'none'", "'self'"
    return (
        f"default-src 'none'; script-src {hashes or none}; style-src 'unsafe-inline'; "
        f"img-src 'self' data:; font-src data:; connect-src {own if connect else none}; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


def inline_scripts(page: str) -> tuple[str, ...]:
    """The text of each inline ``<script>`` of an HTML page that a browser runs (not the data
    blocks, ``type="application/json"``), for :func:`page_csp`.

    >>> inline_scripts('<script>a()</script><script type="application/json">{}</script>')
    ('a()',)
    """
    import re

    found = []
    for attributes, text in re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S | re.I):
        kind = re.search(r"""type\s*=\s*["']?([^"'\s>]+)""", attributes, re.I)
        if "src=" in attributes.lower():
            continue
        if kind is None or kind.group(1).lower() in ("text/javascript", "module"):
            found.append(text)
    return tuple(found)


def harden(page: str) -> str:
    """The Content-Security-Policy header of a page that may bring a policy of its own in a
    ``<meta>`` tag (the page ``kg viz`` writes, which works offline as a file): its policy, with
    its inline scripts allowed by their hashes instead of ``'unsafe-inline'``, and framing
    refused; :func:`page_csp` for a page without one.

    >>> policy = "default-src 'none'; script-src 'unsafe-inline'; worker-src blob:"
    >>> page = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    >>> page += "<script>go()</script>"
    >>> for directive in harden(page).split("; "):
    ...     print(directive)
    default-src 'none'
    script-src 'sha256-5KYv+PUboo5h+0+YAtGRPbwv5d/QxzHslP4YGnUaxRw='
    worker-src blob:
    frame-ancestors 'none'
    base-uri 'none'
    """
    import re

    scripts = inline_scripts(page)
    meta = re.search(
        r"<meta\s+http-equiv=[\"']Content-Security-Policy[\"']\s+content=\"([^\"]*)\"",
        page,
        re.I,
    )
    if meta is None:
        return page_csp(scripts)
    own = page_csp(scripts).split("; ")[1].partition(" ")[2]  # the hashes, or 'none'
    directives: dict[str, str] = {}
    for part in meta.group(1).replace("&#39;", "'").split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name.lower()] = value.strip()
    kept = [v for v in directives.get("script-src", "").split() if v != "'unsafe-inline'"]
    directives["script-src"] = " ".join([*(v for v in kept if v != "'none'"), own]).strip()
    directives["frame-ancestors"] = "'none'"
    directives.setdefault("base-uri", "'none'")
    return "; ".join(f"{k} {v}" for k, v in directives.items())
