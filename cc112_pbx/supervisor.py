"""Essential tasks under one supervisor: the first to fail brings the whole controller down.

`asyncio.TaskGroup` semantics for tasks that a `start()` creates and returns before anyone awaits
them (a TaskGroup needs the `async with` to span the tasks' lives):

    supervisor = Supervisor()
    supervisor.spawn(controller.run(), name="cc112-controller")   # owned: cancelled by stop()
    supervisor.watch(journal.task)                                # owned elsewhere, watched here
    await supervisor.wait(until=stop_event)  # returns once `until` is set; raises EssentialTaskFailed
    await supervisor.stop()                  # cancels and awaits what it spawned

An essential task *fails* when it raises, is cancelled, or returns while the supervisor is not
stopping (a pump whose source ended is as dead as one that raised). The first failure is logged
once as an error naming the task and the cause, and kept in `failure`; `wait()` raises it so the
owner stops everything in order. Later failures are consequences, logged as warnings.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import structlog

log = structlog.get_logger("cc112.supervisor")


class EssentialTaskFailed(Exception):
    """An essential task ended while the controller was running: it must stop (and be restarted)."""

    def __init__(self, task: str, cause: BaseException | None) -> None:
        self.task = task
        self.cause = cause
        super().__init__(f"essential task {task} failed: {describe(cause)}")


def describe(cause: BaseException | None) -> str:
    if cause is None:
        return "ended unexpectedly"
    if isinstance(cause, asyncio.CancelledError):
        return "cancelled unexpectedly"
    return repr(cause)


class Supervisor:
    def __init__(self) -> None:
        self._spawned: list[asyncio.Task[Any]] = []
        self._failed = asyncio.Event()
        self._stopping = False
        self.failure: EssentialTaskFailed | None = None

    @property
    def stopping(self) -> bool:
        return self._stopping

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        """Run `coro` as an essential task owned here (cancelled and awaited by `stop()`)."""
        if self._stopping:
            coro.close()
            raise RuntimeError(f"supervisor is stopping: {name} not started")
        task = asyncio.create_task(coro, name=name)
        self._spawned.append(task)
        task.add_done_callback(self._on_done)
        return task

    def watch(self, task: asyncio.Task[Any]) -> None:
        """Treat a task owned elsewhere as essential (its owner still stops and awaits it)."""
        task.add_done_callback(self._on_done)

    async def wait(self, until: asyncio.Event | None = None) -> None:
        """Wait until `until` is set (return) or an essential task fails (raise EssentialTaskFailed)."""
        waiters = [asyncio.create_task(self._failed.wait(), name="cc112-supervisor-failed")]
        if until is not None:
            waiters.append(asyncio.create_task(until.wait(), name="cc112-supervisor-until"))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            await asyncio.gather(*waiters, return_exceptions=True)
        if self.failure is not None:
            raise self.failure

    async def stop(self) -> None:
        """From now on a task ending is expected; cancel the spawned tasks and wait for them. Idempotent."""
        self._stopping = True
        for task in self._spawned:
            task.cancel()
        # what they raised was logged by _on_done (before stopping: a failure; after: a warning)
        await asyncio.gather(*self._spawned, return_exceptions=True)
        self._spawned.clear()

    def _on_done(self, task: asyncio.Task[Any]) -> None:
        cause = task.exception() if not task.cancelled() else asyncio.CancelledError()
        if self._stopping:
            if cause is not None and not isinstance(cause, asyncio.CancelledError):
                log.warning("essential_task_failed_while_stopping", task=task.get_name(), error=repr(cause))
            return
        if self.failure is not None:
            log.warning("essential_task_also_ended", task=task.get_name(), error=describe(cause))
            return
        self.failure = EssentialTaskFailed(task.get_name(), cause)
        traceback = {} if cause is None or isinstance(cause, asyncio.CancelledError) else {"exc_info": cause}
        log.error("essential_task_failed", task=task.get_name(), error=describe(cause), **traceback)
        self._failed.set()
