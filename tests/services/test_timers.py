"""The loop-timer service: no fixed sleeps, each test waits until a key it expects has fired.

A "probe" key due after a cancelled or replaced deadline (and before a replaced key's new one)
shows what did not fire: the loop runs its timers in deadline order, so once the probe fired,
anything due earlier would have fired too.
"""

import asyncio
from collections.abc import Hashable

from cc112_pbx.services.timers import TimerService

LIMIT = 2.0  # seconds before a timer that never fires fails the test (it fires within milliseconds)


class Fired:
    """The fire callback: records keys in order and lets a test wait until one of them fired."""

    def __init__(self) -> None:
        self.keys: list[Hashable] = []
        self._waiting: dict[Hashable, asyncio.Future[None]] = {}

    def __call__(self, key: Hashable) -> None:
        self.keys.append(key)
        future = self._waiting.pop(key, None)
        if future is not None and not future.done():
            future.set_result(None)

    async def until(self, key: Hashable) -> None:
        if key in self.keys:
            return
        future = self._waiting.setdefault(key, asyncio.get_running_loop().create_future())
        async with asyncio.timeout(LIMIT):
            await future


def _service(fired: Fired) -> tuple[TimerService, float]:
    loop = asyncio.get_running_loop()
    return TimerService(fired, loop.time), loop.time()


async def test_timer_fires_its_key_once_at_its_time():
    fired = Fired()
    timers, now = _service(fired)
    timers.start("ring:c1", now + 0.02)
    assert timers.pending() == 1

    await fired.until("ring:c1")

    assert asyncio.get_running_loop().time() >= now + 0.02
    timers.start("probe", asyncio.get_running_loop().time() + 0.001)
    await fired.until("probe")
    assert fired.keys == ["ring:c1", "probe"]
    assert timers.pending() == 0


async def test_restarting_a_key_replaces_the_earlier_deadline_and_cancel_stops_it():
    fired = Fired()
    timers, now = _service(fired)
    timers.start("wrapup:seat01", now + 0.01)
    timers.start("wrapup:seat01", now + 0.04)
    timers.start("ring:c2", now + 0.01)
    timers.cancel("ring:c2")
    timers.start("probe", now + 0.02)

    await fired.until("probe")
    assert fired.keys == ["probe"]  # neither the replaced deadline nor the cancelled timer fired

    await fired.until("wrapup:seat01")
    assert fired.keys == ["probe", "wrapup:seat01"]
    assert asyncio.get_running_loop().time() >= now + 0.04


async def test_close_cancels_every_pending_timer():
    fired = Fired()
    timers, now = _service(fired)
    timers.start("a", now + 0.005)
    timers.start("b", now + 0.005)

    timers.close()

    assert timers.pending() == 0
    timers.start("probe", now + 0.01)
    await fired.until("probe")
    assert fired.keys == ["probe"]
