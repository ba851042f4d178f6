"""Call tags (issue 19): once per call and tag, removable by the call taker, read back for the
repeat-prank flag and the reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from cc112_pbx.domain.call_tags import CallTag
from cc112_pbx.storage.models import CallTagRow
from cc112_pbx.storage.records import CallTagRecord, to_record
from cc112_pbx.storage.repositories.base import Repository


class CallTagRepository(Repository):
    async def add(self, *, call_id: str, tag: CallTag | str, actor: str, at: dt.datetime,
                  incident_id: int | None = None, number: str | None = None) -> tuple[CallTagRecord, bool]:
        """`(record, True)` when new; `(the stored one, False)` when the call has that tag already
        (idempotent: a retried write or a second key press adds nothing)."""
        existing = await self.get(call_id, tag)
        if existing is not None:
            return existing, False
        row = CallTagRow(call_id=call_id, tag=CallTag(tag), actor=actor, at=at, incident_id=incident_id,
                         number=number)
        try:
            async with self._transaction() as session:
                session.add(row)
                await session.flush()
        except IntegrityError:
            existing = await self.get(call_id, tag)
            if existing is None:
                raise
            return existing, False
        return to_record(CallTagRecord, row), True

    async def get(self, call_id: str, tag: CallTag | str) -> CallTagRecord | None:
        query = sa.select(CallTagRow).where(CallTagRow.call_id == call_id, CallTagRow.tag == CallTag(tag))
        async with self._transaction() as session:
            row = await session.scalar(query)
            return to_record(CallTagRecord, row) if row is not None else None

    async def remove(self, call_id: str, tag: CallTag | str) -> CallTagRecord | None:
        """Delete the call's tag; returns what was deleted (None: it had no such tag)."""
        async with self._transaction() as session:
            row = await session.scalar(
                sa.select(CallTagRow).where(CallTagRow.call_id == call_id, CallTagRow.tag == CallTag(tag)))
            if row is None:
                return None
            record = to_record(CallTagRecord, row)
            await session.delete(row)
            return record

    async def for_call(self, call_id: str) -> list[CallTagRecord]:
        query = sa.select(CallTagRow).where(CallTagRow.call_id == call_id).order_by(CallTagRow.at, CallTagRow.id)
        async with self._transaction() as session:
            return [to_record(CallTagRecord, r) for r in (await session.scalars(query)).all()]

    async def between(self, since: dt.datetime, until: dt.datetime,
                      tags: Iterable[CallTag | str] | None = None) -> list[CallTagRecord]:
        """Tags made in [since, until), oldest first (only `tags`, when given)."""
        where = [CallTagRow.at >= since, CallTagRow.at < until]
        if tags is not None:
            where.append(CallTagRow.tag.in_([CallTag(t) for t in tags]))
        query = sa.select(CallTagRow).where(*where).order_by(CallTagRow.at, CallTagRow.id)
        async with self._transaction() as session:
            return [to_record(CallTagRecord, r) for r in (await session.scalars(query)).all()]
