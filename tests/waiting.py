"""Waiting in tests: on a condition, with a deadline, never for a fixed time.

    from tests.waiting import wait_until

    await wait_until(lambda: "cc112" in emu.ari.apps.apps, what="the controller registered its Stasis app")
    row = await wait_until(lambda: db.calls.get(call_id), timeout=10, what="the call is stored")

`predicate` is called at once and then every `interval` seconds until it returns something
truthy, which `wait_until` returns. It may be a plain function or return an awaitable (an async
repository query): the awaitable's result is what counts. After `timeout` seconds it raises an
AssertionError naming `what` was awaited, so a test that waits fails like an assertion, saying what
never happened. Where a component offers an event to wait on (the emulator's
`timeline.wait_for`, a stream's next event, `Switchboard.settled()`), use that instead; this is
for state that has none.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

DEFAULT_TIMEOUT = 5.0
POLL_INTERVAL = 0.01


async def wait_until(predicate: Callable[[], T | Awaitable[T]], timeout: float = DEFAULT_TIMEOUT, *,
                     what: str | None = None, interval: float = POLL_INTERVAL) -> T:
    """Poll `predicate()` until it is truthy and return its value; AssertionError after `timeout` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if loop.time() >= deadline:
            described = what or getattr(predicate, "__qualname__", repr(predicate))
            raise AssertionError(f"gave up after {timeout:g}s waiting until {described} (last value: {value!r})")
        await asyncio.sleep(interval)
