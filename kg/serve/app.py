"""``create_app(kg, config)``: the ASGI application of ``kg serve``, and a way to call it.

The routes, each in the module of its job:

==================  =============================================  ============================
``/``               the query page (the catalog, an editor)        :mod:`kg.serve.query_page`
``/sparql``         SPARQL 1.1 Protocol, GET and POST              :mod:`kg.serve.protocol`
``/queries``        the catalog as JSON; ``/queries/{name}`` runs  :mod:`kg.serve.catalog`
``/openapi.json``   OpenAPI 3.1 of all of it                       :mod:`kg.serve.catalog`
``/id/...``         a page (or RDF) for every resource             :mod:`kg.serve.resources`
``/viz``            the page ``kg viz`` writes                     :func:`kg.viz.render`
==================  =============================================  ============================

Limits (time, rows, body size, encoding) are in :mod:`kg.serve.limits`, the error shape in
:mod:`kg.serve.errors`. The graph is built or opened once, before the app is made, and is only
read (unless ``--allow-update``).
"""

from __future__ import annotations

import asyncio
import gc
import socket
import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from html import escape
from pathlib import Path
from typing import Any

from rdflib import URIRef
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route

from kg.errors import KgUsageError
from kg.query import Catalog, StoredQuery, default_catalog
from kg.serve.catalog import (
    AnswerCache,
    list_queries,
    openapi,
    openapi_endpoint,
    prepare_stored,
    run_query,
)
from kg.serve.config import ServeConfig
from kg.serve.errors import HANDLERS
from kg.serve.limits import BodyLimit, QueryRunner, SecurityHeaders, one, query_params
from kg.serve.protocol import sparql_endpoint
from kg.serve.resources import HTML_HEADERS, resource

#: Files the query page may ship beside it (kg/serve/static/, built by ``make build``).
STATIC = Path(__file__).resolve().parent / "static"


class ServerState:
    """What every request shares: the graph, the catalog, the limits, the pool, the caches."""

    def __init__(self, kg: Any, config: ServeConfig, catalog: Catalog) -> None:
        self.kg = kg
        self.config = config
        self.catalog = catalog
        self.runner = QueryRunner(config.workers, config.timeout)
        self.cache = AnswerCache()
        self._lock = threading.Lock()
        self._graph_names: list[URIRef] | None = None
        self._prepared: dict[str, Any] = {}
        self._openapi: dict[str, Any] | None = None
        self._viz: dict[str, bytes] = {}

    def graph_names(self) -> list[URIRef]:
        """The named graphs (FROM may name these), read once."""
        with self._lock:
            if self._graph_names is None:
                self._graph_names = self.kg.graph_names()
            return self._graph_names

    def prepared(self, stored: StoredQuery) -> Any:
        """A catalog query parsed and checked, once."""
        with self._lock:
            found = self._prepared.get(stored.name)
        if found is None:
            found = prepare_stored(stored, self.graph_names())
            with self._lock:
                self._prepared[stored.name] = found
        return found

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI description, made once."""
        if self._openapi is None:
            self._openapi = openapi(self.catalog)
        return self._openapi

    def viz(self, focus: str | None, depth: int | None, lang: str) -> bytes:
        """The network page, made once per (focus, depth, language)."""
        from kg.network import network
        from kg.viz import render

        key = f"{focus}|{depth}|{lang}"
        with self._lock:
            found = self._viz.get(key)
        if found is None:
            try:
                net = network(self.kg, lang=lang, focus=focus, depth=depth)
            finally:
                # network() can leave a pyoxigraph answer in a reference cycle (a frame kept
                # by a parser exception); pyoxigraph answers may only be freed by the thread
                # that made them, so collect the cycle here, in this worker thread
                gc.collect()
            found = render(net, "html", lang=lang)
            with self._lock:
                if len(self._viz) > 64:
                    self._viz.clear()
                self._viz[key] = found
        return found

    def changed(self) -> None:
        """The graph was updated: forget everything read from it."""
        with self._lock:
            self._graph_names = None
            self._viz.clear()
        self.cache.clear()


def create_app(kg: Any, config: ServeConfig, *, catalog: Catalog | None = None) -> Starlette:
    """The ASGI application serving ``kg`` with the limits of ``config``.

    Run it with any ASGI server (``uvicorn``, as ``kg serve`` does), or call it in-process with
    :func:`fetch`.

    >>> from kg.graph import KnowledgeGraph
    >>> app = create_app(KnowledgeGraph(), ServeConfig())
    >>> fetch(app, "/sparql?query=ASK%20%7B%7D")[0]
    200

    :param kg: the :class:`~kg.graph.KnowledgeGraph` to serve (built or opened once, before).
    :param config: address, limits and permissions.
    :param catalog: the stored queries served at ``/queries`` (``config.root``'s by default).
    :returns: a Starlette application.
    """
    state = ServerState(
        kg, config, catalog if catalog is not None else default_catalog(config.root)
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        state.runner.close()

    routes: list[Any] = [
        Route("/", home, methods=["GET"]),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
        Route("/queries", list_queries, methods=["GET"]),
        Route("/queries/{name}", run_query, methods=["GET"]),
        Route("/openapi.json", openapi_endpoint, methods=["GET"]),
        Route("/id/{path:path}", resource, methods=["GET"]),
        Route("/viz", viz, methods=["GET"]),
    ]
    if STATIC.is_dir():
        from starlette.staticfiles import StaticFiles

        routes.append(Mount("/static", StaticFiles(directory=STATIC), name="static"))
    middleware = [Middleware(SecurityHeaders), Middleware(BodyLimit, limit=config.max_body)]
    if config.cors:
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=[config.cors],
                allow_methods=["GET", "POST"],
                allow_headers=["Accept", "Content-Type", "Authorization"],
                expose_headers=["Kg-Truncated", "Kg-Max-Rows"],
            )
        )
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers=HANDLERS,  # type: ignore[arg-type]
        lifespan=lifespan,
    )
    app.state.kg_state = state
    return app


def home(request: Request) -> Response:
    """GET /: the query page when it is there, else a plain list of the catalog."""
    catalog: Catalog = request.app.state.kg_state.catalog
    try:
        from kg.serve.query_page import query_page
    except ImportError:
        return HTMLResponse(catalog_page(catalog), headers=HTML_HEADERS)
    return HTMLResponse(query_page(catalog, base="/"))


def catalog_page(catalog: Catalog) -> str:
    """A plain HTML list of the catalog: titles, parameters, a link to each query's answer."""
    items = []
    for q in catalog:
        params = ", ".join(escape(p.describe()) for p in q.parameters) or "—"
        en = q.titles.get("en", "")
        items.append(
            f'<li><a href="/queries/{escape(q.name)}">{escape(q.title("vi"))}</a>'
            + (f' <span lang="en">· {escape(en)}</span>' if en else "")
            + f"<br><small>{escape(q.name)}: {params}</small></li>"
        )
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>cchc-kg</title>'
        "</head><body><h1>cchc-kg</h1><p>SPARQL: <code>/sparql?query=...</code> · "
        '<a href="/openapi.json">OpenAPI</a> · <a href="/viz">network</a></p>'
        f"<h2>Truy vấn · Queries</h2><ul>{''.join(items)}</ul></body></html>\n"
    )


