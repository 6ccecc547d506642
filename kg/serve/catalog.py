"""The query catalog as a web API: ``/queries``, ``/queries/{name}`` and ``/openapi.json``.

Each stored query (``queries/*.rq``) is an endpoint of its own: its parameters are the query
string (``/queries/top-provinces?year=2019&n=5``), bound as typed RDF terms exactly as
``kg query --param`` binds them, and the answer comes in the format asked for (``Accept`` or
``?format=``). The `OpenAPI 3.1 <https://spec.openapis.org/oas/v3.1.0>`_ description lists
every query with its parameters, their types and examples, so API tools can call them.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kg.query import Catalog, StoredQuery
from kg.serve.errors import ServeError
from kg.serve.limits import execute, one, query_params
from kg.serve.negotiation import RESULT_MEDIA
from kg.serve.protocol import bindings_key, graph_names, render_answer, safe
from kg.sparql import parse_query
from kg.version import __version__

#: JSON Schema of each parameter type (kg.query.PARAM_TYPES).
_SCHEMAS: dict[str, dict[str, Any]] = {
    "xsd:integer": {"type": "integer"},
    "xsd:decimal": {"type": "number"},
    "xsd:gYear": {"type": "string", "pattern": "^-?[0-9]{4}$"},
    "xsd:date": {"type": "string", "format": "date"},
    "xsd:string": {"type": "string"},
    "xsd:boolean": {"type": "boolean"},
    "rdf:langString": {"type": "string", "pattern": "@[a-zA-Z]{2,3}(-[a-zA-Z0-9]+)*$"},
    "iri": {"type": "string", "format": "iri"},
    "search-key": {"type": "string"},
}
_FORMATS = ["json", "xml", "csv", "tsv", "turtle", "nt", "jsonld"]


def describe(query: StoredQuery, base: str = "/") -> dict[str, Any]:
    """A catalog entry as JSON: name, titles, descriptions, question, parameters, URL.

    >>> text = "#+ title@en: All\\nSELECT * { ?s ?p ?o }"
    >>> entry = describe(StoredQuery.from_text(text, name="all"))
    >>> entry["url"], entry["title"]
    ('/queries/all', {'en': 'All'})
    """
    return {
        "name": query.name,
        "title": dict(query.titles),
        "description": dict(query.descriptions),
        "question": query.question,
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "default": p.default,
                "example": p.example,
                "description": p.description,
                "required": p.default is None,
            }
            for p in query.parameters
        ],
        "url": f"{base}queries/{query.name}",
    }


def list_queries(request: Request) -> Response:
    """GET /queries: the catalog, as JSON."""
    catalog: Catalog = request.app.state.kg_state.catalog
    return JSONResponse({"ok": True, "queries": [describe(q) for q in catalog]})


class AnswerCache:
    """The last short answers, by what was asked (query, parameters, format).

    The graph does not change while the server runs (unless updates are allowed, and then
    :meth:`clear` is called after each), so the same request gets the same bytes. At most
    ``size`` answers and ``budget`` bytes are kept; an answer larger than ``largest`` bytes is
    never kept.
    """

    def __init__(self, size: int = 1024, *, budget: int = 64 << 20, largest: int = 256 << 10):
        self.size = size
        self.budget = budget
        self.largest = largest
        self._bytes = 0
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> Any:
        """The cached answer, or None."""
        found = self._items.get(key)
        if found is None:
            return None
        self._items.move_to_end(key)
        return found[0]

    def put(self, key: tuple[Any, ...], value: Any, size: int) -> None:
        """Keep an answer of ``size`` bytes, forgetting the oldest past the bounds."""
        if size > self.largest:
            return
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= old[1]
        self._items[key] = (value, size)
        self._bytes += size
        while len(self._items) > self.size or self._bytes > self.budget:
            _, (_, dropped) = self._items.popitem(last=False)
            self._bytes -= dropped

    def clear(self) -> None:
        """Forget everything (the graph changed)."""
        self._items.clear()
        self._bytes = 0


async def run_query(request: Request) -> Response:
    """GET /queries/{name}?param=value: a catalog query's answer in the format asked for."""
    state = request.app.state.kg_state
    name = request.path_params["name"]
    catalog: Catalog = state.catalog
    try:
        stored = catalog.get(name)
    except ValueError as exc:
        raise ServeError(404, str(exc).replace(" (kg query --list)", " (see /queries)")) from None
    params = query_params(request)
    label = one(params, "format")
    values = {key: one(params, key) for key in params if key != "format"}
    try:
        bindings = stored.bindings(values)
    except ValueError as exc:
        raise ServeError(400, str(exc).replace("--param ", "")) from None
    accept = request.headers.get("accept")
    key = ("catalog", name, bindings_key(bindings), label, accept if label is None else None)
    return await state.answer(
        key, catalog_job, (stored, bindings, accept, label, state.config.max_rows), request
    )


