"""Compiled constraints run on Oxigraph, in threads, each timed.

Before the queries run, the runner reads from the data what only the data can say: the
subclasses of each class a query tests membership of (listed in the query, one ``VALUES`` join
instead of a property path walked per node: 51 s against 32 s over the national graph), and,
for a store it did not load, the literals whose lexical form does not fit their datatype.

pyoxigraph lets go of the interpreter while it answers a query and while it gives the next
row, so the queries run in threads, one per core. The results keep the order of the
constraints, an error is the one the first failing constraint gives, and each constraint's
time and number of results are kept (:class:`kg.report.ConstraintTiming`), which is how one
finds where the time of a validation goes.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Literal
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from kg.errors import KgShapesError
from kg.report import ConstraintTiming, ValidationResult
from kg.shacl.functions import custom_functions
from kg.shacl.model import CompiledConstraint, shape_name
from kg.shacl.results import results_of
from kg.shacl.store import find_ill_typed, from_oxigraph
from kg.shacl.targets import INSTANCE_OF
from kg.shacl.text import (
    BNODE_FUNCTION,
    DETAIL_PARENT,
    DETAIL_ROUTE,
    ILL_TYPED_GRAPH,
    constant,
)

if TYPE_CHECKING:
    import pyoxigraph

__all__ = ["run"]


def _workers() -> int:
    """Threads that run constraint queries: one per core the process may use, at most 8."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(8, cores))


def run(
    store: pyoxigraph.Store,
    constraints: list[CompiledConstraint],
    literals: dict[Any, Literal] | None = None,
    *,
    union: bool = False,
    graphs: list[Any] | None = None,
    timings: list[ConstraintTiming] | None = None,
    grouped: bool = True,
) -> list[ValidationResult]:
    """Run compiled constraints over a store.

    The constraints of one node shape and its property shapes run as one query where they
    can (:attr:`CompiledConstraint.group`), which visits each focus node once: a third of the
    work of one query each, measured on the benchmark's shapes.

    :param literals: the data's own literals by their Oxigraph term, when
        :func:`kg.shacl.store.load_store` loaded the store (it also marked the ill-typed ones);
        None for a store of one's own, which is then only read.
    :param union: the data is the union of the store's named graphs.
    :param graphs: the data is these named graphs (pyoxigraph terms), else the default graph.
    :param timings: a list to append each constraint's time and number of results to (a
        group's time shared evenly among its constraints).
    :param grouped: run groups as one query; when false, each constraint alone, so that
        its own time is known.
    :returns: the results of every constraint, unsorted, each with its details
        (``sh:detail``: why a value does not conform to the shape of a ``sh:node``).
    :raises KgShapesError: a query could not be run.
    """
    dataset: dict[str, Any] = {"use_default_graph_as_union": union} if union else {}
    if graphs is not None:
        dataset = {"default_graph": graphs}
    # rdflib logs a traceback for each ill-typed literal a result names (sh:datatype reports
    # them: no fault of the program); the record would also hold a worker's frame, and the
    # query's rows in it, past the worker thread that made them
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    pool = ThreadPoolExecutor(_workers())
    try:
        state = _Run(store, dataset, literals, pool)
        ill: Future[list[Any]] | None = None
        if literals is None:  # a store of one's own: judge its literals now, without writing
            checked = _datatypes_checked(constraints)
            sources = constraints[0].literal_predicates if constraints else None
            ill = pool.submit(find_ill_typed, store, checked, sources, **dataset)
        units = state.plan(constraints, grouped=grouped)
        futures: list[Future[tuple[list[list[ValidationResult]], float, float]] | None] = []
        waiting: list[int] = []  # queries that need the ill-typed literals first
        for i, (members, query) in enumerate(units):
            if ill is not None and _MARKER.search(query):
                futures.append(None)
                waiting.append(i)
            else:
                futures.append(pool.submit(state.run, members, query))
        if ill is not None:  # its error, if any, comes first, as when it ran first
            state.ill = ill.result()
            for i in waiting:
                futures[i] = pool.submit(state.run, *units[i])
        results: list[ValidationResult] = []
        for (members, _query), future in zip(units, futures, strict=True):
            assert future is not None
            found, seconds, cpu = future.result()
            for c, own in zip(members, found, strict=True):
                if c.details and own:
                    own = state.with_details(c, own)
                results.extend(own)
                if timings is not None:
                    n = len(members)
                    timings.append(
                        ConstraintTiming(c.shape, c.component, seconds / n, len(own), cpu / n, n)
                    )
        return results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        logger.setLevel(level)


