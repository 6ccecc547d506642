"""Oxigraph (pyoxigraph): a SPARQL engine in Rust, in memory or on disk; the default backend.

Measured on this project's graphs (see the README's "Backends"), it loads, answers and exports
many times faster than rdflib's store, and the differential tests check that it answers the
catalog as rdflib does. Terms cross into and out of it as rdflib terms (:func:`to_oxigraph`,
:func:`to_rdflib`), so no caller sees pyoxigraph.

On disk (``--path DIR``), the folder is Oxigraph's own (RocksDB) and is locked while a process
writes it: reading commands open it read-only, so ``kg query --path`` works while nothing
writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from operator import attrgetter
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from kg.errors import KgStoreError, KgUsageError
from kg.namespaces import PREFIXES
from kg.sparql import dataset_clause, prepare, query_form, substitute
from kg.stores.base import Quad, QueryDataset, Replica, Store, Stream, Triple, make_result
from kg.terms import graph_triples, select_rows, to_oxigraph, to_rdflib


def _ox() -> Any:
    try:
        import pyoxigraph
    except ImportError:  # pragma: no cover - a dependency of the package
        raise KgUsageError("the oxigraph store needs pyoxigraph: pip install pyoxigraph") from None
    return pyoxigraph


#: Written beside Oxigraph's files by ``kg build --path``: which graph, when, how big.
MARKER = "kg-store.json"

#: The name rdflib's Dataset gives its default graph (and so the graph a TriG file's
#: default graph has always been loaded into).
_RDFLIB_DEFAULT = "urn:x-rdflib:default"


def is_store(path: Path) -> bool:
    """True when ``path`` is a folder holding an Oxigraph store."""
    return path.is_dir() and (path / "CURRENT").is_file()


class OxigraphStore(Store):
    """Named graphs in a pyoxigraph ``Store``, queried with the default graph as their union."""

    kind = "oxigraph"

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        ox = _ox()
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        if self.path is None:
            self._store = ox.Store()
            return
        if self.path.exists() and not self.path.is_dir():
            raise KgStoreError(f"{self.path} is a file, not an Oxigraph store (a folder)")
        if read_only and not is_store(self.path):
            raise KgStoreError(
                f"{self.path} is not an Oxigraph store (no CURRENT file); "
                f"make one with: kg build --store oxigraph --path {self.path}"
            )
        writes_into_other = self.path.is_dir() and any(self.path.iterdir())
        if not read_only and writes_into_other and not is_store(self.path):
            raise KgStoreError(
                f"{self.path} is not an Oxigraph store and not empty; refusing to write "
                "into it (choose a new or empty folder)"
            )
        try:
            self._store = ox.Store.read_only(str(self.path)) if read_only else ox.Store(str(path))
        except OSError as exc:
            raise KgStoreError(open_error(self.path, exc)) from None

    def oxigraph(self) -> Any:
        """The pyoxigraph Store itself: work that runs many queries in Oxigraph runs in place."""
        return self._store

    def describe(self) -> str:
        return f"oxigraph at {self.path}" if self.path else "oxigraph in memory"

    def replica(self, folder: Path) -> Replica:
        """On disk: the same folder, opened read-only by each worker. In memory: the quads
        written into an on-disk store in ``folder`` (Rust to Rust, a few seconds for the
        national graph), which every worker opens read-only."""
        if self.path is not None:
            return Replica("oxigraph", {"path": str(self.path), "read_only": True})
        target = folder / "store"
        try:
            copy = _ox().Store(str(target))
            copy.bulk_extend(self._store)
            copy.flush()
            del copy
        except OSError as exc:
            raise KgStoreError(f"cannot write a copy of the graph into {target}: {exc}") from None
        return Replica("oxigraph", {"path": str(target), "read_only": True})

    def add(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        self._writable()
        ox = _ox()
        name = to_oxigraph(graph)
        quad, term = ox.Quad, to_oxigraph  # locals: looked up once, not per triple
        quads = (quad(term(s), term(p), term(o), name) for s, p, o in triples)
        try:
            if self.path is not None:
                self._store.bulk_extend(quads)
            else:
                self._store.extend(quads)
        except OSError as exc:
            raise KgStoreError(f"{self.describe()}: {exc}") from None

    def load_ntriples(self, graph: URIRef, data: str) -> None:
        """Parsed by Oxigraph (in Rust), without the checks of IRIs that a user's file gets
        (:meth:`load_rdf`): a fifth of the load of the national lists saved.

        :raises KgStoreError: the text is not N-Triples (a bug of the writer), or the store
            failed.
        """
        self._writable()
        ox = _ox()
        load = self._store.bulk_load if self.path is not None else self._store.load
        try:
            load(data, ox.RdfFormat.N_TRIPLES, to_graph=to_oxigraph(graph), lenient=True)
        except (OSError, SyntaxError) as exc:
            raise KgStoreError(f"{self.describe()}: {exc}") from None

    def add_construct(self, graph: URIRef, text: str, *, source: str = "<rule>") -> None:
        """All inside Oxigraph: no term crosses into Python. rdflib's parser (half a second for
        two rules) is asked only for the message of a text Oxigraph refuses."""
        self._writable()
        ox = _ox()
        try:
            answer = self._store.query(
                text, prefixes=dict(PREFIXES), use_default_graph_as_union=True
            )
            if isinstance(answer, ox.QueryTriples):
                name = to_oxigraph(graph)
                self._store.extend(
                    [ox.Quad(t.subject, t.predicate, t.object, name) for t in answer]
                )
        except SyntaxError as exc:
            prepare(text, source=source)  # raises with the line and column
            raise KgUsageError(f"{source}: Oxigraph cannot run this rule: {exc}") from None
        except OSError as exc:
            raise KgStoreError(f"{self.describe()}: {exc}") from None

    def triples(self, graph: URIRef) -> Iterator[Triple]:
        for q in self._store.quads_for_pattern(None, None, None, to_oxigraph(graph)):
            yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)

    def load_rdf(self, data: bytes, format: str, *, graph: URIRef | None, base_iri: str) -> bool:
        """Oxigraph's own parser (Rust), straight into the store; see :meth:`Store.load_rdf`."""
        self._writable()
        ox = _ox()
        formats = {
            "turtle": ox.RdfFormat.TURTLE,
            "nt": ox.RdfFormat.N_TRIPLES,
            "nquads": ox.RdfFormat.N_QUADS,
            "trig": ox.RdfFormat.TRIG,
        }
        target = to_oxigraph(graph) if graph is not None else None
        # On disk, one transaction of a whole file holds it all in memory (1M triples: 1.6 GB
        # and minutes): the bulk loader instead, where a failure is undone by dropping the
        # graph it was filling (a triple format into a graph the store does not hold yet).
        bulk = (
            self.path is not None
            and target is not None
            and not self._store.contains_named_graph(target)
        )
        try:
            if bulk:
                self._store.bulk_load(data, formats[format], base_iri=base_iri, to_graph=target)
            else:
                self._store.load(data, formats[format], base_iri=base_iri, to_graph=target)
        except SyntaxError:
            if bulk:
                self._store.remove_graph(target)
            return False
        except OSError as exc:
            raise KgStoreError(f"{self.describe()}: {exc}") from None
        if (
            graph is None
            and next(iter(self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None)
            is not None
        ):
            self._store.update(f"ADD DEFAULT TO <{_RDFLIB_DEFAULT}> ; CLEAR DEFAULT")
        return True

    def typed_literals(self, graph: URIRef | None = None) -> list[Literal]:
        name = "?g" if graph is None else to_oxigraph(graph)
        answer = self._store.query(
            f"SELECT DISTINCT ?o WHERE {{ GRAPH {name} {{ ?s ?p ?o }} FILTER(isLiteral(?o) && "
            f"DATATYPE(?o) != <{XSD.string}> && DATATYPE(?o) != <{RDF.langString}>) }}"
        )
        return [to_rdflib(row[0]) for row in answer]  # type: ignore[misc]

    def dump_ntriples(self, graph: URIRef) -> bytes:
        """Written by Oxigraph (in Rust, so fast). The terms are Oxigraph's: a typed literal
        comes as Oxigraph holds it (``"1"^^xsd:decimal`` for ``1.0``), a blank node with
        Oxigraph's id; :func:`kg.export.serialize` sorts, labels and normalises them."""
        ox = _ox()
        try:
            data: bytes = self._store.dump(
                format=ox.RdfFormat.N_TRIPLES, from_graph=to_oxigraph(graph)
            )
        except OSError as exc:
            raise KgStoreError(f"{self.describe()}: {exc}") from None
        return data

    def quads(self) -> Iterator[Quad]:
        ox = _ox()
        for q in self._store.quads_for_pattern(None, None, None, None):
            if isinstance(q.graph_name, ox.NamedNode):
                yield (
                    to_rdflib(q.subject),
                    to_rdflib(q.predicate),
                    to_rdflib(q.object),
                    URIRef(q.graph_name.value),
                )

    def graph_names(self) -> list[URIRef]:
        ox = _ox()
        names = []
        for name in self._store.named_graphs():
            if not isinstance(name, ox.NamedNode):
                continue
            if next(iter(self._store.quads_for_pattern(None, None, None, name)), None) is not None:
                names.append(URIRef(name.value))
        return sorted(names)

    def graph_size(self, graph: URIRef) -> int:
        answer = self._store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {to_oxigraph(graph)} {{ ?s ?p ?o }} }}"
        )
        return int(next(iter(answer))[0].value)

    def __len__(self) -> int:
        answer = self._store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(answer))[0].value)

    def remove_graph(self, graph: URIRef) -> None:
        self._writable()
        name = to_oxigraph(graph)
        if self._store.contains_named_graph(name):
            self._store.remove_graph(name)

    def query(
        self,
        text: str,
        prepared: Query,
        bindings: Mapping[str, Node],
        *,
        dataset: QueryDataset | None = None,
    ) -> Result:
        form = query_form(prepared)
        # pyoxigraph's ``substitutions`` insist on projected variables, and parameters are
        # not: the values are substituted as RDF terms in the text, as for an endpoint
        answer = self.raw_query(substitute(text, bindings), prepared, dataset=dataset)
        if form == "ASK":
            return make_result("ASK", boolean=bool(answer))
        if form == "SELECT":
            names, rows = select_rows(answer)
            return make_result("SELECT", variables=names, rows=rows)
        return make_result(form, triples=graph_triples(answer))

    def stream(
        self,
        text: str,
        prepared: Query | None,
        bindings: Mapping[str, Node],
        *,
        dataset: QueryDataset | None = None,
    ) -> Stream:
        """Rows pulled from Oxigraph one at a time (:meth:`query` reads the whole answer);
        without ``prepared``, Oxigraph alone parses the text and its answer tells the form."""
        answer = self.raw_query(substitute(text, bindings), prepared, dataset=dataset)
        ox = _ox()
        if prepared is not None:
            form = query_form(prepared)
        elif isinstance(answer, ox.QuerySolutions):
            form = "SELECT"
        elif isinstance(answer, ox.QueryBoolean):
            form = "ASK"
        else:
            form = "CONSTRUCT"
        if form == "ASK":
            return Stream(form, [], _nothing(), bool(answer))
        if form == "SELECT":
            names, rows = select_rows(answer)
            return Stream(form, names, rows)
        return Stream(form, [], graph_triples(answer))

    def raw_query(
        self, text: str, prepared: Query | None = None, *, dataset: QueryDataset | None = None
    ) -> Any:
        """Oxigraph's own answer to a query (its solutions, triples or boolean), for code that
        reads it as it comes (the server streams it): the dataset chosen as :meth:`query`
        chooses it, errors wrapped."""
        options = dataset_options(prepared, dataset)
        try:
            return self._store.query(text, prefixes=dict(PREFIXES), **options)
        except SyntaxError as exc:
            raise KgUsageError(f"Oxigraph cannot run this query: {exc}") from None
        except OSError as exc:
            raise KgStoreError(f"{self.describe()}: {exc}") from None

    def select_text(self, text: str) -> list[tuple[str, ...]]:
        """No rdflib term is made: a row costs a microsecond, not ten."""
        value = attrgetter("value")
        return [tuple(map(value, row)) for row in self.raw_query(text)]

    def answer_text(
        self, text: str, prepared: Query
    ) -> tuple[list[str], list[tuple[str | None, ...]]]:
        """Oxigraph writes each term's N-Triples form itself: no rdflib term is made."""
        answer = self.raw_query(text, prepared)
        if query_form(prepared) == "SELECT":
            names = [v.value for v in answer.variables]
            return names, [tuple(None if v is None else str(v) for v in row) for row in answer]
        return ["subject", "predicate", "object"], [
            (str(t.subject), str(t.predicate), str(t.object)) for t in answer
        ]

    def update(self, text: str) -> None:
        self._writable()
        try:
            self._store.update(text, prefixes=dict(PREFIXES))
        except SyntaxError as exc:
            raise KgUsageError(f"the update failed: {exc}") from None
        except OSError as exc:
            raise KgStoreError(f"{self.describe()}: {exc}") from None

    def write_marker(self, info: Mapping[str, object]) -> None:
        """Record what was built into an on-disk store (read by ``kg stats``, for people)."""
        if self.path is not None:
            text = json.dumps(dict(info), ensure_ascii=False, indent=2, sort_keys=True)
            (self.path / MARKER).write_text(text + "\n", encoding="utf-8")

    def clear(self) -> None:
        """Empty the store (``kg build --path`` rebuilds an existing store from scratch)."""
        self._writable()
        self._store.clear()

    def close(self) -> None:
        if self._store is not None and self.path is not None and not self.read_only:
            self._store.flush()
        self._store = None

    def _writable(self) -> None:
        if self.read_only:
            raise KgStoreError(f"{self.describe()} is open read-only")


def _nothing() -> Iterator[Any]:
    yield from ()


def dataset_options(prepared: Query | None, dataset: QueryDataset | None) -> dict[str, Any]:
    """pyoxigraph's query options for the dataset a query runs over (:meth:`Store.query`):
    the protocol's dataset, else the query's FROM / FROM NAMED, else the union."""
    if dataset is None and prepared is not None:
        default, named = dataset_clause(prepared)
        if default or named:
            dataset = QueryDataset(default, named)
    if dataset is None:
        return {"use_default_graph_as_union": True}
    return {
        "default_graph": [to_oxigraph(g) for g in dataset.default],
        "named_graphs": [to_oxigraph(g) for g in dataset.named],
    }


def open_error(path: Path, exc: OSError) -> str:
    text = str(exc)
    if "lock" in text.lower():
        return (
            f"the Oxigraph store at {path} is locked by another process (a kg build, or an "
            "oxigraph server?); wait for it to finish or stop it"
        )
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return f"cannot open the Oxigraph store at {path}: {first}"
