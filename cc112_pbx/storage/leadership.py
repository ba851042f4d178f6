"""Leadership of an active/standby controller pair on PostgreSQL (issue 21): the lock and the fence.

    lock = PgLeaderLock(url, node="cc112-a:4242", advertise_url="http://10.0.0.5:8112", lease=1.0)
    epoch = await lock.try_acquire()     # None while the other controller leads
    fence = Fence(); fence.install(db.engine); fence.arm(epoch)   # every write now checks the epoch
    await lock.still_held(epoch)         # the leader's heartbeat
    await lock.release()                 # unlock (closing the connection does too)

The lock is a PostgreSQL *session* advisory lock (`pg_try_advisory_lock`) taken on a connection of
its own, held for the process's life: it goes when the process dies (the kernel closes the socket),
when its backend is terminated, and when the session stays silent for `lease` seconds
(`idle_session_timeout`: a frozen leader, SIGSTOP or a dead host behind a silent network, loses it).
Nothing home-made beyond that: the `leadership` row's `epoch` is the fencing token, bumped by each
new leader in the same session that holds the lock.

The fence is an engine event: the first INSERT/UPDATE/DELETE of every transaction first reads the
row `FOR SHARE` and refuses the write (`NotLeader`) unless its epoch is the one this controller was
elected with. The row lock orders it against a new leader's bump: a write either commits before the
bump or sees the new epoch and is refused, so a former leader never writes after its successor leads.
"""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from cc112_pbx.services.api_errors import NotLeader
from cc112_pbx.services.ports import LeaderInfo

log = structlog.get_logger("cc112.leadership")

LOCK_KEY = 0x6363313132  # "cc112": the advisory lock's key, the same for every controller of a pair
CHECKED = "cc112_fence_checked"  # connection info key: this transaction's epoch was checked
READ_EPOCH = sa.text("SELECT epoch, url FROM leadership WHERE id = 1 FOR SHARE")
WRITES = ("insert", "update", "delete")


def asyncpg_dsn(url: str) -> str:
    """The SQLAlchemy URL (`postgresql+asyncpg://...`) as a DSN asyncpg takes."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PgLeaderLock:
    """`services.ports.LeaderLock` on PostgreSQL (see the module's docstring)."""

    def __init__(self, url: str, *, node: str, advertise_url: str, lease: float,
                 connect_timeout: float = 2.0) -> None:
        self._dsn = asyncpg_dsn(url)
        self.node = node
        self.advertise_url = advertise_url
        self.lease = lease
        self.connect_timeout = connect_timeout
        self._conn: Any = None  # asyncpg.Connection
        self._leader: LeaderInfo | None = None
        self._busy = asyncio.Lock()  # one operation at a time on the connection

    async def _connection(self) -> Any:
        import asyncpg

        if self._conn is None or self._conn.is_closed():
            self._conn = None
            self._conn = await asyncpg.connect(
                self._dsn, timeout=self.connect_timeout,
                server_settings={"idle_session_timeout": str(max(1, int(self.lease * 1000))),
                                 "application_name": f"cc112-leader-lock {self.node}"[:63]})
        return self._conn

    async def try_acquire(self) -> int | None:
        async with self._busy:
            return await self._try_acquire()

    async def _try_acquire(self) -> int | None:
        try:
            async with asyncio.timeout(self.connect_timeout + self.lease):
                conn = await self._connection()
                row = await conn.fetchrow("SELECT pg_try_advisory_lock($1) AS got, epoch, holder, url "
                                          "FROM leadership WHERE id = 1", LOCK_KEY)
                if row is None:
                    raise RuntimeError("the leadership row is missing (run the migrations: cc112 db upgrade)")
                self._leader = LeaderInfo(int(row["epoch"]), row["holder"], row["url"])
                if not row["got"]:
                    return None
                epoch = await conn.fetchval(
                    "UPDATE leadership SET epoch = epoch + 1, holder = $1, url = $2, since = now() "
                    "WHERE id = 1 RETURNING epoch", self.node, self.advertise_url)
        except Exception as exc:
            log.debug("leader_lock_unavailable", error=repr(exc))
            await self._drop()  # a lock half taken goes with its session
            return None
        self._leader = LeaderInfo(int(epoch), self.node, self.advertise_url)
        return int(epoch)

    async def still_held(self, epoch: int) -> bool:
        async with self._busy:
            return await self._still_held(epoch)

    async def _still_held(self, epoch: int) -> bool:
        conn = self._conn
        if conn is None or conn.is_closed():
            return False
        try:
            async with asyncio.timeout(self.lease / 2):
                current = await conn.fetchval("SELECT epoch FROM leadership WHERE id = 1")
        except Exception as exc:
            log.warning("leader_lock_check_failed", error=repr(exc))
            await self._drop()
            await self._read_leader()
            return False
        if current != epoch:
            await self._read_leader()
        return current == epoch

    async def _read_leader(self) -> None:
        """Who leads now, on a connection of its own (best-effort: the standby's answers name it)."""
        import asyncpg

        try:
            async with asyncio.timeout(self.lease / 2):
                conn = await asyncpg.connect(self._dsn, timeout=self.lease / 2)
                try:
                    row = await conn.fetchrow("SELECT epoch, holder, url FROM leadership WHERE id = 1")
                finally:
                    await conn.close()
        except Exception as exc:
            log.debug("leader_unknown", error=repr(exc))
            return
        if row is not None:
            self._leader = LeaderInfo(int(row["epoch"]), row["holder"], row["url"])

    async def leader(self) -> LeaderInfo | None:
        return self._leader

    async def release(self) -> None:
        async with self._busy:
            await self._release()

    async def _release(self) -> None:
        conn = self._conn
        if conn is not None and not conn.is_closed():
            try:
                async with asyncio.timeout(1.0):
                    await conn.execute("SELECT pg_advisory_unlock_all()")
            except Exception as exc:
                log.debug("leader_unlock_failed", error=repr(exc))
        await self._drop()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await asyncio.wait_for(conn.close(), 1.0)
            except Exception:
                conn.terminate()


class Fence:
    """`services.ports.WriteFence`: refuses writes unless the row's epoch is ours (see the module's docstring)."""

    def __init__(self) -> None:
        self.epoch: int | None = None
        self.refused = 0

    def arm(self, epoch: int | None) -> None:
        self.epoch = epoch

    def install(self, engine: AsyncEngine) -> None:
        sync = engine.sync_engine
        sa.event.listen(sync, "before_execute", self._before_execute)
        for name in ("commit", "rollback"):
            sa.event.listen(sync, name, _forget)

    def _before_execute(self, conn: sa.Connection, clause: Any, *_: Any) -> None:
        if not _is_write(clause) or conn.info.get(CHECKED) == self.epoch is not None:
            return
        row = conn.execute(READ_EPOCH).first()
        if self.epoch is not None and row is not None and row[0] == self.epoch:
            conn.info[CHECKED] = self.epoch
            return
        leader = row[1] if row is not None else None
        detail = (f" (fencing epoch {self.epoch}, the database's is {row[0] if row else None})"
                  if self.epoch is not None else " (this controller does not lead)")
        self.refused += 1
        log.warning("write_fenced", epoch=self.epoch, leader=leader, refused=self.refused)
        raise NotLeader(leader or None, detail)


def _forget(conn: sa.Connection) -> None:
    conn.info.pop(CHECKED, None)


def _is_write(clause: Any) -> bool:
    if getattr(clause, "is_dml", False):
        return True
    text = getattr(clause, "text", None)
    return isinstance(text, str) and text.lstrip().lower().startswith(WRITES)
