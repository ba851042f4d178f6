"""Who acts: the one controller of an active/standby pair that holds the database's lock (issue 21).

    leadership = Leadership(lock, fence, poll_interval=0.2, lease=1.0, clock=time.monotonic)
    epoch = await leadership.campaign()   # the standby: tries every poll_interval until it leads
    await leadership.hold()               # the leader: heartbeats until the lock is lost (raises LeadershipLost)
    leadership.fresh()                    # the last heartbeat is recent enough to act on
    await leadership.confirm()            # before acting after a gap: a heartbeat now (raises LeadershipLost)

Roles: `single` (SQLite, or `[ha] mode = "single"`: no lock, no fence), `standby` (warm, refuses
writes), `leader`, `lost` (a former leader: it stops acting and its process exits so that a
supervisor starts it again as the standby). The lock's session dies when its process does, when
its backend is terminated, or after `lease` seconds of silence; `fresh()` is true for `quiet` (a
quarter of the lease) after a successful heartbeat was asked, so a leader that was frozen checks
again before it acts, and a new leader waits `quiet` after its election before it acts: the two
never overlap (both controllers of a pair must have the same `[ha] lease`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from enum import StrEnum

import structlog

from cc112_pbx.services.ports import LeaderLock, WriteFence

log = structlog.get_logger("cc112.leadership")


class Role(StrEnum):
    SINGLE = "single"
    STANDBY = "standby"
    LEADER = "leader"
    LOST = "lost"


class LeadershipLost(Exception):
    """This controller led and does not any more: it must stop acting at once."""


class Leadership:
    def __init__(self, lock: LeaderLock | None, fence: WriteFence | None, *, poll_interval: float, lease: float,
                 clock: Callable[[], float], sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.lock = lock
        self.fence = fence
        self.poll_interval = poll_interval
        self.lease = lease
        self.clock = clock
        self.sleep = sleep
        self.role = Role.SINGLE if lock is None else Role.STANDBY
        self.epoch: int | None = None
        self.leader_url: str | None = None  # the leader's API (for the standby's refusals)
        self.elected_at: float | None = None
        self._confirmed_at = 0.0
        self._lost = asyncio.Event()
        self._wake = asyncio.Event()
        self._asking: asyncio.Future[bool] | None = None
        if fence is not None:
            fence.arm(None)  # the standby writes nothing

    @property
    def quiet(self) -> float:
        """How long after a heartbeat was asked the leader acts without asking again (a quarter of the
        lease); a new leader waits as long after its election before it acts."""
        return self.lease / 4

    @property
    def acting(self) -> bool:
        """May this controller act (single, or the leader)?"""
        return self.role in (Role.SINGLE, Role.LEADER)

    async def campaign(self) -> int:
        """Wait (as the standby) until this controller leads; the new fencing epoch."""
        assert self.lock is not None, "single: nothing to campaign for"
        while True:
            epoch = await self.lock.try_acquire()
            if epoch is not None:
                break
            info = await self.lock.leader()
            if info is not None and info.url != self.leader_url:
                self.leader_url = info.url or None
            await self.sleep(self.poll_interval)
        self.epoch, self.role = epoch, Role.LEADER
        self.elected_at = self._confirmed_at = self.clock()
        info = await self.lock.leader()
        self.leader_url = info.url if info is not None and info.url else None
        if self.fence is not None:
            self.fence.arm(epoch)
        log.info("leadership_acquired", epoch=epoch)
        return epoch

    async def hold(self) -> None:
        """Heartbeat while leading; raise LeadershipLost when the lock is gone (never returns otherwise)."""
        while True:
            self._wake.clear()  # before asking: a `check_soon` during the question asks again
            await self.confirm(force=True)
            try:
                async with asyncio.timeout(self.poll_interval):
                    await self._wake.wait()
            except TimeoutError:
                pass

    def check_soon(self) -> None:
        """Heartbeat now rather than at the next interval (the Stasis app was taken by another client)."""
        self._wake.set()

    async def admit(self) -> None:
        """The controller's loop calls this before each item: the leader acts only on a fresh lease
        (else a heartbeat first); the standby only answers requests (it has nothing else to act on);
        a lost leader acts on nothing (raises LeadershipLost)."""
        if self.role is Role.LEADER:
            await self.confirm()
        elif self.role is Role.LOST:
            raise LeadershipLost("this controller lost its leadership")

    def fresh(self) -> bool:
        """Single, or the leader whose last heartbeat is recent enough to act without asking."""
        if self.role is Role.SINGLE:
            return True
        return self.role is Role.LEADER and self.clock() - self._confirmed_at < self.quiet

    async def confirm(self, *, force: bool = False) -> None:
        """Return at once while fresh (unless `force`); else one heartbeat: raise LeadershipLost if it fails."""
        if self.role is Role.SINGLE or (not force and self.fresh()):
            return
        if self.role is not Role.LEADER or self.lock is None or self.epoch is None:
            raise LeadershipLost(f"this controller is {self.role}")
        if self._asking is None:  # one heartbeat at a time: the loop's and the controller's share it
            self._asking = asyncio.ensure_future(self._ask(self.lock, self.epoch))
        asking = self._asking
        try:
            held = await asyncio.shield(asking)
        finally:
            if asking.done() and self._asking is asking:
                self._asking = None
        if held:
            return
        self.lose("the leadership lock or its epoch is gone")
        info = await self.lock.leader()  # the successor, when the database could say
        self.leader_url = info.url if info is not None and info.epoch != self.epoch and info.url else None
        raise LeadershipLost("the leadership lock or its epoch is gone")

    async def _ask(self, lock: LeaderLock, epoch: int) -> bool:
        asked_at = self.clock()  # the lease runs from the question, not the answer: a slow answer shortens it
        held = await lock.still_held(epoch)
        if held:
            self._confirmed_at = max(self._confirmed_at, asked_at)
        return held

    def lose(self, reason: str) -> None:
        """Stop leading (idempotent): writes are refused from here, whatever the database says."""
        if self.role is Role.LOST:
            return
        was = self.epoch
        self.role = Role.LOST
        self.leader_url = None  # not us any more; `confirm` learns the successor when it can
        if self.fence is not None:
            self.fence.arm(None)
        self._lost.set()
        log.error("leadership_lost", epoch=was, reason=reason)

    def describe(self) -> dict[str, object]:
        """For /healthz: the role, and for the standby where the leader is."""
        out: dict[str, object] = {"role": str(self.role)}
        if self.epoch is not None:
            out["epoch"] = self.epoch
        if self.role is not Role.LEADER and self.leader_url:
            out["leader"] = self.leader_url
        return out
