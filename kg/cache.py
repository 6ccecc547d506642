"""The build cache: a project's graph kept as an on-disk Oxigraph store, opened again for as
long as nothing it was built from has changed.

Building the national graph takes a minute or more; opening a store of it takes a fraction of
a second. ``kg build`` leaves the graph it built in the cache
(:func:`kg.build_file.build_and_keep`), and ``kg query``, ``stats``, ``validate``, ``export``,
``viz``, ``serve``, ``push`` and ``ingest`` open it when it is current, or build it again when
it is not (and say so, through ``notice``). The same is done for large RDF files read with
``--data``: parsed once, opened after. A graph is built in memory and then copied into its
store (building on disk is several times slower); work of many queries (validation) copies the
store back into memory first (``in_memory``), for the same reason.

A store is current when its key matches: a SHA-256 of the path and content of every file of
the project's ``ontology/`` and ``data/`` (ours and the user's, :meth:`Project.digest`), of the
code that builds the graph (:data:`BUILT_BY`), of its version and of the scope (national, or
the provinces only).
Stores live in :func:`kg.project.cache_folder` (``$CCHC_KG_CACHE``, as the ingest gazetteer
does), ``stores/{entry}/{key}/``: an entry per project folder and scope, or per set of files;
a new key's store is written beside the old one and the store before it is kept, so a process
still reading it is not cut off; older ones are removed. One process builds an entry at a
time (a lock file): another that needs it waits, then opens what the first built.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.build import Progress, StepCallback, build
from kg.build import complete as complete_graph
from kg.errors import KgStoreError
from kg.forking import Beside
from kg.graph import KnowledgeGraph
from kg.io import load_file
from kg.project import Project, cache_folder
from kg.stores.disk import OnDiskBuild
from kg.stores.oxigraph import MARKER, OxigraphStore, is_store
from kg.version import __version__

__all__ = [
    "FILES_THRESHOLD",
    "CacheEntry",
    "Keeping",
    "build_entry",
    "files_entry",
    "open_graph",
]

#: Raise when what a store holds, for the same inputs, changes in a way the code does not show.
FORMAT = 1

#: ``--data`` files smaller than this (in all) are read as they are: they load about as fast
#: as a store opens, and do not fill the cache with stores of small files.
FILES_THRESHOLD = 1 << 20

#: Says one thing to the user (a line on stderr, for the command line).
Notice = Callable[[str], None]


#: The modules whose code makes the graph (what :mod:`kg.cache` imports, and itself): a change
#: to one changes the key. A test holds the list to the imports.
BUILT_BY = (
    "kg.build",
    "kg.cache",
    "kg.errors",
    "kg.forking",
    "kg.graph",
    "kg.importers",
    "kg.io",
    "kg.labels",
    "kg.namespaces",
    "kg.ntriples",
    "kg.project",
    "kg.sparql",
    "kg.stores",
    "kg.terms",
    "kg.version",
)


def _code_digest() -> str:
    """A digest of the code that makes the graph (:data:`BUILT_BY`): an importer edited in a
    checkout changes the graph as much as a new version does; a change elsewhere (a renderer)
    does not."""
    package = Path(__file__).resolve().parent
    total = hashlib.sha256(f"{FORMAT}:{__version__}".encode())
    for name in BUILT_BY:
        base = package.joinpath(*name.split(".")[1:])
        files = sorted(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")]
        for path in files:
            total.update(path.relative_to(package).as_posix().encode() + b"\0")
            total.update(hashlib.sha256(path.read_bytes()).digest())
    return total.hexdigest()


@dataclass(frozen=True)
class CacheEntry:
    """Where the store of one project and scope (or one set of files) is kept, and the key the
    current inputs give it."""

    #: The entry's folder, ``stores/{name}/``: one store per key inside.
    folder: Path
    #: The SHA-256 of the inputs.
    key: str
    #: What the store holds, for people: the project folder and scope, or the files.
    about: dict[str, object]

    @property
    def path(self) -> Path:
        """The store of the current key."""
        return self.folder / self.key[:24]

    def current(self) -> bool:
        """True when the store of the current key is there, whole (its marker written last)."""
        return is_store(self.path) and self._marker_key() == self.key

    def _marker_key(self) -> str | None:
        try:
            info = json.loads((self.path / MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        key = info.get("key") if isinstance(info, dict) else None
        return key if isinstance(key, str) else None

    def stale_reason(self) -> str:
        """Why the store is to be built: none yet, inputs changed since, or it is damaged."""
        if self.path.exists():
            return "the one there does not open"
        built = [p for p in self.folder.glob("*") if p.is_dir() and is_store(p)]
        return "its inputs changed since the last build" if built else "there is none yet"

    @contextlib.contextmanager
    def locked(self, notice: Notice | None = None) -> Iterator[None]:
        """Hold the entry's lock: one process builds it at a time."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".lock", "a+b") as handle:
            try:
                import fcntl
            except ImportError:  # pragma: no cover - no fcntl (Windows): no lock
                yield
                return
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if notice is not None:
                    notice(f"waiting for another kg process building {self.folder}")
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def keep(self, graph: KnowledgeGraph) -> None:
        """Write ``graph`` (built in memory) as the store of the current key, under the lock;
        keep the one before it (a process may still read it), remove the older ones and what
        killed builds left. What was at its place is a store that did not open (a full disk
        cut it short)."""
        self.start_keeping(graph).finish()

    def start_keeping(self, graph: KnowledgeGraph) -> Keeping:
        """:meth:`keep`, the copy to disk made beside the caller's next work (``kg build``
        validates and writes its file meanwhile: :meth:`OnDiskBuild.start_filling`).
        ``graph`` must not change until :meth:`Keeping.finish`."""
        shutil.rmtree(self.path, ignore_errors=True)
        disk = OnDiskBuild(self.path)
        try:
            filling = disk.start_filling(graph.store)
        except BaseException:
            disk.abandon()
            raise
        return Keeping(self, disk, filling)

    def prune(self) -> None:
        """Keep the newest store beside the current one (a process may still read it); remove
        the older ones, what killed builds left, and the entries of inputs that are gone."""
        others = [p for p in self.folder.iterdir() if p.is_dir() and p.name != self.path.name]
        kept = sorted(
            (p for p in others if not p.name.startswith(".")),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )[:1]
        for old in others:
            if old not in kept:
                shutil.rmtree(old, ignore_errors=True)
        _prune(self.folder.parent, keep=self.folder)


