"""The incidents' timeline: append-only. Nothing here updates or deletes an entry.

Other repositories append entries inside their own transaction with `add_entries`, so a field
change, a status move or a callback attempt and its timeline entry land together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from cc112_pbx.domain.timeline import TimelineEntry
from cc112_pbx.storage.models import Incident, IncidentEvent
from cc112_pbx.storage.records import TimelineEntryRecord, to_record
from cc112_pbx.storage.repositories.base import Repository


async def add_entries(
    session: AsyncSession, incident_id: int, entries: Sequence[TimelineEntry], key: str | None = None
) -> list[IncidentEvent]:
    """Add `entries` to the incident's timeline. With `key` (e.g. the channel's unique id and the
    event), a retried write of the same entries adds nothing and returns the stored ones."""
    # entries land together, so when the first is not stored none is: that lookup by the unique key
    # is the common case; the prefix search (a scan of the whole timeline) only runs for a retry
    first = sa.select(IncidentEvent.id).where(IncidentEvent.dedupe_key == f"{key}#0")
    if key is not None and await session.scalar(first) is not None:
        stored = (await session.scalars(
            sa.select(IncidentEvent).where(IncidentEvent.dedupe_key.startswith(f"{key}#", autoescape=True))
            .order_by(IncidentEvent.id)
        )).all()
        if stored:
            return list(stored)
    rows = [
        IncidentEvent(
            incident_id=incident_id, at=e.at, kind=e.kind, actor=e.actor, call_id=e.call_id,
            details={k: (v.value if hasattr(v, "value") else v) for k, v in e.details.items()},
            dedupe_key=f"{key}#{n}" if key is not None else None,
        )
        for n, e in enumerate(entries)
    ]
    session.add_all(rows)
    await session.flush()
    return rows


class TimelineRepository(Repository):
    async def append(
        self, incident_id: int, entries: Sequence[TimelineEntry], *, key: str | None = None
    ) -> list[TimelineEntryRecord]:
        """Append entries (call events, notes). Idempotent by `key`, see `add_entries`."""
        async with self._transaction() as session:
            await self._get_or_raise(session, Incident, incident_id, "incident")
            rows = await add_entries(session, incident_id, entries, key)
        return [to_record(TimelineEntryRecord, r) for r in rows]

    async def for_incident(self, incident_id: int) -> list[TimelineEntryRecord]:
        """Oldest first (by time, then by the order written)."""
        query = (
            sa.select(IncidentEvent).where(IncidentEvent.incident_id == incident_id)
            .order_by(IncidentEvent.at, IncidentEvent.id)
        )
        async with self._transaction() as session:
            return [to_record(TimelineEntryRecord, r) for r in (await session.scalars(query)).all()]
