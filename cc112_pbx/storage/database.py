"""`Database`: the engine, the session factory, and the repositories built on them.

    db = Database("sqlite+aiosqlite:///var/cc112.sqlite3")
    await db.start()          # engine; SQLite: WAL, busy timeout, foreign keys; creates var/
    await db.upgrade()        # Alembic migrations to head
    call = await db.calls.get(call_id)
    await db.dispose()

Or `async with Database(url) as db:` (start + dispose; call `upgrade()` yourself).
SQLite (aiosqlite) is the embedded default; PostgreSQL (asyncpg) is chosen by the URL.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

from cc112_pbx.storage import migrate
from cc112_pbx.storage.repositories import (
    AgencyRepository,
    AmlPositionRepository,
    ApiUserRepository,
    AuditRepository,
    CallbackRepository,
    CallRepository,
    CallTagRepository,
    DispatchRepository,
    IncidentRepository,
    OfficerRepository,
    PositionRepository,
    QueueConfigRepository,
    RecordingRepository,
    SeatRepository,
    TimelineRepository,
)
from cc112_pbx.storage.repositories.qc import QcRepository

SQLITE_BUSY_TIMEOUT_MS = 5000


class DatabaseNotStarted(RuntimeError):
    pass


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


class Database:
    def __init__(self, url: str, *, echo: bool = False, server_settings: dict[str, str] | None = None) -> None:
        self.url = url
        self._server_settings = server_settings  # PostgreSQL: session settings of every connection
        self._parsed = make_url(url)
        self._echo = echo
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql"."""
        return self._parsed.get_backend_name()

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise DatabaseNotStarted("Database.start() has not been awaited")
        return self._engine

    async def start(self) -> None:
        if self._engine is not None:
            return
        options: dict[str, Any] = {"echo": self._echo}
        if self.dialect == "sqlite":
            database = self._parsed.database or ""
            if database in ("", ":memory:"):
                options |= {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
            else:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
        else:
            options |= {"pool_pre_ping": True}
            if self._server_settings:
                options["connect_args"] = {"server_settings": dict(self._server_settings)}
        engine = create_async_engine(self._parsed, **options)
        if self.dialect == "sqlite":
            sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._build_repositories(self._sessions)

    def _build_repositories(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.incidents = IncidentRepository(sessions)
        self.calls = CallRepository(sessions)
        self.recordings = RecordingRepository(sessions)
        self.callbacks = CallbackRepository(sessions)
        self.timeline = TimelineRepository(sessions)
        self.seats = SeatRepository(sessions)
        self.queue_config = QueueConfigRepository(sessions)
        self.audit = AuditRepository(sessions)
        self.api_users = ApiUserRepository(sessions)
        self.aml = AmlPositionRepository(sessions)
        self.call_tags = CallTagRepository(sessions)
        self.agencies = AgencyRepository(sessions)  # issue 17: dispatch to the agencies
        self.officers = OfficerRepository(sessions)
        self.dispatches = DispatchRepository(sessions)
        self.positions = PositionRepository(sessions)
        self.qc = QcRepository(sessions)  # issue 18

    async def upgrade(self, revision: str = "head") -> None:
        """Apply the migrations (idempotent: nothing happens when already at head)."""
        await migrate.upgrade_engine(self.engine, revision)

    async def revision(self) -> str | None:
        return await migrate.current_revision(self.engine)

    async def ping(self) -> None:
        """Raises when the database cannot answer `SELECT 1`."""
        async with self.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    async def dispose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None
            self._sessions = None

    async def __aenter__(self) -> Database:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.dispose()