class Keeping:
    """A graph being copied into the cache (:meth:`CacheEntry.start_keeping`)."""

    def __init__(self, entry: CacheEntry, disk: OnDiskBuild, filling: Beside) -> None:
        self._entry, self._disk, self._filling = entry, disk, filling

    def finish(self) -> None:
        """Wait for the copy, put the store in place and prune the entry's folder.

        :raises KgStoreError: the copy failed (a full disk); nothing of it is left.
        """
        try:
            self._filling.wait()
        except BaseException:
            self._disk.abandon()
            raise
        self._disk.commit({"key": self._entry.key, **self._entry.about})
        self._entry.prune()

    def cancel(self) -> None:
        """Stop the copy and remove what it wrote; the cache is as it was before."""
        self._filling.cancel()
        self._disk.abandon()


def _prune(stores: Path, *, keep: Path) -> None:
    """Remove the entries whose files or project folders are gone (the stores of a test's
    temporary files, of a project deleted) and those with no store (a build that failed),
    unless another process holds one."""
    for entry in stores.iterdir():
        if entry == keep or not entry.is_dir():
            continue
        inputs: list[str] = []
        for marker in entry.glob(f"*/{MARKER}"):
            with contextlib.suppress(OSError, ValueError, AttributeError, TypeError):
                info = json.loads(marker.read_text(encoding="utf-8"))
                inputs += [str(p) for p in info.get("files", []) + info.get("project", [])]
        if inputs and all(Path(p).exists() for p in inputs):
            continue
        with contextlib.suppress(OSError), open(entry / ".lock", "a+b") as handle:
            try:
                import fcntl

                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except (ImportError, BlockingIOError):
                continue
            shutil.rmtree(entry, ignore_errors=True)


