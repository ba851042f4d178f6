import datetime as dt

import pytest
import sqlalchemy as sa

from cc112_pbx.domain.incident_status import IllegalTransition
from cc112_pbx.storage import RecordNotFound
from cc112_pbx.storage.records import (
    CallDirection,
    CallerKind,
    CallOutcome,
    Category,
    IncidentStatus,
)


async def open_call(db, at, call_id="c-1", **overrides):
    incident = await db.incidents.open_draft(
        opened_at=at(0), dialled="112", caller_number="081234567890", category_hint=None
    )
    values = dict(
        call_id=call_id, incident_id=incident.id, direction="inbound", channel_id="1795938506.1",
        channel_name="PJSIP/telco-00000001", caller_number="081234567890", caller_kind="normal",
        dialled="112", arrived_at=at(0),
    )
    values.update(overrides)
    return incident, await db.calls.add(**values)


async def test_citizen_call_is_written_with_an_incident_draft_before_anything_else(db, at):
    incident, call = await open_call(db, at)
    assert incident.status is IncidentStatus.NEW
    assert incident.opened_at == at(0)
    stored = await db.calls.get("c-1")
    assert stored == call
    assert stored.incident_id == incident.id
    assert stored.direction is CallDirection.INBOUND
    assert stored.caller_kind is CallerKind.NORMAL
    assert stored.answered_at is None and stored.ended_at is None


async def test_answered_call_records_its_timeline_seat_and_outcome(db, at):
    await open_call(db, at)
    await db.calls.mark_answered("c-1", at(1))
    await db.calls.add(call_id="s-1", direction=CallDirection.SEAT, channel_id="1795938506.2",
                       channel_name="PJSIP/seat01-00000002", arrived_at=at(5), seat_id="seat01",
                       incident_id=(await db.calls.get("c-1")).incident_id, peer_call_id="c-1")
    await db.calls.mark_connected("c-1", at(8), seat_id="seat01", peer_call_id="s-1")
    ended = await db.calls.end("c-1", at(90), CallOutcome.ANSWERED, "16")
    assert (ended.answered_at, ended.connected_at, ended.ended_at) == (at(1), at(8), at(90))
    assert ended.seat_id == "seat01" and ended.peer_call_id == "s-1"
    assert ended.outcome is CallOutcome.ANSWERED and ended.hangup_cause == "16"
    assert await db.calls.get("c-1") == ended


async def test_caller_without_a_number_is_stored_as_no_callback(db, at):
    incident = await db.incidents.open_draft(
        opened_at=at(0), dialled="112", caller_number=None, no_callback=True
    )
    call = await db.calls.add(call_id="c-2", incident_id=incident.id, direction="inbound", channel_id="9.1",
                              channel_name="PJSIP/telco-9", caller_kind=CallerKind.NONE, arrived_at=at(0))
    assert (await db.incidents.get(incident.id)).no_callback is True
    assert call.caller_number is None and call.caller_kind is CallerKind.NONE


async def test_legacy_number_carries_its_category_hint(db, at):
    incident = await db.incidents.open_draft(opened_at=at(0), dialled="113", category_hint="fire")
    assert (await db.incidents.get(incident.id)).category_hint is Category.FIRE


async def test_all_legs_of_an_incident_come_back_in_arrival_order(db, at):
    incident, _ = await open_call(db, at)
    await db.calls.add(call_id="s-2", direction="seat", channel_id="2.2", channel_name="Local/seat02",
                       arrived_at=at(20), incident_id=incident.id, seat_id="seat02")
    await db.calls.add(call_id="s-1", direction="seat", channel_id="2.1", channel_name="Local/seat01",
                       arrived_at=at(10), incident_id=incident.id, seat_id="seat01")
    assert [c.id for c in await db.calls.for_incident(incident.id)] == ["c-1", "s-1", "s-2"]


async def test_active_calls_are_those_not_ended(db, at):
    await open_call(db, at, "c-1")
    await open_call(db, at, "c-2", channel_id="3.1")
    await db.calls.end("c-1", at(30), "abandoned")
    assert [c.id for c in await db.calls.active()] == ["c-2"]
    assert (await db.calls.by_channel("3.1")).id == "c-2"
    assert await db.calls.by_channel("nope") is None


async def test_updating_an_unknown_call_raises_record_not_found(db, at):
    with pytest.raises(RecordNotFound, match="call 'ghost' not found"):
        await db.calls.mark_answered("ghost", at(1))
    assert await db.calls.get("ghost") is None


async def test_call_for_a_missing_incident_is_refused_by_the_foreign_key(db, at):
    with pytest.raises(sa.exc.IntegrityError):
        await db.calls.add(call_id="c-9", incident_id=424242, direction="inbound", channel_id="1",
                           channel_name="x", arrived_at=at(0))


async def test_unknown_enum_value_is_refused(db, at):
    with pytest.raises(ValueError):
        await open_call(db, at, direction="sideways")


async def test_naive_datetimes_are_refused(db, at):
    with pytest.raises(Exception, match="naive datetime"):
        await db.incidents.open_draft(opened_at=dt.datetime(2026, 11, 29, 8, 0), dialled="112")


