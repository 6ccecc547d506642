"""``ServeConfig``: what ``kg serve`` is allowed to do, safe by default."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KgUsageError


@dataclass(frozen=True)
class ServeConfig:
    """The server's address and limits; the defaults are the safe ones.

    It listens on the loopback interface only, answers reads only, sends no CORS headers, and
    stops any query after ``timeout`` seconds or ``max_rows`` rows, so that a server started
    with no options cannot be used from another machine or be kept busy by one client.

    >>> ServeConfig().host, ServeConfig().timeout
    ('127.0.0.1', 10.0)

    :param host: the interface to listen on (``0.0.0.0`` exposes the server to the network).
    :param port: the TCP port.
    :param timeout: seconds a query may take before the answer is HTTP 503.
    :param max_rows: rows (or triples) of an answer past which it is cut, with the header
        ``Kg-Truncated: true``.
    :param cors: the one origin allowed to call the server from a browser page, or None.
    :param allow_update: accept SPARQL Update from clients that send ``token``.
    :param token: the bearer token update requests must carry.
    :param max_body: the largest request body accepted, in bytes (HTTP 413 past it).
    :param workers: worker processes that run queries at once (by default one per core, at
        least two); more requests wait their turn (see :mod:`kg.serve.pool`).
    :param root: the project folder whose ``queries/`` is the catalog (this checkout's when
        None).
    :param max_memory: bytes of address space each query's worker may take beyond the open
        graph; past it the query is stopped (HTTP 507).
    :param queue: requests that may wait for a worker; past it, HTTP 429 at once.
    :param per_client: requests one client (address) may have running or waiting.
    :param slow_queries: queries that may run longer than ``slow_after`` seconds at once;
        another one is stopped there (503), so that cheap requests always find a worker.
    :param slow_after: seconds after which a query counts as long.
    :param access_log: log a line per request (errors are logged whatever it says).
    :raises KgUsageError: a limit that is not positive, or ``allow_update`` without a token.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 10.0
    max_rows: int = 10_000
    cors: str | None = None
    allow_update: bool = False
    token: str | None = None
    max_body: int = 1 << 20
    workers: int = field(default_factory=lambda: max(2, os.cpu_count() or 1))
    root: Path | None = None
    max_memory: int = 2 << 30
    queue: int = 64
    per_client: int = 16
    slow_queries: int = 4
    slow_after: float = 1.0
    access_log: bool = False

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise KgUsageError(f"--timeout must be more than 0 seconds, not {self.timeout:g}")
        if self.max_rows < 1:
            raise KgUsageError(f"--max-rows must be 1 or more, not {self.max_rows}")
        if self.max_body < 1 or self.workers < 1:
            raise KgUsageError("the body limit and the number of workers must be positive")
        if min(self.queue, self.per_client, self.slow_queries) < 1 or self.slow_after <= 0:
            raise KgUsageError("the queue, the share of a client and long queries must be positive")
        if self.max_memory < 1 << 20:
            raise KgUsageError(f"--max-memory must be at least 1 MiB, not {self.max_memory} bytes")
        if self.allow_update and not self.token:
            raise KgUsageError(
                "--allow-update needs --token SECRET: clients send it as "
                "'Authorization: Bearer SECRET', so that not everyone can change the graph"
            )
        if self.token is not None and not self.allow_update:
            raise KgUsageError("--token goes with --allow-update: the server is read-only")
