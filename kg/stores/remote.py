"""A remote SPARQL 1.1 endpoint: for graphs that outgrow one machine.

Queries go by the SPARQL 1.1 Protocol (POST, form-encoded) with the dataset given as protocol
parameters: every named graph is both a ``default-graph-uri`` (so the default graph is their
union, as in the embedded stores, whatever the server's own default) and a ``named-graph-uri``.
Writes go by the Graph Store Protocol (``PUT``, one request per named graph: the graph is
replaced atomically on servers that run a request in one transaction) when its URL is given,
else by SPARQL 1.1 Update (``DROP SILENT GRAPH`` and ``INSERT DATA`` in one request).

Credentials come from the environment (:data:`ENV_USER`, :data:`ENV_PASSWORD`), never from the
command line, where other users of the machine could read them. Every failure of the network
or the server becomes one :class:`~kg.errors.KgStoreError` line that names the URL and what the
server said.
"""

from __future__ import annotations

import base64
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from kg.errors import KgStoreError, KgUsageError
from kg.namespaces import PREFIXES
from kg.sparql import dataset_clause, query_form, substitute
from kg.stores.base import QueryDataset, Replica, Store, Triple, make_result

ENV_USER = "CCHC_KG_ENDPOINT_USER"
ENV_PASSWORD = "CCHC_KG_ENDPOINT_PASSWORD"
#: Seconds to wait for an answer before giving up (``--timeout`` overrides it).
DEFAULT_TIMEOUT = 60.0

_SELECT_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"


