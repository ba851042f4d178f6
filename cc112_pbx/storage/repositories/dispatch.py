"""Dispatch to the agencies (issue 17): the agency directory, officers and their devices, the users
bound to an agency, dispatches and the officers' positions. Every method is one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from cc112_pbx.domain.agencies import AgencyKind, OfficerKind
from cc112_pbx.domain.dispatch import OPEN, DispatchStatus, IllegalDispatchTransition
from cc112_pbx.storage.models import AgencyDispatcherRow, AgencyRow, DispatchRow, OfficerPositionRow, OfficerRow
from cc112_pbx.storage.records import (
    AgencyDispatcherRecord,
    AgencyRecord,
    DispatchRecord,
    OfficerPositionRecord,
    OfficerRecord,
    RecordNotFound,
    to_record,
)
from cc112_pbx.storage.repositories.base import Repository

ENUMS: dict[str, type] = {"status": DispatchStatus}


def _typed(values: Mapping[str, Any], enums: Mapping[str, type]) -> dict[str, Any]:
    """The stored enums as enum members (a record hands out members, never bare strings)."""
    return {k: enums[k](v) if k in enums and v is not None else v for k, v in values.items()}


AGENCY_ENUMS: dict[str, type] = {"kind": AgencyKind}
OFFICER_ENUMS: dict[str, type] = {"kind": OfficerKind}


class AgencyRepository(Repository):
    async def all(self) -> list[AgencyRecord]:
        async with self._transaction() as session:
            rows = (await session.scalars(sa.select(AgencyRow).order_by(AgencyRow.id))).all()
            return [to_record(AgencyRecord, r) for r in rows]

    async def get(self, agency_id: int) -> AgencyRecord | None:
        async with self._transaction() as session:
            row = await session.get(AgencyRow, agency_id)
            return to_record(AgencyRecord, row) if row is not None else None

    async def add(self, *, at: dt.datetime, **fields: Any) -> AgencyRecord:
        async with self._transaction() as session:
            row = AgencyRow(created_at=at, updated_at=at, **_typed(fields, AGENCY_ENUMS))
            session.add(row)
            await session.flush()
            return to_record(AgencyRecord, row)

    async def update(self, agency_id: int, changes: Mapping[str, Any], at: dt.datetime) -> AgencyRecord:
        async with self._transaction() as session:
            row: Any = await self._get_or_raise(session, AgencyRow, agency_id, "agency")
            for name, value in _typed(changes, AGENCY_ENUMS).items():
                setattr(row, name, value)
            row.updated_at = at
            await session.flush()
            return to_record(AgencyRecord, row)

    async def seed(self, agencies: Sequence[Mapping[str, Any]], at: dt.datetime) -> dict[str, int]:
        """Insert or update the settings file's agencies by code (origin "settings"); {code: id}."""
        ids = {}
        async with self._transaction() as session:
            for fields in (_typed(a, AGENCY_ENUMS) for a in agencies):
                row = await session.scalar(sa.select(AgencyRow).where(AgencyRow.code == fields["code"]))
                if row is None:
                    row = AgencyRow(created_at=at, origin="settings", active=True, **fields)
                    session.add(row)
                else:
                    for name, value in fields.items():
                        setattr(row, name, value)
                    row.updated_at = at
                await session.flush()
                ids[row.code] = row.id
        return ids

    # --- the agency dispatchers (users bound to one agency) ---------------------------------------
    async def bind_dispatcher(self, user_id: int, agency_id: int, at: dt.datetime) -> AgencyDispatcherRecord:
        async with self._transaction() as session:
            row = await session.get(AgencyDispatcherRow, user_id)
            if row is None:
                row = AgencyDispatcherRow(user_id=user_id, agency_id=agency_id, created_at=at)
                session.add(row)
            else:
                row.agency_id = agency_id
            await session.flush()
            return to_record(AgencyDispatcherRecord, row)

    async def dispatchers(self) -> list[AgencyDispatcherRecord]:
        async with self._transaction() as session:
            rows = (await session.scalars(sa.select(AgencyDispatcherRow))).all()
            return [to_record(AgencyDispatcherRecord, r) for r in rows]


class OfficerRepository(Repository):
    async def all(self) -> list[OfficerRecord]:
        async with self._transaction() as session:
            rows = (await session.scalars(sa.select(OfficerRow).order_by(OfficerRow.id))).all()
            return [to_record(OfficerRecord, r) for r in rows]

    async def get(self, officer_id: int) -> OfficerRecord | None:
        async with self._transaction() as session:
            row = await session.get(OfficerRow, officer_id)
            return to_record(OfficerRecord, row) if row is not None else None

    async def add(self, *, at: dt.datetime, **fields: Any) -> OfficerRecord:
        async with self._transaction() as session:
            row = OfficerRow(created_at=at, updated_at=at, **_typed(fields, OFFICER_ENUMS))
            session.add(row)
            await session.flush()
            return to_record(OfficerRecord, row)

    async def update(self, officer_id: int, changes: Mapping[str, Any], at: dt.datetime) -> OfficerRecord:
        async with self._transaction() as session:
            row: Any = await self._get_or_raise(session, OfficerRow, officer_id, "officer")
            for name, value in _typed(changes, OFFICER_ENUMS).items():
                setattr(row, name, value)
            row.updated_at = at
            await session.flush()
            return to_record(OfficerRecord, row)

    async def seed(self, officers: Sequence[Mapping[str, Any]], at: dt.datetime) -> None:
        """Insert or update the settings file's officers by device id."""
        async with self._transaction() as session:
            for fields in (_typed(o, OFFICER_ENUMS) for o in officers):
                row = await session.scalar(sa.select(OfficerRow).where(OfficerRow.device_id == fields["device_id"]))
                if row is None:
                    session.add(OfficerRow(created_at=at, updated_at=at, available=True, active=True, **fields))
                else:
                    for name, value in fields.items():
                        setattr(row, name, value)
                    row.updated_at = at


