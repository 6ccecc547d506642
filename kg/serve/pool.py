"""Where the server's queries run: worker processes, and who gets one when.

**Workers.** Every query (SPARQL, a catalog query, a resource page, the network page) runs in a
worker process (:class:`kg.workers.Worker`) that opened the graph read-only. A query past its
time limit is killed with its process: the client gets 503, the memory goes back to the system,
and a fresh worker takes the place (forked from a process that has kg imported, it is ready in
a fraction of a second). A worker whose address space passes ``--max-memory`` ends at the
failed allocation; its client gets 507. Workers run on every core; the event loop only moves
bytes.

**Admission.** ``workers`` queries run at once. Others wait in a queue of at most ``queue``
requests; a client may have at most ``per_client`` requests running or waiting. Past either
bound the answer is 429 at once, with ``Retry-After``. A free turn goes to the waiting client
whose recent queries were cheapest (the moving average of its queries' times; a second of
waiting counts as a tenth of a second less), so a client whose queries run long, or a crowd of
them, waits behind everyone who asks for little, and nobody waits for ever. Time spent waiting
does not count against the query's own limit; a request that waits longer than the time
limit gets 503 (the server is overloaded).

**Long queries.** A query still running after ``slow_after`` seconds gives its turn back: it
goes on in a slot of its own (at most ``slow_slots`` at once, at most half of them for one
client), at a lower CPU priority (niceness 10, from a quarter of ``slow_after`` of CPU time
on), and another worker serves the queue. Long is what burns CPU: a query that only waited
for a core on a busy machine keeps its turn (up to four times ``slow_after``). When
those slots are full, the query is stopped there with 503: a crowd of runaway queries can
never hold every worker, and a cheap request always finds one within ``slow_after`` seconds.
A client whose recent queries ran past ``slow_after`` on average takes no turn at all: its
next query waits for a slot for long queries and runs there from the start.

**Answers.** A worker sends an answer in parts of 64 KiB; a short one is sent whole (and may be
cached), a long one is streamed to the client part by part, so the server never holds a long
answer whole.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections import Counter, OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import KgLimitError
from kg.serve.errors import ServeError
from kg.stores import Replica
from kg.workers import InternalError, Worker, unpack_error

log = logging.getLogger("kg.serve")

#: Bytes of an answer sent whole; past it the answer is streamed.
WHOLE = 256 << 10
#: The cost, in seconds, a client is taken to have before its first query is done.
UNKNOWN = 0.05
#: How much a second of waiting lowers a waiting client's cost.
AGING = 0.1
#: The niceness of a worker whose query runs long (the kernel then gives it about a tenth of
#: the time of a worker at the default, whenever both want a core).
LONG_NICENESS = 10
#: The modules of the jobs, imported once by the process workers are forked from.
JOB_MODULES = ("kg.serve.protocol", "kg.serve.catalog", "kg.serve.resources", "kg.serve.app")


@dataclass
class Reply:
    """A worker's answer: status, type, headers, the first bytes and, for a long answer, the
    rest as it comes."""

    status: int
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    rest: AsyncIterator[bytes] | None = None


def busy(message: str) -> ServeError:
    """429: the server will not take this request now; try again in a second."""
    return ServeError(429, message, headers={"Retry-After": "1"})


class _Job:
    """One request's use of a worker."""

    def __init__(self, client: str, worker: Worker, timeout: float) -> None:
        self.client = client
        self.worker: Worker | None = worker
        self.started = time.monotonic()
        self.deadline = self.started + timeout
        self.slow = False
        self.turn = True  # holds one of the regular turns
        self.retire = False  # the worker grew too large, or was lowered: not to be used again
        self.check = self.started + 0.25  # when to see whether it runs long


