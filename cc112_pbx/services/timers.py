"""Timers for the domain: the core asks for them as commands, expiry comes back as an event.

The core never sleeps; it returns "start timer K at T" and later receives "timer K fired".
This keeps one `loop.call_at` handle per key; starting a key again replaces it, and
`close()` cancels everything (no task is created, so nothing can outlive shutdown).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable


class TimerService:
    def __init__(self, fire: Callable[[Hashable], None], clock: Callable[[], float]) -> None:
        self._fire = fire
        self._clock = clock
        self._handles: dict[Hashable, asyncio.TimerHandle] = {}

    def start(self, key: Hashable, at: float) -> None:
        """Fire `key` when `clock()` reaches `at` (monotonic seconds, the domain's clock)."""
        self.cancel(key)
        loop = asyncio.get_running_loop()
        delay = max(0.0, at - self._clock())
        self._handles[key] = loop.call_later(delay, self._expire, key)

    def cancel(self, key: Hashable) -> None:
        handle = self._handles.pop(key, None)
        if handle is not None:
            handle.cancel()

    def pending(self) -> int:
        return len(self._handles)

    def close(self) -> None:
        for handle in self._handles.values():
            handle.cancel()
        self._handles.clear()

    def _expire(self, key: Hashable) -> None:
        if self._handles.pop(key, None) is not None:
            self._fire(key)
