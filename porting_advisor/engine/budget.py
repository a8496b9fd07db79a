# SPDX-License-Identifier: Apache-2.0
"""Per-file budgets: a file whose scan runs too long, or a worker that grows too large,
becomes a skipped file with a remark, never a stuck or killed CI runner (issue 21)."""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType

# ITIMER_REAL and RLIMIT_AS are POSIX: elsewhere the budgets are not enforced.
CAN_TIME = hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM")


class Overrun(Exception):
    """The file's scan ran past its time budget."""


ARMED = [False]  # a late alarm (after the file was done) must not raise elsewhere


def expire(signum: int, frame: FrameType | None) -> None:
    if ARMED[0]:
        ARMED[0] = False
        raise Overrun


def install() -> bool:
    """Prepare this process for timed scans (once per process, from its main thread)."""
    if not CAN_TIME or threading.current_thread() is not threading.main_thread():
        return False
    signal.signal(signal.SIGALRM, expire)
    return True


def start(seconds: float) -> None:
    """Arm the timer for one file (0: no budget). Python code is interrupted where it is;
    a long call into C (a regex, a parser) when it returns."""
    if seconds > 0:
        ARMED[0] = True
        signal.setitimer(signal.ITIMER_REAL, seconds)


def stop(seconds: float) -> None:
    if seconds > 0:
        ARMED[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)


def limit_memory(budget: int) -> None:
    """Cap a worker's address space at its present size plus `budget` bytes: an allocation
    past it raises MemoryError in the file being scanned. Workers only: native code that
    cannot allocate may abort the process, which the pool survives and the parent would not."""
    if budget <= 0:
        return
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as fh:
            size = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = size + budget
        if hard == resource.RLIM_INFINITY or soft < hard:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    except (ImportError, OSError, ValueError):
        pass  # not Linux, or not allowed: no memory budget