class Pool:
    """The worker processes of one server and their queue.

    :param replica: makes the :class:`~kg.stores.base.Replica` workers open (called once, in
        a thread, on first use, and again after :meth:`reset`), given a folder it may write.
    :param workers: queries that run at once.
    :param slow_slots: queries past ``slow_after`` that may go on at once.
    :param timeout: each query's time limit, in seconds (waiting not counted).
    :param memory: bytes of address space a worker may add to what the open graph takes.
    :param queue: requests that may wait for a turn.
    :param per_client: requests one client may have running or waiting.
    :param slow_after: seconds after which a query is long.
    """

    def __init__(
        self,
        replica: Callable[[Path], Replica],
        *,
        workers: int,
        slow_slots: int,
        timeout: float,
        memory: int | None,
        queue: int,
        per_client: int,
        slow_after: float = 1.0,
    ) -> None:
        self._make_replica = replica
        self.workers = workers
        self.slow_slots = slow_slots
        self.timeout = timeout
        self.memory = memory
        self.queue = queue
        self.per_client = per_client
        self.slow_after = min(slow_after, timeout)
        self.recycle = 256 << 20
        self._replica: Replica | None = None
        self._folder: Path | None = None
        self._folders: list[Path] = []
        self._idle: list[Worker] = []
        self._all: set[Worker] = set()
        self._starting = 0
        self._generation = 0
        self._born: dict[int, int] = {}
        self._idle_waiters: deque[asyncio.Future[None]] = deque()
        self._turns = 0
        self._waiting: dict[str, deque[tuple[asyncio.Future[None], float]]] = {}
        self._cost: OrderedDict[str, float] = OrderedDict()
        self._long_waiting: deque[tuple[asyncio.Future[None], str]] = deque()
        self._held: Counter[str] = Counter()
        self._slow: Counter[str] = Counter()
        self._closed = False
        self._replica_lock = threading.Lock()
        self._finalizer = weakref.finalize(self, _stop_all, self._all, self._folders)
        atexit.register(self._finalizer)

    # --- starting and stopping workers ---------------------------------------------------

    def prepare(self) -> None:
        """Make the replica and start the workers now, blocking (``kg serve`` at start-up)."""
        self._ensure_replica()
        for _ in range(self.workers + 1):
            worker = self._spawn()
            message = worker.recv()
            if message[0] != "ready":
                raise unpack_error(message[1])
            self._adopt(worker)

    def _ensure_replica(self) -> Replica:
        with self._replica_lock:  # in threads of whichever event loop asks first
            if self._replica is None:
                folder = Path(tempfile.mkdtemp(prefix="kg-serve-"))
                self._folders.append(folder)
                self._replica = self._make_replica(folder)
            return self._replica

    def _spawn(self) -> Worker:
        generation = self._generation
        worker = Worker(
            self._ensure_replica(), memory=self.memory, recycle=self.recycle, preload=JOB_MODULES
        )
        self._all.add(worker)
        self._born[id(worker)] = generation
        return worker

    def _adopt(self, worker: Worker) -> None:
        """A worker that is ready: to whoever waits for one, else idle."""
        if self._closed or self._born.get(id(worker)) != self._generation:
            self._discard(worker)
            return
        self._idle.append(worker)
        while self._idle_waiters:
            waiter = self._idle_waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                break

    def _discard(self, worker: Worker) -> None:
        worker.kill()
        self._all.discard(worker)
        self._born.pop(id(worker), None)

    def _top_up(self) -> None:
        """Start workers so that every free turn finds one ready, and one more."""
        busy_turns = self._turns
        wanted = (self.workers - busy_turns) + 1
        limit = self.workers + self.slow_slots + 1
        while (
            not self._closed
            and len(self._idle) + self._starting < wanted
            and len(self._all) < limit
        ):
            self._starting += 1
            asyncio.get_running_loop().create_task(self._start_one())

    async def _start_one(self) -> None:
        loop = asyncio.get_running_loop()
        worker: Worker | None = None
        try:
            worker = await loop.run_in_executor(None, self._spawn)
            await _readable(worker, None)
            message = worker.recv()
            if message[0] != "ready":
                raise unpack_error(message[1])
        except BaseException as exc:
            if worker is not None:
                self._discard(worker)
            log.error("a query worker could not start: %r", exc)
            self._starting -= 1
            for waiter in self._idle_waiters:  # nobody waits forever for a worker
                if not waiter.done():
                    waiter.set_exception(ServeError(503, f"no query worker could start: {exc}"))
            self._idle_waiters.clear()
            return
        self._starting -= 1
        self._adopt(worker)

    async def _worker(self) -> Worker:
        while not self._idle:
            self._top_up()
            waiter = asyncio.get_running_loop().create_future()
            self._idle_waiters.append(waiter)
            await waiter
        worker = self._idle.pop()
        self._top_up()
        return worker

    def reset(self) -> None:
        """The graph changed (an update): workers of the old graph are let go, and the next
        ones open a new replica."""
        self._generation += 1
        self._replica = None
        for worker in self._idle:
            self._discard(worker)
        self._idle.clear()

    def close(self) -> None:
        """Stop every worker and remove the copies of the graph."""
        self._closed = True
        self._finalizer()

    # --- turns ------------------------------------------------------------------------------

    async def _enter(self, client: str) -> None:
        """A turn for ``client``: at once when one is free and nobody waits, else in the queue.

        :raises ServeError: 429 when the queue or the client's share is full; 503 after
            waiting as long as a query may run.
        """
        if self._held[client] >= self.per_client:
            raise busy(
                f"too many requests from one client at once (at most {self.per_client} "
                "running or waiting); wait for an answer before sending more"
            )
        if self._turns < self.workers and not self._waiting:
            self._turns += 1
            self._held[client] += 1
            return
        if self._queued() >= self.queue:
            raise busy(f"the server is busy ({self.queue} requests waiting); try again shortly")
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(client, deque()).append((waiter, time.monotonic()))
        self._held[client] += 1
        try:
            await asyncio.wait_for(asyncio.shield(waiter), self.timeout)
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():
                self._give_turn()  # the turn came as we gave up: pass it on
            else:
                waiter.cancel()
                self._forget(client, waiter)
            self._leave(client)
            if isinstance(exc, TimeoutError):
                raise ServeError(
                    503,
                    f"the server is overloaded: no turn within {self.timeout:g} s; try again later",
                    headers={"Retry-After": "5"},
                ) from None
            raise

    def _forget(self, client: str, waiter: asyncio.Future[None]) -> None:
        queue = self._waiting.get(client)
        if queue is not None:
            for entry in list(queue):
                if entry[0] is waiter:
                    queue.remove(entry)
            if not queue:
                del self._waiting[client]

    def _give_turn(self) -> None:
        """A turn is free: to the waiting client whose queries have been cheapest lately (a
        client unknown so far counts as :data:`UNKNOWN` seconds), its cost lowered by
        :data:`AGING` for each second it has waited; else back to the pool."""
        while self._waiting:
            now = time.monotonic()
            client = min(
                self._waiting,
                key=lambda c: self._cost.get(c, UNKNOWN) - AGING * (now - self._waiting[c][0][1]),
            )
            queue = self._waiting[client]
            waiter, _ = queue.popleft()
            if not queue:
                del self._waiting[client]
            if not waiter.done():
                waiter.set_result(None)  # the turn passes to it: _turns is unchanged
                return
        self._turns -= 1

    def _spent(self, client: str, seconds: float) -> None:
        """Remember what a client's query took (a moving average), for :meth:`_give_turn`."""
        before = self._cost.pop(client, None)
        self._cost[client] = seconds if before is None else (before + seconds) / 2
        while len(self._cost) > 10_000:
            self._cost.popitem(last=False)

    def _leave(self, client: str) -> None:
        self._held[client] -= 1
        if self._held[client] <= 0:
            del self._held[client]

    # --- running a job --------------------------------------------------------------------

    async def run(self, fn: Callable[..., Any], args: tuple[Any, ...], *, client: str) -> Reply:
        """Run ``fn(context, *args)`` in a worker: its answer, or its error.

        The job returns ``(status, media_type, headers, body)`` for a short answer, or emits
        ``("head", status, media_type, headers)`` then ``("part", bytes)`` and returns None.

        :raises ServeError: 429 (no room), 503 (time, overload), 507 (memory), or the job's
            own error.
        """
        long = self._cost.get(client, 0.0) >= self.slow_after
        if long:  # its queries run long: it waits for a slot for long queries, not a turn
            await self._enter_long(client)
        else:
            await self._enter(client)
        try:
            worker = await self._worker()
        except BaseException:
            if long:
                self._free_slow(client)
            else:
                self._give_turn()
            self._leave(client)
            raise
        job = _Job(client, worker, self.timeout)
        job.check = job.started + self.slow_after / 4
        if long:
            job.turn = False
            job.slow = True
            self._lower(job)
        try:
            worker.send(fn, args)
            head: tuple[Any, ...] | None = None
            parts: list[bytes] = []
            size = 0
            while True:
                kind, payload = await self._message(job)
                if kind == "done":
                    self._end(job, keep=True)
                    if payload is not None:  # a short answer, whole
                        return Reply(payload[0], payload[1], dict(payload[2]), payload[3])
                    if head is None:
                        raise ServeError(500, "internal error; the server's log has the details")
                    return Reply(head[1], head[2], dict(head[3]), b"".join(parts))
                if payload[0] == "head":
                    head = payload
                else:
                    parts.append(payload[1])
                    size += len(payload[1])
                    if size > WHOLE and head is not None:
                        return Reply(
                            head[1], head[2], dict(head[3]), b"".join(parts), self._rest(job)
                        )
        except BaseException:
            if job.worker is not None:
                self._end(job, keep=False)
            raise

    async def _rest(self, job: _Job) -> AsyncIterator[bytes]:
        """The parts of a long answer as they come; the worker is let go at the end."""
        try:
            while True:
                kind, payload = await self._message(job)
                if kind == "done":
                    self._end(job, keep=True)
                    return
                if payload[0] == "part":
                    yield payload[1]
        finally:
            if job.worker is not None:  # the client went away, or the time was up
                self._end(job, keep=False)

    async def _message(self, job: _Job) -> tuple[str, Any]:
        """The job's next message, within its time; a long job gives its turn back."""
        worker = job.worker
        while True:
            now = time.monotonic()
            until = job.deadline if job.slow else min(job.deadline, job.check)
            if worker.poll(0) or await _readable(worker, until - now):
                try:
                    message = worker.recv()
                except KgLimitError as exc:
                    job.worker = None
                    self._lost(job, worker)
                    text = str(exc).replace("(--max-memory)", "(kg serve --max-memory)")
                    raise ServeError(507, text) from None
                except Exception as exc:
                    job.worker = None
                    self._lost(job, worker)
                    log.error("a query worker ended: %s", exc)
                    raise ServeError(
                        500, "internal error; the server's log has the details"
                    ) from None
                if message[0] == "emit":
                    return "emit", message[1]
                job.retire = job.retire or bool(message[2])
                if message[0] == "done":
                    return "done", message[1]
                self._end(job, keep=True)
                error = unpack_error(message[1])
                if isinstance(error, InternalError):
                    log.error("a query failed in its worker:\n%s", error)
                    raise ServeError(500, "internal error; the server's log has the details")
                raise error
            if time.monotonic() >= job.deadline:
                raise ServeError(
                    503,
                    f"the query took longer than {self.timeout:g} s, the server's limit "
                    "(kg serve --timeout); narrow it (LIMIT, more specific patterns) or ask "
                    "for a higher limit",
                    headers={"Retry-After": "1"},
                )
            if not job.slow:
                self._check(job)

    def _go_slow(self, job: _Job) -> None:
        """The job is long: it gives its turn back and goes on in a slot for long queries, or
        is stopped when there is none.

        :raises ServeError: 503, the slots for long queries are taken.
        """
        share = max(1, self.slow_slots // 2)
        if sum(self._slow.values()) >= self.slow_slots or self._slow[job.client] >= share:
            raise ServeError(
                503,
                f"the query ran longer than {self.slow_after:g} s while the server already runs "
                "as many long queries as it allows; try again later, or narrow it",
                headers={"Retry-After": "5"},
            )
        job.slow = True
        self._lower(job)
        self._slow[job.client] += 1
        job.turn = False
        self._give_turn()
        self._top_up()

    def _check(self, job: _Job) -> None:
        """A regular job still running at its check: lowered once it has used a quarter of
        ``slow_after`` of CPU; long (:meth:`_go_slow`) once lowered and ``slow_after`` old, or
        four times that old whatever its CPU (a query waiting for a core is not long, one that
        burns it is)."""
        assert job.worker is not None
        age = time.monotonic() - job.started
        if not job.retire and job.worker.cpu() >= self.slow_after / 4:
            self._lower(job)
        if (job.retire and age >= self.slow_after) or age >= 4 * self.slow_after:
            self._go_slow(job)
        job.check = time.monotonic() + self.slow_after / 4

    def _lower(self, job: _Job) -> None:
        """The job runs on at a lower priority: the cores go to the short queries first (and
        its process is not used again: its priority cannot be raised back)."""
        if job.worker is not None and job.worker.pid is not None:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, job.worker.pid, LONG_NICENESS)
            job.retire = True

    def _slow_room(self, client: str) -> bool:
        share = max(1, self.slow_slots // 2)
        return sum(self._slow.values()) < self.slow_slots and self._slow[client] < share

    async def _enter_long(self, client: str) -> None:
        """A slot for long queries, for a client whose queries run long: at once when one is
        free, else in the queue, behind the other such requests.

        :raises ServeError: 429 when the queue or the client's share is full; 503 after
            waiting as long as a query may run.
        """
        if self._held[client] >= self.per_client:
            raise busy(
                f"too many requests from one client at once (at most {self.per_client} "
                "running or waiting); wait for an answer before sending more"
            )
        if not self._long_waiting and self._slow_room(client):
            self._slow[client] += 1
            self._held[client] += 1
            return
        if self._queued() >= self.queue:
            raise busy(f"the server is busy ({self.queue} requests waiting); try again shortly")
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._long_waiting.append((waiter, client))
        self._held[client] += 1
        try:
            await asyncio.wait_for(asyncio.shield(waiter), self.timeout)
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():
                self._free_slow(client)  # the slot came as we gave up: pass it on
            else:
                waiter.cancel()
                with contextlib.suppress(ValueError):
                    self._long_waiting.remove((waiter, client))
            self._leave(client)
            if isinstance(exc, TimeoutError):
                raise ServeError(
                    503,
                    f"the server already runs as many long queries as it allows, and yours "
                    f"(this client's queries run long) found no slot within {self.timeout:g} s;"
                    " try again later",
                    headers={"Retry-After": "10"},
                ) from None
            raise

    def _free_slow(self, client: str) -> None:
        """A slot for long queries is free: to the first waiting request whose client has
        room."""
        self._slow[client] -= 1
        if self._slow[client] <= 0:
            del self._slow[client]
        for entry in list(self._long_waiting):
            waiter, waiting = entry
            if waiter.done():
                self._long_waiting.remove(entry)
            elif self._slow_room(waiting):
                self._long_waiting.remove(entry)
                self._slow[waiting] += 1
                waiter.set_result(None)
                return

    def _queued(self) -> int:
        return sum(len(q) for q in self._waiting.values()) + len(self._long_waiting)

    def _lost(self, job: _Job, worker: Worker) -> None:
        self._discard(worker)
        self._release(job)
        if not self._closed:
            with contextlib.suppress(RuntimeError):
                self._top_up()

    def _end(self, job: _Job, *, keep: bool) -> None:
        """The job is over: its worker back to the idle ones (or killed), its turn passed on."""
        worker = job.worker
        if worker is None:
            return
        job.worker = None
        if keep and not job.retire:
            self._adopt(worker)
        else:
            self._discard(worker)
        self._release(job)
        if not self._closed:
            with contextlib.suppress(RuntimeError):
                self._top_up()

    def _release(self, job: _Job) -> None:
        self._spent(job.client, time.monotonic() - job.started)
        if job.slow:
            self._free_slow(job.client)
        if job.turn:
            job.turn = False
            self._give_turn()
        self._leave(job.client)

    def status(self) -> dict[str, int]:
        """Counts for the log and tests: turns in use, waiting, long queries, workers."""
        return {
            "running": self._turns,
            "waiting": self._queued(),
            "long": sum(self._slow.values()),
            "workers": len(self._all),
            "idle": len(self._idle),
        }


async def _readable(worker: Worker, timeout: float | None) -> bool:
    """Wait until the worker has something to read (or has ended); False at the timeout."""
    if worker.poll(0):
        return True
    if timeout is not None and timeout <= 0:
        return False
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[bool] = loop.create_future()
    fd = worker.fileno()

    def wake(value: bool) -> None:
        if not ready.done():
            ready.set_result(value)

    loop.add_reader(fd, wake, True)
    timer = loop.call_later(timeout, wake, False) if timeout is not None else None
    try:
        return await ready
    finally:
        loop.remove_reader(fd)
        # uvloop leaves the descriptor non-blocking; the message is read whole, blocking
        os.set_blocking(fd, True)
        if timer is not None:
            timer.cancel()


def _stop_all(workers: set[Worker], folders: list[Path]) -> None:
    for worker in list(workers):
        worker.kill()
    workers.clear()
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
