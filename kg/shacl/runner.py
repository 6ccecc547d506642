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
import os
import re
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from rdflib import Literal
from rdflib.namespace import RDF, RDFS

from kg.errors import KgShapesError
from kg.report import ConstraintTiming, ValidationResult
from kg.shacl.functions import custom_functions
from kg.shacl.model import CompiledConstraint, shape_name
from kg.shacl.results import results_of
from kg.shacl.store import find_ill_typed
from kg.shacl.targets import INSTANCE_OF
from kg.shacl.text import ILL_TYPED_GRAPH

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
) -> list[ValidationResult]:
    """Run compiled constraints over a store.

    :param literals: the data's own literals by their Oxigraph term, when
        :func:`kg.shacl.store.load_store` loaded the store (it also marked the ill-typed ones);
        None for a store of one's own, which is then only read.
    :param union: the data is the union of the store's named graphs.
    :param graphs: the data is these named graphs (pyoxigraph terms), else the default graph.
    :param timings: a list to append each constraint's time and number of results to.
    :returns: the results of every constraint, unsorted.
    :raises KgShapesError: a query could not be run.
    """
    dataset: dict[str, Any] = {"use_default_graph_as_union": union} if union else {}
    if graphs is not None:
        dataset = {"default_graph": graphs}
    n = len(constraints)
    texts = [c.query for c in constraints]
    texts += [c.inverted or "" for c in constraints] + [c.focus or "" for c in constraints]
    texts = _with_subclasses_listed(store, texts, dataset)
    queries, inverted, focus = texts[:n], texts[n : 2 * n], texts[2 * n :]
    choose = _Chooser(store, dataset)
    pool = ThreadPoolExecutor(_workers())
    try:
        ill: Future[list[Any]] | None = None
        if literals is None:  # a store of one's own: judge its literals now, without writing
            ill = pool.submit(find_ill_typed, store, _datatypes_checked(constraints), **dataset)
        futures: list[Future[tuple[list[ValidationResult], float, float]] | None] = []
        waiting: list[int] = []  # queries that need the ill-typed literals first
        for i, (c, query) in enumerate(zip(constraints, queries, strict=True)):
            if ill is not None and _MARKER.search(query):
                futures.append(None)
                waiting.append(i)
            else:
                futures.append(pool.submit(choose.run, c, query, inverted[i], focus[i], literals))
        if ill is not None:  # its error, if any, comes first, as when it ran first
            bad = ill.result()
            for i in waiting:
                c = constraints[i]
                query, other = (_without_marker_graph(q, bad) for q in (queries[i], inverted[i]))
                futures[i] = pool.submit(choose.run, c, query, other, focus[i], literals)
        results: list[ValidationResult] = []
        for c, future in zip(constraints, futures, strict=True):
            assert future is not None
            found, seconds, cpu = future.result()
            results.extend(found)
            if timings is not None:
                timings.append(ConstraintTiming(c.shape, c.component, seconds, len(found), cpu))
        return results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _Chooser:
    """Picks, for a constraint with an inverted query, the query that reads fewer triples.

    A shape's query visits each focus node; its inverted query visits each triple of the
    path's predicate. The inverted one is taken when the predicate has fewer triples than the
    shape has focus nodes (counted once each, the predicate's only up to that number): the
    national graph's 29,000 agencies each have one ``org:subOrganizationOf``, but the 13
    roles share the graph's 75,000 labels with everything else.
    """

    def __init__(self, store: pyoxigraph.Store, dataset: dict[str, Any]) -> None:
        self.store = store
        self.dataset = dataset
        self.counts: dict[str, int] = {}

    def count(self, pattern: str) -> int:
        key = re.sub(r"\?_class\d+", "?_class", pattern)  # one count for the same pattern
        found = self.counts.get(key)
        if found is None:
            query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
            found = self.counts[key] = int(
                next(iter(self.store.query(query, **self.dataset)))["n"].value
            )
        return found

    def run(
        self,
        c: CompiledConstraint,
        query: str,
        inverted: str,
        focus: str,
        literals: dict[Any, Literal] | None,
    ) -> tuple[list[ValidationResult], float, float]:
        """The results of the constraint, found by the query that reads less, and the wall and
        CPU time it took."""
        began, cpu = time.perf_counter(), time.thread_time()
        if c.inverted is not None and c.driver is not None:
            nodes = self.count(focus)
            triples = self.count(f"SELECT * WHERE {{ ?_s <{c.driver}> ?_o }} LIMIT {nodes}")
            if triples < nodes:
                query = inverted
        found = _run_one(self.store, c, query, literals, self.dataset)
        return found, time.perf_counter() - began, time.thread_time() - cpu


def _run_one(
    store: pyoxigraph.Store,
    c: CompiledConstraint,
    query: str,
    literals: dict[Any, Literal] | None,
    dataset: dict[str, Any],
) -> list[ValidationResult]:
    """The results of one constraint's query (run in a worker thread of :func:`run`)."""
    extra = {"custom_functions": custom_functions()} if c.functions else {}
    try:
        rows = store.query(query, **dataset, **extra)
        return results_of(c, rows, literals)
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
    store: pyoxigraph.Store, queries: list[str], dataset: dict[str, Any]
) -> list[str]:
    """``?x rdf:type/rdfs:subClassOf* C`` as ``?x rdf:type ?c VALUES ?c {C and its subclasses}``.

    The same answers (the subclasses are read from the same data first), but Oxigraph evaluates
    a property path per focus node and a VALUES join once.
    """
    import pyoxigraph as ox

    closure: dict[str, str] = {}
    fresh = itertools.count()

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

    return [_INSTANCE_OF.sub(listed, q) for q in queries]
