"""The facts, told to people: a `FactBus` subscriber that publishes one plain-dict notice per
fact worth showing (the demo's live output today, the API's event stream and screen pops).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cc112_pbx.domain import telephony as tel
from cc112_pbx.domain.acd import SeatAutoPaused, SeatStateChanged
from cc112_pbx.services import facts as f
from cc112_pbx.services.ports import Notices

Notice = tuple[str, dict[str, Any]]

_NOTICES: dict[type, Callable[[Any], Notice]] = {
    f.CallOpened: lambda x: ("call_arrived", {
        "call_id": x.call_id, "caller": x.caller_number, "caller_kind": x.caller_kind.value,
        "no_callback": x.no_callback, "dialled": x.dialled, "category": x.category}),
    f.IncidentLinked: lambda x: ("incident_opened", {"call_id": x.call_id, "incident_id": x.incident_id}),
    f.RecordingBegan: lambda x: ("recording_started", {"call_id": x.call_id, "path": x.path}),
    f.SeatRinging: lambda x: ("seat_ringing", {
        "call_id": x.call_id, "seat": x.seat_id, "caller": x.caller_number, "no_callback": x.no_callback,
        "incident_id": x.incident_id}),
    f.CallConnected: lambda x: ("call_connected", {
        "call_id": x.call_id, "seat": x.seat_id, "caller": x.caller_number, "no_callback": x.no_callback,
        "incident_id": x.incident_id, "waited": x.waited}),
    f.SilentCallConfirmed: lambda x: ("silent_call", {"call_id": x.call_id, "incident_id": x.incident_id}),
    f.CallerSilent: lambda x: ("caller_silent", {"call_id": x.call_id, "incident_id": x.incident_id,
                                                 "seat": x.seat_id}),
    f.CallFinished: lambda x: ("call_ended", {
        "call_id": x.call_id, "outcome": x.outcome, "seat": x.seat_id, "waited": x.waited,
        "recording": x.recording_path, "incident_id": x.incident_id}),
    SeatStateChanged: lambda x: ("seat_state", {
        "seat": x.seat_id, "old": x.old.value, "new": x.new.value, "reason": x.reason}),
    SeatAutoPaused: lambda x: ("seat_auto_paused", {"seat": x.seat_id, "missed": x.missed}),
    tel.ConnectionChanged: lambda x: ("asterisk_link", {"link": x.link, "connected": x.connected}),
    f.CallbackScheduled: lambda x: ("callback_scheduled", {
        "call_id": x.key, "incident_id": x.incident_id, "reason": x.reason, "number": x.number,
        "dialable": x.dialable, "due_at": x.due_at.isoformat(), "seat": x.seat_id, "detail": x.detail}),
    f.CallbackAttemptStarted: lambda x: ("callback_attempt", {
        "call_id": x.call_id, "callback_of": x.key, "attempt": x.attempt, "number": x.number,
        "incident_id": x.incident_id}),
    f.CallbackAttemptEnded: lambda x: ("callback_outcome", {
        "call_id": x.call_id, "callback_of": x.key, "attempt": x.attempt, "outcome": x.outcome, "seat": x.seat_id,
        "next_due_at": x.next_due_at.isoformat() if x.next_due_at else None}),
    f.CallbackCancelled: lambda x: ("callback_cancelled", {"callback_of": x.key, "reason": x.reason,
                                                           "actor": x.actor}),
}


class NoticeSubscriber:
    def __init__(self, notices: Notices) -> None:
        self.notices = notices

    def __call__(self, fact: object) -> None:
        build = _NOTICES.get(type(fact))
        if build is not None:
            kind, fields = build(fact)
            self.notices.publish(kind, **fields)
