"""AML positions (issue 19): stored once per message, attached to an incident, and those never
attached deleted after the retention time (they are personal data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from cc112_pbx.domain.aml import AmlMessage
from cc112_pbx.storage.models import AmlPosition
from cc112_pbx.storage.records import AmlPositionRecord, to_record
from cc112_pbx.storage.repositories.base import Repository


class AmlPositionRepository(Repository):
    async def add(self, message: AmlMessage, *, sender: str, raw: str,
                  received_at: dt.datetime) -> tuple[AmlPositionRecord, bool]:
        """Store the position; `(record, True)` when new, `(the stored one, False)` for a message
        stored already (same number and message number): a retry adds no second row."""
        existing = await self.by_key(message.dedupe_key)
        if existing is not None:
            return existing, False
        row = AmlPosition(
            number=message.number, latitude=message.latitude, longitude=message.longitude,
            radius_m=message.radius_m, method=message.method, confidence=message.confidence,
            positioned_at=message.positioned_at, received_at=received_at, message_number=message.message_number,
            dedupe_key=message.dedupe_key, sender=sender, raw=raw,
        )
        try:
            async with self._transaction() as session:
                session.add(row)
                await session.flush()
        except IntegrityError:  # the same message, stored meanwhile by a concurrent request
            existing = await self.by_key(message.dedupe_key)
            if existing is None:
                raise
            return existing, False
        return to_record(AmlPositionRecord, row), True

    async def by_key(self, dedupe_key: str) -> AmlPositionRecord | None:
        async with self._transaction() as session:
            row = await session.scalar(sa.select(AmlPosition).where(AmlPosition.dedupe_key == dedupe_key))
            return to_record(AmlPositionRecord, row) if row is not None else None

    async def get(self, position_id: int) -> AmlPositionRecord | None:
        async with self._transaction() as session:
            row = await session.get(AmlPosition, position_id)
            return to_record(AmlPositionRecord, row) if row is not None else None

    async def attach(self, position_ids: Sequence[int], incident_id: int, at: dt.datetime) -> int:
        """Attach positions not attached yet to the incident; returns how many were."""
        if not position_ids:
            return 0
        query = (sa.update(AmlPosition)
                 .where(AmlPosition.id.in_(list(position_ids)), AmlPosition.incident_id.is_(None))
                 .values(incident_id=incident_id, matched_at=at))
        async with self._transaction() as session:
            result = await session.execute(query)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def unmatched_for_number(self, number: str, since: dt.datetime,
                                   until: dt.datetime | None = None) -> list[AmlPositionRecord]:
        """Positions of `number` received in [since, until] not attached to an incident, oldest first."""
        where = [AmlPosition.number == number, AmlPosition.incident_id.is_(None), AmlPosition.received_at >= since]
        if until is not None:
            where.append(AmlPosition.received_at <= until)
        query = sa.select(AmlPosition).where(*where).order_by(AmlPosition.received_at, AmlPosition.id)
        async with self._transaction() as session:
            return [to_record(AmlPositionRecord, r) for r in (await session.scalars(query)).all()]

    async def for_incident(self, incident_id: int) -> list[AmlPositionRecord]:
        query = (sa.select(AmlPosition).where(AmlPosition.incident_id == incident_id)
                 .order_by(AmlPosition.received_at, AmlPosition.id))
        async with self._transaction() as session:
            return [to_record(AmlPositionRecord, r) for r in (await session.scalars(query)).all()]

    async def delete_unmatched_before(self, cutoff: dt.datetime) -> int:
        """Delete the positions never attached to an incident received before `cutoff` (privacy)."""
        query = sa.delete(AmlPosition).where(AmlPosition.incident_id.is_(None), AmlPosition.received_at < cutoff)
        async with self._transaction() as session:
            result = await session.execute(query)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