def _name(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def build_entry(
    root: str | Path | None = None, *, national: bool = True, cache: str | Path | None = None
) -> CacheEntry:
    """The cache entry of a project's build (``national`` or the provinces only).

    :param root: the project folder (:func:`kg.project.default_root` when None).
    :param cache: the cache folder (:func:`kg.project.cache_folder` when None).
    """
    project = Project.at(root)
    scope = "national" if national else "provinces"
    folders = [str(layer.resolve()) for layer in project.layers]
    name = f"build-{scope}-{_name(*folders)}"
    key = hashlib.sha256(f"{_code_digest()}:{scope}:{project.digest()}".encode()).hexdigest()
    about: dict[str, object] = {"project": folders, "scope": scope}
    return CacheEntry(Path(cache or cache_folder()) / "stores" / name, key, about)


def files_entry(
    paths: Sequence[str | Path],
    *,
    cache: str | Path | None = None,
    completed_by: Sequence[Path] = (),
) -> CacheEntry:
    """The cache entry of RDF files read with ``--data``: keyed by their content.

    :param completed_by: the closing rules :func:`kg.build.complete` ran on the files (an
        entry of its own, keyed by the rules' content too), none when the files are read
        as they are.
    """
    files = [str(Path(p).resolve()) for p in paths]
    total = hashlib.sha256(_code_digest().encode())
    for path in [*files, *map(str, completed_by)]:
        total.update(path.encode() + b"\0")
        total.update(hashlib.sha256(Path(path).read_bytes()).digest())
    name = f"files-{_name(*files)}" + ("-completed" if completed_by else "")
    about: dict[str, object] = {"files": files}
    return CacheEntry(Path(cache or cache_folder()) / "stores" / name, total.hexdigest(), about)


def _open(entry: CacheEntry) -> KnowledgeGraph | None:
    """The entry's store, read-only, when it is current and opens."""
    if not entry.current():
        return None
    try:
        return KnowledgeGraph.open("oxigraph", path=entry.path)
    except KgStoreError:
        return None  # damaged (a disk that filled up): built again


def _fill(
    entry: CacheEntry,
    fill: Callable[[KnowledgeGraph], None],
    what: str,
    notice: Notice | None,
) -> tuple[KnowledgeGraph, bool]:
    """The entry's graph: its store opened when current, else made by ``fill`` in memory
    (and said so), kept in the cache, and given as it is; and whether it is on disk."""
    graph = _open(entry)
    if graph is not None:
        return graph, True
    with entry.locked(notice):
        graph = _open(entry)  # another process may have built it meanwhile
        if graph is not None:
            return graph, True
        if notice is not None:
            notice(f"{what} into the cache, as {entry.stale_reason()}: {entry.path}")
        made = KnowledgeGraph(store="oxigraph")
        fill(made)
        entry.keep(made)
    return made, False


def open_graph(
    root: str | Path | None = None,
    *,
    data: Sequence[str | Path] = (),
    path: str | Path | None = None,
    endpoint: str | None = None,
    timeout: float | None = None,
    endpoint_max_rows: int | None = None,
    store: str | None = None,
    national: bool = True,
    cache: bool | str | Path = True,
    in_memory: bool = False,
    complete: bool = False,
    progress: Progress | StepCallback | None = None,
    notice: Notice | None = None,
) -> KnowledgeGraph:
    """The graph a command reads: a remote endpoint's, an on-disk store's (``path``), RDF
    files' (``data``), or the project's build, from the cache while it is current.

    :param root: the project folder (:func:`kg.project.default_root` when None).
    :param data: RDF files to read instead of building (each file a named graph; TriG and
        N-Quads in the graphs they name).
    :param path: an on-disk Oxigraph store, as ``kg build --path`` writes it.
    :param endpoint: a SPARQL 1.1 query endpoint.
    :param timeout: how long to wait for the endpoint's answers.
    :param endpoint_max_rows: the most rows the endpoint gives in one answer, if it cuts
        answers without saying so (:class:`~kg.stores.remote.RemoteStore`'s ``max_rows``).
    :param store: the kind of store to build into or read files into: ``oxigraph`` (the
        default, through the cache) or ``memory`` (rdflib's, never cached).
    :param national: the whole country, or the provinces only (the cache keeps each).
    :param cache: use the cache (in :func:`kg.project.cache_folder`, or in this folder).
    :param in_memory: a store on disk (the cache's, ``path``) copied into memory first, a few
        seconds for the national graph: work of many queries (validation) runs several times
        faster there than on disk, and the copy can be changed (``kg ingest --accept`` tries a
        draft in it).
    :param complete: files read with ``data`` get what a build states last
        (:func:`kg.build.complete`: the search key of each label, the most specific type of
        each resource), so that the catalog's queries answer on them as on a build; for the
        verbs that run queries (a file that holds them already is unchanged by it).
    :param progress: hears the build's steps, when there is a build.
    :param notice: hears, in one line, that the cache is being built and why.
    :returns: the graph (read-only when it comes from a store on disk).
    :raises KgStoreError: the store or endpoint cannot be opened.
    :raises KgError: what building or reading the files raises.
    """
    if endpoint is not None:
        return KnowledgeGraph.open(endpoint=endpoint, timeout=timeout, max_rows=endpoint_max_rows)
    graph, on_disk = _graph(
        root, data, path, store, national, cache, progress, notice, complete=complete
    )
    return _into_memory(graph) if in_memory and on_disk else graph


def _into_memory(graph: KnowledgeGraph) -> KnowledgeGraph:
    """An on-disk store's graph copied into memory (inside Oxigraph), the store let go."""
    copy = KnowledgeGraph(store=OxigraphStore())
    with graph:
        copy.store.oxigraph().bulk_extend(graph.store.oxigraph())
    return copy


def _graph(
    root: str | Path | None,
    data: Sequence[str | Path],
    path: str | Path | None,
    store: str | None,
    national: bool,
    cache: bool | str | Path,
    progress: Progress | StepCallback | None,
    notice: Notice | None,
    *,
    complete: bool = False,
) -> tuple[KnowledgeGraph, bool]:
    """:func:`open_graph`'s graph, and whether it is a store on disk."""
    if path is not None:
        return KnowledgeGraph.open("oxigraph", path=path), True
    folder = None if cache is True else cache
    cached = cache is not False and store in (None, "oxigraph")
    if data:
        small = sum(Path(p).stat().st_size for p in data if Path(p).is_file()) < FILES_THRESHOLD
        if not cached or small or any(not Path(p).is_file() for p in data):
            files = KnowledgeGraph.from_files(data, store=store)
            if complete:
                complete_graph(files, root)
            return files, False
        rules = Project.at(root).closing_rule_files() if complete else []
        entry = files_entry(data, cache=folder, completed_by=rules)

        def read(target: KnowledgeGraph) -> None:
            for file in data:
                load_file(target.store, file)
            if complete:
                complete_graph(target, root)

        return _fill(entry, read, "reading " + ", ".join(str(p) for p in data), notice)
    if not cached:
        return build(root, national=national, progress=progress, store=store), False
    entry = build_entry(root, national=national, cache=folder)

    def assemble(target: KnowledgeGraph) -> None:
        build(root, national=national, progress=progress, store=target.store)

    return _fill(entry, assemble, "building the graph", notice)
