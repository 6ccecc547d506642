"""kg.workers.call_isolated: the child that runs kg query's work, in a process that already runs
other threads (a test runner, a library user's program) as in one that does not."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from kg.errors import KgLimitError
from kg.stores.oxigraph import OxigraphStore
from kg.workers import Guard, Limits, call_isolated


def _open_a_store(guard: Guard, folder: str) -> int:
    """Opens an on-disk store (RocksDB flushes it as it opens), then says it has started."""
    store = OxigraphStore(folder)
    guard.start()
    return len(store.graph_names())


def _sleep_past(guard: Guard, seconds: float) -> None:
    import time

    guard.start()
    time.sleep(seconds)


def _in_a_thread(fn: Any, *args: Any, limits: Limits, wait: float = 120) -> Any:
    """call_isolated, failing the test (rather than hanging it) if it does not come back."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = call_isolated(fn, *args, limits=limits)
        except BaseException as exc:  # handed to the test
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(wait)
    assert not thread.is_alive(), "call_isolated did not come back"
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_a_child_opens_a_store_after_this_process_opened_one(tmp_path: Path) -> None:
    """RocksDB's flush threads run here once a store is open; a forked child would wait for
    them forever as it opens its own store (kg query hung the test suite this way)."""
    mine = OxigraphStore(str(tmp_path / "mine"))
    try:
        assert _in_a_thread(_open_a_store, str(tmp_path / "child"), limits=Limits(seconds=60)) == 0
    finally:
        mine.close()


def test_the_time_limit_stops_the_child_in_a_process_with_threads(tmp_path: Path) -> None:
    mine = OxigraphStore(str(tmp_path / "mine"))
    try:
        with pytest.raises(KgLimitError):
            _in_a_thread(_sleep_past, 30.0, limits=Limits(seconds=0.5))
    finally:
        mine.close()


def test_an_error_of_the_child_is_raised_here() -> None:
    with pytest.raises(TypeError):  # divmod(guard, 0)
        _in_a_thread(divmod, 0, limits=Limits(seconds=30))


def _take(guard: Guard, size: int) -> int:
    guard.start()
    return len(bytearray(size))


def test_the_memory_limit_stops_the_child_in_a_process_with_threads(tmp_path: Path) -> None:
    mine = OxigraphStore(str(tmp_path / "mine"))
    try:
        with pytest.raises(KgLimitError, match="memory"):
            _in_a_thread(_take, 1 << 31, limits=Limits(seconds=60, memory=100 << 20))
        assert _in_a_thread(_take, 1 << 20, limits=Limits(seconds=60, memory=100 << 20)) == 1 << 20
    finally:
        mine.close()
