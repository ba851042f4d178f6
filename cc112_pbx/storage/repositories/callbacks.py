"""Callbacks for abandoned and dropped calls, and each attempt to reach the caller.

Pending callbacks live here, not only in memory, so they survive a controller restart
(`pending()`). Scheduling, attempts, outcomes and cancellations each add their timeline entry
to the incident in the same transaction. What happens after an outcome (retry, exhausted,
done) is decided by `domain.callbacks.next_step`.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from cc112_pbx.domain import timeline
from cc112_pbx.domain.callbacks import CallbackPolicy, next_step
from cc112_pbx.storage.models import Callback, CallbackAttempt
from cc112_pbx.storage.records import (
    CALLBACK_OPEN_STATUSES,
    CallbackAttemptRecord,
    CallbackOutcome,
    CallbackReason,
    CallbackRecord,
    CallbackStatus,
    to_record,
)
from cc112_pbx.storage.repositories.base import Repository
from cc112_pbx.storage.repositories.timeline import add_entries

CLOSED_STATUSES = frozenset(CallbackStatus) - set(CALLBACK_OPEN_STATUSES)


class CallbackRepository(Repository):
    async def schedule(
        self,
        *,
        incident_id: int,
        reason: CallbackReason | str,
        created_at: dt.datetime,
        due_at: dt.datetime,
        number: str | None,
        call_id: str | None = None,
        seat_id: str | None = None,
        dialable: bool = True,
        detail: str | None = None,
    ) -> CallbackRecord:
        """A callback `pending` until `due_at`; a caller that cannot be dialled (`dialable=False`,
        the no-callback callers) goes straight to the supervisor's list (status `supervisor`,
        `detail` says why). Idempotent by `call_id` (the inbound channel's call): a second schedule
        for the same dropped call returns the first."""
        status = CallbackStatus.PENDING if dialable and number else CallbackStatus.SUPERVISOR
        row = Callback(
            incident_id=incident_id, call_id=call_id, number=number, reason=CallbackReason(reason),
            status=status, created_at=created_at, due_at=due_at, seat_id=seat_id, attempts=0, detail=detail,
        )
        async with self._transaction() as session:
            if call_id is not None:
                existing = await session.scalar(sa.select(Callback).where(Callback.call_id == call_id))
                if existing is not None:
                    return to_record(CallbackRecord, existing)
            session.add(row)
            await session.flush()
            entry = timeline.callback_scheduled(created_at, row.id, due_at, row.reason.value)
            if status is CallbackStatus.SUPERVISOR:
                entry = timeline.note(created_at, timeline.SYSTEM,
                                      f"no callback: {detail or 'no callable number'}; on the supervisor list")
            await add_entries(session, incident_id, [entry])
        return to_record(CallbackRecord, row)

    async def pending(self) -> list[CallbackRecord]:
        """Every open callback (pending or mid-attempt), due first: what a restarted controller resumes.
        An `in_progress` one lost its live attempt with the old process; the service decides its fate."""
        return await self.with_status(*CALLBACK_OPEN_STATUSES)

    async def no_callback_list(self, limit: int = 100, offset: int = 0) -> list[CallbackRecord]:
        """The supervisor's list: abandoned or dropped calls with no number to call back, newest first."""
        query = (
            sa.select(Callback).where(Callback.status == CallbackStatus.SUPERVISOR)
            .order_by(Callback.created_at.desc(), Callback.id.desc()).limit(limit).offset(offset)
        )
        async with self._transaction() as session:
            return [to_record(CallbackRecord, r) for r in (await session.scalars(query)).all()]

    async def get(self, callback_id: int) -> CallbackRecord | None:
        async with self._transaction() as session:
            row = await session.get(Callback, callback_id)
            return to_record(CallbackRecord, row) if row is not None else None

    async def due(self, now: dt.datetime, limit: int = 100) -> list[CallbackRecord]:
        """Pending callbacks whose time has come, oldest due first."""
        query = (
            sa.select(Callback)
            .where(Callback.status == CallbackStatus.PENDING, Callback.due_at <= now)
            .order_by(Callback.due_at, Callback.id)
            .limit(limit)
        )
        async with self._transaction() as session:
            return [to_record(CallbackRecord, r) for r in (await session.scalars(query)).all()]

    async def with_status(self, *statuses: CallbackStatus | str) -> list[CallbackRecord]:
        """E.g. `with_status("pending", "in_progress")` after a restart, or `"supervisor"` for the list."""
        wanted = [CallbackStatus(s) for s in statuses]
        query = sa.select(Callback).where(Callback.status.in_(wanted)).order_by(Callback.due_at, Callback.id)
        async with self._transaction() as session:
            return [to_record(CallbackRecord, r) for r in (await session.scalars(query)).all()]

    async def for_incident(self, incident_id: int) -> list[CallbackRecord]:
        query = sa.select(Callback).where(Callback.incident_id == incident_id).order_by(Callback.id)
        async with self._transaction() as session:
            return [to_record(CallbackRecord, r) for r in (await session.scalars(query)).all()]

    async def start_attempt(
        self, callback_id: int, at: dt.datetime, *, seat_id: str | None = None, call_id: str | None = None
    ) -> CallbackAttemptRecord:
        """Number the next attempt, count it on the callback and mark the callback `in_progress`."""
        async with self._transaction() as session:
            callback = await self._get_or_raise(session, Callback, callback_id, "callback")
            if callback.status in CLOSED_STATUSES:
                raise ValueError(f"callback {callback_id} is {callback.status.value}; no more attempts")
            callback.attempts += 1
            callback.status = CallbackStatus.IN_PROGRESS
            attempt = CallbackAttempt(
                callback_id=callback_id, attempt_no=callback.attempts, started_at=at,
                seat_id=seat_id, call_id=call_id,
            )
            session.add(attempt)
            await add_entries(session, callback.incident_id, [
                timeline.callback_attempt(at, callback_id, callback.attempts, seat_id, call_id)])
        return to_record(CallbackAttemptRecord, attempt)

    async def update_attempt(
        self, attempt_id: int, *, seat_id: str | None = None, call_id: str | None = None
    ) -> CallbackAttemptRecord:
        """Fill in the seat and the dialled leg's call id once they are known."""
        async with self._transaction() as session:
            attempt = await self._get_or_raise(session, CallbackAttempt, attempt_id, "callback attempt")
            if seat_id is not None:
                attempt.seat_id = seat_id
            if call_id is not None:
                attempt.call_id = call_id
        return to_record(CallbackAttemptRecord, attempt)

    async def finish_attempt(
        self, attempt_id: int, at: dt.datetime, outcome: CallbackOutcome | str, *, cause: str | None = None
    ) -> CallbackAttemptRecord:
        """Stamp the attempt's end and outcome only (the callback's status is left to the caller);
        `record_outcome` also decides what comes next."""
        async with self._transaction() as session:
            attempt = await self._get_or_raise(session, CallbackAttempt, attempt_id, "callback attempt")
            attempt.ended_at = at
            attempt.outcome = CallbackOutcome(outcome)
            attempt.cause = cause
        return to_record(CallbackAttemptRecord, attempt)

    async def record_outcome(
        self, attempt_id: int, at: dt.datetime, outcome: CallbackOutcome | str, policy: CallbackPolicy,
        *, cause: str | None = None,
    ) -> tuple[CallbackAttemptRecord, CallbackRecord]:
        """The attempt ended with `outcome`: stamp it, then per the policy the callback is done,
        pending again after the spacing, exhausted at the maximum, or cancelled; with its timeline
        entry. Idempotent: an attempt already finished is returned as it is."""
        async with self._transaction() as session:
            attempt = await self._get_or_raise(session, CallbackAttempt, attempt_id, "callback attempt")
            callback = await self._get_or_raise(session, Callback, attempt.callback_id, "callback")
            if attempt.ended_at is not None:
                return to_record(CallbackAttemptRecord, attempt), to_record(CallbackRecord, callback)
            attempt.ended_at, attempt.outcome, attempt.cause = at, CallbackOutcome(outcome), cause
            status, due_at = next_step(attempt.outcome, callback.attempts, at, policy)
            if callback.status in CALLBACK_OPEN_STATUSES:
                callback.status = status
                if due_at is not None:
                    callback.due_at = due_at
                else:
                    callback.closed_at = at
            await add_entries(session, callback.incident_id, [
                timeline.callback_outcome(at, callback.id, attempt.attempt_no, attempt.outcome.value, attempt.call_id)])
        return to_record(CallbackAttemptRecord, attempt), to_record(CallbackRecord, callback)

    async def cancel(self, callback_id: int, at: dt.datetime, *, actor: str, reason: str) -> CallbackRecord:
        """Stop an open callback (a supervisor, or the caller called again); a running attempt is
        marked cancelled (hanging up its legs is the service's job). A closed callback is returned
        unchanged."""
        async with self._transaction() as session:
            callback = await self._get_or_raise(session, Callback, callback_id, "callback")
            if callback.status not in CALLBACK_OPEN_STATUSES:
                return to_record(CallbackRecord, callback)
            callback.status, callback.closed_at, callback.detail = CallbackStatus.CANCELLED, at, reason[:128]
            running = await session.scalars(sa.select(CallbackAttempt).where(
                CallbackAttempt.callback_id == callback_id, CallbackAttempt.ended_at.is_(None)))
            for attempt in running:
                attempt.ended_at, attempt.outcome = at, CallbackOutcome.CANCELLED
            entry = timeline.callback_cancelled(at, callback_id, actor, reason)
            await add_entries(session, callback.incident_id, [entry])
        return to_record(CallbackRecord, callback)

    async def reschedule(self, callback_id: int, due_at: dt.datetime) -> CallbackRecord:
        """Back to `pending` for another attempt at `due_at`."""
        async with self._transaction() as session:
            callback = await self._get_or_raise(session, Callback, callback_id, "callback")
            callback.status = CallbackStatus.PENDING
            callback.due_at = due_at
        return to_record(CallbackRecord, callback)

    async def close(self, callback_id: int, status: CallbackStatus | str, at: dt.datetime) -> CallbackRecord:
        """Finish the callback: `done`, `exhausted`, `cancelled` or handed to the `supervisor`."""
        status = CallbackStatus(status)
        if status in CALLBACK_OPEN_STATUSES:
            raise ValueError(f"close() needs a final status, not {status.value!r}")
        async with self._transaction() as session:
            callback = await self._get_or_raise(session, Callback, callback_id, "callback")
            callback.status = status
            callback.closed_at = at
        return to_record(CallbackRecord, callback)

    async def listing(self, *, statuses: tuple[str, ...] = (), seat_id: str | None = None, limit: int = 100,
                      offset: int = 0) -> list[CallbackRecord]:
        """Newest first, optionally only some statuses or one seat's."""
        query = sa.select(Callback).order_by(Callback.created_at.desc(), Callback.id.desc())
        if statuses:
            query = query.where(Callback.status.in_([CallbackStatus(s) for s in statuses]))
        if seat_id is not None:
            query = query.where(Callback.seat_id == seat_id)
        async with self._transaction() as session:
            rows = (await session.scalars(query.limit(limit).offset(offset))).all()
            return [to_record(CallbackRecord, r) for r in rows]

    async def outcome_counts(self) -> dict[str, int]:
        """How many attempts ended with each outcome (metrics)."""
        query = (
            sa.select(CallbackAttempt.outcome, sa.func.count())
            .where(CallbackAttempt.outcome.is_not(None)).group_by(CallbackAttempt.outcome)
        )
        async with self._transaction() as session:
            return {str(outcome.value): int(n) for outcome, n in (await session.execute(query)).all()}

    async def attempts(self, callback_id: int) -> list[CallbackAttemptRecord]:
        query = (
            sa.select(CallbackAttempt)
            .where(CallbackAttempt.callback_id == callback_id)
            .order_by(CallbackAttempt.attempt_no)
        )
        async with self._transaction() as session:
            return [to_record(CallbackAttemptRecord, r) for r in (await session.scalars(query)).all()]
