"""Work that can be stopped: a query in a process of its own, killed at its time or memory limit.

pyoxigraph cannot cancel a query once it has started (the timeout of Oxigraph's Rust API is not
exposed to Python), and rdflib cannot either: a thread that runs a query runs it to the end, and
holds whatever memory it takes. A process can be stopped. So ``kg serve`` and ``kg query`` run
SPARQL in worker processes:

* :class:`Worker` is a process of the server's pool. It opens the graph read-only from a
  :class:`~kg.stores.base.Replica` (an on-disk store is opened where it is; a graph held in
  memory is written to disk once, see :meth:`Store.replica <kg.stores.base.Store.replica>`),
  limits its own address space (``RLIMIT_AS``), and runs one job after another. Its parent
  kills it at the deadline; an allocation past the limit ends it; either way its memory goes
  back to the system, and the parent starts another.
* :func:`call_isolated` runs one function in a forked child (``kg query``): the child loads
  the graph, calls :meth:`Guard.start` when the part that is timed begins, and sends its answer
  back; the parent kills it at the limit and raises :class:`~kg.errors.KgLimitError`.

Jobs are plain functions, pickled by reference: ``fn(context, *args)`` in the worker, where
:class:`Context` holds the worker's graph.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import signal
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any, NamedTuple, TypeVar

from kg.errors import KgError, KgLimitError, KgUsageError
from kg.forking import threads

try:
    import resource
except ImportError:  # pragma: no cover - Windows: no address-space limit, no fork
    resource = None  # type: ignore[assignment]
from kg.graph import KnowledgeGraph
from kg.stores import Replica, open_replica

T = TypeVar("T")

__all__ = [
    "Context",
    "Guard",
    "Limits",
    "Worker",
    "call_isolated",
    "format_size",
    "memory_error",
    "parse_size",
    "time_error",
]


class Limits(NamedTuple):
    """What one query may take: ``seconds`` of time, ``memory`` bytes of address space more
    than the process had when the query began (None: no limit)."""

    seconds: float | None = None
    memory: int | None = None


def parse_size(text: str) -> int:
    """A size as people write it, in bytes: ``512M``, ``2G``, ``2GiB``, ``1500000``.

    >>> parse_size("2G"), parse_size("512m")
    (2147483648, 536870912)

    :raises KgUsageError: not a size.
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", text.lower())
    if not match:
        raise KgUsageError(f"{text!r} is not a size; write e.g. 512M or 2G")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[match.group(2)]
    size = int(float(match.group(1)) * scale)
    if size < 1 << 20:
        raise KgUsageError(f"{text!r} is too small a memory limit; give at least 1M")
    return size


def format_size(size: int) -> str:
    """``2 GiB``, ``512 MiB``: a size for messages.

    >>> format_size(2 << 30), format_size(3 << 19)
    ('2 GiB', '1.5 MiB')
    """
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} B"


def time_error(seconds: float, option: str = "--timeout") -> KgLimitError:
    """The error of a query stopped at its time limit."""
    return KgLimitError(
        f"the query took longer than {seconds:g} s, the limit ({option}); narrow it (LIMIT, "
        "more specific patterns) or allow more time",
        limit="time",
    )


def memory_error(memory: int | None, option: str = "--max-memory") -> KgLimitError:
    """The error of a query stopped at its memory limit."""
    size = format_size(memory) if memory else "the memory it may use"
    return KgLimitError(
        f"the query needed more than {size} of memory, the limit ({option}); narrow it "
        "(LIMIT, fewer variables, no ORDER BY over a large join)",
        limit="memory",
    )


# --- the limits of this process -------------------------------------------------------------


def _statm(field: int) -> int | None:
    if resource is None:  # pragma: no cover
        return None
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[field]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):  # not Linux
        return None


def resident() -> int:
    """This process's resident memory, in bytes."""
    found = _statm(1)
    if found is not None:
        return found
    if resource is None:  # pragma: no cover
        return 0
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def limit_memory(extra: int | None) -> None:
    """Let this process's address space grow by at most ``extra`` bytes from now on: an
    allocation past it fails (Python raises MemoryError, Rust code aborts the process)."""
    if extra is None or resource is None:
        return
    used = _statm(0) or 0
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = used + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):  # a platform without RLIMIT_AS
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _quiet_stderr() -> None:
    """Nothing the engine says as it dies (Rust's "memory allocation failed") reaches the
    terminal or the server's log: the parent says it, in one line."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)


def _die_with_parent() -> None:
    """Linux: this process is killed when its parent ends (a worker never outlives a server
    that was killed)."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


