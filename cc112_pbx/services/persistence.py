"""The facts, written to the store: a subscriber of the `FactBus` that turns each fact into
journal writes (`journal.py`: in order, retried while the database is down, never blocking).

It keeps the store's ids it needs to link later writes (the call's recording row), and hands
the incident id back to the controller's loop with `IncidentLinked` (`post`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cc112_pbx.domain.acd import SeatAutoPaused, SeatStateChanged, SeatStatus
from cc112_pbx.services import facts as f
from cc112_pbx.services.journal import Journal
from cc112_pbx.services.ports import Clock, Store


class PersistenceSubscriber:
    def __init__(self, store: Store, journal: Journal, clock: Clock, post: Callable[[object], None]) -> None:
        self.store = store
        self.journal = journal
        self.clock = clock
        self.post = post
        # the store's ids of live calls, learnt as the writes land (the journal writes in order)
        self.recording_ids: dict[str, int] = {}  # call id -> recording row
        self.incident_ids: dict[str, int] = {}  # call id -> incident
        self._handlers: dict[type, Callable[[Any], None]] = {
            f.CallOpened: self._call_opened,
            f.CallAnswered: self._call_answered,
            f.RecordingBegan: self._recording_began,
            f.CallConnected: self._call_connected,
            f.SilentCallConfirmed: self._silent_call,
            f.CallFinished: self._call_finished,
            f.SeatLegEnded: self._seat_leg_ended,
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
            incident, _ = await store.incidents.open_for_call(
                call_id=fact.call_id, channel_id=fact.channel_id, channel_name=fact.channel_name,
                arrived_at=fact.arrived_at, dialled=fact.dialled, caller_number=fact.caller_number,
                caller_kind=fact.caller_kind.value, category_hint=fact.category,
                no_callback=fact.no_callback,
            )
            self.incident_ids[fact.call_id] = incident.id
            self.post(f.IncidentLinked(fact.call_id, incident.id))

        self.journal.submit("open_incident", write, call_id=fact.call_id)

    def _call_answered(self, fact: f.CallAnswered) -> None:
        self.journal.submit("call_answered", lambda: self.store.calls.mark_answered(fact.call_id, fact.at),
                            call_id=fact.call_id)

    def _recording_began(self, fact: f.RecordingBegan) -> None:
        store = self.store

        async def write() -> None:
            record = await store.recordings.add(call_id=fact.call_id, path=fact.path, started_at=fact.at)
            self.recording_ids[fact.call_id] = record.id

        self.journal.submit("recording_started", write, call_id=fact.call_id)

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

        self.journal.submit("call_connected", write, call_id=fact.call_id, seat=fact.seat_id)

    def _silent_call(self, fact: f.SilentCallConfirmed) -> None:
        store = self.store

        async def write() -> None:
            incident_id = self.incident_ids.get(fact.call_id)
            if incident_id is not None:
                await store.incidents.update(
                    incident_id, notes="Silent call: the caller pressed 5 5 and may not be able to speak.")

        self.journal.submit("silent_call", write, call_id=fact.call_id)

    def _call_finished(self, fact: f.CallFinished) -> None:
        store = self.store

        async def write() -> None:
            await store.calls.end(fact.call_id, fact.at, fact.outcome)
            recording_id = self.recording_ids.get(fact.call_id)
            if recording_id is not None:
                await store.recordings.finish(recording_id, fact.at)
            self.incident_ids.pop(fact.call_id, None)  # written: forget (a retry repeats the whole write)
            self.recording_ids.pop(fact.call_id, None)

        self.journal.submit("call_ended", write, call_id=fact.call_id, outcome=fact.outcome)

    def _seat_leg_ended(self, fact: f.SeatLegEnded) -> None:
        self.journal.submit("seat_leg_ended", lambda: self.store.calls.end(fact.channel_id, fact.at, "answered"),
                            channel=fact.channel_id)

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
