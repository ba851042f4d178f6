"""Stop a long-running command cleanly on SIGINT or SIGTERM (Ctrl-C, systemd, docker stop).

The first signal asks for a clean stop (the event is set; the command drains within its
deadline). A second one, while that stop is still running, ends the process at once with
`EXIT_FORCED` (130, as a shell reports Ctrl-C) after one log line: nothing else is flushed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Iterator

import structlog

EXIT_FORCED = 130

log = structlog.get_logger("cc112.signals")


@contextlib.contextmanager
def stop_on_signals(*, force_exit_code: int | None = EXIT_FORCED) -> Iterator[asyncio.Event]:
    """An event set by the first SIGINT/SIGTERM while the block runs; a second one exits the process
    immediately with `force_exit_code` (None: ignore it). The handlers are removed after the block."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal(sig: signal.Signals) -> None:
        if not stop.is_set():
            log.info("stop_requested", signal=sig.name, hint="a second signal exits at once")
            stop.set()
        elif force_exit_code is not None:
            force_exit(sig, force_exit_code)

    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on every platform's loop
            loop.add_signal_handler(sig, on_signal, sig)
            installed.append(sig)
    try:
        yield stop
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def force_exit(sig: signal.Signals, code: int) -> None:
    """Log one line and end the process now: no clean-up, no waiting (`os._exit`)."""
    log.error("forced_exit", signal=sig.name, exit_code=code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
