"""A remote SPARQL 1.1 endpoint: for graphs that outgrow one machine.

Tested against ``oxigraph serve`` and Virtuoso Open Source (Debian's package, its default
settings); docs/virtuoso.md says how to run the catalog there.

- **Dataset.** Queries go by the SPARQL 1.1 Protocol (POST, form-encoded) with the dataset
  given as protocol parameters: every graph of the project (``https://w3id.org/cchc/graph/…``)
  is both a ``default-graph-uri`` (so the default graph is their union, as in the embedded
  stores, whatever the server's own default) and a ``named-graph-uri``. An engine's own graphs
  (Virtuoso's ``virtrdf#``, its DAV and LDP graphs) are never part of it. On Virtuoso, ``kg
  push`` also defines a *graph group* of the project's graphs (:meth:`RemoteStore.define_group`),
  and a query names that group as its default graph: Virtuoso's planner estimates a query
  over a list of graphs about as many times over as the list is long, and refuses one whose
  estimate passes ``MaxQueryCostEstimationTime``; over a group it estimates it as over one
  graph. The group's IRI is made from the names of its graphs, and a graph beside it lists
  them, written once the group is whole: a reader uses a group only when that list is there
  for the graphs it finds, else names the graphs one by one.
- **Answers.** A truncated answer is never taken for the whole: an endpoint that says it cut
  one (Virtuoso's ``X-SPARQL-MaxRows`` header), or that gives exactly as many rows as its known
  limit, is asked again a page at a time (``LIMIT``/``OFFSET``, ordered), or the query fails
  with one line saying why. Values are read back as SPARQL 1.1 says they are: an
  ``xsd:boolean`` is ``true`` or ``false`` (Virtuoso writes 1 and 0, and answers a computed
  boolean such as ``BOUND(?x)`` with an integer), numbers in their canonical form (``73.40``
  and ``73.4`` are one number).
- **Writes.** No request is larger than :attr:`RemoteStore.max_request` bytes (by default 64
  MB through the Graph Store Protocol, 4 MB through SPARQL Update). A named graph
  that fits goes in one request (a Graph Store Protocol ``PUT`` when its URL is given, else
  ``DROP SILENT GRAPH`` and ``INSERT DATA`` in one SPARQL Update), which a server runs as one
  transaction. A larger one goes in pieces into a staging graph
  (``https://w3id.org/cchc/staging/…``, outside the project's graphs), which one ``MOVE`` then
  puts in its place: a push that fails half-way leaves the old graph whole.
- **Credentials** come from the environment (:data:`ENV_USER`, :data:`ENV_PASSWORD`), never
  from the command line, where other users of the machine could read them; they are sent the
  way the server's challenge asks (HTTP Basic, or Digest as Virtuoso's ``/sparql-auth`` wants),
  by the standard library's handlers.

Every failure of the network or the server becomes one :class:`~kg.errors.KgStoreError` line
that names the URL and what the server said.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from email.message import Message
from pathlib import Path
from typing import Any, NamedTuple

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, XSD
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from kg.errors import KgStoreError, KgUsageError
from kg.namespaces import BASE, GRAPH, PREFIXES
from kg.sparql import (
    boolean_variables,
    dataset_clause,
    is_distinct,
    query_form,
    sliced,
    sliced_construct,
    substitute,
)
from kg.stores.base import QueryDataset, Replica, Store, Triple, make_result

ENV_USER = "CCHC_KG_ENDPOINT_USER"
ENV_PASSWORD = "CCHC_KG_ENDPOINT_PASSWORD"
#: Seconds to wait for an answer before giving up (``--timeout`` overrides it).
DEFAULT_TIMEOUT = 60.0
#: The largest request body sent by SPARQL Update, in bytes, when none is given (``kg push
#: --max-request``): Virtuoso refuses an update of more than 10 MB ("string session is longer
#: than 10Mb").
DEFAULT_MAX_REQUEST = 4 * 1024 * 1024
#: The same through the Graph Store Protocol, which no server we know limits so: room for the
#: largest graph of the national build in one request (a graph in pieces is moved into place
#: with MOVE, which takes Oxigraph's server a minute for a large graph, and after which
#: Virtuoso's planner estimates some queries past its limit).
DEFAULT_MAX_GRAPH_STORE_REQUEST = 64 * 1024 * 1024
#: Where a graph too large for one request is gathered before it is moved into place.
STAGING = URIRef(BASE + "staging/")
#: The header in which Virtuoso says it cut an answer at its ``ResultSetMaxRows``.
MAX_ROWS_HEADER = "X-SPARQL-MaxRows"
#: Where the Virtuoso graph groups of the project's graphs are named (outside ``graph/``).
GRAPH_GROUPS = URIRef(BASE + "graph-group/")

#: An IRI that may be written between ``<`` and ``>`` in a query as it is: a graph's name
#: read from a server is written so, and one that is not such an IRI is none of the project's.
_IRI = re.compile(r'[^<>"{}|^`\\\x00-\x20]+')
_SELECT_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"
_XSD_STRING = str(XSD.string)
_TRUE = Literal("true", datatype=XSD.boolean)
_FALSE = Literal("false", datatype=XSD.boolean)


class _Answer(NamedTuple):
    body: bytes
    headers: Message


class RemoteStore(Store):
    """A SPARQL 1.1 endpoint, with its update endpoint and Graph Store Protocol URL.

    :param endpoint: the query endpoint, e.g. ``http://127.0.0.1:7878/query``.
    :param update_endpoint: where SPARQL Update goes; the query endpoint when omitted.
    :param graph_store: the Graph Store Protocol URL (``.../store``); SPARQL Update is used
        for writes and CONSTRUCT for reads when omitted.
    :param timeout: seconds to wait for each answer.
    :param max_request: the largest request body to send, in bytes (by default
        :data:`DEFAULT_MAX_GRAPH_STORE_REQUEST` with a Graph Store Protocol URL, else
        :data:`DEFAULT_MAX_REQUEST`).
    :param max_rows: the most rows the endpoint gives in one answer, when it has such a limit
        and does not say when it applied it (Virtuoso says so, and is learnt from its answers).
    """

    kind = "remote"

    def __init__(
        self,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        graph_store: str | None = None,
        timeout: float | None = None,
        max_request: int | None = None,
        max_rows: int | None = None,
    ) -> None:
        for url in (endpoint, update_endpoint, graph_store):
            if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise KgUsageError(f"{url} is not an http:// or https:// URL of an endpoint")
        if max_request is not None and max_request < 1024:
            raise KgUsageError(f"the largest request must be at least 1 KB, not {max_request} B")
        if max_rows is not None and max_rows < 1:
            raise KgUsageError(f"an endpoint's row limit is a whole number >= 1, not {max_rows}")
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.graph_store = graph_store
        self.timeout = timeout if timeout is not None else DEFAULT_TIMEOUT
        self.max_request = max_request or (
            DEFAULT_MAX_GRAPH_STORE_REQUEST if graph_store else DEFAULT_MAX_REQUEST
        )
        #: The endpoint's limit on the rows of one answer: given, or learnt from its answers.
        self.max_rows = max_rows
        self._asked_max_rows = False
        self._names: list[URIRef] | None = None
        #: The graph group that stands for the project's graphs, once looked for (False: none).
        self._group: URIRef | bool | None = None
        #: Whether the server says it is Virtuoso (its ``Server`` header), once it has answered.
        self.virtuoso: bool | None = None
        user, password = os.environ.get(ENV_USER), os.environ.get(ENV_PASSWORD)
        self._has_credentials = user is not None or password is not None
        handlers: list[urllib.request.BaseHandler] = []
        if self._has_credentials:
            # Basic or Digest, whichever the server's challenge names; Basic is then sent
            # with every request, Digest answers each challenge
            passwords = urllib.request.HTTPPasswordMgrWithPriorAuth()
            for url in {endpoint, self.update_endpoint, graph_store} - {None}:
                passwords.add_password(None, url, user or "", password or "")  # type: ignore[arg-type]
            handlers += [
                _BasicAfterChallenge(passwords),
                _DigestAfterChallenge(passwords),
            ]
        self._opener = urllib.request.build_opener(*handlers)
        #: The servers asked once, with a request without a body, how they want credentials.
        self._probed: set[str] = set()

    def describe(self) -> str:
        return f"the endpoint {self.endpoint}"

    def replica(self, folder: Path) -> Replica:
        """The same endpoint, called by each worker (credentials from the same environment)."""
        options = {
            "endpoint": self.endpoint,
            "update_endpoint": self.update_endpoint,
            "graph_store": self.graph_store,
            "timeout": self.timeout,
            "max_request": self.max_request,
            "max_rows": self.max_rows,
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
    ) -> _Answer:
        headers = {"User-Agent": "cchc-kg"}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        where = url.split("?", 1)[0]
        if data and self._has_credentials:
            self._probe(url)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                answer = _Answer(bytes(response.read()), response.headers)
                if answer.headers.get("Server") is not None:
                    self.virtuoso = _is_virtuoso(answer)
                return answer
        except urllib.error.HTTPError as exc:
            if missing_ok and exc.code == 404:
                return _Answer(b"", exc.headers)
            said = _first_line(_body(exc)) or str(exc.reason)
            if exc.code in (401, 403):
                hint = (
                    f"check {ENV_USER} and {ENV_PASSWORD}"
                    if self._has_credentials
                    else f"set {ENV_USER} and {ENV_PASSWORD}"
                )
                raise KgStoreError(
                    f"{where} refused the credentials (HTTP {exc.code}: {said}); {hint}"
                ) from None
            if exc.code == 413:
                said += f"; send smaller requests (now at most {self.max_request:,} bytes)"
            raise KgStoreError(f"{where} answered HTTP {exc.code}: {said}") from None
        except TimeoutError:
            raise KgStoreError(f"{where} did not answer within {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise KgStoreError(f"{where} did not answer within {self.timeout:g} s") from None
            raise KgStoreError(f"cannot reach {where}: {exc.reason}") from None
        except ValueError as exc:  # a challenge of a scheme urllib does not know (NTLM, ...)
            raise KgStoreError(f"{where} asked for credentials kg cannot send: {exc}") from None
        except (ConnectionError, OSError) as exc:
            raise KgStoreError(f"cannot reach {where}: {exc}") from None

    def _probe(self, url: str) -> None:
        """Learn how a server wants credentials with a request without a body (HEAD), before
        the first request that has one. A server may answer a request's first try with a
        challenge and close the connection at once (Virtuoso does): a large body then ends in
        a broken pipe, and the challenge is never read. Once known, Basic credentials go with
        every request, and Digest ones answer the last challenge, so a body is sent once."""
        where = urllib.parse.urlsplit(url)
        key = f"{where.scheme}://{where.netloc}{where.path}"
        if key in self._probed:
            return
        self._probed.add(key)
        request = urllib.request.Request(url, headers={"User-Agent": "cchc-kg"}, method="HEAD")
        try:
            self._opener.open(request, timeout=self.timeout).close()
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                hint = f"check {ENV_USER} and {ENV_PASSWORD}"
                raise KgStoreError(
                    f"{key} refused the credentials (HTTP {exc.code}); {hint}"
                ) from None
        except (OSError, ValueError):
            pass  # the request itself will say what is wrong

    def _sparql(
        self,
        text: str,
        accept: str,
        *,
        dataset: bool | QueryDataset = True,
        url: str | None = None,
    ) -> _Answer:
        fields: list[tuple[str, str]] = []
        if isinstance(dataset, QueryDataset):
            fields += [("default-graph-uri", str(n)) for n in dataset.default]
            fields += [("named-graph-uri", str(n)) for n in dataset.named]
        elif dataset:
            # none yet: a graph no one holds, or the server would take its own default
            names = [str(n) for n in self.graph_names()] or [str(GRAPH)]
            group = self.defined_group()
            fields += [("default-graph-uri", n) for n in ([str(group)] if group else names)]
            fields += [("named-graph-uri", n) for n in names]
        body = urllib.parse.urlencode([("query", text), *fields]).encode("utf-8")
        return self._request(
            url or self.endpoint,
            data=body,
            content_type="application/x-www-form-urlencoded",
            accept=accept,
        )

    def _update(self, text: str) -> None:
        """One SPARQL Update, sent as the protocol's ``application/sparql-update`` body: the
        text itself, so that its size is the size of the request."""
        self._names = None
        body = text.encode("utf-8")
        if len(body) > self.max_request:
            raise KgStoreError(
                f"an update of {len(body):,} bytes is larger than the largest request "
                f"({self.max_request:,} bytes)"
            )
        self._request(
            self.update_endpoint, data=body, content_type="application/sparql-update; charset=utf-8"
        )

    def _select(self, text: str, *, dataset: bool = True) -> list[dict[str, Node]]:
        answer = self._sparql(text, _SELECT_JSON, dataset=dataset)
        return [_row(b) for b in _bindings(_json(answer.body, self.endpoint))]

    # -- Store --------------------------------------------------------------------------------

    def graph_names(self) -> list[URIRef]:
        """The project's graphs the endpoint holds (``https://w3id.org/cchc/graph/…``): not the
        engine's own (Virtuoso keeps its schemas and its web folders in graphs)."""
        if self._names is None:
            text = (
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                f'FILTER (STRSTARTS(STR(?g), "{GRAPH}")) }}'
            )
            rows = self._select(text, dataset=False)
            found = {r.get("g") for r in rows}
            self._names = sorted(
                g
                for g in found
                if isinstance(g, URIRef) and g.startswith(str(GRAPH)) and _IRI.fullmatch(g)
            )
        return list(self._names)

    def _forget_names(self) -> None:
        self._names = None
        self._group = None

    # -- Virtuoso's graph groups --------------------------------------------------------------

    def defined_group(self) -> URIRef | None:
        """The graph group of exactly the project's graphs on this server, when ``kg push``
        has defined it (its list of members is there), else None: looked for once."""
        if self._group is None:
            self._group = False
            names = self.graph_names()  # also learns whether the server is Virtuoso
            if names and self.virtuoso:
                group = group_of(names)
                found = self._sparql(
                    f"ASK {{ GRAPH {members_graph(group).n3()} {{ {group.n3()} "
                    f"{DCTERMS.hasPart.n3()} ?member }} }}",
                    _SELECT_JSON,
                    dataset=False,
                )
                if _boolean(_json(found.body, self.endpoint).get("boolean")):
                    self._group = group
        return self._group or None

    def define_group(self) -> URIRef | None:
        """Define on a Virtuoso server the graph group of the project's graphs it holds, so
        that queries name one default graph rather than each of the project's (see the
        module's docstring); None on another server, which needs none.

        Virtuoso's SQL procedures are called through SPARQL (``sql:RDF_GRAPH_GROUP_…``), on
        the update endpoint, which only an account with the right to them may do (its DBA).
        The groups of other sets of graphs, defined by earlier pushes, are left as they are: a
        reader that started before this push may still name one. A failure leaves no list of
        members, so no reader uses a group left half-made.

        :raises KgStoreError: the server refused (an account without the right), in one line.
        """
        if self.virtuoso is False:  # known from its answers: nothing to ask it
            return None
        names = self.graph_names()
        if not names or not self.virtuoso:
            return None
        group = group_of(names)
        if self.defined_group() == group:
            return group

        def call(text: str) -> None:
            self._sparql(text, _SELECT_JSON, dataset=False, url=self.update_endpoint)

        members = " ".join(n.n3() for n in names)
        quoted = json.dumps(str(group))
        call(f"SELECT (<sql:RDF_GRAPH_GROUP_DROP>({quoted}, 1) AS ?done) WHERE {{}}")
        call(f"SELECT (<sql:RDF_GRAPH_GROUP_CREATE>({quoted}, 1) AS ?done) WHERE {{}}")
        call(
            f"SELECT (<sql:RDF_GRAPH_GROUP_INS>({quoted}, STR(?member)) AS ?done) "
            f"WHERE {{ VALUES ?member {{ {members} }} }}"
        )
        self.replace_graph(members_graph(group), [(group, DCTERMS.hasPart, n) for n in names])
        self._names, self._group = names, group  # the list is none of the project's graphs
        return group

    def triples(self, graph: URIRef) -> Iterator[Triple]:
        if self.graph_store:
            url = self.graph_store + "?" + urllib.parse.urlencode({"graph": str(graph)})
            data = self._request(url, method="GET", accept=_NTRIPLES, missing_ok=True).body
        else:
            text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph.n3()} {{ ?s ?p ?o }} }}"
            data = self._sparql(text, _NTRIPLES, dataset=False).body
        return iter(_parse_ntriples(data, self.endpoint, f"graph {graph}"))

    def graph_size(self, graph: URIRef) -> int:
        rows = self._select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph.n3()} {{ ?s ?p ?o }} }}",
            dataset=False,
        )
        return int(rows[0]["n"]) if rows else 0

    def __len__(self) -> int:
        names = self.graph_names()
        if not names:
            return 0
        rows = self._select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f"VALUES ?g {{ {' '.join(n.n3() for n in names)} }} }}",
            dataset=False,
        )
        return int(rows[0]["n"]) if rows else 0

    def add(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        """Add triples, in as many requests as :attr:`max_request` asks."""
        for chunk in self._chunks(graph, triples):
            self._insert(graph, chunk)

    def remove_graph(self, graph: URIRef) -> None:
        self._update(f"DROP SILENT GRAPH {graph.n3()}")

    def replace_graph(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        """Replace one named graph so that it is never left half-replaced: in one request when
        it fits, else through a staging graph that one ``MOVE`` puts in its place."""
        chunks = self._chunks(graph, triples)
        first = next(chunks, "")
        second = next(chunks, None)
        if second is None:
            self._replace_at_once(graph, first)
            return
        staging = staging_graph(graph)
        self.remove_graph(staging)
        try:
            for chunk in (first, second, *chunks):
                self._insert(staging, chunk)
            self._update(f"MOVE {staging.n3()} TO {graph.n3()}")
        except Exception:  # the server refused a piece, or the triples could not be read
            with contextlib.suppress(KgStoreError):  # the first failure is the one to report
                self.remove_graph(staging)
            raise

    def _replace_at_once(self, graph: URIRef, body: str) -> None:
        if self.graph_store:
            self._forget_names()
            url = self.graph_store + "?" + urllib.parse.urlencode({"graph": str(graph)})
            self._request(
                url, method="PUT", data=body.encode("utf-8"), content_type=_TURTLE_CONTENT
            )
        else:
            self._update(
                f"DROP SILENT GRAPH {graph.n3()} ;\n"
                f"INSERT DATA {{ GRAPH {graph.n3()} {{\n{body}}} }}"
            )

    def _insert(self, graph: URIRef, body: str) -> None:
        """Add one chunk of statements: a Graph Store Protocol POST, or INSERT DATA."""
        if self.graph_store:
            self._forget_names()
            url = self.graph_store + "?" + urllib.parse.urlencode({"graph": str(graph)})
            self._request(url, data=body.encode("utf-8"), content_type=_TURTLE_CONTENT)
        else:
            self._update(f"INSERT DATA {{ GRAPH {graph.n3()} {{\n{body}}} }}")

    def _chunks(self, graph: URIRef, triples: Iterable[Triple]) -> Iterator[str]:
        """The triples as N-Triples statements, in chunks that fit one request each (with room
        for the update around them: ``DROP ... ; INSERT DATA { GRAPH ... { } }``)."""
        room = self.max_request - 2 * len(graph.n3().encode("utf-8")) - 64
        lines: list[str] = []
        size = 0
        for s, p, o in triples:
            line = f"{s.n3()} {p.n3()} {o.n3()} .\n"
            length = len(line.encode("utf-8"))
            if length > room:
                raise KgStoreError(
                    f"a triple of graph {graph} takes {length:,} bytes, more than one request "
                    f"may ({self.max_request:,} bytes): raise --max-request"
                )
            if size + length > room:
                yield "".join(lines)
                lines, size = [], 0
            lines.append(line)
            size += length
        if lines:
            yield "".join(lines)

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
        if form == "ASK":
            answer = _json(self._sparql(full, _SELECT_JSON, dataset=chosen).body, self.endpoint)
            return make_result("ASK", boolean=_boolean(answer.get("boolean")))
        if form == "SELECT":
            booleans = boolean_variables(prepared)
            variables, bindings_json = self._select_all(full, prepared, chosen)
            rows = [_row(b, booleans) for b in bindings_json]
            if is_distinct(prepared):
                rows = _distinct(rows)
            return make_result("SELECT", variables=variables, rows=rows)
        return make_result(form, triples=self._construct_all(full, prepared, chosen))

    # -- answers cut by the endpoint ----------------------------------------------------------

    def _cut_at(self, answer: _Answer, count: int) -> int | None:
        """The limit the endpoint cut this answer at, or None when it is whole: what the
        answer says (Virtuoso's header on a SELECT), or a count that reaches a limit known
        before (Virtuoso cuts a CONSTRUCT without a word: its limit is asked for once)."""
        said = answer.headers.get(MAX_ROWS_HEADER)
        if said is not None:
            try:
                limit = int(said)
            except ValueError:
                limit = count
            self.max_rows = limit
            return limit
        if self.max_rows is None and count and _is_virtuoso(answer):
            self._learn_max_rows()
        if self.max_rows is not None and count >= self.max_rows:
            return self.max_rows
        return None

    def _learn_max_rows(self) -> None:
        """Ask the endpoint for its limit on one answer, once: a SELECT of a million short
        rows made from nothing, which an endpoint with a limit cuts and says so."""
        if self._asked_max_rows:
            return
        self._asked_max_rows = True
        digits = "{ 0 1 2 3 4 5 6 7 8 9 }"
        text = "SELECT ?d0 WHERE { " + " ".join(f"VALUES ?d{i} {digits}" for i in range(6)) + " }"
        answer = self._sparql(text, "text/csv", dataset=False)
        said = answer.headers.get(MAX_ROWS_HEADER)
        if said is not None and said.strip().isdigit():
            self.max_rows = int(said)

    def _select_all(
        self, full: str, prepared: Query, dataset: bool | QueryDataset
    ) -> tuple[list[str], list[Mapping[str, Any]]]:
        answer = self._sparql(full, _SELECT_JSON, dataset=dataset)
        parsed = _json(answer.body, self.endpoint)
        variables = list(parsed.get("head", {}).get("vars", []))
        rows = _bindings(parsed)
        limit = self._cut_at(answer, len(rows))
        if limit is None:
            return variables, rows
        rows: list[Mapping[str, Any]] = []
        previous: list[Mapping[str, Any]] = []
        for page in self._pages(full, prepared, limit):
            found = _json(self._sparql(page, _SELECT_JSON, dataset=dataset).body, self.endpoint)
            got = _bindings(found)
            if got and got == previous:
                raise KgStoreError(
                    f"{self.endpoint} gave the same {len(got):,} rows for two pages of the "
                    "answer (it does not take LIMIT and OFFSET): raise its limit on one answer"
                )
            rows += got
            previous = got
            if len(got) < limit:
                break
        return variables, rows

    def _construct_all(
        self, full: str, prepared: Query, dataset: bool | QueryDataset
    ) -> list[Triple]:
        answer = self._sparql(full, _NTRIPLES, dataset=dataset)
        triples = _parse_ntriples(answer.body, self.endpoint, "the answer")
        limit = self._cut_at(answer, len(triples))
        if limit is None:
            return list(triples)
        paged = sliced_construct(full, prepared)
        if paged is None:
            raise self._cannot_page(limit, "a CONSTRUCT with a template and WHERE alone")
        base, per_solution = paged
        size = max(1, limit // per_solution)  # no page past the limit, however many it makes
        found: set[Triple] = set()
        offset = 0
        while True:
            page = f"{base}LIMIT {size} OFFSET {offset}\n"
            got = _parse_ntriples(
                self._sparql(page, _NTRIPLES, dataset=dataset).body, self.endpoint, "the answer"
            )
            fresh = set(got) - found
            if not fresh:  # no more, or an endpoint that does not page (the same again)
                return list(found)
            found.update(fresh)
            offset += size

    def _pages(self, full: str, prepared: Query, limit: int) -> Iterator[str]:
        """The query a page of ``limit`` rows at a time, in a fixed order, until the caller
        stops; a query that cannot be paged fails with the reason and what to do."""
        base = sliced(full, prepared)
        if base is None:
            raise self._cannot_page(limit, "a SELECT without FROM or a closing VALUES block")
        offset = 0
        while True:
            yield f"{base}LIMIT {limit} OFFSET {offset}\n"
            offset += limit

    def _cannot_page(self, limit: int, which: str) -> KgStoreError:
        return KgStoreError(
            f"{self.endpoint} cut the answer at {limit:,} rows (its limit on one answer), and "
            f"kg cannot fetch the rest a page at a time (only {which} can be): raise the "
            "endpoint's limit (Virtuoso: ResultSetMaxRows) or narrow the query"
        )


class _BasicAfterChallenge(urllib.request.HTTPBasicAuthHandler):
    """HTTP Basic credentials, sent with every request once the server has asked for Basic
    and taken them. (urllib's own handler starts sending Basic after any success, a Digest one
    too; Virtuoso then answers 401 without a challenge, and the request fails.)"""

    def http_response(self, req: urllib.request.Request, response: Any) -> Any:
        sent = req.get_header(self.auth_header) or ""
        if sent.startswith("Basic ") and 200 <= response.code < 300:
            self.passwd.update_authenticated(req.full_url, True)  # type: ignore[attr-defined]
        return response

    https_response = http_response


class _DigestAfterChallenge(urllib.request.HTTPDigestAuthHandler):
    """HTTP Digest credentials that answer the server's last challenge before it is asked again
    (RFC 7616, section 3.4: the same nonce with the next nonce count), so that a request is
    sent once, not once without credentials and once with them. A nonce the server no longer
    takes gets a new challenge, which the standard handler answers."""

    def __init__(self, passwords: urllib.request.HTTPPasswordMgr) -> None:
        super().__init__(passwords)
        self._challenges: dict[str, dict[str, str]] = {}

    def retry_http_digest_auth(self, req: urllib.request.Request, auth: str) -> Any:
        _token, challenge = auth.split(" ", 1)
        found = urllib.request.parse_keqv_list(
            filter(None, urllib.request.parse_http_list(challenge))
        )
        self._challenges[urllib.parse.urlsplit(req.full_url).netloc] = found
        return super().retry_http_digest_auth(req, auth)

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        challenge = self._challenges.get(urllib.parse.urlsplit(req.full_url).netloc)
        if challenge is not None and not req.has_header(self.auth_header):
            answer = self.get_authorization(req, challenge)
            if answer:
                req.add_unredirected_header(self.auth_header, f"Digest {answer}")
        return req

    https_request = http_request


def staging_graph(graph: URIRef) -> URIRef:
    """Where a graph too large for one request is gathered before one ``MOVE`` puts it in
    place: outside the project's graphs, so that no query ever sees it.

    >>> str(staging_graph(URIRef("https://w3id.org/cchc/graph/bodies/2020")))
    'https://w3id.org/cchc/staging/bodies/2020'
    """
    text = str(graph)
    if text.startswith(str(GRAPH)):
        return URIRef(STAGING + text[len(str(GRAPH)) :])
    return URIRef(STAGING + urllib.parse.quote(text, safe=""))


_TURTLE_CONTENT = "text/turtle; charset=utf-8"  # N-Triples is Turtle, and every store reads it


def group_of(names: Iterable[URIRef]) -> URIRef:
    """The IRI of the graph group of these graphs: made from their names, so that a group
    found under it has those members (:meth:`RemoteStore.define_group`).

    >>> group_of([URIRef("https://w3id.org/cchc/graph/b"), URIRef("https://w3id.org/cchc/graph/a")])
    rdflib.term.URIRef('https://w3id.org/cchc/graph-group/915f85d1c06bb5f09f95')
    """
    text = "\n".join(sorted(str(n) for n in names))
    return URIRef(f"{GRAPH_GROUPS}{hashlib.sha256(text.encode('utf-8')).hexdigest()[:20]}")


def members_graph(group: URIRef) -> URIRef:
    """The graph that lists a group's members (``dct:hasPart``), written once the group is
    whole: a plain graph, outside the project's graphs."""
    return URIRef(f"{group}/members")


def _is_virtuoso(answer: _Answer) -> bool:
    return "virtuoso" in (answer.headers.get("Server") or "").lower()


def _body(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read().decode("utf-8", "replace")
    except Exception:  # an error made by a handler has no body (urllib's "digest auth failed")
        return ""


def _parse_ntriples(data: bytes, endpoint: str, what: str) -> list[Triple]:
    parsed = Graph()
    try:
        parsed.parse(data=data.decode("utf-8"), format="nt")
    except Exception as exc:  # rdflib raises many types for a body it cannot read
        raise KgStoreError(
            f"{endpoint} sent {what} in a form that is not N-Triples: {_first_line(str(exc))}"
        ) from None
    return [(s, p, _normal(o)) for s, p, o in parsed]


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


def _bindings(answer: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(answer.get("results", {}).get("bindings", []))


def _distinct(rows: list[dict[str, Node]]) -> list[dict[str, Node]]:
    """The rows of a DISTINCT answer without the repeats an engine let through, in order.
    (Virtuoso compares values as it stores them: one date read from two graphs can come back
    twice, written the same; once read here, they are the same term.)"""
    seen: set[frozenset[tuple[str, Node]]] = set()
    out = []
    for row in rows:
        key = frozenset(row.items())
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def _boolean(value: object) -> bool:
    """An ASK answer: ``true`` in JSON, or ``1`` as some engines write it."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value)


def _row(
    binding: Mapping[str, Mapping[str, str]], booleans: frozenset[str] = frozenset()
) -> dict[str, Node]:
    row = {name: _term(value) for name, value in binding.items()}
    for name in booleans & row.keys():
        value = row[name]
        if isinstance(value, Literal) and value.datatype == XSD.integer and str(value) in "01":
            row[name] = _TRUE if str(value) == "1" else _FALSE
    return row


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
    if datatype and datatype != _XSD_STRING:
        return _normal(Literal(text, datatype=URIRef(datatype)))
    return Literal(text)


def _normal(term: Node) -> Node:
    """A literal as SPARQL 1.1 reads it: an ``xsd:boolean`` as ``true``/``false`` (Virtuoso
    writes 1 and 0), an integer or decimal in its canonical form (XSD 1.1, as Oxigraph)."""
    if not isinstance(term, Literal) or term.datatype is None:
        return term
    datatype, text = term.datatype, str(term)
    if datatype == XSD.boolean:
        if text in ("1", "true"):
            return _TRUE
        if text in ("0", "false"):
            return _FALSE
        return term
    if datatype in (XSD.integer, XSD.decimal):
        canonical = _canonical_number(text, decimal=datatype == XSD.decimal)
        return term if canonical is None else Literal(canonical, datatype=datatype)
    return term


def _canonical_number(text: str, *, decimal: bool) -> str | None:
    """``+007`` → ``7``; ``73.40`` → ``73.4``; ``73.0`` → ``73`` (XSD 1.1's canonical
    decimal); None for text that is no such number (kept as it came).

    >>> _canonical_number("73.40", decimal=True), _canonical_number("-0.0", decimal=True)
    ('73.4', '0')
    """
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    if not decimal:
        return str(int(value)) if value == value.to_integral_value() else None
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _first_line(text: str) -> str:
    for line in text.strip().splitlines():
        line = re.sub(r"<[^>]+>", "", line).strip()  # an HTML error page: its text only
        if line:
            return line[:300]
    return ""