async def test_times_in_other_zones_come_back_as_the_same_instant_in_utc(db, at):
    wib = dt.timezone(dt.timedelta(hours=7))
    afternoon_in_semarang = dt.datetime(2026, 11, 29, 15, 0, tzinfo=wib)
    incident = await db.incidents.open_draft(opened_at=afternoon_in_semarang, dialled="112")
    stored = await db.incidents.get(incident.id)
    assert stored.opened_at == at(0)
    assert stored.opened_at.tzinfo == dt.UTC


async def test_incident_moves_through_its_statuses_and_closing_stamps_the_time(db, at):
    incident, _ = await open_call(db, at)
    assert (await db.incidents.set_status(incident.id, "in_progress", at(5))).closed_at is None
    for status, second in (("verified", 30), (IncidentStatus.DISPATCHED, 60), ("resolved", 100)):
        await db.incidents.set_status(incident.id, status, at(second))
    closed = await db.incidents.set_status(incident.id, "closed", at(120))
    assert closed.status is IncidentStatus.CLOSED and closed.closed_at == at(120)
    with pytest.raises(IllegalTransition, match="from 'closed' to 'in_progress'"):
        await db.incidents.set_status(incident.id, "in_progress", at(130))
    assert (await db.incidents.get(incident.id)).status is IncidentStatus.CLOSED


async def test_call_taker_fills_in_category_and_notes(db, at):
    incident, _ = await open_call(db, at)
    notes = "Jl. Pemuda 12, pingsan"
    updated = await db.incidents.update(incident.id, category_hint="ambulance", notes=notes)
    assert updated.category_hint is Category.MEDICAL and updated.notes == "Jl. Pemuda 12, pingsan"
    kept = await db.incidents.update(incident.id, notes="updated")
    assert kept.category_hint is Category.MEDICAL
    cleared = await db.incidents.update(incident.id, category_hint=None)
    assert cleared.category_hint is None and cleared.notes == "updated"


async def test_recent_incidents_newest_first_and_by_status(db, at):
    first = await db.incidents.open_draft(opened_at=at(0), dialled="112")
    second = await db.incidents.open_draft(opened_at=at(10), dialled="110")
    await db.incidents.set_status(first.id, "in_progress", at(11))
    assert [i.id for i in await db.incidents.recent()] == [second.id, first.id]
    assert [i.id for i in await db.incidents.recent(status="in_progress")] == [first.id]


async def test_recording_is_linked_to_call_seat_and_incident_with_its_duration(db, at):
    incident, _ = await open_call(db, at)
    recording = await db.recordings.add(call_id="c-1", path="/rec/c-1.wav", started_at=at(1))
    await db.recordings.set_seat(recording.id, "seat01")
    finished = await db.recordings.finish(recording.id, at(91.5))
    assert finished.duration_s == 90.5 and finished.seat_id == "seat01" and finished.ended_at == at(91.5)
    assert await db.recordings.for_call("c-1") == [finished]
    assert await db.recordings.for_incident(incident.id) == [finished]
    with pytest.raises(RecordNotFound):
        await db.recordings.finish(999, at(2))


async def test_a_burst_of_simultaneous_calls_is_written_without_lock_errors(db, at):
    import asyncio

    async def arrive(n):
        incident = await db.incidents.open_draft(opened_at=at(n), dialled="112", caller_number=f"0812{n:06d}")
        await db.calls.add(call_id=f"burst-{n}", incident_id=incident.id, direction="inbound",
                           channel_id=f"7.{n}", channel_name=f"PJSIP/telco-{n}", arrived_at=at(n))
        await db.calls.mark_answered(f"burst-{n}", at(n + 1))

    await asyncio.gather(*(arrive(n) for n in range(40)))
    assert len(await db.calls.active()) == 40
    assert len(await db.incidents.recent(limit=100)) == 40


async def test_citizen_call_and_incident_are_opened_together_and_a_retry_writes_nothing_twice(db, at):
    values = dict(call_id="c-7", channel_id="1795938506.7", channel_name="PJSIP/telco-7", arrived_at=at(0),
                  dialled="118", caller_number=None, caller_kind="none", category_hint="ambulance",
                  no_callback=True)
    incident, call = await db.incidents.open_for_call(**values)
    assert call.incident_id == incident.id and call.direction is CallDirection.INBOUND
    assert incident.no_callback is True and incident.category_hint is Category.MEDICAL
    assert incident.opened_at == call.arrived_at == at(0)
    again = await db.incidents.open_for_call(**values)
    assert again == (incident, call)
    assert len(await db.incidents.recent()) == 1


async def test_retried_writes_of_a_leg_or_a_recording_are_harmless(db, at):
    _, call = await open_call(db, at)
    assert await db.calls.add(call_id="c-1", direction="inbound", channel_id="other", channel_name="x",
                              arrived_at=at(99)) == call
    first = await db.recordings.add(call_id="c-1", path="/rec/c-1.wav", started_at=at(1))
    assert await db.recordings.add(call_id="c-1", path="/rec/c-1.wav", started_at=at(1)) == first
    assert len(await db.recordings.for_call("c-1")) == 1
