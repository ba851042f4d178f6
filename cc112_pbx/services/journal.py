"""Write-behind journal: what the controller learns is written to the database later, in order.

Principle: a database failure never delays or refuses a call. The call service appends
write operations here and carries on; one worker task applies them in order and, when the
database fails, keeps the operation, logs once, and retries with backoff until it succeeds
or the journal is closed. A write the database *refuses* (`is_permanent`, e.g. an integrity
error: a bug, not an outage) is abandoned after a few tries and logged with its details, so
one bad write cannot hold back every later one. On close, what could not be written is logged as JSON so an
operator can replay it (nothing is dropped silently).
"""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog

log = structlog.get_logger("cc112.journal")

Write = Callable[[], Awaitable[Any]]


@dataclass(slots=True)
class _Entry:
    name: str
    write: Write
    details: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0


class Journal:
    def __init__(
        self,
        *,
        min_backoff: float = 0.05,
        max_backoff: float = 5.0,
        drain_timeout: float = 10.0,
        is_permanent: Callable[[BaseException], bool] = lambda exc: False,
        permanent_attempts: int = 3,
    ) -> None:
        self._entries: deque[_Entry] = deque()
        self._wakeup = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._min_backoff = min_backoff
        self._max_backoff = max_backoff
        self._drain_timeout = drain_timeout
        self._is_permanent = is_permanent
        self._permanent_attempts = permanent_attempts
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.failures = 0
        self.written = 0
        self.abandoned = 0

    def submit(self, name: str, write: Write, **details: Any) -> None:
        """Queue a write; never blocks, never raises."""
        self._entries.append(_Entry(name, write, details))
        self._idle.clear()
        self._wakeup.set()

    @property
    def backlog(self) -> int:
        return len(self._entries)

    @property
    def retrying(self) -> bool:
        """The oldest write failed and waits to be tried again (the database is down or refusing)."""
        return bool(self._entries) and self._entries[0].attempts > 0

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The worker while started (for a supervisor to watch: it only ends by `close()` or a bug)."""
        return self._task

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="cc112-journal")

    async def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued write is applied; False if the timeout ran out first."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def close(self, timeout: float | None = None) -> None:
        """Drain what can be written within `timeout` (default: the drain timeout), then stop the worker."""
        if self._task is None:
            return
        if not self._task.done():  # a worker that died cannot drain
            await self.flush(self._drain_timeout if timeout is None else timeout)
        self._closing = True
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # a bug; reported as an error by whoever watched `task`
            log.warning("journal_worker_had_failed", error=repr(exc))
        self._task = None
        for entry in self._entries:
            log.error("journal_unwritten", write=entry.name, attempts=entry.attempts, **entry.details)
        self._entries.clear()

    async def _run(self) -> None:
        while True:
            if self._closing:  # a cancellation the driver turned into an error (asyncpg mid-query) still stops it
                return
            if not self._entries:
                self._idle.set()
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            entry = self._entries[0]
            try:
                await entry.write()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                entry.attempts += 1
                self.failures += 1
                if self._is_permanent(exc) and entry.attempts >= self._permanent_attempts:
                    # a write the database refuses (not one it cannot take now): retrying cannot help
                    self._entries.popleft()
                    self.abandoned += 1
                    log.error("journal_write_abandoned", write=entry.name, attempts=entry.attempts,
                              error=repr(exc), **entry.details)
                    continue
                if entry.attempts == 1 or entry.attempts % 20 == 0:
                    log.warning(
                        "journal_write_failed_will_retry",
                        write=entry.name,
                        attempts=entry.attempts,
                        backlog=len(self._entries),
                        error=repr(exc),
                        **entry.details,
                    )
                delay = min(self._max_backoff, self._min_backoff * 2 ** min(entry.attempts, 16))
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))
                continue
            self._entries.popleft()
            self.written += 1
            if entry.attempts:
                log.info(
                    "journal_write_recovered", write=entry.name, attempts=entry.attempts, **entry.details
                )
