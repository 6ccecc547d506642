"""``kg build --path DIR``: build an on-disk Oxigraph store beside the old one, then swap.

The build writes into a fresh folder next to ``DIR`` and replaces ``DIR`` only when the graph
is complete and valid, so a failed or invalid build leaves the old store as it was, and a
reader never sees half a graph. A store another process holds open is refused up front.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from kg.errors import KgStoreError
from kg.forking import Beside, beside
from kg.stores.base import Store
from kg.stores.oxigraph import OxigraphStore, is_store, open_error


class OnDiskBuild:
    """A new on-disk store being built for ``path``: :meth:`commit` or :meth:`abandon` it.

    :raises KgStoreError: ``path`` is a file, a folder that is not a store, or a store that
        another process has locked.
    """

    def __init__(self, path: str | Path) -> None:
        import pyoxigraph

        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise KgStoreError(f"{self.path} is a file, not an Oxigraph store (a folder)")
        if self.path.is_dir() and any(self.path.iterdir()) and not is_store(self.path):
            raise KgStoreError(
                f"{self.path} is not an Oxigraph store and not empty; refusing to replace it "
                "(choose a new or empty folder)"
            )
        if is_store(self.path):
            try:  # only to learn whether someone else holds it: opened and let go at once
                probe = pyoxigraph.Store(str(self.path))
                del probe
            except OSError as exc:
                raise KgStoreError(open_error(self.path, exc)) from None
        self._tmp = self.path.parent / f".{self.path.name}.building-{os.getpid()}"
        shutil.rmtree(self._tmp, ignore_errors=True)
        self._tmp.parent.mkdir(parents=True, exist_ok=True)
        self._store: OxigraphStore | None = None

    @property
    def store(self) -> OxigraphStore:
        """The new store, opened when first used: until then this process runs no RocksDB
        thread, and :meth:`start_filling` may fork."""
        if self._store is None:
            self._store = OxigraphStore(self._tmp)
        return self._store

    def fill_from(self, source: Store) -> None:
        """Add the quads of ``source`` to the new store, inside Oxigraph."""
        self.store.oxigraph().bulk_extend(source.oxigraph())

    def start_filling(self, source: Store) -> Beside:
        """:meth:`fill_from` beside the caller's next work: in a forked child that writes the
        store on disk from its copy of ``source`` (RocksDB's writing takes a core for ten
        seconds a million triples; ``kg build`` validates and writes its file meanwhile).
        Where the process may not fork, the copy is made by :meth:`Beside.wait`. Wait for it
        before :meth:`commit`; ``source`` must not change until then.
        """

        def fill() -> None:
            self.fill_from(source)
            self._close()  # written out before a child ends

        return beside(fill, f"copying the graph to {self.path}")

    def commit(self, about: Mapping[str, object] | None = None) -> None:
        """Put the new store in place of the old one.

        :param about: more to say in the store's marker (the build cache's key).
        """
        size = len(self.store)
        graphs = len(self.store.graph_names())
        self.store.write_marker(
            {
                **(about or {}),
                "store": "oxigraph",
                "triples": size,
                "graphs": graphs,
                "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            }
        )
        self._close()
        old = self.path.parent / f".{self.path.name}.old-{os.getpid()}"
        if self.path.exists():
            self.path.rename(old)
        self._tmp.rename(self.path)
        shutil.rmtree(old, ignore_errors=True)

    def abandon(self) -> None:
        """Throw the new store away; the old one stays as it was."""
        self._close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def _close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
