"""Incidents: opened with their citizen's call, changed only through the domain's rules.

Field edits and status moves are decided by `domain.incident` (`apply_changes`, `transition`)
on the stored incident, and written together with their timeline entries in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from cc112_pbx.domain import timeline
from cc112_pbx.domain.callbacks import CallbackOutcome
from cc112_pbx.domain.caller import callback_number
from cc112_pbx.domain.categories import Category, category_for_dialled, parse_category
from cc112_pbx.domain.incident import Incident as DomainIncident
from cc112_pbx.domain.incident import apply_changes, transition
from cc112_pbx.domain.incident_status import FINAL_STATUSES
from cc112_pbx.domain.repeat_caller import RecentIncident
from cc112_pbx.storage.models import Call, Callback, CallbackAttempt, Incident
from cc112_pbx.storage.records import (
    CALLBACK_OPEN_STATUSES,
    CallbackStatus,
    CallDirection,
    CallerKind,
    CallRecord,
    IncidentPage,
    IncidentRecord,
    IncidentStatus,
    Priority,
    TimelineEntryRecord,
    Verification,
    to_record,
)
from cc112_pbx.storage.repositories.base import Repository
from cc112_pbx.storage.repositories.calls import CallRepository, RecordingRepository
from cc112_pbx.storage.repositories.timeline import add_entries

__all__ = ["CallRepository", "IncidentRepository", "RecordingRepository", "incident_record"]

_UNSET: object = object()
MAX_PAGE = 500
# The domain's fields the repository copies back onto the row after a change or a transition.
_WRITABLE = (
    "status", "closed_at", "reporter_name", "callback_number", "address", "latitude", "longitude",
    "location_source", "location_accuracy_m", "category", "description", "verification", "priority", "owner",
)


def incident_record(row: Incident) -> IncidentRecord:
    record = to_record(IncidentRecord, row)
    if row.priority is not None:
        object.__setattr__(record, "priority", Priority(row.priority))
    return record


def _hint(category_hint: Category | str | None, dialled: str) -> Category | None:
    """The given hint (legacy names read), else the one the dialled legacy number implies."""
    if category_hint is not None:
        return parse_category(category_hint)
    return category_for_dialled(dialled)


def _write_back(row: Incident, incident: DomainIncident, at: dt.datetime) -> None:
    for name in _WRITABLE:
        value = getattr(incident, name)
        setattr(row, name, int(value) if name == "priority" and value is not None else value)
    row.updated_at = at


def _events(rows: Iterable[Any]) -> list[TimelineEntryRecord]:
    return [to_record(TimelineEntryRecord, r) for r in rows]


class IncidentRepository(Repository):
    async def open_draft(
        self,
        *,
        opened_at: dt.datetime,
        dialled: str,
        category_hint: Category | str | None = None,
        caller_number: str | None = None,
        no_callback: bool = False,
        notes: str = "",
    ) -> IncidentRecord:
        """A new incident in status `new`, written before anything else can fail. Without a hint,
        the legacy number dialled gives one (118 -> medical)."""
        hint = _hint(category_hint, dialled)
        row = Incident(
            opened_at=opened_at, status=IncidentStatus.NEW, dialled=dialled, category_hint=hint, category=hint,
            caller_number=caller_number, no_callback=no_callback, notes=notes,
        )
        async with self._transaction() as session:
            session.add(row)
        return incident_record(row)

    async def open_for_call(
        self,
        *,
        call_id: str,
        channel_id: str,
        channel_name: str,
        arrived_at: dt.datetime,
        dialled: str,
        caller_number: str | None = None,
        caller_kind: CallerKind | str | None = None,
        category_hint: Category | str | None = None,
        no_callback: bool = False,
    ) -> tuple[IncidentRecord, CallRecord]:
        """A citizen's call and its new incident, with an `arrived` timeline entry, in one transaction.
        Idempotent by `call_id`: when that call is already stored (a retried write), its incident
        and call are returned."""
        async with self._transaction() as session:
            call = await session.get(Call, call_id)
            if call is not None and call.incident_id is not None:
                incident = await session.get(Incident, call.incident_id)
                return incident_record(incident), to_record(CallRecord, call)
            hint = _hint(category_hint, dialled)
            incident = Incident(
                opened_at=arrived_at, status=IncidentStatus.NEW, dialled=dialled, category_hint=hint, category=hint,
                caller_number=caller_number, no_callback=no_callback, notes="",
                # the number to call back, until the call taker gives another: the caller's, in E.164
                callback_number=callback_number(caller_number),
            )
            session.add(incident)
            await session.flush()
            call = self._inbound_call(incident.id, call_id, channel_id, channel_name, arrived_at, dialled,
                                      caller_number, caller_kind)
            session.add(call)
            await session.flush()
            await add_entries(session, incident.id, [timeline.arrived(arrived_at, call_id, caller_number, dialled)],
                              key=f"arrived:{call_id}")
        return incident_record(incident), to_record(CallRecord, call)

    @staticmethod
    def _inbound_call(incident_id: int, call_id: str, channel_id: str, channel_name: str, arrived_at: dt.datetime,
                      dialled: str, caller_number: str | None, caller_kind: CallerKind | str | None) -> Call:
        return Call(
            id=call_id, incident_id=incident_id, direction=CallDirection.INBOUND, channel_id=channel_id,
            channel_name=channel_name, caller_number=caller_number,
            caller_kind=CallerKind(caller_kind) if caller_kind is not None else None,
            dialled=dialled, arrived_at=arrived_at,
        )

    async def link_repeat_call(
        self,
        *,
        incident_id: int,
        call_id: str,
        channel_id: str,
        channel_name: str,
        arrived_at: dt.datetime,
        dialled: str,
        caller_number: str,
        caller_kind: CallerKind | str | None = None,
    ) -> tuple[IncidentRecord, CallRecord, list[int]]:
        """A repeat caller's new call, linked to its open incident; that incident's open callbacks
        to this number are cancelled (the citizen is on the line). Returns the cancelled callback
        ids. Idempotent by `call_id`."""
        async with self._transaction() as session:
            incident = await self._get_or_raise(session, Incident, incident_id, "incident")
            call = await session.get(Call, call_id)
            if call is not None:
                return incident_record(incident), to_record(CallRecord, call), []
            call = self._inbound_call(incident_id, call_id, channel_id, channel_name, arrived_at, dialled,
                                      caller_number, caller_kind)
            session.add(call)
            await session.flush()
            cancelled = await self._cancel_callbacks_to(session, incident_id, caller_number, arrived_at)
            entries = [timeline.linked_repeat_call(arrived_at, call_id, caller_number)]
            entries += [timeline.callback_cancelled(arrived_at, cid, timeline.SYSTEM, "the caller called again")
                        for cid in cancelled]
            await add_entries(session, incident_id, entries, key=f"repeat:{call_id}")
        return incident_record(incident), to_record(CallRecord, call), cancelled

    @staticmethod
    async def _cancel_callbacks_to(session: AsyncSession, incident_id: int, number: str, at: dt.datetime) -> list[int]:
        wanted = callback_number(number)
        rows = (await session.scalars(
            sa.select(Callback).where(Callback.incident_id == incident_id,
                                      Callback.status.in_(CALLBACK_OPEN_STATUSES)).order_by(Callback.id)
        )).all()
        cancelled = []
        for row in rows:
            if callback_number(row.number) != wanted:
                continue
            row.status, row.closed_at, row.detail = CallbackStatus.CANCELLED, at, "the caller called again"
            running = await session.scalars(sa.select(CallbackAttempt).where(
                CallbackAttempt.callback_id == row.id, CallbackAttempt.ended_at.is_(None)))
            for attempt in running:
                attempt.ended_at, attempt.outcome = at, CallbackOutcome.CANCELLED
            cancelled.append(row.id)
        return cancelled

    async def get(self, incident_id: int) -> IncidentRecord | None:
        async with self._transaction() as session:
            row = await session.get(Incident, incident_id)
            return incident_record(row) if row is not None else None

    async def change(
        self, incident_id: int, changes: Mapping[str, Any], *, actor: str, at: dt.datetime
    ) -> tuple[IncidentRecord, list[TimelineEntryRecord]]:
        """Apply a call taker's or supervisor's edits (validated by `domain.incident.apply_changes`,
        which raises `InvalidChanges` naming every bad field) and record each change on the timeline."""
        async with self._transaction() as session:
            row = await self._get_or_raise(session, Incident, incident_id, "incident")
            updated, changed = apply_changes(incident_record(row).to_domain(), changes, actor, at)
            if not changed:
                return incident_record(row), []
            _write_back(row, updated, at)
            events = await add_entries(session, incident_id, [c.entry() for c in changed])
        return incident_record(row), _events(events)

    async def transition(
        self, incident_id: int, target: IncidentStatus | str, *, actor: str, at: dt.datetime, reason: str = ""
    ) -> tuple[IncidentRecord, list[TimelineEntryRecord]]:
        """Move the status if the lifecycle allows it (`IllegalTransition` otherwise, nothing written)."""
        async with self._transaction() as session:
            row = await self._get_or_raise(session, Incident, incident_id, "incident")
            updated, changed = transition(incident_record(row).to_domain(), target, actor, at, reason)
            _write_back(row, updated, at)
            events = await add_entries(session, incident_id, [c.entry() for c in changed])
        return incident_record(row), _events(events)

    async def set_status(
        self, incident_id: int, status: IncidentStatus | str, at: dt.datetime, *, actor: str = timeline.SYSTEM
    ) -> IncidentRecord:
        """`transition` for callers that only need the record (kept for the services)."""
        record, _ = await self.transition(incident_id, status, actor=actor, at=at)
        return record

    async def update(
        self, incident_id: int, *, category_hint: Category | str | object | None = _UNSET,
        notes: str | object = _UNSET,
    ) -> IncidentRecord:
        """Set the category hint or the controller's notes (e.g. "silent call"); no timeline entry.
        The call taker's fields go through `change`."""
        async with self._transaction() as session:
            row = await self._get_or_raise(session, Incident, incident_id, "incident")
            if category_hint is not _UNSET:
                row.category_hint = parse_category(category_hint) if category_hint is not None else None
            if notes is not _UNSET:
                row.notes = notes
        return incident_record(row)

    async def recent(
        self, limit: int = 50, status: IncidentStatus | str | None = None
    ) -> list[IncidentRecord]:
        """Newest first."""
        query = sa.select(Incident).order_by(Incident.opened_at.desc(), Incident.id.desc()).limit(limit)
        if status is not None:
            query = query.where(Incident.status == IncidentStatus(status))
        async with self._transaction() as session:
            return [incident_record(r) for r in (await session.scalars(query)).all()]

    async def search(
        self,
        *,
        opened_from: dt.datetime | None = None,
        opened_before: dt.datetime | None = None,
        status: Iterable[IncidentStatus | str] | IncidentStatus | str | None = None,
        category: Category | str | None = None,
        seat: str | None = None,
        verification: Verification | str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> IncidentPage:
        """Newest first, filtered: opened in [from, before), any of the statuses, the category,
        the verification, and `seat` (the owner, or any seat that had one of its calls)."""
        if not 1 <= limit <= MAX_PAGE or offset < 0:
            raise ValueError(f"limit must be 1..{MAX_PAGE} and offset >= 0 (got {limit}, {offset})")
        where = []
        if opened_from is not None:
            where.append(Incident.opened_at >= opened_from)
        if opened_before is not None:
            where.append(Incident.opened_at < opened_before)
        if status is not None:
            statuses = [status] if isinstance(status, str) else list(status)
            where.append(Incident.status.in_([IncidentStatus(s) for s in statuses]))
        if category is not None:
            where.append(Incident.category == parse_category(category))
        if verification is not None:
            where.append(Incident.verification == Verification(verification))
        if seat is not None:
            on_a_call = sa.select(Call.id).where(Call.incident_id == Incident.id, Call.seat_id == seat).exists()
            where.append(sa.or_(Incident.owner == seat, on_a_call))
        query = sa.select(Incident).where(*where)
        count = sa.select(sa.func.count()).select_from(query.subquery())
        page = query.order_by(Incident.opened_at.desc(), Incident.id.desc()).limit(limit).offset(offset)
        async with self._transaction() as session:
            total = await session.scalar(count)
            items = [incident_record(r) for r in (await session.scalars(page)).all()]
        return IncidentPage(items, int(total or 0), limit, offset)

    async def recent_for_number(self, number: str, since: dt.datetime) -> list[RecentIncident]:
        """Open incidents whose caller or callback number is `number` (E.164) with a call since
        `since`: the candidates `domain.repeat_caller.match_repeat_call` chooses from."""
        # correlated, so only the calls of this number's incidents are read (by their index), not
        # every call ever stored grouped on each arrival; an incident with no call has no last call
        last_call_at = (
            sa.select(sa.func.max(Call.arrived_at)).where(Call.incident_id == Incident.id)
            .correlate(Incident).scalar_subquery()
        )
        query = (
            sa.select(Incident, last_call_at.label("last_call_at"))
            .where(sa.or_(Incident.caller_number == number, Incident.callback_number == number),
                   Incident.status.not_in(FINAL_STATUSES), last_call_at >= since)
        )
        async with self._transaction() as session:
            found = []
            for row, last_call_at in (await session.execute(query)).all():
                seat = row.owner or await session.scalar(
                    sa.select(Call.seat_id).where(Call.incident_id == row.id, Call.seat_id.is_not(None))
                    .order_by(Call.arrived_at.desc()).limit(1))
                found.append(RecentIncident(row.id, row.status, last_call_at,
                                            (row.caller_number, row.callback_number), seat))
        return found
