import asyncio
import time

from cc112_pbx.services.timers import TimerService


async def test_timer_fires_its_key_once_at_its_time():
    fired: list[str] = []
    timers = TimerService(fired.append, time.monotonic)
    timers.start("ring:c1", time.monotonic() + 0.02)
    await asyncio.sleep(0.06)
    assert fired == ["ring:c1"]
    assert timers.pending() == 0


async def test_restarting_a_key_replaces_the_earlier_deadline_and_cancel_stops_it():
    fired: list[str] = []
    timers = TimerService(fired.append, time.monotonic)
    timers.start("wrapup:seat01", time.monotonic() + 0.01)
    timers.start("wrapup:seat01", time.monotonic() + 0.05)
    timers.start("ring:c2", time.monotonic() + 0.01)
    timers.cancel("ring:c2")
    await asyncio.sleep(0.03)
    assert fired == []
    await asyncio.sleep(0.05)
    assert fired == ["wrapup:seat01"]


async def test_close_cancels_every_pending_timer():
    fired: list[str] = []
    timers = TimerService(fired.append, time.monotonic)
    timers.start("a", time.monotonic() + 0.01)
    timers.start("b", time.monotonic() + 0.01)
    timers.close()
    await asyncio.sleep(0.03)
    assert fired == [] and timers.pending() == 0
