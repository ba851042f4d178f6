"""The API's handle on the running controller: every change goes through `controller.request`
(run inside the controller's loop, serialised with Asterisk's events); reads of the ACD core and
the sessions are plain, synchronous looks from the same event loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from cc112_pbx.domain.acd import CallPhase, QueueConfig, SeatConfig, SeatStatus
from cc112_pbx.domain.incident_status import IncidentStatus
from cc112_pbx.services.api_errors import Conflict, NotFound
from cc112_pbx.services.call_flow import IncidentStatusChanged
from cc112_pbx.services.callbacks import PendingCallback
from cc112_pbx.services.controller import Controller
from cc112_pbx.services.sessions import CallSession

QUEUE_FIELDS = ("strategy", "ring_timeout", "wrapup_time", "auto_pause_after_missed", "overflow_after")
# the versioned settings' callback_<name> -> the `CallbackPolicy` attribute
CALLBACK_FIELDS = {"enabled": "enabled", "first_delay": "first_delay", "max_attempts": "max_attempts",
                   "retry_interval": "spacing", "ring_timeout": "ring_timeout", "seat_cap": "seat_cap"}
BUSY = (SeatStatus.OFFERED, SeatStatus.ON_CALL)


class LiveControl:
    def __init__(self, controller: Controller) -> None:
        self.controller = controller
        self._state_since: dict[str, float] = {}  # seat: monotonic time of its last state change

    def observe(self, notice: dict[str, Any]) -> None:
        """A `Notifier` listener: remembers when each seat last changed state (`state_s` in the snapshot)."""
        if notice.get("kind") == "seat_state" and notice.get("seat"):
            self._state_since[notice["seat"]] = self._now()

    def _now(self) -> float:
        return self.controller.ctx.clock.monotonic()

    # --- queue configuration ---------------------------------------------------------------------
    def queue_fields(self) -> dict[str, Any]:
        config, policy = self.controller.acd.config, self.controller.callbacks.policy
        return {**{name: getattr(config, name) for name in QUEUE_FIELDS},
                **{f"callback_{name}": getattr(policy, attr) for name, attr in CALLBACK_FIELDS.items()}}

    async def apply_queue(self, fields: Mapping[str, Any]) -> None:
        """From the very next decision of the ACD core on (calls in progress keep their offers);
        the callback policy from the next callback decision."""
        controller = self.controller
        queue = {name: value for name, value in fields.items() if name in QUEUE_FIELDS}
        callback = {attr: fields[f"callback_{name}"] for name, attr in CALLBACK_FIELDS.items()
                    if f"callback_{name}" in fields}

        def apply() -> None:
            if queue:
                controller.reconfigure(dataclasses.replace(controller.acd.config, **queue))
            if callback:
                controller.callbacks.policy = dataclasses.replace(controller.callbacks.policy, **callback)

        await controller.request(apply)

    # --- incidents and callbacks ---------------------------------------------------------------------
    def incident_status_changed(self, incident_id: int, status: IncidentStatus) -> None:
        """The call taker moved an incident: a call on it that drops later is judged by it."""
        self.controller.post(IncidentStatusChanged(incident_id, status))

    async def cancel_callback(self, callback_id: int, reason: str, actor: str) -> bool:
        """Stop the callbacks engine's entry (an attempt still waiting for a seat is withdrawn)."""
        callbacks = self.controller.callbacks

        def cancel() -> bool:
            key = callbacks.key_for(callback_id)
            return key is not None and callbacks.cancel(key, reason, actor)

        return await self.controller.request(cancel)

    async def retry_callback(self, record: Any) -> None:
        """Try a callback now (one the engine gave up on is taken up again)."""
        callbacks = self.controller.callbacks
        entry = PendingCallback(key=record.call_id or f"callback-{record.id}", number=record.number,
                                reason=record.reason, incident_id=record.incident_id, seat_id=record.seat_id,
                                due_at=self.controller.ctx.clock.wall(), attempts=0, callback_id=record.id)

        def retry() -> None:
            if not callbacks.retry_now(entry.key):
                callbacks.restore([entry])

        await self.controller.request(retry)

    # --- seats -------------------------------------------------------------------------------------
    def seat_view(self, seat_id: str) -> Any | None:
        return next((s for s in self.controller.acd.snapshot().seats if s.seat_id == seat_id), None)

    def seat_views(self) -> dict[str, Any]:
        return {s.seat_id: s for s in self.controller.acd.snapshot().seats}

    async def define_seat(self, seat_id: str, dial_string: str, overflow: bool) -> None:
        controller = self.controller

        def define() -> None:
            config: QueueConfig = controller.acd.config
            seats = [s for s in config.seats if s.seat_id != seat_id]
            position = next((i for i, s in enumerate(config.seats) if s.seat_id == seat_id), len(seats))
            seats.insert(position, SeatConfig(seat_id, overflow=overflow))
            controller.seats.define_seat(seat_id, dial_string)
            controller.reconfigure(dataclasses.replace(config, seats=tuple(seats)))

        await controller.request(define)

    async def remove_seat(self, seat_id: str) -> None:
        """Refused (`Conflict`) while the seat rings or is on a call."""
        controller = self.controller

        def remove() -> None:
            view = self.seat_view(seat_id)
            if view is not None and (view.status in BUSY or view.call_id is not None):
                raise Conflict(f"seat {seat_id} is on a call", message_id=f"meja {seat_id} sedang menerima panggilan")
            config: QueueConfig = controller.acd.config
            seats = tuple(s for s in config.seats if s.seat_id != seat_id)
            controller.reconfigure(dataclasses.replace(config, seats=seats))  # logs it out first
            controller.seats.forget_seat(seat_id)

        await controller.request(remove)

    async def seat_action(self, seat_id: str, action: str, reason: str = "break") -> Any:
        controller = self.controller

        def act() -> Any:
            if not controller.acd.config.has_seat(seat_id):
                raise NotFound(f"seat {seat_id} not found", message_id=f"meja {seat_id} tidak ditemukan")
            if action == "login":
                controller.seats.login(seat_id)
            elif action == "logout":
                controller.seats.logout(seat_id)
            elif action == "pause":
                controller.seats.pause(seat_id, reason)
            elif action == "unpause":
                controller.seats.unpause(seat_id)
            else:
                raise ValueError(f"unknown seat action {action!r}")
            return self.seat_view(seat_id)

        return await controller.request(act)

    # --- live state --------------------------------------------------------------------------------
    def session(self, call_id: str) -> CallSession | None:
        return self.controller.ctx.sessions.calls.get(call_id)

    def snapshot(self) -> dict[str, Any]:
        now = self._now()
        snap = self.controller.acd.snapshot()
        waiting, ringing, connected = [], [], []
        for call in snap.calls:
            session = self.session(call.call_id)
            item = {"call_id": call.call_id, "priority": call.priority,
                    "waiting_s": round(max(0.0, now - call.arrived_at), 3), **call_details(session)}
            if call.phase is CallPhase.WAITING:
                waiting.append({**item, "position": call.position})
            elif call.phase is CallPhase.OFFERED:
                ringing.append({**item, "seat": call.seat_id})
            elif call.phase is CallPhase.CONNECTED:
                since = session.connected_mono if session is not None else None
                connected.append({**item, "seat": call.seat_id,
                                  "talking_s": round(now - since, 3) if since is not None else None})
        seats = [{**seat_dict(view, now), "state_s": _since(self._state_since.get(view.seat_id), now)}
                 for view in snap.seats]
        longest = max((c["waiting_s"] for c in waiting), default=0.0)
        return {"waiting": waiting, "ringing": ringing, "connected": connected, "seats": seats,
                "longest_wait_s": longest}


