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
import logging
import signal
import socket
import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from html import escape
from typing import Any

from rdflib import URIRef
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Mount, Route

from kg.errors import KgError, KgUsageError
from kg.project import BUNDLE_HINT, package_file
from kg.query import Catalog, default_catalog
from kg.serve.catalog import AnswerCache, list_queries, openapi, openapi_endpoint, run_query
from kg.serve.config import ServeConfig
from kg.serve.errors import HANDLERS, ServeError
from kg.serve.limits import (
    BodyLimit,
    SecurityHeaders,
    harden,
    inline_scripts,
    one,
    page_csp,
    query_params,
)
from kg.serve.pool import Pool, Reply
from kg.serve.protocol import Rendered, sparql_endpoint
from kg.serve.resources import HTML_HEADERS, resource
from kg.workers import format_size

#: Files the query page may ship beside it (kg/serve/static/, built with the wheel).
STATIC = package_file("kg.serve", "static")


class ServerState:
    """What every request shares: the graph, the catalog, the limits, the workers, the cache."""

    def __init__(self, kg: Any, config: ServeConfig, catalog: Catalog) -> None:
        self.kg = kg
        self.config = config
        self.catalog = catalog
        self.pool = Pool(
            kg.store.replica,
            workers=config.workers,
            slow_slots=config.slow_queries,
            timeout=config.timeout,
            memory=config.max_memory,
            queue=config.queue,
            per_client=config.per_client,
            slow_after=config.slow_after,
        )
        self.cache = AnswerCache()
        self._lock = threading.Lock()
        self._graph_names: list[URIRef] | None = None
        self._openapi: dict[str, Any] | None = None
        self._home: tuple[str, str] | None = None
        self._running: dict[tuple[Any, ...], asyncio.Future[Reply | KgError | None]] = {}

    def graph_names(self) -> list[URIRef]:
        """The named graphs (the protocol's dataset may name these), read once."""
        with self._lock:
            if self._graph_names is None:
                self._graph_names = self.kg.graph_names()
            return self._graph_names

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI description, made once."""
        if self._openapi is None:
            self._openapi = openapi(self.catalog)
        return self._openapi

    async def answer(
        self, key: tuple[Any, ...], job: Any, args: tuple[Any, ...], request: Request
    ) -> Response:
        """The answer of ``job(context, *args)`` from a worker (:mod:`kg.serve.pool`), or the
        same request's answer kept from before."""
        cached: Reply | None = self.cache.get(key)
        if cached is not None:
            return respond(cached)
        running = self._running.get(key)
        if running is not None:  # the same request is being answered: wait for that answer
            shared = await asyncio.shield(running)
            if isinstance(shared, KgError):
                raise shared  # the same query fails the same way (its time, its memory)
            if shared is not None:
                return respond(shared)
        client = request.client.host if request.client is not None else "-"
        leader = running is None
        if leader:
            self._running[key] = asyncio.get_running_loop().create_future()
        outcome: Reply | KgError | None = None
        try:
            reply = await self.pool.run(job, args, client=client)
            if reply.rest is None and 200 <= reply.status < 300:
                outcome = reply
                self.cache.put(key, reply, len(reply.body) + len(repr(key)))
        except KgError as exc:
            # shared but for a refusal of this client (429): the others ask for themselves
            if not (isinstance(exc, ServeError) and exc.status == 429):
                outcome = exc
            raise
        finally:
            if leader:
                self._running.pop(key).set_result(outcome)
        return respond(reply)

    def changed(self) -> None:
        """The graph was updated: forget everything read from it."""
        with self._lock:
            self._graph_names = None
        self.cache.clear()
        self.pool.reset()


def respond(reply: Reply) -> Response:
    """The HTTP response of a worker's answer: whole, or streamed as it comes."""
    if reply.rest is None:
        return Response(
            reply.body, status_code=reply.status, media_type=reply.media_type, headers=reply.headers
        )
    rest = reply.rest

    async def parts() -> AsyncIterator[bytes]:
        yield reply.body
        async for part in rest:
            yield part

    return StreamingResponse(
        parts(), status_code=reply.status, media_type=reply.media_type, headers=reply.headers
    )


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
        state.pool.close()

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
    state: ServerState = request.app.state.kg_state
    try:
        from kg.serve.query_page import query_page
    except ImportError:
        return HTMLResponse(catalog_page(state.catalog), headers=HTML_HEADERS)
    text = query_page(state.catalog, base="/")
    if state._home is None or state._home[0] is not text:
        # the page's own script may run (by its hash), and only it
        state._home = (text, page_csp(inline_scripts(text), connect=True))
    return HTMLResponse(text, headers={"Content-Security-Policy": state._home[1]})


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
    state: ServerState = request.app.state.kg_state
    params = query_params(request)
    focus = one(params, "focus")
    depth_text = one(params, "depth")
    lang = one(params, "lang") or "vi"
    if depth_text is not None and not depth_text.isdigit():
        raise ServeError(400, f"depth must be a whole number, not {depth_text!r}")
    depth = int(depth_text) if depth_text is not None else None
    return await state.answer(("viz", focus, depth, lang), viz_job, (focus, depth, lang), request)