class _Run:
    """What the queries of one validation share: the store, the data's literals, the
    subclasses of each class (read once), the ill-typed literals, the chosen query forms."""

    def __init__(
        self,
        store: pyoxigraph.Store,
        dataset: dict[str, Any],
        literals: dict[Any, Literal] | None,
        pool: ThreadPoolExecutor,
    ) -> None:
        self.store = store
        self.dataset = dataset
        self.literals = literals
        self.pool = pool
        self.ill: list[Any] | None = None
        self.closure: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        self.fresh = itertools.count()

    def listed(self, query: str) -> str:
        """The query with each class's subclasses listed (:func:`_with_subclasses_listed`)."""
        return _with_subclasses_listed(self.store, query, self.dataset, self.closure, self.fresh)

    def ready(self, query: str) -> str:
        """The query as it runs: the ill-typed graph replaced by the literals found, if read."""
        return query if self.ill is None else _without_marker_graph(query, self.ill)

    def count(self, pattern: str) -> int:
        key = re.sub(r"\?_class\d+", "?_class", pattern)  # one count for the same pattern
        found = self.counts.get(key)
        if found is None:
            query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
            found = self.counts[key] = int(
                next(iter(self.store.query(query, **self.dataset)))["n"].value
            )
        return found

    def inverted(self, c: CompiledConstraint) -> bool:
        """True when the constraint's inverted query reads less than its own.

        A shape's query visits each focus node; the inverted query of a constraint on one
        predicate visits each triple of the predicate. The inverted one is taken when the
        predicate has fewer triples than the shape has focus nodes (counted once each, the
        predicate's only up to that number): the national graph's 29,000 agencies each have
        one ``org:subOrganizationOf``, but the 13 roles share 75,000 labels with everything.
        """
        if c.inverted is None or c.driver is None or c.focus is None:
            return False
        nodes = self.count(self.listed(c.focus))
        triples = self.count(f"SELECT * WHERE {{ ?_s <{c.driver}> ?_o }} LIMIT {nodes}")
        return triples < nodes

    def plan(
        self, constraints: list[CompiledConstraint], *, grouped: bool
    ) -> list[tuple[list[CompiledConstraint], str]]:
        """The queries to run: (the constraints a query answers, its text)."""
        units: list[tuple[list[CompiledConstraint], str]] = []
        groups: dict[int, list[CompiledConstraint]] = defaultdict(list)
        for c in constraints:
            if self.inverted(c):
                assert c.inverted is not None
                units.append(([c], self.listed(c.inverted)))
            elif grouped and c.group is not None and c.branch is not None:
                groups[c.group].append(c)
            else:
                units.append(([c], self.listed(c.query)))
        for members in groups.values():
            for part in _compatible(members):
                query = part[0].query if len(part) == 1 else _grouped(part)
                units.append((part, self.listed(query)))
        return units

    def run(
        self, members: list[CompiledConstraint], query: str
    ) -> tuple[list[list[ValidationResult]], float, float]:
        """The results of each constraint a query answers, and the wall and CPU time it took."""
        began, cpu = time.perf_counter(), time.thread_time()
        functions = any(c.functions for c in members)
        rows = _rows(self.store, members[0], self.ready(query), self.dataset, functions)
        if len(members) == 1:
            found = [results_of(members[0], rows, self.literals)]
        else:
            tagged: list[list[Any]] = [[] for _ in members]
            for row in rows:
                tagged[int(row["__k"].value)].append(row)
            found = [
                results_of(c, own, self.literals) for c, own in zip(members, tagged, strict=True)
            ]
        return found, time.perf_counter() - began, time.thread_time() - cpu

    def with_details(
        self, c: CompiledConstraint, found: list[ValidationResult]
    ) -> list[ValidationResult]:
        """The results of a ``sh:node`` constraint, each with the results that explain it: the
        nested shape's constraints run over exactly the values that failed it."""
        pairs = sorted({(r.focus_node, r.value) for r in found}, key=lambda p: (p[0], p[1]))
        linked: dict[tuple[Node, Node | None], list[ValidationResult]] = defaultdict(list)
        for d in c.details:
            query = _DETAIL_ROUTE.sub(lambda m: _pairs(pairs, m.group(1)), d.query)
            query = self.ready(self.listed(query))
            rows = list(_rows(self.store, d, query, self.dataset, BNODE_FUNCTION in query))
            results = results_of(d, rows, self.literals)
            if d.details and results:
                results = self.with_details(d, results)
            for row, result in zip(rows, results, strict=True):
                parent = from_oxigraph(row[DETAIL_PARENT.removeprefix("?")], self.literals)
                linked[(parent, result.focus_node)].append(result)
        return [replace(r, details=tuple(linked.get((r.focus_node, r.value), ()))) for r in found]


def _compatible(members: list[CompiledConstraint]) -> list[list[CompiledConstraint]]:
    """The members split where their PREFIX declarations disagree (one query, one prologue)."""
    parts: list[tuple[dict[str, str], list[CompiledConstraint]]] = []
    for c in members:
        declared = dict(line.removeprefix("PREFIX ").split(" ", 1) for line in c.prologue)
        for known, part in parts:
            if all(known.get(p, ns) == ns for p, ns in declared.items()):
                known.update(declared)
                part.append(c)
                break
        else:
            parts.append((declared, [c]))
    return [part for _known, part in parts]


