"""Jobs for the worker processes of tests/test_serve_limits.py: a module of their own, so that
a fresh worker imports little before it runs one."""

from __future__ import annotations

import time
from typing import Any


def nap(context: Any, seconds: float) -> tuple[int, str, dict[str, str], bytes]:
    """A job that takes ``seconds`` (in a worker)."""
    time.sleep(seconds)
    return 200, "text/plain", {}, f"slept {seconds}".encode()
