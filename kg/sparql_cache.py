"""Parse each SPARQL text once, and refuse queries that would leave the machine, while pySHACL runs.

pySHACL evaluates a SPARQL-based constraint once per focus node and hands rdflib the query text
each time, so rdflib parses the same text again and again (measured: 940 parses taking 99% of a
validation). While :func:`sparql_parse_cache` is active, rdflib's ``SPARQLProcessor.query`` keeps
each parsed query by its text, prefixes and base. It also refuses ``SERVICE`` and ``FROM``: rdflib
would fetch those IRIs, and shapes a user brings must not reach the network or the file system.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from rdflib.plugins.sparql import processor
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

from kg.errors import KgShapesError
from kg.sparql import RemoteAccessRefused, refuse_remote

_lock = threading.RLock()
_depth = 0
_original = processor.SPARQLProcessor.query


def _cached_query(
    self: processor.SPARQLProcessor,
    strOrQuery: Any,
    initBindings: Any = None,
    initNs: Any = None,
    base: str | None = None,
    DEBUG: bool = False,
) -> Any:
    if isinstance(strOrQuery, str):
        key = (strOrQuery, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
        prepared = _CACHE.get(key)
        if prepared is None:
            prepared = translateQuery(parseQuery(strOrQuery), base, initNs)
            _refuse_remote(prepared)
            _CACHE[key] = prepared
        strOrQuery = prepared
    return _original(self, strOrQuery, initBindings, initNs, base, DEBUG)


_CACHE: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], Any] = {}


def _refuse_remote(query: Any) -> None:
    """Shapes hold no graph a constraint may name: any FROM, SERVICE or LOAD is refused."""
    try:
        refuse_remote(query)
    except RemoteAccessRefused as refused:
        raise KgShapesError(
            f"a SPARQL constraint of the shapes uses {refused.what}: refused, validation never "
            "reads the network or the file system"
        ) from None


@contextlib.contextmanager
def sparql_parse_cache() -> Iterator[None]:
    """While active, rdflib parses each distinct SPARQL text once and refuses SERVICE/FROM."""
    global _depth
    with _lock:
        _depth += 1
        processor.SPARQLProcessor.query = _cached_query  # type: ignore[method-assign]
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                processor.SPARQLProcessor.query = _original  # type: ignore[method-assign]
                _CACHE.clear()