async def viz(request: Request) -> Response:
    """GET /viz: the network page of ``kg viz`` (``?focus=``, ``?depth=``, ``?lang=``)."""
    from kg.serve.errors import ServeError

    state: ServerState = request.app.state.kg_state
    params = query_params(request)
    focus = one(params, "focus")
    depth_text = one(params, "depth")
    lang = one(params, "lang") or "vi"
    if depth_text is not None and not depth_text.isdigit():
        raise ServeError(400, f"depth must be a whole number, not {depth_text!r}")
    depth = int(depth_text) if depth_text is not None else None
    body: bytes = await state.runner.run(lambda deadline: state.viz(focus, depth, lang))
    return Response(body, media_type="text/html; charset=utf-8")


def fetch(
    app: Any,
    path: str,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
) -> tuple[int, dict[str, str], bytes]:
    """Answer one request in-process, without a socket (``kg serve --get``).

    :param app: an ASGI application (from :func:`create_app`).
    :param path: the path and query string, e.g. ``/queries?format=json``.
    :returns: the status, the headers (lower-case names) and the body.
    """
    raw_path, _, query = path.partition("?")
    from urllib.parse import unquote_to_bytes

    sent = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    if body:
        sent.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method.upper(),
        "scheme": "http",
        "path": unquote_to_bytes(raw_path).decode("utf-8", "replace"),
        "raw_path": raw_path.encode("latin-1", "replace"),
        "query_string": query.encode("utf-8"),
        "root_path": "",
        "headers": sent,
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 0),
    }
    result: dict[str, Any] = {"status": 500, "headers": {}, "body": []}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            result["status"] = message["status"]
            result["headers"] = {
                k.decode("latin-1"): v.decode("latin-1") for k, v in message.get("headers", [])
            }
        elif message["type"] == "http.response.body":
            result["body"].append(message.get("body", b""))

    async def call() -> None:
        try:
            await app(scope, receive, send)
        except Exception:  # the error answer was sent; the server re-raises it for its log
            if not result["body"]:
                raise

    asyncio.run(call())
    return result["status"], result["headers"], b"".join(result["body"])


def listen(config: ServeConfig) -> socket.socket:
    """The server's socket, bound before the graph is built: a port in use is then said at
    once, in one line, instead of after the build by uvicorn.

    :raises KgUsageError: the address cannot be listened on (in use, not this machine's...).
    """
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((config.host, config.port))
    except OSError as exc:
        sock.close()
        raise KgUsageError(
            f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}; "
            "choose another --port or --host"
        ) from None
    sock.set_inheritable(True)
    return sock


def serve(app: Any, config: ServeConfig, sock: socket.socket | None = None) -> None:
    """Run the app with uvicorn on ``sock`` (:func:`listen`'s) until interrupted."""
    import uvicorn

    sock = sock if sock is not None else listen(config)
    server = uvicorn.Server(uvicorn.Config(app, log_level="info", server_header=False))
    server.run(sockets=[sock])
