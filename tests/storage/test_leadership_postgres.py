"""The leadership lock and the write fence on PostgreSQL (issue 21), two `Database`s as two controllers."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from cc112_pbx.services.api_errors import NotLeader
from cc112_pbx.storage import Database
from cc112_pbx.storage.leadership import Fence, PgLeaderLock
from tests.postgres_db import NO_POSTGRES, POSTGRES_URL, admin, fresh_database
from tests.waiting import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.skipif(not POSTGRES_URL, reason=NO_POSTGRES)]
NOW = dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.UTC)


async def _controller(url: str, node: str, lease: float = 1.0) -> tuple[Database, PgLeaderLock, Fence]:
    db = Database(url)
    await db.start()
    await db.upgrade()
    fence = Fence()
    fence.install(db.engine)
    return db, PgLeaderLock(url, node=node, advertise_url=f"http://{node}:8112", lease=lease), fence


async def _new_call(db: Database, channel: str) -> None:
    await db.incidents.open_for_call(call_id=f"call-{channel}", channel_id=channel, channel_name=f"PJSIP/{channel}",
                                     arrived_at=NOW, dialled="112", caller_number="+6281200000001")


async def test_one_holder_at_a_time_and_a_former_leaders_writes_are_refused():
    async with fresh_database("cc112_fence") as url:
        (a, lock_a, fence_a), (b, lock_b, fence_b) = [await _controller(url, n) for n in ("a", "b")]
        try:
            epoch_a = await lock_a.try_acquire()
            assert epoch_a == 1
            assert await lock_b.try_acquire() is None, "two holders"
            assert (await lock_b.leader()).url == "http://a:8112"
            fence_a.arm(epoch_a)
            fence_b.arm(None)
            await _new_call(a, "leader-a-1")
            with pytest.raises(NotLeader):  # the standby writes nothing
                await _new_call(b, "standby-b-1")
            assert len(await b.calls.active()) == 1  # but it reads

            await admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                        f"'{url.rpartition('/')[2]}' AND application_name LIKE 'cc112-leader-lock a%'")
            epoch_b = await wait_until(lock_b.try_acquire, timeout=5, interval=0.05, what="b takes the lock")
            assert epoch_b == 2
            fence_b.arm(epoch_b)
            assert not await lock_a.still_held(epoch_a)
            with pytest.raises(NotLeader) as refused:  # a still believes it leads: the fence says no
                await _new_call(a, "former-leader-a-2")
            assert refused.value.leader == "http://b:8112"
            assert fence_a.refused == 1
            await _new_call(b, "leader-b-1")
            channels = sorted(c.channel_id for c in await b.calls.active())
            assert channels == ["leader-a-1", "leader-b-1"]
        finally:
            for lock, db in ((lock_a, a), (lock_b, b)):
                await lock.release()
                await db.dispose()


async def test_a_silent_holder_loses_the_lock_after_its_lease():
    async with fresh_database("cc112_lease") as url:
        (a, lock_a, _), (b, lock_b, _) = [await _controller(url, n, lease=0.5) for n in ("a", "b")]
        try:
            assert await lock_a.try_acquire() == 1
            assert await lock_b.try_acquire() is None
            loop = asyncio.get_running_loop()
            silent_from = loop.time()  # a says nothing from here: frozen, as under SIGSTOP
            epoch = await wait_until(lock_b.try_acquire, timeout=5, interval=0.05, what="b takes the lock")
            waited = loop.time() - silent_from
            assert epoch == 2 and 0.4 < waited < 1.5, waited
            assert not await lock_a.still_held(1)
        finally:
            for lock, db in ((lock_a, a), (lock_b, b)):
                await lock.release()
                await db.dispose()


async def test_a_write_in_flight_during_the_bump_commits_before_it_or_is_refused():
    """The fence reads the row FOR SHARE: the new leader's bump waits for a transaction of the old
    leader that already checked, so no write of the old epoch commits after the new one."""
    async with fresh_database("cc112_order") as url:
        (a, lock_a, fence_a), (b, lock_b, _) = [await _controller(url, n) for n in ("a", "b")]
        try:
            fence_a.arm(await lock_a.try_acquire())
            import sqlalchemy as sa

            async with a.engine.begin() as conn:  # a's write checked the epoch and is not committed yet
                await conn.execute(sa.text("UPDATE seats SET name = name WHERE id = 'none'"))
                await lock_a.release()
                bump = asyncio.create_task(lock_b.try_acquire())
                await asyncio.sleep(0.3)  # the one sleep: show that the bump is waiting, not merely slow
                assert not bump.done(), "the new leader bumped the epoch under a write of the old one"
            assert await bump == 2
        finally:
            for lock, db in ((lock_a, a), (lock_b, b)):
                await lock.release()
                await db.dispose()
