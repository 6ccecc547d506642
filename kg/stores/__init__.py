"""The stores that can stand behind a :class:`~kg.graph.KnowledgeGraph`, and how to open one.

* ``memory``: rdflib's Dataset, pure Python, the reference engine of the differential tests;
* ``oxigraph``: pyoxigraph, in memory or on disk (``path``), the default;
* ``remote``: a SPARQL 1.1 endpoint (``endpoint``), for graphs that outgrow one machine.
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import KgStoreError, KgUsageError
from kg.stores.base import Quad, Replica, Store, Triple

#: The backend used when none is named.
DEFAULT_STORE = "oxigraph"
#: The names ``--store`` accepts.
STORE_KINDS = ("memory", "oxigraph")

__all__ = [
    "DEFAULT_STORE",
    "STORE_KINDS",
    "Quad",
    "Replica",
    "Store",
    "Triple",
    "open_replica",
    "open_store",
]


def open_store(
    kind: str | None = None,
    *,
    path: str | Path | None = None,
    endpoint: str | None = None,
    update_endpoint: str | None = None,
    graph_store: str | None = None,
    timeout: float | None = None,
    max_request: int | None = None,
    max_rows: int | None = None,
    read_only: bool = False,
) -> Store:
    """Open (or create) a store.

    :param kind: ``memory`` or ``oxigraph`` (:data:`DEFAULT_STORE` when omitted); ignored
        when ``endpoint`` is given.
    :param path: an on-disk Oxigraph store (a folder); only with ``oxigraph``.
    :param endpoint: a SPARQL 1.1 query endpoint: the store is then that remote endpoint
        (``update_endpoint``, ``graph_store``, ``timeout``, ``max_request`` and ``max_rows``
        are those of :class:`~kg.stores.remote.RemoteStore`).
    :param read_only: open an on-disk store for reading only (it must exist).
    :raises KgUsageError: an unknown kind, or options that do not go together.
    :raises KgStoreError: the on-disk store is locked, or the folder is not a store.
    """
    if endpoint is not None:
        if path is not None:
            raise KgUsageError("give either --endpoint or --path, not both")
        from kg.stores.remote import RemoteStore

        return RemoteStore(
            endpoint,
            update_endpoint=update_endpoint,
            graph_store=graph_store,
            timeout=timeout,
            max_request=max_request,
            max_rows=max_rows,
        )
    if update_endpoint is not None or graph_store is not None:
        raise KgUsageError("--update-endpoint and --graph-store go with --endpoint")
    kind = kind or (DEFAULT_STORE if path is None else "oxigraph")
    if kind == "memory":
        if path is not None:
            raise KgUsageError("the memory store has no --path; use --store oxigraph --path DIR")
        from kg.stores.memory import MemoryStore

        return MemoryStore()
    if kind == "oxigraph":
        from kg.stores.oxigraph import OxigraphStore

        return OxigraphStore(path, read_only=read_only)
    raise KgUsageError(f"unknown store {kind!r}; the stores are: {', '.join(STORE_KINDS)}")


def open_replica(replica: Replica) -> Store:
    """Open, in this process, the graph another process described with
    :meth:`Store.replica <kg.stores.base.Store.replica>`: read-only where it can be.

    :raises KgStoreError: the store cannot be opened.
    """
    kind = None if replica.kind == "remote" else replica.kind
    store = open_store(kind, **replica.options)
    if replica.nquads is not None:
        data = Path(replica.nquads).read_bytes()
        if not store.load_rdf(data, "nquads", graph=None, base_iri="urn:kg:replica"):
            raise KgStoreError(f"the copy of the graph at {replica.nquads} does not parse")
    return store
