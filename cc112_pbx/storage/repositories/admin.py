"""The versioned queue configuration and the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from cc112_pbx.storage.models import AuditLog, QueueConfigVersionRow
from cc112_pbx.storage.records import AuditEntry, QueueConfigVersion, to_record
from cc112_pbx.storage.repositories.base import Repository, utcnow

_SAVE_TRIES = 10


class QueueConfigRepository(Repository):
    """Every change is a new version row (author, time); the current one is the highest version."""

    async def current(self) -> QueueConfigVersion | None:
        query = sa.select(QueueConfigVersionRow).order_by(QueueConfigVersionRow.version.desc()).limit(1)
        async with self._transaction() as session:
            row = await session.scalar(query)
            return to_record(QueueConfigVersion, row) if row is not None else None

    async def get(self, version: int) -> QueueConfigVersion | None:
        async with self._transaction() as session:
            row = await session.get(QueueConfigVersionRow, version)
            return to_record(QueueConfigVersion, row) if row is not None else None

    async def save(
        self, settings: Mapping[str, Any], author: str, at: dt.datetime | None = None
    ) -> QueueConfigVersion:
        """Store `settings` (JSON-serialisable) as the next version."""
        at = at or utcnow()
        for attempt in range(_SAVE_TRIES):
            try:
                async with self._transaction() as session:
                    latest = await session.scalar(sa.select(sa.func.max(QueueConfigVersionRow.version)))
                    row = QueueConfigVersionRow(
                        version=(latest or 0) + 1, settings=dict(settings), author=author, created_at=at
                    )
                    session.add(row)
                return to_record(QueueConfigVersion, row)
            except sa.exc.IntegrityError:  # a concurrent save took that version number
                if attempt == _SAVE_TRIES - 1:
                    raise
        raise AssertionError("unreachable")

    async def ensure_initial(self, settings: Mapping[str, Any], author: str = "config") -> QueueConfigVersion:
        """The current version, or `settings` saved as version 1 when there is none yet."""
        current = await self.current()
        return current if current is not None else await self.save(settings, author)

    async def history(self, limit: int = 20) -> list[QueueConfigVersion]:
        """Newest first."""
        query = sa.select(QueueConfigVersionRow).order_by(QueueConfigVersionRow.version.desc()).limit(limit)
        async with self._transaction() as session:
            return [to_record(QueueConfigVersion, r) for r in (await session.scalars(query)).all()]


class AuditRepository(Repository):
    async def record(
        self, actor: str, action: str, details: Mapping[str, Any] | None = None, at: dt.datetime | None = None
    ) -> AuditEntry:
        """Append one entry (`action` like "queue_config.saved", "seat.paused")."""
        row = AuditLog(at=at or utcnow(), actor=actor, action=action, details=dict(details or {}))
        async with self._transaction() as session:
            session.add(row)
        return to_record(AuditEntry, row)

    async def recent(
        self, limit: int = 100, *, action: str | None = None, actor: str | None = None
    ) -> list[AuditEntry]:
        """Newest first, optionally only one action or one actor."""
        query = sa.select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit)
        if action is not None:
            query = query.where(AuditLog.action == action)
        if actor is not None:
            query = query.where(AuditLog.actor == actor)
        async with self._transaction() as session:
            return [to_record(AuditEntry, r) for r in (await session.scalars(query)).all()]