# --- the worker processes of a server --------------------------------------------------------


class Context:
    """What a job sees in its worker: the graph, a way to send parts of its answer as they are
    ready, and a place to keep what it worked out once (the graph's names)."""

    def __init__(self, kg: KnowledgeGraph, conn: Connection | None) -> None:
        self.kg = kg
        self.memo: dict[str, Any] = {}
        self._conn = conn

    def emit(self, payload: Any) -> None:
        """Send ``payload`` to the parent now (a header, a part of a long answer)."""
        if self._conn is not None:
            self._conn.send(("emit", payload))


def _work(
    conn: Connection, replica: Replica, memory: int | None, recycle: int | None
) -> None:  # pragma: no cover - runs in the worker process
    """A worker's life: open the graph, then run jobs until told to stop or grown too large."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops its workers itself
    try:
        kg = KnowledgeGraph(store=open_replica(replica))
    except KgError as exc:
        conn.send(("error", exc, True, time.process_time()))
        return
    kg.graph_names()  # read once, before the limit
    limit_memory(memory)
    _quiet_stderr()
    base = resident()
    context = Context(kg, conn)
    conn.send(("ready", os.getpid(), time.process_time()))
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        message: tuple[Any, ...]
        try:
            message = ("done", fn(context, *args))
        except MemoryError:
            message = ("error", memory_error(memory))
        except KgError as exc:
            message = ("error", exc)
        except Exception:
            message = ("error", ("internal", traceback.format_exc()))
        retire = recycle is not None and resident() - base > recycle
        try:
            conn.send((*message, retire, time.process_time()))
        except (OSError, EOFError):
            return
        if retire:
            return


_CONTEXTS: dict[tuple[str, ...], Any] = {}


def _context(preload: Sequence[str]) -> Any:
    """The forkserver context: workers are forked from a small clean process that has
    imported kg (and ``preload``) once, so a new worker is ready in a fraction of a second."""
    key = tuple(preload)
    if key not in _CONTEXTS:
        if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover
            _CONTEXTS[key] = multiprocessing.get_context("spawn")
        else:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["kg.workers", *preload])
            _CONTEXTS[key] = ctx
    return _CONTEXTS[key]


class Worker:
    """A worker process of a pool (the parent's handle on it).

    :param replica: how the worker opens the graph.
    :param memory: bytes of address space the worker may add after opening it.
    :param recycle: resident bytes the worker may grow by before it retires after a job
        (so that memory a large answer took goes back to the system).
    :param preload: modules the forkserver imports once (the modules of the jobs).
    """

    def __init__(
        self,
        replica: Replica,
        *,
        memory: int | None,
        recycle: int | None = None,
        preload: Sequence[str] = (),
    ) -> None:
        ctx = _context(preload)
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_work, args=(child, replica, memory, recycle), daemon=True, name="kg-worker"
        )
        self.process.start()
        child.close()
        self.memory = memory
        self.pid: int | None = self.process.pid
        #: The worker's CPU time when it last said something (its job's start, for the next).
        self.cpu_said = 0.0

    def fileno(self) -> int:
        """The connection's file descriptor, to wait on."""
        return self.conn.fileno()

    def send(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """Start a job: ``fn(context, *args)`` in the worker."""
        self.conn.send((fn, args))

    def poll(self, timeout: float | None = 0.0) -> bool:
        """Whether a message (or the end of the process) is there to read."""
        return self.conn.poll(timeout)

    def recv(self) -> tuple[Any, ...]:
        """The next message; :class:`~kg.errors.KgLimitError` (memory) or
        :class:`~kg.errors.KgError` when the process has ended instead.

        ``("ready", pid, cpu)``, ``("emit", payload)``, ``("done", value, retire, cpu)`` or
        ``("error", error, retire, cpu)``: ``retire`` when the worker has grown too large to be
        used again, ``cpu`` its CPU time then.
        """
        try:
            message: tuple[Any, ...] = self.conn.recv()
        except (EOFError, OSError):
            raise self.death() from None
        if message[0] != "emit":
            self.cpu_said = float(message[-1])
        return message

    def cpu(self) -> float:
        """The CPU time the worker has used since it last said something (the time of the job
        it runs): what makes a query long, rather than the time it waited for a core."""
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            used = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):  # not Linux: no way to tell
            return float("inf")
        return max(0.0, used - self.cpu_said)

    def death(self) -> KgError:
        """Why the process ended: out of memory (it was killed by the failed allocation, or
        aborted), or something else."""
        self.process.join(5)
        code = self.process.exitcode
        if self.memory is not None and code not in (0, None):
            return memory_error(self.memory)
        return KgError(f"the query's worker process ended unexpectedly (exit status {code})")

    def kill(self) -> None:
        """End the process at once (its memory goes back to the system)."""
        with contextlib.suppress(OSError, ValueError, AttributeError):
            if self.process.is_alive():
                self.process.kill()
            self.process.join(5)
        with contextlib.suppress(OSError):
            self.conn.close()


def unpack_error(payload: Any) -> BaseException:
    """The error a worker sent: a KgError as it was raised, anything else as an internal one
    (its traceback goes to the log, never to a client)."""
    if isinstance(payload, BaseException):
        return payload
    _kind, text = payload
    return InternalError(text)


class InternalError(Exception):
    """An error of kg itself in a worker: ``str()`` is the worker's traceback, for the log."""


# --- one function in a forked child (kg query) -----------------------------------------------


class Guard:
    """Given to the function :func:`call_isolated` runs: :meth:`start` when the timed part
    begins (after the graph is loaded), so that loading does not count."""

    def __init__(self, conn: Connection | None, limits: Limits) -> None:
        self._conn = conn
        self.limits = limits

    def start(self) -> None:
        """The clock starts now, and the memory limit holds from here."""
        if self._conn is None:
            return
        limit_memory(self.limits.memory)
        _quiet_stderr()
        self._conn.send(("started",))


def call_isolated(fn: Callable[..., T], /, *args: Any, limits: Limits) -> T:
    """``fn(guard, *args)`` in a child process that is killed at the limits.

    The child is forked before anything heavy is loaded, loads what it needs, calls
    ``guard.start()``, and sends its return value back (it must pickle). An error it raises
    is raised here. Where there is no fork (Windows), or no limit, ``fn`` runs in this process.

    A fork copies one thread only, with every lock as it was: a process that already runs other
    threads (RocksDB's flush threads, once an on-disk store was opened; a test runner's) would
    hand the child locks no one will release, and the child's first store would wait for a
    flush forever. Such a process starts the child from a clean one instead (the forkserver of
    :func:`_context`), and then ``fn`` and ``args`` must pickle.

    >>> call_isolated(getattr, "limits", limits=Limits(seconds=5)).seconds  # guard.limits
    5

    :param fn: the work; it must not write to standard output itself.
    :param limits: seconds from ``guard.start()`` on, and memory from then on.
    :raises KgLimitError: the child passed a limit and was stopped.
    """
    if not hasattr(os, "fork") or limits == Limits():
        return fn(Guard(None, limits), *args)
    parent, child = multiprocessing.Pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    if threads() > 1:
        process = _context((fn.__module__,)).Process(
            target=_child, args=(parent, child, fn, args, limits), daemon=True
        )
        process.start()
        child.close()
        try:
            return _supervise(parent, lambda: _joined(process), limits)
        finally:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                process.kill()
                process.join(5)
            parent.close()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # a test runner's threads
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        _child(parent, child, fn, args, limits)
    child.close()
    try:
        return _supervise(parent, lambda: os.waitpid(pid, 0)[1], limits)
    finally:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        parent.close()


def _joined(process: Any) -> int:
    process.join()
    return int(process.exitcode or 0)


def _child(
    parent: Connection, conn: Connection, fn: Callable[..., Any], args: Any, limits: Limits
) -> None:  # pragma: no cover - runs in the forked child
    code = 0
    try:
        parent.close()
        try:
            value = fn(Guard(conn, limits), *args)
            message: tuple[Any, ...] = ("done", value)
        except MemoryError:
            message = ("error", memory_error(limits.memory))
        except BaseException as exc:
            message = ("error", exc)
        try:
            conn.send(message)
        except Exception:  # an answer or error that does not pickle
            conn.send(("error", ("internal", traceback.format_exc())))
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _supervise(conn: Connection, reap: Callable[[], int], limits: Limits) -> Any:
    """The child's answer; ``reap`` waits for the child to end and gives its exit status."""
    started: float | None = None
    while True:
        wait = None
        if started is not None and limits.seconds is not None:
            wait = max(0.0, started + limits.seconds - time.monotonic())
        if not conn.poll(wait):
            raise time_error(limits.seconds or 0)
        try:
            message = conn.recv()
        except (EOFError, OSError):
            status = reap()
            if limits.memory is not None and started is not None:
                raise memory_error(limits.memory) from None
            raise KgError(f"the query's process ended unexpectedly (status {status})") from None
        if message[0] == "started":
            started = time.monotonic()
        elif message[0] == "done":
            return message[1]
        else:
            raise unpack_error(message[1])