class DispatchRepository(Repository):
    async def add(self, *, fields: Mapping[str, Any]) -> DispatchRecord:
        async with self._transaction() as session:
            row = DispatchRow(**_typed(fields, ENUMS))
            session.add(row)
            await session.flush()
            return to_record(DispatchRecord, row)

    async def get(self, dispatch_id: int) -> DispatchRecord | None:
        async with self._transaction() as session:
            row = await session.get(DispatchRow, dispatch_id)
            return to_record(DispatchRecord, row) if row is not None else None

    async def update(self, dispatch_id: int, expected: DispatchStatus | str,
                     changes: Mapping[str, Any]) -> DispatchRecord:
        """Apply `changes` if the stored status is still `expected`; otherwise the move is decided
        again from the stored status (`IllegalDispatchTransition` when someone else moved it)."""
        async with self._transaction() as session:
            row: Any = await session.get(DispatchRow, dispatch_id, with_for_update=True)
            if row is None:
                raise RecordNotFound(f"dispatch {dispatch_id!r} not found")
            target = changes.get("status")
            if DispatchStatus(row.status) != DispatchStatus(expected) and target is not None:
                raise IllegalDispatchTransition(DispatchStatus(row.status), DispatchStatus(target))
            for name, value in _typed(changes, ENUMS).items():
                setattr(row, name, value)
            await session.flush()
            return to_record(DispatchRecord, row)

    async def listing(self, *, incident_id: int | None = None, agency_id: int | None = None,
                      officer_id: int | None = None, statuses: Sequence[str] = (), open_only: bool = False,
                      limit: int = 200, offset: int = 0) -> list[DispatchRecord]:
        query = sa.select(DispatchRow)
        if incident_id is not None:
            query = query.where(DispatchRow.incident_id == incident_id)
        if agency_id is not None:
            query = query.where(DispatchRow.agency_id == agency_id)
        if officer_id is not None:
            query = query.where(DispatchRow.officer_id == officer_id)
        if statuses:
            query = query.where(DispatchRow.status.in_(list(statuses)))
        if open_only:
            query = query.where(DispatchRow.status.in_([s.value for s in OPEN]))
        query = query.order_by(DispatchRow.id.desc()).limit(limit).offset(offset)
        async with self._transaction() as session:
            return [to_record(DispatchRecord, r) for r in (await session.scalars(query)).all()]

    async def open_for_incident(self, incident_id: int) -> list[DispatchRecord]:
        return await self.listing(incident_id=incident_id, open_only=True)

    async def created_between(self, start: dt.datetime, end: dt.datetime) -> list[DispatchRecord]:
        query = (sa.select(DispatchRow).where(DispatchRow.created_at >= start, DispatchRow.created_at < end)
                 .order_by(DispatchRow.id))
        async with self._transaction() as session:
            return [to_record(DispatchRecord, r) for r in (await session.scalars(query)).all()]

    async def status_counts(self) -> dict[str, int]:
        query = sa.select(DispatchRow.status, sa.func.count()).group_by(DispatchRow.status)
        async with self._transaction() as session:
            return {str(DispatchStatus(status)): int(n) for status, n in (await session.execute(query)).all()}


class PositionRepository(Repository):
    async def add(self, *, officer_id: int, received_at: dt.datetime, **fields: Any) -> OfficerPositionRecord:
        async with self._transaction() as session:
            row = OfficerPositionRow(officer_id=officer_id, received_at=received_at, **fields)
            session.add(row)
            await session.flush()
            return to_record(OfficerPositionRecord, row)

    async def trail(self, officer_id: int, since: dt.datetime, limit: int = 2000) -> list[OfficerPositionRecord]:
        query = (sa.select(OfficerPositionRow)
                 .where(OfficerPositionRow.officer_id == officer_id, OfficerPositionRow.at >= since)
                 .order_by(OfficerPositionRow.at, OfficerPositionRow.id).limit(limit))
        async with self._transaction() as session:
            return [to_record(OfficerPositionRecord, r) for r in (await session.scalars(query)).all()]

    async def latest(self) -> list[OfficerPositionRecord]:
        """Each officer's newest position (by the fix's time)."""
        newest = (sa.select(OfficerPositionRow.officer_id, sa.func.max(OfficerPositionRow.at).label("at"))
                  .group_by(OfficerPositionRow.officer_id).subquery())
        query = (sa.select(OfficerPositionRow)
                 .join(newest, sa.and_(OfficerPositionRow.officer_id == newest.c.officer_id,
                                       OfficerPositionRow.at == newest.c.at))
                 .order_by(OfficerPositionRow.officer_id, OfficerPositionRow.id.desc()))
        async with self._transaction() as session:
            rows = (await session.scalars(query)).all()
        latest: dict[int, OfficerPositionRecord] = {}
        for row in rows:
            latest.setdefault(row.officer_id, to_record(OfficerPositionRecord, row))
        return list(latest.values())

    async def count(self) -> int:
        async with self._transaction() as session:
            return int(await session.scalar(sa.select(sa.func.count()).select_from(OfficerPositionRow)) or 0)

    async def delete_before(self, cutoff: dt.datetime) -> int:
        async with self._transaction() as session:
            result = await session.execute(sa.delete(OfficerPositionRow).where(OfficerPositionRow.received_at < cutoff))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