def viz_job(
    context: Any, focus: str | None, depth: int | None, lang: str
) -> tuple[Any, ...] | None:
    """In a worker: the network page (kept by the worker: it takes seconds to make)."""
    from kg.network import network
    from kg.viz import render

    pages: dict[tuple[Any, ...], Rendered] = context.memo.setdefault("viz", {})
    key = (focus, depth, lang)
    found = pages.get(key)
    if found is None:
        body = render(network(context.kg, lang=lang, focus=focus, depth=depth), "html", lang=lang)
        policy = harden(body.decode("utf-8"))
        found = Rendered(body, "text/html; charset=utf-8", {"Content-Security-Policy": policy})
        if len(pages) > 16:
            pages.clear()
        pages[key] = found
    return found.emit(context)


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
    result: dict[str, Any] = {"status": 500, "headers": {}, "body": [], "asked": False}
    answered = asyncio.Event()

    async def receive() -> dict[str, Any]:
        # the request once; then, as a client does, nothing until the answer is complete and
        # the client goes (a streamed answer listens for that: an endless stream of requests
        # would keep its listener spinning and the answer would never be sent)
        if not result["asked"]:
            result["asked"] = True
            return {"type": "http.request", "body": body, "more_body": False}
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            result["status"] = message["status"]
            result["headers"] = {
                k.decode("latin-1"): v.decode("latin-1") for k, v in message.get("headers", [])
            }
        elif message["type"] == "http.response.body":
            result["body"].append(message.get("body", b""))
            if not message.get("more_body", False):
                answered.set()

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
    sock.listen(2048)  # connections queue from now on: the log may say it listens
    sock.set_inheritable(True)
    return sock


def serve(app: Any, config: ServeConfig, sock: socket.socket | None = None) -> None:
    """Run the app with uvicorn on ``sock`` (:func:`listen`'s) until interrupted: the workers
    are started first, and the log says where the server listens (and warns when that is
    beyond this machine)."""

    sock = sock if sock is not None else listen(config)
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:%(padding)s%(message)s"))
        handler.addFilter(_pad)
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    for warning in (exposure(config.host), missing_pages()):
        if warning is not None:
            log.warning(warning)
    state: ServerState = app.state.kg_state
    # SIGTERM ends the server through the finally below (the workers stopped, the copy of the
    # graph removed), not on the spot: before uvicorn runs, by SystemExit; once its event loop
    # runs (an exception raised there would be lost), by asking it to stop
    running: list[Any] = []

    def terminated(signum: int, frame: object) -> None:
        if not running:
            raise SystemExit(128 + signum)
        running[0].should_exit = True

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        _run(app, config, sock, state, running)
    finally:
        state.pool.close()
        signal.signal(signal.SIGTERM, previous)


def _run(
    app: Any, config: ServeConfig, sock: socket.socket, state: ServerState, running: list[Any]
) -> None:
    import uvicorn

    state.pool.prepare()
    host, port = sock.getsockname()[:2]
    url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    log.info(
        "kg serve: listening on %s (SPARQL at %s/sparql; %d query workers, %g s and %s a query)",
        url,
        url,
        config.workers,
        config.timeout,
        format_size(config.max_memory),
    )
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="info", server_header=False, access_log=config.access_log)
    )
    running.append(server)
    server.run(sockets=[sock])


def missing_pages() -> str | None:
    """The warning a server whose pages cannot be made deserves: None when both front-end
    bundles are there (the query page's at ``/``, the network's at ``/viz``)."""
    bundles = {
        "/": package_file("kg.serve", "static/query.bundle.js"),
        "/viz": package_file("kg.viz", "static/viz.bundle.js"),
    }
    missing = [route for route, path in bundles.items() if not path.is_file()]
    if not missing:
        return None
    return (
        f"the page script of {' and '.join(missing)} is missing, so "
        f"{'they answer' if len(missing) > 1 else 'it answers'} 503 (SPARQL, the catalog and "
        f"the resource pages work): {BUNDLE_HINT}"
    )


def exposure(host: str) -> str | None:
    """The warning a server listening on ``host`` deserves: None for this machine only.

    >>> exposure("127.0.0.1") is None, exposure("localhost") is None
    (True, True)
    >>> exposure("0.0.0.0")[:40]
    'kg serve listens on 0.0.0.0: any machine'
    """
    import ipaddress

    if host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return (
        f"kg serve listens on {host}: any machine that can reach this one can query the "
        "graph; use --host 127.0.0.1 (the default) to keep it on this machine"
    )


def _pad(record: logging.LogRecord) -> bool:
    record.padding = " " * max(1, 9 - len(record.levelname))
    return True


log = logging.getLogger("kg.serve")
