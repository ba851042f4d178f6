"""An incident's timeline: every event, append-only, in the order it happened.

The timeline is what a supervisor or an inquiry reads after the fact ("who changed the
address, when, from what?"), so entries are never edited or removed; a correction is a new
entry. Each entry is a kind, a time, who did it (a seat or call-taker id, `caller`, or
`system`), the call leg it concerns, and a small JSON-ready `details` mapping.
Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

SYSTEM = "system"  # the controller itself
CALLER = "caller"  # the citizen


class TimelineKind(StrEnum):
    ARRIVED = "arrived"
    OFFERED_TO_SEAT = "offered_to_seat"
    ANSWERED_BY_SEAT = "answered_by_seat"
    RECORDING_STARTED = "recording_started"
    RECORDING_STOPPED = "recording_stopped"
    HUNG_UP = "hung_up"
    FIELD_CHANGED = "field_changed"
    STATUS_CHANGED = "status_changed"
    CALLBACK_SCHEDULED = "callback_scheduled"
    CALLBACK_ATTEMPT = "callback_attempt"
    CALLBACK_OUTCOME = "callback_outcome"
    CALLBACK_CANCELLED = "callback_cancelled"
    LINKED_REPEAT_CALL = "linked_repeat_call"
    NOTE = "note"


class HangupParty(StrEnum):
    """Who ended the call: the difference between a completed call and a dropped line."""

    CALLER = "caller"
    SEAT = "seat"
    SYSTEM = "system"  # the controller, Asterisk or the network (no answer, error, shutdown)


JsonValue = str | int | float | bool | None


def _frozen(details: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(details))


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    kind: TimelineKind
    at: datetime
    actor: str = SYSTEM
    call_id: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", TimelineKind(self.kind))
        if self.at.tzinfo is None:
            raise ValueError("a timeline entry needs an aware datetime")
        if not self.actor:
            raise ValueError("a timeline entry needs an actor (a seat, 'caller' or 'system')")
        object.__setattr__(self, "details", _frozen(self.details))


def arrived(at: datetime, call_id: str, caller_number: str | None, dialled: str) -> TimelineEntry:
    return TimelineEntry(TimelineKind.ARRIVED, at, CALLER, call_id,
                         {"caller_number": caller_number, "dialled": dialled})


def offered_to_seat(at: datetime, call_id: str, seat_id: str) -> TimelineEntry:
    return TimelineEntry(TimelineKind.OFFERED_TO_SEAT, at, SYSTEM, call_id, {"seat_id": seat_id})


def answered_by_seat(at: datetime, call_id: str, seat_id: str) -> TimelineEntry:
    return TimelineEntry(TimelineKind.ANSWERED_BY_SEAT, at, seat_id, call_id, {"seat_id": seat_id})


def recording_started(at: datetime, call_id: str, path: str) -> TimelineEntry:
    return TimelineEntry(TimelineKind.RECORDING_STARTED, at, SYSTEM, call_id, {"path": path})


def recording_stopped(at: datetime, call_id: str, path: str) -> TimelineEntry:
    return TimelineEntry(TimelineKind.RECORDING_STOPPED, at, SYSTEM, call_id, {"path": path})


def hung_up(at: datetime, call_id: str, by: HangupParty | str, cause: str | None = None) -> TimelineEntry:
    by = HangupParty(by)
    return TimelineEntry(TimelineKind.HUNG_UP, at, by.value, call_id, {"by": by.value, "cause": cause})


def callback_scheduled(at: datetime, callback_id: int, due_at: datetime, reason: str) -> TimelineEntry:
    return TimelineEntry(TimelineKind.CALLBACK_SCHEDULED, at, SYSTEM, None,
                         {"callback_id": callback_id, "due_at": due_at.isoformat(), "reason": reason})


def callback_attempt(at: datetime, callback_id: int, attempt_no: int, seat_id: str | None,
                     call_id: str | None = None) -> TimelineEntry:
    return TimelineEntry(TimelineKind.CALLBACK_ATTEMPT, at, seat_id or SYSTEM, call_id,
                         {"callback_id": callback_id, "attempt_no": attempt_no, "seat_id": seat_id})


def callback_outcome(at: datetime, callback_id: int, attempt_no: int, outcome: str,
                     call_id: str | None = None) -> TimelineEntry:
    return TimelineEntry(TimelineKind.CALLBACK_OUTCOME, at, SYSTEM, call_id,
                         {"callback_id": callback_id, "attempt_no": attempt_no, "outcome": str(outcome)})


def callback_cancelled(at: datetime, callback_id: int, actor: str, reason: str) -> TimelineEntry:
    return TimelineEntry(TimelineKind.CALLBACK_CANCELLED, at, actor, None,
                         {"callback_id": callback_id, "reason": reason})


def linked_repeat_call(at: datetime, call_id: str, caller_number: str) -> TimelineEntry:
    return TimelineEntry(TimelineKind.LINKED_REPEAT_CALL, at, CALLER, call_id, {"caller_number": caller_number})


def note(at: datetime, actor: str, text: str) -> TimelineEntry:
    return TimelineEntry(TimelineKind.NOTE, at, actor, None, {"text": text})


@dataclass(frozen=True, slots=True)
class FieldChanged:
    """One field of the incident changed: the old and the new value (JSON-ready) and who did it."""

    field: str
    old: JsonValue
    new: JsonValue
    actor: str
    at: datetime

    def entry(self) -> TimelineEntry:
        return TimelineEntry(TimelineKind.FIELD_CHANGED, self.at, self.actor, None,
                             {"field": self.field, "old": self.old, "new": self.new})


@dataclass(frozen=True, slots=True)
class StatusChanged:
    old: str
    new: str
    actor: str
    at: datetime
    reason: str = ""

    def entry(self) -> TimelineEntry:
        return TimelineEntry(TimelineKind.STATUS_CHANGED, self.at, self.actor, None,
                             {"old": self.old, "new": self.new, "reason": self.reason})
