"""The SOP's incident in the database: edits and status moves with their timeline, filters, repeat callers."""

from __future__ import annotations

import pytest

from cc112_pbx.domain import timeline
from cc112_pbx.domain.callbacks import CallbackPolicy
from cc112_pbx.domain.incident import InvalidChanges
from cc112_pbx.domain.incident_status import IllegalTransition
from cc112_pbx.domain.repeat_caller import match_repeat_call
from cc112_pbx.storage import RecordNotFound
from cc112_pbx.storage.records import (
    CallbackStatus,
    Category,
    IncidentStatus,
    LocationSource,
    Priority,
    TimelineKind,
    Verification,
)

NUMBER = "+6281234567890"


async def arrive(db, at, n=1, dialled="112", number=NUMBER, second=0):
    incident, _ = await db.incidents.open_for_call(
        call_id=f"c-{n}", channel_id=f"1795938506.{n}", channel_name=f"PJSIP/telco-{n}", arrived_at=at(second),
        dialled=dialled, caller_number=number, caller_kind="normal" if number else "none", no_callback=not number,
    )
    return incident


async def test_a_call_opens_a_new_incident_with_its_arrival_on_the_timeline(db, at):
    incident = await arrive(db, at, dialled="118")
    assert incident.status is IncidentStatus.NEW and incident.verification is Verification.UNVERIFIED
    assert incident.category_hint is Category.MEDICAL and incident.category is Category.MEDICAL
    [arrived] = await db.timeline.for_incident(incident.id)
    assert (arrived.kind, arrived.actor, arrived.call_id, arrived.at) == (TimelineKind.ARRIVED, "caller", "c-1", at(0))
    assert arrived.details == {"caller_number": NUMBER, "dialled": "118"}


async def test_call_taker_edits_are_stored_with_who_changed_what(db, at):
    incident = await arrive(db, at)
    changes = {"reporter_name": "Siti", "callback_number": "0811 222 3333", "address": "Jl. Pandanaran 5",
               "latitude": -6.99, "longitude": 110.42, "location_source": "aml", "location_accuracy_m": 8,
               "category": "fire", "description": "Rumah terbakar", "priority": 1, "owner": "seat01"}
    updated, events = await db.incidents.change(incident.id, changes, actor="seat01", at=at(40))
    assert updated.callback_number == "+628112223333" and updated.location_source is LocationSource.AML
    assert updated.priority is Priority.CRITICAL and updated.category is Category.FIRE
    assert updated.updated_at == at(40)
    assert await db.incidents.get(incident.id) == updated
    assert len(events) == len(changes) and all(e.kind is TimelineKind.FIELD_CHANGED for e in events)
    stored = await db.timeline.for_incident(incident.id)
    assert stored[1:] == events
    assert stored[1].details == {"field": "reporter_name", "old": "", "new": "Siti"}
    assert {e.actor for e in events} == {"seat01"}


async def test_invalid_edits_are_refused_as_a_whole(db, at):
    incident = await arrive(db, at)
    with pytest.raises(InvalidChanges) as refused:
        await db.incidents.change(incident.id, {"reporter_name": "Siti", "latitude": 123}, actor="seat01", at=at(5))
    assert [e.field for e in refused.value.errors] == ["latitude"]
    assert (await db.incidents.get(incident.id)).reporter_name == ""
    assert len(await db.timeline.for_incident(incident.id)) == 1
    with pytest.raises(RecordNotFound):
        await db.incidents.change(404, {"description": "x"}, actor="seat01", at=at(5))


async def test_an_illegal_status_transition_is_refused_and_nothing_is_written(db, at):
    incident = await arrive(db, at)
    with pytest.raises(IllegalTransition, match="from 'new' to 'dispatched'"):
        await db.incidents.transition(incident.id, "dispatched", actor="seat01", at=at(10))
    assert (await db.incidents.get(incident.id)).status is IncidentStatus.NEW
    verified, events = await db.incidents.transition(incident.id, "verified", actor="seat01", at=at(20), reason="ok")
    assert verified.verification is Verification.VERIFIED
    assert [(e.kind, e.details) for e in events] == [
        (TimelineKind.STATUS_CHANGED, {"old": "new", "new": "verified", "reason": "ok"}),
        (TimelineKind.FIELD_CHANGED, {"field": "verification", "old": "unverified", "new": "verified"}),
    ]


async def test_incidents_are_listed_with_filters_and_pages(db, at):
    for n in range(1, 6):
        await arrive(db, at, n=n, second=n * 60, dialled="110" if n % 2 else "113")
    await db.incidents.change(1, {"owner": "seat02"}, actor="supervisor", at=at(400))
    await db.calls.add(call_id="s-3", direction="seat", channel_id="9.3", channel_name="Local/seat02",
                       arrived_at=at(185), incident_id=3, seat_id="seat02")
    await db.incidents.transition(5, "cancelled", actor="seat01", at=at(401))
    page = await db.incidents.search(limit=2)
    assert ([i.id for i in page.items], page.total) == ([5, 4], 5)
    assert [i.id for i in (await db.incidents.search(limit=2, offset=4)).items] == [1]
    assert [i.id for i in (await db.incidents.search(category="police")).items] == [5, 3, 1]
    assert [i.id for i in (await db.incidents.search(status=["new"], category="police")).items] == [3, 1]
    assert [i.id for i in (await db.incidents.search(seat="seat02")).items] == [3, 1]
    window = await db.incidents.search(opened_from=at(120), opened_before=at(240))
    assert [i.id for i in window.items] == [3, 2]
    assert (await db.incidents.search(verification="prank")).total == 0
    with pytest.raises(ValueError, match="limit must be"):
        await db.incidents.search(limit=0)


