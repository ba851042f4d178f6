"""Ordered, non-blocking execution of Asterisk requests, one lane per call (or per seat/AMI).

The controller's event loop decides; it must never wait for Asterisk while deciding, or one
slow request would delay every other caller. So each decision's requests go into the lane of
the call they belong to: within a lane they run in order (answer before bridge), across lanes
in parallel. A lane's worker task exists while the lane has work; every worker is owned here
and awaited by `close()` (no fire-and-forget tasks).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Hashable

import structlog

log = structlog.get_logger("cc112.lanes")

Job = Callable[[], Awaitable[object]]


class Lanes:
    def __init__(self) -> None:
        self._queues: dict[Hashable, deque[tuple[str, Job]]] = {}
        self._workers: dict[Hashable, asyncio.Task[None]] = {}
        self._closed = False
        self.failed = 0

    def submit(self, lane: Hashable, what: str, job: Job) -> None:
        if self._closed:
            log.warning("lane_closed_job_dropped", lane=str(lane), job=what)
            return
        self._queues.setdefault(lane, deque()).append((what, job))
        if lane not in self._workers:
            self._workers[lane] = asyncio.create_task(self._work(lane), name=f"cc112-lane:{lane}")

    @property
    def busy(self) -> int:
        return len(self._workers)

    async def idle(self) -> None:
        """Wait until no lane has work (tests, drain)."""
        while self._workers:
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def close(self, timeout: float = 5.0) -> None:
        self._closed = True
        try:
            async with asyncio.timeout(timeout):
                await self.idle()
        except TimeoutError:
            for task in self._workers.values():
                task.cancel()
            await asyncio.gather(*self._workers.values(), return_exceptions=True)
            self._workers.clear()

    async def _work(self, lane: Hashable) -> None:
        queue = self._queues[lane]
        try:
            while queue:
                what, job = queue.popleft()
                try:
                    await job()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    self.failed += 1
                    log.exception("lane_job_failed", lane=str(lane), job=what)
        finally:
            self._workers.pop(lane, None)
            if not queue:
                self._queues.pop(lane, None)
