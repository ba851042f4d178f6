"""`Leadership` with a fake lock and fence: roles, the campaign, heartbeats, the quiet period, loss."""

from __future__ import annotations

import asyncio

import pytest

from cc112_pbx.services.leadership import Leadership, LeadershipLost, Role
from cc112_pbx.services.ports import LeaderInfo


class FakeLock:
    """The other controller holds the lock until `free()`; `still_held` answers `held`."""

    def __init__(self, holder_url: str = "http://b:8112") -> None:
        self.taken_by_other = True
        self.held = True
        self.epoch = 4
        self.info = LeaderInfo(self.epoch, "b", holder_url)
        self.calls: list[str] = []
        self.gate: asyncio.Event | None = None  # still_held waits on it when set (a slow answer)

    def free(self) -> None:
        self.taken_by_other = False

    async def try_acquire(self) -> int | None:
        self.calls.append("try_acquire")
        if self.taken_by_other:
            return None
        self.epoch += 1
        self.info = LeaderInfo(self.epoch, "a", "http://a:8112")
        return self.epoch

    async def still_held(self, epoch: int) -> bool:
        self.calls.append("still_held")
        if self.gate is not None:
            await self.gate.wait()
        return self.held and epoch == self.epoch

    async def leader(self) -> LeaderInfo | None:
        return self.info

    async def release(self) -> None:
        self.calls.append("release")


class FakeFence:
    def __init__(self) -> None:
        self.armed: list[int | None] = []

    def arm(self, epoch: int | None) -> None:
        self.armed.append(epoch)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def settle(predicate, turns: int = 50) -> None:
    """Let the loop run a few turns (no time passes) until `predicate()` holds."""
    for _ in range(turns):
        if predicate():
            return
        await asyncio.sleep(0)
    raise AssertionError("never came true")


def pair(lock: FakeLock, clock: Clock, polls: list[float]) -> tuple[Leadership, FakeFence]:
    fence = FakeFence()

    async def sleep(seconds: float) -> None:  # no real sleep: a poll frees the lock after three tries
        polls.append(seconds)
        if len(polls) == 3:
            lock.free()
        clock.now += seconds

    return Leadership(lock, fence, poll_interval=0.2, lease=1.0, clock=clock, sleep=sleep), fence


async def test_single_node_acts_and_never_asks():
    leadership = Leadership(None, None, poll_interval=0.2, lease=1.0, clock=Clock())
    assert leadership.role is Role.SINGLE and leadership.acting and leadership.fresh()
    await leadership.admit()
    await leadership.confirm(force=True)
    assert leadership.describe() == {"role": "single"}


async def test_the_standby_names_the_leader_and_refuses_writes_until_it_leads():
    lock, clock, polls = FakeLock(), Clock(), []
    leadership, fence = pair(lock, clock, polls)
    assert leadership.role is Role.STANDBY and not leadership.acting and fence.armed == [None]
    epoch = await leadership.campaign()
    assert polls == [0.2, 0.2, 0.2] and lock.calls.count("try_acquire") == 4
    assert (epoch, leadership.role, fence.armed) == (5, Role.LEADER, [None, 5])
    assert leadership.describe() == {"role": "leader", "epoch": 5}
    assert leadership.fresh() and leadership.acting


async def test_a_standby_admits_requests_but_describes_where_the_leader_is():
    lock, clock = FakeLock(), Clock()
    leadership, _ = pair(lock, clock, [])
    leadership.sleep = lambda _seconds: asyncio.Event().wait()  # the leader never goes
    task = asyncio.create_task(leadership.campaign())
    await settle(lambda: lock.calls)  # one try: the leader is known from the row
    await leadership.admit()  # the standby's loop only answers requests
    assert leadership.describe() == {"role": "standby", "leader": "http://b:8112"}
    task.cancel()


async def test_a_leader_acts_without_asking_for_a_quarter_lease_then_asks_once():
    lock, clock, polls = FakeLock(), Clock(), []
    leadership, _ = pair(lock, clock, polls)
    await leadership.campaign()
    lock.calls.clear()
    clock.now += leadership.quiet - 0.01
    await leadership.admit()
    assert lock.calls == []
    clock.now += 0.02  # past the quiet period (a frozen or starved leader): a heartbeat first
    await leadership.admit()
    assert lock.calls == ["still_held"] and leadership.fresh()


async def test_concurrent_checks_share_one_heartbeat():
    lock, clock, polls = FakeLock(), Clock(), []
    leadership, _ = pair(lock, clock, polls)
    await leadership.campaign()
    lock.calls.clear()
    lock.gate = asyncio.Event()
    clock.now += 1
    checks = [asyncio.create_task(leadership.admit()) for _ in range(3)]
    await settle(lambda: lock.calls)
    lock.gate.set()
    await asyncio.gather(*checks)
    assert lock.calls == ["still_held"], "two operations at once on the lock's one connection"


async def test_the_lease_runs_from_the_question_not_the_answer():
    lock, clock, polls = FakeLock(), Clock(), []
    leadership, _ = pair(lock, clock, polls)
    await leadership.campaign()
    clock.now += 1
    lock.gate = asyncio.Event()
    asked = clock.now
    check = asyncio.create_task(leadership.confirm(force=True))
    await settle(lambda: "still_held" in lock.calls)
    clock.now += leadership.quiet  # the answer is as slow as the whole quiet period
    lock.gate.set()
    await check
    assert clock.now - asked >= leadership.quiet and not leadership.fresh()


async def test_losing_the_lock_stops_acting_disarms_the_fence_and_names_the_successor():
    lock, clock, polls = FakeLock(), Clock(), []
    leadership, fence = pair(lock, clock, polls)
    await leadership.campaign()
    lock.held = False
    lock.info = LeaderInfo(6, "b", "http://b:8112")
    with pytest.raises(LeadershipLost):
        await leadership.hold()
    assert leadership.role is Role.LOST and not leadership.acting and fence.armed[-1] is None
    assert leadership.describe() == {"role": "lost", "epoch": 5, "leader": "http://b:8112"}
    with pytest.raises(LeadershipLost):
        await leadership.admit()  # the controller's loop stops at its next item


async def test_check_soon_wakes_the_heartbeat_at_once():
    lock, clock, polls = FakeLock(), Clock(), []
    leadership, _ = pair(lock, clock, polls)
    await leadership.campaign()
    lock.calls.clear()
    holding = asyncio.create_task(leadership.hold())
    await settle(lambda: lock.calls == ["still_held"])
    lock.held = False  # the Stasis app was taken: the standby leads now
    leadership.check_soon()
    with pytest.raises(LeadershipLost):
        await asyncio.wait_for(holding, 0.1)  # not the next 0.2 s interval
    assert lock.calls == ["still_held", "still_held"]
