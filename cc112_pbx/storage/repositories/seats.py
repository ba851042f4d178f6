"""Seats: the call-taker positions from the settings, with their login and pause state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

import sqlalchemy as sa

from cc112_pbx.storage.models import SeatRow
from cc112_pbx.storage.records import SeatRecord, to_record
from cc112_pbx.storage.repositories.base import Repository


class SeatDefinition(Protocol):
    """What `sync()` needs of a seat (`cc112_pbx.settings.SeatSettings` fits)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def dial_string(self) -> str: ...
    @property
    def overflow(self) -> bool: ...


class SeatRepository(Repository):
    async def sync(self, seats: Iterable[SeatDefinition], at: dt.datetime) -> list[SeatRecord]:
        """Make the table match the configured seats: add new ones, update changed ones (keeping
        their login and pause state), delete seats no longer configured. Seats created through the
        API (`origin` "api") are kept unless the settings now define them. Returns all seats."""
        wanted = {seat.id: seat for seat in seats}
        async with self._transaction() as session:
            existing = {row.id: row for row in (await session.scalars(sa.select(SeatRow))).all()}
            for seat_id, row in existing.items():
                if seat_id not in wanted and row.origin != "api":
                    await session.delete(row)
            for seat_id, seat in wanted.items():
                row = existing.get(seat_id)
                if row is None:
                    row = SeatRow(id=seat_id, logged_in=False, paused_reason=None)
                    session.add(row)
                if (row.name, row.dial_string, row.overflow) != (seat.name, seat.dial_string, seat.overflow):
                    row.name, row.dial_string, row.overflow = seat.name, seat.dial_string, seat.overflow
                    row.updated_at = at
                row.origin = "settings"
        return await self.all()

    async def all(self) -> list[SeatRecord]:
        async with self._transaction() as session:
            rows = (await session.scalars(sa.select(SeatRow).order_by(SeatRow.id))).all()
            return [to_record(SeatRecord, r) for r in rows]

    async def get(self, seat_id: str) -> SeatRecord | None:
        async with self._transaction() as session:
            row = await session.get(SeatRow, seat_id)
            return to_record(SeatRecord, row) if row is not None else None

    async def put(self, seat_id: str, *, name: str, dial_string: str, overflow: bool, at: dt.datetime,
                  origin: str = "api") -> SeatRecord:
        """Create the seat, or update its name, dial string and overflow flag (keeping its state)."""
        async with self._transaction() as session:
            row = await session.get(SeatRow, seat_id)
            if row is None:
                row = SeatRow(id=seat_id, logged_in=False, paused_reason=None, origin=origin)
                session.add(row)
            row.name, row.dial_string, row.overflow, row.updated_at = name, dial_string, overflow, at
        return to_record(SeatRecord, row)

    async def delete(self, seat_id: str) -> None:
        async with self._transaction() as session:
            row = await self._get_or_raise(session, SeatRow, seat_id, "seat")
            await session.delete(row)

    async def set_logged_in(self, seat_id: str, logged_in: bool, at: dt.datetime) -> SeatRecord:
        """Log the seat in or out; logging out also clears a pause."""
        async with self._transaction() as session:
            row = await self._get_or_raise(session, SeatRow, seat_id, "seat")
            row.logged_in = logged_in
            if not logged_in:
                row.paused_reason = None
            row.updated_at = at
        return to_record(SeatRecord, row)

    async def set_paused(self, seat_id: str, reason: str | None, at: dt.datetime) -> SeatRecord:
        """Pause with a reason (`"break"`, `"auto:missed"`), or unpause with None."""
        async with self._transaction() as session:
            row = await self._get_or_raise(session, SeatRow, seat_id, "seat")
            row.paused_reason = reason
            row.updated_at = at
        return to_record(SeatRecord, row)
