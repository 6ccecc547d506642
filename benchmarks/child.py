"""One command run as a benchmark's child: its wall time, its CPU time and its own peak memory.

``resource.getrusage(RUSAGE_CHILDREN)`` gives the largest peak of *every* child waited for so
far, so a second command measured after a larger first one reports the first one's peak. The
resource use that ``os.wait4`` returns is the command's own, with the processes it waited for
itself (``kg build``'s forked copy to the cache) in its CPU time and peak.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple


class Measured(NamedTuple):
    """What one command took and said."""

    wall: float  #: seconds
    cpu: float  #: seconds, user + system, its waited-for children included
    peak_mib: int  #: its largest resident set, or its children's, in MiB
    returncode: int
    stdout: str
    stderr: str


def measured(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
) -> Measured:
    """Run ``command`` to its end and measure it (Unix: ``os.wait4``)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(list(command), env=env, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        return Measured(
            wall,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss // 1024,
            process.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )
