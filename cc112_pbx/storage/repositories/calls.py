"""The calls (one row per channel leg: inbound, seat, callback) and their recordings."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from cc112_pbx.storage.models import Call, Incident, Recording
from cc112_pbx.storage.records import (
    CallDirection,
    CallerKind,
    CallOutcome,
    CallRecord,
    HangupParty,
    IncidentStatus,
    RecordingRecord,
    to_record,
)
from cc112_pbx.storage.repositories.base import Repository


class CallRepository(Repository):
    async def add(
        self,
        *,
        call_id: str,
        direction: CallDirection | str,
        channel_id: str,
        channel_name: str,
        arrived_at: dt.datetime,
        incident_id: int | None = None,
        caller_number: str | None = None,
        caller_kind: CallerKind | str | None = None,
        dialled: str | None = None,
        seat_id: str | None = None,
        peer_call_id: str | None = None,
    ) -> CallRecord:
        """Store one channel leg. Idempotent: if `call_id` is already stored, that row is returned."""
        row = Call(
            id=call_id,
            incident_id=incident_id,
            direction=CallDirection(direction),
            channel_id=channel_id,
            channel_name=channel_name,
            caller_number=caller_number,
            caller_kind=CallerKind(caller_kind) if caller_kind is not None else None,
            dialled=dialled,
            seat_id=seat_id,
            peer_call_id=peer_call_id,
            arrived_at=arrived_at,
        )
        async with self._transaction() as session:
            existing = await session.get(Call, call_id)
            if existing is not None:
                return to_record(CallRecord, existing)
            session.add(row)
        return to_record(CallRecord, row)

    async def get(self, call_id: str) -> CallRecord | None:
        async with self._transaction() as session:
            row = await session.get(Call, call_id)
            return to_record(CallRecord, row) if row is not None else None

    async def by_channel(self, channel_id: str) -> CallRecord | None:
        """The newest call row for an Asterisk channel id."""
        query = sa.select(Call).where(Call.channel_id == channel_id).order_by(Call.arrived_at.desc()).limit(1)
        async with self._transaction() as session:
            row = await session.scalar(query)
            return to_record(CallRecord, row) if row is not None else None

    async def mark_answered(self, call_id: str, at: dt.datetime) -> CallRecord:
        async with self._transaction() as session:
            row = await self._get_or_raise(session, Call, call_id, "call")
            row.answered_at = at
        return to_record(CallRecord, row)

    async def mark_connected(
        self, call_id: str, at: dt.datetime, *, seat_id: str | None = None, peer_call_id: str | None = None
    ) -> CallRecord:
        """The leg is bridged with its peer (the caller with a seat); `seat_id`/`peer_call_id` if given."""
        async with self._transaction() as session:
            row = await self._get_or_raise(session, Call, call_id, "call")
            row.connected_at = at
            if seat_id is not None:
                row.seat_id = seat_id
            if peer_call_id is not None:
                row.peer_call_id = peer_call_id
        return to_record(CallRecord, row)

    async def end(
        self, call_id: str, at: dt.datetime, outcome: CallOutcome | str | None, cause: str | None = None,
        *, hung_up_by: HangupParty | str | None = None,
    ) -> CallRecord:
        """The leg ended: its outcome, the Q.850 cause and who hung up (when known)."""
        async with self._transaction() as session:
            row = await self._get_or_raise(session, Call, call_id, "call")
            row.ended_at = at
            row.outcome = CallOutcome(outcome) if outcome is not None else None
            row.hangup_cause = cause
            if hung_up_by is not None:
                row.hung_up_by = HangupParty(hung_up_by)
        return to_record(CallRecord, row)

    async def for_incident(self, incident_id: int) -> list[CallRecord]:
        query = sa.select(Call).where(Call.incident_id == incident_id).order_by(Call.arrived_at, Call.id)
        async with self._transaction() as session:
            return [to_record(CallRecord, r) for r in (await session.scalars(query)).all()]

    async def inbound_between(self, start: dt.datetime, end: dt.datetime) -> list[CallRecord]:
        """Citizens' calls that arrived in [start, end), oldest first (service-level reports)."""
        query = (
            sa.select(Call)
            .where(Call.direction == CallDirection.INBOUND, Call.arrived_at >= start, Call.arrived_at < end)
            .order_by(Call.arrived_at, Call.id)
        )
        async with self._transaction() as session:
            return [to_record(CallRecord, r) for r in (await session.scalars(query)).all()]

    async def active(self) -> list[CallRecord]:
        """Calls not ended yet (after a restart: what may still be up in Asterisk)."""
        query = sa.select(Call).where(Call.ended_at.is_(None)).order_by(Call.arrived_at, Call.id)
        async with self._transaction() as session:
            return [to_record(CallRecord, r) for r in (await session.scalars(query)).all()]