def _grouped(members: list[CompiledConstraint]) -> str:
    """One query for the constraints of a group: each focus node visited once, each
    constraint's branch tried there, its solutions tagged ``?__k`` by constraint."""
    first = members[0]
    prologue = "".join(sorted({line + "\n" for c in members for line in c.prologue}))
    columns = dict.fromkeys(v for c in members for v in c.columns)
    head = " ".join(["SELECT DISTINCT", *first.chain, "?this ?__k ?value ?path", *columns])
    branches = " UNION ".join(f"{{ {c.branch} BIND ({k} AS ?__k) }}" for k, c in enumerate(members))
    return f"{prologue}{head} WHERE {{ {first.route} LATERAL {{ {branches} }} }}"


_DETAIL_ROUTE = re.compile(re.escape(DETAIL_ROUTE) + r"\((\?\w+)\)")


def _pairs(pairs: list[tuple[Node, Node | None]], var: str) -> str:
    """The (parent focus node, value) pairs as the focus nodes of a detail query (blank nodes,
    which VALUES cannot hold, each in a branch of their own)."""
    plain = [(f, v) for f, v in pairs if v is not None and BNode not in (type(f), type(v))]
    branches = []
    if plain:
        listed = " ".join(f"({constant(f)} {constant(v)})" for f, v in plain)
        branches.append(f"{{ VALUES ({DETAIL_PARENT} {var}) {{ {listed} }} }}")
    for f, v in pairs:
        if v is not None and (f, v) not in plain:
            branches.append(
                f"{{ BIND ({constant(f)} AS {DETAIL_PARENT}) BIND ({constant(v)} AS {var}) }}"
            )
    return " UNION ".join(branches) if branches else "FILTER (false)"


def _rows(
    store: pyoxigraph.Store,
    c: CompiledConstraint,
    query: str,
    dataset: dict[str, Any],
    functions: bool = False,
) -> Any:
    """The solutions of one constraint's query (run in a worker thread of :func:`run`)."""
    extra = {"custom_functions": custom_functions()} if c.functions or functions else {}
    try:
        return store.query(query, **dataset, **extra)
    except SyntaxError as exc:  # SPARQL of the shapes' that Oxigraph reads otherwise
        raise KgShapesError(
            f"the shapes graph is malformed: a SPARQL query of {shape_name(c.shape)} does not "
            f"parse: {str(exc).splitlines()[0]}"
        ) from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise KgShapesError(
            f"the SPARQL validator could not run a constraint of {shape_name(c.shape)}: {exc}"
        ) from None


def _datatypes_checked(constraints: Iterable[CompiledConstraint]) -> set[str]:
    found: set[str] = set()
    for c in constraints:
        found.update(re.findall(r"datatype\(\?\w+\) = <([^>]+)>", c.query))
    return found


_MARKER = re.compile(
    r"NOT EXISTS \{ GRAPH <" + re.escape(ILL_TYPED_GRAPH) + r"> \{ <[^>]+> <[^>]+> (\?\w+) \} \}"
)


def _without_marker_graph(query: str, ill: list[Any]) -> str:
    """The query with the ill-typed graph lookup replaced by a test of the listed literals."""

    def test(m: re.Match[str]) -> str:
        if not ill:
            return "true"
        v = m.group(1)
        return "!(" + " || ".join(f"sameTerm({v}, {lit})" for lit in ill) + ")"

    return _MARKER.sub(test, query)


_INSTANCE_OF = re.compile(re.escape(INSTANCE_OF + " <") + r"([^>]+)>")


def _with_subclasses_listed(
    store: pyoxigraph.Store,
    query: str,
    dataset: dict[str, Any],
    closure: dict[str, str],
    fresh: Iterator[int],
) -> str:
    """``?x rdf:type/rdfs:subClassOf* C`` as ``?x rdf:type ?c VALUES ?c {C and its subclasses}``.

    The same answers (the subclasses are read from the same data first, once a run), but
    Oxigraph evaluates a property path per focus node and a VALUES join once.
    """
    import pyoxigraph as ox

    def listed(m: re.Match[str]) -> str:
        cls = m.group(1)
        if cls not in closure:
            rows = store.query(
                f"SELECT DISTINCT ?s WHERE {{ ?s <{RDFS.subClassOf}>* <{cls}> }}", **dataset
            )
            terms = [r["s"] for r in rows]
            # a blank node cannot be written in VALUES: keep the path for such a class
            closure[cls] = (
                " ".join(sorted(str(t) for t in terms))
                if all(isinstance(t, ox.NamedNode) for t in terms)
                else ""
            )
        if not closure[cls]:
            return m.group(0)
        if " " not in closure[cls]:  # no subclass: one triple pattern, no join
            return f"<{RDF.type}> {closure[cls]}"
        v = f"?_class{next(fresh)}"
        return f"<{RDF.type}> {v} . VALUES {v} {{ {closure[cls]} }}"

    return _INSTANCE_OF.sub(listed, query)
