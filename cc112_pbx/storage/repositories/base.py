"""What every repository shares: the session factory and the one-transaction-per-call rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cc112_pbx.storage.records import RecordNotFound


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Repository:
    """Each public method is one transaction; sessions never leave the repository."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions.begin() as session:
            yield session

    @staticmethod
    async def _get_or_raise(session: AsyncSession, model: type, key: object, what: str) -> object:
        row = await session.get(model, key)
        if row is None:
            raise RecordNotFound(f"{what} {key!r} not found")
        return row