def catalog_job(
    context: Any,
    stored: StoredQuery,
    bindings: dict[str, Any],
    accept: str | None,
    label: str | None,
    max_rows: int,
) -> tuple[Any, ...] | None:
    """In a worker: run a catalog query, send its answer."""
    prepared = prepare_stored(stored, graph_names(context))
    answer = execute(context.kg, stored.text, prepared, bindings, max_rows=max_rows)
    return render_answer(answer, accept, label, max_rows).emit(context)


def prepare_stored(stored: StoredQuery, graph_names: list[Any]) -> Any:
    """A catalog query parsed and checked once (it is the server's own, but checked all the
    same)."""
    prepared = parse_query(stored.text, source=str(stored.path or stored.name))
    safe(prepared, graph_names)
    return prepared


def openapi(catalog: Catalog, *, title: str = "cchc-kg") -> dict[str, Any]:
    """The OpenAPI 3.1 description of the server: /sparql, /queries and one path per query.

    >>> spec = openapi(Catalog([]))
    >>> spec["openapi"], sorted(spec["paths"])[:2]
    ('3.1.0', ['/id/{path}', '/openapi.json'])
    """
    error = {"$ref": "#/components/responses/Error"}
    format_param = {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "The answer's format (instead of the Accept header).",
        "schema": {"type": "string", "enum": _FORMATS},
    }
    results = {
        "description": "The answer: SPARQL results (SELECT, ASK) or RDF (CONSTRUCT, DESCRIBE).",
        "content": {media: {} for media in dict.fromkeys(RESULT_MEDIA.values())}
        | {"text/turtle": {}, "application/n-triples": {}, "application/ld+json": {}},
    }
    paths: dict[str, Any] = {
        "/sparql": {
            "get": {
                "summary": "SPARQL 1.1 Protocol: a query by GET",
                "operationId": "sparql_get",
                "parameters": [
                    {
                        "name": "query",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string"},
                        "example": "SELECT ?o WHERE { ?o a org:Organization } LIMIT 5",
                    },
                    format_param,
                ],
                "responses": {"200": results, "400": error, "503": error},
            },
            "post": {
                "summary": "SPARQL 1.1 Protocol: a query by POST (form or body)",
                "operationId": "sparql_post",
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {"query": {"type": "string"}},
                            }
                        },
                        "application/sparql-query": {"schema": {"type": "string"}},
                    }
                },
                "responses": {"200": results, "400": error, "403": error, "503": error},
            },
        },
        "/queries": {
            "get": {
                "summary": "The query catalog",
                "operationId": "list_queries",
                "responses": {"200": {"description": "Every stored query, with parameters."}},
            }
        },
        "/id/{path}": {
            "get": {
                "summary": "A resource of the graph: an HTML page, or Turtle, JSON-LD, N-Triples",
                "operationId": "resource",
                "parameters": [
                    {"name": "path", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "The resource."}, "404": error},
            }
        },
        "/openapi.json": {
            "get": {
                "summary": "This description",
                "operationId": "openapi",
                "responses": {"200": {"description": "OpenAPI 3.1."}},
            }
        },
    }
    for query in catalog:
        parameters: list[dict[str, Any]] = []
        for p in query.parameters:
            schema = dict(_SCHEMAS[p.type])
            if p.default is not None:
                schema["default"] = _typed(p.type, p.default)
            entry: dict[str, Any] = {
                "name": p.name,
                "in": "query",
                "required": p.default is None,
                "description": p.description or p.type,
                "schema": schema,
                "x-rdf-type": p.type,
            }
            if p.example is not None:
                entry["example"] = _typed(p.type, p.example)
            parameters.append(entry)
        parameters.append(format_param)
        paths[f"/queries/{query.name}"] = {
            "get": {
                "summary": query.title("en"),
                "description": "\n\n".join(
                    t for t in (query.title("vi"), query.descriptions.get("en", "")) if t
                ),
                "operationId": "query_" + query.name.replace("-", "_"),
                "tags": ["catalog"],
                "parameters": parameters,
                "responses": {"200": results, "400": error, "503": error},
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{title}: the CCHC knowledge graph",
            "version": _version(),
            "description": "A read-only SPARQL endpoint, the query catalog as an API, and a "
            "page for every resource. Errors are JSON: {ok: false, error, status}.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "responses": {
                "Error": {
                    "description": "An error, always in this shape.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["ok", "error", "status"],
                                "properties": {
                                    "ok": {"const": False},
                                    "error": {"type": "string"},
                                    "status": {"type": "integer"},
                                },
                            }
                        }
                    },
                }
            }
        },
    }


def _typed(kind: str, text: str) -> Any:
    if kind == "xsd:integer":
        return int(text)
    if kind == "xsd:decimal":
        return float(text)
    if kind == "xsd:boolean":
        return text in ("true", "1")
    return text


def _version() -> str:
    return __version__


def openapi_endpoint(request: Request) -> Response:
    """GET /openapi.json."""
    return JSONResponse(request.app.state.kg_state.openapi())
