"""The facts, written to the store: a subscriber of the `FactBus` that turns each fact into
journal writes (`journal.py`: in order, retried while the database is down, never blocking).

It keeps the store's ids it needs to link later writes (the call's recording row), and hands
the incident id back to the controller's loop with `IncidentLinked` (`post`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import structlog

from cc112_pbx.domain import timeline
from cc112_pbx.domain.acd import SeatAutoPaused, SeatStateChanged, SeatStatus
from cc112_pbx.domain.call_tags import CallTag
from cc112_pbx.domain.callbacks import CallbackPolicy
from cc112_pbx.domain.caller import callback_number
from cc112_pbx.domain.incident import InvalidChanges
from cc112_pbx.domain.incident_status import IllegalTransition, IncidentStatus
from cc112_pbx.domain.repeat_caller import match_repeat_call
from cc112_pbx.services import facts as f
from cc112_pbx.services.journal import Journal
from cc112_pbx.services.ports import Clock, Store

log = structlog.get_logger("cc112.persistence")


KEPT_IDS = 10_000  # ids of ended calls kept for writes that follow their end (callbacks)


def _forget_oldest(ids: dict[str, int]) -> None:
    while len(ids) > KEPT_IDS:
        del ids[next(iter(ids))]


class PersistenceSubscriber:
    def __init__(self, store: Store, journal: Journal, clock: Clock, post: Callable[[object], None],
                 callback_policy: Callable[[], CallbackPolicy] = CallbackPolicy) -> None:
        self.store = store
        self.journal = journal
        self.clock = clock
        self.post = post
        self.callback_policy = callback_policy
        self.callback_ids: dict[str, int] = {}  # callback key -> the store's callback
        self.attempt_ids: dict[str, int] = {}  # callback key -> its running attempt
        # the store's ids of live calls, learnt as the writes land (the journal writes in order)
        self.recording_ids: dict[str, int] = {}  # call id -> recording row
        self.incident_ids: dict[str, int] = {}  # call id -> incident
        self._handlers: dict[type, Callable[[Any], None]] = {
            f.CallOpened: self._call_opened,
            f.CallAnswered: self._call_answered,
            f.RecordingBegan: self._recording_began,
            f.CallConnected: self._call_connected,
            f.SilentCallConfirmed: self._silent_call,
            f.CallerSilent: self._caller_silent,
            f.CallFinished: self._call_finished,
            f.SeatLegEnded: self._seat_leg_ended,
            f.SeatRinging: self._seat_ringing,
            f.CallbackScheduled: self._callback_scheduled,
            f.CallbackStored: self._callback_stored,
            f.CallbackAttemptStarted: self._callback_attempt_started,
            f.CallbackAttemptEnded: self._callback_attempt_ended,
            f.CallbackCancelled: self._callback_cancelled,
            SeatStateChanged: self._seat_state,
            SeatAutoPaused: self._seat_auto_paused,
        }

    def __call__(self, fact: object) -> None:
        handler = self._handlers.get(type(fact))
        if handler is not None:
            handler(fact)

    # --- calls ---------------------------------------------------------------------------------
    def _call_opened(self, fact: f.CallOpened) -> None:
        if fact.recording_id is not None:
            self.recording_ids[fact.call_id] = fact.recording_id
        if fact.incident_id is not None:
            self.incident_ids[fact.call_id] = fact.incident_id
        if fact.stored_call:
            return
        store = self.store

        async def write() -> None:
            repeat_of = fact.repeat_of if fact.repeat_of is not None else await self._open_incident_of(fact)
            if repeat_of is not None and fact.caller_number:
                incident, _, cancelled = await store.incidents.link_repeat_call(
                    incident_id=repeat_of, call_id=fact.call_id, channel_id=fact.channel_id,
                    channel_name=fact.channel_name, arrived_at=fact.arrived_at, dialled=fact.dialled,
                    caller_number=fact.caller_number, caller_kind=fact.caller_kind.value)
                log.info("repeat_call_linked", call_id=fact.call_id, incident_id=incident.id,
                         cancelled_callbacks=cancelled)
            else:
                incident, _ = await store.incidents.open_for_call(
                    call_id=fact.call_id, channel_id=fact.channel_id, channel_name=fact.channel_name,
                    arrived_at=fact.arrived_at, dialled=fact.dialled, caller_number=fact.caller_number,
                    caller_kind=fact.caller_kind.value, category_hint=fact.category, no_callback=fact.no_callback,
                )
            self.incident_ids[fact.call_id] = incident.id
            self.post(f.IncidentLinked(fact.call_id, incident.id))

        self.journal.submit("open_incident", write, call_id=fact.call_id)

    async def _open_incident_of(self, fact: f.CallOpened) -> int | None:
        """A repeat caller the controller did not recognise (it restarted since): the store knows."""
        number = callback_number(fact.caller_number)
        if number is None or fact.repeat_window <= 0:
            return None
        since = fact.arrived_at - timedelta(seconds=fact.repeat_window)
        candidates = await self.store.incidents.recent_for_number(number, since)
        match = match_repeat_call(fact.caller_number, fact.arrived_at, candidates, fact.repeat_window)
        return match.incident_id if match else None

    def _timeline(self, name: str, call_id: str, entry: timeline.TimelineEntry) -> None:
        """Append a call's event to its incident's timeline (once: keyed by kind and call)."""
        store = self.store

        async def write() -> None:
            incident_id = self.incident_ids.get(call_id)
            if incident_id is not None:
                await store.timeline.append(incident_id, [entry], key=f"{entry.kind.value}:{call_id}:{entry.at}")

        self.journal.submit(name, write, call_id=call_id)

    def _call_answered(self, fact: f.CallAnswered) -> None:
        self.journal.submit("call_answered", lambda: self.store.calls.mark_answered(fact.call_id, fact.at),
                            call_id=fact.call_id)

    def _recording_began(self, fact: f.RecordingBegan) -> None:
        store = self.store

        async def write() -> None:
            record = await store.recordings.add(call_id=fact.call_id, path=fact.path, started_at=fact.at)
            self.recording_ids[fact.call_id] = record.id

        self.journal.submit("recording_started", write, call_id=fact.call_id)
        self._timeline("timeline_recording", fact.call_id, timeline.recording_started(fact.at, fact.call_id, fact.path))

    def _seat_ringing(self, fact: f.SeatRinging) -> None:
        self._timeline("timeline_offer", fact.call_id,
                       timeline.offered_to_seat(self.clock.wall(), fact.call_id, fact.seat_id))

    def _call_connected(self, fact: f.CallConnected) -> None:
        store = self.store

        async def write() -> None:
            await store.calls.add(
                call_id=fact.seat_channel_id, direction="seat", channel_id=fact.seat_channel_id,
                channel_name=fact.seat_id, arrived_at=fact.at, incident_id=self.incident_ids.get(fact.call_id),
                seat_id=fact.seat_id,
                peer_call_id=fact.call_id,
            )
            await store.calls.mark_connected(fact.call_id, fact.at, seat_id=fact.seat_id,
                                             peer_call_id=fact.seat_channel_id)
            recording_id = self.recording_ids.get(fact.call_id)
            if recording_id is not None:
                await store.recordings.set_seat(recording_id, fact.seat_id)
            await self._take_report(fact)

        self.journal.submit("call_connected", write, call_id=fact.call_id, seat=fact.seat_id)
        self._timeline("timeline_answered", fact.call_id,
                       timeline.answered_by_seat(fact.at, fact.call_id, fact.seat_id))

    async def _take_report(self, fact: f.CallConnected) -> None:
        """A new incident is in progress once a call taker talks to the citizen (a repeat call's
        or a callback's incident has usually moved on already: left as it is)."""
        incident_id = self.incident_ids.get(fact.call_id)
        if incident_id is None:
            return
        try:
            await self.store.incidents.transition(incident_id, IncidentStatus.IN_PROGRESS, actor=fact.seat_id,
                                                  at=fact.at, reason="answered")
        except IllegalTransition:
            pass

    def _silent_call(self, fact: f.SilentCallConfirmed) -> None:
        """A silent emergency: the caller pressed 5 5. The incident becomes critical."""
        store, at = self.store, self.clock.wall()

        async def write() -> None:
            incident_id = self.incident_ids.get(fact.call_id)
            if incident_id is None:
                return
            await store.timeline.append(incident_id, [timeline.note(
                at, timeline.CALLER, "Silent emergency: the caller pressed 5 5 and may not be able to speak.")],
                key=f"silent:{fact.call_id}")
            await self._tag_call(fact.call_id, CallTag.SILENT, at, fact.caller_number)
            try:
                await store.incidents.change(incident_id, {"priority": 1}, actor="system", at=at)
            except InvalidChanges as exc:  # a closed incident keeps its priority: the note says it
                log.info("silent_priority_not_raised", incident_id=incident_id, errors=str(exc))

        self.journal.submit("silent_call", write, call_id=fact.call_id)

    def _caller_silent(self, fact: f.CallerSilent) -> None:
        self._timeline("timeline_silence", fact.call_id, timeline.note(
            self.clock.wall(), timeline.SYSTEM, "The caller has not spoken: asked to press 5 5 if they cannot talk."))

    def _call_finished(self, fact: f.CallFinished) -> None:
        store = self.store
        recording_path = fact.recording_path
        self._timeline("timeline_hung_up", fact.call_id,
                       timeline.hung_up(fact.at, fact.call_id, fact.hung_up_by or timeline.HangupParty.SYSTEM))
        if recording_path is not None:
            self._timeline("timeline_recording_end", fact.call_id,
                           timeline.recording_stopped(fact.at, fact.call_id, recording_path))

        async def write() -> None:
            await store.calls.end(fact.call_id, fact.at, fact.outcome, hung_up_by=fact.hung_up_by)
            recording_id = self.recording_ids.get(fact.call_id)
            if recording_id is not None:
                await store.recordings.finish(recording_id, fact.at)
            if fact.ghost:
                await self._tag_ghost(fact)
                await self._tag_call(fact.call_id, CallTag.GHOST, fact.at, fact.caller_number)
            self.recording_ids.pop(fact.call_id, None)  # written: forget (a retry repeats the whole write)
            _forget_oldest(self.incident_ids)  # kept a while: the call's callback is written after it

        self.journal.submit("call_ended", write, call_id=fact.call_id, outcome=fact.outcome)

    async def _tag_call(self, call_id: str, tag: CallTag, at: datetime, caller_number: str | None) -> None:
        """The system's own tag (issue 19): a ghost call, or a caller who pressed 5 5 (silent)."""
        await self.store.call_tags.add(call_id=call_id, tag=tag.value, actor="system", at=at,
                                       incident_id=self.incident_ids.get(call_id),
                                       number=callback_number(caller_number))

    async def _tag_ghost(self, fact: f.CallFinished) -> None:
        incident_id = self.incident_ids.get(fact.call_id)
        if incident_id is None:
            return
        try:
            await self.store.incidents.change(incident_id, {"verification": "ghost"}, actor="system", at=fact.at)
        except InvalidChanges as exc:  # the call taker judged it already
            log.info("ghost_tag_not_applied", incident_id=incident_id, errors=str(exc))

    # --- callbacks -------------------------------------------------------------------------------
    def _callback_scheduled(self, fact: f.CallbackScheduled) -> None:
        store = self.store

        async def write() -> None:
            incident_id = fact.incident_id or self.incident_ids.get(fact.key)
            if incident_id is None:
                log.error("callback_without_incident", key=fact.key)
                return
            record = await store.callbacks.schedule(
                incident_id=incident_id, reason=fact.reason, created_at=fact.created_at, due_at=fact.due_at,
                number=fact.number, call_id=fact.key, seat_id=fact.seat_id, dialable=fact.dialable,
                detail=fact.detail)
            self.callback_ids[fact.key] = record.id
            self.post(f.CallbackStored(fact.key, record.id))

        self.journal.submit("callback_scheduled", write, call_id=fact.key)

    def _callback_stored(self, fact: f.CallbackStored) -> None:
        self.callback_ids[fact.key] = fact.callback_id

    def _callback_attempt_started(self, fact: f.CallbackAttemptStarted) -> None:
        store = self.store
        if fact.incident_id is not None:
            self.incident_ids[fact.call_id] = fact.incident_id

        async def write() -> None:
            callback_id = self.callback_ids.get(fact.key)
            await store.calls.add(call_id=fact.call_id, direction="callback", channel_id=fact.channel_id,
                                  channel_name=fact.number, arrived_at=fact.at, incident_id=fact.incident_id)
            if callback_id is not None:
                attempt = await store.callbacks.start_attempt(callback_id, fact.at, call_id=fact.call_id)
                self.attempt_ids[fact.key] = attempt.id

        self.journal.submit("callback_attempt_started", write, call_id=fact.call_id)

    def _callback_attempt_ended(self, fact: f.CallbackAttemptEnded) -> None:
        store = self.store

        async def write() -> None:
            attempt_id = self.attempt_ids.pop(fact.key, None)
            if attempt_id is not None:
                if fact.seat_id is not None:
                    await store.callbacks.update_attempt(attempt_id, seat_id=fact.seat_id)
                await store.callbacks.record_outcome(attempt_id, fact.at, fact.outcome, self.callback_policy())

        self.journal.submit("callback_attempt_ended", write, call_id=fact.call_id, outcome=fact.outcome)

    def _callback_cancelled(self, fact: f.CallbackCancelled) -> None:
        store = self.store

        async def write() -> None:
            callback_id = self.callback_ids.get(fact.key)
            if callback_id is not None:
                await store.callbacks.cancel(callback_id, fact.at, actor=fact.actor, reason=fact.reason)

        self.journal.submit("callback_cancelled", write, call_id=fact.key)

    def _seat_leg_ended(self, fact: f.SeatLegEnded) -> None:
        store = self.store

        async def write() -> None:
            try:
                await store.calls.end(fact.channel_id, fact.at, "answered")
            except LookupError:
                pass  # it never carried a conversation (hung up before it was bridged): no row of its own

        self.journal.submit("seat_leg_ended", write, channel=fact.channel_id)

    # --- seats -----------------------------------------------------------------------------------
    def _seat_state(self, command: SeatStateChanged) -> None:
        seats, at, seat = self.store.seats, self.clock.wall(), command.seat_id
        if (command.old is SeatStatus.LOGGED_OUT) != (command.new is SeatStatus.LOGGED_OUT):
            logged_in = command.new is not SeatStatus.LOGGED_OUT
            self.journal.submit("seat_login", lambda: seats.set_logged_in(seat, logged_in, at), seat=seat)
        if (command.old is SeatStatus.PAUSED) != (command.new is SeatStatus.PAUSED):
            reason = command.reason if command.new is SeatStatus.PAUSED else None
            self.journal.submit("seat_pause", lambda: seats.set_paused(seat, reason, at), seat=seat)

    def _seat_auto_paused(self, command: SeatAutoPaused) -> None:
        at = self.clock.wall()
        self.journal.submit(
            "audit_auto_pause",
            lambda: self.store.audit.record(actor="cc112", action="seat_auto_paused", at=at,
                                            details={"seat": command.seat_id, "missed": command.missed}),
            seat=command.seat_id,
        )