def _since(then: float | None, now: float) -> float | None:
    return round(max(0.0, now - then), 3) if then is not None else None


def visible_to(snapshot: dict[str, Any], seat_id: str | None) -> dict[str, Any]:
    """A call taker's view: the queue as it is, but only their own seat and their own calls."""
    return {**snapshot,
            "ringing": [c for c in snapshot["ringing"] if c["seat"] == seat_id],
            "connected": [c for c in snapshot["connected"] if c["seat"] == seat_id],
            "seats": [s for s in snapshot["seats"] if s["seat"] == seat_id]}


def call_details(session: CallSession | None) -> dict[str, Any]:
    if session is None:
        return {"caller": None, "caller_kind": None, "no_callback": None, "category_hint": None, "dialled": None,
                "incident_id": None, "repeat_of": None, "callback_leg": None, "location": None,
                "prank_flag": None}
    return {"caller": session.caller_number, "caller_kind": session.caller_kind.value,
            "no_callback": session.no_callback, "category_hint": session.category, "dialled": session.dialled,
            "incident_id": session.incident_id,
            # the repeat-caller link, once the call flow records one on the session
            "repeat_of": getattr(session, "repeat_of", None),
            # a callback attempt (the centre rings the citizen back), not a citizen calling in
            "callback_leg": getattr(session, "callback_key", None) is not None,
            # the handset's AML position (issue 19), when one was attached before this notice
            "location": getattr(session, "location", None),
            # a number with repeated prank/abusive calls (issue 19): flagged, never blocked
            "prank_flag": getattr(session, "prank_flag", None)}


def seat_dict(view: Any, now: float) -> dict[str, Any]:
    return {"seat": view.seat_id, "status": view.status.value, "logged_in": view.logged_in,
            "pause_reason": view.pause_reason, "reachable": view.reachable,
            "unreachable_reason": view.unreachable_reason or None, "overflow": view.overflow,
            "call_id": view.call_id, "idle_s": round(max(0.0, now - view.idle_since), 3) if view.idle_since else None,
            "missed_in_a_row": view.missed_in_a_row, "answered": view.answered}