class RecordingRepository(Repository):
    async def add(
        self, *, call_id: str, path: str, started_at: dt.datetime, seat_id: str | None = None
    ) -> RecordingRecord:
        """Idempotent: the same `call_id` and `path` again returns the stored recording."""
        row = Recording(call_id=call_id, seat_id=seat_id, path=path, started_at=started_at)
        same = sa.select(Recording).where(Recording.call_id == call_id, Recording.path == path)
        async with self._transaction() as session:
            existing = await session.scalar(same)
            if existing is not None:
                return to_record(RecordingRecord, existing)
            session.add(row)
        return to_record(RecordingRecord, row)

    async def get(self, recording_id: int) -> RecordingRecord | None:
        async with self._transaction() as session:
            row = await session.get(Recording, recording_id)
            return to_record(RecordingRecord, row) if row is not None else None

    async def recent(self, limit: int = 100, offset: int = 0, *, seat_id: str | None = None) -> list[RecordingRecord]:
        """Newest first; with `seat_id`, only recordings of calls that seat had."""
        query = sa.select(Recording).order_by(Recording.started_at.desc(), Recording.id.desc())
        if seat_id is not None:
            query = query.where(Recording.seat_id == seat_id)
        async with self._transaction() as session:
            rows = (await session.scalars(query.limit(limit).offset(offset))).all()
            return [to_record(RecordingRecord, r) for r in rows]

    async def finish(self, recording_id: int, ended_at: dt.datetime) -> RecordingRecord:
        """Stamp the end and the duration in seconds."""
        async with self._transaction() as session:
            row = await self._get_or_raise(session, Recording, recording_id, "recording")
            row.ended_at = ended_at
            row.duration_s = max(0.0, (ended_at - row.started_at).total_seconds())
        return to_record(RecordingRecord, row)

    async def set_seat(self, recording_id: int, seat_id: str) -> RecordingRecord:
        async with self._transaction() as session:
            row = await self._get_or_raise(session, Recording, recording_id, "recording")
            row.seat_id = seat_id
        return to_record(RecordingRecord, row)

    async def for_call(self, call_id: str) -> list[RecordingRecord]:
        query = sa.select(Recording).where(Recording.call_id == call_id).order_by(Recording.id)
        async with self._transaction() as session:
            return [to_record(RecordingRecord, r) for r in (await session.scalars(query)).all()]

    async def for_calls(self, call_ids: list[str]) -> dict[str, list[RecordingRecord]]:
        """The recordings of many calls in one query (a takeover's adoption), by call id, oldest first."""
        out: dict[str, list[RecordingRecord]] = {call_id: [] for call_id in call_ids}
        if not call_ids:
            return out
        query = sa.select(Recording).where(Recording.call_id.in_(call_ids)).order_by(Recording.id)
        async with self._transaction() as session:
            for row in (await session.scalars(query)).all():
                out[row.call_id].append(to_record(RecordingRecord, row))
        return out

    async def for_incident(self, incident_id: int) -> list[RecordingRecord]:
        query = (
            sa.select(Recording)
            .join(Call, Call.id == Recording.call_id)
            .where(Call.incident_id == incident_id)
            .order_by(Recording.started_at, Recording.id)
        )
        async with self._transaction() as session:
            return [to_record(RecordingRecord, r) for r in (await session.scalars(query)).all()]

    # --- checksums and retention (issue 15) -------------------------------------------------
    async def set_checksum(self, call_id: str, path: str, *, size_bytes: int | None, sha256: str | None,
                           state: str, at: dt.datetime) -> RecordingRecord | None:
        """The file's size and SHA-256 (`state` "ok"), or that it could not be read here ("unchecked").
        None when no such recording is stored (e.g. its start was never written before a crash): nothing
        to stamp, and no error (a write that cannot succeed would hold the journal back)."""
        query = sa.select(Recording).where(Recording.call_id == call_id, Recording.path == path)
        async with self._transaction() as session:
            row = await session.scalar(query)
            if row is None:
                return None
            row.size_bytes, row.sha256, row.checksum_state, row.checked_at = size_bytes, sha256, state, at
        return to_record(RecordingRecord, row)

    async def kept(self, limit: int | None = None) -> list[RecordingRecord]:
        """Recordings whose file was not deleted by the retention policy, newest first."""
        query = (sa.select(Recording).where(Recording.deleted_at.is_(None))
                 .order_by(Recording.started_at.desc(), Recording.id.desc()))
        if limit is not None:
            query = query.limit(limit)
        async with self._transaction() as session:
            return [to_record(RecordingRecord, r) for r in (await session.scalars(query)).all()]

    async def ended_before_without_open_incident(self, before: dt.datetime) -> list[RecordingRecord]:
        """Recordings ended before `before`, not deleted yet, whose call has no incident or a closed or
        cancelled one (the candidates of the retention policy), oldest first."""
        finished = (IncidentStatus.CLOSED, IncidentStatus.CANCELLED)
        query = (
            sa.select(Recording)
            .join(Call, Call.id == Recording.call_id)
            .outerjoin(Incident, Incident.id == Call.incident_id)
            .where(Recording.deleted_at.is_(None), Recording.ended_at.is_not(None), Recording.ended_at < before,
                   sa.or_(Incident.id.is_(None), Incident.status.in_(finished)))
            .order_by(Recording.ended_at, Recording.id)
        )
        async with self._transaction() as session:
            return [to_record(RecordingRecord, r) for r in (await session.scalars(query)).all()]

    async def mark_deleted(self, recording_id: int, at: dt.datetime) -> RecordingRecord:
        async with self._transaction() as session:
            row = await self._get_or_raise(session, Recording, recording_id, "recording")
            row.deleted_at = at
        return to_record(RecordingRecord, row)
