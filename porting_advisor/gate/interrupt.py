# SPDX-License-Identifier: Apache-2.0
"""SIGTERM (a CI job's timeout or cancel, `docker stop`) handled as Ctrl-C is: the scan
unwinds, workers stop quietly, the cache keeps what it had, and the exit status is 143."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

RECEIVED: list[int] = []  # the signals that ended this run


def on_term(signum: int, frame: FrameType | None) -> None:
    RECEIVED.append(signum)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second TERM must not cut the clean-up
    raise KeyboardInterrupt


@contextmanager
def term_as_interrupt() -> Iterator[None]:
    """While the command runs, SIGTERM raises KeyboardInterrupt (handlers can only be set
    from the main thread: elsewhere nothing changes)."""
    RECEIVED.clear()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def status() -> int:
    """The exit status of an interrupted run: 128 + the signal's number, as shells report."""
    return 128 + (RECEIVED[0] if RECEIVED else signal.SIGINT)
