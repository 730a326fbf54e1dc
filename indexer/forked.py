"""Processes forked to help a run (ingest workers, merges, shard tasks) die with it."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_run(run: int) -> None:
    """In a process forked by the run: ask the kernel to kill it as soon as the run's
    process dies (Linux), so a killed run leaves no helper behind, busy or printing a
    failure to send what the run will never read. (The kernel watches the thread that
    forked: the run's, which waits for its helpers.) Elsewhere the helpers' own checks of
    os.getppid() stand."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # no prctl in this libc
            pass
    if os.getppid() != run:  # the run died before the request took
        os._exit(0)