async def test_a_repeat_caller_is_linked_and_the_pending_callback_to_that_number_cancelled(db, at):
    incident = await arrive(db, at)
    callback = await db.callbacks.schedule(incident_id=incident.id, call_id="c-1", reason="dropped",
                                           created_at=at(60), due_at=at(70), number=NUMBER, seat_id="seat01")
    candidates = await db.incidents.recent_for_number(NUMBER, since=at(100 - 1800))
    match = match_repeat_call("0812-3456-7890", at(100), candidates, 1800)
    assert match is not None and match.incident_id == incident.id
    values = dict(incident_id=incident.id, call_id="c-2", channel_id="1795938506.2", channel_name="PJSIP/telco-2",
                  arrived_at=at(100), dialled="112", caller_number=NUMBER, caller_kind="normal")
    linked, call, cancelled = await db.incidents.link_repeat_call(**values)
    assert call.incident_id == linked.id == incident.id and cancelled == [callback.id]
    assert (await db.callbacks.get(callback.id)).status is CallbackStatus.CANCELLED
    assert await db.incidents.link_repeat_call(**values) == (linked, call, [])  # a retried write
    kinds = [e.kind for e in await db.timeline.for_incident(incident.id)]
    assert kinds == [TimelineKind.ARRIVED, TimelineKind.CALLBACK_SCHEDULED, TimelineKind.LINKED_REPEAT_CALL,
                     TimelineKind.CALLBACK_CANCELLED]
    assert [i.id for i in await db.incidents.recent()] == [incident.id]


async def test_closed_or_stale_incidents_are_no_repeat_candidates(db, at):
    incident = await arrive(db, at)
    assert await db.incidents.recent_for_number(NUMBER, since=at(1)) == []
    await db.incidents.transition(incident.id, "closed", actor="seat01", at=at(30))
    assert await db.incidents.recent_for_number(NUMBER, since=at(-10)) == []


async def test_timeline_appends_are_idempotent_by_key_and_need_an_incident(db, at):
    incident = await arrive(db, at)
    entries = [timeline.answered_by_seat(at(8), "c-1", "seat01"), timeline.recording_started(at(8), "c-1", "/r.wav")]
    first = await db.timeline.append(incident.id, entries, key="answered:c-1")
    assert await db.timeline.append(incident.id, entries, key="answered:c-1") == first
    assert len(await db.timeline.for_incident(incident.id)) == 3
    with pytest.raises(RecordNotFound):
        await db.timeline.append(404, entries)


async def test_callback_attempts_follow_the_policy_and_land_on_the_timeline(db, at):
    policy = CallbackPolicy(max_attempts=2, spacing=120)
    incident = await arrive(db, at)
    callback = await db.callbacks.schedule(incident_id=incident.id, call_id="c-1", reason="abandoned",
                                           created_at=at(30), due_at=at(40), number=NUMBER)
    first = await db.callbacks.start_attempt(callback.id, at(40), seat_id="seat01", call_id="cb-1")
    _, after_busy = await db.callbacks.record_outcome(first.id, at(70), "busy", policy, cause="17")
    assert (after_busy.status, after_busy.due_at) == (CallbackStatus.PENDING, at(190))
    assert [c.id for c in await db.callbacks.pending()] == [callback.id]
    second = await db.callbacks.start_attempt(callback.id, at(190), seat_id="seat02")
    attempt, exhausted = await db.callbacks.record_outcome(second.id, at(220), "no_answer", policy)
    assert exhausted.status is CallbackStatus.EXHAUSTED and exhausted.closed_at == at(220)
    assert await db.callbacks.record_outcome(second.id, at(300), "connected", policy) == (attempt, exhausted)
    assert [a.cause for a in await db.callbacks.attempts(callback.id)] == ["17", None]
    outcomes = [e.details["outcome"] for e in await db.timeline.for_incident(incident.id)
                if e.kind is TimelineKind.CALLBACK_OUTCOME]
    assert outcomes == ["busy", "no_answer"]
    assert await db.callbacks.pending() == []


async def test_a_supervisor_cancels_a_running_callback(db, at):
    incident = await arrive(db, at)
    callback = await db.callbacks.schedule(incident_id=incident.id, call_id="c-1", reason="dropped",
                                           created_at=at(30), due_at=at(40), number=NUMBER)
    await db.callbacks.start_attempt(callback.id, at(40), seat_id="seat01")
    cancelled = await db.callbacks.cancel(callback.id, at(45), actor="supervisor1", reason="reached by radio")
    assert (cancelled.status, cancelled.detail) == (CallbackStatus.CANCELLED, "reached by radio")
    assert [a.outcome for a in await db.callbacks.attempts(callback.id)] == ["cancelled"]
    assert await db.callbacks.cancel(callback.id, at(50), actor="x", reason="again") == cancelled


async def test_callers_without_a_number_are_on_the_supervisors_no_callback_list(db, at):
    sim_less = await arrive(db, at, n=1, number=None)
    await arrive(db, at, n=2)
    listed = await db.callbacks.schedule(incident_id=sim_less.id, call_id="c-1", reason="abandoned", created_at=at(9),
                                         due_at=at(9), number=None, dialable=False, detail="no callable number (none)")
    listed_now = [(c.id, c.detail) for c in await db.callbacks.no_callback_list()]
    assert listed_now == [(listed.id, "no callable number (none)")]
    assert await db.callbacks.pending() == []
    [_, note] = await db.timeline.for_incident(sim_less.id)
    assert note.kind is TimelineKind.NOTE and "supervisor list" in note.details["text"]