class RemoteStore(Store):
    """A SPARQL 1.1 endpoint, with its update endpoint and Graph Store Protocol URL.

    :param endpoint: the query endpoint, e.g. ``http://127.0.0.1:7878/query``.
    :param update_endpoint: where SPARQL Update goes; the query endpoint when omitted.
    :param graph_store: the Graph Store Protocol URL (``.../store``); SPARQL Update is used
        for writes and CONSTRUCT for reads when omitted.
    :param timeout: seconds to wait for each answer.
    """

    kind = "remote"

    def __init__(
        self,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        graph_store: str | None = None,
        timeout: float | None = None,
    ) -> None:
        for url in (endpoint, update_endpoint, graph_store):
            if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise KgUsageError(f"{url} is not an http:// or https:// URL of an endpoint")
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.graph_store = graph_store
        self.timeout = timeout if timeout is not None else DEFAULT_TIMEOUT
        self._names: list[URIRef] | None = None
        user, password = os.environ.get(ENV_USER), os.environ.get(ENV_PASSWORD)
        self._auth = None
        if user is not None or password is not None:
            token = base64.b64encode(f"{user or ''}:{password or ''}".encode()).decode("ascii")
            self._auth = f"Basic {token}"

    def describe(self) -> str:
        return f"the endpoint {self.endpoint}"

    def replica(self, folder: Path) -> Replica:
        """The same endpoint, called by each worker (credentials from the same environment)."""
        options = {
            "endpoint": self.endpoint,
            "update_endpoint": self.update_endpoint,
            "graph_store": self.graph_store,
            "timeout": self.timeout,
        }
        return Replica(self.kind, options)

    # -- HTTP ---------------------------------------------------------------------------------

    def _request(
        self,
        url: str,
        *,
        method: str = "POST",
        data: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        missing_ok: bool = False,
    ) -> bytes:
        headers = {"User-Agent": "cchc-kg"}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        if self._auth:
            headers["Authorization"] = self._auth
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        where = url.split("?", 1)[0]
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            if missing_ok and exc.code == 404:
                return b""
            said = _first_line(exc.read().decode("utf-8", "replace")) or exc.reason
            if exc.code in (401, 403):
                hint = (
                    f"check {ENV_USER} and {ENV_PASSWORD}"
                    if self._auth
                    else f"set {ENV_USER} and {ENV_PASSWORD}"
                )
                raise KgStoreError(
                    f"{where} refused the credentials (HTTP {exc.code}: {said}); {hint}"
                ) from None
            raise KgStoreError(f"{where} answered HTTP {exc.code}: {said}") from None
        except TimeoutError:
            raise KgStoreError(f"{where} did not answer within {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise KgStoreError(f"{where} did not answer within {self.timeout:g} s") from None
            raise KgStoreError(f"cannot reach {where}: {exc.reason}") from None
        except (ConnectionError, OSError) as exc:
            raise KgStoreError(f"cannot reach {where}: {exc}") from None

    def _sparql(self, text: str, accept: str, *, dataset: bool | QueryDataset = True) -> bytes:
        fields: list[tuple[str, str]] = [("query", text)]
        if isinstance(dataset, QueryDataset):
            fields += [("default-graph-uri", str(n)) for n in dataset.default]
            fields += [("named-graph-uri", str(n)) for n in dataset.named]
        elif dataset:
            names = [str(n) for n in self.graph_names()]
            fields += [("default-graph-uri", n) for n in names]
            fields += [("named-graph-uri", n) for n in names]
        body = urllib.parse.urlencode(fields).encode("utf-8")
        return self._request(
            self.endpoint,
            data=body,
            content_type="application/x-www-form-urlencoded",
            accept=accept,
        )

    def _update(self, text: str) -> None:
        self._names = None
        body = urllib.parse.urlencode([("update", text)]).encode("utf-8")
        self._request(
            self.update_endpoint, data=body, content_type="application/x-www-form-urlencoded"
        )

    def _select(self, text: str, *, dataset: bool = True) -> list[dict[str, Node]]:
        answer = _json(self._sparql(text, _SELECT_JSON, dataset=dataset), self.endpoint)
        return [_row(b) for b in answer.get("results", {}).get("bindings", [])]

    # -- Store --------------------------------------------------------------------------------

    def graph_names(self) -> list[URIRef]:
        if self._names is None:
            rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", dataset=False)
            self._names = sorted({r["g"] for r in rows if isinstance(r.get("g"), URIRef)})
        return list(self._names)

    def triples(self, graph: URIRef) -> Iterator[Triple]:
        if self.graph_store:
            url = self.graph_store + "?" + urllib.parse.urlencode({"graph": str(graph)})
            data = self._request(url, method="GET", accept=_NTRIPLES, missing_ok=True)
        else:
            text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph.n3()} {{ ?s ?p ?o }} }}"
            data = self._sparql(text, _NTRIPLES, dataset=False)
        parsed = Graph()
        try:
            parsed.parse(data=data.decode("utf-8"), format="nt")
        except Exception as exc:  # rdflib raises many types for a body it cannot read
            raise KgStoreError(
                f"{self.endpoint} sent graph {graph} in a form that is not N-Triples: "
                f"{_first_line(str(exc))}"
            ) from None
        return iter(parsed)

    def graph_size(self, graph: URIRef) -> int:
        rows = self._select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph.n3()} {{ ?s ?p ?o }} }}",
            dataset=False,
        )
        return int(rows[0]["n"]) if rows else 0

    def __len__(self) -> int:
        rows = self._select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", dataset=False
        )
        return int(rows[0]["n"]) if rows else 0

    def add(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        self._update(f"INSERT DATA {{ GRAPH {graph.n3()} {{\n{_turtle(triples)}}} }}")

    def remove_graph(self, graph: URIRef) -> None:
        self._update(f"DROP SILENT GRAPH {graph.n3()}")

    def replace_graph(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        """Replace one named graph in one request, so it is never left half-replaced."""
        body = _turtle(triples)
        if self.graph_store:
            self._names = None
            url = self.graph_store + "?" + urllib.parse.urlencode({"graph": str(graph)})
            self._request(
                url,
                method="PUT",
                data=body.encode("utf-8"),
                content_type="text/turtle; charset=utf-8",
            )
        else:
            self._update(
                f"DROP SILENT GRAPH {graph.n3()} ;\n"
                f"INSERT DATA {{ GRAPH {graph.n3()} {{\n{body}}} }}"
            )

    def query(
        self,
        text: str,
        prepared: Query,
        bindings: Mapping[str, Node],
        *,
        dataset: QueryDataset | None = None,
    ) -> Result:
        form = query_form(prepared)
        head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
        full = head + substitute(text, bindings)
        # the query's own FROM / FROM NAMED, when it has them, is the dataset: the protocol's
        # parameters would override it (SPARQL 1.1 Protocol, 2.1.4)
        chosen: bool | QueryDataset = dataset if dataset is not None else True
        if dataset is None and any(dataset_clause(prepared)):
            chosen = False
        if form == "SELECT":
            answer = _json(self._sparql(full, _SELECT_JSON, dataset=chosen), self.endpoint)
            variables = answer.get("head", {}).get("vars", [])
            rows = [_row(b) for b in answer.get("results", {}).get("bindings", [])]
            return make_result("SELECT", variables=variables, rows=rows)
        if form == "ASK":
            answer = _json(self._sparql(full, _SELECT_JSON, dataset=chosen), self.endpoint)
            return make_result("ASK", boolean=bool(answer.get("boolean")))
        data = self._sparql(full, _NTRIPLES, dataset=chosen)
        parsed = Graph()
        parsed.parse(data=data.decode("utf-8"), format="nt")
        return make_result(form, triples=parsed)


def _turtle(triples: Iterable[Triple]) -> str:
    """Triples as Turtle statements (also valid in SPARQL INSERT DATA), one per line."""
    return "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in triples)


def _json(data: bytes, endpoint: str) -> dict[str, Any]:
    try:
        answer = json.loads(data.decode("utf-8"))
    except ValueError:
        raise KgStoreError(
            f"{endpoint} did not answer with SPARQL JSON results: "
            f"{_first_line(data.decode('utf-8', 'replace'))!r}"
        ) from None
    if not isinstance(answer, dict):
        raise KgStoreError(f"{endpoint} did not answer with SPARQL JSON results")
    return answer


def _row(binding: Mapping[str, Mapping[str, str]]) -> dict[str, Node]:
    return {name: _term(value) for name, value in binding.items()}


def _term(value: Mapping[str, str]) -> Node:
    kind = value.get("type")
    text = value.get("value", "")
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if value.get("xml:lang"):
        return Literal(text, lang=value["xml:lang"])
    datatype = value.get("datatype")
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(text, datatype=URIRef(datatype))
    return Literal(text)


def _first_line(text: str) -> str:
    for line in text.strip().splitlines():
        line = re.sub(r"<[^>]+>", "", line).strip()  # an HTML error page: its text only
        if line:
            return line[:300]
    return ""
