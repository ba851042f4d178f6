"""Timeline entries: who did what, when, on which leg; JSON-ready and immutable."""

from __future__ import annotations

import datetime as dt

import pytest

from cc112_pbx.domain import timeline
from cc112_pbx.domain.timeline import HangupParty, TimelineEntry, TimelineKind

T0 = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)


def test_each_call_event_names_its_actor_and_leg():
    entries = [
        timeline.arrived(T0, "c-1", "+6281234567890", "112"),
        timeline.offered_to_seat(T0, "c-1", "seat01"),
        timeline.answered_by_seat(T0, "c-1", "seat01"),
        timeline.recording_started(T0, "c-1", "/rec/c-1.wav"),
        timeline.hung_up(T0, "c-1", "caller", "16"),
        timeline.recording_stopped(T0, "c-1", "/rec/c-1.wav"),
    ]
    assert [(e.kind.value, e.actor, e.call_id) for e in entries] == [
        ("arrived", "caller", "c-1"), ("offered_to_seat", "system", "c-1"), ("answered_by_seat", "seat01", "c-1"),
        ("recording_started", "system", "c-1"), ("hung_up", "caller", "c-1"), ("recording_stopped", "system", "c-1"),
    ]
    assert dict(entries[4].details) == {"by": HangupParty.CALLER, "cause": "16"}


def test_callback_events_carry_the_callback_and_attempt():
    due = T0 + dt.timedelta(seconds=30)
    assert dict(timeline.callback_scheduled(T0, 5, due, "dropped").details) == {
        "callback_id": 5, "due_at": due.isoformat(), "reason": "dropped"}
    assert timeline.callback_attempt(T0, 5, 2, "seat03", "cb-1").actor == "seat03"
    assert timeline.callback_outcome(T0, 5, 2, "busy").details["outcome"] == "busy"
    assert timeline.callback_cancelled(T0, 5, "system", "caller called again").kind is TimelineKind.CALLBACK_CANCELLED
    assert timeline.linked_repeat_call(T0, "c-2", "+6281234567890").kind is TimelineKind.LINKED_REPEAT_CALL
    assert timeline.note(T0, "supervisor1", "spoke to the family").details["text"] == "spoke to the family"


def test_an_entry_needs_an_aware_time_and_an_actor():
    with pytest.raises(ValueError, match="aware datetime"):
        TimelineEntry(TimelineKind.NOTE, dt.datetime(2026, 11, 29, 8, 0))
    with pytest.raises(ValueError, match="needs an actor"):
        TimelineEntry(TimelineKind.NOTE, T0, actor="")
