"""When a process may fork, and one job done in a forked child beside the parent's own work.

A fork copies the calling thread only, with every lock as it was: in a process that already
runs other threads (RocksDB's flush threads, once an on-disk store was opened; a test runner's)
the child may wait forever for a lock that no thread of its own will release. So a fork is
taken only while the process runs one thread; elsewhere the work is done in this process.

:func:`beside` is for work that needs the parent's memory as it is (a graph built in memory)
and writes only to files: the child reads its copy-on-write view of the graph while the parent
goes on, and the files are all the parent gets back. On a machine of two cores, ``kg build``
copies its graph to the on-disk cache while it validates and writes the file.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable

from kg.errors import KgStoreError

__all__ = ["Beside", "beside", "can_fork", "threads"]


def threads() -> int:
    """The threads this process runs, native ones included (Linux); else Python's."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        import threading

        return threading.active_count()


def can_fork() -> bool:
    """True when a forked child would hold no lock of another thread: there is ``os.fork`` and
    this process runs one thread."""
    return hasattr(os, "fork") and threads() == 1


class Beside:
    """A job started by :func:`beside`: :meth:`wait` for its end (it raises what failed), or
    :meth:`cancel` it."""

    def __init__(self, job: Callable[[], None], what: str) -> None:
        self._job: Callable[[], None] | None = job
        self._what = what
        self._pid: int | None = None
        self._read: int | None = None
        if can_fork():
            self._fork()

    def _fork(self) -> None:
        read, write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child: runs the job, says why it failed, exits
            code = 0
            try:
                os.close(read)
                self._job()  # type: ignore[misc]
            except BaseException as exc:
                code = 1
                message = f"{exc}" or traceback.format_exc()
                os.write(write, message.encode("utf-8", "replace")[:4000])
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read
        self._job = None

    def wait(self) -> None:
        """Wait for the job to end: in this process when it could not be forked.

        :raises KgStoreError: the child failed (its message), or was killed.
        """
        if self._job is not None:
            job, self._job = self._job, None
            job()
            return
        if self._pid is None:
            return
        message = self._drain()
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            raise KgStoreError(f"{self._what}: the process was killed (signal {number})")
        if os.waitstatus_to_exitcode(status) != 0:
            raise KgStoreError(f"{self._what}: {message or 'failed'}")

    def cancel(self) -> None:
        """Stop the job (it was not wanted after all); nothing it wrote is cleaned up here."""
        self._job = None
        if self._pid is not None:
            import signal

            try:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self._pid = None
        self._drain()

    def _drain(self) -> str:
        if self._read is None:
            return ""
        parts = []
        while chunk := os.read(self._read, 4096):
            parts.append(chunk)
        os.close(self._read)
        self._read = None
        return b"".join(parts).decode("utf-8", "replace").strip()


def beside(job: Callable[[], None], what: str) -> Beside:
    """Start ``job`` in a forked child, beside what this process does next; where the process
    may not fork (:func:`can_fork`), the job runs when :meth:`Beside.wait` is called.

    :param job: the work; it must write only to files (its return value is lost).
    :param what: what the job does, for the messages of its failure.
    """
    return Beside(job, what)
